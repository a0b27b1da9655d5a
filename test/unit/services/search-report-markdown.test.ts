// The markdown report says why a best has no improvement in baseline σ, and marks single-seed bests as such.
import { describe, expect, it } from 'vitest';

import { reportMarkdown, type SearchReportView, type SearchStatusView } from '../../../src/services/search-report.js';

const status: SearchStatusView = {
  id: 's1',
  state: 'succeeded',
  strategy: 'evolutionary',
  environment: 'tiny-lm',
  generation: 1,
  counts: { ideas: 2, rejected_duplicates: 0, reused_results: 0, experiments: 2, succeeded: 2, failed: 0 },
  experiments: [],
};

function report(best: Partial<NonNullable<SearchReportView['best']>>): SearchReportView {
  return {
    id: 's1',
    state: 'succeeded',
    baseline: { value: 1.88, std: 0.01, runs: 3 },
    best: {
      idea_id: 'i1',
      title: 'lr up',
      metric_mean: 1.7,
      metric_std: 0.02,
      seeds: 3,
      certified: true,
      improvement_sigma: 18,
      ...best,
    },
    generations: [],
    control: null,
    lift: null,
    cost: { usd: 0, gpu_hours: 0 },
    lineage: [],
  };
}

describe('reportMarkdown', () => {
  it('gives the improvement in baseline σ when there is one', () => {
    const text = reportMarkdown(report({}), status);
    expect(text).toContain('certified over 3 seeds');
    expect(text).toContain('18 baseline σ better than the baseline.');
  });

  it('says why no σ is given when the baseline is on another profile or has no spread', () => {
    const text = reportMarkdown(report({ improvement_sigma: null, certified: false, seeds: 1 }), status);
    expect(text).toContain('single seed, not certified');
    expect(text).toMatch(/no improvement in baseline σ is given: the baseline was measured on another profile/);
  });
});
