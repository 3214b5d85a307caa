// The reference tables from `reference_get` (procedures, motivi, languages, countries, document kinds,
// relations, sexes, steps), cached per operator language, and label look-ups for codes. It must not hold
// any table or label itself: the backend's dated tables are the only source.

import * as api from './api.js';
import { t } from './i18n.js';

let ref = {};
const index = new Map(); // table name → Map(code → item)

export async function loadReference() {
  ref = await api.referenceGet();
  index.clear();
}

/** The items of a table, e.g. table('countries'); [] when the backend has no such table. */
export function table(name) {
  return Array.isArray(ref[name]) ? ref[name] : [];
}

export function codeOf(item) {
  return String(item.code ?? item.id ?? '');
}

export function find(name, code) {
  if (!index.has(name)) index.set(name, new Map(table(name).map((item) => [codeOf(item), item])));
  return index.get(name).get(String(code ?? ''));
}

/** The item's display text in the operator's language. */
export function itemLabel(item) {
  return String(item.label ?? item.name ?? codeOf(item));
}

/** Label of a code, or the code itself when unknown (so an old code stays visible). */
export function label(name, code) {
  const item = find(name, code);
  return item ? itemLabel(item) : code || '';
}

/** Languages: "endonym — name in the operator's language" (the applicant reads the first, the operator the second). */
export function languageLabel(item) {
  return item.endonym !== item.label ? `${item.endonym} — ${item.label}` : item.label;
}

/** Motivi: "16 — Lavoro subordinato", with a hint when the table marks the code as to be verified. */
export function motivoLabel(item) {
  const text = `${codeOf(item)} — ${itemLabel(item)}`;
  return item.verify ? `${text} ${t('form.verify_hint')}` : text;
}

/** A step kind or case status; `correction` is not a step the operator chooses, so it is a UI string. */
export function stepLabel(kind) {
  if (kind === 'correction') return t('steps.correction');
  return label('steps', kind);
}
