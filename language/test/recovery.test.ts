// Error recovery: garbage lines inserted at three places each give a syntax error on their own line, and the rest
// of the file is still checked (a misspelled name further down is still reported).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, LineIndex, memoryFileSystem, type FileSystem } from '../src/index.js';

const samplePath = join(import.meta.dirname, '../../samples/jet-tagger/jet-tagger.qnn');
const disk: FileSystem = {
  readText: (p) => {
    try {
      return { kind: 'ok', value: readFileSync(p, 'utf8') };
    } catch {
      return { kind: 'missing' };
    }
  },
  readBytes: (p) => {
    try {
      return { kind: 'ok', value: new Uint8Array(readFileSync(p)) };
    } catch {
      return { kind: 'missing' };
    }
  },
};

const GARBAGE = ['asdf qwer zxcv', '@#$%^&*', ')))', 'fc9 = = =', '{{{', 'dense(', '"unterminated', '12 34 56', 'relu(x) : data', '}}}', '<<>> ;; ::'];

describe('recovery from garbage lines', () => {
  const source = readFileSync(samplePath, 'utf8').split('\n');
  for (const garbage of GARBAGE) {
    it(JSON.stringify(garbage), () => {
      const lines = [...source];
      const n = lines.length;
      const at = [Math.floor(n * 0.3), Math.floor(n * 0.55), Math.floor(n * 0.8)];
      for (const a of [...at].reverse()) lines.splice(a, 0, garbage);
      const inserted = at.map((a, i) => a + i);
      const text = lines.join('\n').replace('relu(fc2)', 'relu(fc2x)');
      const program = checkProgram([samplePath], { fs: memoryFileSystem({ [samplePath]: text }, disk) });
      const index = new LineIndex(text);
      const ds = program.diagnostics.get(samplePath) ?? [];
      const syntaxLines = new Set(ds.filter((d) => d.code.startsWith('QNN1')).map((d) => index.positionAt(d.span.start).line));
      for (const l of inserted) expect(syntaxLines, `a syntax error on line ${l + 1}`).toContain(l);
      if (garbage !== '}}}') expect(ds.some((d) => d.code === 'QNN2001' && d.message.includes('fc2x'))).toBe(true);
    });
  }
});
