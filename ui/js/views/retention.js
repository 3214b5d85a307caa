// Retention and the applicant's rights. The responsabile's "Conservazione dei dati" screen (#/retention): the
// policy in force (each purpose's period beside the bundled default, what it counts from, its legal basis and
// source, "da verificare" where the bundled table says so), the Comune's own periods, what the desk knows of
// its funder's final payment, what is due today with an action per row and the run of everything due, and
// the restricted cases with the lifting of a restriction. And, for the case screen (mountCaseRights), one
// case's retention state and periods, the right-of-access report (any operator) and, for a responsabile, the
// erasure request, restricting and lifting, and the deletion receipt of an anonymised case.
//
// Every irreversible step is asked first in a modal dialog (confirm.js). The backend decides what is due,
// until when, why, and who may do what; this file shows its answers and its refusals as they come, and reads
// everything again after each change (it keeps no copy of the policy or the lists of its own).

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t, fmtDate, fmtDateTime } from '../i18n.js';
import * as ref from '../reference.js';
import { field, showErrors } from '../forms.js';
import { confirmDialog } from '../confirm.js';
import { errorsSlot, mountNotAllowed, onSubmit } from './access.js';

/** Art. 18(1)'s reasons, which a responsabile chooses; `erasure_requested` is set by an erasure request. */
const RESTRICT_REASONS = ['accuracy_contested', 'unlawful_processing', 'legal_claims', 'objection'];
const FUNDER_KINDS = ['final_payment', 'no_funder', 'unknown'];

const purposeLabel = (purpose) => t(`retention.purpose.${purpose}`);
// A reason this version does not know comes as null.
const reasonLabel = (reason) => t(`retention.reason.${reason || 'unknown'}`);
const keptUntilText = (day) => (day ? fmtDate(day) : t('retention.kept_unknown'));
const verifyMark = (verify) =>
  verify
    ? html`<span class="badge bg-warning text-white" data-verify title="${t('retention.verify_hint')}">${t('retention.verify')}</span>`
    : '';
// `cls` is the whole class (`alert-success`…): the stylesheet's cut finds only classes written out whole.
const alertHtml = (cls, text, hook) =>
  html`<div class="alert ${cls}" role="${cls === 'alert-danger' ? 'alert' : 'status'}" tabindex="-1" ${hook}>${text}</div>`;

/** The day after `iso` (YYYY-MM-DD): a period's data are kept through its last day and due from the next. */
function dayAfter(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return iso || '';
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1)).toISOString().slice(0, 10);
}

// --- the responsabile's screen -------------------------------------------------------------------------------

function policyHtml(policy) {
  return html`<div class="table-responsive"><table class="table align-middle" data-policy-table>
    <caption class="visually-hidden">${t('retention.policy_caption')}</caption>
    <thead><tr>
      <th scope="col">${t('retention.col.purpose')}</th>
      <th scope="col">${t('retention.col.period')}</th>
      <th scope="col">${t('retention.col.anchor')}</th>
      <th scope="col">${t('retention.col.basis')}</th>
    </tr></thead>
    <tbody>${policy.periods.map((p) => html`<tr data-policy-row data-purpose="${p.purpose}" data-months="${p.months}"
        data-overridden="${String(p.overridden)}" data-verify-period="${String(p.verify)}">
      <th scope="row">${purposeLabel(p.purpose)}</th>
      <td><span class="fw-semibold text-nowrap">${t('retention.months', { n: p.months })}</span> ${verifyMark(p.verify)}
        <small class="d-block text-muted">${p.overridden
          ? t('retention.overridden', { n: p.defaultMonths })
          : t('retention.default_months', { n: p.defaultMonths })}</small></td>
      <td>${t(`retention.anchor.${p.anchor}`)}</td>
      <td>${p.basis}<small class="d-block text-muted retention-source">${t('retention.source', { source: p.source })}</small></td>
    </tr>`)}</tbody>
  </table></div>`;
}

function monthsFormHtml(p) {
  const id = `months-${p.purpose}`;
  return html`<form class="mb-3" data-months-form data-purpose="${p.purpose}" novalidate autocomplete="off"
      aria-labelledby="${id}-title">
    <h3 class="h6" id="${id}-title">${purposeLabel(p.purpose)}</h3>
    ${errorsSlot}
    <div class="row align-items-start">
      ${field({ id, name: 'retention.months', label: t('retention.months_label', { min: p.minMonths, max: p.maxMonths }),
        hint: t('retention.months_hint', { n: p.defaultMonths }), value: String(p.months), col: 'col-md-4',
        attrs: html`inputmode="numeric" maxlength="4"` })}
      <div class="col-md-8 mb-3 d-flex flex-wrap gap-2 align-items-end">
        <button type="submit" class="btn btn-primary" data-months-save>${t('retention.months_save')}</button>
        ${p.overridden
          ? html`<button type="button" class="btn btn-outline-secondary" data-months-reset>${t('retention.months_reset', { n: p.defaultMonths })}</button>`
          : ''}
      </div>
    </div>
  </form>`;
}

function funderHtml(policy) {
  const f = policy.funder;
  const state = f.kind === 'final_payment'
    ? t('retention.funder_state_paid', { date: fmtDate(f.date) })
    : t(`retention.funder_state_${f.kind}`);
  return html`<p data-funder-state="${f.kind}"><strong>${state}</strong>
      ${policy.funderKeptUntil ? html` ${t('retention.funder_kept_until', { date: fmtDate(policy.funderKeptUntil) })}` : ''}</p>
    ${f.kind === 'unknown' ? html`<div class="alert alert-warning" data-funder-unknown>${t('retention.funder_unknown_warning')}</div>` : ''}
    <form data-funder-form novalidate autocomplete="off">
      ${errorsSlot}
      <fieldset class="mb-3">
        <legend class="fs-6 fw-semibold float-none w-auto">${t('retention.funder_legend')}</legend>
        ${FUNDER_KINDS.map((k) => html`<div class="form-check">
          <input class="form-check-input" type="radio" name="kind" id="funder-${k}" value="${k}" data-funder-kind="${k}"
            ${k === f.kind ? html`checked` : ''}>
          <label class="form-check-label" for="funder-${k}">${t(`retention.funder.${k}`)}</label>
        </div>`)}
      </fieldset>
      <div class="row">
        ${field({ id: 'funder-date', name: 'retention.finalPayment', kind: 'date', label: t('retention.funder_date'),
          hint: t('retention.funder_date_hint'), value: f.date || '', col: 'col-md-6' })}
      </div>
      <button type="submit" class="btn btn-primary" data-funder-save>${t('retention.funder_save')}</button>
    </form>`;
}

function dueHtml(due, policy) {
  if (!due.length) {
    const unknown = policy.funder.kind === 'unknown';
    return html`<p class="alert alert-info" data-retention-due-empty data-why="${unknown ? 'funder_unknown' : 'periods_running'}">
      ${t('retention.due_empty')}${unknown ? html` ${t('retention.due_empty_unknown')}` : ''}</p>`;
  }
  return html`<div class="table-responsive"><table class="table align-middle" data-due-table>
      <caption class="visually-hidden">${t('retention.due_caption')}</caption>
      <thead><tr>
        <th scope="col">${t('retention.due_col.case')}</th>
        <th scope="col">${t('retention.due_col.action')}</th>
        <th scope="col">${t('retention.due_col.since')}</th>
        <th scope="col">${t('retention.due_col.erasure')}</th>
        <th scope="col">${t('retention.due_col.actions')}</th>
      </tr></thead>
      <tbody>${due.map((d, i) => html`<tr data-due-row data-index="${i}" data-case-id="${d.caseId}" data-action="${d.action}"
          data-purpose="${d.purpose}">
        <th scope="row"><a href="#/case/${d.caseId}" data-case-link>${d.number}</a></th>
        <td>${t(`retention.due_action.${d.action}`)}
          <small class="d-block text-muted">${purposeLabel(d.purpose)}</small></td>
        <td class="text-nowrap">${fmtDate(dayAfter(d.keptUntil))}
          <small class="d-block text-muted">${t('retention.kept_until', { date: fmtDate(d.keptUntil) })}</small></td>
        <td>${d.erasureRequested
          ? html`<span class="badge bg-secondary" data-erasure-requested>${t('retention.erasure_requested')}</span>`
          : ''}</td>
        <td class="text-nowrap"><button type="button" class="btn btn-outline-danger btn-sm" data-due-do>${t(`retention.do.${d.action}`)}<span
          class="visually-hidden"> — ${t('retention.case_number', { number: d.number })}</span></button></td>
      </tr>`)}</tbody>
    </table></div>
    <button type="button" class="btn btn-danger" data-retention-apply>${t('retention.apply')}</button>`;
}

function restrictedHtml(rows) {
  if (!rows.length) return html`<p class="text-muted mb-0" data-restricted-none>${t('retention.restricted_none')}</p>`;
  return html`<div class="table-responsive"><table class="table align-middle mb-0" data-restricted-table>
    <caption class="visually-hidden">${t('retention.restricted_caption')}</caption>
    <thead><tr>
      <th scope="col">${t('retention.restricted_col.case')}</th>
      <th scope="col">${t('retention.restricted_col.since')}</th>
      <th scope="col">${t('retention.restricted_col.reason')}</th>
      <th scope="col">${t('retention.restricted_col.kept_until')}</th>
      <th scope="col">${t('retention.restricted_col.actions')}</th>
    </tr></thead>
    <tbody>${rows.map((r) => html`<tr data-restricted-row data-case-id="${r.caseId}" data-reason="${r.reason || ''}">
      <th scope="row"><a href="#/case/${r.caseId}" data-case-link>${r.number}</a></th>
      <td class="text-nowrap">${fmtDateTime(r.restrictedAt)}</td>
      <td>${reasonLabel(r.reason)}</td>
      <td class="text-nowrap">${keptUntilText(r.keptUntil)}</td>
      <td class="text-nowrap"><button type="button" class="btn btn-outline-primary btn-sm" data-restricted-lift>${t('retention.lift')}<span
        class="visually-hidden"> — ${t('retention.case_number', { number: r.number })}</span></button></td>
    </tr>`)}</tbody>
  </table></div>`;
}

/** "2025/000012, 2025/000013" or "nessuna". */
const numbers = (list) => (list.length ? list.join(', ') : t('retention.none'));

/** params: { access: AccessState } */
export async function mount(root, { access }) {
  if (access.session.operator.role !== 'responsabile') return mountNotAllowed(root);
  render(root, html`<div class="container py-3" data-retention>
    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
      <h1 class="h3 mb-0" tabindex="-1" data-retention-heading>${t('retention.title')}</h1>
      <a href="#/" class="btn btn-outline-secondary" data-back title="${t('nav.back_hint')}">${t('nav.back_to_list')}</a>
    </div>
    <p>${t('retention.intro')}</p>
    <div data-retention-status aria-live="polite"></div>
    <section class="border rounded p-3 mb-3" aria-labelledby="policy-title">
      <h2 class="h5" id="policy-title">${t('retention.policy_title')}</h2>
      <div data-policy-slot></div>
    </section>
    <section class="border rounded p-3 mb-3" aria-labelledby="funder-title">
      <h2 class="h5" id="funder-title">${t('retention.funder_title')}</h2>
      <p>${t('retention.funder_intro')}</p>
      <div data-funder-slot></div>
    </section>
    <section class="border rounded p-3 mb-3" aria-labelledby="months-title">
      <h2 class="h5" id="months-title">${t('retention.months_title')}</h2>
      <p>${t('retention.months_intro')}</p>
      <div data-months-slot></div>
    </section>
    <section class="border rounded p-3 mb-3" aria-labelledby="due-title">
      <h2 class="h5" id="due-title" tabindex="-1">${t('retention.due_title')}</h2>
      <p>${t('retention.due_intro')}</p>
      <div data-due-slot></div>
    </section>
    <section class="border rounded p-3 mb-3" aria-labelledby="restricted-title">
      <h2 class="h5" id="restricted-title" tabindex="-1">${t('retention.restricted_title')}</h2>
      <p>${t('retention.restricted_intro')}</p>
      <div data-restricted-slot></div>
    </section>
  </div>`);
  const status = $(root, '[data-retention-status]');
  const slot = (name) => $(root, `[data-${name}-slot]`);
  let due = [];
  let restricted = [];

  const say = (kind, text, hook = html`data-retention-done`) => {
    render(status, alertHtml(kind, text, hook));
    return $(status, '.alert');
  };
  const failed = (err) => say('alert-danger', err.message, html`data-retention-error`);

  /** Everything read again and painted; false when the backend refused (its message is on screen). */
  async function load() {
    let policy;
    try {
      [policy, due, restricted] = await Promise.all([api.retentionPolicy(), api.retentionDue(), api.retentionRestricted()]);
    } catch (err) {
      failed(err);
      return false;
    }
    render(slot('policy'), policyHtml(policy));
    render(slot('funder'), funderHtml(policy));
    render(slot('months'), html`${policy.periods.map(monthsFormHtml)}`);
    render(slot('due'), dueHtml(due, policy));
    render(slot('restricted'), restrictedHtml(restricted));
    wire(policy);
    return true;
  }

  /** After a change: everything again, then the outcome said and focused (or `focus`, when it is there). */
  async function changed(text, focus) {
    if (!(await load())) return;
    const box = say('alert-success', text);
    (focus && $(root, focus) ? $(root, focus) : box).focus();
  }

  function wire(policy) {
    // The Comune's period of each purpose, or back to the default.
    for (const form of root.querySelectorAll('[data-months-form]')) {
      const purpose = form.dataset.purpose;
      const p = policy.periods.find((x) => x.purpose === purpose);
      onSubmit(form, {
        // Not a whole number at all is the UI's to say: sent as a number it would be another number.
        check: (v) => {
          if (/^\d{1,4}$/.test(v['retention.months'])) return null;
          const message = t('retention.months_invalid', { min: p.minMonths, max: p.maxMonths });
          return { message, fields: [{ field: 'retention.months', code: 'out_of_range', message }] };
        },
        send: (v) => api.retentionSetMonths(purpose, Number(v['retention.months'])),
        done: (next) =>
          changed(t('retention.months_saved', { purpose: purposeLabel(purpose), n: next.periods.find((x) => x.purpose === purpose)?.months ?? '' }),
            `[data-months-form][data-purpose="${purpose}"] [data-months-save]`),
      });
      $(form, '[data-months-reset]')?.addEventListener('click', async (e) => {
        const btn = e.currentTarget;
        btn.disabled = true;
        try {
          await api.retentionSetMonths(purpose, null);
        } catch (err) {
          btn.disabled = false;
          return void showErrors(form, $(form, '[data-access-errors]'), err);
        }
        await changed(t('retention.months_reset_done', { purpose: purposeLabel(purpose), n: p.defaultMonths }),
          `[data-months-form][data-purpose="${purpose}"] [data-months-save]`);
      });
    }

    // The funder: the date field counts only with "final payment".
    const funder = $(root, '[data-funder-form]');
    const dateField = funder.elements.namedItem('retention.finalPayment');
    const kind = () => $(funder, 'input[name="kind"]:checked')?.value || 'unknown';
    const follow = () => {
      dateField.disabled = kind() !== 'final_payment';
    };
    follow();
    funder.addEventListener('change', follow);
    onSubmit(funder, {
      send: (v) => {
        const k = kind();
        return api.retentionSetFunder(k === 'final_payment' ? { kind: k, date: v['retention.finalPayment'] ?? '' } : { kind: k });
      },
      done: () => changed(t('retention.funder_saved'), '[data-funder-save]'),
    });

    // What is due: one row at a time, or everything.
    $(root, '[data-due-table]')?.addEventListener('click', (e) => {
      const btn = e.target.closest('[data-due-do]');
      if (btn) doRow(due[Number(btn.closest('[data-due-row]').dataset.index)]);
    });
    $(root, '[data-retention-apply]')?.addEventListener('click', applyAll);
    $(root, '[data-restricted-table]')?.addEventListener('click', (e) => {
      const btn = e.target.closest('[data-restricted-lift]');
      if (btn) lift(restricted.find((r) => String(r.caseId) === btn.closest('[data-restricted-row]').dataset.caseId), btn);
    });
  }

  const ROW_ACTIONS = {
    anonymise: (id) => api.retentionAnonymise(id),
    clear_contacts: (id) => api.retentionClearContacts(id),
    minimise_notes: (id) => api.retentionMinimiseNotes(id),
  };

  async function doRow(d) {
    if (!d) return;
    const yes = await confirmDialog(root, {
      title: t(`retention.confirm_title.${d.action}`, { number: d.number }),
      body: html`<p class="mb-0">${t(`retention.confirm_body.${d.action}`)}</p>`,
      confirm: t(`retention.do.${d.action}`),
      hook: d.action,
    });
    if (!yes) return;
    try {
      await ROW_ACTIONS[d.action](d.caseId);
    } catch (err) {
      return void failed(err).focus();
    }
    await changed(t(`retention.done.${d.action}`, { number: d.number }));
  }

  async function applyAll() {
    const count = (action) => due.filter((d) => d.action === action).length;
    const yes = await confirmDialog(root, {
      title: t('retention.apply_title'),
      body: html`<p>${t('retention.apply_body', { anonymise: count('anonymise'), contacts: count('clear_contacts'), notes: count('minimise_notes') })}</p>
        <p class="mb-0 fw-semibold">${t('retention.irreversible')}</p>`,
      confirm: t('retention.apply_confirm'),
      hook: 'apply',
    });
    if (!yes) return;
    say('alert-info', t('retention.applying'), html`data-retention-busy`);
    let report;
    try {
      report = await api.retentionApply();
    } catch (err) {
      return void failed(err).focus();
    }
    await changed(t('retention.applied', {
      anonymised: numbers(report.anonymised.map((a) => a.number)),
      contacts: numbers(report.contactsCleared),
      notes: numbers(report.notesMinimised),
    }));
  }

  async function lift(r, btn) {
    if (!r || btn.disabled) return;
    btn.disabled = true;
    try {
      await api.retentionLift(r.caseId);
    } catch (err) {
      btn.disabled = false;
      return void failed(err).focus();
    }
    await changed(t('retention.lifted', { number: r.number }));
  }

  await load();
  $(root, '[data-retention-heading]').focus();
  return {
    onKey(e) {
      if (e.key === 'Escape' && !e.defaultPrevented && !e.target.closest?.('form')) {
        e.preventDefault();
        location.hash = '#/';
      }
    },
  };
}

// --- a case's section ----------------------------------------------------------------------------------------

/** The language the papers are printed in beside the Italian: the applicant's by default. */
function languageField(id, chosen) {
  const options = ref.table('languages').map((l) => ({ value: ref.codeOf(l), text: ref.languageLabel(l) }));
  const value = options.some((o) => o.value === chosen) ? chosen : 'it';
  return field({ id, name: 'language', kind: 'select', label: t('rights.language'), hint: t('rights.language_hint'),
    options, value, col: 'col-12' });
}

function periodsHtml(r) {
  return html`<div class="table-responsive"><table class="table table-sm mb-3" data-case-periods>
    <caption class="caption-top">${t('rights.periods_caption')}</caption>
    <thead><tr>
      <th scope="col">${t('retention.col.purpose')}</th>
      <th scope="col">${t('retention.col.period')}</th>
      <th scope="col">${t('rights.kept_until')}</th>
    </tr></thead>
    <tbody>${r.periods.map((p) => html`<tr data-case-period data-purpose="${p.purpose}" data-kept-until="${p.keptUntil || ''}"
        data-due="${String(p.due)}">
      <th scope="row">${purposeLabel(p.purpose)}</th>
      <td class="text-nowrap">${t('retention.months', { n: p.months })} ${verifyMark(p.verify)}</td>
      <td>${keptUntilText(p.keptUntil)}
        ${p.due ? html` <span class="badge bg-secondary" data-period-due>${t('rights.due')}</span>` : ''}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

/** The sentence that says where the case stands: anonymised, restricted (why), closed or open. */
export function caseStateText(r) {
  if (r.anonymisedAt) return t('rights.state_anonymised', { date: fmtDateTime(r.anonymisedAt) });
  if (r.restrictedAt) return t('rights.state_restricted', { date: fmtDateTime(r.restrictedAt), reason: reasonLabel(r.restriction) });
  return r.closedOn ? t('rights.state_closed', { date: fmtDate(r.closedOn) }) : t('rights.state_open');
}

export const caseState = (r) => (r.anonymisedAt ? 'anonymised' : r.restrictedAt ? 'restricted' : r.closedOn ? 'closed' : 'open');

/** What the last action left to say, after the case screen was read again (see `mountCaseRights`). */
function noticeHtml(n) {
  if (!n) return '';
  if (n.kind === 'erasure_restricted') {
    return html`<div class="alert alert-warning" role="status" tabindex="-1" data-rights-notice data-erasure-outcome="restricted"
        data-kept-until="${n.keptUntil || ''}">
      <p class="fw-semibold mb-1">${t('rights.erasure_restricted_title')}</p>
      <p class="mb-1" data-why-text>${n.whyText}</p>
      <p class="mb-0">${t('rights.erasure_restricted_tell')}</p>
    </div>`;
  }
  if (n.kind === 'erasure_anonymised') {
    return html`<div class="alert alert-success" role="status" tabindex="-1" data-rights-notice data-erasure-outcome="anonymised">
      <p class="mb-1">${t('rights.erasure_anonymised', { number: n.number })}</p>
      ${n.removed != null ? html`<p class="mb-0 small">${t('rights.anonymised_counts', { fields: n.removed, household: n.household, papers: n.papers })}</p>` : ''}
    </div>`;
  }
  return html`<div class="alert alert-success" role="status" tabindex="-1" data-rights-notice data-rights-done="${n.kind}">${t(`rights.${n.kind}`)}</div>`;
}

/**
 * The case screen's "Diritti dell'interessato e conservazione" into `root`. params: { caseView, state: the
 * `retention_case` answer (null with `error`), boss: a responsabile is signed in, notice: what the last
 * action left to say, receiptLanguage: the language the case had before it was anonymised just now,
 * reload(extra): the case screen read again with `extra` (notice, receiptLanguage) }.
 */
export function mountCaseRights(root, { caseView: v, state: r, error, boss, notice, receiptLanguage, reload }) {
  if (!r) {
    render(root, html`<h2 class="h5" id="rights-title">${t('rights.title')}</h2>
      <div class="alert alert-danger mb-0" role="alert" data-rights-error>${error?.message || t('errors.internal')}</div>`);
    return;
  }
  const state = caseState(r);
  const anonymised = state === 'anonymised';
  const restricted = state === 'restricted';
  const language = anonymised ? receiptLanguage || 'it' : v.data.applicant.language || 'it';
  render(root, html`<h2 class="h5" id="rights-title" tabindex="-1" data-rights-heading>${t('rights.title')}</h2>
    <p data-retention-state="${state}">${caseStateText(r)}</p>
    ${noticeHtml(notice)}
    ${anonymised ? '' : periodsHtml(r)}
    <div class="row">${languageField('rights-language', language)}</div>
    <h3 class="h6">${t('rights.access_title')}</h3>
    <p class="small">${t('rights.access_intro')}</p>
    <div class="d-flex flex-wrap gap-2 mb-3">
      <button type="button" class="btn btn-outline-primary btn-sm" data-access-report="print">${t('rights.access_print')}</button>
      <button type="button" class="btn btn-outline-primary btn-sm" data-access-report="open">${t('rights.access_open')}</button>
    </div>
    ${boss && anonymised
      ? html`<h3 class="h6">${t('rights.receipt_title')}</h3>
        <p class="small">${t('rights.receipt_intro')}</p>
        <div class="d-flex flex-wrap gap-2 mb-3">
          <button type="button" class="btn btn-primary btn-sm" data-deletion-receipt="print">${t('rights.receipt_print')}</button>
          <button type="button" class="btn btn-outline-primary btn-sm" data-deletion-receipt="open">${t('rights.receipt_open')}</button>
        </div>`
      : ''}
    ${boss && !anonymised
      ? html`<h3 class="h6">${t('rights.actions_title')}</h3>
        <div class="mb-3">
          <button type="button" class="btn btn-outline-danger btn-sm" data-erasure-request>${t('rights.erasure')}</button>
          ${r.closedOn ? '' : html`<small class="d-block form-text" data-erasure-open-hint>${t('rights.erasure_open_hint')}</small>`}
        </div>
        ${restricted
          ? html`<button type="button" class="btn btn-outline-primary btn-sm mb-3" data-restriction-lift>${t('rights.lift')}</button>`
          : html`<form data-restrict-form novalidate autocomplete="off" aria-label="${t('rights.restrict')}">
              ${errorsSlot}
              <div class="row">
                ${field({ id: 'rights-reason', name: 'reason', kind: 'select', label: t('rights.restrict_reason'), col: 'col-12',
                  options: RESTRICT_REASONS.map((k) => ({ value: k, text: t(`retention.reason.${k}`) })) })}
              </div>
              <button type="submit" class="btn btn-outline-danger btn-sm mb-3" data-restrict-submit>${t('rights.restrict')}</button>
            </form>`}`
      : ''}
    <div data-rights-status aria-live="polite"></div>`);
  const status = $(root, '[data-rights-status]');
  const say = (kind, text, hook) => {
    render(status, alertHtml(kind, text, hook));
    return $(status, '.alert');
  };
  const chosenLanguage = () => $(root, '[name="language"]').value || 'it';

  /** A paper for the applicant, printed or opened; never filed. */
  async function handOut(btn, run) {
    const action = btn.dataset.accessReport || btn.dataset.deletionReceipt;
    render(status, html``);
    btn.disabled = true;
    try {
      const answer = await run(v.id, chosenLanguage(), action);
      if (action === 'open') say('alert-success', t('rights.opened'), html`data-rights-opened`);
      else if (answer?.printed) say('alert-success', t('rights.printed'), html`data-rights-printed`);
      else {
        render(status, html`<div class="alert alert-warning" role="alert" data-rights-no-printer>
          <p class="mb-1">${t('rights.no_printer')}</p>${answer?.reason ? html`<p class="small mb-0">${answer.reason}</p>` : ''}</div>`);
      }
    } catch (err) {
      say('alert-danger', err.message, html`data-rights-error`);
    } finally {
      btn.disabled = false;
    }
  }
  for (const b of root.querySelectorAll('[data-access-report]')) {
    b.addEventListener('click', () => handOut(b, api.retentionAccessReport));
  }
  for (const b of root.querySelectorAll('[data-deletion-receipt]')) {
    b.addEventListener('click', () => handOut(b, api.retentionDeletionReceipt));
  }

  // Refusals (a closed session aside) are shown here and focused: the backend's message says why.
  const refused = (err) => say('alert-danger', err.message, html`data-rights-error`).focus();

  $(root, '[data-erasure-request]')?.addEventListener('click', async () => {
    const yes = await confirmDialog(root, {
      title: t('rights.erasure_title', { number: v.number }),
      body: html`<p>${t('rights.erasure_body_anonymise')}</p><p>${t('rights.erasure_body_restrict')}</p>
        <p class="mb-0 fw-semibold">${t('retention.irreversible')}</p>`,
      confirm: t('rights.erasure_confirm'),
      hook: 'erasure',
    });
    if (!yes) return;
    let out;
    try {
      out = await api.retentionErasureRequest(v.id);
    } catch (err) {
      return void refused(err);
    }
    if (out.outcome === 'restricted') {
      await reload({ notice: { kind: 'erasure_restricted', whyText: out.whyText || '', keptUntil: out.keptUntil } });
    } else {
      await reload({
        notice: { kind: 'erasure_anonymised', number: out.number, removed: out.removed?.length, household: out.household, papers: out.papers },
        receiptLanguage: out.language || 'it',
      });
    }
  });

  $(root, '[data-restriction-lift]')?.addEventListener('click', async (e) => {
    const btn = e.currentTarget;
    btn.disabled = true;
    try {
      await api.retentionLift(v.id);
    } catch (err) {
      btn.disabled = false;
      return void refused(err);
    }
    await reload({ notice: { kind: 'lifted' } });
  });

  const form = $(root, '[data-restrict-form]');
  if (form) {
    onSubmit(form, {
      check: (x) => {
        if (x.reason) return null;
        const message = t('rights.restrict_reason_needed');
        return { message, fields: [{ field: 'reason', code: 'required', message }] };
      },
      send: (x) => api.retentionRestrict(v.id, x.reason),
      done: () => reload({ notice: { kind: 'restricted' } }),
    });
  }
}
