// The Claude Code plugin files (.claude-plugin/, skills/) against the documented format: fields, paths, front matter.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { allTools } from '../../../tools/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const json = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown>;

/** YAML front matter of the simple `key: value` kind that SKILL.md uses. */
function frontMatter(text: string): { fields: Record<string, string>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('no front matter (--- … ---) at the top');
  const fields: Record<string, string> = {};
  for (const line of (match[1] as string).split('\n')) {
    const field = /^([a-z-]+):\s*(.*)$/.exec(line);
    if (field) fields[field[1] as string] = (field[2] as string).trim();
  }
  return { fields, body: match[2] as string };
}

describe('Claude Code plugin', () => {
  it('has a manifest with a kebab-case name and an MCP server that starts the built CLI', () => {
    const manifest = json('.claude-plugin/plugin.json');
    expect(manifest.name).toMatch(KEBAB);
    expect(typeof manifest.description).toBe('string');
    expect(manifest.version).toBe(json('package.json').version);
    const servers = manifest.mcpServers as Record<string, { command: string; args: string[] }>;
    expect(Object.keys(servers)).toEqual(['groundwork']);
    const server = servers.groundwork as { command: string; args: string[] };
    expect(server.command).toBe('node');
    const [entry, mode] = server.args;
    // Paths inside the plugin go through ${CLAUDE_PLUGIN_ROOT}, so the server starts whatever folder Claude Code runs in.
    expect(entry).toMatch(/^\$\{CLAUDE_PLUGIN_ROOT\}\//);
    expect(mode).toBe('stdio');
    const relative = (entry as string).replace('${CLAUDE_PLUGIN_ROOT}/', '');
    expect((json('package.json').bin as Record<string, string>).groundwork).toBe(relative);
    expect(existsSync(join(ROOT, relative.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('has a marketplace that lists the plugin at a folder holding its manifest', () => {
    const marketplace = json('.claude-plugin/marketplace.json');
    expect(marketplace.name).toMatch(KEBAB);
    expect((marketplace.owner as { name?: string }).name).toBeTruthy();
    const plugins = marketplace.plugins as { name: string; source: string }[];
    expect(plugins.length).toBeGreaterThan(0);
    for (const plugin of plugins) {
      expect(plugin.name).toMatch(KEBAB);
      expect(plugin.source).toMatch(/^\.\//);
      expect(json(join(plugin.source, '.claude-plugin/plugin.json')).name).toBe(plugin.name);
    }
  });

  it('has skills, each a SKILL.md whose front matter names it and says when to use it, naming only real tools', () => {
    const skills = readdirSync(join(ROOT, 'skills'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(skills.length).toBeGreaterThanOrEqual(1);
    const tools = new Set(allTools.map((tool) => tool.name));
    for (const skill of skills) {
      const path = join(ROOT, 'skills', skill.name, 'SKILL.md');
      expect(existsSync(path), path).toBe(true);
      const { fields, body } = frontMatter(readFileSync(path, 'utf8'));
      expect(fields.name, path).toBe(skill.name);
      expect(fields.name).toMatch(KEBAB);
      expect((fields.name as string).length).toBeLessThanOrEqual(64);
      expect(fields.description?.length ?? 0, path).toBeGreaterThan(40);
      expect((fields.description as string).length).toBeLessThanOrEqual(1024);
      expect(fields.description).toMatch(/Use when/);
      expect(body.trim().length).toBeGreaterThan(200);
      // Every call a skill spells out (`tool_name { … }`) is a tool the server has.
      for (const [, name] of body.matchAll(/`([a-z]+(?:_[a-z]+)+) \{/g)) {
        expect(tools.has(name as string), `${path} names ${name}`).toBe(true);
      }
    }
  });
});
