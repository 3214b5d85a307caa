// The case detail: the case's data as the backend returns it (with each household member's filing), the step
// timeline (newest first; voided entries struck through), the next-action panel with its step form, the
// correction of the latest step, the desk contacts (desk-contact.js's section: Alt+D records one) and the visit's
// proposed contact (visit.js), the satisfaction question after the collection step, the referrals to partners
// (referrals.js's section: Alt+I refers), the consent
// to reminders and the contact log (contacts-panel.js's section),
// the applicant's rights and the case's retention (retention.js's section), and
// the case's audit entries (read when their section is opened). A restricted or anonymised case is shown
// without the actions that would change, print or export it (the backend refuses changes anyway). After every
// change it re-fetches the case: it must keep no copy of its own.

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t, fmtDate, fmtDateTime } from '../i18n.js';
import * as ref from '../reference.js';
import { mountChecklist } from './checklist-panel.js';
import { mountContacts } from './contacts-panel.js';
import { mountDeskContacts } from './desk-contact.js';
import { mountReferrals } from './referrals.js';
import * as visit from './visit.js';
import { mountCaseActivity } from './audit.js';
import { mountCaseRights, caseState, caseStateText } from './retention.js';
import { field, readForm, malformedFields, showErrors, todayIso } from '../forms.js';

function dl(rows) {
  const shown = rows.filter(([, v]) => v);
  if (!shown.length) return html`<p class="text-muted mb-0">${t('detail.none')}</p>`;
  return html`<dl class="row mb-0">
    ${shown.map(([k, v]) => html`<dt class="col-sm-5">${t(k)}</dt><dd class="col-sm-7">${v}</dd>`)}
  </dl>`;
}

const card = (titleKey, body, hook = '') => html`<section class="border rounded p-3 mb-3" ${hook}>
  <h2 class="h5">${t(titleKey)}</h2>
  ${body}
</section>`;

const country = (code) => ref.label('countries', code);
const join = (...parts) => parts.filter(Boolean).join(' ');
const motivo = (code) => (code ? `${code} — ${ref.label('motivi', code)}` : '');

function permitRows(p) {
  return [
    ['field.motivo', motivo(p.motivoCode)],
    ['field.permit_number', p.number],
    ['field.expiry_date', fmtDate(p.expiryDate)],
  ];
}

function dataCards(v) {
  const a = v.data.applicant;
  const d = a.document;
  const ad = a.address;
  const lang = ref.find('languages', a.language);
  return html`
    ${card('form.section.applicant', dl([
      ['field.full_name', join(a.surname, a.givenNames)],
      ['field.sex', ref.label('sexes', a.sex)],
      ['field.birth_date', fmtDate(a.birthDate)],
      ['field.birth_place', [a.birthPlace, country(a.birthCountry)].filter(Boolean).join(', ')],
      ['field.citizenship', a.citizenships.map(country).join(', ')],
      ['field.codice_fiscale', a.codiceFiscale],
      ['field.language', lang ? ref.languageLabel(lang) : a.language],
    ]), html`data-section="applicant"`)}
    ${card('form.section.document', dl([
      ['field.document_kind', ref.label('documentKinds', d.kind)],
      ['field.document_number', d.number],
      ['field.document_authority', d.authority],
      ['field.issue_date', fmtDate(d.issueDate)],
      ['field.expiry_date', fmtDate(d.expiryDate)],
    ]), html`data-section="document"`)}
    ${card('form.section.contacts', dl([
      ['field.phone', a.phone],
      ['field.email', a.email],
      ['field.address', join([ad.street, ad.houseNumber].filter(Boolean).join(' ') + (ad.postcode || ad.comune ? ',' : ''),
        ad.postcode, ad.comune, ad.province ? `(${ad.province})` : '')],
    ]), html`data-section="contacts"`)}
    ${card('form.section.household', v.data.household.length
      ? html`<div class="table-responsive"><table class="table table-sm mb-0">
          <thead><tr><th scope="col">${t('field.relation')}</th><th scope="col">${t('field.full_name')}</th>
            <th scope="col">${t('field.birth_date')}</th><th scope="col">${t('field.citizenship')}</th>
            <th scope="col">${t('detail.filing')}</th></tr></thead>
          <tbody>${v.data.household.map((m, i) => html`<tr data-member-row="${i}">
            <td>${ref.label('relations', m.relation)}</td><td>${join(m.surname, m.givenNames)}</td>
            <td>${fmtDate(m.birthDate)}</td><td>${country(m.citizenship)}</td>
            <td data-filing="${v.householdFiling[i] || ''}">${v.householdFiling[i] ? t(`filing.${v.householdFiling[i]}`) : ''}</td>
          </tr>`)}</tbody></table></div>`
      : html`<p class="text-muted mb-0">${t('form.household_empty')}</p>`, html`data-section="household"`)}
    ${card('form.section.permit', dl(permitRows(v.data.currentPermit)), html`data-section="permit"`)}
    ${card('form.section.request', dl([
      ['field.procedure', ref.label('procedures', v.data.request.procedure)],
      ['field.motivo', motivo(v.data.request.motivoCode)],
    ]), html`data-section="request"`)}
    ${v.issuedPermit ? card('detail.issued_permit', dl(permitRows(v.issuedPermit)), html`data-section="issued"`) : ''}
    ${v.data.notes ? card('form.section.notes', html`<p class="notes mb-0">${v.data.notes}</p>`, html`data-section="notes"`) : ''}`;
}

function stepDetails(s) {
  const x = s.details || {};
  const p = x.issuedPermit || {};
  const rows = [
    x.assicurata && t('detail.assicurata', { value: x.assicurata }),
    x.appointmentDate && t('detail.appointment', { date: fmtDate(x.appointmentDate), time: x.appointmentTime || '' }),
    x.referredTo && t('detail.referred_to', { value: x.referredTo }),
    (p.motivoCode || p.number || p.expiryDate) &&
      t('detail.issued', { motivo: motivo(p.motivoCode), number: p.number || '', expiry: fmtDate(p.expiryDate) }),
  ].filter(Boolean);
  return rows.map((r) => html`<div>${r}</div>`);
}

/** The entry a "correct the last step" action applies to: the newest one neither voided nor a correction,
 *  unless it is the intake, which records that the case was opened and cannot be voided. */
const correctable = (steps) => {
  const last = steps.filter((s) => !s.voided && s.kind !== 'correction').sort((a, b) => b.id - a.id)[0];
  return last && last.kind !== 'intake' ? last : undefined;
};

function timeline(v, frozen) {
  const steps = [...v.steps].sort((a, b) => b.id - a.id);
  const last = frozen ? undefined : correctable(v.steps);
  const byId = new Map(v.steps.map((s) => [s.id, s]));
  if (!steps.length) return html`<p class="text-muted">${t('detail.no_steps')}</p>`;
  return html`<ol class="timeline list-unstyled mb-0" data-timeline>
    ${steps.map((s) => {
      const target = s.corrects != null ? byId.get(s.corrects) : null;
      return html`<li class="timeline-item border-start border-3 ps-3 pb-3 ${s.voided ? 'voided' : ''}" data-step
          data-step-id="${s.id}" data-step-kind="${s.kind}" ${s.voided ? html`data-voided` : ''}>
        <div class="d-flex flex-wrap gap-2 align-items-baseline">
          <span class="fw-semibold step-label">${ref.stepLabel(s.kind)}</span>
          <span>${fmtDate(s.date)}</span>
          ${s.voided ? html`<span class="badge bg-secondary" data-voided-badge>${t('detail.voided')}</span>` : ''}
        </div>
        ${target ? html`<div>${t('detail.corrects', { step: ref.stepLabel(target.kind), date: fmtDate(target.date) })}</div>` : ''}
        ${stepDetails(s)}
        ${s.note ? html`<div>${s.kind === 'correction' ? t('detail.reason', { value: s.note }) : t('detail.note', { value: s.note })}</div>` : ''}
        <small class="text-muted d-block">${t('detail.recorded', { when: fmtDateTime(s.recordedAt), operator: s.operator || '—' })}</small>
        ${last && last.id === s.id
          ? html`<button type="button" class="btn btn-link btn-sm p-0" data-correct-step="${s.id}">${t('detail.correct_last')}</button>
            <div data-correct-slot></div>`
          : ''}
      </li>`;
    })}
  </ol>`;
}

function nextPanel(v) {
  const [first, ...others] = v.nextSteps;
  return html`<section class="border border-primary rounded p-3 mb-3" data-next-panel tabindex="-1" aria-labelledby="next-title">
    <div>
      <h2 class="h5" id="next-title">${t('detail.next_title')}</h2>
      ${first
        ? html`<div class="d-flex flex-wrap gap-2 align-items-end">
            <button type="button" class="btn btn-primary" data-next-step data-kind="${first}"
              title="${t('detail.next_hint')}">${ref.stepLabel(first)}</button>
            ${others.length
              ? html`<div><label class="form-label mb-0 small" for="step-kind">${t('detail.other_step')}</label>
                  <select class="form-select form-select-sm" id="step-kind" data-step-kind>
                    <option value="">${t('form.choose')}</option>
                    ${others.map((k) => html`<option value="${k}">${ref.stepLabel(k)}</option>`)}
                  </select></div>`
              : ''}
          </div>
          <form class="mt-3" data-step-form novalidate autocomplete="off" hidden></form>`
        : html`<p class="text-muted mb-0" data-no-next>${t('detail.no_next')}</p>`}
    </div>
  </section>`;
}

function stepFormHtml(kind) {
  const f = (name, labelKey, opts = {}) => field({ name, label: t(labelKey), col: 'col-sm-6', ...opts });
  const extra = {
    kit_sent: [f('step.details.assicurata', 'field.assicurata', { attrs: html`inputmode="numeric"` })],
    questura_appointment: [
      f('step.details.appointmentDate', 'field.appointment_date', { kind: 'date' }),
      f('step.details.appointmentTime', 'field.appointment_time', { kind: 'time' }),
    ],
    referred: [f('step.details.referredTo', 'field.referred_to', { col: 'col-12' })],
    collected: [
      f('step.details.issuedPermit.motivoCode', 'field.motivo', {
        kind: 'select', col: 'col-12',
        options: ref.table('motivi').map((i) => ({ value: ref.codeOf(i), text: ref.motivoLabel(i) })),
      }),
      f('step.details.issuedPermit.number', 'field.permit_number'),
      f('step.details.issuedPermit.expiryDate', 'field.expiry_date', { kind: 'date' }),
    ],
  }[kind] || [];
  return html`<h3 class="h6" data-step-form-title>${t('detail.new_step', { step: ref.stepLabel(kind) })}</h3>
    <div data-step-errors role="alert" tabindex="-1" hidden></div>
    <div class="row">
      ${f('step.date', 'field.step_date', { kind: 'date', value: todayIso() })}
      ${extra}
      ${f('step.note', 'field.note', { col: 'col-12' })}
    </div>
    <div class="d-flex gap-2">
      <button type="submit" class="btn btn-primary btn-sm" data-step-submit>${t('detail.record_step')}</button>
      <button type="button" class="btn btn-outline-secondary btn-sm" data-step-cancel>${t('form.cancel')}</button>
    </div>`;
}

const conflictExtra = () =>
  html`<button type="button" class="btn btn-sm btn-outline-danger mt-2" data-reload>${t('form.reload')}</button>`;

/** params: { id, access: AccessState, focus: 'next' | 'rights', notice, receiptLanguage (see mountCaseRights) } */
export async function mount(root, params) {
  const id = Number(params.id);
  const reload = (focus, extra = {}) => mount(root, { id, access: params.access, focus, ...extra });
  const [got, ret] = await Promise.allSettled([api.casesGet(id), api.retentionCase(id)]);
  if (got.status === 'rejected') {
    render(root, html`<div class="container py-3"><div class="alert alert-danger" role="alert" data-load-error>${got.reason.message}</div>
      <a href="#/" class="btn btn-outline-secondary" data-back>${t('nav.back_to_list')}</a></div>`);
    return { onKey: listOnEsc };
  }
  const v = got.value;
  const retention = ret.status === 'fulfilled' ? ret.value : null;
  const state = retention ? caseState(retention) : '';
  // Restricted (art. 18) or anonymised: kept, not changed, printed or carried away.
  const frozen = state === 'restricted' || state === 'anonymised';
  const boss = params.access?.session?.operator.role === 'responsabile';
  const a = v.data.applicant;
  const collected = !frozen && v.status === 'collected';
  render(root, html`<div class="container py-3" data-case-detail data-case-id="${v.id}" data-revision="${v.revision}">
    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
      <div>
        <h1 class="h3 mb-1" data-case-heading tabindex="-1"
          data-document-title="${t('detail.document_title', { number: v.number })}">${t('detail.title', {
          number: v.number, name: join(a.surname, a.givenNames) || (state === 'anonymised' ? t('rights.anonymised_name') : '') })}</h1>
        <span class="badge bg-primary" data-status="${v.status}">${ref.stepLabel(v.status)}</span>
        ${v.renewedFrom
          ? html`<span class="ms-2">${t('detail.renewal_of')} <a href="#/case/${v.renewedFrom.id}" data-renewed-from>${v.renewedFrom.number}</a></span>`
          : ''}
      </div>
      <div class="d-flex flex-wrap gap-2">
        ${frozen ? '' : html`<a href="#/case/${v.id}/edit" class="btn btn-outline-primary" data-edit title="${t('detail.edit_hint')}">${t('detail.edit')}</a>
        <a href="#/case/${v.id}/renew" class="btn ${collected ? 'btn-primary' : 'btn-outline-primary'}" data-renew
          title="${t('detail.renew_hint')}">${t('detail.renew')}</a>
        <a href="#/usb/${v.id}" class="btn btn-outline-primary" data-to-stick title="${t('detail.to_stick_hint')}">${t('detail.to_stick')}</a>`}
        <a href="#/" class="btn btn-outline-secondary" data-back title="${t('nav.back_hint')}">${t('nav.back_to_list')}</a>
      </div>
    </div>
    ${frozen
      ? html`<div class="alert alert-warning" data-retention-banner="${state}">
          <p class="fw-semibold mb-1">${caseStateText(retention)}</p>
          <p class="mb-0">${t('rights.frozen_note')}</p>
        </div>`
      : ''}
    ${collected ? html`<div class="alert alert-info" data-renew-offer>${t('detail.renew_offer')}</div>` : ''}
    <div class="row">
      <div class="col-lg-7">${dataCards(v)}</div>
      <div class="col-lg-5">
        ${frozen ? '' : html`<div data-visit-slot></div><div data-satisfaction-slot></div>`}
        ${frozen ? '' : nextPanel(v)}
        <section class="border rounded p-3 mb-3" data-history>
          <h2 class="h5">${t('detail.timeline')}</h2>
          ${timeline(v, frozen)}
        </section>
        ${frozen ? '' : html`<div data-checklist-slot></div>`}
        ${state === 'anonymised' ? '' : html`<section class="border rounded p-3 mb-3" data-desk-section aria-labelledby="desk-contacts-title"></section>`}
        ${state === 'anonymised' ? '' : html`<section class="border rounded p-3 mb-3" data-referrals-section aria-labelledby="referrals-title"></section>`}
        ${state === 'anonymised' ? '' : html`<section class="border rounded p-3 mb-3" data-contacts aria-labelledby="contacts-title"></section>`}
        <section class="border rounded p-3 mb-3" data-rights aria-labelledby="rights-title"></section>
        <details class="border rounded p-3 mb-3" data-case-activity>
          <summary class="h5 mb-0">${t('detail.activity')}</summary>
          <div class="mt-3" data-case-activity-slot></div>
        </details>
      </div>
    </div>
  </div>`);
  if (!frozen) mountChecklist($(root, '[data-checklist-slot]'), v.id);
  if (state !== 'anonymised') mountContacts($(root, '[data-contacts]'), v.id, frozen);
  const deskSection = $(root, '[data-desk-section]');
  if (deskSection) mountDeskContacts(deskSection, { caseId: v.id, language: a.language, frozen });
  const referralSection = $(root, '[data-referrals-section]');
  if (referralSection) mountReferrals(referralSection, { caseId: v.id, language: a.language, frozen });
  mountCaseRights($(root, '[data-rights]'), {
    caseView: v,
    state: retention,
    error: ret.reason,
    boss,
    notice: params.notice,
    receiptLanguage: params.receiptLanguage,
    reload: (extra) => reload('rights', extra),
  });
  // Read each time the section opens: what was just recorded on this case is there too.
  const activity = $(root, '[data-case-activity]');
  activity.addEventListener('toggle', () => {
    if (activity.open) mountCaseActivity($(activity, '[data-case-activity-slot]'), v.id);
  });

  const stepForm = $(root, '[data-step-form]');
  const openStep = (kind) => {
    render(stepForm, stepFormHtml(kind));
    stepForm.dataset.kind = kind;
    stepForm.hidden = false;
    stepForm.elements.namedItem('step.date').focus();
  };
  const closeStep = () => {
    stepForm.hidden = true;
    render(stepForm, html``);
    $(root, '[data-next-step]').focus();
  };
  $(root, '[data-next-step]')?.addEventListener('click', (e) => openStep(e.currentTarget.dataset.kind));
  $(root, '[data-step-kind]')?.addEventListener('change', (e) => e.target.value && openStep(e.target.value));
  stepForm?.addEventListener('click', (e) => e.target.closest('[data-step-cancel]') && closeStep());
  stepForm?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errors = $(stepForm, '[data-step-errors]');
    const bad = malformedFields(stepForm);
    if (bad.length) return void showErrors(stepForm, errors, { fields: bad });
    const x = readForm(stepForm);
    const submit = $(stepForm, '[data-step-submit]');
    if (submit.disabled) return;
    submit.disabled = true;
    const kind = stepForm.dataset.kind;
    try {
      await api.stepsAdd(v.id, v.revision, {
        kind: stepForm.dataset.kind,
        date: x['step.date'],
        details: {
          assicurata: x['step.details.assicurata'] ?? '',
          appointmentDate: x['step.details.appointmentDate'] ?? '',
          appointmentTime: x['step.details.appointmentTime'] ?? '',
          referredTo: x['step.details.referredTo'] ?? '',
          issuedPermit: {
            motivoCode: x['step.details.issuedPermit.motivoCode'] ?? '',
            number: x['step.details.issuedPermit.number'] ?? '',
            expiryDate: x['step.details.issuedPermit.expiryDate'] ?? '',
          },
        },
        note: x['step.note'],
      });
      // The step's services join the visit's proposal; collecting the permit asks the one question.
      const proposed = await visit.did(v.id, `step.${kind}`, { focus: false });
      await reload(proposed ? 'visit' : 'next', { satisfaction: kind === 'collected' });
    } catch (err) {
      submit.disabled = false;
      showErrors(stepForm, errors, err, err.kind === 'conflict' ? conflictExtra() : '');
      $(errors, '[data-reload]')?.addEventListener('click', () => reload('next'));
    }
  });

  $(root, '[data-timeline]')?.addEventListener('click', (e) => {
    const btn = e.target.closest('[data-correct-step]');
    if (!btn) return;
    const slot = btn.parentElement.querySelector('[data-correct-slot]');
    render(slot, html`<form class="mt-2" data-correct-form novalidate autocomplete="off">
      <div data-correct-errors role="alert" tabindex="-1" hidden></div>
      <div class="row">${field({ name: 'reason', label: t('detail.correct_reason'), col: 'col-12' })}</div>
      <div class="d-flex gap-2">
        <button type="submit" class="btn btn-danger btn-sm" data-correct-submit>${t('detail.correct_confirm')}</button>
        <button type="button" class="btn btn-outline-secondary btn-sm" data-correct-cancel>${t('form.cancel')}</button>
      </div>
    </form>`);
    const form = $(slot, '[data-correct-form]');
    form.elements.namedItem('reason').focus();
    $(form, '[data-correct-cancel]').addEventListener('click', () => {
      render(slot, html``);
      btn.focus();
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const errors = $(form, '[data-correct-errors]');
      const bad = malformedFields(form);
      if (bad.length) return void showErrors(form, errors, { fields: bad });
      const submit = $(form, '[data-correct-submit]');
      if (submit.disabled) return;
      submit.disabled = true;
      try {
        await api.stepsCorrect(v.id, v.revision, Number(btn.dataset.correctStep), readForm(form).reason);
        await reload('next');
      } catch (err) {
        submit.disabled = false;
        showErrors(form, errors, err, err.kind === 'conflict' ? conflictExtra() : '');
        $(errors, '[data-reload]')?.addEventListener('click', () => reload('next'));
      }
    });
  });

  // The visit's proposed desk contact: opening the case (not a repaint after an action on it) ticks
  // its services; printing and stepping add theirs. Awaited only here, once every control of the screen
  // answers: a click on a step while the proposal was asked for must not be lost.
  if (!frozen) {
    await visit.begin(v.id, {
      fresh: !params.focus,
      language: a.language,
      slot: $(root, '[data-visit-slot]'),
      onSaved: () => deskSection && mountDeskContacts(deskSection, { caseId: v.id, language: a.language, frozen }),
    });
  }
  if (!frozen && params.satisfaction) await askSatisfaction($(root, '[data-satisfaction-slot]'), a.language);

  if (params.satisfaction && $(root, '[data-satisfaction-answer]')) $(root, '[data-satisfaction-answer]').focus();
  else if (params.focus === 'visit' && $(root, '[data-visit-minutes]')) {
    $(root, '[data-visit-minutes]').focus();
    $(root, '[data-visit-minutes]').select();
  } else if (params.focus === 'next') ($(root, '[data-next-step]') || $(root, '[data-next-panel]') || $(root, '[data-case-heading]')).focus();
  else if (params.focus === 'rights') {
    // The outcome of what was just done, centred: the section sits low on a long case.
    const to = $(root, '[data-rights-notice]') || $(root, '[data-rights-heading]');
    to.focus({ preventScroll: true });
    to.scrollIntoView({ block: 'center', behavior: 'instant' });
  }
  else $(root, '[data-case-heading]').focus();

  return {
    onKey(e) {
      if (e.key === 'Escape') {
        // Esc first closes an open inline form, then leaves the detail.
        if (e.target.closest?.('[data-visit-form]')) {
          // (the visit's proposal: dismissed, nothing recorded)
          e.preventDefault();
          visit.dismiss();
          $(root, '[data-case-heading]').focus();
          return;
        }
        if (e.target.closest?.('[data-satisfaction]')) {
          e.preventDefault();
          $(root, '[data-satisfaction-skip]').click();
          return;
        }
        const open = e.target.closest?.('[data-step-form], [data-correct-form]');
        e.preventDefault();
        // (look the buttons up now: a reload may have replaced the elements this closure was made with)
        if (open) $(open, '[data-step-cancel], [data-correct-cancel]').click();
        else location.hash = '#/';
      } else if (e.altKey && e.code === 'KeyM' && $(root, '[data-edit]')) {
        // (only where the screen offers it: a restricted or anonymised case is not changed)
        e.preventDefault();
        location.hash = `#/case/${id}/edit`;
      } else if (e.altKey && e.code === 'KeyR' && $(root, '[data-renew]')) {
        e.preventDefault();
        location.hash = `#/case/${id}/renew`;
      } else if (e.altKey && e.code === 'KeyD' && $(root, '[data-desk-contact-open]')) {
        // (the section's own button: it reopens the list after the save)
        e.preventDefault();
        $(root, '[data-desk-contact-open]').click();
      } else if (e.altKey && e.code === 'KeyI' && $(root, '[data-referral-open]')) {
        // Refer to a partner (the section's own button: it reads the referrals again after the slip).
        e.preventDefault();
        $(root, '[data-referral-open]').click();
      } else if (e.altKey && e.code === 'KeyP') {
        e.preventDefault();
        ($(root, '[data-next-step]') || $(root, '[data-next-panel]'))?.focus();
      }
    },
  };
}

/**
 * The optional "did this help you?" at collection, for the applicant to answer: Italian beside the
 * applicant's language (with its `lang` and `dir`). The answer is a month counter kept apart from the case
 * (`reports_record_satisfaction`); skipping is always possible and records nothing.
 */
async function askSatisfaction(slot, language) {
  let q;
  try {
    q = await api.reportsSatisfactionQuestion(language || '');
  } catch {
    return;
  }
  const other = q.applicant;
  const both = (it, theirs) => html`<span lang="it">${it}</span>${other
    ? html` · <span lang="${other.language}" dir="${other.dir}" data-applicant-text>${theirs}</span>`
    : ''}`;
  render(slot, html`<section class="border border-success rounded p-3 mb-3" data-satisfaction
      aria-labelledby="satisfaction-title">
    <h2 class="h6" id="satisfaction-title">${t('satisfaction.title')}</h2>
    <p class="small text-muted mb-2">${t('satisfaction.hint')}</p>
    <p class="fs-5 mb-1" lang="it" data-satisfaction-question>${q.italian.question}</p>
    ${other ? html`<p class="fs-5 mb-2" lang="${other.language}" dir="${other.dir}" data-applicant-text>${other.question}</p>` : ''}
    <div class="d-flex flex-wrap gap-2">
      ${q.italian.answers.map(([code, it], i) => html`<button type="button" class="btn btn-outline-success"
        data-satisfaction-answer="${code}">${both(it, other ? other.answers[i][1] : '')}</button>`)}
      <button type="button" class="btn btn-outline-secondary" data-satisfaction-skip>${t('satisfaction.skip')}</button>
    </div>
    <div data-satisfaction-errors role="alert" hidden></div>
  </section>`);
  const section = $(slot, '[data-satisfaction]');
  section.addEventListener('click', async (e) => {
    if (e.target.closest('[data-satisfaction-skip]')) {
      render(slot, html``);
      return;
    }
    const answer = e.target.closest('[data-satisfaction-answer]');
    if (!answer) return;
    try {
      await api.reportsRecordSatisfaction(answer.dataset.satisfactionAnswer);
      render(slot, html`<div class="alert alert-success py-2" role="status" tabindex="-1" data-satisfaction-thanks>${t('satisfaction.thanks')}</div>`);
      $(slot, '[data-satisfaction-thanks]').focus();
    } catch (err) {
      const box = $(section, '[data-satisfaction-errors]');
      box.hidden = false;
      render(box, html`<div class="alert alert-danger">${err.message}</div>`);
    }
  });
}

function listOnEsc(e) {
  if (e.key === 'Escape') location.hash = '#/';
}
