// The checklist panel of a case: choose the procedure (the one matching the case first), its variant and
// the applicant's language (with whether a native speaker reviewed the translation), preview the
// checklist inside the app, print it (or, with no printer, open the PDF) and save it; and, for the same
// procedure, the kit forms' filling-in guides, each with preview, print and save. A guide's problems are
// listed and handed to the case form, which shows them next to its fields. The previews show the backend's
// lines as they go on paper; this file adds no text of its own beyond its labels.

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { field, readForm, showErrors, clearErrors } from '../forms.js';
import * as visit from './visit.js';

function sheetHtml(sheet) {
  const other = (line) =>
    line.other ? html`<div class="checklist-other" dir="${sheet.dir}" lang="${sheet.language}">${line.other}</div>` : '';
  // For the operator only (never printed): a flagged or weakly sourced line says why, with the source,
  // its strength and when it was read; for a conflict the note gives both readings.
  const operator = (l) => {
    const o = l.operator;
    if (!o || (!l.verify && o.official)) return '';
    return html`<div class="small text-muted border-start ps-2 mt-1" data-checklist-operator>
      ${l.verify ? html`<strong>${t('checklist.flagged')}</strong> · ` : ''}${o.official ? t('checklist.official') : t('checklist.unofficial')}
      ${o.readOn ? html` · ${t('checklist.read_on', { date: o.readOn })}` : ''}${o.note ? html`<div>${o.note}</div>` : ''}
      <div class="text-break">${o.source}</div></div>`;
  };
  const line = (l) => html`<li class="${l.check ? 'checklist-check' : 'checklist-plain'}" data-checklist-line>
      <div>${l.italian}${l.verify ? ' *' : ''}</div>${other(l)}${operator(l)}</li>`;
  return html`<article class="checklist-preview border rounded p-3" data-checklist-preview>
    ${sheet.operatorNote ? html`<div class="alert alert-warning small py-2" data-checklist-operator-note>${t('checklist.flagged')}: ${sheet.operatorNote}</div>` : ''}
    ${sheet.header.map((l) => html`<div class="small">${l.italian}</div>`)}
    <h3 class="h5 mt-2 mb-0">${sheet.title.italian}</h3>${other(sheet.title)}
    ${sheet.sections.map(
      (s) => html`<h4 class="h6 mt-3 mb-1 border-bottom">${s.heading.italian}${s.heading.other ? html` · <span dir="${sheet.dir}" lang="${sheet.language}">${s.heading.other}</span>` : ''}</h4>
        <ul class="list-unstyled mb-0">${s.lines.map(line)}</ul>`,
    )}
    <div class="small mt-2" data-checklist-checked-on>${sheet.checkedOn.italian}</div>
  </article>`;
}

/** A filled guide as a table: field number, label, the value for the boxes, notes; `*` to verify. */
function filledHtml(filled) {
  return html`<table class="table table-sm align-middle mb-0" data-form-preview data-form-id="${filled.form}">
    <caption class="caption-top">${filled.title}</caption>
    <thead><tr><th scope="col">${t('forms.number')}</th><th scope="col">${t('forms.label')}</th><th scope="col">${t('forms.value')}</th></tr></thead>
    <tbody>${filled.rows.map(
      (r) => html`<tr data-form-row="${r.number}">
        <td>${r.number}</td>
        <td>${r.label}${r.verify ? ' *' : ''}${r.note ? html`<div class="small text-muted">${r.note}</div>` : ''}</td>
        <td class="font-monospace">${r.value || html`<span class="text-muted">${t('forms.by_hand')}</span>`}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

/** Where the operator fixes what a form needs: the case form, with the problems next to its fields. */
const PENDING = 'mixite.formProblems';

/** Problems a form found, left for the case form to show next to its fields (read once). */
export function takeFormProblems(caseId) {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = raw ? JSON.parse(raw) : null;
  return pending && pending.caseId === caseId ? pending.err : null;
}

function problemsHtml(err) {
  return html`<div class="alert alert-danger" data-form-problems>
    <p class="fw-semibold mb-1">${t('forms.problems')}</p>
    <ul class="mb-2">${(err.fields || []).map((f) => html`<li>${f.message}</li>`)}</ul>
    <button type="button" class="btn btn-sm btn-primary" data-fix-case>${t('forms.fix')}</button>
  </div>`;
}

async function mountForms(slot, status, output, caseId, procedure) {
  render(output, html``);
  render(status, html``);
  let list;
  try {
    list = await api.formsList(procedure);
  } catch (err) {
    render(slot, html`<div class="alert alert-danger">${err.message}</div>`);
    return;
  }
  if (!list.length) {
    render(slot, html`<p class="text-muted small mb-0" data-forms-none>${t('forms.none')}</p>`);
    return;
  }
  render(slot, html`<ul class="list-unstyled mb-0">${list.map(
    (f) => html`<li class="d-flex flex-wrap align-items-center gap-2 mb-1" data-form-item="${f.id}">
      <span class="me-auto">${f.title}</span>
      <button type="button" class="btn btn-outline-primary btn-sm" data-form-action="preview">${t('checklist.preview')}</button>
      <button type="button" class="btn btn-outline-primary btn-sm" data-form-action="print">${t('checklist.print')}</button>
      <button type="button" class="btn btn-outline-primary btn-sm" data-form-action="save">${t('checklist.save')}</button>
    </li>`,
  )}</ul>`);
  slot.onclick = async (e) => {
    const button = e.target.closest('[data-form-action]');
    if (!button) return;
    const form = button.closest('[data-form-item]').dataset.formItem;
    const args = { caseId, paper: { kind: 'guide', options: { procedure, form } } };
    render(status, html``);
    try {
      if (button.dataset.formAction === 'preview') render(output, filledHtml(await api.formsPreview(args)));
      else await leave(status, button.dataset.formAction, args);
    } catch (err) {
      if (err.kind !== 'invalid') {
        render(status, html`<div class="alert alert-danger">${err.message}</div>`);
        return;
      }
      render(output, problemsHtml(err));
      $(output, '[data-fix-case]').addEventListener('click', () => {
        sessionStorage.setItem(PENDING, JSON.stringify({ caseId, err }));
        location.hash = `#/case/${caseId}/edit`;
      });
      $(output, '[data-fix-case]').focus();
    }
  };
}

/** Repaints the list of the case's papers after one is filed (set by the mounted panel). */
let refreshPapers = () => {};

/**
 * A paper leaves the desk: `open` files it and shows it in the system's viewer, `print` files it and
 * sends it to the printer, `save` files it and copies it where the operator chooses. `args` is
 * `{ caseId, paper: { kind, options } }`, the same for every paper.
 */
async function leave(status, action, args) {
  // A paper handed out ticks its services in the visit's proposed desk contact (visit.js).
  const handed = () => visit.did(args.caseId, `paper.${args.paper.kind}`);
  if (action === 'open') {
    const filed = await api.papersRender(args);
    refreshPapers();
    await api.papersOpen(filed.file);
    await handed();
    return;
  }
  if (action === 'print') {
    printed(status, await api.papersPrint(args));
    await handed();
  } else {
    const saved = await api.papersSave(args);
    if (saved) {
      render(status, html`<div class="alert alert-success" data-saved>${t('checklist.saved', { path: saved })}</div>`);
      await handed();
    }
  }
  refreshPapers();
}


/** The papers filed for the case (each printed, saved or opened paper is kept in the data folder), newest last, each to open again. */
async function listPapers(slot, status, caseId) {
  let papers;
  try {
    papers = await api.papersList(caseId);
  } catch (err) {
    render(slot, html`<div class="alert alert-danger">${err.message}</div>`);
    return;
  }
  render(slot, html`<h3 class="h6 mt-3" id="papers-printed-title">${t('papers.printed_title')}</h3>
    ${papers.length
      ? html`<ul class="list-unstyled mb-0" aria-labelledby="papers-printed-title">${papers.map(
        (p) => html`<li class="d-flex flex-wrap align-items-center gap-2 mb-1" data-paper-file="${p.file}">
          <span class="me-auto">${p.name} · ${fmtDateTime(p.filedAt)}${p.contentVersion
            ? html` · <small class="text-muted" data-paper-content>${t('papers.printed_content', { version: p.contentVersion })}</small>`
            : html` · <small class="text-muted" data-paper-content="unknown">${t('papers.printed_content_unknown')}</small>`}</span>
          <button type="button" class="btn btn-outline-primary btn-sm" data-paper-open>${t('papers.printed_open')}</button>
        </li>`,
      )}</ul>`
      : html`<p class="text-muted small mb-0" data-papers-none>${t('papers.printed_none')}</p>`}`);
  slot.onclick = (e) => {
    const item = e.target.closest('[data-paper-open]')?.closest('[data-paper-file]');
    if (item) api.papersOpen(item.dataset.paperFile).catch((err) => render(status, html`<div class="alert alert-danger">${err.message}</div>`));
  };
}

/** The outcome of a print: sent, or no printer with the PDF to open. */
function printed(status, r) {
  if (r.printed) {
    render(status, html`<div class="alert alert-success" data-print-ok>${t('checklist.printed')}</div>`);
    return;
  }
  render(status, html`<div class="alert alert-warning" data-no-printer>
    <p class="mb-1">${t('checklist.no_printer')}</p>
    ${r.reason ? html`<p class="small mb-1">${r.reason}</p>` : ''}
    <button type="button" class="btn btn-sm btn-primary" data-open-pdf>${t('checklist.open_pdf')}</button>
  </div>`);
  $(status, '[data-open-pdf]').addEventListener('click', () =>
    api.papersOpen(r.file).catch((err) => render(status, html`<div class="alert alert-danger">${err.message}</div>`)),
  );
}

/** A person typed for a paper (the host, the delegate): identity, residence, document. */
function personFields(prefix, withPermit) {
  const f = (name, label, opts = {}) => field({ name: `${prefix}.${name}`, label: t(label), col: 'col-md-4', ...opts });
  return html`<div class="row">
    ${f('surname', 'field.surname')}
    ${f('givenNames', 'field.given_names')}
    ${f('sex', 'field.sex', { kind: 'select', options: [{ value: 'M', text: 'M' }, { value: 'F', text: 'F' }], col: 'col-md-2' })}
    ${f('birthDate', 'field.birth_date', { kind: 'date', col: 'col-md-2' })}
    ${f('birthPlace', 'field.birth_place')}
    ${f('citizenship', 'field.citizenship', { kind: 'country' })}
    ${f('phone', 'field.phone')}
    ${f('street', 'field.street')}
    ${f('houseNumber', 'field.house_number', { col: 'col-md-2' })}
    ${f('comune', 'field.comune', { col: 'col-md-4' })}
    ${f('province', 'field.province', { col: 'col-md-2' })}
    ${f('documentKind', 'field.document_kind')}
    ${f('documentNumber', 'field.document_number')}
    ${withPermit ? f('permitNumber', 'papers.host_permit') : ''}
  </div>`;
}

/** The comunicazione di ospitalità and the delega: what the operator types, then open or print. */
function papersHtml() {
  const opt = (values, prefix) => values.map((v) => ({ value: v, text: t(`${prefix}.${v}`) }));
  const buttons = html`<div class="d-flex gap-2">
    <button type="button" class="btn btn-outline-primary btn-sm" data-paper-action="open">${t('forms.receipt_open')}</button>
    <button type="button" class="btn btn-outline-primary btn-sm" data-paper-action="print">${t('checklist.print')}</button>
    <button type="button" class="btn btn-outline-primary btn-sm" data-paper-action="save">${t('checklist.save')}</button>
  </div>`;
  return html`<details class="mt-3" data-paper="ospitalita">
      <summary>${t('papers.ospitalita')}</summary>
      <form class="mt-2" novalidate autocomplete="off">
        <div data-paper-errors role="alert" tabindex="-1" hidden></div>
        <h4 class="h6">${t('papers.host')}</h4>
        ${personFields('host', true)}
        <div class="row">
          ${field({ name: 'title', label: t('papers.title'), kind: 'select', options: opt(['proprietario', 'affittuario', 'comodatario', 'altro'], 'papers.titles'), col: 'col-md-4' })}
          ${field({ name: 'titleOther', label: t('papers.title_other'), col: 'col-md-8' })}
          ${field({ name: 'property.street', label: t('papers.property_street'), col: 'col-md-6' })}
          ${field({ name: 'property.houseNumber', label: t('field.house_number'), col: 'col-md-2' })}
          ${field({ name: 'property.comune', label: t('field.comune'), col: 'col-md-2' })}
          ${field({ name: 'property.province', label: t('field.province'), col: 'col-md-2' })}
          ${field({ name: 'property.foglio', label: t('papers.foglio'), col: 'col-md-2' })}
          ${field({ name: 'property.mappale', label: t('papers.mappale'), col: 'col-md-2' })}
          ${field({ name: 'property.subalterno', label: t('papers.subalterno'), col: 'col-md-2' })}
          ${field({ name: 'kind', label: t('papers.kind'), kind: 'select', options: opt(['ospitalita', 'cessione'], 'papers.kinds'), value: 'ospitalita', col: 'col-md-6' })}
          ${field({ name: 'from', label: t('papers.from'), kind: 'date', col: 'col-md-3' })}
          ${field({ name: 'to', label: t('papers.to'), kind: 'date', col: 'col-md-3' })}
          ${field({ name: 'copies', label: t('papers.copies'), kind: 'select', options: [{ value: '1', text: '1' }, { value: '3', text: '3' }], value: '1', col: 'col-md-3' })}
        </div>
        ${buttons}
      </form>
    </details>
    <details class="mt-2" data-paper="delega">
      <summary>${t('papers.delega')}</summary>
      <form class="mt-2" novalidate autocomplete="off">
        <div data-paper-errors role="alert" tabindex="-1" hidden></div>
        <h4 class="h6">${t('papers.delegate')}</h4>
        ${personFields('delegate', false)}
        <div class="row">${field({ name: 'purpose', label: t('papers.purpose'), kind: 'textarea', col: 'col-12' })}</div>
        ${buttons}
      </form>
    </details>`;
}

/** `{ 'host.surname': 'X' }` → `{ host: { surname: 'X' } }`. */
function nested(values) {
  const out = {};
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.');
    let o = out;
    keys.slice(0, -1).forEach((k) => (o = o[k] ??= {}));
    o[keys[keys.length - 1]] = value;
  }
  return out;
}

function mountPapers(slot, status, caseId) {
  for (const box of slot.querySelectorAll('[data-paper]')) {
    const form = $(box, 'form');
    const errors = $(box, '[data-paper-errors]');
    box.addEventListener('click', async (e) => {
      const button = e.target.closest('[data-paper-action]');
      if (!button) return;
      const options = nested(readForm(form));
      if (options.copies) options.copies = Number(options.copies);
      const args = { caseId, paper: { kind: box.dataset.paper, options } };
      clearErrors(form, errors);
      render(status, html``);
      try {
        await leave(status, button.dataset.paperAction, args);
      } catch (err) {
        showErrors(form, errors, err);
      }
    });
  }
}

export async function mountChecklist(slot, caseId) {
  let options;
  try {
    options = await api.checklistOptions(caseId);
  } catch (err) {
    render(slot, html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
    return;
  }
  const first = options.procedures.find((p) => p.matches) || options.procedures[0];
  const procedureOptions = [...options.procedures]
    .sort((a, b) => Number(b.matches) - Number(a.matches))
    .map((p) => ({ value: p.id, text: p.label }));
  const languageOptions = options.languages.map((l) => ({
    value: l.code,
    text: `${l.endonym} — ${l.label}${l.reviewed ? '' : ` ${t('checklist.not_reviewed')}`}`,
  }));
  const language = options.languages.some((l) => l.code === options.language) ? options.language : 'it';

  render(slot, html`<section class="border rounded p-3 mb-3" data-checklist-panel aria-labelledby="checklist-title">
    <h2 class="h5" id="checklist-title">${t('checklist.title')}</h2>
    <form data-checklist-form novalidate autocomplete="off">
      <div data-checklist-errors role="alert" tabindex="-1" hidden></div>
      <div class="row">
        ${field({ name: 'procedure', label: t('checklist.procedure'), kind: 'select', options: procedureOptions, value: first?.id, col: 'col-12' })}
        ${field({ name: 'variant', label: t('checklist.variant'), kind: 'select', options: [], col: 'col-md-6' })}
        ${field({ name: 'duration', label: t('checklist.duration'), kind: 'select', options: [], col: 'col-md-6' })}
        ${field({ name: 'language', label: t('checklist.language'), kind: 'select', options: languageOptions, value: language, col: 'col-md-6' })}
      </div>
      <div class="form-check mb-2">
        <input class="form-check-input" type="checkbox" id="checklist-italian-only" name="italianOnly" data-italian-only>
        <label class="form-check-label" for="checklist-italian-only">${t('checklist.italian_only')}</label>
      </div>
      <div class="d-flex flex-wrap gap-2">
        <button type="submit" class="btn btn-primary btn-sm" data-checklist-preview-btn>${t('checklist.preview')}</button>
        <button type="button" class="btn btn-outline-primary btn-sm" data-checklist-print>${t('checklist.print')}</button>
        <button type="button" class="btn btn-outline-primary btn-sm" data-checklist-save>${t('checklist.save')}</button>
      </div>
    </form>
    <div class="mt-2" data-checklist-status aria-live="polite"></div>
    <div class="mt-2" data-checklist-output></div>
    <div class="mt-3" data-receipt>${['ricevuta', 'informativa'].map(
      (paper) => html`<div class="d-flex flex-wrap align-items-center gap-2 mb-1" data-bilingual="${paper}">
        <span class="me-auto">${t(`forms.${paper}`)}</span>
        <button type="button" class="btn btn-outline-primary btn-sm" data-receipt-action="open">${t('forms.receipt_open')}</button>
        <button type="button" class="btn btn-outline-primary btn-sm" data-receipt-action="print">${t('checklist.print')}</button>
        <button type="button" class="btn btn-outline-primary btn-sm" data-receipt-action="save">${t('checklist.save')}</button>
      </div>`,
    )}</div>
    ${papersHtml()}
    <div data-papers-printed></div>
    <h3 class="h6 mt-3" id="forms-title">${t('forms.title')}</h3>
    <div data-forms role="group" aria-labelledby="forms-title"></div>
    <div class="mt-2" data-forms-status aria-live="polite"></div>
    <div class="mt-2" data-forms-output></div>
  </section>`);

  const form = $(slot, '[data-checklist-form]');
  const errors = $(slot, '[data-checklist-errors]');
  const status = $(slot, '[data-checklist-status]');
  const output = $(slot, '[data-checklist-output]');
  const variant = form.elements.namedItem('variant');
  const duration = form.elements.namedItem('duration');

  const choices = (select, list, first, chosen) => {
    select.replaceChildren(
      ...[...first, ...list].map((v) => {
        const o = document.createElement('option');
        o.value = v.id;
        o.textContent = v.label;
        o.selected = v.id === chosen;
        return o;
      }),
    );
    select.disabled = list.length === 0;
  };
  // The variant, and the band of the banded fee: the requested permit's length decides the contribution
  // (and the bollettino), the payer decides the voluntary SSN amount; the procedure's default is preselected.
  function fillVariants() {
    const p = options.procedures.find((x) => x.id === form.elements.namedItem('procedure').value);
    choices(variant, p ? p.variants : [], [{ id: '', label: t('form.choose') }], '');
    choices(duration, p ? p.bands : [], [], p ? p.band : null);
  }
  fillVariants();
  form.elements.namedItem('procedure').addEventListener('change', fillVariants);
  const formsSlot = $(slot, '[data-forms]');
  const formsStatus = $(slot, '[data-forms-status]');
  const formsOutput = $(slot, '[data-forms-output]');
  mountPapers(slot, formsStatus, caseId);
  const printedSlot = $(slot, '[data-papers-printed]');
  refreshPapers = () => listPapers(printedSlot, formsStatus, caseId);
  refreshPapers();
  // Today's receipt and the privacy notice, in the language chosen for the checklist.
  $(slot, '[data-receipt]').addEventListener('click', async (e) => {
    const button = e.target.closest('[data-receipt-action]');
    if (!button) return;
    const kind = button.closest('[data-bilingual]').dataset.bilingual;
    const language = form.elements.namedItem('language').value;
    render(formsStatus, html``);
    try {
      await leave(formsStatus, button.dataset.receiptAction, { caseId, paper: { kind, options: { language } } });
    } catch (err) {
      // An `invalid` answer's message points at the fields; the receipt has none of its own, so they are
      // listed here.
      render(formsStatus, html`<div class="alert alert-danger" data-receipt-error>${err.message}
        ${err.fields.length ? html`<ul class="mb-0">${err.fields.map((f) => html`<li>${f.message}</li>`)}</ul>` : ''}</div>`);
    }
  });
  const listForms = () => mountForms(formsSlot, formsStatus, formsOutput, caseId, form.elements.namedItem('procedure').value);
  listForms();
  form.elements.namedItem('procedure').addEventListener('change', listForms);

  const args = () => ({
    caseId,
    paper: {
      kind: 'checklist',
      options: {
        procedure: form.elements.namedItem('procedure').value,
        variant: variant.value || null,
        duration: duration.value || null,
        language: form.elements.namedItem('language').value,
        italianOnly: $(form, '[data-italian-only]').checked,
      },
    },
  });

  async function run(action) {
    clearErrors(form, errors);
    render(status, html``);
    try {
      await action(args());
    } catch (err) {
      showErrors(form, errors, err);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run(async (a) => render(output, sheetHtml(await api.checklistPreview(a))));
  });
  $(slot, '[data-checklist-print]').addEventListener('click', () => run((a) => leave(status, 'print', a)));
  $(slot, '[data-checklist-save]').addEventListener('click', () => run((a) => leave(status, 'save', a)));
}
