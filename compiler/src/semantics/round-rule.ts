// When a quantization mode adds 1 to the floor (docs/semantics.md section 2), as data that each backend renders in
// its own language: an AND of ORs over the dropped and kept bits.

import type { QuantMode } from '@qnn/language';

/** qb = the first dropped bit, r = OR of the other dropped bits, s = the sign, lsb = the kept LSB; `!s` = not s. */
export type RoundTerm = 'qb' | 'r' | 's' | '!s' | 'lsb';

/** For each mode, the clauses that must all hold (each true when any of its terms holds); `undefined`: never. */
export const ROUND_RULES: Readonly<Record<QuantMode, readonly (readonly RoundTerm[])[] | undefined>> = {
  TRN: undefined,
  TRN_ZERO: [['s'], ['qb', 'r']],
  RND: [['qb']],
  RND_ZERO: [['qb'], ['s', 'r']],
  RND_INF: [['qb'], ['!s', 'r']],
  RND_MIN_INF: [['qb'], ['r']],
  RND_CONV: [['qb'], ['lsb', 'r']],
};

/** Renders the rule of `mode` with the backend's own terms and operators; undefined when the mode never rounds up. */
export function renderRoundRule<E>(mode: QuantMode, term: (t: RoundTerm) => E, and: (a: E, b: E) => E, or: (a: E, b: E) => E): E | undefined {
  const rule = ROUND_RULES[mode];
  if (!rule) return undefined;
  return rule.map((clause) => clause.map(term).reduce(or)).reduce(and);
}
