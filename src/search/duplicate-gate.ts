// The duplicate gate: refuses, before any edit is made, an idea too close to one already tried in its environment.
import type { Idea } from '../domain/records.js';
import type { Store } from '../store/store.js';

/** Word bigrams at or above this Jaccard similarity (and with the same numbers) make a near-duplicate. */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.75;
/** Cosine similarity of embeddings at or above which two ideas (with the same numbers) are near-duplicates. */
export const DEFAULT_EMBEDDING_THRESHOLD = 0.95;
/** Word bigrams: a reworded idea keeps most of them, a different idea shares almost none. */
const SHINGLE = 2;

export interface DuplicateGateOptions {
  /** Jaccard threshold on word bigrams, 0–1 (default 0.75). */
  threshold?: number;
  /**
   * Embeddings of texts, when a provider offers them (the LLM adapter has none today; the composition root may pass
   * one). Used instead of shingles, with `embeddingThreshold` on cosine similarity.
   */
  embed?: (texts: string[]) => Promise<number[][]>;
  embeddingThreshold?: number;
}

export interface DuplicateCheckOptions {
  /**
   * The idea being checked, when it is already stored: it is skipped, and so is every idea stored after it (without
   * it, the latest stored idea with the same text is taken to be the one checked).
   */
  ideaId?: string;
  /** Exact knob settings (offline ideas): equal settings are a duplicate, different settings never are. */
  knobs?: Record<string, number | string>;
}

export interface DuplicateVerdict {
  /** The earlier idea this one repeats; absent when it is new enough to run. */
  duplicateOf?: string;
  /** Highest similarity to an earlier idea of the environment, 0–1. */
  similarity: number;
}

export interface DuplicateGate {
  check(environment: string, ideaText: string, options?: DuplicateCheckOptions): Promise<DuplicateVerdict>;
}

interface Fingerprint {
  shingles: Set<string>;
  /** The numbers the text names, canonical and sorted: ideas that differ in a value are different experiments. */
  numbers: string;
}

/** A number's canonical spelling: 3e-3, 0.003 and 0.0030 are all "0.003"; 1,000 is "1000". */
function canonicalNumber(raw: string): string {
  const value = Number(raw.replace(/,/g, ''));
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : raw;
}

const NUMBER = /[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?\.?\d+(?:e[-+]?\d+)?/gi;

/** Lowercased words with numbers in canonical form (`#0.003`); tags such as `[Experiment]` and punctuation dropped. */
export function ideaTokens(text: string): string[] {
  const numbers: string[] = [];
  const withoutTags = text.toLowerCase().replace(/\[[^\]]{0,40}\]/g, ' ');
  // Numbers become placeholder words first, so punctuation stripping cannot split "3e-3" or "0.003".
  const marked = withoutTags.replace(NUMBER, (raw) => {
    numbers.push(canonicalNumber(raw));
    return ` numberplaceholder${numbers.length - 1} `;
  });
  return marked
    .replace(/[^a-z0-9_]+/g, ' ')
    .split(' ')
    .filter(Boolean)
    .map((token) => {
      const index = /^numberplaceholder(\d+)$/.exec(token)?.[1];
      return index === undefined ? token : `#${numbers[Number(index)]}`;
    });
}

export function fingerprint(text: string): Fingerprint {
  const tokens = ideaTokens(text);
  const size = Math.min(SHINGLE, Math.max(1, tokens.length));
  const shingles = new Set<string>();
  for (let i = 0; i + size <= tokens.length; i++) shingles.add(tokens.slice(i, i + size).join(' '));
  const numbers = tokens
    .filter((token) => token.startsWith('#'))
    .sort()
    .join(' ');
  return { shingles, numbers };
}

/** Jaccard similarity of two shingle sets (1 for two empty texts). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const shingle of a) if (b.has(shingle)) shared++;
  return shared / (a.size + b.size - shared);
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function knobKey(knobs: Record<string, number | string>): string {
  return JSON.stringify(
    Object.keys(knobs)
      .sort()
      .map((name) => [name, typeof knobs[name] === 'number' ? canonicalNumber(String(knobs[name])) : knobs[name]]),
  );
}

/**
 * Ideas of the environment stored before the one checked: `ideaId` when given, else the latest stored idea with
 * exactly this text (a proposed idea is stored before it is checked); all of them when it is not stored.
 */
function earlier(ideas: readonly Idea[], ideaId: string | undefined, text: string): Idea[] {
  const index =
    ideaId === undefined
      ? ideas.findLastIndex((idea) => idea.text === text)
      : ideas.findIndex((idea) => idea.id === ideaId);
  return index < 0 ? [...ideas] : ideas.slice(0, index);
}

export function createDuplicateGate(store: Pick<Store, 'ideas'>, options: DuplicateGateOptions = {}): DuplicateGate {
  const threshold = options.threshold ?? DEFAULT_DUPLICATE_THRESHOLD;
  const embeddingThreshold = options.embeddingThreshold ?? DEFAULT_EMBEDDING_THRESHOLD;
  const prints = new Map<string, Fingerprint>();
  const vectors = new Map<string, number[]>();
  const printOf = (idea: Idea): Fingerprint => {
    let print = prints.get(idea.id);
    if (!print) prints.set(idea.id, (print = fingerprint(idea.text)));
    return print;
  };
  const embeddingsOf = async (ideas: readonly Idea[]): Promise<number[][]> => {
    const missing = ideas.filter((idea) => !vectors.has(idea.id));
    if (missing.length > 0 && options.embed) {
      const embedded = await options.embed(missing.map((idea) => idea.text));
      missing.forEach((idea, i) => vectors.set(idea.id, embedded[i] ?? []));
    }
    return ideas.map((idea) => vectors.get(idea.id) ?? []);
  };

  return {
    async check(environment, ideaText, checkOptions = {}) {
      const all = await store.ideas.list((idea) => idea.environment === environment);
      const others = earlier(all, checkOptions.ideaId, ideaText);
      if (others.length === 0) return { similarity: 0 };
      const own = fingerprint(ideaText);
      const ownVector = options.embed ? ((await options.embed([ideaText]))[0] ?? []) : undefined;
      const otherVectors = options.embed ? await embeddingsOf(others) : [];
      const knobs = checkOptions.knobs ? knobKey(checkOptions.knobs) : undefined;
      let best: DuplicateVerdict = { similarity: 0 };
      others.forEach((other, index) => {
        const print = printOf(other);
        let similarity = ownVector
          ? cosine(ownVector, otherVectors[index] ?? [])
          : jaccard(own.shingles, print.shingles);
        let duplicate: boolean;
        if (knobs !== undefined && other.knobs) {
          duplicate = knobKey(other.knobs) === knobs;
          if (duplicate) similarity = 1;
        } else duplicate = similarity >= (ownVector ? embeddingThreshold : threshold) && own.numbers === print.numbers;
        const better = duplicate
          ? !best.duplicateOf || similarity > best.similarity
          : !best.duplicateOf && similarity > best.similarity;
        if (better) best = duplicate ? { duplicateOf: other.id, similarity } : { similarity };
      });
      return best;
    },
  };
}
