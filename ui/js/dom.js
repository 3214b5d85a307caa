// Builds HTML. Owns the `html` tagged template, which escapes every interpolated value, and `mount`, the only
// place in the UI that assigns innerHTML. Views must not build markup by string concatenation or touch innerHTML.

const SAFE = Symbol('safe-html');

class SafeHtml {
  constructor(text) {
    this.text = text;
    this[SAFE] = true;
  }
  toString() {
    return this.text;
  }
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escape(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

function piece(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value && value[SAFE]) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escape(value);
}

/** `html\`<p>${text}</p>\`` → SafeHtml. Nested `html` results and arrays of them are kept as markup;
 *  anything else (strings, numbers) is escaped. null / undefined / false render as nothing.
 *  Always quote attribute values in templates: `value="${v}"`. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Replaces the content of `root` with the markup. */
export function mount(root, safe) {
  if (!safe || !safe[SAFE]) throw new TypeError('mount() takes the result of html``');
  root.innerHTML = safe.text;
  return root;
}

export const $ = (root, selector) => root.querySelector(selector);
export const $$ = (root, selector) => Array.from(root.querySelectorAll(selector));
