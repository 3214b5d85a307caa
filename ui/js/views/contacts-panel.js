// The case's reminders section: the applicant's consent to be reminded (channels, language, the day it was
// given, its withdrawal) and the contact log (list, and a contact added). Mounted by case-detail.js. It must
// not decide whether a reminder may be offered (the backend's agenda marks that) nor send anything.

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t, fmtDate, fmtDateTime } from '../i18n.js';
import { field, readForm, showErrors, clearErrors } from '../forms.js';
import * as ref from '../reference.js';

const CHANNELS = ['phone', 'sms', 'email', 'letter', 'in_person'];
const CONSENT_CHANNELS = ['phone', 'sms', 'email', 'letter'];
const OUTCOMES = ['reached', 'no_answer', 'message_left', 'wrong_contact', 'will_come', 'dimora_confirmed'];

function consentHtml(c, frozen) {
  const languages = ref.table('languages').map((l) => ({ value: ref.codeOf(l), text: ref.itemLabel(l) }));
  const box = (k) => html`<div class="form-check form-check-inline">
    <input class="form-check-input" type="checkbox" id="consent-${k}" name="consent.${k}" data-consent-channel="${k}"
      ${c[k] ? html`checked` : ''} ${frozen ? html`disabled` : ''}>
    <label class="form-check-label" for="consent-${k}">${t(`agenda.channel.${k}`)}</label></div>`;
  return html`<form data-consent-form novalidate>
    <fieldset class="mb-2" ${frozen ? html`disabled` : ''}>
      <legend class="h6">${t('contact.consent_title')}</legend>
      <div class="mb-2" data-field="consent.channels">${CONSENT_CHANNELS.map(box)}
        <div class="invalid-feedback d-block" id="f-consent-channels-error" data-error-for="consent.channels"></div></div>
      <div class="row">
        ${field({ name: 'consent.givenOn', label: t('contact.given_on'), kind: 'date', value: fmtDate(c.givenOn), col: 'col-md-4' })}
        ${field({ name: 'consent.withdrawnOn', label: t('contact.withdrawn_on'), kind: 'date', value: fmtDate(c.withdrawnOn), col: 'col-md-4' })}
        ${field({ name: 'consent.language', label: t('contact.language'), kind: 'select', value: c.language, options: languages, placeholder: t('contact.language_own'), col: 'col-md-4' })}
      </div>
      <div data-consent-errors hidden tabindex="-1"></div>
      <button type="submit" class="btn btn-outline-primary btn-sm" data-consent-save>${t('contact.consent_save')}</button>
      <span class="ms-2 small" data-consent-saved hidden>${t('contact.saved')}</span>
    </fieldset>
  </form>`;
}

function logHtml(log) {
  if (!log.length) return html`<p class="small" data-contact-log-empty>${t('contact.log_empty')}</p>`;
  return html`<table class="table table-sm" data-contact-log>
    <thead><tr><th scope="col">${t('contact.col.when')}</th><th scope="col">${t('contact.channel')}</th>
      <th scope="col">${t('contact.outcome')}</th><th scope="col">${t('contact.col.operator')}</th></tr></thead>
    <tbody>${log.map((k) => html`<tr data-contact-entry>
      <td>${fmtDateTime(k.at)}</td><td>${t(`agenda.channel.${k.channel}`)}</td>
      <td>${t(`agenda.outcome.${k.outcome}`)}${k.note ? html`<small class="d-block">${k.note}</small>` : ''}</td>
      <td>${k.operator || k.operatorId}</td></tr>`)}</tbody>
  </table>`;
}

function addHtml() {
  const opts = (codes, prefix) => codes.map((c) => ({ value: c, text: t(`${prefix}.${c}`) }));
  return html`<form class="row" data-contact-add novalidate>
    ${field({ name: 'contact.channel', id: 'case-contact-channel', label: t('contact.channel'), kind: 'select', value: 'phone', options: opts(CHANNELS, 'agenda.channel'), col: 'col-md-6' })}
    ${field({ name: 'contact.outcome', id: 'case-contact-outcome', label: t('contact.outcome'), kind: 'select', value: 'reached', options: opts(OUTCOMES, 'agenda.outcome'), col: 'col-md-6' })}
    ${field({ name: 'contact.note', id: 'case-contact-note', label: t('contact.note'), kind: 'textarea', col: 'col-12' })}
    <div class="col-12" data-contact-add-errors hidden tabindex="-1"></div>
    <div class="col-12"><button type="submit" class="btn btn-outline-primary btn-sm" data-contact-add-save>${t('contact.add')}</button></div>
  </form>`;
}

/** Renders the section into `root` for case `caseId`; `frozen`: restricted or anonymised (read only). */
export async function mountContacts(root, caseId, frozen) {
  let consent;
  let log;
  try {
    [consent, log] = await Promise.all([api.agendaConsent(caseId), api.agendaContacts(caseId)]);
  } catch (err) {
    render(root, html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
    return;
  }
  render(root, html`<h2 class="h5" id="contacts-title">${t('contact.title')}</h2>
    ${consentHtml(consent || {}, frozen)}
    <h3 class="h6 mt-3">${t('contact.log_title')}</h3>
    <div data-contact-log-slot>${logHtml(log)}</div>
    ${frozen ? '' : addHtml()}`);
  const form = $(root, '[data-consent-form]');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = readForm(form);
    const summary = $(form, '[data-consent-errors]');
    clearErrors(form, summary);
    const input = {
      language: v['consent.language'] || '',
      givenOn: v['consent.givenOn'] || '',
      withdrawnOn: v['consent.withdrawnOn'] || '',
    };
    for (const k of CONSENT_CHANNELS) input[k] = form.elements.namedItem(`consent.${k}`).checked;
    try {
      await api.agendaSetConsent(caseId, input);
      $(form, '[data-consent-saved]').hidden = false;
    } catch (err) {
      showErrors(form, summary, err);
    }
  });
  const add = $(root, '[data-contact-add]');
  add?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = readForm(add);
    const summary = $(add, '[data-contact-add-errors]');
    clearErrors(add, summary);
    try {
      const next = await api.agendaRecordContact(caseId, {
        channel: v['contact.channel'],
        outcome: v['contact.outcome'],
        bucket: '',
        note: v['contact.note'],
      });
      render($(root, '[data-contact-log-slot]'), logHtml(next));
      add.reset();
    } catch (err) {
      showErrors(add, summary, err);
    }
  });
}
