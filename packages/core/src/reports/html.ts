import { FINDING_SEVERITIES, type SavedQuery } from "../queries/header.ts";
import type { Cell, QueryResult } from "../queries/result.ts";
import { barChart, esc, SEVERITY_COLORS, stackedColumns } from "./charts.ts";
import { csvName } from "./csv.ts";
import { formatBytes, formatNumber, isBytesColumn } from "./format.ts";
import {
  attemptSeverity,
  dayList,
  partialTables,
  type QuerySummary,
  type ReportData,
  type ReportSummary,
} from "./report.ts";

/** Rows shown per table in the HTML; the CSV next to it has all of them. */
export const HTML_ROW_LIMIT = 50;
const TOP_N = 10;

/** Top labels of a query's chart: the value column summed per label, or rows counted when it has none. */
export function topItems(query: Pick<SavedQuery, "chart">, result: QueryResult): { label: string; value: number }[] {
  const chart = query.chart;
  if (!chart) return [];
  const totals = new Map<string, number>();
  for (const row of result.rows) {
    const label = row[chart.label];
    const raw = chart.value ? row[chart.value] : 1;
    const value = typeof raw === "number" ? raw : Number(raw);
    if (!Number.isFinite(value)) continue;
    const key = label === null || label === undefined ? "(none)" : String(label);
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
  return [...totals.entries()]
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
    .slice(0, TOP_N);
}

/**
 * One table cell: numbers the one way reports write them, byte counts in binary units with the exact count, and an
 * attempt labelled with the severity it counts at.
 */
function cellHtml(value: Cell, column: string, attemptAs?: string): string {
  if (value === null) return '<span class="null">–</span>';
  if (column === "outcome" && value === "attempt" && attemptAs)
    return `<span class="attempt" title="a denied or failed call: counted as ${esc(attemptAs)}">attempt · ${esc(attemptAs)}</span>`;
  if (typeof value === "number") {
    if (isBytesColumn(column) && Number.isInteger(value))
      return `<span title="${esc(formatNumber(value))} bytes">${esc(formatBytes(value))}</span>`;
    return esc(formatNumber(value));
  }
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value))
    return `<time datetime="${esc(value)}">${esc(value)}</time>`;
  return esc(value);
}

function table(result: QueryResult, attemptAs?: string): string {
  const head = result.columns.map((c) => `<th class="${c.kind}">${esc(c.name)}</th>`).join("");
  const body = result.rows
    .slice(0, HTML_ROW_LIMIT)
    .map(
      (row) =>
        `<tr>${result.columns.map((c) => `<td class="${c.kind}">${cellHtml(row[c.name] ?? null, c.name, attemptAs)}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const STYLE = `
:root{color-scheme:light;--ink:#0f172a;--muted:#475569;--line:#e2e8f0;--bg:#f8fafc}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#0f172a;color:#f8fafc;padding:24px 32px}header h1{margin:0 0 4px;font-size:24px}header p{margin:2px 0;color:#cbd5e1}
main{padding:24px 32px;max-width:1280px}section{margin:0 0 32px}h2{font-size:19px;border-bottom:2px solid var(--line);padding-bottom:6px}
h3{font-size:16px;margin:24px 0 4px;display:flex;gap:8px;align-items:center}.desc{color:var(--muted);margin:0 0 8px;max-width:960px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 20px}.card{background:#fff;border:1px solid var(--line);border-left:6px solid;border-radius:6px;padding:10px 16px;min-width:140px}
.card .n{font-size:28px;font-weight:700}.card .k{color:var(--muted);text-transform:uppercase;font-size:12px;letter-spacing:.04em}
.badge{color:#fff;border-radius:4px;padding:1px 8px;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.chart{background:#fff;border:1px solid var(--line);border-radius:6px;margin:6px 0 12px;max-width:100%;height:auto}
.chart .label,.chart .value,.chart .axis{font-size:12px;fill:#334155}.chart .grid{stroke:#e2e8f0}
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;background:#fff;font-size:12.5px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;max-width:420px;overflow-wrap:break-word}
th,td.number,td.timestamp,td.date{white-space:nowrap}
th{background:#f1f5f9;position:sticky;top:0}td.number{text-align:right;font-variant-numeric:tabular-nums}.null{color:#94a3b8}
.count{color:var(--muted);font-weight:400;font-size:13px}.more{color:var(--muted);font-size:12.5px}.none{color:#15803d}
ul.toc{columns:2;max-width:960px}ul.limits li{margin:4px 0}footer{color:var(--muted);padding:0 32px 32px}
details.sql{margin:4px 0 10px;max-width:960px}details.sql summary{cursor:pointer;color:var(--muted);font-size:12.5px}
details.sql pre{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px;overflow-x:auto;font-size:12px}
.nodata{background:#fef3c7;border:1px solid #f59e0b;border-left:6px solid #d97706;border-radius:6px;padding:10px 16px;margin:0 0 16px;max-width:960px}
.nodata-q{color:#b45309;font-weight:600}.attempt{color:#b45309;white-space:nowrap}
td.verdict-pass{color:#15803d}td.verdict-findings{color:#b91c1c;font-weight:600}td.verdict-no-data{color:#b45309;font-weight:600}td.verdict-not-covered{color:#64748b}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0 0;color:#cbd5e1}dl.facts dt{color:#94a3b8}dl.facts dd{margin:0}
`;

function badge(severity: string): string {
  return `<span class="badge" style="background:${SEVERITY_COLORS[severity] ?? "#334155"}">${esc(severity)}</span>`;
}

function anchor(id: string): string {
  return `q-${id.replaceAll("/", "-")}`;
}

/** The query's SQL, folded: what ran, its SHA-256 and the values of its `?` in order, to re-run it exactly. */
function sqlDetails(q: QuerySummary): string {
  const values = q.parameters.length ? q.parameters.map((v) => `<code>${esc(v)}</code>`).join(", ") : "none";
  return `<details class="sql"><summary>SQL · SHA-256 <code>${esc(q.sql_sha256)}</code></summary><pre><code>${esc(q.sql)}</code></pre><p class="more">Parameters, in order of the <code>?</code>: ${values}</p></details>`;
}

/** The self-contained HTML report: executive summary, charts as inline SVG, and one table per query. */
export function renderReportHtml(data: ReportData): string {
  const s = data.summary;
  const days = s.period.from === s.period.to ? s.period.from : `${s.period.from} to ${s.period.to}`;
  const period = `${days} (${s.period.kind}, ${s.period.time_zone}: ${s.period.start} to ${s.period.end}, end excluded)`;
  const byId = new Map(s.queries.map((q) => [q.id, q]));
  const cards = FINDING_SEVERITIES.map(
    (sev) =>
      `<div class="card" style="border-left-color:${SEVERITY_COLORS[sev]}"><div class="k">${sev}</div><div class="n">${formatNumber(s.totals.by_severity[sev])}</div></div>`,
  ).join("");
  const severityChart = barChart({
    className: "chart-severity",
    title: "Findings by severity",
    items: FINDING_SEVERITIES.map((sev) => ({
      label: sev,
      value: s.totals.by_severity[sev],
      color: SEVERITY_COLORS[sev],
    })),
    width: 520,
  });
  const timeline = stackedColumns({
    className: "chart-timeline",
    title: "Findings per day by severity",
    days: s.findings_by_day.map((d) => d.day),
    series: FINDING_SEVERITIES.map((sev) => ({
      name: sev,
      color: SEVERITY_COLORS[sev] as string,
      values: s.findings_by_day.map((d) => d[sev]),
    })),
  });
  const byQuery = barChart({
    className: "chart-queries",
    title: "Findings per query",
    items: data.results
      .filter(({ query, result }) => query.severity !== "info" && result.rows.length > 0)
      .map(({ query, result }) => ({
        label: query.name,
        value: result.rows.length,
        color: SEVERITY_COLORS[query.severity],
      }))
      .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label))
      .slice(0, TOP_N),
  });

  const sections = new Map<string, string[]>();
  const toc: string[] = [];
  for (const { query, result } of data.results) {
    const section = query.section ?? "Other";
    const parts = sections.get(section) ?? [];
    const n = result.rows.length;
    const summary = byId.get(query.id);
    const items = topItems(query, result);
    const chart =
      items.length > 0 && query.chart
        ? barChart({
            className: "chart-top",
            title: `Top ${query.chart.label} by ${query.chart.value ?? "rows"}`,
            items: items.map((i) => ({ ...i, color: SEVERITY_COLORS[query.severity] })),
            ...(query.chart.value && isBytesColumn(query.chart.value) ? { format: formatBytes } : {}),
          })
        : "";
    const blind = summary?.no_data ?? [];
    const attemptAs = query.severity === "info" ? undefined : attemptSeverity(query.severity);
    const attempts = summary?.attempts ?? 0;
    const body =
      n === 0 && blind.length > 0
        ? `<p class="nodata-q">No data: ${blind.map((t) => `<code>${esc(t)}</code>`).join(", ")} had no rows in this period, so this query could not see anything.</p>`
        : n === 0
          ? `<p class="none">No ${query.severity === "info" ? "rows" : "findings"} in this period.</p>`
          : `${chart}${table(result, attemptAs)}${n > HTML_ROW_LIMIT ? `<p class="more">Showing ${HTML_ROW_LIMIT} of ${formatNumber(n)} rows; all of them are in <a href="${esc(csvName(query))}">${esc(csvName(query))}</a>.</p>` : `<p class="more">CSV: <a href="${esc(csvName(query))}">${esc(csvName(query))}</a></p>`}`;
    parts.push(
      `<article id="${anchor(query.id)}" data-query="${esc(query.id)}"><h3>${badge(query.severity)} ${esc(query.name)} <span class="count">${formatNumber(n)} row${n === 1 ? "" : "s"}${attempts > 0 && attemptAs ? `, ${formatNumber(attempts)} of them attempt${attempts === 1 ? "" : "s"} counted as ${esc(attemptAs)}` : ""}</span></h3><p class="desc">${esc(query.description)}</p>${summary ? sqlDetails(summary) : ""}${body}</article>`,
    );
    sections.set(section, parts);
    toc.push(
      `<li><a href="#${anchor(query.id)}">${esc(query.name)}</a> ${badge(query.severity)} <span class="count">${formatNumber(n)}</span></li>`,
    );
  }
  const sectionHtml = [...sections.entries()]
    .map(([name, parts]) => `<section><h2>${esc(name)}</h2>${parts.join("")}</section>`)
    .join("");
  const noData = s.no_data.length
    ? `<div class="nodata" id="no-data"><strong>No data</strong> in this period for ${s.no_data.map((t) => `<code>${esc(t)}</code>`).join(", ")}: the queries reading ${s.no_data.length === 1 ? "it" : "them"} found nothing because there was nothing to look at. This is not an all-clear.</div>`
    : "";
  const partial = partialTables(s)
    .map(
      (t) =>
        `<div class="nodata" id="partial-data"><strong>Partial data</strong>: no rows on ${t.days_without_rows.length} of ${s.findings_by_day.length} days for <code>${esc(t.table)}</code> (${esc(dayList(t.days_without_rows))}): nothing on those days was seen. This is not an all-clear for them.</div>`,
    )
    .join("");
  const cis = s.cis.length
    ? `<section id="cis"><h2>CIS AWS Foundations Benchmark v1.5 monitoring controls</h2><div class="scroll"><table><thead><tr><th>Control</th><th>Detection</th><th>Findings</th><th>Verdict</th></tr></thead><tbody>${s.cis
        .map(
          (c) =>
            `<tr><td>${esc(c.control)} ${esc(c.title)}</td><td>${c.detections.map((d) => `<a href="#${anchor(d)}">${esc(d)}</a>`).join("<br>") || '<span class="null">–</span>'}</td><td class="number">${formatNumber(c.findings)}</td><td class="verdict-${c.verdict.replace(" ", "-")}">${esc(c.verdict)}</td></tr>`,
        )
        .join("")}</tbody></table></div></section>`
    : "";
  const storage = s.storage
    ? `<section id="storage"><h2>Lake files</h2><p class="desc">Every table's Parquet files as listed when the report ran (the whole lake, not the period). More than ${formatNumber(s.storage.max_files_per_hour)} files in one partition-hour means compaction is behind there.</p><div class="scroll"><table><thead><tr><th>Table</th><th>Files</th><th>Bytes</th><th>Average file</th><th>Partition-hours</th><th>Most files in an hour</th><th>Hours over the threshold</th></tr></thead><tbody>${s.storage.tables
        .map(
          (t) =>
            `<tr><td><code>${esc(t.table)}</code></td><td class="number">${formatNumber(t.files)}</td><td class="number">${formatBytes(t.total_bytes)}</td><td class="number">${t.avg_file_bytes === null ? '<span class="null">–</span>' : formatBytes(t.avg_file_bytes)}</td><td class="number">${formatNumber(t.partition_hours)}</td><td class="number">${formatNumber(t.max_files_per_partition_hour)}</td><td class="number">${formatNumber(t.over_threshold.length)}</td></tr>`,
        )
        .join("")}</tbody></table></div></section>`
    : "";
  const limits = s.limits.length
    ? `<section><h2>What this report cannot show</h2><ul class="limits">${s.limits.map((l) => `<li>${esc(l)}</li>`).join("")}</ul></section>`
    : "";

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(s.title)} ${esc(s.period.label)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(s.title)}</h1><p>${esc(period)}</p>
<dl class="facts"><dt>Lake</dt><dd><code>${esc(s.lake)}</code></dd><dt>Engine</dt><dd>${esc(s.engine)}, ${formatNumber(s.totals.queries)} queries</dd><dt>Scanned</dt><dd>${scannedText(s)}</dd><dt>Generated</dt><dd>${esc(s.generated_at)} by loglake ${esc(s.loglake_version)}</dd></dl></header>
<main>
<section id="summary"><h2>Executive summary</h2>${noData}${partial}<p class="desc">${esc(s.description)}</p>
<p><strong>${formatNumber(s.totals.findings)}</strong> findings${s.totals.attempts > 0 ? ` (${formatNumber(s.totals.attempts)} of them attempts, each counted one severity lower)` : ""} from <strong>${formatNumber(s.totals.queries_with_findings)}</strong> of ${formatNumber(s.totals.queries)} queries.</p>
<div class="cards">${cards}</div>${severityChart}
<h3>Findings over time</h3>${timeline}
<h3>Queries with the most findings</h3>${byQuery}
<h3>Contents</h3><ul class="toc">${toc.join("")}</ul></section>
${cis}${sectionHtml}${storage}${limits}
</main>
<footer>Every table links its CSV; <code>summary.json</code> holds the counts above and, for each query, its SQL, the SQL's SHA-256 and the parameter values it ran with.</footer>
</body>
</html>
`;
}

/** What the report's statements read from the lake, and what the figure could not see. */
function scannedText(s: ReportSummary): string {
  const c = s.scanned;
  const shared = s.scans.map((x) => `${x.table} once for ${formatNumber(x.detections.length)} detections`).join(", ");
  const parts = [
    `${formatBytes(c.bytes)} (${formatNumber(c.bytes)} bytes) in ${formatNumber(c.files)} files by ${formatNumber(c.statements)} statements`,
    ...(shared ? [shared] : []),
    ...(c.unmeasured > 0 ? [`${formatNumber(c.unmeasured)} statements not measured`] : []),
  ];
  return `${esc(parts.join("; "))} <small>(${esc(c.measured_by)})</small>`;
}
