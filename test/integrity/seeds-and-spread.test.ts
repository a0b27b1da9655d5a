// Reward hack E13 and the §7 side finding of the hostile pass: seeds that change nothing are flagged and cannot be
// certified; reruns of one idea never shrink the spread the jump check measures; an early cheat is not the reference.
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Experiment, Implementation } from '../../src/domain/records.js';
import type { JobSpec } from '../../src/executors/executor.js';
import { createFakeExecutor } from '../../src/executors/fake.js';
import { isCertifiable } from '../../src/reward/compute-reward.js';
import { createHistoryCheck } from '../../src/reward/history-check.js';
import { leapsPastHistory } from '../../src/reward/learned-range.js';
import type { ResearchServer } from '../../src/server.js';
import { rewardOutput } from '../../src/services/views.js';
import { createTestServer } from '../helpers/test-server.js';

const TOY_EDIT = 'train.py\n<<<<<<< SEARCH\nWIDTH = 8\n=======\nWIDTH = 16\n>>>>>>> REPLACE\n';

describe('seed-insensitive results', () => {
  let server: ResearchServer | undefined;
  afterEach(async () => server?.close());

  /** Runs the toy environment (baseline std 0.05) on two seeds; the evaluation reports `metricOf(seed)`. */
  async function runTwoSeeds(metricOf: (seed: number) => number): Promise<Experiment> {
    const executor = createFakeExecutor((spec: JobSpec) =>
      spec.jobId.endsWith('-evaluate')
        ? {
            files: {
              [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]:
                `{"metric": ${metricOf(Number(spec.env.GROUNDWORK_SEED))}}`,
            },
          }
        : {},
    );
    server = await createTestServer({ config: { preflight: { smoke: false } }, overrides: { executor } });
    const implementation = await server.services.implementIdea({
      idea: { text: 'w' },
      environment: 'toy',
      edit: TOY_EDIT,
    });
    const queued = await server.services.runExperiment({ implementationId: implementation.id, seeds: [0, 1] });
    return server.services.waitForExperiment(queued.id, 20_000);
  }

  it('flags identical metrics over two seeds as seed_insensitive and not certifiable (E13)', async () => {
    const experiment = await runTwoSeeds(() => 1.5);
    expect(experiment.state).toBe('succeeded');
    expect(experiment.result).toMatchObject({ seedInsensitive: true, certifiable: false });
    expect(isCertifiable(experiment.result)).toBe(false);
    expect(rewardOutput(experiment)).toMatchObject({ seed_insensitive: true, certifiable: false });
  });

  it('leaves an honest result whose seeds differ unflagged', async () => {
    const experiment = await runTwoSeeds((seed) => 1.5 + seed * 0.01);
    expect(experiment.state).toBe('succeeded');
    expect(experiment.result?.seedInsensitive).toBeUndefined();
    expect(isCertifiable(experiment.result)).toBe(true);
  });
});

describe('the jump check measures spread over distinct ideas', () => {
  const experiment = (id: string, implementationId: string, values: number[]): Experiment => ({
    id,
    schemaVersion: 1,
    implementationId,
    ideaId: `idea-${implementationId}`,
    environment: 'tiny-lm',
    profile: 'smoke',
    state: 'succeeded',
    runs: values.map((metric, seed) => ({ seed, state: 'succeeded', attempt: 1, metric })),
    createdAt: '',
    updatedAt: '',
  });

  it('does not let 15 reruns of 4 deterministic implementations hold back an honest improvement (§7)', async () => {
    // The hostile pass: the reruns collapsed the spread to 0.0207, and 3.0236 was held back as suspicious.
    const values: Record<string, number> = { a: 3.124231917318593, b: 3.1255173809, c: 3.14, d: 3.13 };
    const plan = ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b', 'b', 'c', 'd', 'd'];
    const earlier = plan.map((impl, i) => experiment(`exp-${i}`, `impl-${impl}`, [values[impl] as number]));
    const options = { minHistory: 10, jumpFactor: 3 };
    const list = async (filter?: (e: Experiment) => boolean) => earlier.filter((e) => !filter || filter(e));
    // What the check did before: every rerun counted in the spread.
    const everyRun = earlier.map((e) => e.runs[0]?.metric as number);
    expect(leapsPastHistory(3.0236, everyRun, 'min', options)).toMatch(/suspicious/);
    const honest = experiment('exp-new', 'impl-new', []);
    expect(await createHistoryCheck({ list }, options).check(honest, 3.0236, 'min')).toBeUndefined();
    // With enough distinct ideas the spread is theirs, and a real leak is still caught.
    const more = [3.15, 3.17, 3.2, 3.22, 3.18, 3.135];
    more.forEach((value, i) => earlier.push(experiment(`exp-more-${i}`, `impl-more-${i}`, [value])));
    const history = createHistoryCheck({ list }, options);
    expect(await history.check(honest, 3.0236, 'min')).toBeUndefined();
    expect(await history.check(honest, 1.4718, 'min')).toMatch(/held back as suspicious/);
  });

  it('counts implementations with the same stored diff as one idea, and takes the baseline spread as a floor', async () => {
    const earlier = Array.from({ length: 12 }, (_, i) => experiment(`exp-${i}`, `impl-${i}`, [3.1 + (i % 2) * 0.001]));
    const options = { minHistory: 10, jumpFactor: 3 };
    const list = async () => earlier;
    // As 12 ideas 0.001 apart, 3.05 leaps far past them; as one diff with two outcomes, they say nothing.
    expect(await createHistoryCheck({ list }, options).check(experiment('x', 'x', []), 3.05, 'min')).toMatch(
      /suspicious/,
    );
    const sameDiff = {
      get: async (id: string) => ({ id, integrity: { diff: 'same-diff', files: {} } }) as unknown as Implementation,
    };
    const collapsed = createHistoryCheck({ list }, options, sameDiff);
    expect(await collapsed.check(experiment('x', 'x', []), 3.05, 'min')).toBeUndefined();
    // With the baseline of the same profile, twice its seed spread is the least spread assumed.
    const baseline = { std: 0.02, profile: 'smoke' };
    expect(await createHistoryCheck({ list }, options).check(experiment('x', 'x', []), 3.05, 'min', baseline)).toBe(
      undefined,
    );
  });

  it('does not take a cheat among the first results as the reference (E17)', () => {
    const honest = [3.31, 3.3, 3.35, 3.28, 3.4, 3.29, 3.33, 3.5, 3.32, 3.3];
    const options = { minHistory: 10, jumpFactor: 3 };
    // The cheat scored 1.4718 before the check applied; a later cheat of 1.5 must still be flagged.
    expect(leapsPastHistory(1.5, [...honest, 1.4718], 'min', options)).toMatch(/best of 11 earlier results \(3.28\)/);
    expect(leapsPastHistory(3.2, [...honest, 1.4718], 'min', options)).toBeUndefined();
  });
});
