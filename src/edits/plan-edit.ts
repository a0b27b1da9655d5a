// Compute every touched file's new contents against a tree, checking paths and policy, writing nothing.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { applyHunks } from './apply-hunks.js';
import { checkPolicy } from './edit-policy.js';
import { parseEdit } from './parse-edit.js';
import { refuse } from './refuse.js';
import { normalizeEditPath, resolveInTree } from './safe-path.js';
import { fromDocument, toDocument } from './text-lines.js';
import { readTreeFile } from './tree-file.js';
import type { EditFormat, EditPolicy, FileChange, FileOperation, Hunk } from './types.js';
import { checkWholeFile } from './whole-file-guard.js';

interface Entry {
  before: string | null;
  current: string | null;
}

const CREATE_HINT = 'To create a file use "--- /dev/null" in a diff, an empty SEARCH block, or "*** Add File:".';

/** A shorter existing path the model may have meant (it wrote the project folder's name, say), as a hint. */
async function didYouMean(root: string, path: string): Promise<string> {
  const parts = path.split('/');
  for (let skip = 1; skip < parts.length; skip++) {
    const candidate = parts.slice(skip).join('/');
    if (
      await stat(join(root, candidate)).then(
        (info) => info.isFile(),
        () => false,
      )
    )
      return ` Did you mean ${candidate}? Paths are relative to the project root.`;
  }
  return '';
}

function applyTo(path: string, content: string, hunks: readonly Hunk[]): string {
  return fromDocument(applyHunks(path, toDocument(content), hunks));
}

class Plan {
  readonly entries = new Map<string, Entry>();

  constructor(
    private readonly root: string,
    private readonly policy: EditPolicy,
  ) {}

  /** The entry for a model-written path, loading the file the first time; checks path safety and policy. */
  async load(raw: string): Promise<{ path: string; entry: Entry }> {
    const path = normalizeEditPath(raw);
    checkPolicy(path, this.policy);
    let entry = this.entries.get(path);
    if (!entry) {
      const content = await readTreeFile(await resolveInTree(this.root, path), path);
      entry = { before: content, current: content };
      this.entries.set(path, entry);
    }
    return { path, entry };
  }

  async apply(operation: FileOperation): Promise<void> {
    const { path, entry } = await this.load(operation.path);
    const current = entry.current;
    switch (operation.kind) {
      case 'write':
        if (current !== null) checkWholeFile(path, current, operation.content);
        entry.current = operation.content;
        return;
      case 'create':
        if (current !== null)
          throw refuse(
            'file_exists',
            `${path} already exists; edit it with a diff against its current content instead of creating it.`,
            path,
          );
        entry.current = applyTo(path, '', operation.hunks);
        return;
      case 'delete':
        if (current === null)
          throw refuse(
            'file_missing',
            `${path} cannot be deleted: it does not exist.${await didYouMean(this.root, path)}`,
            path,
          );
        applyTo(path, current, operation.hunks); // the deleted lines must really be there
        entry.current = null;
        return;
      case 'update': {
        let after: string;
        if (current !== null) after = applyTo(path, current, operation.hunks);
        else if (operation.hunks[0]?.oldLines.length === 0) after = applyTo(path, '', operation.hunks);
        else
          throw refuse(
            'file_missing',
            `${path} does not exist.${await didYouMean(this.root, path)} ${CREATE_HINT}`,
            path,
          );
        if (operation.moveTo === undefined) {
          entry.current = after;
          return;
        }
        const target = await this.load(operation.moveTo);
        if (target.entry.current !== null)
          throw refuse('file_exists', `cannot move ${path} to ${target.path}: it already exists.`, target.path);
        entry.current = null;
        target.entry.current = after;
      }
    }
  }

  changes(): FileChange[] {
    return [...this.entries]
      .filter(([, entry]) => entry.before !== entry.current)
      .map(([path, entry]) => ({ path, before: entry.before, after: entry.current }));
  }
}

/** Compute the new contents for every touched file against `root` without writing anything. */
export async function planEdit(
  root: string,
  text: string,
  policy: EditPolicy,
): Promise<{ format: EditFormat; changes: FileChange[] }> {
  const parsed = parseEdit(text);
  const plan = new Plan(root, policy);
  for (const operation of parsed.operations) await plan.apply(operation);
  const changes = plan.changes();
  if (changes.length === 0) {
    const files = [...plan.entries.keys()].join(', ');
    throw refuse(
      'no_op',
      `the edit changes nothing: after applying it, ${files} would be byte-identical to the current files. Make the change the idea needs.`,
    );
  }
  return { format: parsed.format, changes };
}
