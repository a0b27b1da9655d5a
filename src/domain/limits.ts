// Input limits, as constants and zod schemas: tools build their input schemas from them, services check with them.
import { z } from 'zod';

/** Clients time out tool calls after 60 s or so: a tool never waits longer than this. */
export const MAX_WAIT_SECONDS = 45;

/** Seeds of one experiment. */
export const MAX_SEEDS = 10;
export const MAX_SEED = 1_000_000;

/** Ideas one proposal call asks for (a search's bigger batch takes several calls). */
export const MAX_IDEAS_PER_CALL = 20;

/** A caller's own edit: enough for diffs and search/replace blocks, not for whole large files. */
export const MAX_EDIT_CHARS = 400_000;

export const Seeds = z.array(z.number().int().min(0).max(MAX_SEED)).min(1).max(MAX_SEEDS);

export const IdeaCount = z.number().int().min(1).max(MAX_IDEAS_PER_CALL);

export const EditText = z
  .string()
  .min(1)
  .max(
    MAX_EDIT_CHARS,
    `the edit may be at most ${MAX_EDIT_CHARS} characters; send a diff or search/replace blocks, not whole files`,
  );

export const WaitSeconds = z
  .number()
  .min(0)
  .max(MAX_WAIT_SECONDS, `wait_seconds may be at most ${MAX_WAIT_SECONDS}; call again to wait longer`);
