// The desk's operators, for a responsabile: the list (name, role, active or disabled, since when), adding an
// operator (who types their own passphrase), disabling and enabling one (with a new passphrase), changing a
// role, setting a new passphrase for one who forgot theirs, issuing a new recovery key (shown once) and the
// minutes of inactivity before the desk locks. Nobody is deleted. The backend keeps every rule (only a
// responsabile, never the last one, not oneself) and this screen shows its refusals; after every change it
// reads the list again and hands app.js the new AccessState (names to sign in with, one's own role).

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { field } from '../forms.js';
import { errorsSlot, mismatch, mountNotAllowed, mountRecoveryKey, onSubmit } from './access.js';

const ROLES = ['operatore', 'responsabile'];

const passphraseField = (prefix, name, label, hint = '') =>
  field({ id: `${prefix}-${name}`, name, kind: 'password', label, hint, col: 'col-md-6' });

function rowHtml(o, selfId) {
  const self = o.id === selfId;
  const who = html`<span class="visually-hidden"> ${o.name}</span>`;
  const action = (name, label) =>
    html`<button type="button" class="btn btn-outline-primary btn-sm" data-op-action="${name}">${label}${who}</button>`;
  return html`<tr data-operator-row data-operator-id="${o.id}" data-role="${o.role}" data-active="${String(o.active)}">
    <th scope="row" tabindex="-1">${o.name}
      ${self ? html`<span class="badge bg-secondary" data-self>${t('operators.you')}</span>` : ''}</th>
    <td>${t(`role.${o.role}`)}</td>
    <td>${o.active ? t('operators.active') : html`<span class="badge bg-warning text-white">${t('operators.disabled')}</span>`}</td>
    <td>${fmtDateTime(o.createdAt)}</td>
    <td><div class="d-flex flex-wrap gap-1">
      ${o.active ? action('role', t(o.role === 'responsabile' ? 'operators.make_operatore' : 'operators.make_responsabile')) : ''}
      ${self ? '' : o.active ? action('disable', t('operators.disable')) : action('enable', t('operators.enable'))}
      ${!self && o.active ? action('reset', t('operators.reset')) : ''}
    </div></td>
  </tr>`;
}

function tableHtml(operators, selfId) {
  return html`<div class="table-responsive"><table class="table align-middle" data-operators-table>
    <caption class="visually-hidden">${t('operators.caption')}</caption>
    <thead><tr>
      <th scope="col">${t('operators.col.name')}</th>
      <th scope="col">${t('operators.col.role')}</th>
      <th scope="col">${t('operators.col.state')}</th>
      <th scope="col">${t('operators.col.created')}</th>
      <th scope="col">${t('operators.col.actions')}</th>
    </tr></thead>
    <tbody>${operators.map((o) => rowHtml(o, selfId))}</tbody>
  </table></div>`;
}

/** params: { access: AccessState, onState } */
export async function mount(root, { access, onState }) {
  const self = access.session.operator;
  if (self.role !== 'responsabile') return mountNotAllowed(root);
  const roleOptions = ROLES.map((r) => ({ value: r, text: t(`role.${r}`) }));
  render(root, html`<div class="container py-3" data-operators>
    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
      <h1 class="h3 mb-0" tabindex="-1" data-operators-heading>${t('operators.title')}</h1>
      <a href="#/" class="btn btn-outline-secondary" data-back title="${t('nav.back_hint')}">${t('nav.back_to_list')}</a>
    </div>
    <div data-operators-status aria-live="polite"></div>
    <div data-operators-list></div>
    <section class="border rounded p-3 mb-3" aria-labelledby="operator-add-title">
      <h2 class="h5" id="operator-add-title">${t('operators.add_title')}</h2>
      <p>${t('operators.add_hint')}</p>
      <form data-operator-add-form novalidate autocomplete="off">
        ${errorsSlot}
        <div class="row">
          ${field({ id: 'add-operator', name: 'operator', label: t('access.full_name'), col: 'col-md-6' })}
          ${field({ id: 'add-role', name: 'role', kind: 'select', label: t('operators.role'), options: roleOptions,
            value: 'operatore', col: 'col-md-6' })}
          ${passphraseField('add', 'passphrase', t('access.passphrase'), t('access.passphrase_rule'))}
          ${passphraseField('add', 'passphraseRepeat', t('access.passphrase_repeat'))}
        </div>
        <div data-access-status aria-live="polite"></div>
        <button type="submit" class="btn btn-primary" data-operator-add-submit>${t('operators.add')}</button>
      </form>
    </section>
    <section class="border rounded p-3 mb-3" aria-labelledby="idle-title">
      <h2 class="h5" id="idle-title">${t('operators.idle_title')}</h2>
      <form data-idle-form novalidate autocomplete="off">
        ${errorsSlot}
        <div class="row align-items-end">
          ${field({ id: 'idle-minutes', name: 'minutes', label: t('operators.idle_minutes'), value: String(access.session.idleMinutes),
            col: 'col-md-4', attrs: html`inputmode="numeric"` })}
          <div class="col-md-4 mb-3">
            <button type="submit" class="btn btn-primary" data-idle-submit>${t('operators.idle_save')}</button>
          </div>
        </div>
        <div data-access-status aria-live="polite"></div>
      </form>
    </section>
    <section class="border rounded p-3 mb-3" aria-labelledby="recovery-title" data-recovery-section>
      <h2 class="h5" id="recovery-title">${t('operators.recovery_title')}</h2>
      <div data-reissue-slot></div>
    </section>
  </div>`);
  const list = $(root, '[data-operators-list]');
  const status = $(root, '[data-operators-status]');
  let operators = [];
  const say = (markup) => render(status, markup);
  const ok = (text) => say(html`<div class="alert alert-success py-2" role="status" data-operators-done>${text}</div>`);
  const failed = (err) => say(html`<div class="alert alert-danger" role="alert" data-operators-error>${err.message}</div>`);

  async function load() {
    try {
      operators = await api.operatorsList();
      render(list, tableHtml(operators, self.id));
    } catch (err) {
      render(list, html``);
      failed(err);
    }
  }

  /** After a change: the list again, and the AccessState (who can sign in; one's own role). */
  async function changed(id, text) {
    await load();
    ok(text);
    const next = await api.accessState().catch(() => null);
    if (next) onState(next);
    if (next?.session && next.session.operator.role !== 'responsabile') return void (location.hash = '#/');
    const row = $(list, `[data-operator-row][data-operator-id="${CSS.escape(id)}"]`);
    ($(row || list, '[data-op-action]') || $(row || root, 'th[scope="row"]') || $(root, '[data-operators-heading]')).focus();
  }

  async function act(id, run) {
    say(html``);
    try {
      await run();
    } catch (err) {
      return failed(err);
    }
    await changed(id, t('operators.saved'));
  }

  // --- a row's own form: a new passphrase, to enable an operator or reset theirs ---------------------------
  const closeRowForm = () => $(list, '[data-row-form-for]')?.remove();
  function openRowForm(row, o, action) {
    closeRowForm();
    const name = action === 'enable' ? 'passphrase' : 'newPassphrase';
    const tr = document.createElement('tr');
    tr.dataset.rowFormFor = o.id;
    row.after(tr);
    render(tr, html`<td colspan="5">
      <form data-row-form data-action="${action}" novalidate autocomplete="off" aria-labelledby="row-form-title">
        <h3 class="h6" id="row-form-title">${t(`operators.${action}_title`, { name: o.name })}</h3>
        <p class="small">${t('operators.typed_by')}</p>
        ${errorsSlot}
        <div class="row">
          ${passphraseField('row', name, t('access.new_passphrase'), t('access.passphrase_rule'))}
          ${passphraseField('row', `${name}Repeat`, t('access.new_passphrase_repeat'))}
        </div>
        <div class="d-flex flex-wrap gap-2">
          <button type="submit" class="btn btn-primary btn-sm" data-row-form-submit>${t(`operators.${action}_submit`)}</button>
          <button type="button" class="btn btn-outline-secondary btn-sm" data-row-form-cancel>${t('form.cancel')}</button>
        </div>
      </form></td>`);
    const form = $(tr, '[data-row-form]');
    const cancel = () => {
      closeRowForm();
      $(row, `[data-op-action="${action}"]`)?.focus();
    };
    onSubmit(form, {
      check: (v) => mismatch(v, name),
      send: (v) =>
        action === 'enable' ? api.operatorsEnable(o.id, v.passphrase) : api.operatorsChangePassphrase(o.id, null, v.newPassphrase),
      done: () => changed(o.id, t('operators.saved')),
    });
    $(form, '[data-row-form-cancel]').addEventListener('click', cancel);
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }
    });
    form.elements[name].focus();
  }

  list.addEventListener('click', (e) => {
    const btn = e.target.closest('[data-op-action]');
    if (!btn) return;
    const row = btn.closest('[data-operator-row]');
    const o = operators.find((x) => x.id === row.dataset.operatorId);
    if (!o) return;
    const action = btn.dataset.opAction;
    if (action === 'role') act(o.id, () => api.operatorsSetRole(o.id, o.role === 'responsabile' ? 'operatore' : 'responsabile'));
    else if (action === 'disable') act(o.id, () => api.operatorsDisable(o.id));
    else openRowForm(row, o, action);
  });

  // --- adding ----------------------------------------------------------------------------------------------
  const addForm = $(root, '[data-operator-add-form]');
  onSubmit(addForm, {
    check: (v) => mismatch(v, 'passphrase'),
    send: (v) => api.operatorsAdd(v.operator, v.role, v.passphrase),
    done: async (added) => {
      addForm.elements.operator.value = '';
      await changed(added?.id ?? '', t('operators.added', { name: added?.name ?? '' }));
      addForm.elements.operator.focus();
    },
  });

  // --- idle minutes ----------------------------------------------------------------------------------------
  const idleForm = $(root, '[data-idle-form]');
  onSubmit(idleForm, {
    // Not a number at all is sent as 0, which the backend refuses with the range in its message.
    send: (v) => api.accessSetIdle(/^\d{1,3}$/.test(v.minutes) ? Number(v.minutes) : 0),
    done: (next) => {
      onState(next);
      render($(idleForm, '[data-access-status]'), html`<div class="alert alert-success py-2" role="status" data-idle-saved>
        ${t('operators.idle_saved', { n: next.session?.idleMinutes ?? '' })}</div>`);
    },
  });

  // --- a new recovery key ----------------------------------------------------------------------------------
  const slot = $(root, '[data-reissue-slot]');
  function offerReissue(focus = false) {
    render(slot, html`<p>${t('operators.recovery_intro')}</p>
      <button type="button" class="btn btn-outline-danger" data-reissue-recovery>${t('operators.reissue')}</button>`);
    $(slot, '[data-reissue-recovery]').addEventListener('click', confirmReissue);
    if (focus) $(slot, '[data-reissue-recovery]').focus();
  }
  function confirmReissue() {
    render(slot, html`<div class="alert alert-warning" data-reissue-warning>${t('operators.reissue_warning')}</div>
      <div data-reissue-error role="alert"></div>
      <div class="d-flex flex-wrap gap-2">
        <button type="button" class="btn btn-danger" data-reissue-confirm>${t('operators.reissue_confirm')}</button>
        <button type="button" class="btn btn-outline-secondary" data-reissue-cancel>${t('form.cancel')}</button>
      </div>`);
    $(slot, '[data-reissue-cancel]').addEventListener('click', () => offerReissue(true));
    const confirm = $(slot, '[data-reissue-confirm]');
    confirm.addEventListener('click', async () => {
      if (confirm.disabled) return;
      confirm.disabled = true;
      let answer;
      try {
        answer = await api.operatorsReissueRecovery();
      } catch (err) {
        render($(slot, '[data-reissue-error]'), html`<div class="alert alert-danger">${err.message}</div>`);
        confirm.disabled = false;
        return;
      }
      mountRecoveryKey(slot, answer.recoveryKey, () => {
        offerReissue(true);
        ok(t('operators.reissued'));
      });
    });
    confirm.focus();
  }
  offerReissue();

  await load();
  $(root, '[data-operators-heading]').focus();
  return {
    onKey(e) {
      if (e.key === 'Escape' && !e.defaultPrevented && !e.target.closest?.('form')) {
        e.preventDefault();
        location.hash = '#/';
      }
    },
  };
}
