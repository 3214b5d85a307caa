// The audit trail: for a responsabile, the whole desk's entries filtered by operator, case (number or UUID),
// action and period, a page at a time ("more", the backend gives hasMore), the check of the trail's chain
// (a broken one said loudly) and the CSV export of what the filter selects; for everyone, the entries of
// one case on its detail screen (mountCaseActivity). It shows what the backend answered, labels and the
// one-line summaries translated there: it must not build an entry's description itself.

import * as api from '../api.js';
import { html, mount as render, $ } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { field, readForm, malformedFields, showErrors, clearErrors } from '../forms.js';
import { errorsSlot, mountNotAllowed } from './access.js';

const LIMIT = 50;
const FILTER_KEYS = ['operatorId', 'caseQuery', 'action', 'from', 'to'];

/** The filter as the backend takes it: only what was filled in. */
function filterOf(form) {
  const v = readForm(form);
  return Object.fromEntries(FILTER_KEYS.filter((k) => v[k]).map((k) => [k, v[k]]));
}

/** A field error may name `filter.from` or `from`: the form's controls are named after the filter's keys. */
const onForm = (err) => ({ ...err, fields: (err.fields || []).map((f) => ({ ...f, field: f.field.replace(/^filter\./, '') })) });

function rowHtml(e) {
  return html`<tr data-audit-row data-seq="${e.seq}" data-action="${e.action}" tabindex="-1">
    <td>${e.seq}</td>
    <td class="text-nowrap">${fmtDateTime(e.at)}</td>
    <td>${e.operator}</td>
    <td>${e.actionLabel}</td>
    <td class="text-nowrap">${e.caseNumber || ''}</td>
    <td>${e.detailText || ''}</td>
  </tr>`;
}

function tableHtml(items) {
  if (!items.length) return html`<p class="alert alert-info" data-audit-empty>${t('audit.empty')}</p>`;
  return html`<div class="table-responsive"><table class="table table-sm align-middle" data-audit-table>
    <caption class="visually-hidden">${t('audit.caption')}</caption>
    <thead><tr>
      <th scope="col">${t('audit.col.seq')}</th>
      <th scope="col">${t('audit.col.at')}</th>
      <th scope="col">${t('audit.col.operator')}</th>
      <th scope="col">${t('audit.col.action')}</th>
      <th scope="col">${t('audit.col.case')}</th>
      <th scope="col">${t('audit.col.detail')}</th>
    </tr></thead>
    <tbody>${items.map(rowHtml)}</tbody>
  </table></div>`;
}

function verdictHtml(v) {
  if (v.firstBroken == null) {
    return html`<div class="alert alert-success" role="status" data-verdict="ok">${t('audit.verify_ok', { n: v.entries })}</div>`;
  }
  return html`<div class="alert alert-danger audit-broken" role="alert" data-verdict="broken">
    <p class="h4">${t('audit.verify_broken_title')}</p>
    <p class="mb-0">${t('audit.verify_broken', { seq: v.firstBroken, reason: v.reason || '' })}</p>
  </div>`;
}

/** params: { access: AccessState } */
export async function mount(root, { access }) {
  if (access.session.operator.role !== 'responsabile') return mountNotAllowed(root);
  let operators = [];
  let actions = [];
  try {
    [operators, actions] = await Promise.all([api.operatorsList(), api.auditActions()]);
  } catch (err) {
    render(root, html`<div class="container py-3"><div class="alert alert-danger" role="alert" data-load-error>${err.message}</div>
      <a href="#/" class="btn btn-outline-secondary" data-back>${t('nav.back_to_list')}</a></div>`);
    $(root, '[data-back]').focus();
    return {};
  }
  const all = t('audit.all');
  render(root, html`<div class="container py-3" data-audit>
    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2 mb-3">
      <h1 class="h3 mb-0" tabindex="-1">${t('audit.title')}</h1>
      <a href="#/" class="btn btn-outline-secondary" data-back title="${t('nav.back_hint')}">${t('nav.back_to_list')}</a>
    </div>
    <form class="border rounded p-3 mb-3" data-audit-filter novalidate autocomplete="off" aria-label="${t('audit.filter')}">
      ${errorsSlot}
      <div class="row">
        ${field({ id: 'audit-operatorId', name: 'operatorId', kind: 'select', label: t('audit.operator'), placeholder: all,
          options: operators.map((o) => ({ value: o.id, text: o.name })), col: 'col-md-4' })}
        ${field({ id: 'audit-caseQuery', name: 'caseQuery', label: t('audit.case'), hint: t('audit.case_hint'), col: 'col-md-4',
          attrs: html`spellcheck="false"` })}
        ${field({ id: 'audit-action', name: 'action', kind: 'select', label: t('audit.action'), placeholder: all,
          options: actions.map((a) => ({ value: a.code, text: a.label })), col: 'col-md-4' })}
        ${field({ id: 'audit-from', name: 'from', kind: 'date', label: t('audit.from'), col: 'col-md-4' })}
        ${field({ id: 'audit-to', name: 'to', kind: 'date', label: t('audit.to'), col: 'col-md-4' })}
      </div>
      <div class="d-flex flex-wrap gap-2">
        <button type="submit" class="btn btn-primary" data-audit-search>${t('audit.search')}</button>
        <button type="button" class="btn btn-outline-primary" data-audit-export>${t('audit.export')}</button>
        <button type="button" class="btn btn-outline-danger" data-audit-verify>${t('audit.verify')}</button>
      </div>
      <div class="mt-3" data-audit-status aria-live="polite"></div>
    </form>
    <div data-audit-verdict aria-live="assertive"></div>
    <div data-audit-results aria-live="polite"></div>
    <button type="button" class="btn btn-outline-primary" data-audit-more hidden>${t('audit.more')}</button>
  </div>`);
  const form = $(root, '[data-audit-filter]');
  const errors = $(form, '[data-access-errors]');
  const status = $(form, '[data-audit-status]');
  const results = $(root, '[data-audit-results]');
  const more = $(root, '[data-audit-more]');
  const page = { filter: {}, items: [], seq: 0 };

  /** The first page for `filter`, or (more) the next page of the current one. */
  async function run(filter) {
    const seq = ++page.seq;
    const offset = filter ? 0 : page.items.length;
    const asked = filter || page.filter;
    let answer;
    try {
      answer = await api.auditList(asked, offset, LIMIT);
    } catch (err) {
      if (seq === page.seq) showErrors(form, errors, onForm(err));
      return;
    }
    if (seq !== page.seq) return; // a newer search is on its way
    page.filter = asked;
    page.items = offset ? [...page.items, ...answer.items] : answer.items;
    render(results, tableHtml(page.items));
    more.hidden = !answer.hasMore;
    // "More" disappears with the last page: the focus goes to the first new row instead of into the void.
    if (offset && more.hidden) $(results, `[data-audit-row][data-seq="${answer.items[0]?.seq}"]`)?.focus();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const bad = malformedFields(form);
    if (bad.length) return void showErrors(form, errors, { fields: bad });
    clearErrors(form, errors);
    render(status, html``);
    run(filterOf(form));
  });
  more.addEventListener('click', () => run(null));

  $(form, '[data-audit-export]').addEventListener('click', async (e) => {
    const btn = e.currentTarget;
    clearErrors(form, errors);
    render(status, html``);
    btn.disabled = true;
    try {
      const saved = await api.auditExport(filterOf(form));
      // null: the operator closed the save dialog without saving.
      if (saved) {
        render(status, html`<div class="alert alert-success py-2" role="status" data-audit-exported>
          ${t('audit.exported', { path: saved.path })}</div>`);
      }
    } catch (err) {
      showErrors(form, errors, onForm(err));
    } finally {
      btn.disabled = false;
    }
  });

  const verdict = $(root, '[data-audit-verdict]');
  $(form, '[data-audit-verify]').addEventListener('click', async (e) => {
    const btn = e.currentTarget;
    btn.disabled = true;
    render(verdict, html`<div class="alert alert-info py-2" role="status">${t('audit.verifying')}</div>`);
    try {
      render(verdict, verdictHtml(await api.auditVerify()));
    } catch (err) {
      render(verdict, html`<div class="alert alert-danger" role="alert">${err.message}</div>`);
    } finally {
      btn.disabled = false;
    }
  });

  form.elements.operatorId.focus();
  await run({});
  return {
    onKey(e) {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        location.hash = '#/';
      }
    },
  };
}

/** The audit entries of one case, in the backend's order, into `root` (the case detail's section). */
export async function mountCaseActivity(root, caseId) {
  render(root, html`<p class="text-muted mb-0" role="status">${t('detail.activity_loading')}</p>`);
  let items;
  try {
    ({ items } = await api.auditCase(caseId));
  } catch (err) {
    render(root, html`<div class="alert alert-danger mb-0" role="alert" data-case-activity-error>${err.message}</div>`);
    return;
  }
  render(root, items.length
    ? html`<ol class="list-unstyled mb-0" data-case-activity-list>
        ${items.map((e) => html`<li class="border-start border-3 ps-3 pb-2" data-activity-entry data-seq="${e.seq}"
            data-action="${e.action}">
          <div><span class="fw-semibold">${e.actionLabel}</span>${e.detailText ? html` — ${e.detailText}` : ''}</div>
          <small class="text-muted">${t('detail.activity_by', { when: fmtDateTime(e.at), operator: e.operator })}</small>
        </li>`)}
      </ol>`
    : html`<p class="text-muted mb-0" data-case-activity-none>${t('detail.activity_none')}</p>`);
}
