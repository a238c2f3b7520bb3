// The interface between the executor and the layer kernels.
import type { Path, Raws } from './ops.js';

/** A chunk of rows of a tensor: element `base + r·size + i` is element i of the chunk's row r. */
export interface View {
  readonly data: Raws;
  readonly base: number;
}

/**
 * A layer compiled for one path. `run` computes `rows` rows starting at sample `row0` (used for overflow accounting);
 * a number kernel gets Float64Array views, a bigint kernel bigint[] views (the executor converts where needed).
 */
export interface Kernel {
  readonly path: Path;
  run(ins: readonly View[], out: View, rows: number, row0: number): void;
}
