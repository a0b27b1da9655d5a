// One experiment's page (idea, implementation attempts, diff, seed curves, log tails) and the queue page (pure).
import { badge, h, num, type SafeHtml, seg, since } from './html.js';
import { renderDiff } from './lineage.js';
import { curveChart } from './svg-chart.js';
import type { QueueData, QueueEntry, QueueSlots } from './queue-data.js';
import type { ExperimentPageData } from './view-data.js';

export function renderExperimentPage(data: ExperimentPageData, now: number): SafeHtml {
  const idea = data.idea;
  const impl = data.implementation;
  const result = data.result
    ? h`<p id="result">${data.result.metric} <b>${num(data.result.value)}</b>${data.result.seeds > 1 ? h` ± ${num(data.result.std)} over ${data.result.seeds} seeds` : ' (one seed)'} · reward ${num(data.result.reward)}${data.result.baseline !== null ? h` · baseline ${num(data.result.baseline)}` : ''}</p>`
    : h`<p class="muted">No result yet.</p>`;
  const attempts = impl
    ? h`<div class="scroll"><table><thead><tr><th>chain</th><th>revision</th><th>model</th><th>outcome</th><th>refusal reason</th></tr></thead><tbody>${impl.attempts.map(
        (a) =>
          h`<tr><td class="n">${a.chain ?? '—'}</td><td class="n">${a.revision ?? '—'}</td><td>${a.model ?? '—'}</td><td>${badge(a.outcome === 'passed' ? 'succeeded' : a.outcome)}</td><td>${a.error ?? ''}</td></tr>`,
      )}</tbody></table></div>`
    : h`<p class="muted">Implementation not found.</p>`;
  const runs = h`<div class="scroll"><table><thead><tr><th class="n">seed</th><th>state</th><th class="n">attempt</th><th class="n">metric</th><th class="hide-sm">started</th><th>failure</th></tr></thead><tbody>${data.runs.map(
    (run) =>
      h`<tr><td class="n">${run.seed}</td><td>${badge(run.state)}</td><td class="n">${run.attempt}</td><td class="n">${num(run.metric)}</td><td class="hide-sm">${run.started_at ?? '—'}${run.state === 'running' ? h` (${since(run.started_at ?? undefined, now)})` : ''}</td><td>${run.failure ?? ''}</td></tr>`,
  )}</tbody></table></div>`;
  const logs =
    data.logs.length === 0
      ? h`<p class="muted">No logs yet.</p>`
      : data.logs.map(
          (log) =>
            h`<h3 class="muted">${log.run} · ${log.step}${log.truncated ? ' (last lines)' : ''}</h3><pre>${log.tail}</pre>`,
        );
  return h`<h1>Experiment ${data.id} ${badge(data.state)}</h1>
<p class="muted">${data.environment} · profile ${data.profile}${data.role ? ` · ${data.role}` : ''}${data.search_id ? h` · search <a href="/searches/${seg(data.search_id)}">${data.search_id}</a>` : ''}${data.devices.length > 0 ? ` · devices ${data.devices.join(', ')}` : ''} · updated ${data.updated_at}</p>
${data.sandbox_off ? h`<section><b>Ran without the sandbox:</b> its result may be gamed.</section>` : ''}
${data.failure ? h`<section id="failure"><h2>Failure: ${data.failure.category}</h2><p>${data.failure.message}</p>${data.failure.log_tail ? h`<pre>${data.failure.log_tail}</pre>` : ''}</section>` : ''}
<section><h2>Result</h2>${result}</section>
<section id="idea"><h2>Idea${idea ? h`: ${idea.title}` : ''}</h2>${idea ? h`<p class="muted">${idea.id} · ${idea.kind} · ${idea.model}${idea.parent_ids.length > 0 ? ` · parents ${idea.parent_ids.join(', ')}` : ''}</p><pre class="text">${idea.text}</pre>` : h`<p class="muted">Idea not found.</p>`}</section>
<section><h2>Implementation${impl ? h` ${badge(impl.status === 'ready' ? 'succeeded' : 'failed')}` : ''}</h2>${impl ? h`<p class="muted">${impl.id}${impl.model ? ` · ${impl.model}` : ''} · files ${impl.files_changed.join(', ') || 'none'}</p>${impl.error ? h`<p>${impl.error}</p>` : ''}` : ''}${attempts}</section>
<section><h2>Diff</h2>${renderDiff(data.diff)}</section>
<section><h2>Seeds</h2>${runs}${curveChart(data.runs.map((run) => ({ label: `seed ${run.seed}`, points: run.curve })))}</section>
<section><h2>Logs</h2>${logs}</section>`;
}

function queueTable(entries: QueueEntry[], now: number, running: boolean): SafeHtml {
  if (entries.length === 0) return h`<p class="muted">${running ? 'Nothing is running.' : 'Nothing is queued.'}</p>`;
  const rows = entries.map(
    (
      e,
    ) => h`<tr data-experiment="${e.id}"><td><a href="/experiments/${seg(e.id)}">${e.id}</a><div class="muted">${e.title}</div></td>
<td>${e.search_id ? h`<a href="/searches/${seg(e.search_id)}">${e.search_id}</a>` : '—'}${e.role ? h`<div class="muted">${e.role}</div>` : ''}</td>
<td>${running ? (e.devices.length > 0 ? `GPU ${e.devices.join(', ')}` : 'CPU') : e.environment}${running && e.step ? h`<div class="muted">${e.step} · seeds ${e.seeds.done}/${e.seeds.total}</div>` : ''}</td>
<td class="n" title="${e.since}">${since(e.since, now)}</td></tr>`,
  );
  return h`<div class="scroll"><table><thead><tr><th>experiment</th><th>search</th><th>${running ? 'where' : 'environment'}</th><th class="n">${running ? 'running for' : 'waiting for'}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function slotsSection(slots: QueueSlots | null, now: number): SafeHtml {
  if (!slots) return h`<section id="slots"><h2>Slots</h2><p class="muted">Slot totals not known here.</p></section>`;
  const rows = slots.slots.map(
    (slot) =>
      h`<tr data-slot="${slot.kind}-${slot.name}"><td>${slot.kind === 'gpu' ? 'GPU' : 'CPU'} ${slot.name}</td><td>${slot.experiment_id ? h`<a href="/experiments/${seg(slot.experiment_id)}">${slot.experiment_id}</a><div class="muted">${slot.title}</div>` : h`<span class="muted">free</span>`}</td><td class="n"${slot.since ? h` title="${slot.since}"` : ''}>${slot.since ? since(slot.since, now) : '—'}</td></tr>`,
  );
  return h`<section id="slots"><h2>Slots</h2><p>GPU slots <b id="gpu-slots">${slots.gpu.total}</b> (${slots.gpu.free} free) · CPU slots <b id="cpu-slots">${slots.cpu.total}</b> (${slots.cpu.free} free)</p>
<div class="scroll"><table><thead><tr><th>slot</th><th>running</th><th class="n">since</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

export function renderQueue(data: QueueData, now: number): SafeHtml {
  const free = data.slots ? data.slots.gpu.free + data.slots.cpu.free : null;
  return h`<h1>Queue and slots</h1>
<div class="cards"><div class="card"><b id="running-count">${data.running.length}</b><span>running</span></div><div class="card"><b>${data.queued.length}</b><span>queued</span></div><div class="card"><b>${data.devices_in_use.length > 0 ? data.devices_in_use.map((id) => `GPU ${id}`).join(', ') : 'none'}</b><span>GPUs in use</span></div>${free === null ? '' : h`<div class="card"><b id="free-slots">${free}</b><span>free slots</span></div>`}</div>
${slotsSection(data.slots, now)}
<section><h2>Running</h2>${queueTable(data.running, now, true)}</section>
<section><h2>Queued</h2>${queueTable(data.queued, now, false)}</section>`;
}
