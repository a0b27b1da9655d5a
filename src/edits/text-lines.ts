// Files as lines that remember their own line endings, so untouched lines stay byte-identical.

export type LineEnding = '' | '\n' | '\r\n';

export interface Line {
  text: string;
  eol: LineEnding;
}

/** A file's lines, the ending new lines get, and whether the file ends with a newline. */
export interface Document {
  lines: Line[];
  eol: '\n' | '\r\n';
  finalNewline: boolean;
}

export function toDocument(content: string): Document {
  const lines: Line[] = [];
  let crlf = 0;
  let start = 0;
  while (start < content.length) {
    const end = content.indexOf('\n', start);
    if (end === -1) {
      lines.push({ text: content.slice(start), eol: '' });
      break;
    }
    const isCrlf = end > start && content[end - 1] === '\r';
    if (isCrlf) crlf++;
    lines.push({ text: content.slice(start, isCrlf ? end - 1 : end), eol: isCrlf ? '\r\n' : '\n' });
    start = end + 1;
  }
  const withEnding = lines.filter((line) => line.eol !== '').length;
  const last = lines[lines.length - 1];
  return {
    lines,
    eol: withEnding > 0 && crlf * 2 > withEnding ? '\r\n' : '\n',
    finalNewline: last === undefined || last.eol !== '',
  };
}

/** Join the lines back: inner lines get the file's ending if they lost theirs, the last one follows `finalNewline`. */
export function fromDocument(document: Document): string {
  const { lines, eol, finalNewline } = document;
  let out = '';
  lines.forEach((line, index) => {
    const isLast = index === lines.length - 1;
    const ending = isLast ? (finalNewline ? line.eol || eol : '') : line.eol || eol;
    out += line.text + ending;
  });
  return out;
}

/** Split edit text into lines without endings (CRLF and LF alike). */
export function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

/** The lines of a block of new text, without the empty string after a final newline. */
export function blockLines(text: string): string[] {
  if (text === '') return [];
  const lines = splitLines(text);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function countLines(content: string): number {
  return toDocument(content).lines.length;
}
