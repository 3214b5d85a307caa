// A case visit's proposed desk contact (issue 15 §1). Opening a case, printing its papers and recording its
// steps each tick services (the mapping is data: activity.toml's `[[proposal]]` rows, served with the
// activity codes) in ONE proposal per visit, shown on the case's screen: the operator confirms it (Enter),
// corrects the services or the minutes, or dismisses it (Esc). Nothing is recorded without the confirmation,
// and a visit that was recorded or dismissed proposes nothing more. It owns only that visit's state in
// memory; it must not record anything by itself nor keep a copy of the contacts (desk-contact.js lists them).

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t } from '../i18n.js';
import { showErrors, submitOnEnter } from '../forms.js';
import { activityCodes, codedLabel } from './desk-contact.js';

/** The visit in progress: { caseId, language, services: Set, done }, or null. */
let visit = null;
/** Where the proposal is shown, and what to do after it is recorded (set by the case's screen). */
let shown = { slot: null, onSaved: null };

/**
 * The case's screen opens case `caseId`. `fresh`: opened by the operator (not repainted after an action on
 * it): a new visit starts unless this case's visit is still open, and opening ticks its services.
 */
export async function begin(caseId, { fresh, language, slot, onSaved }) {
  shown = { slot, onSaved };
  if (fresh && (!visit || visit.caseId !== caseId || visit.done)) {
    visit = { caseId, language: language || '', services: new Set(), done: false };
    await did(caseId, 'open', { focus: false });
  } else {
    paint(false);
  }
}

/**
 * The operator did `on` (`paper.<kind>`, `step.<kind>`) on case `caseId`: its services are ticked in the
 * visit's proposal, which takes the focus (so Enter confirms it) unless `focus` is false.
 */
export async function did(caseId, on, { focus = true } = {}) {
  if (!visit || visit.caseId !== caseId || visit.done) return false;
  const c = await activityCodes();
  const rows = (c.proposals || []).filter((p) => p.on === on);
  for (const p of rows) p.services.forEach((s) => visit.services.add(s));
  if (rows.length) paint(focus);
  return rows.length > 0;
}

/** Dismisses the visit's proposal (Esc): nothing is recorded, nothing more is proposed in this visit. */
export function dismiss() {
  if (!visit || visit.done) return false;
  visit.done = true;
  paint(false);
  return true;
}

async function paint(focus) {
  const slot = shown.slot;
  if (!slot || !slot.isConnected) return;
  if (!visit || visit.done || !visit.services.size) {
    render(slot, html``);
    return;
  }
  const c = await activityCodes();
  render(slot, html`<form class="border border-primary rounded p-3 mb-3" data-visit-form novalidate autocomplete="off"
      aria-labelledby="visit-title">
    <h2 class="h6" id="visit-title">${t('visit.title')}</h2>
    <p class="small text-muted mb-2">${t('visit.hint')}</p>
    <div data-visit-errors role="alert" tabindex="-1" hidden></div>
    <fieldset class="mb-2" data-field="desk.services">
      <legend class="visually-hidden">${t('desk.services')}</legend>
      ${c.services.map((s) => html`<div class="form-check form-check-inline">
        <input class="form-check-input" type="checkbox" id="visit-svc-${s.code}" value="${s.code}" data-visit-service="${s.code}"
          ${visit.services.has(s.code) ? html`checked` : ''}>
        <label class="form-check-label" for="visit-svc-${s.code}">${codedLabel(s)}</label></div>`)}
      <div class="invalid-feedback" data-error-for="desk.services"></div>
    </fieldset>
    <div class="d-flex flex-wrap align-items-end gap-2" data-field="desk.minutes">
      <div>
        <label class="form-label mb-0 small" for="visit-minutes">${t('desk.minutes')}</label>
        <input class="form-control form-control-sm" id="visit-minutes" name="desk.minutes" inputmode="numeric" value="15"
          size="4" data-visit-minutes>
        <div class="invalid-feedback" data-error-for="desk.minutes"></div>
      </div>
      <button type="submit" class="btn btn-primary btn-sm" data-visit-record>${t('visit.record')}</button>
      <button type="button" class="btn btn-outline-secondary btn-sm" data-visit-dismiss>${t('visit.dismiss')}</button>
    </div>
  </form>`);
  const form = $(slot, '[data-visit-form]');
  // A ticked box changes what this visit proposes (kept if another action repaints it).
  form.addEventListener('change', (e) => {
    const box = e.target.closest('[data-visit-service]');
    if (!box) return;
    if (box.checked) visit.services.add(box.value);
    else visit.services.delete(box.value);
  });
  $(form, '[data-visit-dismiss]').addEventListener('click', dismiss);
  // Enter confirms from any control of the proposal, a checkbox included.
  submitOnEnter(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const record = $(form, '[data-visit-record]');
    if (record.disabled) return;
    record.disabled = true;
    const minutes = Number($(form, '[data-visit-minutes]').value);
    const current = visit;
    try {
      const saved = await api.reportsRecordContact({
        kind: 'visit',
        caseId: current.caseId,
        walkIn: { citizenship: '', sex: '', ageBand: '' },
        services: $$(form, '[data-visit-service]:checked').map((el) => el.value),
        language: current.language,
        mediator: false,
        // (a non-number is sent as 0 so the backend names the field)
        minutes: Number.isInteger(minutes) && minutes > 0 ? minutes : 0,
      });
      current.done = true;
      render(slot, html`<div class="alert alert-success py-2" role="status" data-visit-recorded>${t('visit.recorded')}</div>`);
      shown.onSaved?.(saved);
    } catch (err) {
      record.disabled = false;
      showErrors(form, $(form, '[data-visit-errors]'), err);
    }
  });
  if (focus) {
    const minutesField = $(form, '[data-visit-minutes]');
    minutesField.focus();
    minutesField.select();
  }
}
