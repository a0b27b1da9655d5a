// Token sets and Jaccard similarity of idea texts, and rough token counts of model output.

const STOPWORDS = new Set(
  (
    'a an and are as at be by for from has have in into is it its of on or that the their this to was were will with ' +
    'we our use using so than then which while can each per also more most via be all new experiment code changes'
  ).split(' '),
);

/** Lower-cased words and numbers of a text, stop words and the section tags left out. */
export function tokenSet(text: string): Set<string> {
  const words = text.toLowerCase().match(/[a-z0-9]+(?:\.[0-9]+)?/g) ?? [];
  return new Set(words.filter((word) => !STOPWORDS.has(word)));
}

/** |A ∩ B| / |A ∪ B|; two empty sets are identical (1). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const token of small) if (large.has(token)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** The mean Jaccard similarity of `set` to each of `others` (0 when there are none). */
export function meanJaccardTo(set: ReadonlySet<string>, others: readonly ReadonlySet<string>[]): number {
  if (others.length === 0) return 0;
  return others.reduce((sum, other) => sum + jaccard(set, other), 0) / others.length;
}

/** The highest Jaccard similarity of `set` to any of `others` (0 when there are none). */
export function maxJaccardTo(set: ReadonlySet<string>, others: readonly ReadonlySet<string>[]): number {
  let best = 0;
  for (const other of others) best = Math.max(best, jaccard(set, other));
  return best;
}

/** About four characters per token for English and code, the usual rule of thumb when no tokenizer is at hand. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
