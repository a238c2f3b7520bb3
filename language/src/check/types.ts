// Resolves type expressions (`fixed<16, 6, RND, SAT>`, `uint<8>`, aliases) to FixedType, reporting what is invalid.
import type * as A from '../ast.js';
import {
  fixedType,
  MAX_FIXED_INT_MAGNITUDE,
  MAX_FIXED_WIDTH,
  OVERFLOW_MODES,
  QUANT_MODES,
  type FixedType,
  type OverflowMode,
  type QuantMode,
} from '../fixed-type.js';
import type { Reporter } from './context.js';
import { closestNames, didYouMean } from './suggest.js';

/** Looks up a type alias: its type, or why there is none ('failed': its definition was already reported). */
export type TypeLookup = (name: A.Ident) => FixedType | 'unknown' | 'not-a-type' | 'failed';

export function resolveType(t: A.TypeExpr, lookup: TypeLookup, r: Reporter, knownTypes: () => Iterable<string>): FixedType | undefined {
  if (t.kind === 'typeRef') {
    const found = lookup(t.name);
    if (found === 'not-a-type') {
      r.report('QNN2004', t.name.span, `'${t.name.name}' is not a type.`);
      return undefined;
    }
    if (found === 'failed') return undefined;
    if (found === 'unknown') {
      const names = closestNames(t.name.name, knownTypes());
      r.report('QNN2004', t.name.span, `Type '${t.name.name}' is not defined.${didYouMean(names)} Declare it with 'type ${t.name.name} = fixed<16, 6>' or import it.`, {
        data: { suggestions: names },
      });
      return undefined;
    }
    return found;
  }
  return resolveFixed(t, r);
}

function resolveFixed(t: A.FixedTypeExpr, r: Reporter): FixedType | undefined {
  const nums = t.args.filter((a): a is A.NumberLit => a.kind === 'number');
  const modes = t.args.filter((a): a is A.Ident => a.kind === 'ident');
  const isInt = t.base === 'int' || t.base === 'uint';
  const signed = t.base === 'fixed' || t.base === 'int';
  const wantNums = isInt ? 1 : 2;
  // Numbers come first, then modes.
  const firstMode = t.args.findIndex((a) => a.kind === 'ident');
  if (firstMode >= 0 && firstMode < wantNums) {
    r.report('QNN2005', t.args[firstMode].span, `${t.base}<…> takes ${isInt ? 'the width' : 'the width and the integer bits'} first: write ${isInt ? `${t.base}<8>` : `${t.base}<16, 6, ${(t.args[firstMode] as A.Ident).name}>`}.`);
    return undefined;
  }
  if (nums.length !== wantNums) {
    r.report('QNN2005', t.span, isInt
      ? `${t.base}<…> takes one number, the width: write ${t.base}<8>.`
      : `${t.base}<…> takes two numbers, the width and the integer bits (sign included): write ${t.base}<16, 6>.`);
    return undefined;
  }
  for (const n of nums) {
    if (n.unit !== undefined || !Number.isInteger(n.value)) {
      r.report('QNN2005', n.span, `'${n.text}' is not an integer; type widths and integer bits are whole numbers.`);
      return undefined;
    }
  }
  const width = nums[0].value;
  const intBits = isInt ? width : nums[1].value;
  if (width < 1 || width > MAX_FIXED_WIDTH) {
    r.report('QNN2005', nums[0].span, `The width ${nums[0].text} is out of range; it must be between 1 and ${MAX_FIXED_WIDTH} bits.`);
    return undefined;
  }
  if (Math.abs(intBits) > MAX_FIXED_INT_MAGNITUDE) {
    r.report('QNN2005', nums[1].span, `The integer bits ${nums[1].text} are out of range; use a value between -${MAX_FIXED_INT_MAGNITUDE} and ${MAX_FIXED_INT_MAGNITUDE}.`);
    return undefined;
  }
  if (isInt && modes.length > 0) {
    r.report('QNN2005', modes[0].span, `${t.base}<W> takes no modes; use ${signed ? 'fixed' : 'ufixed'}<W, W, …> for an integer with modes.`);
    return undefined;
  }
  if (modes.length > 2) {
    r.report('QNN2005', modes[2].span, `A fixed-point type takes at most a quantization and an overflow mode; delete '${modes[2].name}'.`);
    return undefined;
  }
  let quant: QuantMode = 'TRN';
  let overflow: OverflowMode = 'WRAP';
  if (modes[0]) {
    const q = modes[0].name;
    if ((QUANT_MODES as readonly string[]).includes(q)) quant = q as QuantMode;
    else if ((OVERFLOW_MODES as readonly string[]).includes(q) && modes.length === 1) {
      r.report('QNN2006', modes[0].span, `'${q}' is an overflow mode; the quantization mode comes first: write ${t.base}<${nums[0].text}, ${nums[1].text}, TRN, ${q}>.`, {
        data: { suggestions: [`TRN, ${q}`] },
      });
      return undefined;
    } else {
      reportMode(r, modes[0], QUANT_MODES, 'quantization');
      return undefined;
    }
  }
  if (modes[1]) {
    const o = modes[1].name;
    if ((OVERFLOW_MODES as readonly string[]).includes(o)) overflow = o as OverflowMode;
    else {
      reportMode(r, modes[1], OVERFLOW_MODES, 'overflow');
      return undefined;
    }
  }
  return fixedType(signed, width, intBits, quant, overflow);
}

function reportMode(r: Reporter, id: A.Ident, modes: readonly string[], what: string): void {
  const stripped = id.name.replace(/^AP_/i, '').toUpperCase();
  const names = modes.includes(stripped) ? [stripped] : closestNames(id.name, modes);
  r.report('QNN2006', id.span, `'${id.name}' is not a ${what} mode.${didYouMean(names)} The ${what} modes are ${modes.join(', ')}.`, {
    data: { suggestions: names },
  });
}
