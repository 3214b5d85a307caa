// Referrals to the partner network (issue 16): the referral dialog (need → the partners proposed for it,
// those speaking the applicant's language first → pick one → reason → consent → the slip's language →
// refer and print the slip), from a case (Alt+I on its screen) or for an anonymous walk-in (header menu,
// with a name typed for the slip only), and a case's referrals with their follow-up buttons (went, did not
// go, resolved, not resolved, each dated) and the slip printed again. It only gathers what the operator
// chose: the proposals, validation, the state machine, the consent rule on the slip, the filing and the audit
// entries are the backend's. It keeps no copy of the referrals: the list is read again after each change.

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t, fmtDate, currentLocale } from '../i18n.js';
import * as ref from '../reference.js';
import { field, showErrors, todayIso, toIsoDate, readChecked } from '../forms.js';

let needsAnswer = null;
/** The needs and the follow-up setting, read once per window (the setting is read again by its screen). */
export async function needs() {
  needsAnswer ??= await api.partnersNeeds();
  return needsAnswer;
}

/** Forgets the needs read (after the responsabile changed the follow-up setting). */
export function forgetNeeds() {
  needsAnswer = null;
}

export const needLabel = (list, code) => {
  const n = list.find((x) => x.code === code);
  if (!n) return code;
  return currentLocale() === 'en' ? n.labelEn : n.labelIt;
};

const languageOptions = () => ref.table('languages').map((i) => ({ value: ref.codeOf(i), text: ref.languageLabel(i) }));

function partnerChoice(p, language) {
  const speaks = p.languages.includes(language);
  return html`<div class="form-check border-top py-1">
    <input class="form-check-input" type="radio" name="referral.partner" id="ref-partner-${p.id}" value="${p.id}"
      data-referral-partner="${p.id}">
    <label class="form-check-label" for="ref-partner-${p.id}">
      <span class="fw-semibold">${p.name}</span>
      ${speaks ? html`<span class="badge bg-success ms-1" data-speaks>${t('referral.speaks')}</span>` : ''}
      ${p.verify ? html`<span class="badge bg-warning text-white ms-1" data-verify>${t('referral.verify')}</span>` : ''}
      <small class="d-block text-muted">${p.address || t('referral.no_address')}${p.hours ? ` · ${p.hours}` : ''}</small>
    </label>
  </div>`;
}

function dialogHtml(n, { walkIn, language }) {
  return html`<h2 class="h5" id="referral-title">${t(walkIn ? 'referral.walk_in_title' : 'referral.title')}</h2>
    <div data-referral-errors role="alert" tabindex="-1" hidden></div>
    <div class="row">
      ${field({
        name: 'referral.need', label: t('referral.need'), kind: 'select', col: 'col-sm-6',
        options: n.needs.map((x) => ({ value: x.code, text: needLabel(n.needs, x.code) })),
        attrs: html`data-referral-need`,
      })}
      ${field({
        name: 'referral.language', label: t('referral.language'), kind: 'select', col: 'col-sm-6',
        value: language || 'it', options: languageOptions(), attrs: html`data-referral-language`,
      })}
    </div>
    <fieldset class="mb-3" data-field="referral.partner">
      <legend class="form-label fs-6">${t('referral.partner')}</legend>
      <div data-referral-proposals><p class="text-muted small mb-0">${t('referral.choose_need')}</p></div>
      <div class="invalid-feedback" data-error-for="referral.partner"></div>
    </fieldset>
    <div class="row">
      ${field({ name: 'referral.reason', label: t('referral.reason'), kind: 'textarea', col: 'col-12', hint: t('referral.reason_hint') })}
      ${walkIn ? field({ name: 'referral.name', label: t('referral.name'), col: 'col-12', hint: t('referral.name_hint') }) : ''}
    </div>
    <div class="form-check mb-3">
      <input class="form-check-input" type="checkbox" id="referral-consent" data-referral-consent>
      <label class="form-check-label" for="referral-consent">${t('referral.consent')}</label>
      <small class="form-text d-block">${t('referral.consent_hint')}</small>
    </div>
    <div class="d-flex gap-2">
      <button type="submit" class="btn btn-primary" data-referral-save>${t('referral.save')}</button>
      <button type="button" class="btn btn-outline-secondary" data-referral-cancel>${t('form.cancel')}</button>
    </div>`;
}

/** What the slip did: printed, or opened in the viewer when there is no printer. */
async function printSlip(id, name) {
  const printed = await api.referralsSlipPrint(id, name);
  if (printed.printed) return 'printed';
  await api.referralsSlipOpen(id, name).catch(() => {});
  return 'opened';
}

/**
 * Opens the referral dialog. opts: { caseId (null: a walk-in), language (the applicant's), onSaved(referral,
 * slip) }. Enter in a select or a checkbox refers; Esc closes; focus goes back where it was.
 */
export async function openReferral(opts) {
  const n = await needs();
  const walkIn = opts.caseId == null;
  const back = document.activeElement;
  const dialog = document.createElement('dialog');
  dialog.className = 'app-dialog p-0';
  dialog.setAttribute('aria-labelledby', 'referral-title');
  dialog.dataset.referralDialog = walkIn ? 'walk-in' : 'case';
  const form = document.createElement('form');
  form.className = 'p-4';
  form.noValidate = true;
  form.autocomplete = 'off';
  dialog.append(form);
  render(form, dialogHtml(n, { walkIn, language: opts.language }));
  document.body.append(dialog);
  const close = () => dialog.close();
  dialog.addEventListener('close', () => {
    dialog.remove();
    back?.focus?.();
  });
  $(form, '[data-referral-cancel]').addEventListener('click', close);
  const proposals = $(form, '[data-referral-proposals]');
  const propose = async () => {
    const need = $(form, '[data-referral-need]').value;
    const language = $(form, '[data-referral-language]').value || opts.language || 'it';
    if (!need) return void render(proposals, html`<p class="text-muted small mb-0">${t('referral.choose_need')}</p>`);
    const list = await api.partnersProposals(need, language);
    render(proposals, list.length
      ? html`${list.map((p) => partnerChoice(p, language))}`
      : html`<p class="text-muted small mb-0" data-no-partner>${t('referral.no_partner')}</p>`);
    const first = $(proposals, '[data-referral-partner]');
    if (first) first.checked = true;
  };
  // (a select moved with the arrow keys reports `input` at once; `change` may wait for the blur)
  for (const sel of ['[data-referral-need]', '[data-referral-language]']) {
    $(form, sel).addEventListener('input', propose);
    $(form, sel).addEventListener('change', propose);
  }
  dialog.showModal();
  $(form, '[data-referral-need]').focus();
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.target.tagName === 'SELECT' || e.target.type === 'checkbox' || e.target.type === 'radio')) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errors = $(form, '[data-referral-errors]');
    const x = readChecked(form, errors);
    if (!x) return;
    const save = $(form, '[data-referral-save]');
    if (save.disabled) return;
    save.disabled = true;
    try {
      const made = await api.referralsMake({
        caseId: walkIn ? null : opts.caseId,
        need: x['referral.need'],
        partnerId: Number($(form, '[data-referral-partner]:checked')?.value ?? 0),
        reason: x['referral.reason'],
        consent: $(form, '[data-referral-consent]').checked,
        language: x['referral.language'],
      });
      const slip = await printSlip(made.id, walkIn ? x['referral.name'] : null).catch((err) => err.message);
      close();
      opts.onSaved?.(made, slip);
    } catch (err) {
      save.disabled = false;
      showErrors(form, errors, err);
    }
  });
}

function referralHtml(r, n, frozen) {
  return html`<li class="border-top py-2" data-referral="${r.id}" data-state="${r.state}">
    <div><span class="fw-semibold">${fmtDate(r.referredOn)}</span> · ${needLabel(n.needs, r.need)} ·
      ${r.partnerName}${r.partnerRetired ? html` <span class="badge bg-secondary">${t('partners.retired')}</span>` : ''}</div>
    <div class="small"><span class="badge bg-primary" data-referral-state>${t(`referral.state.${r.state}`)}</span>
      ${r.state !== 'referred' ? html` ${fmtDate(r.stateOn)}` : ''}
      · ${t(r.consent ? 'referral.with_consent' : 'referral.without_consent')}</div>
    ${frozen ? '' : html`<div class="d-flex flex-wrap gap-1 mt-1 align-items-end no-print">
      ${r.next.length ? html`<input type="text" class="form-control form-control-sm w-auto" data-date
        value="${fmtDate(todayIso())}" aria-label="${t('referral.step_date')}" data-referral-date maxlength="10">` : ''}
      ${r.next.map((s) => html`<button type="button" class="btn btn-outline-primary btn-sm" data-referral-step="${s}">
        ${t(`referral.to.${s}`)}</button>`)}
      <button type="button" class="btn btn-outline-secondary btn-sm" data-referral-slip>${t('referral.slip')}</button>
    </div>`}
    <div class="small text-danger" data-referral-error hidden></div>
  </li>`;
}

/** A case's referrals, newest first, into `section`, with the button that refers (unless frozen). */
export async function mountReferrals(section, { caseId, language, frozen }) {
  const [n, list] = await Promise.all([needs(), api.referralsCase(caseId)]).catch((err) => {
    render(section, html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
    return [null, null];
  });
  if (!n) return;
  const again = (notice) => mountReferrals(section, { caseId, language, frozen, notice });
  render(section, html`<h2 class="h5" id="referrals-title">${t('referral.case_title')}</h2>
    ${frozen ? '' : html`<button type="button" class="btn btn-outline-primary btn-sm mb-2" data-referral-open
      title="${t('referral.open_hint')}">${t('referral.open')}</button>`}
    <div data-referral-notice role="status"></div>
    ${list.length
      ? html`<ul class="list-unstyled mb-0" data-referrals>${list.map((r) => referralHtml(r, n, frozen))}</ul>`
      : html`<p class="text-muted mb-0" data-no-referrals>${t('referral.none')}</p>`}`);
  const notice = (key) => render($(section, '[data-referral-notice]'),
    html`<div class="alert alert-success py-1 small mb-2" data-slip-done="${key}">${t(`referral.slip_${key}`)}</div>`);
  const open = () =>
    openReferral({
      caseId,
      language,
      onSaved: async (_made, slip) => {
        await mountReferrals(section, { caseId, language, frozen });
        if (slip === 'printed' || slip === 'opened') notice(slip);
        $(section, '[data-referral]')?.querySelector('button')?.focus();
      },
    });
  $(section, '[data-referral-open]')?.addEventListener('click', open);
  for (const li of $$(section, '[data-referral]')) {
    const id = Number(li.dataset.referral);
    const fail = (err) => {
      const box = $(li, '[data-referral-error]');
      box.textContent = err.fields?.[0]?.message || err.message;
      box.hidden = false;
    };
    for (const b of $$(li, '[data-referral-step]')) {
      b.addEventListener('click', async () => {
        const date = toIsoDate($(li, '[data-referral-date]').value);
        try {
          await api.referralsFollowUp(id, { state: b.dataset.referralStep, date });
          await again();
          $(section, `[data-referral="${id}"] button`)?.focus();
        } catch (err) {
          fail(err);
        }
      });
    }
    $(li, '[data-referral-slip]')?.addEventListener('click', async () => {
      try {
        notice(await printSlip(id, null));
      } catch (err) {
        fail(err);
      }
    });
  }
  return open;
}
