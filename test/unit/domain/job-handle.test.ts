// Persisted jobs are read in both stored shapes: the current { handle, step, frozen } and the older flat one.
import { describe, expect, it } from 'vitest';

import { readPersistedJob, storedHandle } from '../../../src/domain/job-handle.js';

describe('persisted jobs', () => {
  const handle = {
    executor: 'docker' as const,
    jobId: 'exp_1-seed-0-train',
    containerId: 'c0ffee',
    startedAt: 1,
    timeLimitSec: 60,
  };

  it('reads the current shape', () => {
    const job = { handle, step: 'train' as const, frozen: { 'evaluate.py': 'abc' } };
    expect(readPersistedJob(job)).toEqual(job);
    expect(storedHandle(job)).toEqual(handle);
  });

  it('reads the flat shape of records written before handle and resume data were separated', () => {
    const legacy = { ...handle, step: 'evaluate', frozen: {} };
    expect(readPersistedJob(legacy)).toEqual({ handle, step: 'evaluate', frozen: {} });
    expect(storedHandle(legacy)).toEqual(handle);
  });

  it('has a handle to cancel but nothing to resume from when the resume data is missing', () => {
    const flat = { executor: 'local', jobId: 'gone', pid: 7 };
    expect(readPersistedJob(flat)).toBeUndefined();
    expect(storedHandle(flat)).toEqual(flat);
    expect(readPersistedJob({ handle, step: 'sleep', frozen: {} })).toBeUndefined();
  });

  it('has nothing for records without a job', () => {
    for (const stored of [undefined, null, 'x', {}, { kind: 'local', pid: 1 }]) {
      expect(readPersistedJob(stored)).toBeUndefined();
      expect(storedHandle(stored)).toBeUndefined();
    }
  });
});
