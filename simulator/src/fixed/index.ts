// Fixed-point arithmetic with ap_fixed semantics on integer raws: casts, rounding, overflow, expression types.
export { NUMBER_BITS, bitLength, fitsNumber, productType, sumOfType, sumType } from './types.js';
export {
  bigRange,
  divRoundBig,
  divRoundNumber,
  numberRange,
  overflowBig,
  overflowKind,
  overflowNumber,
  quantCode,
  roundNumber,
  roundShiftBig,
  type BigRange,
  type NumberRange,
  type OverflowKind,
} from './round.js';
export {
  BigCaster,
  cast,
  NumberCaster,
  NumberQuantizer,
  quantizeBig,
  quantizeNumber,
  type CastResult,
  type OverflowSink,
} from './cast.js';
