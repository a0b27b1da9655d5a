import { describe, expect, it } from 'vitest';

import { locateBlock } from '../../../src/edits/locate-block.js';
import { fromDocument, toDocument } from '../../../src/edits/text-lines.js';

describe('documents', () => {
  it.each(['', 'a', 'a\n', 'a\r\nb\r\n', 'a\r\nb\nc', '\n\n', 'x\r\n\r\n'])(
    'round-trips %j byte for byte',
    (content) => {
      expect(fromDocument(toDocument(content))).toBe(content);
    },
  );

  it('picks the dominant line ending for new lines', () => {
    expect(toDocument('a\r\nb\r\nc\n').eol).toBe('\r\n');
    expect(toDocument('a\nb\nc\r\n').eol).toBe('\n');
  });
});

describe('locateBlock', () => {
  const lines = ['def f():', '    x = 1  ', '    return x', '', 'def g():', '    x = 1', '    return x'];

  it('prefers an exact match', () => {
    expect(locateBlock(lines, ['    x = 1  '])).toMatchObject({ kind: 'found', match: { index: 1, tier: 'exact' } });
  });

  it('reports every start of an ambiguous block', () => {
    expect(locateBlock(lines, ['    return x'])).toEqual({ kind: 'ambiguous', tier: 'exact', starts: [2, 6] });
  });

  it('resolves ambiguity with a hint', () => {
    expect(locateBlock(lines, ['    return x'], { hint: 5 })).toMatchObject({ kind: 'found', match: { index: 6 } });
  });

  it('falls back to a consistent indentation shift, and refuses an inconsistent one', () => {
    expect(locateBlock(lines, ['def g():', '  x = 1'])).toEqual({ kind: 'not_found' });
    expect(locateBlock(lines, ['  def g():', '      x = 1'])).toMatchObject({
      kind: 'found',
      match: { index: 4, tier: 'indentation', indent: { kind: 'remove', prefix: '  ' } },
    });
  });

  it('anchors a block at the end of the file', () => {
    expect(locateBlock(lines, ['    x = 1', '    return x'], { atEnd: true })).toMatchObject({
      kind: 'found',
      match: { index: 5 },
    });
    expect(locateBlock(lines, ['def f():'], { atEnd: true })).toEqual({ kind: 'not_found' });
  });
});
