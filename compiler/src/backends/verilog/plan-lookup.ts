// The implementation plan (compiler/src/plan) as the Verilog backend reads it: per layer of the flattened network
// (network calls inlined as `<call>__<layer>`), how each product by a constant is built.
import type { FixedType, LayerModel, NetworkModel } from '@qnn/language';
import { classifyConstant, dspAvailableOn, operandBits, planNetwork, type LayerPlan, type NetworkPlan } from '../../plan/index.js';
import type { ProductPlan } from './arith.js';

export interface PlanReader {
  /** The plan of the network, when planNetwork could plan it. */
  readonly plan: NetworkPlan | undefined;
  readonly dspAvailable: boolean;
  /** The plan of a layer of the flattened network. */
  layer(name: string): LayerPlan | undefined;
  /** How the product of a value of type X and the constant `raw` (entry `index` of the layer's constants) is built. */
  product(layer: LayerModel, index: number, raw: bigint, X: FixedType): ProductPlan;
}

export function readPlan(net: NetworkModel): PlanReader {
  let plan: NetworkPlan | undefined;
  try {
    plan = planNetwork(undefined, net);
  } catch {
    plan = undefined; // the classification below is the plan's own rule, so the hardware is the same
  }
  const dspAvailable = plan ? plan.dspAvailable : dspAvailableOn(net.target?.part);
  const find = (p: NetworkPlan | undefined, parts: readonly string[]): LayerPlan | undefined => {
    if (!p || parts.length === 0) return undefined;
    const l = p.layers.find((x) => x.name === parts[0]);
    if (!l || parts.length === 1) return l;
    return find(l.subnetwork, parts.slice(1));
  };
  const layer = (name: string) => find(plan, name.split('__'));
  return {
    plan,
    dspAvailable,
    layer,
    product(l, index, raw, X) {
      const c = layer(l.name)?.constants?.[index];
      if (c && c.raw === raw) return c;
      return classifyConstant(raw, { operandBits: operandBits(X), dspAvailable });
    },
  };
}
