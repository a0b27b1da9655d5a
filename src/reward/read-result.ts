// Read and validate `$GROUNDWORK_OUT/result.json`, the only way a run reports its metric.
import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import type { FailureCategory } from '../domain/records.js';

const ResultFile = z.object({
  metric: z.union([z.number(), z.null()]),
  metrics: z.record(z.string(), z.union([z.number(), z.null()])).optional(),
  curve: z.array(z.tuple([z.number(), z.union([z.number(), z.null()])])).optional(),
  suspicious: z.string().optional(),
  error: z.string().optional(),
});

export type ResultRead =
  | { ok: true; metric: number; metrics: Record<string, number>; curve: [number, number][] }
  | { ok: false; category: FailureCategory; message: string };

/** Python's json module writes NaN and Infinity, which JSON.parse refuses: read them as null. */
function parseLenient(text: string): unknown {
  return JSON.parse(text.replace(/(?<=[:,[\s])-?(?:NaN|Infinity)(?=\s*[,}\]])/g, 'null'));
}

export async function readResult(path: string): Promise<ResultRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { ok: false, category: 'no_result', message: 'the run wrote no result.json' };
  }
  let raw: unknown;
  try {
    raw = parseLenient(text);
  } catch (error) {
    return { ok: false, category: 'no_result', message: `result.json is not JSON: ${String(error).slice(0, 200)}` };
  }
  const parsed = ResultFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      category: 'no_result',
      message: `result.json has no numeric "metric" (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`,
    };
  }
  const result = parsed.data;
  if (result.suspicious)
    return { ok: false, category: 'suspicious', message: `harness flagged the run: ${result.suspicious}` };
  if (result.metric === null || !Number.isFinite(result.metric)) {
    return {
      ok: false,
      category: 'nan',
      message: result.error ?? 'the metric is not a finite number (NaN or infinite)',
    };
  }
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(result.metrics ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
  }
  const curve = (result.curve ?? []).filter((point): point is [number, number] => typeof point[1] === 'number');
  return { ok: true, metric: result.metric, metrics, curve };
}
