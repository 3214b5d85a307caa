// The "Informazioni e contenuti" screen (#/content): the about screen every operator can open from the header
// menu (the app's version, the data folder, and which content the desk prints from: its version and date,
// built in or installed, and why an installed pack is not in force), and, for a responsabile, content packs:
// a pack found on a stick or chosen with the file picker, what applying it would change (procedures added,
// removed or changed, the fees' dated amounts, the languages updated, every file), applying it and going back
// to the previous content, each asked first in a modal dialog (confirm.js).
//
// The backend verifies, checks, compares and swaps (`content_*` commands); this file shows its answers and
// refusals as they come, and reads the content in force again after each change.

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t, fmtDate } from '../i18n.js';
import { confirmDialog } from '../confirm.js';

const euros = (cents) => (cents / 100).toLocaleString('it-IT', { minimumFractionDigits: 2 });
const stampText = (s) => t('content.stamp', { version: s.version, date: fmtDate(s.date) });
// `cls` is the whole class (`alert-success`…): the stylesheet's cut finds only classes written out whole.
const alertHtml = (cls, text, hook) =>
  html`<div class="alert ${cls}" role="${cls === 'alert-danger' ? 'alert' : 'status'}" tabindex="-1" ${hook}>${text}</div>`;

function inForceHtml(info, app) {
  return html`<dl class="row mb-0" data-content-info data-version="${info.stamp.version}"
      data-installed="${String(info.installed)}">
    <dt class="col-md-4">${t('content.app_version')}</dt><dd class="col-md-8">${app.version}</dd>
    <dt class="col-md-4">${t('content.data_dir')}</dt><dd class="col-md-8"><code>${app.dataDir}</code></dd>
    <dt class="col-md-4">${t('content.in_force')}</dt>
    <dd class="col-md-8"><strong data-content-stamp>${stampText(info.stamp)}</strong>
      <small class="d-block text-muted">${info.installed ? t('content.installed') : t('content.built_in')}</small></dd>
    <dt class="col-md-4">${t('content.built_in_label')}</dt><dd class="col-md-8">${stampText(info.builtIn)}</dd>
    ${info.previous
      ? html`<dt class="col-md-4">${t('content.previous')}</dt><dd class="col-md-8" data-content-previous>${stampText(info.previous)}</dd>`
      : ''}
  </dl>
  ${info.problemMessage
    ? alertHtml('alert-warning', t('content.problem', { problem: info.problemMessage }), html`data-content-problem`)
    : ''}`;
}

function procedureList(key, list, hook) {
  if (!list.length) return '';
  return html`<h3 class="h6">${t(key, { n: list.length })}</h3>
    <ul ${hook}>${list.map((p) => html`<li data-procedure="${p.id}">${p.title} <small class="text-muted">(${p.id})</small></li>`)}</ul>`;
}

function feesHtml(fees) {
  if (!fees.length) return html`<p>${t('content.no_fee_change')}</p>`;
  return html`<div class="table-responsive"><table class="table align-middle" data-fee-changes>
    <caption class="visually-hidden">${t('content.fees_caption')}</caption>
    <thead><tr>
      <th scope="col">${t('content.col.fee')}</th><th scope="col">${t('content.col.change')}</th>
      <th scope="col">${t('content.col.amount')}</th><th scope="col">${t('content.col.from')}</th>
      <th scope="col">${t('content.col.to')}</th>
    </tr></thead>
    <tbody>${fees.map((f) => html`<tr data-fee-change data-fee="${f.fee}" data-change="${f.change}">
      <th scope="row">${f.label}${f.band ? html` <small class="text-muted">(${f.band})</small>` : ''}</th>
      <td>${t(`content.change.${f.change}`)}</td>
      <td class="text-nowrap">€ ${euros(f.cents)}</td>
      <td>${fmtDate(f.validFrom)}</td>
      <td>${f.validTo ? fmtDate(f.validTo) : '—'}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

function diffHtml(d) {
  const nothing = !d.proceduresAdded.length && !d.proceduresRemoved.length && !d.proceduresChanged.length;
  return html`<div data-diff data-to="${d.to.version}">
    <p>${t('content.diff_intro', { from: stampText(d.from), to: stampText(d.to) })}</p>
    ${nothing ? html`<p>${t('content.no_procedure_change')}</p>` : ''}
    ${procedureList('content.added', d.proceduresAdded, html`data-procedures-added`)}
    ${procedureList('content.removed', d.proceduresRemoved, html`data-procedures-removed`)}
    ${procedureList('content.changed', d.proceduresChanged, html`data-procedures-changed`)}
    <h3 class="h6">${t('content.fees_title')}</h3>
    ${feesHtml(d.fees)}
    <h3 class="h6">${t('content.languages_title')}</h3>
    <p data-languages>${d.languages.length ? d.languages.join(', ') : t('content.no_language_change')}</p>
    <details><summary>${t('content.files_title', { n: d.files.length })}</summary>
      <ul class="small">${d.files.map((f) => html`<li><code>${f}</code></li>`)}</ul></details>
    <button type="button" class="btn btn-primary mt-3" data-content-apply>${t('content.apply')}</button>
  </div>`;
}

function packsHtml(files, chosen) {
  const packs = files.filter((f) => f.kind === 'pack');
  return html`${packs.length
    ? html`<fieldset class="mb-2"><legend class="h6">${t('content.found')}</legend>
        ${packs.map((f, i) => html`<div class="form-check">
          <input class="form-check-input" type="radio" name="pack" id="pack-${i}" value="${f.path}" data-pack-file
            ${f.path === chosen ? html`checked` : ''}>
          <label class="form-check-label" for="pack-${i}"><strong>${f.name}</strong>
            <small class="text-muted">${f.drive}</small></label></div>`)}</fieldset>`
    : html`<p data-no-pack>${t('content.none_found')}</p>`}
    <div class="d-flex flex-wrap gap-2">
      <button type="button" class="btn btn-outline-primary" data-pack-pick>${t('content.pick')}</button>
      <button type="button" class="btn btn-primary" data-pack-inspect ${chosen ? '' : html`disabled`}>${t('content.inspect')}</button>
    </div>`;
}

export async function mount(root, { access }) {
  const responsabile = access.session.operator.role === 'responsabile';
  render(root, html`<div class="container py-3" data-content>
    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
      <h1 class="h3 mb-0" tabindex="-1" data-content-heading>${t('content.title')}</h1>
      <a href="#/" class="btn btn-outline-secondary" data-back title="${t('nav.back_hint')}">${t('nav.back_to_list')}</a>
    </div>
    <div data-content-status aria-live="polite"></div>
    <section class="border rounded p-3 mb-3" aria-labelledby="in-force-title">
      <h2 class="h5" id="in-force-title">${t('content.in_force_title')}</h2>
      <div data-in-force-slot></div>
    </section>
    ${responsabile
      ? html`<section class="border rounded p-3 mb-3" aria-labelledby="packs-title">
          <h2 class="h5" id="packs-title">${t('content.packs_title')}</h2>
          <p>${t('content.packs_intro')}</p>
          <div data-packs-slot></div>
          <div class="mt-3" data-diff-slot></div>
        </section>
        <section class="border rounded p-3 mb-3" aria-labelledby="restore-title">
          <h2 class="h5" id="restore-title">${t('content.restore_title')}</h2>
          <p>${t('content.restore_intro')}</p>
          <button type="button" class="btn btn-outline-danger" data-content-restore>${t('content.restore')}</button>
        </section>`
      : ''}
  </div>`);
  const state = { files: [], chosen: null, info: null };
  const status = $(root, '[data-content-status]');
  const say = (cls, text, hook = '') => {
    render(status, alertHtml(cls, text, hook));
    status.firstElementChild.focus();
  };
  const fail = (err) => say('alert-danger', err.message, html`data-content-error`);

  async function showInForce() {
    const [info, app] = await Promise.all([api.contentInfo(), api.appInfo()]);
    state.info = info;
    render($(root, '[data-in-force-slot]'), inForceHtml(info, app));
  }

  function showPacks() {
    render($(root, '[data-packs-slot]'), packsHtml(state.files, state.chosen));
    for (const input of root.querySelectorAll('[data-pack-file]')) {
      input.addEventListener('change', () => {
        state.chosen = input.value;
        render($(root, '[data-diff-slot]'), html``);
        showPacks();
      });
    }
    $(root, '[data-pack-pick]').addEventListener('click', async () => {
      const path = await api.archivePickFile('pack').catch(() => null);
      if (!path) return;
      const name = path.split(/[\\/]/).pop();
      state.files = [...state.files.filter((f) => f.path !== path), { path, name, kind: 'pack', drive: '' }];
      state.chosen = path;
      showPacks();
    });
    $(root, '[data-pack-inspect]').addEventListener('click', inspect);
  }

  async function inspect() {
    const slot = $(root, '[data-diff-slot]');
    render(slot, html``);
    try {
      const diff = await api.contentInspect(state.chosen);
      render(slot, diffHtml(diff));
      $(slot, '[data-content-apply]').addEventListener('click', () => applyPack(diff));
      render(status, html``);
    } catch (err) {
      fail(err);
    }
  }

  async function applyPack(diff) {
    const yes = await confirmDialog(root, {
      title: t('content.apply_title', { version: diff.to.version }),
      body: html`<p class="mb-0">${t('content.apply_body')}</p>`,
      confirm: t('content.apply'),
      hook: 'apply',
    });
    if (!yes) return;
    try {
      const info = await api.contentApply(state.chosen);
      render($(root, '[data-diff-slot]'), html``);
      await showInForce();
      say('alert-success', t('content.applied', { stamp: stampText(info.stamp) }), html`data-content-applied`);
    } catch (err) {
      fail(err);
    }
  }

  if (responsabile) {
    $(root, '[data-content-restore]').addEventListener('click', async () => {
      const yes = await confirmDialog(root, {
        title: t('content.restore_title'),
        body: html`<p class="mb-0">${t('content.restore_body')}</p>`,
        confirm: t('content.restore'),
        hook: 'restore',
      });
      if (!yes) return;
      try {
        const info = await api.contentRestore();
        await showInForce();
        say('alert-success', t('content.restored', { stamp: stampText(info.stamp) }), html`data-content-restored`);
      } catch (err) {
        fail(err);
      }
    });
  }

  try {
    await showInForce();
    if (responsabile) {
      state.files = await api.archiveFiles();
      showPacks();
    }
  } catch (err) {
    fail(err);
  }
  $(root, '[data-content-heading]').focus();
  return {
    onKey(e) {
      if (e.key === 'Escape' && !root.querySelector('dialog[open]')) location.hash = '#/';
    },
  };
}
