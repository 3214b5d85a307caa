// The case list: search-as-you-type over `cases_search`, forward/backward paging (the backend gives hasMore,
// no total), keyboard selection of rows, and the one-off `app_first_paint` signal for the launch benchmark.
// The query, page and selected case survive leaving the screen; the rows are always re-fetched.

import * as api from '../api.js';
import { html, mount as render, $, $$ } from '../dom.js';
import { t, fmtDate } from '../i18n.js';
import * as ref from '../reference.js';

const LIMIT = 25;
const DEBOUNCE_MS = 150;
const state = { query: '', offset: 0, selectedId: null, seq: 0 };
let firstPaintSent = false;

function rowHtml(r, selected) {
  const badge =
    r.matched && r.matched !== 'name' && r.matched !== 'all'
      ? html`<span class="badge bg-secondary ms-1" data-matched="${r.matched}">${t(`matched.${r.matched}`)}</span>`
      : '';
  const procedure = [ref.label('procedures', r.procedure), r.motivoCode].filter(Boolean).join(' · ');
  return html`<tr data-case-row data-case-id="${r.id}" class="${selected ? 'is-selected' : ''}"
      ${selected ? html`data-selected aria-current="true"` : ''}>
    <td><a href="#/case/${r.id}" data-case-link>${r.number}</a></td>
    <td><span class="fw-semibold">${r.surname}</span> ${r.givenNames}${badge}</td>
    <td>${fmtDate(r.birthDate)}</td>
    <td title="${r.citizenship}">${ref.label('countries', r.citizenship)}</td>
    <td title="${r.motivoCode ? ref.label('motivi', r.motivoCode) : ''}">${procedure}</td>
    <td><span class="badge bg-primary" data-status="${r.status}">${ref.stepLabel(r.status)}</span></td>
    <td>${fmtDate(r.permitExpiry)}</td>
  </tr>`;
}

function resultsHtml(items) {
  if (!items.length) {
    return html`<p class="alert alert-info" data-empty>
      ${state.query ? t('list.empty_query', { query: state.query }) : t('list.empty')}</p>`;
  }
  return html`<div class="table-responsive"><table class="table table-hover align-middle" data-results-table>
    <caption class="visually-hidden">${t('list.caption')}</caption>
    <thead><tr>
      <th scope="col">${t('list.col.number')}</th>
      <th scope="col">${t('list.col.name')}</th>
      <th scope="col">${t('field.birth_date')}</th>
      <th scope="col">${t('field.citizenship')}</th>
      <th scope="col">${t('list.col.procedure')}</th>
      <th scope="col">${t('list.col.status')}</th>
      <th scope="col">${t('list.col.permit_expiry')}</th>
    </tr></thead>
    <tbody>${items.map((r) => rowHtml(r, r.id === state.selectedId))}</tbody>
  </table></div>`;
}

/** Tells the backend, once per app run, that the first list (or its error) is on screen. */
function signalFirstPaint() {
  if (firstPaintSent) return;
  firstPaintSent = true;
  // rAF runs just before the frame is painted; the timeout lets the paint happen first.
  requestAnimationFrame(() => setTimeout(() => api.appFirstPaint('cases').catch(() => {}), 0));
}

export async function mount(root) {
  render(root, html`<div class="container py-3">
    <h1 class="h3 mb-3">${t('list.title')}</h1>
    <div class="mb-3">
      <label class="form-label" for="search">${t('list.search_label')}</label>
      <input type="search" id="search" class="form-control form-control-lg" data-search autofocus autocomplete="off"
        spellcheck="false" value="${state.query}" placeholder="${t('list.search_placeholder')}"
        aria-describedby="search-hint" aria-controls="results">
      <small id="search-hint" class="form-text">${t('list.search_hint')}</small>
    </div>
    <div id="results" data-results></div>
    <p class="visually-hidden" role="status" data-results-status></p>
    <nav class="d-flex gap-2 align-items-center" data-pager aria-label="${t('list.pager')}">
      <button type="button" class="btn btn-outline-primary btn-sm" data-page-prev>${t('list.prev')}</button>
      <span data-page-info></span>
      <button type="button" class="btn btn-outline-primary btn-sm" data-page-next>${t('list.next')}</button>
    </nav>
  </div>`);
  const input = $(root, '[data-search]');
  const results = $(root, '[data-results]');
  const prev = $(root, '[data-page-prev]');
  const next = $(root, '[data-page-next]');
  const info = $(root, '[data-page-info]');
  // What a search found, said once in a polite status (a live table would be read whole at every keystroke).
  const status = $(root, '[data-results-status]');
  const rows = () => $$(results, '[data-case-row]');

  async function run() {
    const seq = ++state.seq;
    let page;
    try {
      page = await api.casesSearch(state.query, state.offset, LIMIT);
    } catch (err) {
      if (seq !== state.seq) return;
      render(results, html`<div class="alert alert-danger" role="alert" data-search-error>${err.message}</div>`);
      return signalFirstPaint();
    }
    if (seq !== state.seq) return; // an answer to an older query: a newer one is on its way
    render(results, resultsHtml(page.items));
    prev.disabled = state.offset === 0;
    next.disabled = !page.hasMore;
    info.textContent = page.items.length
      ? t('list.range', { from: state.offset + 1, to: state.offset + page.items.length })
      : '';
    status.textContent = page.items.length
      ? info.textContent
      : state.query ? t('list.empty_query', { query: state.query }) : t('list.empty');
    signalFirstPaint();
  }

  let timer = null;
  let searching = Promise.resolve();
  function searchNow() {
    clearTimeout(timer);
    timer = null;
    state.query = input.value.trim();
    state.offset = 0;
    state.selectedId = null;
    searching = run();
  }
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(searchNow, DEBOUNCE_MS);
  });
  /** Resolves once the rows on screen answer what is typed: a key pressed right after typing
   *  (faster than the debounce) must act on the new results, not be lost or hit the old ones. */
  async function settled() {
    if (timer !== null) searchNow();
    await searching;
  }
  prev.addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - LIMIT);
    run();
  });
  next.addEventListener('click', () => {
    state.offset += LIMIT;
    run();
  });
  results.addEventListener('click', (e) => {
    const row = e.target.closest('[data-case-row]');
    if (row && !e.target.closest('a')) location.hash = `#/case/${row.dataset.caseId}`;
  });

  function select(delta) {
    const all = rows();
    if (!all.length) return;
    const i = all.findIndex((r) => r.hasAttribute('data-selected'));
    const j = i < 0 ? (delta > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, i + delta));
    all.forEach((r, k) => {
      r.classList.toggle('is-selected', k === j);
      r.toggleAttribute('data-selected', k === j);
      if (k === j) r.setAttribute('aria-current', 'true');
      else r.removeAttribute('aria-current');
    });
    state.selectedId = Number(all[j].dataset.caseId);
    all[j].scrollIntoView({ block: 'nearest' });
    // Focus stays in the search box (so typing goes on refining), unless it was on a row's link.
    if (document.activeElement?.closest('[data-case-row]')) $(all[j], '[data-case-link]').focus();
  }

  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
  searching = run();

  return {
    onKey(e) {
      const inList = e.target === input || e.target.closest?.('[data-results]') || e.target === document.body;
      if (!inList || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const delta = e.key === 'ArrowDown' ? 1 : -1;
        settled().then(() => select(delta));
      } else if (e.key === 'Enter' && e.target.tagName !== 'A') {
        e.preventDefault();
        settled().then(() => {
          const row = $(results, '[data-case-row][data-selected]');
          if (row) location.hash = `#/case/${row.dataset.caseId}`;
        });
      }
    },
  };
}
