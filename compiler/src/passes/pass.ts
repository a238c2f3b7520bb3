// A pass: a pure function from an IR graph to a new graph (the input is never changed), with a name for reports.
import type { IrGraph } from '../ir/types.js';

export interface Pass {
  readonly name: string;
  /** One sentence: what the pass does and why it keeps the bits of docs/semantics.md. */
  readonly description: string;
  readonly run: (g: IrGraph) => IrGraph;
}
