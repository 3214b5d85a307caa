// The case form, for a new case, an edit, or a renewal draft. It owns turning the form into CaseData and
// back, the duplicate warning, the save (idempotent create with a requestId kept across retries, update with
// the revision read) and showing the backend's field errors. It must not validate what the backend validates:
// the only client-side check is for strings the IPC layer cannot carry (unpaired surrogates).

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t, fmtDate } from '../i18n.js';
import * as ref from '../reference.js';
import { field, readForm, malformedFields, showErrors, clearErrors, countryDatalist } from '../forms.js';
import { takeFormProblems } from './checklist-panel.js';

const blankMember = () => ({
  relation: '', surname: '', givenNames: '', sex: '', birthDate: '', citizenship: '', codiceFiscale: '',
});

function blankCase() {
  return {
    applicant: {
      surname: '', givenNames: '', sex: '', birthDate: '', birthPlace: '', birthCountry: '', citizenships: [],
      codiceFiscale: '', phone: '', email: '', language: '',
      document: { kind: '', number: '', authority: '', issueDate: '', expiryDate: '' },
      address: { street: '', houseNumber: '', postcode: '', comune: '', province: '' },
    },
    household: [],
    currentPermit: { motivoCode: '', number: '', expiryDate: '' },
    request: { procedure: '', motivoCode: '' },
    notes: '',
  };
}

function getPath(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj, path, value) {
  const keys = path.split('.');
  let o = obj;
  keys.slice(0, -1).forEach((k, i) => {
    if (o[k] == null) o[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    o = o[k];
  });
  o[keys[keys.length - 1]] = value;
}

const options = (name, text = ref.itemLabel) => ref.table(name).map((i) => ({ value: ref.codeOf(i), text: text(i) }));

/** An operator may type the country's name instead of its code: map an exact name to the code. */
function countryCode(value) {
  const v = value.trim();
  const hit = ref.table('countries').find((c) => ref.itemLabel(c).toLowerCase() === v.toLowerCase());
  return hit ? ref.codeOf(hit) : v.toUpperCase();
}

function collect(form) {
  const values = readForm(form);
  for (const el of $$(form, '[data-country]')) values[el.name] = countryCode(values[el.name]);
  const data = blankCase();
  for (const [path, v] of Object.entries(values)) setPath(data, path, v);
  data.applicant.citizenships = data.applicant.citizenships.filter(Boolean);
  data.household = data.household.filter(Boolean);
  return data;
}

/** Review marks from a renewal draft: a listed path marks the field itself and every field under it. */
const isReview = (st, name) => st.review.some((p) => name === p || name.startsWith(`${p}.`));

function fieldsOf(st, data) {
  return (name, labelKey, opts = {}) =>
    field({ name, label: t(labelKey), value: getPath(data, name) ?? '', review: isReview(st, name), ...opts });
}

function memberRows(st, data) {
  const f = fieldsOf(st, data);
  if (!data.household.length) return html`<p class="text-muted" data-household-empty>${t('form.household_empty')}</p>`;
  return html`${data.household.map(
    (_, i) => html`<div class="member border rounded p-3 mb-3" data-member="${i}">
      <div class="d-flex justify-content-between align-items-center mb-2">
        <h3 class="h6 mb-0">${t('form.member_n', { n: i + 1 })}</h3>
        <button type="button" class="btn btn-sm btn-outline-danger" data-remove-member="${i}">${t('form.remove_member')}</button>
      </div>
      <div class="row">
        ${f(`household.${i}.relation`, 'field.relation', { kind: 'select', options: options('relations'), col: 'col-md-3' })}
        ${f(`household.${i}.surname`, 'field.surname', { col: 'col-md-3' })}
        ${f(`household.${i}.givenNames`, 'field.given_names', { col: 'col-md-3' })}
        ${f(`household.${i}.sex`, 'field.sex', { kind: 'select', options: options('sexes'), col: 'col-md-3' })}
        ${f(`household.${i}.birthDate`, 'field.birth_date', { kind: 'date', col: 'col-md-3' })}
        ${f(`household.${i}.citizenship`, 'field.citizenship', { kind: 'country', col: 'col-md-3' })}
        ${f(`household.${i}.codiceFiscale`, 'field.codice_fiscale', { col: 'col-md-4' })}
      </div>
    </div>`,
  )}`;
}

function section(titleKey, body, hook = '') {
  return html`<fieldset class="mb-4" ${hook}>
    <legend class="h5 border-bottom pb-1">${t(titleKey)}</legend>
    ${body}
  </fieldset>`;
}

function formHtml(st, data) {
  const f = fieldsOf(st, data);
  const motivi = options('motivi', ref.motivoLabel);
  // A request can only ask for a motivo in force today; an old case keeps showing its own.
  const requestMotivi = ref
    .table('motivi')
    .filter((m) => m.inForce || m.code === data?.request?.motivoCode)
    .map((i) => ({ value: ref.codeOf(i), text: ref.motivoLabel(i) }));
  const heading =
    st.mode === 'edit' ? t('form.title_edit', { number: st.number }) : st.mode === 'renew' ? t('form.title_renew') : t('form.title_new');
  return html`<div class="container py-3">
    <h1 class="h3 mb-3" data-form-title>${heading}</h1>
    ${st.renewedFrom
      ? html`<div class="alert alert-warning" data-renew-banner>
          <p class="fw-semibold mb-1">${t('form.renew_banner', { number: st.renewedFrom.number })}</p>
          <p class="mb-0">${t('form.renew_review')}</p>
        </div>`
      : ''}
    <form data-case-form novalidate autocomplete="off">
      <div data-form-errors role="alert" tabindex="-1" hidden></div>
      <div data-duplicate-warning tabindex="-1" hidden></div>
      ${countryDatalist(options('countries'))}
      ${section('form.section.applicant', html`${mrzHtml()}<div class="row">
        ${f('applicant.surname', 'field.surname', { col: 'col-md-4' })}
        ${f('applicant.givenNames', 'field.given_names', { col: 'col-md-4' })}
        ${f('applicant.sex', 'field.sex', { kind: 'select', options: options('sexes'), col: 'col-md-2' })}
        ${f('applicant.birthDate', 'field.birth_date', { kind: 'date', col: 'col-md-2' })}
        ${f('applicant.birthPlace', 'field.birth_place', { col: 'col-md-4' })}
        ${f('applicant.birthCountry', 'field.birth_country', { kind: 'country', col: 'col-md-4' })}
        ${f('applicant.codiceFiscale', 'field.codice_fiscale', { col: 'col-md-4', attrs: html`aria-describedby="f-cf-hint"` })}
        <div class="col-12 mb-2" id="f-cf-hint" role="status" data-cf-hint hidden></div>
        ${f('applicant.citizenships.0', 'field.citizenship', { kind: 'country', col: 'col-md-4' })}
        ${f('applicant.citizenships.1', 'field.citizenship_second', { kind: 'country', col: 'col-md-4' })}
        ${f('applicant.language', 'field.language', { kind: 'select', options: options('languages', ref.languageLabel), col: 'col-md-4' })}
      </div>`)}
      ${section('form.section.document', html`<div class="row">
        ${f('applicant.document.kind', 'field.document_kind', { kind: 'select', options: options('documentKinds'), col: 'col-md-4' })}
        ${f('applicant.document.number', 'field.document_number', { col: 'col-md-4' })}
        ${f('applicant.document.authority', 'field.document_authority', { col: 'col-md-4' })}
        ${f('applicant.document.issueDate', 'field.issue_date', { kind: 'date', col: 'col-md-4' })}
        ${f('applicant.document.expiryDate', 'field.expiry_date', { kind: 'date', col: 'col-md-4' })}
      </div>`)}
      ${section('form.section.contacts', html`<div class="row">
        ${f('applicant.phone', 'field.phone', { col: 'col-md-4', attrs: html`inputmode="tel"` })}
        ${f('applicant.email', 'field.email', { col: 'col-md-8', attrs: html`inputmode="email"` })}
        ${f('applicant.address.street', 'field.street', { col: 'col-md-6' })}
        ${f('applicant.address.houseNumber', 'field.house_number', { col: 'col-md-2' })}
        ${f('applicant.address.postcode', 'field.postcode', { col: 'col-md-2', attrs: html`inputmode="numeric" maxlength="5"` })}
        ${f('applicant.address.comune', 'field.comune', { col: 'col-md-4' })}
        ${f('applicant.address.province', 'field.province', { col: 'col-md-2', attrs: html`maxlength="2"` })}
      </div>`)}
      ${section('form.section.household', html`<div data-household>${memberRows(st, data)}</div>
        <button type="button" class="btn btn-outline-primary btn-sm" data-add-member>${t('form.add_member')}</button>`)}
      ${section('form.section.permit', html`<div class="row">
        ${f('currentPermit.motivoCode', 'field.motivo', { kind: 'select', options: motivi, col: 'col-md-6' })}
        ${f('currentPermit.number', 'field.permit_number', { col: 'col-md-3' })}
        ${f('currentPermit.expiryDate', 'field.expiry_date', { kind: 'date', col: 'col-md-3' })}
      </div>`)}
      ${section('form.section.request', html`<div class="row">
        ${f('request.procedure', 'field.procedure', { kind: 'select', options: options('procedures'), col: 'col-md-4' })}
        ${f('request.motivoCode', 'field.motivo', { kind: 'select', options: requestMotivi, col: 'col-md-8' })}
      </div>`)}
      ${section('form.section.notes', html`<div class="row">${f('notes', 'field.notes', { kind: 'textarea', col: 'col-12' })}</div>`)}
      <div class="form-actions sticky-bottom bg-white border-top py-2 d-flex gap-2">
        <button type="submit" class="btn btn-primary" data-submit>${t('form.save')}</button>
        <button type="button" class="btn btn-outline-secondary" data-cancel title="${t('form.cancel_hint')}">${t('form.cancel')}</button>
      </div>
    </form>
  </div>`;
}

/** The MRZ reader: not a named control, so what it holds never reaches CaseData. */
function mrzHtml() {
  return html`<div class="mb-3" data-mrz-block>
    <label class="form-label" for="f-mrz">${t('form.mrz_label')}</label>
    <div class="d-flex gap-2 align-items-start">
      <textarea class="form-control font-monospace" id="f-mrz" rows="3" spellcheck="false" autocapitalize="characters"
        aria-describedby="f-mrz-help f-mrz-error" data-describedby-base="f-mrz-help f-mrz-error" data-mrz></textarea>
      <button type="button" class="btn btn-outline-primary text-nowrap" data-mrz-read>${t('form.mrz_read')}</button>
    </div>
    <small class="form-text" id="f-mrz-help">${t('form.mrz_hint')}</small>
    <div class="invalid-feedback d-block" id="f-mrz-error" data-error-for="mrz"></div>
    <div class="alert alert-info py-2 mt-2 mb-0" role="status" data-mrz-status hidden></div>
  </div>`;
}

/** The zone's lines as the backend tidies them (spaces out, upper case). */
const mrzLines = (text) =>
  text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, '').toUpperCase())
    .filter(Boolean);

/** Whether the field holds a whole zone: a scanner's last Enter then reads it instead of adding a line. */
function mrzComplete(text) {
  const lines = mrzLines(text);
  const lens = lines.map((l) => l.length);
  if (lines.length === 1) return [88, 72, 90].includes(lens[0]);
  if (lines.length === 2) return lens.every((n) => n === 44) || lens.every((n) => n === 36);
  return lines.length === 3 && lens.every((n) => n === 30);
}

/** Which form control receives each value the zone gives, by kind of document. */
function mrzTargets(reading) {
  const permit = reading.document === 'residence_permit';
  return [
    ['applicant.surname', reading.surname],
    ['applicant.givenNames', reading.givenNames],
    ['applicant.sex', reading.sex],
    ['applicant.birthDate', reading.birthDate],
    ['applicant.citizenships.0', reading.nationality],
    [permit ? 'currentPermit.number' : 'applicant.document.number', reading.documentNumber],
    [permit ? 'currentPermit.expiryDate' : 'applicant.document.expiryDate', reading.expiryDate],
    ...(permit ? [] : [['applicant.document.kind', reading.document]]),
  ].filter(([, v]) => v);
}

function duplicateHtml(rows) {
  return html`<div class="alert alert-warning">
    <p class="fw-semibold mb-1">${t('form.duplicates_title')}</p>
    <p class="mb-1">${t('form.duplicates_text')}</p>
    <ul class="mb-0">
      ${rows.map(
        (r) => html`<li><a href="#/case/${r.id}" data-duplicate-link data-case-id="${r.id}">
          ${t('form.duplicate_row', { number: r.number, name: `${r.surname} ${r.givenNames}`.trim(), birth: fmtDate(r.birthDate) })}</a>
          ${r.matched && r.matched !== 'all' && r.matched !== 'name' ? html`<span class="badge bg-secondary ms-1">${t(`matched.${r.matched}`)}</span>` : ''}</li>`,
      )}
    </ul>
  </div>`;
}

const worthChecking = (d) => (d.applicant.surname && d.applicant.birthDate) || d.applicant.document.number;

/** params: { mode: 'new' | 'edit' | 'renew', id, restore } — restore is a snapshot() taken before a language switch. */
export async function mount(root, params) {
  const st = {
    mode: params.mode || 'new', id: params.id, number: '', revision: null, requestId: crypto.randomUUID(),
    renewedFrom: null, review: [], saving: false, dupSeen: '', dupSeq: 0,
  };
  let data;
  try {
    if (params.restore) {
      Object.assign(st, params.restore.state);
      data = params.restore.data;
    } else if (st.mode === 'edit') {
      const view = await api.casesGet(st.id);
      Object.assign(st, { number: view.number, revision: view.revision });
      data = view.data;
    } else if (st.mode === 'renew') {
      const draft = await api.casesRenewDraft(st.id);
      Object.assign(st, { renewedFrom: draft.renewedFrom, review: draft.reviewFields || [] });
      data = draft.data;
    } else {
      data = blankCase();
    }
  } catch (err) {
    render(root, html`<div class="container py-3"><div class="alert alert-danger" role="alert" data-load-error>${err.message}</div>
      <a href="#/" class="btn btn-outline-secondary" data-back>${t('nav.back_to_list')}</a></div>`);
    return {};
  }
  data = { ...blankCase(), ...data };

  render(root, formHtml(st, data));
  const form = $(root, '[data-case-form]');
  const summary = $(form, '[data-form-errors]');
  const dupPanel = $(form, '[data-duplicate-warning]');
  const submit = $(form, '[data-submit]');

  const cancel = () => (history.length > 1 ? history.back() : (location.hash = '#/'));
  $(form, '[data-cancel]').addEventListener('click', cancel);

  // Household rows are re-rendered from the form's current values, so nothing typed is lost.
  const rerenderMembers = (mutate, focusSel) => {
    const current = collect(form);
    mutate(current.household);
    render($(form, '[data-household]'), memberRows(st, current));
    (focusSel() || $(form, '[data-add-member]')).focus();
  };
  $(form, '[data-add-member]').addEventListener('click', () => {
    rerenderMembers((h) => h.push(blankMember()), () => $$(form, '[data-member]').pop()?.querySelector('select, input'));
  });
  $(form, '[data-household]').addEventListener('click', (e) => {
    const btn = e.target.closest('[data-remove-member]');
    if (!btn) return;
    const i = Number(btn.dataset.removeMember);
    rerenderMembers((h) => h.splice(i, 1), () => null);
  });

  const checkDuplicates = async (d) => {
    if (st.mode === 'edit' || !worthChecking(d)) return [];
    const seq = ++st.dupSeq;
    let rows;
    try {
      rows = await api.casesCheckDuplicates(d);
    } catch {
      return [];
    }
    if (seq !== st.dupSeq) return null; // a newer check is under way
    rows = rows.filter((r) => r.id !== st.renewedFrom?.id);
    dupPanel.hidden = !rows.length;
    render(dupPanel, rows.length ? duplicateHtml(rows) : html``);
    return rows;
  };
  const dupKey = (rows) => rows.map((r) => r.id).sort().join(',');
  for (const name of ['applicant.surname', 'applicant.birthDate', 'applicant.document.number']) {
    form.elements.namedItem(name).addEventListener('change', async () => {
      const rows = await checkDuplicates(collect(form));
      if (rows) st.dupSeen = dupKey(rows);
    });
  }

  // The MRZ: read when the field holds a whole zone (a scanner types the lines, each followed by Enter),
  // or on the button / Ctrl+Enter to hear what is wrong with an incomplete one.
  const mrz = $(form, '[data-mrz]');
  const mrzStatus = $(form, '[data-mrz-status]');
  const readMrz = async () => {
    for (const el of $$(form, '.mrz-filled')) el.classList.remove('mrz-filled');
    mrz.classList.remove('is-invalid');
    mrz.removeAttribute('aria-invalid');
    $(form, '[data-error-for="mrz"]').textContent = '';
    mrzStatus.hidden = true;
    let reading;
    try {
      reading = await api.casesReadMrz(mrz.value);
    } catch (err) {
      const messages = (err.fields || []).map((f) => f.message);
      $(form, '[data-error-for="mrz"]').textContent = messages.length ? messages.join(' · ') : err.message;
      mrz.classList.add('is-invalid');
      mrz.setAttribute('aria-invalid', 'true');
      mrz.focus();
      return;
    }
    const changed = [];
    for (const [name, value] of mrzTargets(reading)) {
      const el = form.elements.namedItem(name);
      if (!el || el.value === value) continue;
      el.value = value;
      el.classList.add('mrz-filled');
      changed.push($(form, `label[for="${el.id}"]`)?.textContent.trim() || name);
    }
    const notes = [
      changed.length ? t('form.mrz_filled', { fields: changed.join(', ') }) : t('form.mrz_nothing_changed'),
      reading.document === 'residence_permit' ? t('form.mrz_permit') : '',
      ...reading.notes.map((n) => t(`form.mrz_note.${n}`)),
    ].filter(Boolean);
    render(mrzStatus, html`${notes.map((n) => html`<p class="mb-0">${n}</p>`)}`);
    mrzStatus.hidden = false;
    mrz.value = '';
    const dup = await checkDuplicates(collect(form));
    if (dup) st.dupSeen = dupKey(dup);
    checkCf();
  };
  mrz.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.stopPropagation();
    if (e.ctrlKey || mrzComplete(mrz.value)) {
      e.preventDefault();
      readMrz();
    }
  });
  mrz.addEventListener('paste', () => setTimeout(() => mrzComplete(mrz.value) && readMrz(), 0));
  $(form, '[data-mrz-read]').addEventListener('click', readMrz);

  // The codice fiscale: what the data gives (a draft) and which part of an entered code differs from it.
  const cfHint = $(form, '[data-cf-hint]');
  let cfSeq = 0;
  const checkCf = async () => {
    const seq = ++cfSeq;
    let h;
    try {
      h = await api.casesCodiceFiscaleHint(collect(form).applicant);
    } catch {
      return;
    }
    if (seq !== cfSeq) return;
    const entered = form.elements.namedItem('applicant.codiceFiscale').value.trim();
    const lines = [];
    let warn = false;
    if (h.differences.length) {
      warn = true;
      lines.push(t('form.cf_mismatch', { parts: h.differences.map((p) => t(`form.cf_part.${p}`)).join(', ') }));
    }
    if (h.computed && (!entered || h.differences.length)) lines.push(t('form.cf_computed', { code: h.computed }));
    if (entered || h.notes.includes('former_state')) lines.push(...h.notes.map((n) => t(`form.cf_note.${n}`)));
    cfHint.className = `col-12 mb-2 small ${warn ? 'text-danger fw-semibold' : 'text-muted'}`;
    render(cfHint, html`${lines.map((l) => html`<div>${l}</div>`)}`);
    cfHint.hidden = !lines.length;
    cfHint.dataset.mismatch = warn ? '1' : '';
  };
  for (const name of ['surname', 'givenNames', 'sex', 'birthDate', 'birthPlace', 'birthCountry', 'codiceFiscale']) {
    form.elements.namedItem(`applicant.${name}`).addEventListener('change', checkCf);
  }

  // Enter on a select submits too (inputs submit natively: the submit button is the form's only default).
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target.tagName === 'SELECT') {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (st.saving) return;
    const bad = malformedFields(form);
    if (bad.length) {
      showErrors(form, summary, { fields: bad });
      return;
    }
    const d = collect(form);
    st.saving = true;
    submit.disabled = true;
    try {
      if (st.mode === 'edit') {
        await api.casesUpdate(st.id, st.revision, d);
        // Back to the detail it was opened from (which re-fetches), without leaving the form in the history.
        if (history.length > 1) history.back();
        else location.replace(`#/case/${st.id}`);
        return;
      }
      // Probable duplicates the operator has not seen yet stop the first save; a second Salva goes through.
      const rows = await checkDuplicates(d);
      if (rows && rows.length && dupKey(rows) !== st.dupSeen) {
        st.dupSeen = dupKey(rows);
        clearErrors(form, summary);
        dupPanel.focus();
        return;
      }
      const view = await api.casesCreate(d, st.requestId, st.renewedFrom?.id ?? null);
      location.replace(`#/case/${view.id}`);
    } catch (err) {
      if (err.kind === 'conflict' && st.mode === 'edit') {
        showErrors(form, summary, { fields: [], message: t('form.conflict') },
          html`<button type="button" class="btn btn-sm btn-outline-danger mt-2" data-reload>${t('form.reload')}</button>`);
        $(summary, '[data-reload]').addEventListener('click', () => mount(root, { mode: st.mode, id: st.id }));
      } else {
        showErrors(form, summary, err);
      }
    } finally {
      st.saving = false;
      submit.disabled = false;
    }
  });

  if (form.elements.namedItem('applicant.codiceFiscale').value) checkCf();
  form.elements.namedItem('applicant.surname').focus();
  // Opened from a form that found problems: show them next to their fields.
  const problems = st.mode === 'edit' ? takeFormProblems(st.id) : null;
  if (problems) showErrors(form, summary, problems);

  return {
    onKey(e) {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        cancel();
      }
    },
    snapshot: () => ({ mode: st.mode, id: st.id, restore: { state: { ...st, saving: false }, data: collect(form) } }),
  };
}
