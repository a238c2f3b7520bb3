// A small Verilog syntax model and its one printer. Everything the Verilog backend writes (the networks and their
// testbenches) is built as these values and printed here, as plain Verilog-2005: iverilog 11 (-g2005), Verilator 5
// and yosys 0.23 all accept it. No SystemVerilog: no `logic`, no `always_ff`, no `'0`, no declarations in loops.

/** Expressions. Widths are the generator's business: the printer writes exactly what it is given. */
export type Expr =
  | { readonly kind: 'ref'; readonly name: string }
  /** A sized literal: `width'h…` (the two's-complement bits of `value`), `width'sh…` when signed. */
  | { readonly kind: 'const'; readonly width: number; readonly value: bigint; readonly signed: boolean }
  /** An unsized decimal integer (loop counters, memory indices, replication counts of the testbench). */
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  /** name[hi:lo] or name[hi] when hi = lo (on a declared name only: Verilog-2005 selects only from names). */
  | { readonly kind: 'slice'; readonly name: string; readonly hi: number; readonly lo: number }
  /** name[index]: a memory word or a bit selected by an expression. */
  | { readonly kind: 'index'; readonly name: string; readonly index: Expr }
  | { readonly kind: 'unary'; readonly op: '~' | '!' | '-' | '|' | '&'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'cond'; readonly test: Expr; readonly then: Expr; readonly else: Expr }
  | { readonly kind: 'concat'; readonly parts: readonly Expr[] }
  | { readonly kind: 'repeat'; readonly count: number; readonly part: Expr }
  /** $signed(x), $unsigned(x), or another system function ($time). */
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '&&' | '||' | '==' | '!=' | '!==' | '===' | '<' | '<=' | '>' | '>=';

export type NetKind = 'wire' | 'reg' | 'integer';

/** A port or a net: `wire signed [7:0] x`, `reg [3:0] mem [0:15]`, `integer i`. */
export interface Decl {
  readonly name: string;
  readonly net: NetKind;
  /** Bits; 1 prints no range. */
  readonly width: number;
  readonly signed: boolean;
  /** A memory of this many words. */
  readonly depth?: number;
  /** Print a range even for one bit (`[0:0]`), so that bit 0 may be selected. */
  readonly vector?: boolean;
  /** Printed after the declaration. */
  readonly comment?: string;
  /**
   * A Verilator lint waiver: the warning is turned off around this declaration only, with the reason printed beside
   * it (for example UNUSEDSIGNAL on the input of a cast, whose dropped bits are unused by definition).
   */
  readonly waive?: { readonly warning: string; readonly reason: string };
}

export interface Port extends Decl {
  readonly dir: 'input' | 'output';
}

export type Stmt =
  | { readonly kind: 'assign'; readonly blocking: boolean; readonly target: Expr; readonly value: Expr }
  | { readonly kind: 'if'; readonly test: Expr; readonly then: readonly Stmt[]; readonly else?: readonly Stmt[] }
  /** A system task: $display, $finish, $readmemh… */
  | { readonly kind: 'task'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'delay'; readonly time: number; readonly body: Stmt | undefined }
  | { readonly kind: 'forever'; readonly body: readonly Stmt[] }
  | { readonly kind: 'comment'; readonly text: string };

export type Item =
  | { readonly kind: 'decl'; readonly decl: Decl }
  | { readonly kind: 'localparam'; readonly name: string; readonly value: number }
  | { readonly kind: 'assign'; readonly target: string; readonly value: Expr }
  /** always @(posedge clk) or @(negedge clk) */
  | { readonly kind: 'always'; readonly edge: 'posedge' | 'negedge'; readonly clock: string; readonly body: readonly Stmt[] }
  | { readonly kind: 'initial'; readonly body: readonly Stmt[] }
  | { readonly kind: 'instance'; readonly module: string; readonly name: string; readonly connections: readonly { readonly port: string; readonly value: Expr }[] }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'blank' };

export interface Module {
  readonly name: string;
  /** Lines printed before `module`. */
  readonly header: readonly string[];
  readonly ports: readonly Port[];
  readonly items: readonly Item[];
}

// ---- constructors ----

export const ref = (name: string): Expr => ({ kind: 'ref', name });
export const lit = (width: number, value: bigint, signed = false): Expr => ({ kind: 'const', width, value, signed });
export const int = (value: number): Expr => ({ kind: 'int', value });
export const str = (value: string): Expr => ({ kind: 'string', value });
export const slice = (name: string, hi: number, lo: number): Expr => ({ kind: 'slice', name, hi, lo });
export const bit = (name: string, i: number): Expr => ({ kind: 'slice', name, hi: i, lo: i });
export const index = (name: string, i: Expr): Expr => ({ kind: 'index', name, index: i });
export const unary = (op: '~' | '!' | '-' | '|' | '&', arg: Expr): Expr => ({ kind: 'unary', op, arg });
export const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
export const cond = (test: Expr, then: Expr, els: Expr): Expr => ({ kind: 'cond', test, then, else: els });
export const concat = (parts: readonly Expr[]): Expr => (parts.length === 1 ? parts[0] : { kind: 'concat', parts });
export const repeat = (count: number, part: Expr): Expr => (count === 1 ? part : { kind: 'repeat', count, part });
export const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });
export const signed = (e: Expr): Expr => call('$signed', e);

export const nb = (target: Expr, value: Expr): Stmt => ({ kind: 'assign', blocking: false, target, value });
export const set = (target: Expr, value: Expr): Stmt => ({ kind: 'assign', blocking: true, target, value });
export const when = (test: Expr, then: readonly Stmt[], els?: readonly Stmt[]): Stmt => ({ kind: 'if', test, then, ...(els && els.length ? { else: els } : {}) });
export const task = (name: string, ...args: Expr[]): Stmt => ({ kind: 'task', name, args });

// ---- printer ----

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  (
    'always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default defparam design disable edge else end ' +
    'endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable endtask event for force forever fork function generate ' +
    'genvar highz0 highz1 if ifnone incdir include initial inout input instance integer join large liblist library localparam macromodule medium ' +
    'module nand negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup ' +
    'pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled ' +
    'signed small specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg ' +
    'unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor ' +
    // SystemVerilog keywords: Verilator parses Verilog as SystemVerilog by default, so these are avoided too.
    'logic bit byte int shortint longint type struct union enum interface package import export class final alias assert assume cover ' +
    'expect property sequence program clocking const context extern bind chandle do foreach inside priority unique void return break continue'
  ).split(' '),
);

/** Whether `name` can be printed as a Verilog identifier (not escaped, not a keyword of Verilog or SystemVerilog). */
export function isIdentifier(name: string): boolean {
  return IDENT.test(name) && !RESERVED.has(name);
}

function checkName(name: string): string {
  if (!isIdentifier(name)) throw new Error(`internal error: '${name}' is not a Verilog identifier`);
  return name;
}

/** The two's-complement bits of `value` in `width` bits, as hex digits. */
export function hexBits(value: bigint, width: number): string {
  const mask = (1n << BigInt(width)) - 1n;
  return (value & mask).toString(16).padStart(Math.ceil(width / 4), '0');
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'ref':
      return checkName(e.name);
    case 'const':
      if (e.width < 1) throw new Error('internal error: a literal needs at least one bit');
      return `${e.width}'${e.signed ? 's' : ''}h${hexBits(e.value, e.width)}`;
    case 'int':
      if (!Number.isSafeInteger(e.value) || e.value < 0) throw new Error(`internal error: bad integer ${e.value}`);
      return String(e.value);
    case 'string':
      return `"${e.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
    case 'slice':
      if (e.hi < e.lo || e.lo < 0) throw new Error(`internal error: bad slice ${e.name}[${e.hi}:${e.lo}]`);
      return e.hi === e.lo ? `${checkName(e.name)}[${e.hi}]` : `${checkName(e.name)}[${e.hi}:${e.lo}]`;
    case 'index':
      return `${checkName(e.name)}[${printExpr(e.index)}]`;
    case 'unary':
      return `${e.op}(${printExpr(e.arg)})`;
    case 'binary':
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case 'cond':
      return `(${printExpr(e.test)} ? ${printExpr(e.then)} : ${printExpr(e.else)})`;
    case 'concat':
      if (e.parts.length === 0) throw new Error('internal error: an empty concatenation');
      return `{${e.parts.map(printExpr).join(', ')}}`;
    case 'repeat':
      if (e.count < 1) throw new Error('internal error: a replication needs a positive count');
      return `{${e.count}{${printExpr(e.part)}}}`;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
  }
}

function printDecl(d: Decl, dir?: 'input' | 'output'): string {
  const parts: string[] = [];
  if (dir) parts.push(dir);
  if (d.net === 'integer') parts.push('integer');
  else {
    parts.push(d.net);
    if (d.signed) parts.push('signed');
    if (d.width < 1) throw new Error(`internal error: '${d.name}' has no bits`);
    if (d.width > 1 || d.vector) parts.push(`[${d.width - 1}:0]`);
  }
  parts.push(checkName(d.name));
  let s = parts.join(' ');
  if (d.depth !== undefined) s += ` [0:${d.depth - 1}]`;
  return s;
}

function printStmt(s: Stmt, indent: string, out: string[]): void {
  switch (s.kind) {
    case 'assign':
      out.push(`${indent}${printExpr(s.target)} ${s.blocking ? '=' : '<='} ${printExpr(s.value)};`);
      return;
    case 'if':
      out.push(`${indent}if (${printExpr(s.test)}) begin`);
      for (const t of s.then) printStmt(t, indent + '  ', out);
      if (s.else) {
        out.push(`${indent}end else begin`);
        for (const t of s.else) printStmt(t, indent + '  ', out);
      }
      out.push(`${indent}end`);
      return;
    case 'task':
      out.push(`${indent}${s.name}${s.args.length ? `(${s.args.map(printExpr).join(', ')})` : ''};`);
      return;
    case 'delay': {
      if (!s.body) {
        out.push(`${indent}#${s.time};`);
        return;
      }
      const inner: string[] = [];
      printStmt(s.body, '', inner);
      out.push(`${indent}#${s.time} ${inner[0]}`, ...inner.slice(1).map((l) => indent + l));
      return;
    }
    case 'forever':
      out.push(`${indent}forever begin`);
      for (const t of s.body) printStmt(t, indent + '  ', out);
      out.push(`${indent}end`);
      return;
    case 'comment':
      for (const line of s.text.split('\n')) out.push(`${indent}// ${line}`);
      return;
  }
}

function waived(d: Decl, line: string, indent: string, out: string[]): void {
  const comment = d.comment ? ` // ${d.comment}` : '';
  if (!d.waive) {
    out.push(`${indent}${line}${comment}`);
    return;
  }
  out.push(`${indent}// ${d.waive.reason}`, `${indent}/* verilator lint_off ${d.waive.warning} */`, `${indent}${line}${comment}`, `${indent}/* verilator lint_on ${d.waive.warning} */`);
}

/** Prints a module as Verilog-2005 (ANSI ports). */
export function printModule(m: Module): string {
  const out: string[] = [...m.header];
  if (m.ports.length === 0) out.push(`module ${checkName(m.name)};`);
  else {
    out.push(`module ${checkName(m.name)} (`);
    m.ports.forEach((p, i) => {
      const sep = i < m.ports.length - 1 ? ',' : '';
      const line = printDecl(p, p.dir) + sep;
      if (p.waive) waived(p, line, '  ', out);
      else out.push(`  ${line}${p.comment ? ` // ${p.comment}` : ''}`);
    });
    out.push(');');
  }
  for (const item of m.items) {
    switch (item.kind) {
      case 'decl':
        waived(item.decl, printDecl(item.decl) + ';', '  ', out);
        break;
      case 'localparam':
        out.push(`  localparam ${checkName(item.name)} = ${item.value};`);
        break;
      case 'assign':
        out.push(`  assign ${checkName(item.target)} = ${printExpr(item.value)};`);
        break;
      case 'always':
        out.push(`  always @(${item.edge} ${checkName(item.clock)}) begin`);
        for (const s of item.body) printStmt(s, '    ', out);
        out.push('  end');
        break;
      case 'initial':
        out.push('  initial begin');
        for (const s of item.body) printStmt(s, '    ', out);
        out.push('  end');
        break;
      case 'instance':
        out.push(`  ${checkName(item.module)} ${checkName(item.name)} (`);
        item.connections.forEach((c, i) => out.push(`    .${checkName(c.port)}(${printExpr(c.value)})${i < item.connections.length - 1 ? ',' : ''}`));
        out.push('  );');
        break;
      case 'comment':
        for (const line of item.text.split('\n')) out.push(`  // ${line}`);
        break;
      case 'blank':
        out.push('');
        break;
    }
  }
  out.push('endmodule', '');
  return out.join('\n');
}
