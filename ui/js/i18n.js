// UI strings: holds the flat map served by `i18n_ui` (keys of locales/ui/<lang>.yml without the `ui.` prefix),
// offers t(key, params) with %{name} placeholders, translates [data-i18n*] elements, and formats dates for
// display. It must not hold any string itself (all text lives in the YAML files).

let strings = {};
let locale = 'it';

/** Takes the strings of `lang` (as `i18n_ui` serves them; app.js fetches them, so this file needs no IPC). */
export function useStrings(lang, map) {
  strings = map;
  locale = lang;
  document.documentElement.lang = lang;
}

export const currentLocale = () => locale;

/** A missing key shows the key itself, so a gap is visible rather than blank. */
export function t(key, params = {}) {
  const s = strings[key];
  if (typeof s !== 'string') return key;
  return s.replace(/%\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

const ATTRS = [
  ['data-i18n-placeholder', 'placeholder'],
  ['data-i18n-title', 'title'],
  ['data-i18n-aria-label', 'aria-label'],
];

export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const [data, attr] of ATTRS) {
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(attr, t(el.getAttribute(data)));
  }
}

/** "2025-03-07" → "07/03/2025", "2025-03" (an anonymised case keeps only the month) → "03/2025"; anything
 *  else is shown as it is. */
export function fmtDate(iso) {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(iso || '');
  if (!m) return iso || '';
  return m[3] ? `${m[3]}/${m[2]}/${m[1]}` : `${m[2]}/${m[1]}`;
}

/** An RFC 3339 instant → local date and time in the operator's language. A month alone (the recording time
 *  of an anonymised case's step) stays a month: it must not turn into a made-up day and hour. */
export function fmtDateTime(rfc3339) {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(rfc3339 || '')) return fmtDate(rfc3339);
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339 || '';
  return new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(d);
}
