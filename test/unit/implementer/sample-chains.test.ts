// The implementer loop: N parallel chains × R revisions, first pass wins, the rest aborted, every answer kept.
import { describe, expect, it } from 'vitest';

import { ResearchError } from '../../../src/domain/errors.js';
import { runSampleChains } from '../../../src/implementer/sample-chains.js';
import { requestError } from '../../../src/llm/llm-errors.js';

const isFeedback = (error: unknown): error is ResearchError => ResearchError.is(error, 'edit_refused');
const refuse = (text: string) => Promise.reject(new ResearchError('edit_refused', `refused: ${text}`));
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new ResearchError('cancelled', 'aborted'));
    });
  });

describe('runSampleChains', () => {
  it('revises a chain on the exact error until it passes', async () => {
    const seen: string[][] = [];
    const outcome = await runSampleChains({
      samples: 1,
      revisions: 2,
      isFeedback,
      write: async (history) => {
        seen.push(history.map((step) => step.error));
        return { text: `answer ${history.length}`, model: 'm' };
      },
      check: (text) => (text === 'answer 2' ? Promise.resolve('ok') : refuse(text)),
    });
    expect(seen).toEqual([[], ['refused: answer 0'], ['refused: answer 0', 'refused: answer 1']]);
    expect(outcome.winner?.attempt).toMatchObject({ chain: 0, revision: 2, outcome: 'passed' });
    expect(outcome.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'passed']);
  });

  it('runs chains in parallel; the first to pass wins and the others are aborted', async () => {
    const aborted: number[] = [];
    const started = Date.now();
    const outcome = await runSampleChains({
      samples: 4,
      revisions: 2,
      isFeedback,
      write: async (_history, signal, chain) => {
        try {
          await sleep(chain === 2 ? 20 : 5_000, signal);
        } catch (error) {
          aborted.push(chain);
          throw error;
        }
        return { text: `chain ${chain}` };
      },
      check: async (text) => text,
    });
    expect(outcome.winner?.checked).toBe('chain 2');
    expect(aborted.sort()).toEqual([0, 1, 3]);
    expect(outcome.attempts).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps answers that came back after the win as abandoned', async () => {
    const outcome = await runSampleChains({
      samples: 2,
      revisions: 0,
      isFeedback,
      write: async (_history, _signal, chain) => ({ text: `chain ${chain}` }), // ignores the abort
      check: async (text) => {
        await new Promise((resolve) => setTimeout(resolve, text === 'chain 0' ? 5 : 30));
        return text;
      },
    });
    expect(outcome.winner?.checked).toBe('chain 0');
    expect(outcome.attempts.map((a) => [a.chain, a.outcome])).toEqual([
      [0, 'passed'],
      [1, 'abandoned'],
    ]);
  });

  it('records failed calls and refusals when nothing passes, and stops a chain at a failed call', async () => {
    const outcome = await runSampleChains({
      samples: 2,
      revisions: 1,
      isFeedback,
      write: async (_history, _signal, chain) => {
        if (chain === 1) throw requestError('openai', { kind: 'http', status: 500, message: 'down' });
        return { text: 'bad edit' };
      },
      check: refuse,
    });
    expect(outcome.winner).toBeUndefined();
    expect(outcome.attempts.filter((a) => a.outcome === 'failed')).toHaveLength(2);
    expect(outcome.attempts.filter((a) => a.outcome === 'api_error')).toEqual([
      expect.objectContaining({ chain: 1, revision: 0, errorCode: 'llm_api' }),
    ]);
    expect(outcome.lastRefusal?.message).toBe('refused: bad edit');
    expect(outcome.lastApiError?.message).toMatch(/500/);
  });

  it('tells the model when its answer was cut off at the token limit', async () => {
    const seen: string[] = [];
    await runSampleChains({
      samples: 1,
      revisions: 1,
      isFeedback,
      write: async (history) => {
        seen.push(history.at(-1)?.error ?? '');
        return { text: 'model.py\n```python\nimport torch', truncated: true };
      },
      check: refuse,
    });
    expect(seen[1]).toMatch(/^refused: .*\nYour answer was cut off at the output token limit/s);
  });

  it('fails fast on an unexpected error, and reports a caller’s cancellation', async () => {
    await expect(
      runSampleChains({
        samples: 3,
        revisions: 0,
        isFeedback,
        write: async () => ({ text: 'x' }),
        check: () => Promise.reject(new ResearchError('python_missing', 'no python')),
      }),
    ).rejects.toThrow(/no python/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      runSampleChains({
        samples: 2,
        revisions: 0,
        signal: controller.signal,
        isFeedback,
        write: async (_history, signal) => {
          await sleep(5_000, signal);
          return { text: 'never' };
        },
        check: async () => 'x',
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });
});
