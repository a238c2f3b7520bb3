// The nets of one generated module: wires with their drivers, clock-enabled registers, delay chains and ROMs; only
// what the outputs use is printed.
import type { FixedType } from '@qnn/language';
import { UNUSED_SUM_BITS, type NetSink, type Val } from './arith.js';
import type { PlanReader } from './plan-lookup.js';
import { bin, ref, type Decl, type Expr, type Item, type Module } from './vast.js';

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
  /** A net driven by an adder instance (NetSink.adder): `value` is then `a ± b`, printed as the instance's ports. */
  readonly adder?: boolean;
}

/** The operation and operands of a net that an adder instance drives. */
function adderOf(n: Net): { op: '+' | '-'; left: Expr; right: Expr } | undefined {
  if (!n.adder || n.value.kind !== 'binary' || (n.value.op !== '+' && n.value.op !== '-')) return undefined;
  return { op: n.value.op, left: n.value.left, right: n.value.right };
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
  private readonly zeros = new Map<string, number>();
  /**
   * The prefix of the adder modules' names: the top module's name, so that the adders of two networks have different
   * names (except a network named like another's adder module, `x` and `x_add5`).
   */
  adderPrefix = 'qnn';
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

  adder(prefix: string, op: '+' | '-', a: Expr, b: Expr, width: number, lo: bigint, hi: bigint): Val & { kind: 'net' } {
    const name = this.fresh(prefix);
    this.nets.set(name, { decl: { name, net: 'wire', width, signed: true, vector: true, waive: UNUSED_SUM_BITS }, value: bin(op, a, b), registered: false, adder: true });
    return { kind: 'net', name, width, signed: true, lo, hi };
  }

  zerosOf(name: string): number {
    return this.zeros.get(name) ?? 0;
  }

  setZeros(name: string, k: number): void {
    if (k <= 0) return;
    this.zeros.set(name, k);
    this.partlyRead(name);
  }

  /** A net that adders read in part (known-zero low bits, high bits its value does not need): lint waives it. */
  partlyRead(name: string): void {
    const n = this.nets.get(name);
    if (n && !n.decl.waive) this.nets.set(name, { ...n, decl: { ...n.decl, waive: UNUSED_SUM_BITS } });
  }

  /** The module of a `width`-bit adder (op '+') or subtractor ('-'). */
  adderModuleName(op: '+' | '-', width: number): string {
    return `${this.adderPrefix}_${op === '+' ? 'add' : 'sub'}${width}`;
  }

  /** The continuous assignments and adder instances of the live combinational nets, in creation order. */
  wireItems(live: ReadonlySet<string>): Item[] {
    const items: Item[] = [];
    for (const [name, n] of this.nets) {
      if (!live.has(name) || n.registered) continue;
      const sum = adderOf(n);
      if (sum) {
        const connections = [
          { port: 'a', value: sum.left },
          { port: 'b', value: sum.right },
          { port: 'y', value: ref(name) },
        ];
        items.push({ kind: 'instance', module: this.adderModuleName(sum.op, n.decl.width), name: `u_${name}`, connections });
      } else items.push({ kind: 'assign', target: name, value: n.value });
    }
    return items;
  }

  /**
   * The adder and subtractor modules the live nets instantiate, one per operation and width, each kept as its own
   * hierarchy level by synthesis (`keep_hierarchy`): yosys then maps every one to a carry chain of its width and never
   * merges them into a carry-save tree, whose LUT cost depends on abc's mapping (docs/estimate.md).
   */
  adderModules(live: ReadonlySet<string>): Module[] {
    const used = new Map<string, { op: '+' | '-'; width: number }>();
    for (const [name, n] of this.nets) {
      const sum = adderOf(n);
      if (sum && live.has(name)) used.set(this.adderModuleName(sum.op, n.decl.width), { op: sum.op, width: n.decl.width });
    }
    return [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, { op, width }]) => ({
      name,
      header: [`// ${width}-bit ${op === '+' ? 'adder' : 'subtractor'} (modulo 2^${width}) of ${this.adderPrefix}: its own level of hierarchy, so that synthesis builds one carry chain.`, '/* verilator lint_off DECLFILENAME */', '(* keep_hierarchy = "yes" *)'],
      ports: [
        { dir: 'input', name: 'a', net: 'wire', width, signed: false, vector: true },
        { dir: 'input', name: 'b', net: 'wire', width, signed: false, vector: true },
        { dir: 'output', name: 'y', net: 'wire', width, signed: false, vector: true },
      ],
      items: [{ kind: 'assign', target: 'y', value: bin(op, ref('a'), ref('b')) }],
    }));
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
