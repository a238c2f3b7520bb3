// The hls4ml reuse-factor rule and the nearest valid values, against a brute-force enumeration.
import { describe, expect, it } from 'vitest';
import { isValidReuse, nearestValidReuse } from '../src/index.js';

function brute(nIn: number, nOut: number): number[] {
  const out: number[] = [];
  for (let r = 1; r <= nIn * nOut; r++) {
    const mf = Math.min(nIn, r);
    const ml = Math.ceil((nIn * nOut) / mf);
    if ((ml % nOut === 0 || r >= nIn) && (r % nIn === 0 || r < nIn) && (nIn * nOut) % r === 0) out.push(r);
  }
  return out;
}

describe('reuse factor rule', () => {
  it('agrees with brute force on small layers', () => {
    for (let nIn = 1; nIn <= 24; nIn++) {
      for (let nOut = 1; nOut <= 24; nOut++) {
        const valid = brute(nIn, nOut);
        for (let r = 1; r <= nIn * nOut + 2; r++) {
          expect(isValidReuse(nIn, nOut, r)).toBe(valid.includes(r));
          if (!valid.includes(r)) {
            const below = valid.filter((v) => v < r).pop();
            const above = valid.find((v) => v > r);
            expect(nearestValidReuse(nIn, nOut, r)).toEqual([below, above].filter((v) => v !== undefined));
          }
        }
      }
    }
  });
  it('knows the jet tagger layers', () => {
    expect(isValidReuse(16, 64, 1)).toBe(true);
    expect(nearestValidReuse(64, 32, 3)).toEqual([2, 4]);
    expect(isValidReuse(0 + 16, 64, 0)).toBe(false);
  });
});
