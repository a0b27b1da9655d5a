// The searches list and one search's page, as HTML from their view data (pure: no I/O).
import { badge, h, num, pct, type SafeHtml, seg } from './html.js';
import { lineageTree } from './lineage.js';
import { generationChart, sparkline } from './svg-chart.js';
import type { LeaderRow, SearchPageData, SearchSummary } from './view-data.js';

const card = (value: unknown, label: string): SafeHtml =>
  h`<div class="card"><b>${value}</b><span>${label}</span></div>`;

const spend = (s: SearchSummary): string => {
  const usd = `$${s.spend.usd.toFixed(2)}${s.budget.usd !== undefined ? ` of $${s.budget.usd}` : ''}`;
  const gpu = `${num(s.spend.gpu_hours, 3)}${s.budget.gpu_hours !== undefined ? ` of ${s.budget.gpu_hours}` : ''} GPU-h`;
  return `${usd} · ${gpu}`;
};

const bestText = (s: SearchSummary): SafeHtml =>
  s.best
    ? h`${num(s.best.metric_mean)}${s.best.seeds > 1 ? h` ± ${num(s.best.metric_std)}` : ''} <span class="pill ${s.best.certified ? '' : 'single'}">${s.best.certified ? `certified · ${s.best.seeds} seeds` : 'single seed'}</span>`
    : h`<span class="muted">none yet</span>`;

export function renderSearchList(data: { searches: SearchSummary[] }): SafeHtml {
  if (data.searches.length === 0) {
    return h`<h1>Searches</h1><section><p>No searches yet. Start one with <code>run_search</code> or <code>groundwork search</code>.</p></section>`;
  }
  const rows = data.searches.map(
    (
      s,
    ) => h`<tr data-search="${s.id}"><td><a href="/searches/${seg(s.id)}">${s.id}</a><div class="muted">${s.strategy} · ${s.environment}</div><div class="show-sm">${badge(s.state)}</div></td>
<td class="hide-sm">${badge(s.state)}</td><td class="n">g${s.generation}<div class="muted">${s.experiments.ended}/${s.experiments.total} ended${s.experiments.running > 0 ? ` · ${s.experiments.running} running` : ''}</div></td>
<td class="hide-sm">${spend(s)}</td><td>${bestText(s)}</td><td class="hide-sm">${sparkline(s.best_rewards)}</td></tr>`,
  );
  return h`<h1>Searches</h1><section class="scroll"><table><thead><tr><th>search</th><th class="hide-sm">state</th><th class="n">progress</th><th class="hide-sm">spent</th><th>best ${data.searches[0]?.metric_name ?? ''}</th><th class="hide-sm">best reward</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

const evidencePill = (row: LeaderRow): SafeHtml => {
  switch (row.evidence) {
    case 'certified':
      return h`<span class="pill">certified · ${row.seeds} seeds</span>`;
    case 'certifying':
      return h`<span class="pill single">certifying…</span>`;
    case 'control':
      return h`<span class="pill control">control</span>`;
    default:
      return h`<span class="pill single">single seed</span>`;
  }
};

function leaderboard(data: SearchPageData): SafeHtml {
  if (data.leaderboard.length === 0) return h`<p class="muted">No experiments yet.</p>`;
  const rows = data.leaderboard.map(
    (
      r,
    ) => h`<tr data-experiment="${r.experiment_id}" data-evidence="${r.evidence}"><td class="n">${r.rank}</td><td><a href="/experiments/${seg(r.experiment_id)}">${r.title}</a>${r.failure ? h`<div class="muted">${r.failure}</div>` : ''}</td>
<td class="hide-sm">${badge(r.state)}</td><td class="n">${num(r.metric)}${r.std !== null && r.seeds > 1 ? h` ± ${num(r.std)}` : ''}</td><td class="n hide-sm">${num(r.reward)}</td><td>${evidencePill(r)}</td></tr>`,
  );
  const more = data.leaderboard_total - data.leaderboard.length;
  return h`<div class="scroll"><table><thead><tr><th class="n">#</th><th>idea</th><th class="hide-sm">state</th><th class="n">${data.metric_name}</th><th class="n hide-sm">reward</th><th>evidence</th></tr></thead><tbody>${rows}</tbody></table></div>${more > 0 ? h`<p class="muted">${more} more experiments (GET /api/leaderboard?search=${data.id} lists them all).</p>` : ''}`;
}

export function renderSearchPage(data: SearchPageData): SafeHtml {
  const r = data.report;
  const failures =
    data.failures.length === 0
      ? h`<p class="muted">No failed experiments.</p>`
      : h`<table><tbody>${data.failures.map((f) => h`<tr><td>${f.category}</td><td class="n">${f.count}</td></tr>`)}</tbody></table>`;
  const control = r.control
    ? h`<p>Control arm (${r.control.strategy}): best reward ${num(r.control.best_reward)}; lift of the search over it: <b>${num(r.lift)}</b>.</p>`
    : '';
  const baseline = r.baseline
    ? h`<p class="muted">Baseline ${data.metric_name} ${num(r.baseline.value)} ± ${num(r.baseline.std)} over ${r.baseline.runs} runs (${data.direction === 'min' ? 'lower' : 'higher'} is better); the band is that mean ± std as rewards.</p>`
    : h`<p class="muted">No baseline recorded for ${data.environment}.</p>`;
  const generations = r.generations.map((g) => ({
    generation: g.generation,
    best: g.best_reward,
    mean: g.mean_reward,
  }));
  return h`<h1>Search ${data.id} ${badge(data.state)}</h1>
<p class="muted">${data.strategy} on ${data.environment} · started ${data.created_at} · updated ${data.updated_at}</p>
${data.error ? h`<section><b>Error:</b> ${data.error}</section>` : ''}${data.stopped ? h`<section><b>Stopped:</b> ${data.stopped}</section>` : ''}
<div class="cards">${card(`g${data.generation}`, 'generation')}${card(`${data.experiments.ended}/${data.experiments.total}`, `experiments ended (${data.experiments.running} running, ${data.experiments.queued} queued)`)}${card(pct(data.execution_rate), 'execution rate (candidates that ran)')}${card(`$${data.spend.usd.toFixed(2)}`, data.budget.usd !== undefined ? `model spend of $${data.budget.usd}` : 'model spend')}${card(num(data.spend.gpu_hours, 3), data.budget.gpu_hours !== undefined ? `GPU-hours of ${data.budget.gpu_hours}` : 'GPU-hours')}</div>
<section><h2>Best</h2>${r.best ? h`<p id="best">${data.best_experiment_id ? h`<a href="/experiments/${seg(data.best_experiment_id)}">${r.best.title}</a>` : r.best.title}: ${bestText(data)}${r.best.improvement_sigma !== null ? h` · ${num(r.best.improvement_sigma, 2)} baseline σ better` : ''}</p>` : h`<p class="muted">No candidate has succeeded yet.</p>`}${control}</section>
<section><h2>Reward per generation</h2>${generationChart(generations, data.band ?? undefined, r.control?.best_reward)}${baseline}</section>
<section><h2>Leaderboard</h2>${leaderboard(data)}</section>
<section><h2>Failure categories</h2>${failures}</section>
<section><h2>Lineage</h2><p class="muted">Parents → children; the best path is highlighted.</p><div class="scroll">${lineageTree(data.lineage, data.best_path)}</div></section>`;
}
