// The USB screen: where to write (the removable drives the backend lists, or a folder from the platform's
// picker), copying chosen cases to one archive (encrypted by default; unencrypted only with its warning),
// importing a case file with the operator's choice for every conflicting case, the register's backup with
// its reminder, and restoring a backup after an explicit confirmation. Every check that matters (passphrase
// length, the archive's integrity, the need to confirm a restore) is the backend's; this file only asks,
// shows the answers and compares the two typed passphrases. It must not read files or build file names.

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import * as ref from '../reference.js';
import { readForm, showErrors, clearErrors } from '../forms.js';

/** 1536 → "1,5 KB", in the operator's language. */
export function fmtBytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(n) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(document.documentElement.lang || 'it', { maximumFractionDigits: digits })} ${units[unit]}`;
}

const baseName = (path) => String(path).split(/[\\/]/).pop();

/** A labelled password input with its error slot (the passphrase never goes to autocomplete). */
function secret(form, name, label, hint = '') {
  const id = `usb-${form}-${name}`;
  return html`<div class="mb-3" data-field="${name}">
    <label class="form-label" for="${id}">${label}</label>
    <input type="password" class="form-control" id="${id}" name="${name}" autocomplete="off"
      ${hint ? html`aria-describedby="${id}-hint"` : ''}>
    ${hint ? html`<small class="form-text" id="${id}-hint">${hint}</small>` : ''}
    <div class="invalid-feedback" id="${id}-error" data-error-for="${name}"></div>
  </div>`;
}

/** The two passphrase fields agree, or an error for the repeat field (shown like a backend field error). */
function repeatError(values) {
  if (values.passphrase === values.passphraseRepeat) return null;
  return { message: t('usb.passphrase_mismatch'), fields: [{ field: 'passphraseRepeat', message: t('usb.passphrase_mismatch') }] };
}

function busy(form, on, note) {
  for (const b of $$(form, 'button')) b.disabled = on;
  const status = $(form, '[data-usb-status]');
  if (on) render(status, html`<div class="alert alert-info py-2" role="status">${note}</div>`);
}

function done(form, markup) {
  render($(form, '[data-usb-status]'), markup);
}

/** Clears the messages a form's last attempt left. */
function clear(form) {
  clearErrors(form, $(form, '[data-usb-summary]'));
}

/** Shows an error on a form (its fields and its summary), replacing the progress note. */
function fail(form, err) {
  render($(form, '[data-usb-status]'), html``);
  showErrors(form, $(form, '[data-usb-summary]'), err);
}

function destinationHtml(drives, picked, chosen) {
  let n = 0;
  const option = (path, label, detail) => {
    const id = `dest-${n++}`;
    return html`<div class="form-check">
      <input class="form-check-input" type="radio" name="destination" id="${id}" value="${path}"
        data-destination-option ${path === chosen ? html`checked` : ''}>
      <label class="form-check-label" for="${id}"><strong>${label}</strong>
        <span class="text-muted small">${path}${detail ? ` · ${detail}` : ''}</span></label>
    </div>`;
  };
  return html`
    ${drives.length ? '' : html`<p class="text-muted small" data-no-drives>${t('usb.no_drives')}</p>`}
    ${drives.map((d) =>
      option(d.path, d.label, [d.filesystem, d.freeBytes != null ? t('usb.free', { size: fmtBytes(d.freeBytes) }) : ''].filter(Boolean).join(' · ')),
    )}
    ${picked && !drives.some((d) => d.path === picked) ? option(picked, t('usb.picked_folder'), '') : ''}`;
}

function filesHtml(files, kind, chosen) {
  const list = files.filter((f) => f.kind === kind);
  if (!list.length) return html`<p class="text-muted small mb-2" data-no-files>${t('usb.no_files')}</p>`;
  return html`${list.map(
    (f, i) => html`<div class="form-check">
      <input class="form-check-input" type="radio" name="file" id="file-${kind}-${i}" value="${f.path}" data-found-file
        ${f.path === chosen ? html`checked` : ''}>
      <label class="form-check-label" for="file-${kind}-${i}"><strong>${f.name}</strong>
        <span class="text-muted small">${f.drive} · ${fmtBytes(f.bytes)}</span></label>
    </div>`,
  )}`;
}

function reportHtml(report) {
  const inserted = report.inserted || [];
  return html`<div class="alert alert-success" role="status" data-import-report>
    <p class="fw-semibold mb-1">${t('usb.imported')}</p>
    <ul class="mb-0">
      <li data-import-inserted="${inserted.length}">${t('usb.inserted', { n: inserted.length })}
        ${inserted.length ? html`<ul>${inserted.map(
          (c) => html`<li><a href="#/case/${c.id}" data-imported-case="${c.id}">${c.number}</a>
            ${c.number !== c.archiveNumber ? t('usb.renumbered', { number: c.number }) : ''}</li>`,
        )}</ul>` : ''}</li>
      <li data-import-unchanged="${report.unchanged.length}">${t('usb.unchanged', { n: report.unchanged.length })}</li>
      ${report.replaced.length ? html`<li>${t('usb.replaced', { n: report.replaced.length })}</li>` : ''}
      ${report.keptLocal.length ? html`<li>${t('usb.kept_local', { n: report.keptLocal.length })}</li>` : ''}
      ${report.papers ? html`<li data-import-papers="${report.papers}">${t('usb.papers', { n: report.papers })}</li>` : ''}
    </ul>
  </div>`;
}

function conflictHtml(c, i) {
  const row = (label, here, file) => html`<tr class="${String(here) !== String(file) ? 'table-warning' : ''}">
      <th scope="row">${label}</th><td>${here}</td><td>${file}</td></tr>`;
  const parts = c.differences.map((p) => t(`usb.part.${p}`)).join(', ');
  return html`<fieldset class="border rounded p-2 mb-2" data-conflict="${c.uuid}">
    <legend class="fs-6 fw-semibold float-none w-auto px-1">${c.local.number} — ${c.local.name}</legend>
    <table class="table table-sm mb-2">
      <thead><tr><th></th><th scope="col">${t('usb.conflict_here')}</th><th scope="col">${t('usb.conflict_file')}</th></tr></thead>
      <tbody>
        ${row(t('usb.conflict_number'), c.local.number, c.archive.number)}
        ${row(t('usb.conflict_name'), c.local.name, c.archive.name)}
        ${row(t('usb.conflict_status'), ref.stepLabel(c.local.status), ref.stepLabel(c.archive.status))}
        ${row(t('usb.conflict_revision'), c.local.revision, c.archive.revision)}
        ${row(t('usb.conflict_updated'), fmtDateTime(c.local.updatedAt), fmtDateTime(c.archive.updatedAt))}
        ${row(t('usb.conflict_steps'), c.local.steps, c.archive.steps)}
      </tbody>
    </table>
    <p class="small mb-1" data-conflict-differs>${t('usb.conflict_differs', { parts })}</p>
    <div class="form-check form-check-inline">
      <input class="form-check-input" type="radio" name="choice-${i}" id="keep-${i}" value="keepLocal" data-choice="${c.uuid}">
      <label class="form-check-label" for="keep-${i}">${t('usb.keep_local')}</label>
    </div>
    <div class="form-check form-check-inline">
      <input class="form-check-input" type="radio" name="choice-${i}" id="take-${i}" value="takeArchive" data-choice="${c.uuid}">
      <label class="form-check-label" for="take-${i}">${t('usb.take_archive')}</label>
    </div>
  </fieldset>`;
}

function statusHtml(status) {
  const last = status.last
    ? t('usb.backup_last', { date: fmtDateTime(status.last.at), size: fmtBytes(status.last.bytes) })
    : t('usb.backup_never');
  const due = status.due
    ? html`<div class="alert alert-warning py-2" role="status" data-backup-due>
        ${status.last ? t('usb.backup_due', { days: status.days }) : t('usb.backup_due_never')}</div>`
    : '';
  return html`${due}<p class="mb-2" data-backup-last>${last}</p>`;
}

/** The restore form (its file list is filled by whoever mounts it). */
function restoreFormHtml() {
  return html`<form class="border rounded p-3 mb-3" data-restore-form novalidate autocomplete="off">
    <h2 class="h5">${t('usb.restore_title')}</h2>
    <p class="small">${t('usb.restore_hint')}</p>
    <h3 class="h6">${t('usb.backup_files')}</h3>
    <div data-file-list="backup"></div>
    <button type="button" class="btn btn-outline-primary btn-sm mb-3" data-pick-file="backup">${t('usb.pick_file')}</button>
    ${secret('restore', 'passphrase', t('usb.passphrase'))}
    <fieldset class="mb-2">
      <legend class="h6">${t('usb.restore_unlock')}</legend>
      <p class="small" id="usb-restore-unlock-hint">${t('usb.restore_unlock_hint')}</p>
      <div class="mb-3" data-field="operatorId">
        <label class="form-label" for="usb-restore-operator">${t('usb.restore_operator')}</label>
        <input type="text" class="form-control" id="usb-restore-operator" name="operatorId" autocomplete="off"
          aria-describedby="usb-restore-unlock-hint">
      </div>
      ${secret('restore', 'operatorPassphrase', t('usb.restore_operator_passphrase'))}
      ${secret('restore', 'recoveryKey', t('usb.restore_recovery'))}
    </fieldset>
    <div class="form-check mb-2">
      <input class="form-check-input" type="checkbox" id="usb-replace" name="replace" data-restore-replace>
      <label class="form-check-label" for="usb-replace">${t('usb.restore_replace')}</label>
    </div>
    <div data-usb-summary role="alert" tabindex="-1" hidden></div>
    <div data-usb-status></div>
    <button type="submit" class="btn btn-danger" data-restore-submit>${t('usb.restore')}</button>
  </form>`;
}

/**
 * Submits the restore of `state.restoreFile` from `form`; `onRestored(out)` runs after a success. The
 * backend refuses a register that holds cases unless the confirmation box is ticked.
 */
function wireRestore(form, state, onRestored) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(form);
    if (!state.restoreFile) return fail(form, { message: t('usb.choose_file'), fields: [] });
    busy(form, true, t('usb.restoring'));
    try {
      const recovery = form.elements.recoveryKey.value.trim();
      const out = await api.backupRestore({
        path: state.restoreFile,
        passphrase: form.elements.passphrase.value,
        replace: form.elements.replace.checked,
        operatorId: form.elements.operatorId.value.trim() || null,
        operatorPassphrase: form.elements.operatorPassphrase.value || null,
        recoveryKey: recovery || null,
      });
      for (const name of ['passphrase', 'operatorPassphrase', 'recoveryKey']) form.elements[name].value = '';
      form.elements.replace.checked = false;
      done(form, html`<div class="alert alert-success" role="status" data-restore-done>
        <p class="mb-0">${t('usb.restored')}</p>
        ${out.safetyCopy ? html`<p class="mb-0 small">${t('usb.restored_copy', { path: out.safetyCopy })}</p>` : ''}</div>`);
      await onRestored(out);
    } catch (err) {
      fail(form, err);
    } finally {
      busy(form, false);
    }
  });
}

/** The platform's file picker for `kind`; the chosen file joins `state.files` and becomes the choice. */
async function pickFile(state, kind) {
  const path = await api.archivePickFile(kind).catch(() => null);
  if (!path) return false;
  const name = baseName(path);
  state.files = [...state.files.filter((f) => f.path !== path), { path, name, kind, bytes: 0, drive: path.slice(0, -name.length) }];
  state[kind === 'backup' ? 'restoreFile' : 'importFile'] = path;
  return true;
}

/**
 * The restore alone, for the startup page of a register that cannot be opened (damaged, or written by a
 * newer version): the backups on the sticks, and a reload once the restored register is in place.
 */
export async function mountRestoreOnly(root) {
  const state = { files: [], restoreFile: null };
  render(root, html`${restoreFormHtml()}<div data-restart-slot></div>`);
  const form = $(root, '[data-restore-form]');
  const list = $(form, '[data-file-list="backup"]');
  const show = () => render(list, filesHtml(state.files, 'backup', state.restoreFile));
  list.addEventListener('change', (e) => {
    if (e.target.name === 'file') state.restoreFile = e.target.value;
  });
  $(form, '[data-pick-file]').addEventListener('click', async () => {
    if (await pickFile(state, 'backup')) show();
  });
  wireRestore(form, state, () => {
    render($(root, '[data-restart-slot]'), html`
      <button type="button" class="btn btn-primary" data-restart>${t('usb.reopen')}</button>`);
    $(root, '[data-restart]').addEventListener('click', () => location.reload());
    $(root, '[data-restart]').focus();
  });
  state.files = await api.archiveFiles(null).catch(() => []);
  show();
}

export async function mount(root, params) {
  const state = {
    cases: [], // { id, number, name }
    drives: [],
    files: [],
    picked: params.picked || null,
    destination: null,
    importFile: null,
    restoreFile: null,
  };
  const back = params.caseIds?.length === 1 ? `#/case/${params.caseIds[0]}` : '#/';

  render(root, html`<div class="container py-3" data-usb>
    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
      <h1 class="h3 mb-0" tabindex="-1" data-usb-heading>${t('usb.title')}</h1>
      <a href="${back}" class="btn btn-outline-secondary" data-back title="${t('nav.back_hint')}">${t('nav.back_to_list')}</a>
    </div>
    <div data-backup-banner></div>
    <section class="border rounded p-3 mb-3" data-destination aria-labelledby="usb-dest-title">
      <h2 class="h5" id="usb-dest-title">${t('usb.destination')}</h2>
      <p class="small text-muted">${t('usb.destination_hint')}</p>
      <div data-destination-list role="radiogroup" aria-labelledby="usb-dest-title"></div>
      <div class="d-flex gap-2 mt-2">
        <button type="button" class="btn btn-outline-primary btn-sm" data-refresh>${t('usb.refresh')}</button>
        <button type="button" class="btn btn-outline-primary btn-sm" data-pick-folder>${t('usb.pick_folder')}</button>
      </div>
    </section>
    <div class="row">
      <div class="col-lg-6">
        <form class="border rounded p-3 mb-3" data-export-form novalidate autocomplete="off">
          <h2 class="h5">${t('usb.export_title')}</h2>
          <h3 class="h6">${t('usb.export_cases')}</h3>
          <ul class="list-unstyled" data-export-cases></ul>
          <div data-household></div>
          <label class="form-label small" for="usb-add">${t('usb.export_add')}</label>
          <input type="search" class="form-control form-control-sm mb-1" id="usb-add" data-export-search>
          <ul class="list-unstyled small" data-export-results></ul>
          ${secret('export', 'passphrase', t('usb.passphrase'), t('usb.passphrase_hint'))}
          ${secret('export', 'passphraseRepeat', t('usb.passphrase_repeat'))}
          <div class="form-check mb-2">
            <input class="form-check-input" type="checkbox" id="usb-unencrypted" name="unencrypted" data-unencrypted>
            <label class="form-check-label" for="usb-unencrypted">${t('usb.unencrypted')}</label>
          </div>
          <div class="alert alert-warning" role="alert" data-unencrypted-warning hidden>${t('usb.unencrypted_warning')}</div>
          <div data-usb-summary role="alert" tabindex="-1" hidden></div>
          <div data-usb-status></div>
          <button type="submit" class="btn btn-primary" data-export-submit>${t('usb.export')}</button>
        </form>
        <form class="border rounded p-3 mb-3" data-backup-form novalidate autocomplete="off">
          <h2 class="h5">${t('usb.backup_title')}</h2>
          <div data-backup-status></div>
          <div class="d-flex align-items-end gap-2 mb-3" data-field="reminderDays">
            <div>
              <label class="form-label" for="usb-reminder">${t('usb.reminder_days')}</label>
              <input type="text" inputmode="numeric" class="form-control" id="usb-reminder" name="reminderDays" size="4"
                aria-describedby="usb-reminder-error">
              <div class="invalid-feedback" id="usb-reminder-error" data-error-for="reminderDays"></div>
            </div>
            <button type="button" class="btn btn-outline-primary" data-save-reminder>${t('usb.save_reminder')}</button>
          </div>
          ${secret('backup', 'passphrase', t('usb.passphrase'), t('usb.passphrase_hint'))}
          ${secret('backup', 'passphraseRepeat', t('usb.passphrase_repeat'))}
          <div data-usb-summary role="alert" tabindex="-1" hidden></div>
          <div data-usb-status></div>
          <button type="submit" class="btn btn-primary" data-backup-submit>${t('usb.backup_run')}</button>
        </form>
      </div>
      <div class="col-lg-6">
        <form class="border rounded p-3 mb-3" data-import-form novalidate autocomplete="off">
          <h2 class="h5">${t('usb.import_title')}</h2>
          <h3 class="h6">${t('usb.import_files')}</h3>
          <div data-file-list="cases"></div>
          <button type="button" class="btn btn-outline-primary btn-sm mb-3" data-pick-file="cases">${t('usb.pick_file')}</button>
          ${secret('import', 'passphrase', t('usb.passphrase'), t('usb.import_passphrase_hint'))}
          <div data-conflicts></div>
          <div data-usb-summary role="alert" tabindex="-1" hidden></div>
          <div data-usb-status></div>
          <button type="submit" class="btn btn-primary" data-import-submit>${t('usb.import')}</button>
        </form>
        ${restoreFormHtml()}
      </div>
    </div>
  </div>`);

  const exportForm = $(root, '[data-export-form]');
  const importForm = $(root, '[data-import-form]');
  const backupForm = $(root, '[data-backup-form]');
  const restoreForm = $(root, '[data-restore-form]');

  // --- where to write -------------------------------------------------------------------------------
  function showDestinations() {
    if (!state.destination || ![...state.drives.map((d) => d.path), state.picked].includes(state.destination)) {
      state.destination = state.drives.length === 1 && !state.picked ? state.drives[0].path : state.picked;
    }
    render($(root, '[data-destination-list]'), destinationHtml(state.drives, state.picked, state.destination));
  }
  function showFiles() {
    for (const [kind, key] of [['cases', 'importFile'], ['backup', 'restoreFile']]) {
      if (state[key] && !state.files.some((f) => f.path === state[key])) state[key] = null;
      render($(root, `[data-file-list="${kind}"]`), filesHtml(state.files, kind, state[key]));
    }
  }
  async function refresh() {
    try {
      [state.drives, state.files] = await Promise.all([api.archiveDrives(), api.archiveFiles(state.picked)]);
    } catch (err) {
      state.drives = [];
      state.files = [];
      render($(root, '[data-backup-banner]'), html`<div class="alert alert-danger">${err.message}</div>`);
    }
    showDestinations();
    showFiles();
  }
  $(root, '[data-destination-list]').addEventListener('change', (e) => {
    if (e.target.name === 'destination') state.destination = e.target.value;
  });
  $(root, '[data-refresh]').addEventListener('click', refresh);
  $(root, '[data-pick-folder]').addEventListener('click', async () => {
    const folder = await api.archivePickFolder().catch(() => null);
    if (!folder) return;
    state.picked = folder;
    state.destination = folder;
    await refresh();
  });
  for (const b of $$(root, '[data-pick-file]')) {
    b.addEventListener('click', async () => {
      if (await pickFile(state, b.dataset.pickFile)) showFiles();
    });
  }
  for (const [kind, key] of [['cases', 'importFile'], ['backup', 'restoreFile']]) {
    $(root, `[data-file-list="${kind}"]`).addEventListener('change', (e) => {
      if (e.target.name === 'file') state[key] = e.target.value;
    });
  }
  /** The chosen destination, or an error shown on `form`. */
  function destinationOr(form) {
    if (state.destination) return state.destination;
    fail(form, { message: t('usb.choose_destination'), fields: [] });
    return null;
  }

  // --- export ---------------------------------------------------------------------------------------
  function showCases() {
    const list = $(exportForm, '[data-export-cases]');
    if (!state.cases.length) return render(list, html`<li class="text-muted small" data-export-none>${t('usb.export_none')}</li>`);
    render(list, html`${state.cases.map(
      (c) => html`<li class="d-flex align-items-center gap-2 mb-1" data-export-case="${c.id}">
        <span class="me-auto">${c.number} — ${c.name}</span>
        <button type="button" class="btn btn-link btn-sm p-0" data-remove-case="${c.id}">${t('usb.remove')}</button></li>`,
    )}`);
  }
  /** The family's other cases not chosen yet, offered one click away ("the whole household"). */
  async function showHousehold() {
    const slot = $(exportForm, '[data-household]');
    const chosen = new Set(state.cases.map((c) => c.id));
    const seen = new Set();
    const offers = [];
    for (const c of state.cases) {
      for (const r of await api.casesHousehold(c.id).catch(() => [])) {
        if (!chosen.has(r.id) && !seen.has(r.id)) {
          seen.add(r.id);
          offers.push(r);
        }
      }
    }
    if (!offers.length) return render(slot, html``);
    render(slot, html`<p class="small mb-1">${t('usb.household')}</p>
      <ul class="list-unstyled small">${offers.map(
        (r) => html`<li><button type="button" class="btn btn-link btn-sm p-0 text-start" data-add-case="${r.id}" data-household-offer="${r.id}">
          ${t('usb.add')}: ${r.number} — ${r.surname} ${r.givenNames}</button></li>`,
      )}</ul>`);
  }
  async function addCase(id) {
    if (state.cases.some((c) => c.id === id)) return;
    try {
      const v = await api.casesGet(id);
      state.cases.push({ id: v.id, number: v.number, name: `${v.data.applicant.surname} ${v.data.applicant.givenNames}`.trim() });
    } catch (err) {
      fail(exportForm, err);
    }
    showCases();
    await showHousehold();
  }
  $(exportForm, '[data-export-cases]').addEventListener('click', (e) => {
    const b = e.target.closest('[data-remove-case]');
    if (!b) return;
    state.cases = state.cases.filter((c) => c.id !== Number(b.dataset.removeCase));
    showCases();
    showHousehold();
    $(exportForm, '[data-export-search]').focus();
  });
  let searchToken = 0;
  $(exportForm, '[data-export-search]').addEventListener('input', async (e) => {
    const token = ++searchToken;
    const query = e.target.value.trim();
    const slot = $(exportForm, '[data-export-results]');
    if (!query) return render(slot, html``);
    try {
      const page = await api.casesSearch(query, 0, 8);
      if (token !== searchToken) return;
      render(slot, html`${page.items.map(
        (r) => html`<li><button type="button" class="btn btn-link btn-sm p-0 text-start" data-add-case="${r.id}">
          ${t('usb.add')}: ${r.number} — ${r.surname} ${r.givenNames}</button></li>`,
      )}`);
    } catch (err) {
      render(slot, html`<li class="text-danger">${err.message}</li>`);
    }
  });
  $(exportForm, '[data-export-search]').addEventListener('keydown', (e) => {
    // Enter adds the first match instead of submitting the export.
    if (e.key !== 'Enter') return;
    e.preventDefault();
    $(exportForm, '[data-export-results] [data-add-case]')?.click();
  });
  $(exportForm, '[data-household]').addEventListener('click', async (e) => {
    const b = e.target.closest('[data-add-case]');
    if (!b) return;
    await addCase(Number(b.dataset.addCase));
    ($(exportForm, '[data-household-offer]') || $(exportForm, '[data-export-search]')).focus();
  });
  $(exportForm, '[data-export-results]').addEventListener('click', async (e) => {
    const b = e.target.closest('[data-add-case]');
    if (!b) return;
    await addCase(Number(b.dataset.addCase));
    render($(exportForm, '[data-export-results]'), html``);
    const search = $(exportForm, '[data-export-search]');
    search.value = '';
    search.focus();
  });
  $(exportForm, '[data-unencrypted]').addEventListener('change', (e) => {
    const plain = e.target.checked;
    $(exportForm, '[data-unencrypted-warning]').hidden = !plain;
    for (const name of ['passphrase', 'passphraseRepeat']) exportForm.elements[name].disabled = plain;
  });
  exportForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(exportForm);
    const values = readForm(exportForm);
    const plain = exportForm.elements.unencrypted.checked;
    if (!plain) {
      const mismatch = repeatError(values);
      if (mismatch) return fail(exportForm, mismatch);
    }
    const folder = destinationOr(exportForm);
    if (!folder) return;
    busy(exportForm, true, t('usb.exporting'));
    try {
      const out = await api.archiveExport({
        caseIds: state.cases.map((c) => c.id),
        folder,
        passphrase: plain ? null : values.passphrase,
      });
      for (const name of ['passphrase', 'passphraseRepeat']) exportForm.elements[name].value = '';
      done(exportForm, html`<div class="alert alert-success" role="status" data-export-done>
        ${t('usb.exported', { name: baseName(out.path), size: fmtBytes(out.size), pdfs: out.pdfs })}</div>`);
      await refresh();
    } catch (err) {
      fail(exportForm, err);
    } finally {
      busy(exportForm, false);
    }
  });

  // --- import ---------------------------------------------------------------------------------------
  let pending = null; // the conflicts of the last attempt, for the choices
  async function runImport(choices) {
    clear(importForm);
    if (!state.importFile) return fail(importForm, { message: t('usb.choose_file'), fields: [] });
    const passphrase = importForm.elements.passphrase.value;
    busy(importForm, true, t('usb.importing'));
    try {
      const report = await api.archiveImport({ path: state.importFile, passphrase: passphrase || null, choices });
      if (report.conflicts.length) {
        pending = report.conflicts;
        render($(importForm, '[data-conflicts]'), html`<div class="alert alert-warning" role="alert" data-conflicts-note>${t('usb.conflicts')}</div>
          ${report.conflicts.map(conflictHtml)}
          <button type="button" class="btn btn-primary mb-3" data-import-apply>${t('usb.apply')}</button>`);
        render($(importForm, '[data-usb-status]'), html``);
        $(importForm, '[data-choice]').focus();
      } else {
        pending = null;
        render($(importForm, '[data-conflicts]'), html``);
        importForm.elements.passphrase.value = '';
        done(importForm, reportHtml(report));
      }
    } catch (err) {
      fail(importForm, err);
    } finally {
      busy(importForm, false);
    }
  }
  importForm.addEventListener('submit', (e) => {
    e.preventDefault();
    pending = null;
    render($(importForm, '[data-conflicts]'), html``);
    runImport({});
  });
  $(importForm, '[data-conflicts]').addEventListener('click', (e) => {
    if (!e.target.closest('[data-import-apply]')) return;
    const choices = {};
    for (const input of $$(importForm, '[data-choice]:checked')) choices[input.dataset.choice] = input.value;
    if (!pending || pending.some((c) => !choices[c.uuid])) {
      return fail(importForm, { message: t('usb.choose_each'), fields: [] });
    }
    runImport(choices);
  });

  // --- backup ---------------------------------------------------------------------------------------
  function showStatus(status) {
    render($(backupForm, '[data-backup-status]'), statusHtml(status));
    backupForm.elements.reminderDays.value = String(status.days);
    document.dispatchEvent(new CustomEvent('mixite:backup-status', { detail: status }));
  }
  async function loadStatus() {
    try {
      showStatus(await api.backupStatus());
    } catch (err) {
      fail(backupForm, err);
    }
  }
  $(backupForm, '[data-save-reminder]').addEventListener('click', async () => {
    clear(backupForm);
    const raw = backupForm.elements.reminderDays.value.trim();
    try {
      // Not a number at all is sent as 0, which the backend refuses with the range in its message.
      showStatus(await api.backupSetReminder(/^\d{1,4}$/.test(raw) ? Number(raw) : 0));
      done(backupForm, html`<div class="alert alert-success py-2" role="status" data-reminder-saved>${t('usb.reminder_saved')}</div>`);
    } catch (err) {
      fail(backupForm, err);
    }
  });
  backupForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(backupForm);
    const values = readForm(backupForm);
    const mismatch = repeatError(values);
    if (mismatch) return fail(backupForm, mismatch);
    const folder = destinationOr(backupForm);
    if (!folder) return;
    busy(backupForm, true, t('usb.backup_running'));
    try {
      const written = await api.backupRun({ folder, passphrase: values.passphrase });
      for (const name of ['passphrase', 'passphraseRepeat']) backupForm.elements[name].value = '';
      await loadStatus();
      done(backupForm, html`<div class="alert alert-success" role="status" data-backup-done>
        ${t('usb.backup_done', { name: baseName(written.path), size: fmtBytes(written.bytes) })}</div>`);
      await refresh();
    } catch (err) {
      fail(backupForm, err);
    } finally {
      busy(backupForm, false);
    }
  });

  // --- restore --------------------------------------------------------------------------------------
  wireRestore(restoreForm, state, async () => {
    // The operator and language are the restored register's now.
    document.dispatchEvent(new CustomEvent('mixite:restored'));
    state.cases = [];
    showCases();
    await loadStatus();
  });

  showCases();
  await Promise.all([refresh(), loadStatus(), ...(params.caseIds || []).map(addCase)]);
  $(root, '[data-usb-heading]').focus();

  return {
    onKey(e) {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        location.hash = back;
      }
    },
  };
}
