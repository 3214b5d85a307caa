// The access screens: the first start (creating the first responsabile), the recovery key shown once,
// signing in, recovering access with the recovery key, the lock screen, and the forms to switch operator and
// to change one's own passphrase. Each mount gets the AccessState it starts from and `onState(state)`, to
// which it hands the AccessState a command answered: app.js decides what is mounted next. These screens show
// operators' names and never an applicant's data; a passphrase or PIN lives only in its field until sent,
// and the field is emptied after every attempt that refused it.

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t } from '../i18n.js';
import { field, readForm, malformedFields, showErrors, clearErrors } from '../forms.js';

export const errorsSlot = html`<div data-access-errors role="alert" tabindex="-1" hidden></div>`;

const names = (operators) => operators.map((o) => ({ value: o.id, text: o.name }));

/** A choice of operator; with a single name it is chosen already. */
function operatorField(prefix, operators, label) {
  return field({
    id: `${prefix}-operatorId`, name: 'operatorId', kind: 'select', label, col: 'col-12',
    options: names(operators), value: operators.length === 1 ? operators[0].id : '',
  });
}

export const secretField = (prefix, name, label, hint = '') =>
  field({ id: `${prefix}-${name}`, name, kind: 'password', label, hint, col: 'col-12' });

const pinField = (prefix, label = t('access.pin'), hint = t('access.pin_rule')) =>
  field({ id: `${prefix}-pin`, name: 'pin', kind: 'password', label, hint, col: 'col-12', attrs: html`inputmode="numeric"` });

/** The two typed passphrases agree, or an error on the first one (shown like a backend field error). */
export function mismatch(values, name) {
  if (values[name] === values[`${name}Repeat`]) return null;
  const message = t('access.passphrase_mismatch');
  return { message, fields: [{ field: name, code: 'mismatch', message }] };
}

/** Empties the password fields an error concerns (with their repeat twin), or all of them when the error
 *  names no field (a refused passphrase or PIN); returns the first one emptied. */
function emptySecrets(form, err) {
  const named = new Set((err.fields || []).map((f) => f.field));
  const hit = (el) => !named.size || named.has(el.name) || named.has(el.name.replace(/Repeat$/, ''));
  const emptied = $$(form, 'input[type="password"]').filter(hit);
  for (const el of emptied) el.value = '';
  return emptied[0];
}

/**
 * Wires a form's submit: the UI's own check (`check(values)` returns an error shaped like the backend's, or
 * null), then `send(values)`, whose answer goes to `done`. Errors appear on the form and are announced (the
 * summary is an alert); a refusal without fields puts the focus back in the emptied secret field. `busy` is
 * the note shown while the command runs. `failed(err)`, when given, takes the error instead.
 */
export function onSubmit(form, { check, send, done, busy, failed }) {
  const errors = $(form, '[data-access-errors]');
  const status = $(form, '[data-access-status]');
  const fail = (err) => {
    const first = emptySecrets(form, err);
    showErrors(form, errors, err);
    if (!err.fields?.length && first) first.focus();
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = $(form, '[type="submit"]');
    if (submit.disabled) return;
    const bad = malformedFields(form);
    const values = readForm(form);
    const problem = bad.length ? { fields: bad } : check?.(values);
    if (problem) return fail(problem);
    clearErrors(form, errors);
    submit.disabled = true;
    if (busy && status) render(status, html`<div class="alert alert-info py-2" role="status">${busy}</div>`);
    let answer;
    try {
      answer = await send(values);
    } catch (err) {
      if (failed) failed(err);
      else fail(err);
      return;
    } finally {
      submit.disabled = false;
      if (status) render(status, html``);
    }
    for (const el of $$(form, 'input[type="password"]')) el.value = '';
    done(answer, values);
  });
}

const firstField = (root) => $(root, 'input, select, textarea')?.focus();

/** What an operatore sees on a responsabile's screen (the backend would refuse its commands anyway). */
export function mountNotAllowed(root) {
  render(root, html`<div class="container py-3">
    <div class="alert alert-warning" role="alert" data-not-allowed>${t('access.not_allowed')}</div>
    <a href="#/" class="btn btn-outline-secondary" data-back>${t('nav.back_to_list')}</a>
  </div>`);
  $(root, '[data-back]').focus();
  return {
    onKey(e) {
      if (e.key === 'Escape') location.hash = '#/';
    },
  };
}

// --- first start ---------------------------------------------------------------------------------------

/** The first responsabile: name, passphrase twice, PIN; then the recovery key, once. */
export function mountSetup(root, { state, onState }) {
  const plain = state.plainRegister;
  render(root, html`<div class="container py-4 access-screen" data-setup>
    <h1 class="h3">${t('access.setup.title')}</h1>
    <p>${t('access.setup.intro')}</p>
    ${plain ? html`<div class="alert alert-info" data-setup-plain>${t('access.setup.plain')}</div>` : ''}
    <div class="alert alert-warning" data-setup-warning>
      <strong>${t('access.setup.warning_title')}</strong> ${t('access.setup.warning')}
    </div>
    <form data-setup-form novalidate autocomplete="off">
      ${errorsSlot}
      <div class="row">
        ${field({ id: 'setup-operator', name: 'operator', label: t('access.full_name'), col: 'col-12' })}
        ${secretField('setup', 'passphrase', t('access.passphrase'), t('access.passphrase_rule'))}
        ${secretField('setup', 'passphraseRepeat', t('access.passphrase_repeat'))}
        ${pinField('setup')}
      </div>
      <div data-access-status></div>
      <button type="submit" class="btn btn-primary" data-setup-submit>
        ${t(plain ? 'access.setup.submit_plain' : 'access.setup.submit')}</button>
    </form>
  </div>`);
  const form = $(root, '[data-setup-form]');
  onSubmit(form, {
    check: (v) => mismatch(v, 'passphrase'),
    busy: t(plain ? 'access.setup.working_plain' : 'access.setup.working'),
    send: (v) => api.accessSetUp(v.operator, v.passphrase, v.pin),
    done: (answer) => {
      root.dataset.screen = 'recovery-key';
      render(root, html`<div class="container py-4 access-screen">
        <h1 class="h3" id="recovery-title">${t('access.recovery.title')}</h1>
        <div data-recovery-slot></div>
      </div>`);
      mountRecoveryKey($(root, '[data-recovery-slot]'), answer.recoveryKey, () => onState(answer.state));
    },
  });
  firstField(form);
  // On a new data folder the first-start screen is the first one painted (the install test times it).
  requestAnimationFrame(() => setTimeout(() => api.appFirstPaint('setup').catch(() => {}), 0));
}

/** "ABCD EFGH…", "abcd-efgh…" or "ABCDEFGH…" → ["ABCD", "EFGH", …], as the sheet prints it. */
function keyGroups(key) {
  const parts = String(key).trim().split(/[\s-]+/).filter(Boolean);
  if (parts.length > 1) return parts;
  return String(key).toUpperCase().match(/.{1,4}/g) || [];
}

/**
 * The recovery key just issued, shown once under the caller's heading: large, in groups; its sheet printed
 * or opened; the operator confirms it is printed and sealed, then `access_recovery_done` forgets it and
 * `onDone()` goes on.
 */
export function mountRecoveryKey(root, key, onDone) {
  render(root, html`<div data-recovery-key-screen>
    <p>${t('access.recovery.intro')}</p>
    <p class="fw-semibold mb-1">${t('access.recovery.key_label')}</p>
    <p class="recovery-key font-monospace border rounded p-3" data-recovery-key>
      ${keyGroups(key).map((g) => html`<span>${g}</span> `)}</p>
    <div class="alert alert-warning" data-recovery-once>${t('access.recovery.once')}</div>
    <div class="d-flex flex-wrap gap-2 mb-3">
      <button type="button" class="btn btn-primary" data-recovery-print>${t('access.recovery.print')}</button>
      <button type="button" class="btn btn-outline-primary" data-recovery-open>${t('access.recovery.open')}</button>
    </div>
    <div data-recovery-status aria-live="polite"></div>
    <form data-recovery-form novalidate>
      ${errorsSlot}
      <div class="form-check mb-3" data-field="confirm">
        <input class="form-check-input" type="checkbox" id="recovery-confirm" name="confirm" data-recovery-confirm>
        <label class="form-check-label" for="recovery-confirm">${t('access.recovery.confirm')}</label>
        <div class="invalid-feedback" id="recovery-confirm-error" data-error-for="confirm"></div>
      </div>
      <button type="submit" class="btn btn-primary" data-recovery-continue>${t('access.recovery.continue')}</button>
    </form>
  </div>`);
  const status = $(root, '[data-recovery-status]');
  const sheet = async (action) => {
    render(status, html``);
    try {
      const r = await api.accessRecoverySheet(action);
      if (action === 'print' && r?.printed) {
        render(status, html`<div class="alert alert-success" role="status" data-recovery-printed>${t('access.recovery.printed')}</div>`);
      } else if (action === 'print') {
        render(status, html`<div class="alert alert-warning" role="alert" data-recovery-no-printer>
          <p class="mb-1">${t('access.recovery.no_printer')}</p>${r?.reason ? html`<p class="small mb-0">${r.reason}</p>` : ''}</div>`);
      }
    } catch (err) {
      render(status, html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
    }
  };
  $(root, '[data-recovery-print]').addEventListener('click', () => sheet('print'));
  $(root, '[data-recovery-open]').addEventListener('click', () => sheet('open'));
  const form = $(root, '[data-recovery-form]');
  const errors = $(form, '[data-access-errors]');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.elements.confirm.checked) {
      const message = t('access.recovery.confirm_needed');
      return void showErrors(form, errors, { message, fields: [{ field: 'confirm', code: 'required', message }] });
    }
    clearErrors(form, errors);
    try {
      await api.accessRecoveryDone();
    } catch (err) {
      // A locked or closed session: app.js has been told and shows the lock or the sign-in.
      if (err.kind === 'access') return;
      // Otherwise the key stays pending in the backend until the session ends; nothing to do here.
    }
    onDone();
  });
  $(root, '[data-recovery-print]').focus();
}

// --- signing in ----------------------------------------------------------------------------------------

/** Sign-in: one's name, passphrase, and the PIN chosen for this session; the way to the recovery form. */
export function mountSignIn(root, { state, onState }) {
  render(root, html`<div class="container py-4 access-screen" data-signin>
    <h1 class="h3">${t('access.signin.title')}</h1>
    <form data-signin-form novalidate autocomplete="off">
      ${errorsSlot}
      <div class="row">
        ${operatorField('signin', state.operators, t('access.your_name'))}
        ${secretField('signin', 'passphrase', t('access.passphrase'))}
        ${pinField('signin')}
      </div>
      <button type="submit" class="btn btn-primary" data-signin-submit>${t('access.signin.submit')}</button>
    </form>
    <p class="mt-4 mb-0">
      <button type="button" class="btn btn-link p-0 text-start" data-recover-link>${t('access.signin.forgot')}</button>
    </p>
  </div>`);
  const form = $(root, '[data-signin-form]');
  onSubmit(form, {
    send: (v) => api.accessSignIn(v.operatorId, v.passphrase, v.pin),
    done: onState,
  });
  $(root, '[data-recover-link]').addEventListener('click', () => {
    root.dataset.screen = 'recover';
    mountRecover(root, { state, onState });
  });
  firstField(form);
  // The launch benchmark's signal: at start-up the sign-in screen is what the operator sees first.
  requestAnimationFrame(() => setTimeout(() => api.appFirstPaint('signin').catch(() => {}), 0));
}

/** Access with the recovery key: the key, a responsabile, their new passphrase twice, a PIN. */
export function mountRecover(root, { state, onState }) {
  const back = () => {
    root.dataset.screen = 'signin';
    mountSignIn(root, { state, onState });
  };
  render(root, html`<div class="container py-4 access-screen" data-recover>
    <h1 class="h3">${t('access.recover.title')}</h1>
    <p>${t('access.recover.intro')}</p>
    <form data-recover-form novalidate autocomplete="off">
      ${errorsSlot}
      <div class="row">
        ${field({
          id: 'recover-recoveryKey', name: 'recoveryKey', label: t('access.recover.key'), hint: t('access.recover.key_hint'),
          col: 'col-12', attrs: html`spellcheck="false" autocapitalize="characters"`,
        })}
        ${operatorField('recover', state.operators, t('access.recover.who'))}
        ${secretField('recover', 'newPassphrase', t('access.new_passphrase'), t('access.passphrase_rule'))}
        ${secretField('recover', 'newPassphraseRepeat', t('access.new_passphrase_repeat'))}
        ${pinField('recover')}
      </div>
      <div class="d-flex flex-wrap gap-2">
        <button type="submit" class="btn btn-primary" data-recover-submit>${t('access.recover.submit')}</button>
        <button type="button" class="btn btn-outline-secondary" data-signin-link>${t('access.recover.back')}</button>
      </div>
    </form>
  </div>`);
  const form = $(root, '[data-recover-form]');
  onSubmit(form, {
    check: (v) => mismatch(v, 'newPassphrase'),
    send: (v) => api.accessRecover(v.recoveryKey, v.operatorId, v.newPassphrase, v.pin),
    done: (next) => {
      // The recovery key is not a password field: it goes from the screen too.
      form.elements.recoveryKey.value = '';
      onState(next);
    },
  });
  $(root, '[data-signin-link]').addEventListener('click', back);
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      back();
    }
  });
  firstField(form);
}

// --- the lock ------------------------------------------------------------------------------------------

/**
 * The lock screen: whose session it is, the PIN (or, after five wrong PINs, the passphrase) that unlocks it,
 * another operator taking the desk, signing out. `error` is the refusal that made it mount again.
 */
export function mountLock(root, { state, onState, error }) {
  const s = state.session;
  const byPin = s.pinTriesLeft > 0;
  render(root, html`<div class="container py-5 access-screen" data-lock-screen>
    <h1 class="h3">${t('access.lock.title')}</h1>
    <p>${t('access.lock.owner')} <strong data-lock-owner>${s.operator.name}</strong></p>
    <form data-unlock-form data-unlock="${byPin ? 'pin' : 'passphrase'}" novalidate autocomplete="off">
      ${errorsSlot}
      ${byPin ? '' : html`<div class="alert alert-warning" data-pin-exhausted>${t('access.lock.pin_exhausted')}</div>`}
      <div class="row">
        ${byPin
          ? pinField('unlock', t('access.lock.pin'), s.pinTriesLeft < 5 ? t('access.lock.tries', { n: s.pinTriesLeft }) : '')
          : secretField('unlock', 'passphrase', t('access.passphrase'))}
      </div>
      <button type="submit" class="btn btn-primary" data-unlock-submit>${t('access.lock.unlock')}</button>
    </form>
    <div class="d-flex flex-wrap gap-2 mt-4">
      <button type="button" class="btn btn-outline-primary" data-lock-switch>${t('access.lock.another')}</button>
      <button type="button" class="btn btn-outline-secondary" data-lock-sign-out>${t('access.sign_out')}</button>
    </div>
    <div class="mt-4" data-lock-switch-slot></div>
  </div>`);
  const form = $(root, '[data-unlock-form]');
  const errors = $(form, '[data-access-errors]');
  onSubmit(form, {
    send: (v) => (byPin ? api.accessUnlockPin(v.pin) : api.accessUnlockPassphrase(v.passphrase)),
    done: onState,
    // A wrong PIN changes the tries left (and the fifth one the field): mount again on the new state.
    failed: async (err) => {
      const next = await api.accessState().catch(() => null);
      if (next?.session?.locked) mountLock(root, { state: next, onState, error: err });
      else if (next) onState(next);
      else mountLock(root, { state, onState, error: err });
    },
  });
  $(root, '[data-lock-sign-out]').addEventListener('click', async () => {
    try {
      onState(await api.accessSignOut());
    } catch (err) {
      showErrors(form, errors, err);
    }
  });
  const slot = $(root, '[data-lock-switch-slot]');
  $(root, '[data-lock-switch]').addEventListener('click', () => {
    mountSwitch(slot, {
      state, onState,
      onCancel: () => {
        render(slot, html``);
        $(root, '[data-lock-switch]').focus();
      },
    });
  });
  if (error) showErrors(form, errors, error);
  firstField(form);
}

// --- forms inside the desk (a dialog) or the lock screen ------------------------------------------------

/** Another operator takes the desk: their name, passphrase and PIN. `onCancel` closes the form. */
export function mountSwitch(root, { state, onState, onCancel }) {
  const others = state.operators.filter((o) => o.id !== state.session?.operator.id);
  render(root, html`<form data-switch-form novalidate autocomplete="off" aria-labelledby="switch-title">
    <h2 class="h4" id="switch-title">${t('access.switch.title')}</h2>
    ${errorsSlot}
    ${others.length
      ? html`<div class="row">
          ${operatorField('switch', others, t('access.switch.who'))}
          ${secretField('switch', 'passphrase', t('access.passphrase'))}
          ${pinField('switch')}
        </div>`
      : html`<p data-switch-none>${t('access.switch.none')}</p>`}
    <div class="d-flex flex-wrap gap-2">
      ${others.length ? html`<button type="submit" class="btn btn-primary" data-switch-submit>${t('access.switch.submit')}</button>` : ''}
      <button type="button" class="btn btn-outline-secondary" data-switch-cancel>${t('form.cancel')}</button>
    </div>
  </form>`);
  const form = $(root, '[data-switch-form]');
  onSubmit(form, { send: (v) => api.accessSwitch(v.operatorId, v.passphrase, v.pin), done: onState });
  $(form, '[data-switch-cancel]').addEventListener('click', onCancel);
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    }
  });
  ($(form, 'select, input') || $(form, '[data-switch-cancel]')).focus();
}

/** The signed-in operator changes their own passphrase: the current one, the new one twice. */
export function mountChangePassphrase(root, { operatorId, onClose }) {
  render(root, html`<form data-change-passphrase-form novalidate autocomplete="off" aria-labelledby="change-passphrase-title">
    <h2 class="h4" id="change-passphrase-title">${t('access.change.title')}</h2>
    ${errorsSlot}
    <div class="row">
      ${secretField('change', 'current', t('access.current_passphrase'))}
      ${secretField('change', 'newPassphrase', t('access.new_passphrase'), t('access.passphrase_rule'))}
      ${secretField('change', 'newPassphraseRepeat', t('access.new_passphrase_repeat'))}
    </div>
    <div class="d-flex flex-wrap gap-2">
      <button type="submit" class="btn btn-primary" data-change-passphrase-submit>${t('access.change.submit')}</button>
      <button type="button" class="btn btn-outline-secondary" data-change-passphrase-cancel>${t('form.cancel')}</button>
    </div>
  </form>`);
  const form = $(root, '[data-change-passphrase-form]');
  onSubmit(form, {
    check: (v) => mismatch(v, 'newPassphrase'),
    send: (v) => api.operatorsChangePassphrase(operatorId, v.current, v.newPassphrase),
    done: () => {
      render(root, html`<div class="alert alert-success" role="status" data-passphrase-changed>${t('access.change.done')}</div>
        <button type="button" class="btn btn-primary" data-change-passphrase-close>${t('access.change.close')}</button>`);
      $(root, '[data-change-passphrase-close]').addEventListener('click', onClose);
      $(root, '[data-change-passphrase-close]').focus();
    },
  });
  $(form, '[data-change-passphrase-cancel]').addEventListener('click', onClose);
  firstField(form);
}
