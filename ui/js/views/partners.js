// The partner directory (#/partners, from the header menu; issue 16): every operator reads it (name, needs,
// address, hours, contacts, languages, what to bring, how to book, how to get there, the source and whether
// it is confirmed); a responsabile adds and changes partners, retires one (never deletes: its referrals keep
// it) or puts it back, exports the directory as a partner file and imports one, and sets how long an open
// referral waits before the agenda lists it. Keyboard: N a new partner, E edits the focused row, ↑/↓ move
// between rows, Esc closes the form. Validation, the role rule and the audit entries are the backend's; the
// list is read again after each change.

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t } from '../i18n.js';
import * as ref from '../reference.js';
import { field, readForm, showErrors, readChecked } from '../forms.js';
import { needs, needLabel, forgetNeeds } from './referrals.js';

const FIELDS = ['name', 'address', 'hours', 'phone', 'email', 'bring', 'booking', 'directions', 'source', 'readOn'];

function formHtml(n, p) {
  const d = p || { needs: [], languages: [], verify: true };
  const f = (name, opts = {}) =>
    field({ name: `partner.${name}`, label: t(`partners.field.${name}`), value: d[name] ?? '', col: 'col-md-6', ...opts });
  return html`<form class="border rounded p-3 mb-3" data-partner-form="${p ? p.id : 'new'}" novalidate>
    <h2 class="h5" id="partner-form-title">${p ? t('partners.edit_title', { name: p.name }) : t('partners.new_title')}</h2>
    <div data-partner-errors role="alert" tabindex="-1" hidden></div>
    <div class="row">
      ${f('name', { col: 'col-12' })}
      <fieldset class="col-md-6 mb-3" data-field="partner.needs">
        <legend class="form-label fs-6">${t('partners.field.needs')}</legend>
        ${n.needs.map((x) => html`<div class="form-check form-check-inline">
          <input class="form-check-input" type="checkbox" id="pn-${x.code}" value="${x.code}" data-partner-need
            ${d.needs.includes(x.code) ? html`checked` : ''}>
          <label class="form-check-label" for="pn-${x.code}">${needLabel(n.needs, x.code)}</label></div>`)}
        <div class="invalid-feedback" data-error-for="partner.needs"></div>
      </fieldset>
      ${f('languages', {
        value: d.languages.join(' '),
        hint: t('partners.languages_hint', { codes: ref.table('languages').map((i) => ref.codeOf(i)).join(' ') }),
      })}
      ${f('address')}${f('hours')}${f('phone')}${f('email')}
      ${f('bring', { kind: 'textarea' })}${f('booking', { kind: 'textarea' })}
      ${f('directions', { kind: 'textarea' })}${f('notes', { kind: 'textarea' })}
      ${f('source')}${f('readOn', { hint: t('partners.read_on_hint') })}
    </div>
    <div class="form-check mb-3">
      <input class="form-check-input" type="checkbox" id="partner-verify" data-partner-verify ${d.verify ? html`checked` : ''}>
      <label class="form-check-label" for="partner-verify">${t('partners.field.verify')}</label>
    </div>
    <div class="d-flex gap-2">
      <button type="submit" class="btn btn-primary" data-partner-save>${t('partners.save')}</button>
      <button type="button" class="btn btn-outline-secondary" data-partner-cancel>${t('form.cancel')}</button>
    </div>
  </form>`;
}

function rowHtml(p, n, boss) {
  const contacts = [p.phone, p.email].filter(Boolean).join(' · ');
  return html`<tr tabindex="0" data-partner-row="${p.id}" ${p.retiredOn ? html`data-retired class="text-muted"` : ''}>
    <th scope="row">${p.name}
      ${p.verify ? html`<span class="badge bg-warning text-white ms-1">${t('referral.verify')}</span>` : ''}
      ${p.retiredOn ? html`<span class="badge bg-secondary ms-1">${t('partners.retired')}</span>` : ''}</th>
    <td data-label="${t('partners.field.needs')}">${p.needs.map((c) => needLabel(n.needs, c)).join(', ')}</td>
    <td data-label="${t('partners.field.address')}">${p.address || '—'}<small class="d-block">${p.hours}</small></td>
    <td data-label="${t('partners.contacts')}">${contacts || '—'}</td>
    <td data-label="${t('partners.field.languages')}">${p.languages.join(' ')}</td>
    <td class="small" data-label="${t('partners.field.source')}">${p.source ? html`<span class="text-break">${p.source}</span> (${p.readOn})` : t('partners.no_source')}</td>
    ${boss
      ? html`<td class="no-print text-nowrap">
          <button type="button" class="btn btn-outline-primary btn-sm" data-partner-edit tabindex="-1">${t('partners.edit')}</button>
          <button type="button" class="btn btn-outline-secondary btn-sm" data-partner-retire="${p.retiredOn ? 'back' : 'retire'}"
            tabindex="-1">${t(p.retiredOn ? 'partners.reinstate' : 'partners.retire')}</button>
        </td>`
      : ''}
  </tr>`;
}

export async function mount(root, params) {
  const boss = params.access?.session?.operator.role === 'responsabile';
  let n;
  let list;
  try {
    forgetNeeds();
    [n, list] = await Promise.all([needs(), api.partnersList(true)]);
  } catch (err) {
    render(root, html`<div class="container py-3"><div class="alert alert-danger" role="alert">${err.message}</div></div>`);
    return {};
  }
  const shown = params.retired ? list : list.filter((p) => !p.retiredOn);
  render(root, html`<div class="container py-3" data-partners>
    <h1 class="h3" tabindex="-1" data-partners-heading>${t('partners.title')}</h1>
    <p class="text-muted">${t(boss ? 'partners.intro_boss' : 'partners.intro')}</p>
    <div data-partners-notice role="status">${params.notice ? html`<div class="alert alert-success" data-partners-done>${params.notice}</div>` : ''}</div>
    <div class="d-flex flex-wrap gap-2 mb-3 no-print">
      ${boss ? html`<button type="button" class="btn btn-primary btn-sm" data-partner-new title="${t('partners.new_hint')}">${t('partners.new')}</button>
        <button type="button" class="btn btn-outline-primary btn-sm" data-partners-export>${t('partners.export')}</button>
        <button type="button" class="btn btn-outline-primary btn-sm" data-partners-import>${t('partners.import')}</button>` : ''}
      <div class="form-check ms-2 align-self-center">
        <input class="form-check-input" type="checkbox" id="partners-retired" data-partners-retired ${params.retired ? html`checked` : ''}>
        <label class="form-check-label" for="partners-retired">${t('partners.show_retired')}</label>
      </div>
    </div>
    <div data-partner-form-slot></div>
    <div class="table-responsive"><table class="table table-sm table-hover align-middle table-reflow" data-partners-table>
      <caption>${t('partners.caption', { n: shown.length })}</caption>
      <thead><tr><th scope="col">${t('partners.field.name')}</th><th scope="col">${t('partners.field.needs')}</th>
        <th scope="col">${t('partners.field.address')}</th><th scope="col">${t('partners.contacts')}</th>
        <th scope="col">${t('partners.field.languages')}</th><th scope="col">${t('partners.field.source')}</th>
        ${boss ? html`<th scope="col"><span class="visually-hidden">${t('partners.actions')}</span></th>` : ''}</tr></thead>
      <tbody>${shown.map((p) => rowHtml(p, n, boss))}</tbody>
    </table></div>
    ${boss ? html`<form class="row g-2 border rounded p-3 no-print" data-open-days-form novalidate>
      ${field({ name: 'referral.openDays', label: t('partners.open_days', { min: n.followUp.minDays, max: n.followUp.maxDays }),
        value: String(n.openDays), col: 'col-md-6' })}
      <div class="col-md-4 d-flex align-items-end mb-3">
        <button type="submit" class="btn btn-outline-primary" data-open-days-save>${t('partners.open_days_save')}</button></div>
      <div class="col-12" data-open-days-errors hidden tabindex="-1"></div>
    </form>` : html`<p class="small text-muted">${t('partners.open_days_read', { n: n.openDays })}</p>`}
  </div>`);
  const again = (extra = {}) => mount(root, { ...params, notice: null, ...extra });
  const slot = $(root, '[data-partner-form-slot]');
  const byId = (id) => list.find((p) => p.id === id);

  function openForm(p) {
    render(slot, formHtml(n, p));
    const form = $(slot, '[data-partner-form]');
    $(form, '[data-partner-cancel]').addEventListener('click', () => render(slot, html``));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const errors = $(form, '[data-partner-errors]');
      const x = readChecked(form, errors);
      if (!x) return;
      const input = Object.fromEntries(FIELDS.map((k) => [k, x[`partner.${k}`] ?? '']));
      input.notes = x['partner.notes'] ?? '';
      input.uid = p ? p.uid : '';
      input.needs = $$(form, '[data-partner-need]:checked').map((el) => el.value);
      input.languages = (x['partner.languages'] || '').split(/[\s,]+/).filter(Boolean);
      input.verify = $(form, '[data-partner-verify]').checked;
      try {
        const saved = p ? await api.partnersUpdate(p.id, input) : await api.partnersAdd(input);
        await again({ notice: t('partners.saved', { name: saved.name }) });
      } catch (err) {
        showErrors(form, errors, err);
      }
    });
    $(form, '[name="partner.name"]').focus();
  }

  $(root, '[data-partner-new]')?.addEventListener('click', () => openForm(null));
  $(root, '[data-partners-retired]').addEventListener('change', (e) => again({ retired: e.target.checked }));
  $(root, '[data-partners-export]')?.addEventListener('click', async () => {
    try {
      const done = await api.partnersExport();
      if (done) await again({ notice: t('partners.exported', { path: done.path }) });
    } catch (err) {
      render($(root, '[data-partners-notice]'), html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
    }
  });
  $(root, '[data-partners-import]')?.addEventListener('click', async () => {
    try {
      const done = await api.partnersImport();
      if (done) await again({ notice: t('partners.imported', done) });
    } catch (err) {
      const fields = (err.fields || []).map((f) => html`<li>${f.message}</li>`);
      render($(root, '[data-partners-notice]'), html`<div class="alert alert-danger" role="alert" data-import-error>
        <p class="mb-0">${err.message}</p>${fields.length ? html`<ul class="mb-0">${fields}</ul>` : ''}</div>`);
    }
  });
  for (const tr of $$(root, '[data-partner-row]')) {
    const p = byId(Number(tr.dataset.partnerRow));
    $(tr, '[data-partner-edit]')?.addEventListener('click', () => openForm(p));
    $(tr, '[data-partner-retire]')?.addEventListener('click', async (e) => {
      try {
        await api.partnersRetire(p.id, e.currentTarget.dataset.partnerRetire === 'retire');
        await again();
      } catch (err) {
        render($(root, '[data-partners-notice]'), html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
      }
    });
  }
  const daysForm = $(root, '[data-open-days-form]');
  daysForm?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const raw = readForm(daysForm)['referral.openDays'];
    const days = raw === '' ? null : Number(raw);
    try {
      await api.referralsSetOpenDays(Number.isInteger(days) ? days : days === null ? null : 0);
      forgetNeeds();
      await again({ notice: t('partners.open_days_saved') });
    } catch (err) {
      showErrors(daysForm, $(daysForm, '[data-open-days-errors]'), err);
    }
  });
  $(root, '[data-partners-heading]').focus();

  return {
    onKey(e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const inForm = e.target.closest?.('form');
      if (e.key === 'Escape' && $(slot, '[data-partner-form]')) {
        e.preventDefault();
        render(slot, html``);
        $(root, '[data-partners-heading]').focus();
        return;
      }
      if (inForm) return;
      const rows = $$(root, '[data-partner-row]');
      const tr = e.target.closest?.('[data-partner-row]');
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (!rows.length) return;
        e.preventDefault();
        const i = tr ? rows.indexOf(tr) : -1;
        rows[i < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)))].focus();
      } else if (boss && (e.key === 'n' || e.key === 'N')) {
        e.preventDefault();
        openForm(null);
      } else if (boss && tr && (e.key === 'e' || e.key === 'E')) {
        e.preventDefault();
        openForm(byId(Number(tr.dataset.partnerRow)));
      }
    },
  };
}
