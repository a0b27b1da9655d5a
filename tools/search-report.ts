// get_search_report: a search's status and report (certified best, generations, control arm and lift, cost, lineage).
import { z } from 'zod';

import { ExperimentRole, ExperimentState, SearchState } from '../src/domain/states.js';
import { reportMarkdown } from '../src/services/search-report.js';
import { defineTool } from './define-tool.js';

const Nullable = z.number().nullable();

export const SearchStatusShape = z.object({
  id: z.string(),
  state: SearchState,
  strategy: z.string(),
  environment: z.string(),
  generation: z.number().int(),
  counts: z.object({
    ideas: z.number().int(),
    rejected_duplicates: z.number().int(),
    reused_results: z.number().int(),
    experiments: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
  }),
  experiments: z.array(
    z.object({
      id: z.string(),
      idea_id: z.string(),
      role: ExperimentRole,
      state: ExperimentState,
      metric: Nullable,
      reward: Nullable,
    }),
  ),
});

export const SearchReportShape = z.object({
  id: z.string(),
  state: SearchState,
  baseline: z.object({ value: z.number(), std: z.number(), runs: z.number() }).nullable(),
  best: z
    .object({
      idea_id: z.string(),
      title: z.string(),
      metric_mean: z.number(),
      metric_std: z.number(),
      seeds: z.number().int(),
      certified: z.boolean(),
      improvement_sigma: Nullable,
    })
    .nullable(),
  generations: z.array(
    z.object({
      generation: z.number().int(),
      best_reward: Nullable,
      mean_reward: Nullable,
      execution_rate: z.number(),
    }),
  ),
  control: z.object({ strategy: z.string(), best_reward: Nullable }).nullable(),
  lift: Nullable,
  cost: z.object({ usd: z.number(), gpu_hours: z.number() }),
  lineage: z.array(z.object({ idea_id: z.string(), parent_ids: z.array(z.string()) })),
});

export const getSearchReport = defineTool({
  name: 'get_search_report',
  title: 'Get a search’s report',
  description:
    'A search’s status (generation, counts, every experiment with its role: candidate, certification or control) and its report: the best idea with its mean and spread over seeds, whether it is certified (re-run on more seeds) and its improvement in baseline standard deviations; per-generation rewards; the control arm and the lift of the search over it; cost; lineage (each idea’s parents).',
  kind: 'read',
  input: z.object({ search_id: z.string().min(1).max(100).describe('id from run_search or list_searches') }),
  output: z.object({ status: SearchStatusShape, report: SearchReportShape }),
  async handle({ services }, input) {
    const [status, report] = await Promise.all([
      services.searchStatus(input.search_id),
      services.searchReport(input.search_id),
    ]);
    return { status, report };
  },
  render: (output) => reportMarkdown(output.report, output.status),
});
