// Boot, header, router and global keyboard shortcuts. It owns which screen is mounted (from location.hash),
// the operator/language controls in the header, the startup-error page and the shortcuts help. It must not
// render a screen's content (views/*.js do) nor call window.__TAURI__ (api.js does).

import * as api from './api.js';
import { html, mount as render, $ } from './dom.js';
import { t, useStrings, translate } from './i18n.js';
import { loadReference } from './reference.js';
import * as casesList from './views/cases-list.js';
import * as caseForm from './views/case-form.js';
import * as caseDetail from './views/case-detail.js';
import * as usb from './views/usb.js';

// #/  list · #/new  new case · #/case/12  detail · #/case/12/edit · #/case/12/renew · #/usb · #/usb/12,15 (export)
const ROUTES = [
  [/^#?\/?$/, () => ['list', casesList, {}]],
  [/^#\/new$/, () => ['form', caseForm, { mode: 'new' }]],
  [/^#\/case\/(\d+)$/, (m) => ['detail', caseDetail, { id: Number(m[1]) }]],
  [/^#\/case\/(\d+)\/(edit|renew)$/, (m) => ['form', caseForm, { mode: m[2], id: Number(m[1]) }]],
  [/^#\/usb(?:\/(\d+(?:,\d+)*))?$/, (m) => ['usb', usb, { caseIds: m[1] ? m[1].split(',').map(Number) : [] }]],
];

const header = document.querySelector('[data-app-header]');
const main = document.querySelector('[data-main]');
const dialog = document.querySelector('[data-shortcuts-dialog]');
let current = { name: '', ctrl: {} };
let navToken = 0;
let info = null;

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
  const ctrl = await view.mount(screen, { ...params, ...extra });
  if (token === navToken) current.ctrl = ctrl || {};
}

function showOperator() {
  $(header, '[data-operator-name]').textContent = info.operator || t('header.operator_none');
  for (const b of header.querySelectorAll('[data-locale]')) {
    b.setAttribute('aria-pressed', String(b.dataset.locale === info.locale));
    b.classList.toggle('active', b.dataset.locale === info.locale);
  }
}

function toggleOperatorForm(open, focus = true) {
  const form = $(header, '[data-operator-form]');
  form.hidden = !open;
  $(header, '[data-operator-display]').hidden = open;
  if (open) {
    const input = $(form, '[data-operator-input]');
    input.value = info.operator || '';
    if (focus) input.focus();
  }
}

function wireHeader() {
  const form = $(header, '[data-operator-form]');
  const input = $(form, '[data-operator-input]');
  $(header, '[data-operator-edit]').addEventListener('click', () => toggleOperatorForm(true));
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && info.operator) {
      e.stopPropagation();
      toggleOperatorForm(false);
      $(header, '[data-operator-edit]').focus();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    input.classList.remove('is-invalid');
    input.removeAttribute('aria-invalid');
    try {
      info = await api.appSetOperator(input.value.trim());
      showOperator();
      toggleOperatorForm(false);
    } catch (err) {
      input.classList.add('is-invalid');
      input.setAttribute('aria-invalid', 'true');
      $(form, '[data-operator-error]').textContent = err.fields[0]?.message || err.message;
      input.focus();
    }
  });
  for (const b of header.querySelectorAll('[data-locale]')) {
    b.addEventListener('click', () => switchLocale(b.dataset.locale));
  }
  $(header, '[data-shortcuts-open]').addEventListener('click', openShortcuts);
  // The USB screen reports every backup status it reads; a restore brings another register's operator.
  document.addEventListener('mixite:backup-status', (e) => showBackupDue(e.detail));
  document.addEventListener('mixite:restored', async () => {
    try {
      info = await api.appInfo();
      showOperator();
    } catch {
      // the USB screen shows the restore's own outcome
    }
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
  if (locale === info.locale) return;
  const snapshot = current.ctrl.snapshot?.() || {};
  try {
    info = await api.appSetLocale(locale);
    await loadStrings(info.locale);
    await loadReference();
  } catch (err) {
    const box = document.querySelector('[data-global-error]');
    render(box, html`<div class="alert alert-danger m-0 rounded-0">${err.message}</div>`);
    box.hidden = false;
    return;
  }
  document.querySelector('[data-global-error]').hidden = true;
  translate(document);
  document.title = t('app.name');
  showOperator();
  await route(snapshot);
}

const SHORTCUTS = [
  ['Ctrl+K · F3 · /', 'help.search'],
  ['Alt+N', 'help.new_case'],
  ['↑ ↓ · Enter', 'help.list_select'],
  ['Enter', 'help.form_save'],
  ['Esc', 'help.back'],
  ['Alt+M', 'help.edit'],
  ['Alt+R', 'help.renew'],
  ['Alt+P', 'help.next_step'],
  ['Alt+U', 'help.usb'],
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
  if (dialog.open) return; // the dialog handles its own keys (Esc closes it)
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
  } else if (e.altKey && e.code === 'KeyU' && current.name !== 'form' && current.name !== 'usb') {
    e.preventDefault();
    location.hash = '#/usb';
  } else {
    current.ctrl.onKey?.(e);
  }
}

function showStartupError(err) {
  header.hidden = true;
  const title = t('startup.title');
  // A register that cannot be opened (damaged, or from a newer version) can be replaced by a backup; a
  // folder held by another instance cannot, and needs no remedy but closing that instance.
  const restorable = err.kind !== 'locked' && title !== 'startup.title';
  render(main, html`<div class="container py-5">
    <div class="alert alert-danger" role="alert" data-startup-error data-kind="${err.kind || ''}">
      ${title !== 'startup.title' ? html`<h1 class="h4">${title}</h1>` : ''}
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
  try {
    await loadReference();
  } catch (err) {
    return showStartupError(err);
  }
  translate(document);
  document.title = t('app.name');
  wireHeader();
  showOperator();
  if (!info.operator) toggleOperatorForm(true, false);
  header.hidden = false;
  checkBackup();
  document.addEventListener('keydown', onKeyDown);
  window.addEventListener('hashchange', () => route());
  await route();
}

boot();
