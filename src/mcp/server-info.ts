// The name and version this server reports to clients, read once from package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { MAX_WAIT_SECONDS } from '../domain/limits.js';

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (parsed.name === 'groundwork' && parsed.version) return parsed.version;
      } catch {
        // not ours: keep looking
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const SERVER_INFO = { name: 'groundwork', title: 'groundwork', version: packageVersion() };

export const SERVER_INSTRUCTIONS = `groundwork runs execution-grounded research: ideas become code edits, edits become experiments that train and evaluate for real, and the measured metric comes back as a reward.
The loop: list_environments → read_environment (the code) → propose_idea (or your own idea) → implement_idea (the implementer's edit, or yours via "edit") → run_experiment (returns at once) → get_reward with wait_seconds (≤ ${MAX_WAIT_SECONDS}; call again while it runs).
For unattended work use run_search, then get_search / cancel_search. Rewards are higher-is-better whatever the metric's direction; compare with the environment's baseline.
Errors come back as tool results that start with a code (not_found, bad_input, edit_refused, …) and say what to do.`;
