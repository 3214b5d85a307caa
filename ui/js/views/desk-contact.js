// The desk-contact form (a visit or a call, from a case or an anonymous walk-in) in a modal dialog, and a
// case's list of its desk contacts. It only gathers what the operator chose and sends it to
// `reports_record_contact`; validation, the day, the operator and the audit entry are the backend's. It must
// not keep a copy of the contacts: the list is read again after each save.

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t, fmtDate, currentLocale } from '../i18n.js';
import * as ref from '../reference.js';
import { field, showErrors, readChecked, submitOnEnter } from '../forms.js';

let codes = null;
/** The activity codes (kinds, services, age bands, staff-time kinds), read once per window. */
export async function activityCodes() {
  codes ??= await api.reportsCodes();
  return codes;
}

/** A code's label in the operator's language. */
export const codedLabel = (c) => (currentLocale() === 'en' ? c.labelEn : c.labelIt);

const options = (name) => ref.table(name).map((i) => ({ value: ref.codeOf(i), text: ref.itemLabel(i) }));

function formHtml(c, { walkIn, language }) {
  const f = (name, labelKey, opts = {}) => field({ name, label: t(labelKey), col: 'col-sm-6', ...opts });
  return html`<h2 class="h5" id="desk-contact-title">${t(walkIn ? 'desk.walk_in_title' : 'desk.contact_title')}</h2>
    <div data-desk-errors role="alert" tabindex="-1" hidden></div>
    <fieldset class="mb-3" data-field="desk.kind">
      <legend class="form-label fs-6">${t('desk.kind')}</legend>
      ${c.kinds.map((k, i) => html`<div class="form-check form-check-inline">
        <input class="form-check-input" type="radio" name="desk.kind" id="desk-kind-${k.code}" value="${k.code}"
          ${i === 0 ? html`checked` : ''} data-desk-kind="${k.code}">
        <label class="form-check-label" for="desk-kind-${k.code}">${codedLabel(k)}</label></div>`)}
    </fieldset>
    <fieldset class="mb-3" data-field="desk.services">
      <legend class="form-label fs-6">${t('desk.services')}</legend>
      ${c.services.map((s) => html`<div class="form-check">
        <input class="form-check-input" type="checkbox" name="desk.services.${s.code}" id="desk-svc-${s.code}"
          value="${s.code}" data-desk-service="${s.code}">
        <label class="form-check-label" for="desk-svc-${s.code}">${codedLabel(s)}</label></div>`)}
      <div class="invalid-feedback" data-error-for="desk.services"></div>
    </fieldset>
    <div class="row">
      ${walkIn
        ? html`${f('desk.citizenship', 'field.citizenship', { kind: 'select', options: options('countries') })}
          ${f('desk.sex', 'field.sex', { kind: 'select', options: options('sexes') })}
          ${f('desk.ageBand', 'desk.age_band', {
            kind: 'select', options: c.ageBands.map((b) => ({ value: b.code, text: b.to == null ? `${b.from}+` : `${b.from}–${b.to}` })),
          })}`
        : ''}
      ${f('desk.language', 'desk.language', {
        kind: 'select', value: language || '', placeholder: t('desk.italian'),
        options: ref.table('languages').map((i) => ({ value: ref.codeOf(i), text: ref.languageLabel(i) })),
      })}
      ${f('desk.minutes', 'desk.minutes', { value: '15', attrs: html`inputmode="numeric"` })}
    </div>
    <div class="form-check mb-3">
      <input class="form-check-input" type="checkbox" name="mediator" id="desk-mediator" value="1" data-desk-mediator>
      <label class="form-check-label" for="desk-mediator">${t('desk.mediator')}</label>
    </div>
    <div class="d-flex gap-2">
      <button type="submit" class="btn btn-primary" data-desk-save>${t('desk.save')}</button>
      <button type="button" class="btn btn-outline-secondary" data-desk-cancel>${t('form.cancel')}</button>
    </div>`;
}

/**
 * Opens the desk-contact dialog. opts: { caseId (null: a walk-in), language (the applicant's), onSaved }.
 * Enter saves (the form's submit), Esc closes; focus goes back where it was.
 */
export async function openDeskContact(opts) {
  const c = await activityCodes();
  const walkIn = opts.caseId == null;
  const back = document.activeElement;
  const dialog = document.createElement('dialog');
  dialog.className = 'app-dialog p-0';
  dialog.setAttribute('aria-labelledby', 'desk-contact-title');
  dialog.dataset.deskContactDialog = walkIn ? 'walk-in' : 'case';
  const form = document.createElement('form');
  form.className = 'p-4';
  form.noValidate = true;
  form.autocomplete = 'off';
  form.dataset.deskContactForm = '';
  dialog.append(form);
  render(form, formHtml(c, { walkIn, language: opts.language }));
  document.body.append(dialog);
  const close = () => dialog.close();
  dialog.addEventListener('close', () => {
    dialog.remove();
    back?.focus?.();
  });
  $(form, '[data-desk-cancel]').addEventListener('click', close);
  dialog.showModal();
  $(form, '[data-desk-kind]').focus();
  // Enter saves from any control of the form, a checkbox or radio included (not only from a text field).
  submitOnEnter(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errors = $(form, '[data-desk-errors]');
    const x = readChecked(form, errors);
    if (!x) return;
    const save = $(form, '[data-desk-save]');
    if (save.disabled) return;
    save.disabled = true;
    const minutes = Number(x['desk.minutes']);
    try {
      const saved = await api.reportsRecordContact({
        kind: $(form, '[data-desk-kind]:checked')?.value ?? '',
        caseId: walkIn ? null : opts.caseId,
        walkIn: walkIn
          ? { citizenship: x['desk.citizenship'], sex: x['desk.sex'], ageBand: x['desk.ageBand'] }
          : { citizenship: '', sex: '', ageBand: '' },
        services: $$(form, '[data-desk-service]:checked').map((el) => el.value),
        language: x['desk.language'],
        mediator: $(form, '[data-desk-mediator]').checked,
        // (a non-number is sent as 0 so the backend names the field)
        minutes: Number.isInteger(minutes) && minutes > 0 ? minutes : 0,
      });
      close();
      opts.onSaved?.(saved);
    } catch (err) {
      save.disabled = false;
      showErrors(form, errors, err);
    }
  });
}

/** A case's desk contacts, newest first, into `section`, with the button that records one (unless frozen). */
export async function mountDeskContacts(section, { caseId, language, frozen }) {
  const [c, list] = await Promise.all([activityCodes(), api.reportsCaseContacts(caseId)]).catch((err) => {
    render(section, html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
    return [null, null];
  });
  if (!c) return;
  const label = (codesList, code) => {
    const hit = codesList.find((k) => k.code === code);
    return hit ? codedLabel(hit) : code;
  };
  render(section, html`<h2 class="h5" id="desk-contacts-title">${t('desk.case_title')}</h2>
    ${frozen ? '' : html`<button type="button" class="btn btn-outline-primary btn-sm mb-2" data-desk-contact-open
      title="${t('desk.open_hint')}">${t('desk.open')}</button>`}
    ${list.length
      ? html`<ul class="list-unstyled mb-0" data-desk-contacts>
          ${list.map((d) => html`<li class="border-top py-1" data-desk-contact="${d.id}" data-kind="${d.kind}">
            <span class="fw-semibold">${fmtDate(d.day)}</span> · ${label(c.kinds, d.kind)} ·
            ${d.services.map((s) => label(c.services, s)).join(', ')} ·
            ${t('desk.minutes_value', { n: d.minutes })}${d.mediator ? html` · ${t('desk.with_mediator')}` : ''}
          </li>`)}
        </ul>`
      : html`<p class="text-muted mb-0" data-no-desk-contacts>${t('desk.none')}</p>`}`);
  const open = () =>
    openDeskContact({ caseId, language, onSaved: () => mountDeskContacts(section, { caseId, language, frozen }) });
  $(section, '[data-desk-contact-open]')?.addEventListener('click', open);
  return open;
}
