// The ideas of a search as a tree (parents → children) with the best path highlighted; a coloured unified diff.
import { h, num, raw, type SafeHtml, seg } from './html.js';
import type { LineageNode } from './view-data.js';

const MAX_NODES = 400;
const MAX_DIFF_LINES = 3000;

/**
 * Each idea hangs under its first parent known to the search (an idea with several parents names the others);
 * roots are ideas with none. Iterative, so a long chain cannot overflow the stack; at most MAX_NODES are drawn.
 */
export function lineageTree(nodes: readonly LineageNode[], bestPath: readonly string[]): SafeHtml {
  if (nodes.length === 0) return h`<p class="muted">No ideas yet.</p>`;
  const known = new Map(nodes.map((n) => [n.idea_id, n]));
  const children = new Map<string, LineageNode[]>();
  const roots: LineageNode[] = [];
  for (const node of nodes) {
    const parent = node.parent_ids.find((p) => known.has(p) && p !== node.idea_id);
    if (parent === undefined) roots.push(node);
    else children.set(parent, [...(children.get(parent) ?? []), node]);
  }
  const onPath = new Set(bestPath);
  // Best-path branches first, then by reward, so the interesting part survives the node cap.
  const order = (list: LineageNode[]) =>
    [...list].sort(
      (a, b) =>
        Number(onPath.has(b.idea_id)) - Number(onPath.has(a.idea_id)) ||
        (b.reward ?? -Infinity) - (a.reward ?? -Infinity),
    );
  let out = '<ul class="tree root">';
  let drawn = 0;
  const seen = new Set<string>();
  const stack: (LineageNode | 'close')[] = order(roots).reverse();
  while (stack.length > 0) {
    const item = stack.pop() as LineageNode | 'close';
    if (item === 'close') {
      out += '</ul></li>';
      continue;
    }
    if (seen.has(item.idea_id) || drawn >= MAX_NODES) continue;
    seen.add(item.idea_id);
    drawn++;
    const others = item.parent_ids.filter((p) => p !== item.parent_ids.find((q) => known.has(q)));
    const label = item.experiment_id
      ? h`<a href="/experiments/${seg(item.experiment_id)}">${item.title}</a>`
      : h`${item.title}`;
    out +=
      h`<li class="${onPath.has(item.idea_id) ? 'best' : ''}" data-idea="${item.idea_id}"><span class="node">${label} <span class="muted">g${item.generation} · reward ${num(item.reward)}${others.length > 0 ? ` · also from ${others.join(', ')}` : ''}</span></span>`
        .value;
    const kids = children.get(item.idea_id) ?? [];
    if (kids.length > 0) {
      out += '<ul class="tree">';
      stack.push('close', ...order(kids).reverse());
    } else out += '</li>';
  }
  out += '</ul>';
  const rest = nodes.length - drawn;
  return h`${raw(out)}${rest > 0 ? h`<p class="muted">${rest} more ideas not drawn (best path and best rewards first).</p>` : ''}`;
}

/** A unified diff, each line escaped and classed: file headers, hunks, additions, deletions. */
export function renderDiff(diff: string): SafeHtml {
  if (diff.trim() === '')
    return h`<p class="muted">No diff (the implementation failed, or it is the unchanged code).</p>`;
  const lines = diff.split('\n');
  const shown = lines.slice(0, MAX_DIFF_LINES).map((line) => {
    const cls = /^(\+\+\+|---|diff |index )/.test(line)
      ? 'file'
      : line.startsWith('@@')
        ? 'hunk'
        : line.startsWith('+')
          ? 'add'
          : line.startsWith('-')
            ? 'del'
            : '';
    return cls ? h`<span class="${cls}">${line}</span>` : h`${line}`;
  });
  const more = lines.length - MAX_DIFF_LINES;
  return h`<pre class="diff">${shown.map((line, i) => (i === 0 ? line : h`\n${line}`))}</pre>${more > 0 ? h`<p class="muted">${more} more lines.</p>` : ''}`;
}
