// The operand and accumulator selects of reuse > 1 layers (mac.ts phaseMux): a balanced tree of 2:1 multiplexers on
// the phase counter's bits, which picks the right value in every phase the counter reaches, is at most one level per
// counter bit, and collapses the don't-cares (phases without a value, phases the counter never reaches).
import { describe, expect, it } from 'vitest';
import { phaseMux, type PhaseCounter } from '../src/backends/verilog/mac.js';
import { printExpr, type Expr } from '../src/backends/verilog/vast.js';

/** The value (a ref's name) an expression selects when the counter holds `phase`. */
function evaluate(e: Expr, counter: PhaseCounter, phase: number): string {
  switch (e.kind) {
    case 'ref':
      if (e.name === counter.name) return String(phase & 1);
      return e.name;
    case 'cond': {
      const t = e.test;
      const b = t.kind === 'slice' && t.name === counter.name ? (phase >> t.lo) & 1 : Number(evaluate(t, counter, phase));
      return evaluate(b ? e.then : e.else, counter, phase);
    }
    default:
      throw new Error(`unexpected ${e.kind}`);
  }
}

const depth = (e: Expr): number => (e.kind === 'cond' ? 1 + Math.max(depth(e.then), depth(e.else)) : 0);
const choice = (name: string) => ({ key: name, expr: { kind: 'ref', name } as Expr });

describe('phaseMux', () => {
  it('selects every phase’s value through at most one multiplexer per counter bit', () => {
    for (const count of [2, 3, 5, 8, 13, 16, 32]) {
      const width = Math.max(1, Math.ceil(Math.log2(count)));
      const counter = { name: 'phase', width, count };
      const values = Array.from({ length: count }, (_, r) => choice(`v${r}`));
      const e = phaseMux(counter, values)!;
      for (let r = 0; r < count; r++) expect(evaluate(e, counter, r)).toBe(`v${r}`);
      expect(depth(e)).toBeLessThanOrEqual(width);
      // A chain of phase == r tests would need count − 1 levels.
      if (count > 3) expect(depth(e)).toBeLessThan(count - 1);
    }
  });

  it('treats phases without a value and phases past the count as don’t-cares', () => {
    const counter = { name: 'phase', width: 3, count: 6 };
    // Phases 1, 4 and 5 have values; the others do not matter.
    const e = phaseMux(counter, [undefined, choice('a'), undefined, undefined, choice('b'), choice('b')])!;
    expect(evaluate(e, counter, 1)).toBe('a');
    expect(evaluate(e, counter, 4)).toBe('b');
    expect(evaluate(e, counter, 5)).toBe('b');
    expect(printExpr(e)).toBe('(phase[2] ? b : a)');
    // One value wherever it matters: no multiplexer at all.
    expect(printExpr(phaseMux(counter, [choice('a'), undefined, choice('a')])!)).toBe('a');
    expect(phaseMux(counter, [undefined, undefined])).toBeUndefined();
  });

  it('keeps the value of the phases a counter reaches beyond a layer’s own phases (hold)', () => {
    // A layer of reuse 3 under a counter of 4 phases: phase 3 must hold, it is not a don't-care.
    const counter = { name: 'phase', width: 2, count: 4 };
    const e = phaseMux(counter, [choice('r0'), choice('r1'), choice('acc'), choice('acc')])!;
    expect([0, 1, 2, 3].map((r) => evaluate(e, counter, r))).toEqual(['r0', 'r1', 'acc', 'acc']);
  });

  it('tests a 1-bit counter as the register itself (declared without a range)', () => {
    const counter = { name: 'ph', width: 1, count: 2 };
    expect(printExpr(phaseMux(counter, [choice('a'), choice('b')])!)).toBe('(ph ? b : a)');
  });
});
