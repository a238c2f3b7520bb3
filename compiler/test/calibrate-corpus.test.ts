// The calibration corpus's split (compiler/calibrate/corpus.mjs): stratified by kind, every sample held out, and the
// blind set all held out. The error table's claims rest on it.
import { describe, expect, it } from 'vitest';
import { corpus, FIRST_BLIND, FIRST_HELD_BATCH, GENERATED, NARROW_ITEMS, PHASE_ITEMS, SHARED_ITEMS, SPARSE_ITEMS, TABLE_ITEMS } from '../calibrate/corpus.mjs';

interface Item {
  id: string;
  kind: string;
  holdout: boolean;
  blind?: boolean;
}

describe('calibration corpus', () => {
  const items = corpus() as Item[];
  const generated = items.filter((i) => i.kind !== 'sample');
  it('has at least 30 generated networks and every id once', () => {
    expect(generated.length).toBe(GENERATED);
    expect(generated.length).toBeGreaterThanOrEqual(30);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });
  it('holds out every fourth network of each kind before the held-out batches, every sample and every batch; the last batch is blind', () => {
    const seen = new Map<string, number>();
    // The table (t00–t19), narrow (n00–n07), phase (p00–p07), sparse (s00–s07) and shared (m00–m07) items are split
    // like the first items: every fourth held out.
    const focus: Record<string, RegExp> = { table: /^t\d+_table$/, narrow: /^n\d+_narrow$/, phases: /^p\d+_phases$/, sparse: /^s\d+_sparse$/, shared: /^m\d+_shared$/ };
    for (const [kind, re] of Object.entries(focus)) {
      const of = generated.filter((g) => g.kind === kind);
      expect(of.length, kind).toBeGreaterThanOrEqual(8);
      for (const [i, it] of of.entries()) {
        expect(it.id).toMatch(re);
        expect(it.holdout, it.id).toBe(i % 4 === 3);
      }
    }
    for (const it of generated.filter((g) => !(g.kind in focus))) {
      const index = Number(/^c(\d+)_/.exec(it.id)![1]);
      if (index >= FIRST_HELD_BATCH) {
        expect(it.holdout, it.id).toBe(true);
        expect(it.blind, it.id).toBe(index >= FIRST_BLIND ? true : undefined);
        continue;
      }
      const k = seen.get(it.kind) ?? 0;
      seen.set(it.kind, k + 1);
      expect(it.holdout, it.id).toBe(k % 4 === 3);
      expect(it.blind, it.id).toBeUndefined();
    }
    for (const it of items.filter((i) => i.kind === 'sample')) expect(it.holdout, it.id).toBe(true);
  });
  it('has one network of each kind in the blind set, generated last', () => {
    const blind = generated.filter((i) => i.blind);
    expect(blind.length).toBe(GENERATED - TABLE_ITEMS - NARROW_ITEMS - PHASE_ITEMS - SPARSE_ITEMS - SHARED_ITEMS - FIRST_BLIND);
    expect(new Set(blind.map((i) => i.kind)).size).toBe(blind.length);
    expect(generated.slice(-blind.length)).toEqual(blind);
  });
  it('trains on every kind and holds out every kind with four networks or more', () => {
    const kinds = new Set(generated.map((i) => i.kind));
    for (const k of kinds) {
      const of = generated.filter((i) => i.kind === k && !i.blind);
      expect(of.some((i) => !i.holdout), k).toBe(true);
      if (of.length >= 4) expect(of.some((i) => i.holdout), k).toBe(true);
    }
  });
});
