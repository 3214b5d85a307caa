// A question before something that cannot be undone, in a real modal <dialog>: the title, what will happen,
// the confirming button and "Annulla". The focus starts on "Annulla" (Enter alone never destroys anything),
// stays inside the dialog while it is open (a modal dialog makes the page behind it inert), and goes back to
// the control that opened it when it closes. Esc is "Annulla" and does not reach the screen's own keys (on a
// case, Esc would otherwise also leave the screen). It must not call the backend: the caller acts on the answer.

import { html, mount, $ } from './dom.js';
import { t } from './i18n.js';

let seq = 0;

/**
 * Opens the dialog inside `host` (the screen's element, so a lock or a navigation removes it with the
 * screen) and resolves `true` on the confirming button, `false` on "Annulla" or Esc. spec: { title, body: html`` (what will
 * happen), confirm: the confirming button's text, hook: the dialog's `data-confirm-dialog` value }.
 */
export function confirmDialog(host, { title, body, confirm, hook = '' }) {
  const opener = document.activeElement;
  const id = `confirm-${++seq}`;
  const dialog = document.createElement('dialog');
  dialog.className = 'app-dialog p-0';
  dialog.dataset.confirmDialog = hook;
  dialog.setAttribute('aria-labelledby', `${id}-title`);
  dialog.setAttribute('aria-describedby', `${id}-body`);
  mount(dialog, html`<div class="p-4">
    <h2 class="h4" id="${id}-title">${title}</h2>
    <div class="mb-3" id="${id}-body">${body}</div>
    <div class="d-flex flex-wrap gap-2">
      <button type="button" class="btn btn-danger" data-confirm-ok>${confirm}</button>
      <button type="button" class="btn btn-outline-secondary" data-confirm-cancel>${t('form.cancel')}</button>
    </div>
  </div>`);
  host.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    const close = (yes) => {
      answer = yes;
      if (dialog.open) dialog.close();
    };
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(answer);
    });
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close(false);
      }
    });
    $(dialog, '[data-confirm-ok]').addEventListener('click', () => close(true));
    $(dialog, '[data-confirm-cancel]').addEventListener('click', () => close(false));
    dialog.showModal();
    $(dialog, '[data-confirm-cancel]').focus();
  });
}
