// Form building blocks shared by the case form and the step form: one field renderer (label bound to the
// input, an always-present invalid-feedback slot, review marks), the display of backend field errors
// (is-invalid, aria-invalid, aria-describedby, summary alert, focus), and input normalisation (dates, times,
// unpaired surrogates). It must not call the backend nor know the case's shape.

import { html, mount, $$ } from './dom.js';
import { t } from './i18n.js';

export const fieldId = (name) => `f-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;

/**
 * One labelled input. spec: { name, label, value, kind: 'text'|'password'|'date'|'time'|'select'|'textarea'|
 * 'country', options: [{ value, text }] for selects, placeholder: the selects' empty choice (default
 * "— scegli —"), col: bootstrap column class, review: bool, hint: a line under the control that describes
 * it, id: the control's id when two forms on screen have a field of the same name, attrs: extra attributes
 * as an html`` fragment }.
 *
 * Dates are `type="text"` on purpose, not `type="date"`: a date input reports "" for anything it cannot parse,
 * so the backend would say "missing" instead of "not a valid date"; WebKitGTK's segmented date control is also
 * awkward to type into and to drive with WebDriver send-keys. The operator may type AAAA-MM-GG or GG/MM/AAAA;
 * readForm() converts the latter to ISO before sending.
 */
export function field(spec) {
  const { name, label, value = '', kind = 'text', options = [], col = 'col-md-4', review = false, attrs = '' } = spec;
  const { hint = '', placeholder = t('form.choose') } = spec;
  const id = spec.id || fieldId(name);
  const cls = review ? ' review-field' : '';
  const described = hint ? html`aria-describedby="${id}-hint"` : '';
  let control;
  if (kind === 'select') {
    control = html`<select class="form-select${cls}" id="${id}" name="${name}" ${described} ${attrs}>
      <option value="">${placeholder}</option>
      ${options.map((o) => html`<option value="${o.value}" ${o.value === value ? html`selected` : ''}>${o.text}</option>`)}
      ${value && !options.some((o) => o.value === value) ? html`<option value="${value}" selected>${value}</option>` : ''}
    </select>`;
  } else if (kind === 'textarea') {
    control = html`<textarea class="form-control${cls}" id="${id}" name="${name}" rows="3" ${described} ${attrs}>${value}</textarea>`;
  } else {
    const extra =
      kind === 'date'
        ? html`inputmode="numeric" maxlength="10" placeholder="${t('form.date_placeholder')}" title="${t('form.date_hint')}" data-date`
        : kind === 'time'
          ? html`inputmode="numeric" maxlength="5" placeholder="${t('form.time_placeholder')}" data-time`
          : kind === 'country'
            ? html`list="dl-countries" placeholder="${t('form.country_placeholder')}" data-country`
            : kind === 'password'
              ? html`spellcheck="false"`
              : '';
    // A password field is never pre-filled: a secret is typed, sent and forgotten.
    control = html`<input type="${kind === 'password' ? 'password' : 'text'}" class="form-control${cls}" id="${id}"
      name="${name}" value="${kind === 'password' ? '' : value}" autocomplete="off" ${described} ${extra} ${attrs}>`;
  }
  return html`<div class="${col} mb-3" data-field="${name}" ${review ? html`data-review` : ''}>
    <label class="form-label" for="${id}">${label}</label>
    ${control}
    ${hint ? html`<small class="form-text" id="${id}-hint">${hint}</small>` : ''}
    <div class="invalid-feedback" id="${id}-error" data-error-for="${name}"></div>
    ${review ? html`<small class="form-text review-note" data-review-note>${t('form.review_note')}</small>` : ''}
  </div>`;
}

/** GG/MM/AAAA (also with . or -) → AAAA-MM-GG; anything else is returned trimmed, for the backend to judge. */
export function toIsoDate(text) {
  const s = String(text).trim();
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : s;
}

/** 9.30 / 9:30 → 09:30; anything else trimmed. */
export function toTime(text) {
  const s = String(text).trim();
  const m = /^(\d{1,2})[.:](\d{2})$/.exec(s);
  return m ? `${m[1].padStart(2, '0')}:${m[2]}` : s;
}

/** Today in the local time zone, ISO. */
export function todayIso() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The value of every named control as { name: value }, dates and times normalised. Passwords are taken as
 *  typed: a space at either end belongs to the passphrase (trimming it on one form and not on another would
 *  make a passphrase that works nowhere). */
export function readForm(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === 'submit' || el.type === 'button') continue;
    let v = el.value;
    if (el.hasAttribute('data-date')) v = toIsoDate(v);
    else if (el.hasAttribute('data-time')) v = toTime(v);
    else if (el.tagName !== 'TEXTAREA' && el.type !== 'password') v = v.trim();
    out[el.name] = v;
  }
  return out;
}

const wellFormed = (s) =>
  typeof s.isWellFormed === 'function'
    ? s.isWellFormed()
    : !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** Field errors for values with an unpaired surrogate: the IPC layer cannot even carry such a string. */
export function malformedFields(form) {
  return Array.from(form.elements)
    .filter((el) => el.name && typeof el.value === 'string' && !wellFormed(el.value))
    .map((el) => ({ field: el.name, code: 'not_well_formed', message: t('errors.not_well_formed') }));
}

/** The control for a backend field path: exact name, else `path.0` (a list reported as a whole), else the
 *  first control under the path. */
/** Enter submits `form` from any of its controls, a checkbox or radio included (a browser submits only from
 *  a text field); a focused button keeps its own Enter. */
export function submitOnEnter(form) {
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.target.closest('button')) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
}

/** The values of `form` (`readForm`), or null after showing its malformed fields (`malformedFields`) in the
 *  summary slot `errors`: the start of every dialog form's submit. */
export function readChecked(form, errors) {
  const bad = malformedFields(form);
  if (bad.length) {
    showErrors(form, errors, { fields: bad });
    return null;
  }
  return readForm(form);
}

export function findField(form, path) {
  const byName = (n) => Array.from(form.elements).find((el) => el.name === n);
  return byName(path) || byName(`${path}.0`) || Array.from(form.elements).find((el) => el.name?.startsWith(`${path}.`));
}

export function clearErrors(form, summary) {
  for (const el of $$(form, '.is-invalid')) {
    el.classList.remove('is-invalid');
    el.removeAttribute('aria-invalid');
    const base = el.dataset.describedbyBase;
    if (base) el.setAttribute('aria-describedby', base);
    else el.removeAttribute('aria-describedby');
  }
  for (const fb of $$(form, '[data-error-for]')) fb.textContent = '';
  if (summary) {
    summary.hidden = true;
    mount(summary, html``);
  }
}

/**
 * Shows an api error on the form: each field error under its control, all of them in the summary, focus on
 * the first invalid control in DOM order. `extra` is optional markup appended to the summary (e.g. a reload
 * button). Returns the number of field errors placed.
 */
export function showErrors(form, summary, err, extra = '') {
  clearErrors(form, summary);
  const fields = err.fields || [];
  const items = [];
  const placed = [];
  for (const f of fields) {
    const el = findField(form, f.field);
    if (!el) {
      items.push(html`<li>${f.message}</li>`);
      continue;
    }
    const fb = form.querySelector(`[data-error-for="${CSS.escape(el.name)}"]`);
    if (!el.classList.contains('is-invalid')) {
      el.classList.add('is-invalid');
      el.setAttribute('aria-invalid', 'true');
      el.dataset.describedbyBase ??= el.getAttribute('aria-describedby') || '';
      if (fb) el.setAttribute('aria-describedby', `${el.dataset.describedbyBase} ${fb.id}`.trim());
      placed.push(el);
    }
    if (fb) fb.textContent = fb.textContent ? `${fb.textContent} ${f.message}` : f.message;
    // The backend's message already names the field ("Cognome: campo obbligatorio").
    items.push(html`<li><button type="button" class="btn btn-link p-0 text-start" data-focus-field="${el.name}">
      ${f.message}</button></li>`);
  }
  if (summary) {
    const title = fields.length ? t('errors.summary', { n: fields.length }) : err.message;
    mount(summary, html`<div class="alert alert-danger">
      <p class="fw-semibold mb-1">${title}</p>
      ${items.length ? html`<ul class="mb-0">${items}</ul>` : ''}
      ${extra}
    </div>`);
    summary.hidden = false;
    for (const b of $$(summary, '[data-focus-field]')) {
      b.addEventListener('click', () => findField(form, b.dataset.focusField)?.focus());
    }
  }
  const first = Array.from(form.elements).find((el) => placed.includes(el));
  if (first) {
    // Centre it at once, so its label and message are on screen too (focus alone scrolls it to the very
    // edge; Bootstrap's smooth scrolling would still be moving when the operator looks).
    first.focus({ preventScroll: true });
    first.scrollIntoView({ block: 'center', behavior: 'instant' });
  } else summary?.focus();
  return placed.length;
}

/** The <datalist> behind every country input (rendered once per form). */
export function countryDatalist(countries) {
  return html`<datalist id="dl-countries">
    ${countries.map((c) => html`<option value="${c.value}">${c.text}</option>`)}
  </datalist>`;
}

