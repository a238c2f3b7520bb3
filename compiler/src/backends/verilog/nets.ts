// The nets of one generated module: wires with their drivers, clock-enabled registers, delay chains and ROMs; only
// what the outputs use is printed.
import type { FixedType } from '@qnn/language';
import type { NetSink, Val } from './arith.js';
import type { PlanReader } from './plan-lookup.js';
import { ref, type Decl, type Expr } from './vast.js';

export interface Net {
  readonly decl: Decl;
  /** The driver: a continuous assignment for a wire, the next value (under ce) for a register. */
  readonly value: Expr;
  readonly registered: boolean;
  /**
   * For a register, its enable: io parallel uses 'stage' (advance once per initiation interval) and 'cycle' (every
   * enabled cycle); io stream names the enable net of the register's stage.
   */
  readonly every?: string;
}

/** Collects the nets of one module, with a clock-enabled register per pipeline value; keeps only what outputs use. */
export class ModuleNets implements NetSink {
  readonly nets = new Map<string, Net>();
  private counter = 0;
  /** The enable of the accumulators that time-multiplexed layers create ('cycle' in io parallel). */
  cycleEnable = 'cycle';
  /** The implementation plan: how every product by a constant is built (without it: shifts and multipliers). */
  plan: PlanReader | undefined;
  private readonly delays = new Map<string, Val>();
  /** Constant tables (ROMs): a memory initialised in an `initial` block, read combinationally by index. */
  readonly roms = new Map<string, { readonly width: number; readonly signed: boolean; readonly entries: readonly bigint[] }>();

  rom(prefix: string, width: number, isSigned: boolean, entries: readonly bigint[]): string {
    const name = this.fresh(prefix);
    this.roms.set(name, { width, signed: isSigned, entries });
    return name;
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  wire(prefix: string, width: number, isSigned: boolean, value: Expr, lo: bigint, hi: bigint, waive?: Decl['waive']): Val & { kind: 'net' } {
    const name = this.fresh(prefix);
    this.nets.set(name, { decl: { name, net: 'wire', width, signed: isSigned, vector: true, ...(waive ? { waive } : {}) }, value, registered: false });
    return { kind: 'net', name, width, signed: isSigned, lo, hi };
  }

  reg(prefix: string, width: number, isSigned: boolean, next: Expr, lo: bigint, hi: bigint, every: string = 'stage'): Val & { kind: 'net' } {
    const name = this.fresh(prefix);
    this.nets.set(name, { decl: { name, net: 'reg', width, signed: isSigned, vector: true }, value: next, registered: true, every });
    return { kind: 'net', name, width, signed: isSigned, lo, hi };
  }

  /** Sets the next value of a register created before the logic that computes it (an accumulator). */
  setNext(name: string, next: Expr): void {
    const n = this.nets.get(name)!;
    this.nets.set(name, { ...n, value: next });
  }

  /** A register holding `v` (constants need none). */
  register(prefix: string, v: Val): Val {
    if (v.kind === 'const') return v;
    return this.reg(prefix, v.width, v.signed, ref(v.name), v.lo, v.hi);
  }

  /** `v` delayed by k stages (a chain of registers, shared by every reader). */
  delayed(v: Val, k: number): Val {
    if (k === 0 || v.kind === 'const') return v;
    const key = `${v.name}@${k}`;
    let d = this.delays.get(key);
    if (!d) {
      d = this.register(`${v.name}_d`, this.delayed(v, k - 1));
      this.delays.set(key, d);
    }
    return d;
  }

  /** Names reachable from `roots` through drivers (the nets to print). */
  live(roots: readonly Expr[]): Set<string> {
    const seen = new Set<string>();
    const stack: Expr[] = [...roots];
    while (stack.length) {
      const e = stack.pop()!;
      switch (e.kind) {
        case 'ref':
        case 'slice':
        case 'index': {
          if (!seen.has(e.name)) {
            seen.add(e.name);
            const n = this.nets.get(e.name);
            if (n) stack.push(n.value);
          }
          if (e.kind === 'index') stack.push(e.index);
          break;
        }
        case 'unary':
          stack.push(e.arg);
          break;
        case 'binary':
          stack.push(e.left, e.right);
          break;
        case 'cond':
          stack.push(e.test, e.then, e.else);
          break;
        case 'concat':
          stack.push(...e.parts);
          break;
        case 'repeat':
          stack.push(e.part);
          break;
        case 'call':
          stack.push(...e.args);
          break;
        default:
          break;
      }
    }
    return seen;
  }
}

export interface NodeVals {
  readonly vals: readonly Val[];
  readonly stage: number;
  readonly type: FixedType;
  readonly shape: readonly number[];
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
