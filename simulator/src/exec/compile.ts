// Compiles one layer into a kernel: dispatch on the operation's category.
import { assertNever, type OpSpec } from '@qnn/language';
import { compileElementwise } from './kernels/elementwise.js';
import { compileMac } from './kernels/mac.js';
import { compileMerge } from './kernels/merge.js';
import { compilePool } from './kernels/pool.js';
import { compileSoftmax } from './kernels/softmax.js';
import { compileTable } from './kernels/tables.js';
import type { CompiledLayer, LayerContext } from './layer-context.js';

export function compileLayer(ctx: LayerContext, op: OpSpec): CompiledLayer {
  switch (op.category) {
    case 'dense':
    case 'conv':
      return compileMac(ctx);
    case 'pool':
      return compilePool(ctx);
    case 'norm':
    case 'activation':
    case 'shape':
      return compileElementwise(ctx);
    case 'table':
      return op.name === 'softmax' ? compileSoftmax(ctx) : compileTable(ctx);
    case 'merge':
      return compileMerge(ctx);
    default:
      return assertNever(op.category);
  }
}
