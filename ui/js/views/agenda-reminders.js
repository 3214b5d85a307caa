// The agenda's reminders: on a row, the letter (filed with the case, opened in the viewer) and the SMS and
// e-mail texts in the applicant's language to copy; on the agenda, the week's letters as one batch for the
// printer (or the viewer), each letter then logged as a contact so the row leaves today's list. It maps a
// bucket to the reminder's reason and due date and offers a channel only when the row's consent names it.
// It must not decide who is in which bucket or whether consent is in force (the backend's agenda marks
// `remind` and `channels`), word or lay out anything (the core's `papers::reminder`), nor send anything.

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t } from '../i18n.js';
import { find } from '../reference.js';

/** The reminder a row of `bucket` takes: { reason, dueDate }, or null when none is offered. `expired_legal`
 *  takes none: its letter would ask for a renewal "by" a term already passed, and the row is for legal
 *  advice, not a reminder. `ready` has no reason in the papers. */
export function reminderOf(bucket, row) {
  switch (bucket) {
    case 'expiring':
      return { reason: 'expiring', dueDate: row.due || row.date };
    case 'expired_urgent':
      return { reason: 'expired', dueDate: row.due || row.date };
    case 'kit_no_appointment':
      // The letter names the day the kit was sent: the row's date (it has no due day).
      return { reason: 'kit_no_appointment', dueDate: row.date };
    case 'dimora_due':
      return { reason: 'dimora_due', dueDate: row.due };
    case 'appointments':
      return { reason: 'appointment', dueDate: row.date };
    default:
      return null;
  }
}

/** What may be offered on the row: { letter, messages } (booleans) or { none: why-key }. Today's
 *  appointment takes no letter (it would arrive after the day). */
export function offers(bucket, row) {
  const reminder = reminderOf(bucket, row);
  if (!reminder || !reminder.dueDate) return { none: 'agenda.remind.none_bucket' };
  if (!row.remind) return { none: 'agenda.remind.none_consent' };
  const letter = row.channels.includes('letter') && bucket !== 'appointments';
  const messages = row.channels.includes('sms') || row.channels.includes('email');
  if (!letter && !messages) return { none: 'agenda.remind.none_channel' };
  return { letter, messages };
}

/** The row's reminder cell: its buttons, or why none is offered. */
export function actionsCell(bucket, row) {
  const o = offers(bucket, row);
  if (o.none) return html`<small class="text-muted" data-remind-none>${t(o.none)}</small>`;
  return html`<span class="d-inline-flex gap-1 no-print">
    ${o.letter ? html`<button type="button" class="btn btn-outline-primary btn-sm" data-remind-letter tabindex="-1">${t('agenda.remind.letter')}</button>` : ''}
    ${o.messages ? html`<button type="button" class="btn btn-outline-primary btn-sm" data-remind-messages tabindex="-1">${t('agenda.remind.messages')}</button>` : ''}
  </span>`;
}

const input = (caseId, reminder) => ({ caseId, reason: reminder.reason, dueDate: reminder.dueDate });

/** Logs a letter sent for the row (the outcome `message_left`: the applicant was told, not reached). */
function logLetter(caseId, bucket) {
  return api.agendaRecordContact(caseId, { channel: 'letter', outcome: 'message_left', bucket, note: '' });
}

/** The row's letter: filed with its case and logged as a contact, then opened in the viewer to print (an
 *  error of the viewer comes with `filed` set: the letter is in the case's papers). */
export async function letter(caseId, bucket, row) {
  const filed = await api.remindersLetter(input(caseId, reminderOf(bucket, row)));
  await logLetter(caseId, bucket);
  try {
    await api.papersOpen(filed.file);
  } catch (err) {
    err.filed = true;
    throw err;
  }
}

/** One text to copy, in the applicant's language `lang` (its code and direction: a screen reader reads it in
 *  that language, and Arabic or Persian runs right to left). */
function textBlock(id, label, text, lang) {
  return html`<div class="mb-3">
    <label class="form-label fw-semibold" for="remind-${id}">${label}</label>
    <textarea class="form-control" id="remind-${id}" rows="${id === 'body' ? 8 : id === 'subject' ? 1 : 3}" readonly
      lang="${lang.code}" dir="${lang.dir}" data-remind-text="${id}">${text}</textarea>
    <div class="d-flex align-items-center gap-2 mt-1">
      <button type="button" class="btn btn-outline-primary btn-sm" data-copy="${id}">${t('agenda.remind.copy')}</button>
      <small aria-live="polite" data-copied="${id}"></small>
    </div>
  </div>`;
}

/** Copies a text: the clipboard API when the webview grants it, else the browser's copy command on the
 *  selected text, else the text stays selected for Ctrl+C. Answers [the key of what happened, how]. */
async function copy(area) {
  try {
    await navigator.clipboard.writeText(area.value);
    return ['agenda.remind.copied', 'clipboard'];
  } catch {
    area.focus();
    area.select();
    try {
      if (document.execCommand('copy')) return ['agenda.remind.copied', 'command'];
    } catch {
      // Falls through: the text is selected for the operator's Ctrl+C.
    }
    return ['agenda.remind.select_copy', 'selected'];
  }
}

/** Fills `dialog` with the row's SMS and e-mail (only the channels consented to) and opens it. */
export async function openMessages(dialog, caseId, bucket, row, onClose) {
  const m = await api.remindersMessages(input(caseId, reminderOf(bucket, row)));
  const name = `${row.surname} ${row.givenNames}`.trim();
  const sms = row.channels.includes('sms');
  const email = row.channels.includes('email');
  const lang = { code: m.language, dir: find('languages', m.language)?.dir || 'ltr' };
  render(dialog, html`<div class="p-4" data-remind-dialog>
    <h2 class="h5" id="remind-title">${t('agenda.remind.messages_title', { name, language: m.language })}</h2>
    ${sms
      ? html`${textBlock('sms', t('agenda.remind.sms'), m.sms, lang)}
        <p class="small" data-sms-length>${t('agenda.remind.sms_length', { units: m.smsUnits, parts: m.smsParts, encoding: m.smsEncoding === 'gsm7' ? 'GSM-7' : 'UCS-2' })}</p>`
      : ''}
    ${email
      ? html`${textBlock('subject', t('agenda.remind.subject'), m.subject, lang)}${textBlock('body', t('agenda.remind.body'), m.body, lang)}`
      : ''}
    <p class="small text-muted">${t('agenda.remind.nothing_sent')}</p>
    <button type="button" class="btn btn-secondary" data-remind-close>${t('agenda.remind.close')}</button>
  </div>`);
  dialog.setAttribute('aria-labelledby', 'remind-title');
  dialog.addEventListener('close', onClose, { once: true });
  $(dialog, '[data-remind-close]').addEventListener('click', () => dialog.close());
  dialog.onclick = async (e) => {
    const id = e.target.closest('[data-copy]')?.dataset.copy;
    if (!id) return;
    const [said, how] = await copy($(dialog, `[data-remind-text="${id}"]`));
    const note = $(dialog, `[data-copied="${id}"]`);
    note.textContent = t(said);
    note.dataset.how = how;
  };
  dialog.showModal();
  $(dialog, '[data-copy]')?.focus();
}

/** Every listed to-call row whose consent takes a letter, as the batch's inputs with their buckets. */
export function weekLetters(agenda) {
  const out = [];
  for (const b of agenda.buckets) {
    if (b.group !== 'to_call') continue;
    for (const row of b.rows) {
      if (offers(b.id, row).letter) out.push({ bucket: b.id, input: input(row.caseId, reminderOf(b.id, row)) });
    }
  }
  return out;
}

/** The week's letters through `action` ('print' or 'open'), each then logged as a letter contact.
 *  Answers { count, printed, reason }. The letters are filed with their cases before the printer is asked,
 *  so a printer that refuses leaves them in each case's papers, to print from there: they are logged too. */
export async function printWeek(agenda, action) {
  const letters = weekLetters(agenda);
  if (!letters.length) return { count: 0, printed: null, reason: null };
  const inputs = letters.map((l) => l.input);
  const answer = action === 'open' ? await api.remindersBatchOpen(inputs) : await api.remindersBatchPrint(inputs);
  for (const l of letters) await logLetter(l.input.caseId, l.bucket);
  return { count: answer.letters.length, printed: answer.printed, reason: answer.reason };
}
