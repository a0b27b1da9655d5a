// Recognise a line that names a file: `train.py`, **train.py**, ### src/model.py, File: train.py, `train.py`:

const KNOWN_NAMES = new Set(['Makefile', 'Dockerfile', 'LICENSE', 'README']);
const PATH = /^[\w./\\@+~=,%-]+$/;

/** The path a bare token names, or undefined when it does not look like a file path. */
export function pathFromToken(token: string): string | undefined {
  const path = token.trim();
  if (path === '' || path.length > 300 || !PATH.test(path) || !/[A-Za-z]/.test(path)) return undefined;
  if (/^[A-Za-z]+:\/\//.test(path)) return undefined;
  const name = path.split('/').pop() ?? '';
  const hasExtension = /\.[A-Za-z0-9_]+$/.test(name) && !/^\d+(\.\d+)+$/.test(name);
  if (hasExtension || KNOWN_NAMES.has(name) || (path.includes('/') && name !== '')) return path;
  return undefined;
}

/** The path named by a whole line (decorations such as #, **, backticks, "File:" and a trailing colon removed). */
export function pathFromLine(line: string): string | undefined {
  let text = line.trim();
  text = text.replace(/^#{1,6}\s+/, '');
  for (let pass = 0; pass < 3; pass++) {
    text = text.replace(/^(\*\*|__|\*|_)(.*)\1$/, '$2').trim();
    text = text.replace(/:$/, '').trim();
    text = text.replace(/^(?:file(?:name)?|path)\s*:\s*/i, '').trim();
    text = text.replace(/^`([^`]+)`$/, '$1').trim();
    text = text.replace(/^"([^"]+)"$/, '$1').replace(/^'([^']+)'$/, '$1');
  }
  if (text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text)) {
    return /^[^\s]+$/.test(text) ? text : undefined;
  }
  return pathFromToken(text);
}
