// Read ideas out of a model's answer: the paper's tagged `[Experiment] … [Code Changes] … [End]` text, or JSON.
// Anything that is not a complete, plausible idea is rejected with a reason, never stored.
import { z } from 'zod';

export interface ParsedIdea {
  title: string;
  experiment: string;
  codeChanges: string;
  /** 1-based numbers of the shown parent ideas this one builds on (exploit prompts). */
  buildsOn: number[];
}

export interface ParsedIdeas {
  format: 'tagged' | 'json' | 'none';
  ideas: ParsedIdea[];
  rejected: { reason: string; excerpt: string }[];
}

const MIN_EXPERIMENT = 20;
const MIN_CODE_CHANGES = 10;
const MAX_IDEA_CHARS = 8000;
const TITLE_CHARS = 80;
const PLACEHOLDER = /^(\.\.\.|…|tbd|todo|n\/?a|none|-+)$|^(what to try|which files and functions)\b/i;

/** The stored text of an idea, in the paper's shape. */
export function ideaText(idea: ParsedIdea): string {
  return `[Experiment] ${idea.experiment}\n[Code Changes] ${idea.codeChanges}`;
}

function clean(text: string): string {
  return text
    .replace(/(\n\s*(-{3,}|\*{3,}|_{3,}|\d+[.)]))+\s*$/, '')
    .replace(/^[\s*_#>-]+|[\s*_#]+$/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function titleFrom(experiment: string): string {
  const sentence = experiment.split(/(?<=[.!?])\s|\n/)[0] ?? experiment;
  return sentence.length <= TITLE_CHARS ? sentence : `${sentence.slice(0, TITLE_CHARS - 1).trimEnd()}…`;
}

function parentNumbers(text: string | undefined): number[] {
  return [...(text ?? '').matchAll(/\d+/g)].map((match) => Number(match[0])).filter((n) => n > 0);
}

function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/g, '').replace(/<think>[\s\S]*$/, '');
}

const TAG = /\**\[\s*(title|builds on|experiment|code changes?|end)\s*\]\**\s*:?/gi;

type Fields = Partial<Record<'title' | 'builds on' | 'experiment' | 'code changes', string>>;

/** Split tagged text into one field set per idea: a new idea starts at a tag its current idea already has. */
function taggedFields(text: string): Fields[] {
  const tags = [...text.matchAll(TAG)];
  const all: Fields[] = [];
  let current: Fields = {};
  const flush = (): void => {
    if (Object.keys(current).length > 0) all.push(current);
    current = {};
  };
  tags.forEach((match, index) => {
    const raw = (match[1] as string).toLowerCase().replace(/\s+/g, ' ');
    const name = raw === 'code change' ? 'code changes' : (raw as keyof Fields | 'end');
    if (name === 'end') return flush();
    if (current[name] !== undefined || (name !== 'code changes' && current['code changes'] !== undefined)) flush();
    const start = (match.index as number) + match[0].length;
    const end = tags[index + 1]?.index ?? text.length;
    current[name] = text.slice(start, end);
  });
  flush();
  return all;
}

const JsonIdea = z
  .object({
    title: z.string().optional(),
    experiment: z.string().optional(),
    description: z.string().optional(),
    idea: z.string().optional(),
    code_changes: z.string().optional(),
    codeChanges: z.string().optional(),
    changes: z.string().optional(),
    builds_on: z.union([z.array(z.union([z.number(), z.string()])), z.string()]).optional(),
    buildsOn: z.union([z.array(z.union([z.number(), z.string()])), z.string()]).optional(),
  })
  .loose();

function jsonFields(text: string): Fields[] | undefined {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(text)?.[1];
  const candidate = (fenced ?? text).trim();
  if (!/^[[{]/.test(candidate)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(candidate);
  } catch {
    return undefined;
  }
  const list = Array.isArray(data) ? data : (data as { ideas?: unknown }).ideas;
  if (!Array.isArray(list)) return undefined;
  return list.map((item) => {
    const parsed = JsonIdea.safeParse(item);
    if (!parsed.success) return {};
    const idea = parsed.data;
    const buildsOn = idea.builds_on ?? idea.buildsOn;
    return {
      title: idea.title,
      experiment: idea.experiment ?? idea.description ?? idea.idea,
      'code changes': idea.code_changes ?? idea.codeChanges ?? idea.changes,
      'builds on': Array.isArray(buildsOn) ? buildsOn.join(', ') : buildsOn,
    };
  });
}

function validate(fields: Fields): ParsedIdea | string {
  const experiment = clean(fields.experiment ?? '');
  const codeChanges = clean(fields['code changes'] ?? '');
  if (experiment === '') return 'no [Experiment] section';
  if (codeChanges === '') return 'no [Code Changes] section';
  if (PLACEHOLDER.test(experiment) || PLACEHOLDER.test(codeChanges)) return 'placeholder text instead of an idea';
  if (experiment.length < MIN_EXPERIMENT) return 'experiment too short to be an idea';
  if (codeChanges.length < MIN_CODE_CHANGES) return 'code changes too short to implement';
  if (experiment.length + codeChanges.length > MAX_IDEA_CHARS) return 'idea too long (over 8000 characters)';
  const title = clean(fields.title ?? '').replace(/^\d+[.)]\s*/, '') || titleFrom(experiment);
  return {
    title: title.length <= TITLE_CHARS * 2 ? title : titleFrom(title),
    experiment,
    codeChanges,
    buildsOn: parentNumbers(fields['builds on']),
  };
}

function excerpt(fields: Fields): string {
  return Object.values(fields).join(' ').replace(/\s+/g, ' ').trim().slice(0, 120);
}

function key(idea: ParsedIdea): string {
  return idea.experiment
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function parseIdeas(answer: string): ParsedIdeas {
  const text = stripThinking(answer);
  const json = jsonFields(text);
  const format = json ? 'json' : new RegExp(TAG.source, 'i').test(text) ? 'tagged' : 'none';
  const fieldSets = json ?? (format === 'tagged' ? taggedFields(text) : []);
  const result: ParsedIdeas = { format, ideas: [], rejected: [] };
  const seen = new Set<string>();
  for (const fields of fieldSets) {
    const checked = validate(fields);
    if (typeof checked === 'string') result.rejected.push({ reason: checked, excerpt: excerpt(fields) });
    else if (seen.has(key(checked)))
      result.rejected.push({ reason: 'repeats an idea in the same answer', excerpt: checked.title });
    else {
      seen.add(key(checked));
      result.ideas.push(checked);
    }
  }
  return result;
}

/** A short reason why an answer held no ideas: refused, empty, or not in the format. */
export function whyNoIdeas(answer: string, parsed: ParsedIdeas): string {
  const text = stripThinking(answer).trim();
  if (text === '') return 'the answer was empty';
  if (/^(i('| a)m sorry|i can(not|'t)|i won't|i am unable|sorry)/i.test(text))
    return `the model declined: "${text.slice(0, 160)}"`;
  if (parsed.rejected.length > 0)
    return `every idea was rejected (${[...new Set(parsed.rejected.map((entry) => entry.reason))].join('; ')})`;
  return `no [Experiment] … [Code Changes] … ideas or JSON ideas found in: "${text.slice(0, 160).replace(/\s+/g, ' ')}"`;
}
