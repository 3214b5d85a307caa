// The desk's agenda, the first screen after sign-in: today's Questura appointments (time, applicant, what to
// bring) and permits ready to collect, then who to call (permits expiring within the lead time, expired less
// than the legal term ago, expired longer, kits without an appointment, dimora declarations due), each bucket
// with its count. A row opens its case (Enter) or takes a contact in one keystroke (C: a small form with the
// channel and outcome preselected) or its reminder (L: the letter; M: the SMS and e-mail to copy; only on the
// channels consented to, `agenda-reminders.js`); the week's letters print in one batch; the list prints
// (window.print with the print stylesheet). A responsabile sets the lead time and the kit wait here, beside the conflicting readings of the lead time. It must not
// decide which case is in which bucket (the backend's `agenda_today` does) nor send anything.

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t, fmtDate } from '../i18n.js';
import { field, readForm, showErrors, clearErrors } from '../forms.js';
import * as remind from './agenda-reminders.js';

const CHANNELS = ['phone', 'sms', 'email', 'letter', 'in_person'];
const OUTCOMES = ['reached', 'no_answer', 'message_left', 'wrong_contact', 'will_come', 'dimora_confirmed'];
let firstPaintSent = false;
/** The latest mount's key handler, by the root it rendered into. */
const keys = new WeakMap();

function whenText(bucket, r) {
  switch (bucket) {
    case 'appointments':
      return r.time;
    case 'expiring':
      return t('agenda.days_left', { n: r.days });
    case 'expired_urgent':
    case 'expired_legal':
      return t('agenda.days_late', { n: -r.days });
    case 'dimora_due':
      return t('agenda.due_by', { date: fmtDate(r.due) });
    default:
      return t('agenda.days_ago', { n: -r.days });
  }
}

function consentCell(r) {
  if (!r.remind) return html`<span class="badge bg-warning text-white" data-no-consent>${t('agenda.no_consent')}</span>`;
  return html`<span data-consent>${r.channels.map((c) => t(`agenda.channel.${c}`)).join(', ')}</span>`;
}

/** A count, "1000+" when the backend stopped counting. */
const countText = (b) => (b.capped ? `${b.count}+` : String(b.count));

function rowHtml(bucket, r) {
  return html`<tr data-agenda-row data-case-id="${r.caseId}" data-bucket="${bucket}" tabindex="0"
      aria-label="${t('agenda.row_label', { name: `${r.surname} ${r.givenNames}`.trim(), number: r.number })}">
    <td><a href="#/case/${r.caseId}" tabindex="-1">${r.number}</a></td>
    <td><span class="fw-semibold">${r.surname}</span> ${r.givenNames}</td>
    <td>${fmtDate(r.date)}</td>
    <td data-when>${whenText(bucket, r)}</td>
    <td>${r.phone}${r.email ? html`<br><small>${r.email}</small>` : ''}</td>
    <td>${r.language}</td>
    <td>${consentCell(r)}</td>
    <td>${remind.actionsCell(bucket, r)}</td>
  </tr>`;
}

function bucketHtml(b, settings) {
  const title = t(`agenda.bucket.${b.id}`, { days: settings.leadDays, kit: settings.kitDays });
  const extra =
    b.id === 'appointments' && b.count
      ? html`<p class="mb-2" data-bring>${t('agenda.bring_title')}
          ${settings.bring.map((k) => t(`agenda.bring.${k}`)).join(' · ')}</p>`
      : '';
  return html`<section class="mb-4 agenda-bucket" data-bucket-section="${b.id}" aria-labelledby="bucket-${b.id}">
    <h3 class="h5" id="bucket-${b.id}">${title} <span class="badge bg-primary" data-bucket-count>${countText(b)}</span></h3>
    <p class="small text-muted mb-1">${t(`agenda.hint.${b.id}`)}</p>
    ${extra}
    ${b.count
      ? html`<div class="table-responsive"><table class="table table-sm table-hover align-middle">
          <thead><tr>
            <th scope="col">${t('list.col.number')}</th><th scope="col">${t('list.col.name')}</th>
            <th scope="col">${t(`agenda.col.date.${b.id}`)}</th><th scope="col">${t('agenda.col.when')}</th>
            <th scope="col">${t('agenda.col.contacts')}</th><th scope="col">${t('agenda.col.language')}</th>
            <th scope="col">${t('agenda.col.consent')}</th><th scope="col">${t('agenda.col.remind')}</th>
          </tr></thead>
          <tbody>${b.rows.map((r) => rowHtml(b.id, r))}</tbody>
        </table></div>
        ${b.count > b.rows.length ? html`<p class="small" data-more>${t('agenda.more', { shown: b.rows.length, count: countText(b) })}</p>` : ''}`
      : html`<p class="small" data-bucket-empty>${t('agenda.empty')}</p>`}
  </section>`;
}

function settingsHtml(s) {
  const readings = s.readings.map(
    (r) => html`<li>${t('agenda.reading', { days: r.days, applies: r.appliesTo })}
      ${r.verify ? html`<span class="badge bg-warning text-white">${t('agenda.verify')}</span>` : ''}
      <small class="d-block text-muted">${r.basis}</small></li>`,
  );
  return html`<details class="border rounded p-3 mb-3 no-print" data-agenda-settings>
    <summary class="h6 mb-0">${t('agenda.settings_title')}</summary>
    <p class="mt-2 mb-1">${t('agenda.readings_title')}</p>
    <ul class="small">${readings}</ul>
    <form class="row g-2" data-agenda-settings-form novalidate>
      ${field({ name: 'agenda.leadDays', label: t('agenda.lead_days', { min: s.leadTime.minDays, max: s.leadTime.maxDays }), value: String(s.leadDays), col: 'col-md-4' })}
      ${field({ name: 'agenda.kitDays', label: t('agenda.kit_days', { min: s.kitWait.minDays, max: s.kitWait.maxDays }), value: String(s.kitDays), col: 'col-md-4' })}
      <div class="col-md-4 d-flex align-items-end mb-3">
        <button type="submit" class="btn btn-primary" data-agenda-settings-save>${t('agenda.settings_save')}</button>
      </div>
      <div class="col-12" data-agenda-settings-errors hidden tabindex="-1"></div>
    </form>
  </details>`;
}

/** The small contact form over the agenda: channel and outcome preselected for the row. */
function contactFormHtml(row, bucket) {
  const channel = row.channels?.[0] || 'phone';
  const outcome = bucket === 'dimora_due' ? 'dimora_confirmed' : 'reached';
  const opts = (codes, prefix) => codes.map((c) => ({ value: c, text: t(`${prefix}.${c}`) }));
  return html`<form class="p-4" data-contact-form novalidate>
    <h2 class="h5" id="contact-title">${t('agenda.contact_title', { name: `${row.surname} ${row.givenNames}`.trim() })}</h2>
    <div class="row">
      ${field({ name: 'contact.channel', label: t('contact.channel'), kind: 'select', value: channel, options: opts(CHANNELS, 'agenda.channel'), col: 'col-md-6' })}
      ${field({ name: 'contact.outcome', label: t('contact.outcome'), kind: 'select', value: outcome, options: opts(OUTCOMES, 'agenda.outcome'), col: 'col-md-6' })}
      ${field({ name: 'contact.note', label: t('contact.note'), kind: 'textarea', col: 'col-12' })}
    </div>
    <div data-contact-errors hidden tabindex="-1"></div>
    <div class="d-flex gap-2">
      <button type="submit" class="btn btn-primary" data-contact-save>${t('contact.save')}</button>
      <button type="button" class="btn btn-outline-secondary" data-contact-cancel>${t('contact.cancel')}</button>
    </div>
  </form>`;
}

/** What the last letters did: how many, and whether the printer took them. */
function noticeHtml(n) {
  if (n.error) return html`<div class="alert alert-danger" role="alert" data-letters-error>${n.error}</div>`;
  if (n.letter) return html`<div class="alert alert-success" data-letters-done="1">${t('agenda.remind.letter_done')}</div>`;
  if (!n.count) return html`<div class="alert alert-info" data-letters-done="0">${t('agenda.remind.week_none')}</div>`;
  if (n.printed === false) {
    return html`<div class="alert alert-warning" data-letters-done="${n.count}" data-no-printer>
      <p class="mb-1">${t('agenda.remind.week_no_printer', { n: n.count })}</p>
      ${n.reason ? html`<p class="small mb-0">${n.reason}</p>` : ''}</div>`;
  }
  const key = n.printed ? 'agenda.remind.week_printed' : 'agenda.remind.week_opened';
  return html`<div class="alert alert-success" data-letters-done="${n.count}" data-print-ok>${t(key, { n: n.count })}</div>`;
}

function rowData(agenda, tr) {
  const b = agenda.buckets.find((x) => x.id === tr.dataset.bucket);
  return b?.rows.find((r) => String(r.caseId) === tr.dataset.caseId);
}

export async function mount(root, params = {}) {
  const boss = params.access?.session?.operator.role === 'responsabile';
  let agenda;
  try {
    agenda = await api.agendaToday();
  } catch (err) {
    render(root, html`<div class="container py-3"><div class="alert alert-danger" role="alert" data-agenda-error>${err.message}</div></div>`);
    return {};
  }
  const s = agenda.settings;
  const letters = remind.weekLetters(agenda).length;
  const groups = [
    ['today', t('agenda.group.today')],
    ['to_call', t('agenda.group.to_call')],
  ];
  render(root, html`<div class="container py-3" data-agenda>
    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
      <div>
        <h1 class="h3 mb-1" tabindex="-1" data-agenda-heading>${t('agenda.title', { date: fmtDate(agenda.today) })}</h1>
        <p class="small mb-0 no-print">${t('agenda.keys_hint')}</p>
      </div>
      <div class="d-flex gap-2 no-print">
        <a href="#/" class="btn btn-outline-primary" data-agenda-cases>${t('agenda.to_cases')}</a>
        <button type="button" class="btn btn-outline-primary" data-agenda-print>${t('agenda.print')}</button>
      </div>
    </div>
    <div class="d-flex flex-wrap align-items-center gap-2 mb-3 no-print" data-agenda-letters-bar>
      <button type="button" class="btn btn-primary" data-agenda-letters ${letters ? '' : html`disabled`}>${t('agenda.remind.week', { n: letters })}</button>
      <button type="button" class="btn btn-outline-primary" data-agenda-letters-open ${letters ? '' : html`disabled`}>${t('agenda.remind.week_open')}</button>
      <small class="text-muted">${t('agenda.remind.week_hint')}</small>
    </div>
    <div aria-live="polite" data-agenda-letters-status>${params.notice ? noticeHtml(params.notice) : ''}</div>
    <ul class="list-inline mb-3" data-agenda-counts>
      ${agenda.buckets.map((b) => html`<li class="list-inline-item"><a href="#bucket-${b.id}" data-count-for="${b.id}">${t(`agenda.bucket.${b.id}`, { days: s.leadDays, kit: s.kitDays })}: <strong>${countText(b)}</strong></a></li>`)}
    </ul>
    ${boss ? settingsHtml(s) : ''}
    ${groups.map(([g, title]) => html`<h2 class="h4 mt-3" data-group="${g}">${title}</h2>
      ${agenda.buckets.filter((b) => b.group === g).map((b) => bucketHtml(b, s))}`)}
    <dialog class="app-dialog p-0" data-contact-dialog aria-labelledby="contact-title"></dialog>
    <dialog class="app-dialog p-0" data-messages-dialog aria-labelledby="remind-title"></dialog>
  </div>`);
  if (!firstPaintSent) {
    firstPaintSent = true;
    requestAnimationFrame(() => setTimeout(() => api.appFirstPaint('agenda').catch(() => {}), 0));
  }
  const dialog = $(root, '[data-contact-dialog]');
  const rows = () => $$(root, '[data-agenda-row]');
  $(root, '[data-agenda-print]').addEventListener('click', () => window.print());
  for (const a of $$(root, '[data-count-for]')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const target = $(root, `[data-bucket-section="${a.dataset.countFor}"]`);
      target.scrollIntoView({ block: 'start' });
      $(target, '[data-agenda-row]')?.focus();
    });
  }
  const messagesDialog = $(root, '[data-messages-dialog]');
  const status = $(root, '[data-agenda-letters-status]');
  const failed = (err) => render(status, html`<div class="alert alert-danger" role="alert" data-letters-error>${err.message}</div>`);
  /** L on a row: its letter, filed, logged and opened; the agenda again without the row. */
  async function rowLetter(tr) {
    const row = rowData(agenda, tr);
    if (!row || !remind.offers(tr.dataset.bucket, row).letter) return;
    let notice = { letter: true, count: 1 };
    try {
      await remind.letter(row.caseId, tr.dataset.bucket, row);
    } catch (err) {
      if (!err.filed) return void failed(err);
      // Filed and logged, but the viewer did not open: the row leaves the list all the same.
      notice = { error: err.message };
    }
    await mount(root, { ...params, notice });
  }
  /** M on a row: the SMS and e-mail to copy; the focus back on the row when closed. */
  async function rowMessages(tr) {
    const row = rowData(agenda, tr);
    if (!row || !remind.offers(tr.dataset.bucket, row).messages) return;
    try {
      await remind.openMessages(messagesDialog, row.caseId, tr.dataset.bucket, row, () => tr.focus());
    } catch (err) {
      failed(err);
    }
  }
  async function week(action) {
    for (const b of $$(root, '[data-agenda-letters], [data-agenda-letters-open]')) b.disabled = true;
    render(status, html`<div class="alert alert-info" data-letters-busy>${t('agenda.remind.week_busy')}</div>`);
    let done;
    try {
      done = await remind.printWeek(agenda, action);
    } catch (err) {
      for (const b of $$(root, '[data-agenda-letters], [data-agenda-letters-open]')) b.disabled = false;
      return void failed(err);
    }
    await mount(root, { ...params, notice: done });
  }
  $(root, '[data-agenda-letters]').addEventListener('click', () => week('print'));
  $(root, '[data-agenda-letters-open]').addEventListener('click', () => week('open'));
  // One handler per root: the agenda mounts again into the same root after a contact or letters.
  root.onclick = (e) => {
    const tr = e.target.closest('[data-agenda-row]');
    if (!tr) return;
    if (e.target.closest('[data-remind-letter]')) return void rowLetter(tr);
    if (e.target.closest('[data-remind-messages]')) return void rowMessages(tr);
    if (!e.target.closest('a, button')) location.hash = `#/case/${tr.dataset.caseId}`;
  };

  const settingsForm = $(root, '[data-agenda-settings-form]');
  settingsForm?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const values = readForm(settingsForm);
    const summary = $(settingsForm, '[data-agenda-settings-errors]');
    clearErrors(settingsForm, summary);
    // Empty: back to the data's default. Anything but a whole number goes as 0, which the backend refuses
    // on the field with the bounds (a text would not even reach it as a number of days).
    const days = (v) => (v === '' ? null : Number.isInteger(Number(v)) && Number(v) >= 0 ? Number(v) : 0);
    try {
      const lead = days(values['agenda.leadDays']);
      const kit = days(values['agenda.kitDays']);
      if (lead !== s.leadDays) await api.agendaSetDays('lead_days', lead);
      if (kit !== s.kitDays) await api.agendaSetDays('kit_days', kit);
      await mount(root, { ...params, notice: null });
    } catch (err) {
      showErrors(settingsForm, summary, err);
    }
  });

  function openContact(tr) {
    const row = rowData(agenda, tr);
    if (!row) return;
    render(dialog, contactFormHtml(row, tr.dataset.bucket));
    const form = $(dialog, '[data-contact-form]');
    const close = () => {
      dialog.close();
      tr.focus();
    };
    $(form, '[data-contact-cancel]').addEventListener('click', close);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = readForm(form);
      const summary = $(form, '[data-contact-errors]');
      try {
        await api.agendaRecordContact(Number(tr.dataset.caseId), {
          channel: v['contact.channel'],
          outcome: v['contact.outcome'],
          bucket: tr.dataset.bucket,
          note: v['contact.note'],
        });
      } catch (err) {
        return void showErrors(form, summary, err);
      }
      dialog.close();
      // The register is the truth: the agenda again, without the row now contacted.
      await mount(root, { ...params, notice: null });
      root.querySelector('[data-agenda-row]')?.focus();
    });
    // Enter in a select saves (the form's one action); in the note it is a new line.
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.tagName === 'SELECT') {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    dialog.showModal();
    $(form, '[name="contact.outcome"]').focus();
  }

  $(root, '[data-agenda-heading]').focus();
  // The router keeps the first mount's answer: its onKey asks the latest mount's, which knows this
  // agenda and these dialogs.
  const first = !keys.has(root);
  keys.set(root, onKey);
  return first ? { onKey: (e) => keys.get(root)?.(e) } : {};

  function onKey(e) {
    if (dialog.open || messagesDialog.open || e.altKey || e.ctrlKey || e.metaKey) return;
    const tr = e.target.closest?.('[data-agenda-row]');
    const all = rows();
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!all.length) return;
      e.preventDefault();
      const i = tr ? all.indexOf(tr) : -1;
      const j = i < 0 ? 0 : Math.min(all.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)));
      all[j].focus();
    } else if (tr && e.key === 'Enter') {
      e.preventDefault();
      location.hash = `#/case/${tr.dataset.caseId}`;
    } else if (tr && (e.key === 'c' || e.key === 'C')) {
      e.preventDefault();
      openContact(tr);
    } else if (tr && (e.key === 'l' || e.key === 'L')) {
      e.preventDefault();
      rowLetter(tr);
    } else if (tr && (e.key === 'm' || e.key === 'M')) {
      e.preventDefault();
      rowMessages(tr);
    }
  }
}
