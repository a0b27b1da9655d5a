// Minimal glob matching for manifest paths: `**` (any depth), `*` and `?` (within one segment).

const cache = new Map<string, RegExp>();

function toRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** True when the POSIX relative `path` matches `glob`. A glob naming a folder (`data/`) matches inside it. */
export function matchesGlob(path: string, glob: string): boolean {
  const normalized = glob.endsWith('/') ? `${glob}**` : glob;
  let pattern = cache.get(normalized);
  if (!pattern) {
    pattern = toRegExp(normalized);
    cache.set(normalized, pattern);
  }
  return pattern.test(path);
}

/** The first glob that matches `path`, if any. */
export function firstMatch(path: string, globs: readonly string[]): string | undefined {
  return globs.find((glob) => matchesGlob(path, glob));
}
