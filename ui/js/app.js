// Boot, access, header, router and global keyboard shortcuts. It owns what is mounted: from the AccessState
// (`access_state`), the startup-error page, the missing-keys page, the first start, the sign-in or the lock
// screen; with an open session, the screen of location.hash. It locks the desk (idle timer, Ctrl+Shift+L, or
// the backend refusing a command because it locked first), which unmounts the screen so that no applicant's
// data is left in the page, and brings the operator back to the same route after unlocking. It also owns the
// header (who is signed in, lock, switch, sign out, language) and the shortcuts help. It must not render a
// screen's content (views/*.js do) nor call window.__TAURI__ (api.js does).

import * as api from './api.js';
import { html, mount as render, $ } from './dom.js';
import { t, useStrings, translate, currentLocale } from './i18n.js';
import { loadReference } from './reference.js';
import { startIdle, stopIdle, setIdleMinutes, idleRunning } from './idle.js';
import * as access from './views/access.js';
import * as agenda from './views/agenda.js';
import * as casesList from './views/cases-list.js';
import * as caseForm from './views/case-form.js';
import * as caseDetail from './views/case-detail.js';
import * as usb from './views/usb.js';
import * as operators from './views/operators.js';
import * as audit from './views/audit.js';
import * as retention from './views/retention.js';
import * as catalogue from './views/catalogue.js';
import * as content from './views/content.js';
import * as reports from './views/reports.js';
import { openDeskContact } from './views/desk-contact.js';
import * as partners from './views/partners.js';
import { openReferral } from './views/referrals.js';

// #/agenda  the desk's agenda (the first screen after sign-in) · #/  list · #/new  new case · #/case/12  detail · #/case/12/edit · #/case/12/renew · #/usb · #/usb/12,15 (export)
// #/operators · #/audit · #/retention · #/catalogue · #/reports  (a responsabile's) · #/content (about and content packs:
// any operator reads it, a responsabile applies and restores)
const ROUTES = [
  [/^#?\/?$/, () => ['list', casesList, {}]],
  [/^#\/agenda$/, () => ['agenda', agenda, {}]],
  [/^#\/new$/, () => ['form', caseForm, { mode: 'new' }]],
  [/^#\/case\/(\d+)$/, (m) => ['detail', caseDetail, { id: Number(m[1]) }]],
  [/^#\/case\/(\d+)\/(edit|renew)$/, (m) => ['form', caseForm, { mode: m[2], id: Number(m[1]) }]],
  [/^#\/usb(?:\/(\d+(?:,\d+)*))?$/, (m) => ['usb', usb, { caseIds: m[1] ? m[1].split(',').map(Number) : [] }]],
  [/^#\/operators$/, () => ['operators', operators, {}]],
  [/^#\/audit$/, () => ['audit', audit, {}]],
  [/^#\/retention$/, () => ['retention', retention, {}]],
  [/^#\/catalogue$/, () => ['catalogue', catalogue, {}]],
  [/^#\/content$/, () => ['content', content, {}]],
  [/^#\/reports$/, () => ['reports', reports, {}]],
  [/^#\/partners$/, () => ['partners', partners, {}]],
];

const header = document.querySelector('[data-app-header]');
const main = document.querySelector('[data-main]');
const dialog = document.querySelector('[data-shortcuts-dialog]');
const accessDialog = document.querySelector('[data-access-dialog]');
const menu = document.querySelector('[data-operator-menu]');
let current = { name: '', ctrl: {} };
let navToken = 0;
let info = null;
let state = null; // the last AccessState
let mode = ''; // startup | keys | setup | signin | lock | desk
let held = null; // across a lock: { hash, operatorId, snapshot } of the screen it unmounted
let referenceLocale = null;

async function route(extra = {}) {
  const hash = location.hash || '#/';
  const hit = ROUTES.find(([re]) => re.test(hash));
  if (!hit) return void location.replace('#/');
  const [name, view, params] = hit[1](hash.match(hit[0]));
  // A fresh container per navigation: a slow screen that resolves late renders into a detached element.
  const screen = document.createElement('div');
  screen.dataset.screen = name;
  main.replaceChildren(screen);
  const token = ++navToken;
  current = { name, ctrl: {} };
  const ctrl = await view.mount(screen, { ...params, access: state, onState: apply, ...extra });
  if (token !== navToken) return;
  current.ctrl = ctrl || {};
  // The window's title names the screen (read by screen readers and the task bar): the screen's heading, or
  // its data-document-title where the heading holds an applicant's name.
  const h1 = screen.querySelector('h1');
  const label = h1?.dataset.documentTitle || h1?.textContent.replace(/\s+/g, ' ').trim();
  document.title = label ? `${label} · ${t('app.name')}` : t('app.name');
}

// --- access --------------------------------------------------------------------------------------------

function modeOf(s) {
  if (s.startupError) return 'startup';
  if (s.keysMissing) return 'keys';
  if (s.needsSetup) return 'setup';
  if (!s.session) return 'signin';
  return s.session.locked ? 'lock' : 'desk';
}

/** Takes an AccessState and mounts what it calls for; the same state of access again changes nothing
 *  (a form being typed into stays), except that the header follows the session. */
async function apply(next) {
  const before = state?.session?.operator.id;
  state = next;
  const to = modeOf(next);
  const from = mode;
  if (to === from) {
    if (to !== 'desk') return;
    deskChanged();
    // Another operator took the desk: the screen again for them (a responsabile's screen checks the role),
    // with what was typed in it.
    if (next.session.operator.id !== before) await route(current.ctrl.snapshot?.() || {});
    return;
  }
  mode = to;
  if (from === 'desk') leaveDesk(to === 'lock');
  if (to !== 'desk' && to !== 'lock') {
    // The session is over: the next operator starts from the list, and nothing of this one is kept.
    held = null;
    history.replaceState(null, '', '#/');
  }
  if (to !== 'desk') {
    stopIdle();
    document.title = t(to === 'lock' ? 'access.lock.title_document' : 'app.name');
  }
  switch (to) {
    case 'startup':
      return showStartupError(next.startupError);
    case 'keys':
      return showStartupError({ kind: 'keys_missing', message: t('access.keys_missing') }, t('access.keys_missing_title'));
    case 'setup':
      return showAccess('setup', access.mountSetup);
    case 'signin':
      return showAccess('signin', access.mountSignIn);
    case 'lock':
      return showAccess('lock', access.mountLock);
    default:
      return enterDesk();
  }
}

function showAccess(name, mountView) {
  header.hidden = true;
  const screen = document.createElement('div');
  screen.dataset.screen = name;
  main.replaceChildren(screen);
  navToken++;
  current = { name, ctrl: mountView(screen, { state, onState: apply }) || {} };
}

/**
 * Unmounts everything a signed-in operator had on screen: the route's screen (a view still loading renders
 * into a detached element), open dialogs and menus, the header's name. On a lock the route, who was on it
 * and the screen's snapshot (an unsaved form, kept in memory only) are held for the unlock.
 */
function leaveDesk(locking) {
  held = locking
    ? { hash: location.hash, operatorId: state.session?.operator.id, snapshot: current.ctrl.snapshot?.() }
    : null;
  navToken++;
  current = { name: '', ctrl: {} };
  main.replaceChildren();
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  render(dialog, html``);
  render(accessDialog, html``);
  menu.open = false;
  header.hidden = true;
  $(header, '[data-operator-name]').textContent = '';
  const box = document.querySelector('[data-global-error]');
  box.hidden = true;
  render(box, html``);
  stopIdle();
}

async function enterDesk() {
  try {
    // The language is the register's: it may be known only now that it is open.
    info = await api.appInfo();
    if (info.locale && info.locale !== currentLocale()) {
      await loadStrings(info.locale);
      translate(document);
    }
    if (referenceLocale !== currentLocale()) {
      await loadReference();
      referenceLocale = currentLocale();
    }
  } catch (err) {
    if (err.kind === 'access') return; // locked again meanwhile: the lock screen is on its way
    mode = 'startup';
    return showStartupError(err);
  }
  if (mode !== 'desk') return;
  document.title = t('app.name');
  header.hidden = false;
  deskChanged();
  checkBackup();
  const back = held;
  held = null;
  // A session that starts (not one unlocked) opens on the day's agenda.
  if (!back) history.replaceState(null, '', '#/agenda');
  // The same operator finds their unsaved form again; another one only the same route.
  await route(back && back.operatorId === state.session.operator.id ? back.snapshot || {} : {});
}

/** The header and the idle watch follow the session (another operator, another role, new idle minutes). */
function deskChanged() {
  showOperator();
  // The backend's idle time in seconds (shorter than the setting's minutes only in the end-to-end tests).
  const minutes = (state.session.idleSeconds ?? state.session.idleMinutes * 60) / 60;
  if (idleRunning()) setIdleMinutes(minutes);
  else startIdle({ minutes, onIdle: lockNow, onBeat: () => api.accessActivity().catch(() => {}) });
}

/** Locks at once: the screen is cleared before the backend answers (or if it never does). */
async function lockNow() {
  if (mode !== 'desk') return;
  const locked = { ...state, session: { ...state.session, locked: true } };
  await apply(locked);
  let next = await api.accessLock().catch(() => null);
  next ??= await api.accessState().catch(() => null);
  if (next && modeOf(next) !== 'desk') apply(next);
}

let checking = null;
/**
 * A command was refused for access reasons: ask the backend how things stand and follow it, to the lock or
 * the sign-in. It never opens the desk by itself (an access screen that got a refusal stays as it is).
 */
function recheck() {
  checking ??= api
    .accessState()
    .then((next) => {
      if (mode === 'desk' || modeOf(next) !== 'desk') return apply(next);
    })
    .catch(() => {})
    .finally(() => {
      checking = null;
    });
  return checking;
}

// --- header --------------------------------------------------------------------------------------------

function showOperator() {
  const op = state?.session?.operator;
  $(header, '[data-operator-name]').textContent = op?.name || '';
  $(header, '[data-operator-role]').textContent = op ? t(`role.${op.role}`) : '';
  const boss = op?.role === 'responsabile';
  for (const el of header.querySelectorAll('[data-responsabile-only]')) el.hidden = !boss;
  for (const b of header.querySelectorAll('[data-locale]')) {
    b.setAttribute('aria-pressed', String(b.dataset.locale === info.locale));
    b.classList.toggle('active', b.dataset.locale === info.locale);
  }
}

/** The switch and change-passphrase forms, in a modal dialog over the current screen. */
function openAccessDialog(which) {
  if (mode !== 'desk' || accessDialog.open) return;
  menu.open = false;
  const body = document.createElement('div');
  body.className = 'p-4';
  accessDialog.replaceChildren(body);
  const close = () => accessDialog.close();
  accessDialog.showModal();
  if (which === 'switch') {
    accessDialog.setAttribute('aria-labelledby', 'switch-title');
    access.mountSwitch(body, {
      state,
      onState: (next) => {
        close();
        apply(next);
      },
      onCancel: close,
    });
  } else {
    accessDialog.setAttribute('aria-labelledby', 'change-passphrase-title');
    access.mountChangePassphrase(body, { operatorId: state.session.operator.id, onClose: close });
  }
}

async function signOut() {
  try {
    apply(await api.accessSignOut());
  } catch (err) {
    showGlobalError(err);
  }
}

function showGlobalError(err) {
  const box = document.querySelector('[data-global-error]');
  render(box, html`<div class="alert alert-danger m-0 rounded-0">${err.message}</div>`);
  box.hidden = false;
}

function wireHeader() {
  for (const b of header.querySelectorAll('[data-locale]')) {
    b.addEventListener('click', () => switchLocale(b.dataset.locale));
  }
  $(header, '[data-shortcuts-open]').addEventListener('click', openShortcuts);
  $(header, '[data-lock]').addEventListener('click', lockNow);
  $(header, '[data-switch-operator]').addEventListener('click', () => openAccessDialog('switch'));
  $(header, '[data-sign-out]').addEventListener('click', signOut);
  $(header, '[data-change-passphrase]').addEventListener('click', () => openAccessDialog('passphrase'));
  // An anonymous walk-in (no case): recorded from anywhere on the desk, the screen stays as it is.
  $(header, '[data-walk-in]').addEventListener('click', () => {
    menu.open = false;
    if (mode === 'desk') openDeskContact({ caseId: null, onSaved: () => flashWalkIn() });
  });
  // A walk-in referred to a partner (no case): the slip printed from the dialog, the screen stays as it is.
  $(header, '[data-walk-in-referral]').addEventListener('click', () => {
    menu.open = false;
    if (mode === 'desk') openReferral({ caseId: null, onSaved: () => flashWalkIn('referral.walk_in_saved') });
  });
  // The operator's menu (a <details>): an item chosen, a click elsewhere or Esc closes it.
  menu.addEventListener('click', (e) => {
    if (e.target.closest('a, button')) menu.open = false;
  });
  document.addEventListener('click', (e) => {
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
  menu.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menu.open) {
      e.preventDefault();
      e.stopPropagation();
      menu.open = false;
      $(menu, 'summary').focus();
    }
  });
  // The USB screen reports every backup status it reads; a restore brings another register, with its own
  // operators and language: the backend says who may go on.
  document.addEventListener('mixite:backup-status', (e) => showBackupDue(e.detail));
  document.addEventListener('mixite:restored', () => {
    api.accessState().then(apply).catch(() => {});
  });
}

/** The header's reminder: shown while the last backup is older than the configured days (or missing). */
function showBackupDue(status) {
  const badge = $(header, '[data-backup-badge]');
  badge.hidden = !status?.due;
}

async function checkBackup() {
  try {
    showBackupDue(await api.backupStatus());
  } catch {
    // a register that cannot answer shows its own error on the screens
  }
}

/** Fetches the UI strings of `lang` and makes them current. */
async function loadStrings(lang) {
  useStrings(lang, await api.i18nUi(lang));
}

async function switchLocale(locale) {
  if (locale === info.locale || mode !== 'desk') return;
  const snapshot = current.ctrl.snapshot?.() || {};
  try {
    info = await api.appSetLocale(locale);
    await loadStrings(info.locale);
    await loadReference();
    referenceLocale = currentLocale();
  } catch (err) {
    return showGlobalError(err);
  }
  document.querySelector('[data-global-error]').hidden = true;
  translate(document);
  document.title = t('app.name');
  showOperator();
  await route(snapshot);
}

/** A short spoken and visible confirmation that a walk-in was recorded (the screen under it did not change). */
function flashWalkIn(key = 'desk.walk_in_saved') {
  const note = document.querySelector('[data-walk-in-saved]');
  note.textContent = t(key);
  note.hidden = false;
  setTimeout(() => {
    note.hidden = true;
  }, 4000);
}

// --- shortcuts -----------------------------------------------------------------------------------------

const SHORTCUTS = [
  ['Ctrl+K · F3 · /', 'help.search'],
  ['Alt+A', 'help.agenda'],
  ['C', 'help.contact'],
  ['L', 'help.letter'],
  ['M', 'help.messages'],
  ['Alt+N', 'help.new_case'],
  ['↑ ↓ · Enter', 'help.list_select'],
  ['Enter', 'help.form_save'],
  ['Esc', 'help.back'],
  ['Alt+M', 'help.edit'],
  ['Alt+R', 'help.renew'],
  ['Alt+P', 'help.next_step'],
  ['Alt+D', 'help.desk_contact'],
  ['Alt+I', 'help.referral'],
  ['Alt+U', 'help.usb'],
  ['Ctrl+Shift+L', 'help.lock'],
  ['Ctrl+Shift+O', 'help.switch'],
  ['F1 · ?', 'help.help'],
];

function openShortcuts() {
  render(dialog, html`<div class="p-4">
    <h2 class="h4" id="shortcuts-title">${t('help.title')}</h2>
    <dl class="row mb-3">
      ${SHORTCUTS.map(([keys, k]) => html`<dt class="col-5"><kbd>${keys}</kbd></dt><dd class="col-7">${t(k)}</dd>`)}
    </dl>
    <button type="button" class="btn btn-primary" data-shortcuts-close>${t('help.close')}</button>
  </div>`);
  $(dialog, '[data-shortcuts-close]').addEventListener('click', () => dialog.close());
  dialog.showModal();
}

function focusSearch() {
  const box = document.querySelector('[data-screen="list"] [data-search]');
  if (box) {
    box.focus();
    box.select();
  } else {
    location.hash = '#/'; // the list focuses its search box when it mounts
  }
}

const isTyping = (el) => !!el?.closest?.('input, textarea, select, [contenteditable=""], [contenteditable="true"]');

function onKeyDown(e) {
  // Outside the desk only the screen's own keys work (no search, no new case behind a lock).
  if (mode !== 'desk') return void current.ctrl.onKey?.(e);
  if (e.ctrlKey && e.shiftKey && e.code === 'KeyL') {
    e.preventDefault();
    return void lockNow();
  }
  if (e.ctrlKey && e.shiftKey && e.code === 'KeyO') {
    e.preventDefault();
    return openAccessDialog('switch');
  }
  // A dialog (shortcuts, access, a desk contact) handles its own keys (Esc closes it).
  if (dialog.open || accessDialog.open || document.querySelector('[data-desk-contact-dialog][open], [data-referral-dialog][open]')) return;
  const typing = isTyping(e.target);
  if ((e.ctrlKey && e.code === 'KeyK') || e.key === 'F3' || (e.key === '/' && !typing)) {
    e.preventDefault();
    focusSearch();
  } else if (e.key === 'F1' || (e.key === '?' && !typing)) {
    e.preventDefault();
    openShortcuts();
  } else if (e.altKey && e.code === 'KeyN' && current.name !== 'form') {
    e.preventDefault();
    location.hash = '#/new';
  } else if (e.altKey && e.code === 'KeyA' && current.name !== 'form') {
    e.preventDefault();
    location.hash = '#/agenda';
  } else if (e.altKey && e.code === 'KeyU' && current.name !== 'form' && current.name !== 'usb') {
    e.preventDefault();
    location.hash = '#/usb';
  } else {
    current.ctrl.onKey?.(e);
  }
}

// --- boot ----------------------------------------------------------------------------------------------

/** A register that cannot be opened: a page saying why, with a restore when a backup can help. */
function showStartupError(err, title = t('startup.title')) {
  stopIdle();
  header.hidden = true;
  navToken++;
  current = { name: '', ctrl: {} };
  // A register that cannot be opened (damaged, from a newer version, its keys missing) can be replaced by a
  // backup; a folder held by another instance cannot, and needs no remedy but closing that instance.
  const translated = title !== 'startup.title';
  const restorable = err.kind !== 'locked' && translated;
  render(main, html`<div class="container py-5">
    <div class="alert alert-danger" role="alert" data-startup-error data-kind="${err.kind || ''}">
      ${translated ? html`<h1 class="h4">${title}</h1>` : ''}
      <p class="mb-0">${err.message}</p>
    </div>
    ${restorable ? html`<button type="button" class="btn btn-outline-primary" data-startup-restore>${t('startup.restore')}</button>
      <div class="mt-3" data-startup-restore-slot></div>` : ''}
  </div>`);
  main.querySelector('[data-startup-restore]')?.addEventListener('click', (e) => {
    e.target.hidden = true;
    usb.mountRestoreOnly(main.querySelector('[data-startup-restore-slot]'));
  });
}

async function boot() {
  try {
    info = await api.appInfo();
  } catch (err) {
    return showStartupError(err);
  }
  try {
    await loadStrings(info.locale || 'it');
  } catch {
    // without strings the startup error (if any) is still shown, untitled
  }
  if (info.startupError) return showStartupError(info.startupError);
  translate(document);
  document.title = t('app.name');
  wireHeader();
  api.onAccessRefused(recheck);
  document.addEventListener('keydown', onKeyDown);
  window.addEventListener('hashchange', () => mode === 'desk' && route());
  let first;
  try {
    first = await api.accessState();
  } catch (err) {
    return showStartupError(err);
  }
  await apply(first);
}

boot();
