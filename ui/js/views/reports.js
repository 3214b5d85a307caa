// The responsabile's report screen (#/reports): a period (this month unless changed) and a report definition,
// the report's tables as the backend built them (`reports_build`: counting and the "<n" suppression are the
// core's), bar charts drawn here as inline SVG from the same numbers (months, services, citizenships), the
// export to CSV, XLSX or the printable PDF (`reports_export`), the PDF to the printer or the viewer
// (`reports_print`) and the form for the operator's own staff time. It must not count,
// round or suppress anything itself: a suppressed cell stays "<n" in the table and in the chart.

import * as api from '../api.js';
import { html, mount as render, $, escape } from '../dom.js';
import { t, currentLocale } from '../i18n.js';
import { field, readForm, malformedFields, showErrors, todayIso, readChecked } from '../forms.js';
import { mountNotAllowed } from './access.js';
import { activityCodes, codedLabel } from './desk-contact.js';

/** The first and last day of this month, ISO. */
function thisMonth() {
  const today = todayIso();
  const [y, m] = today.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [`${today.slice(0, 8)}01`, `${today.slice(0, 8)}${String(last).padStart(2, '0')}`];
}

const cellText = (c) => {
  if (c.t === 'text') return c.v;
  if (c.t === 'suppressed') return `<${c.v}`;
  if (c.t === 'decimal') return Number(c.v).toLocaleString(currentLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return String(c.v);
};

function tableHtml(tb) {
  return html`<section class="mb-4" data-report-table="${tb.id}">
    <div class="table-responsive"><table class="table table-sm">
      <caption class="caption-top fw-semibold text-body">${tb.title}</caption>
      <thead><tr>${tb.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${tb.rows.map((r) => html`<tr>${r.map((c, i) => (i === 0
        ? html`<th scope="row" class="fw-normal">${cellText(c)}</th>`
        : html`<td class="text-end" ${c.t === 'suppressed' ? html`data-suppressed` : ''}>${cellText(c)}</td>`))}</tr>`)}</tbody>
    </table></div>
    ${tb.notes.map((n) => html`<p class="small text-muted mb-1">${n}</p>`)}
  </section>`;
}

// Which column of which table is drawn: the contacts by month and by service, the persons by citizenship.
const CHARTS = [
  ['months', 2],
  ['services', 2],
  ['citizenships', 1],
];

/** A horizontal bar chart: a label, a hatched bar and the value written at its end, so it reads without
 *  colour; a suppressed count is drawn as a short dotted stub labelled "<n", never as its real size. */
function chartSvg(tb, col) {
  const rows = tb.rows.map((r) => ({ label: cellText(r[0]), cell: r[col] }));
  const max = Math.max(1, ...rows.map((r) => (r.cell.t === 'count' ? r.cell.v : 0)));
  const rowH = 24;
  const labelW = 220;
  const barW = 360;
  const h = rows.length * rowH + 8;
  const name = t('reports.chart_label', { table: tb.title, column: tb.columns[col] });
  const summary = rows.map((r) => `${r.label}: ${cellText(r.cell)}`).join('; ');
  const id = `hatch-${tb.id}`;
  const bars = rows.map((r, i) => {
    const y = i * rowH + 4;
    const suppressed = r.cell.t === 'suppressed';
    const w = suppressed ? 12 : Math.round((r.cell.v / max) * barW);
    return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${escape(r.label.length > 32 ? `${r.label.slice(0, 31)}…` : r.label)}</text>
      <rect x="${labelW}" y="${y + 2}" width="${w}" height="${rowH - 8}" fill="url(#${id})" stroke="currentColor"${suppressed ? ' stroke-dasharray="2 2"' : ''}/>
      <text x="${labelW + w + 6}" y="${y + 15}">${escape(cellText(r.cell))}</text>`;
  }).join('');
  // (built as a string: an SVG subtree is not HTML the html`` helper lays out; every text in it is escaped)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escape(`${name}. ${summary}`)}"
    viewBox="0 0 ${labelW + barW + 60} ${h}" width="100%" class="report-chart" data-report-chart="${escape(tb.id)}">
    <title>${escape(name)}</title>
    <defs><pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="6" height="6" fill="#cfe2ff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#0a3622" stroke-width="2"/></pattern></defs>
    <g font-size="12" fill="currentColor">${bars}</g></svg>`;
  return svg;
}

function reportHtml(r) {
  const charts = CHARTS.map(([id, col]) => [r.tables.find((x) => x.id === id), col]).filter(([tb]) => tb && tb.rows.length);
  return html`<h2 class="h5" data-report-title>${r.title}</h2>
    <p class="alert alert-secondary py-2" data-report-rule>${r.rule}</p>
    <div class="d-flex gap-2 mb-3">
      <button type="button" class="btn btn-outline-primary btn-sm" data-report-export="csv">${t('reports.export_csv')}</button>
      <button type="button" class="btn btn-outline-primary btn-sm" data-report-export="xlsx">${t('reports.export_xlsx')}</button>
      <button type="button" class="btn btn-outline-primary btn-sm" data-report-export="pdf">${t('reports.export_pdf')}</button>
      <button type="button" class="btn btn-outline-primary btn-sm" data-report-print="print">${t('reports.print_pdf')}</button>
      <button type="button" class="btn btn-outline-primary btn-sm" data-report-print="open">${t('reports.open_pdf')}</button>
    </div>
    <div role="status" data-report-exported></div>
    ${charts.length ? html`<section class="mb-4" data-report-charts><h3 class="h6">${t('reports.charts')}</h3>
      ${charts.map(([tb, col]) => html`<figure class="mb-3"><figcaption class="small">${t('reports.chart_label', { table: tb.title, column: tb.columns[col] })}</figcaption>
        <div data-chart-slot="${tb.id}"></div></figure>`)}</section>` : ''}
    ${r.tables.map(tableHtml)}`;
}

function staffHtml(c) {
  const f = (name, labelKey, opts = {}) => field({ name, label: t(labelKey), col: 'col-sm-4', ...opts });
  return html`<h2 class="h5" id="staff-title">${t('reports.staff_title')}</h2>
    <p class="small text-muted">${t('reports.staff_intro')}</p>
    <div data-staff-errors role="alert" tabindex="-1" hidden></div>
    <div class="row">
      ${f('staff.day', 'reports.staff_day', { kind: 'date', value: todayIso() })}
      ${f('staff.kind', 'reports.staff_kind', { kind: 'select', options: c.staffKinds.map((k) => ({ value: k.code, text: codedLabel(k) })) })}
      ${f('staff.minutes', 'desk.minutes', { value: '30', attrs: html`inputmode="numeric"` })}
    </div>
    <button type="submit" class="btn btn-primary btn-sm" data-staff-save>${t('reports.staff_save')}</button>
    <div role="status" class="mt-2" data-staff-saved></div>`;
}

export async function mount(root, { access }) {
  if (access.session.operator.role !== 'responsabile') return mountNotAllowed(root);
  let defs;
  let codes;
  try {
    [defs, codes] = await Promise.all([api.reportsDefinitions(), activityCodes()]);
  } catch (err) {
    render(root, html`<div class="container py-3"><div class="alert alert-danger" role="alert" data-load-error>${err.message}</div></div>`);
    return {};
  }
  const [from, to] = thisMonth();
  const title = (d) => (currentLocale() === 'en' ? d.titleEn : d.titleIt);
  render(root, html`<div class="container py-3" data-reports>
    <h1 class="h4" tabindex="-1" data-reports-heading>${t('reports.title')}</h1>
    <form class="border rounded p-3 mb-3" data-report-form novalidate autocomplete="off">
      <div data-report-errors role="alert" tabindex="-1" hidden></div>
      <div class="row align-items-end">
        ${field({ name: 'report.from', label: t('reports.from'), kind: 'date', value: from, col: 'col-sm-3' })}
        ${field({ name: 'report.to', label: t('reports.to'), kind: 'date', value: to, col: 'col-sm-3' })}
        ${field({ name: 'report.definition', label: t('reports.definition'), kind: 'select', col: 'col-sm-6',
          value: defs[0]?.id || '', options: defs.map((d) => ({ value: d.id, text: title(d) })) })}
      </div>
      <button type="submit" class="btn btn-primary" data-report-build>${t('reports.build')}</button>
    </form>
    <div data-report-slot></div>
    <form class="border rounded p-3 mb-3" data-staff-form novalidate autocomplete="off" aria-labelledby="staff-title"></form>
  </div>`);
  const form = $(root, '[data-report-form]');
  const slot = $(root, '[data-report-slot]');
  let built = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errors = $(form, '[data-report-errors]');
    const x = readChecked(form, errors);
    if (!x) return;
    errors.hidden = true;
    try {
      const r = await api.reportsBuild(x['report.definition'], x['report.from'], x['report.to']);
      built = { definition: x['report.definition'], from: x['report.from'], to: x['report.to'] };
      render(slot, reportHtml(r));
      for (const [id, col] of CHARTS) {
        const tb = r.tables.find((y) => y.id === id);
        const chart = slot.querySelector(`[data-chart-slot="${id}"]`);
        // (the SVG string escapes every text it carries: see chartSvg)
        if (tb && chart) chart.innerHTML = chartSvg(tb, col);
      }
      $(slot, '[data-report-title]').setAttribute('tabindex', '-1');
      $(slot, '[data-report-title]').focus();
    } catch (err) {
      showErrors(form, errors, err);
    }
  });
  slot.addEventListener('click', async (e) => {
    const printBtn = e.target.closest('[data-report-print]');
    if (printBtn && built) {
      // The printable report (PDF, in Italian for the funder) to the printer or the viewer; never filed.
      const out = $(slot, '[data-report-exported]');
      const action = printBtn.dataset.reportPrint;
      try {
        const answer = await api.reportsPrint(built.definition, built.from, built.to, action);
        if (action === 'open') out.textContent = t('reports.pdf_opened');
        else out.textContent = answer.printed ? t('reports.pdf_printed') : `${t('reports.pdf_no_printer')} ${answer.reason || ''}`.trim();
      } catch (err) {
        out.textContent = err.message;
      }
      return;
    }
    const btn = e.target.closest('[data-report-export]');
    if (!btn || !built) return;
    const out = $(slot, '[data-report-exported]');
    try {
      const saved = await api.reportsExport(built.definition, built.from, built.to, btn.dataset.reportExport);
      out.textContent = saved ? t('reports.exported', { path: saved.path }) : '';
    } catch (err) {
      out.textContent = err.message;
    }
  });
  const staff = $(root, '[data-staff-form]');
  render(staff, staffHtml(codes));
  staff.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errors = $(staff, '[data-staff-errors]');
    const bad = malformedFields(staff);
    if (bad.length) return void showErrors(staff, errors, { fields: bad });
    const x = readForm(staff);
    const minutes = Number(x['staff.minutes']);
    errors.hidden = true;
    try {
      await api.reportsRecordStaffTime({
        day: x['staff.day'],
        kind: x['staff.kind'],
        minutes: Number.isInteger(minutes) && minutes > 0 ? minutes : 0,
      });
      $(staff, '[data-staff-saved]').textContent = t('reports.staff_saved');
    } catch (err) {
      showErrors(staff, errors, err);
    }
  });
  $(root, '[data-reports-heading]').focus();
  return {
    onKey(e) {
      if (e.key === 'Escape') {
        e.preventDefault();
        location.hash = '#/';
      }
    },
  };
}
