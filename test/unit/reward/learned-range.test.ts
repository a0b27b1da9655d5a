// Results that leap far past an environment's history are held back as suspicious, and kept out of the search.
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { JobSpec } from '../../../src/executors/executor.js';
import { createFakeExecutor } from '../../../src/executors/fake.js';
import { leapsPastHistory } from '../../../src/reward/learned-range.js';
import type { ResearchServer } from '../../../src/server.js';
import { createTestServer } from '../../helpers/test-server.js';

const HISTORY = [3.31, 3.3, 3.35, 3.28, 3.4, 3.29, 3.33, 3.5, 3.32, 3.3];
const options = { minHistory: 10, jumpFactor: 3 };

describe('plausible range learned from history', () => {
  it('flags a leap far past the best earlier result, in the metric’s direction', () => {
    expect(leapsPastHistory(0.4, HISTORY, 'min', options)).toMatch(/beats the best of 10 earlier results \(3.28\)/);
    expect(leapsPastHistory(3.1, HISTORY, 'min', options)).toBeUndefined(); // a real improvement
    expect(leapsPastHistory(9, HISTORY, 'min', options)).toBeUndefined(); // worse is never suspicious
    const accuracy = [0.45, 0.48, 0.5, 0.47, 0.49, 0.46, 0.52, 0.5, 0.44, 0.48];
    expect(leapsPastHistory(0.99, accuracy, 'max', options)).toMatch(/suspicious/);
    expect(leapsPastHistory(0.6, accuracy, 'max', options)).toBeUndefined();
  });

  it('says nothing until there is enough history, or when history has no spread', () => {
    expect(leapsPastHistory(0.1, HISTORY.slice(0, 9), 'min', options)).toBeUndefined();
    expect(leapsPastHistory(0.1, Array(12).fill(3.3), 'min', options)).toBeUndefined();
  });

  describe('in the scheduler', () => {
    let server: ResearchServer | undefined;
    afterEach(async () => server?.close());

    it('fails such a result as suspicious, so a search never builds on it', async () => {
      const metrics = [...HISTORY.map((v) => v / 10), 0.95]; // direction max: the last one leaps
      let next = 0;
      const executor = createFakeExecutor((spec: JobSpec) =>
        spec.jobId.endsWith('-evaluate')
          ? { files: { [join(spec.env.GROUNDWORK_OUT as string, 'result.json')]: `{"metric": ${metrics[next++]}}` } }
          : {},
      );
      server = await createTestServer({ config: { preflight: { smoke: false } }, overrides: { executor } });
      const implementation = await server.services.implementIdea({
        idea: { text: 'value 2' },
        environment: 'noop',
        edit: 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n',
      });
      const ended = [];
      for (let i = 0; i < metrics.length; i++) {
        const queued = await server.services.runExperiment({ implementationId: implementation.id });
        ended.push(await server.services.waitForExperiment(queued.id, 10_000));
      }
      expect(ended.slice(0, -1).map((e) => e.state)).toEqual(Array(10).fill('succeeded'));
      const last = ended.at(-1);
      expect(last?.state).toBe('failed');
      expect(last?.failure?.category).toBe('suspicious');
      expect(last?.failure?.message).toMatch(/0.95 beats the best of 10 earlier results/);
    });
  });
});
