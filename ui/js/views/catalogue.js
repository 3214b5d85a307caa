// The responsabile's catalogue report (#/catalogue): how current the procedure catalogue is. Procedures by
// the date this team last checked them (oldest first), each with its lines flagged "to verify" (the reason,
// with both readings of a conflict) and its lines resting only on unofficial pages; above them, the shares
// of document, note and fee rows with a read date and with an official source. The backend computes the
// report (`catalogue_report`); this file only lays it out, and adds no text of its own beyond its labels.

import * as api from '../api.js';
import { html, mount as render } from '../dom.js';
import { t } from '../i18n.js';
import { mountNotAllowed } from './access.js';

const pct = (n, of) => (of ? Math.floor((n * 100) / of) : 0);
// `2026-12-05` → 05/12/2026, `2026-12` → 12/2026, `2026` → 2026: never more precise than known.
const readOn = (d) => String(d).split('-').reverse().join('/');

function countsHtml(label, c, hook) {
  return html`<li ${hook}>${t(label)}: ${t('catalogue.counts', {
    rows: c.rows,
    dated: pct(c.withReadOn, c.rows),
    official: pct(c.official, c.rows),
    flagged: c.flagged,
  })}</li>`;
}

function lineHtml(l, texts) {
  return html`<li class="mb-1">${texts[l.text] || l.text}
    <div class="small text-muted">${l.official ? t('checklist.official') : t('checklist.unofficial')}
      · ${t('checklist.read_on', { date: readOn(l.readOn) })}${l.note ? html`<div>${l.note}</div>` : ''}
      <div class="text-break">${l.source}</div></div></li>`;
}

export async function mount(root, { access }) {
  if (access.session.operator.role !== 'responsabile') return mountNotAllowed(root);
  let report;
  try {
    report = await api.catalogueReport();
  } catch (err) {
    render(root, html`<div class="container py-3"><div class="alert alert-danger" role="alert" data-load-error>${err.message}</div></div>`);
    return {};
  }
  const texts = report.texts;
  render(root, html`<div class="container py-3" data-catalogue-report>
    <h1 class="h4">${t('catalogue.title')}</h1>
    <p>${t('catalogue.intro')}</p>
    <ul data-catalogue-counts>
      <li>${t('catalogue.procedures', { n: report.procedures.length })}</li>
      ${countsHtml('catalogue.lines', report.lines, 'data-catalogue-lines')}
      ${countsHtml('catalogue.fees', report.fees, 'data-catalogue-fees')}
    </ul>
    <table class="table table-sm align-top">
      <thead><tr><th>${t('catalogue.procedure')}</th><th>${t('catalogue.checked_on')}</th>
        <th>${t('catalogue.flagged')}</th><th>${t('catalogue.unofficial')}</th></tr></thead>
      <tbody>${report.procedures.map(
        (p) => html`<tr data-catalogue-procedure="${p.id}">
          <td>${texts[p.title] || p.id}${p.verify ? html` <span class="badge bg-warning text-white">${t('checklist.flagged')}</span>` : ''}
            ${p.maintainerNote ? html`<div class="small text-muted">${p.maintainerNote}</div>` : ''}</td>
          <td>${readOn(p.checkedOn)}</td>
          <td><details><summary>${p.flagged.length}</summary><ul class="small">${p.flagged.map((l) => lineHtml(l, texts))}</ul></details></td>
          <td><details><summary>${p.unofficial.length} / ${p.lines}</summary><ul class="small">${p.unofficial.map((l) => lineHtml(l, texts))}</ul></details></td>
        </tr>`,
      )}</tbody>
    </table>
  </div>`);
  return {};
}
