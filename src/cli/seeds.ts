// Parse a --seeds list (comma-separated non-negative integers) for the commands that run experiments.
import { ResearchError } from '../domain/errors.js';

export function parseSeedList(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const seeds = text.split(',').map((part) => Number(part.trim()));
  if (seeds.length === 0 || seeds.some((seed) => !Number.isInteger(seed) || seed < 0) || text.trim() === '') {
    throw new ResearchError(
      'bad_input',
      `--seeds must be comma-separated non-negative integers, e.g. 0,1,2; got "${text}"`,
    );
  }
  return seeds;
}
