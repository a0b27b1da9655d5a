// The dashboard's pure renderers: escaping of hostile text, SVG charts, the lineage tree, the phone viewport.
import { describe, expect, it } from 'vitest';

import { escapeHtml, h, raw } from '../../../src/http/dashboard/html.js';
import { contentSecurityPolicy, layout } from '../../../src/http/dashboard/layout.js';
import { lineageTree, renderDiff } from '../../../src/http/dashboard/lineage.js';
import { renderExperimentPage, renderQueue } from '../../../src/http/dashboard/pages-experiment.js';
import { queueSlots } from '../../../src/http/dashboard/queue-data.js';
import { renderSearchList } from '../../../src/http/dashboard/pages-search.js';
import { curveChart, generationChart, sparkline, thin } from '../../../src/http/dashboard/svg-chart.js';
import type { ExperimentPageData, LineageNode, SearchSummary } from '../../../src/http/dashboard/view-data.js';

const EVIL = `<script>alert(1)</script><img src=x onerror="alert(2)">'"&`;
const noRawEvil = (html: string) => {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toMatch(/onerror="alert/);
};

const summary = (over: Partial<SearchSummary> = {}): SearchSummary => ({
  id: 'search_1',
  state: 'running',
  strategy: 'evolutionary',
  environment: 'tiny-lm',
  created_at: '2026-01-01T00:00:00Z',
  generation: 2,
  experiments: { total: 5, ended: 3, running: 1, queued: 1, failed: 1 },
  spend: { usd: 0.5, gpu_hours: 0.25 },
  budget: { usd: 2 },
  best: {
    idea_id: 'idea_1',
    title: EVIL,
    metric_mean: 1.8,
    metric_std: 0.01,
    seeds: 3,
    certified: true,
    improvement_sigma: 2,
  },
  metric_name: 'val_loss',
  best_rewards: [0.5, null, 0.55],
  ...over,
});

describe('dashboard renderers', () => {
  it('escapes every interpolated value and keeps SafeHtml as it is', () => {
    expect(escapeHtml(EVIL)).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&#39;&quot;&amp;',
    );
    expect(h`<p title="${EVIL}">${[EVIL, raw('<b>ok</b>')]}${null}${false}</p>`.value).toBe(
      `<p title="${escapeHtml(EVIL)}">${escapeHtml(EVIL)}<b>ok</b></p>`,
    );
  });

  it('lays a page out for 360 px phones with a nonce-only script and no outside resources', () => {
    const page = layout({ title: EVIL, nonce: 'abc123', version: '1.0' }, h`<p>body</p>`).value;
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<script nonce="abc123">');
    expect(page).not.toMatch(/(src|href)="https?:/);
    noRawEvil(page);
    expect(contentSecurityPolicy('abc123')).toContain("script-src 'nonce-abc123'");
    expect(contentSecurityPolicy('abc123')).toContain("default-src 'none'");
  });

  it('lists searches with state, progress, spend, best and a sparkline, escaping titles', () => {
    const html = renderSearchList({ searches: [summary()] }).value;
    noRawEvil(html);
    expect(html).toContain('href="/searches/search_1"');
    expect(html).toContain('certified · 3 seeds');
    expect(html).toContain('$0.50 of $2');
    expect(html).toMatch(/<svg class="spark"[^>]*><path d="M/);
    expect(renderSearchList({ searches: [] }).value).toContain('No searches yet');
  });

  it('draws SVG charts: running best, band and control, curves; tolerates empty and non-finite data', () => {
    expect(sparkline([null, null]).value).toContain('—');
    expect(sparkline([1, Number.NaN, 2]).value).toContain('aria-label="best reward so far: 2"');
    const chart = generationChart(
      [
        { generation: 0, best: 0.5, mean: 0.45 },
        { generation: 1, best: 0.6, mean: null },
        { generation: 2, best: null, mean: null },
      ],
      { low: 0.52, mid: 0.53, high: 0.54 },
      0.55,
    ).value;
    expect(chart).toContain('<rect class="band"');
    expect(chart).toContain('control arm best');
    expect(chart).toContain('baseline mean ± std');
    expect(chart).not.toContain('NaN');
    expect(generationChart([]).value).toContain('No generation');
    const curves = curveChart([
      {
        label: `seed 0 ${EVIL}`,
        points: [
          [0, 3],
          [10, 2],
          [20, Number.POSITIVE_INFINITY],
        ],
      },
      { label: 'seed 1', points: [] },
    ]).value;
    noRawEvil(curves);
    expect(curves.match(/<path /g)).toHaveLength(1);
    expect(curves).not.toMatch(/Infinity|NaN/);
    expect(
      thin(
        Array.from({ length: 10_000 }, (_, i) => i),
        400,
      ),
    ).toHaveLength(400);
  });

  it('draws the lineage with the best path marked, a deep chain without recursion, and caps the node count', () => {
    const node = (id: string, parents: string[], reward: number | null = 1): LineageNode => ({
      idea_id: id,
      parent_ids: parents,
      title: `${id} ${EVIL}`,
      generation: 0,
      reward,
      experiment_id: `exp_${id}`,
    });
    const html = lineageTree(
      [node('a', []), node('b', ['a']), node('c', ['a']), node('d', ['c', 'b'])],
      ['a', 'c', 'd'],
    ).value;
    noRawEvil(html);
    expect(html.match(/<li class="best"/g)).toHaveLength(3);
    expect(html).toContain('also from b');
    expect((html.match(/<ul/g) ?? []).length).toBe((html.match(/<\/ul>/g) ?? []).length);
    const chain = Array.from({ length: 5000 }, (_, i) => node(`n${i}`, i === 0 ? [] : [`n${i - 1}`]));
    const deep = lineageTree(chain, []).value;
    expect(deep).toContain('4600 more ideas not drawn');
    expect((deep.match(/<ul/g) ?? []).length).toBe((deep.match(/<\/ul>/g) ?? []).length);
  });

  it('colours a diff and escapes its lines', () => {
    const html = renderDiff(`--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = "${EVIL}"\n ctx`).value;
    noRawEvil(html);
    expect(html).toContain('<span class="hunk">@@ -1 +1 @@</span>');
    expect(html).toContain('<span class="del">-a = 1</span>');
    expect(html).toMatch(/<span class="add">\+a = &quot;&lt;script&gt;/);
    expect(renderDiff('').value).toContain('No diff');
  });

  it('renders an experiment whose idea, refusals, logs and failure are hostile text', () => {
    const data: ExperimentPageData = {
      id: 'exp_1',
      state: 'failed',
      role: 'candidate',
      environment: 'tiny-lm',
      profile: 'default',
      search_id: 'search_1',
      created_at: 't',
      updated_at: 't',
      devices: [],
      sandbox_off: false,
      result: null,
      idea: { id: 'idea_1', title: EVIL, text: EVIL, parent_ids: [], model: 'm', kind: 'seed' },
      implementation: {
        id: 'impl_1',
        status: 'ready',
        model: EVIL,
        files_changed: [EVIL],
        error: null,
        attempts: [{ chain: 0, revision: 0, model: 'm', outcome: 'failed', error: EVIL }],
      },
      diff: `+${EVIL}`,
      runs: [
        {
          seed: 0,
          state: 'failed',
          attempt: 1,
          started_at: null,
          ended_at: null,
          metric: null,
          curve: [
            [0, 1],
            [1, 0.5],
          ],
          failure: EVIL,
        },
      ],
      logs: [{ run: 'seed-0', step: 'train', tail: EVIL, truncated: false }],
      failure: { category: 'crashed', message: EVIL, log_tail: EVIL },
    };
    const html = renderExperimentPage(data, Date.now()).value;
    noRawEvil(html);
    expect(html).toContain('Failure: crashed');
    expect(html).toContain('refusal reason');
    expect(html).toContain('aria-label="training curves"');
    const running = [
      {
        id: 'exp_1',
        title: EVIL,
        search_id: null,
        environment: 'e',
        profile: 'p',
        role: null,
        devices: ['0'],
        since: new Date(Date.now() - 65_000).toISOString(),
        step: 'train',
        seeds: { done: 0, total: 1 },
      },
    ];
    const slots = queueSlots({ gpus: ['0', '1'], concurrency: 2 }, running);
    expect(slots.gpu).toEqual({ total: 2, busy: 1, free: 1 });
    expect(slots.cpu).toEqual({ total: 2, busy: 0, free: 2 });
    const queue = renderQueue({ running, queued: [], devices_in_use: ['0'], slots }, Date.now()).value;
    noRawEvil(queue);
    expect(queue).toContain('GPU 0');
    expect(queue).toMatch(/1m [5-9]s/);
    expect(queue).toContain('GPU slots <b id="gpu-slots">2</b> (1 free) · CPU slots <b id="cpu-slots">2</b> (2 free)');
    expect(queue).toContain('<b id="free-slots">3</b>');
    expect(queue).toMatch(
      /<tr data-slot="gpu-0"><td>GPU 0<\/td><td><a href="\/experiments\/exp_1">exp_1<\/a>.*<td class="n" title="[^"]+">1m [5-9]s<\/td><\/tr>/,
    );
    expect(queue).toMatch(/<tr data-slot="cpu-2"><td>CPU 2<\/td><td><span class="muted">free<\/span>/);
    const unknown = renderQueue({ running: [], queued: [], devices_in_use: [], slots: null }, Date.now()).value;
    expect(unknown).toContain('Slot totals not known here.');
    expect(queue).toContain('Nothing is queued.');
  });
});
