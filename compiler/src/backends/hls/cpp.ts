// A small C++ syntax model for the HLS backend: the generator builds these values, and one printer writes them.
// Only the forms the generated code needs; every emitted line of C++ goes through `printFile`.

export type Expr =
  | { readonly k: 'id'; readonly name: string }
  /** A literal or any other atom printed as is (numbers, hex floats). */
  | { readonly k: 'lit'; readonly text: string }
  | { readonly k: 'bin'; readonly op: string; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'un'; readonly op: string; readonly e: Expr }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: 'index'; readonly base: Expr; readonly idx: Expr }
  | { readonly k: 'member'; readonly base: Expr; readonly name: string }
  | { readonly k: 'cond'; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  /** A brace initializer list. */
  | { readonly k: 'list'; readonly items: readonly Expr[] };

export type Stmt =
  | { readonly k: 'decl'; readonly type: string; readonly name: string; readonly dims?: readonly number[]; readonly init?: Expr; readonly qual?: string }
  | { readonly k: 'assign'; readonly lhs: Expr; readonly rhs: Expr }
  | { readonly k: 'expr'; readonly e: Expr }
  | { readonly k: 'for'; readonly v: string; readonly from: number; readonly to: number | string; readonly body: readonly Stmt[]; readonly label?: string; readonly pragmas?: readonly string[] }
  | { readonly k: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else?: readonly Stmt[] }
  | { readonly k: 'pragma'; readonly text: string }
  | { readonly k: 'comment'; readonly text: string }
  | { readonly k: 'return'; readonly e?: Expr }
  | { readonly k: 'while'; readonly cond: Expr; readonly body: readonly Stmt[] }
  | { readonly k: 'break' }
  | { readonly k: 'block'; readonly body: readonly Stmt[] };

export interface Param {
  readonly type: string;
  readonly name: string;
  readonly dims?: readonly number[];
  readonly qual?: string;
  /** Passed by reference (`T &name`): streams. */
  readonly ref?: boolean;
}

export interface Field {
  readonly type: string;
  readonly name: string;
  readonly dims?: readonly number[];
}

export type TopDecl =
  | { readonly k: 'include'; readonly path: string; readonly system?: boolean }
  | { readonly k: 'typedef'; readonly type: string; readonly name: string }
  | { readonly k: 'struct'; readonly name: string; readonly fields: readonly Field[] }
  | { readonly k: 'guard'; readonly name: string; readonly body: readonly TopDecl[] }
  | { readonly k: 'func'; readonly ret: string; readonly name: string; readonly params: readonly Param[]; readonly body?: readonly Stmt[]; readonly qual?: string }
  | { readonly k: 'stmt'; readonly s: Stmt }
  | { readonly k: 'comment'; readonly text: string }
  | { readonly k: 'blank' };

// Constructors.
export const id = (name: string): Expr => ({ k: 'id', name });
export const lit = (v: string | number): Expr => ({ k: 'lit', text: String(v) });
export const bin = (op: string, l: Expr, r: Expr): Expr => ({ k: 'bin', op, l, r });
export const un = (op: string, e: Expr): Expr => ({ k: 'un', op, e });
export const call = (fn: string, ...args: Expr[]): Expr => ({ k: 'call', fn, args });
export const idx = (base: Expr | string, i: Expr | number | string): Expr => ({
  k: 'index',
  base: typeof base === 'string' ? id(base) : base,
  idx: typeof i === 'number' ? lit(i) : typeof i === 'string' ? id(i) : i,
});
export const member = (base: Expr, name: string): Expr => ({ k: 'member', base, name });
export const cond = (c: Expr, a: Expr, b: Expr): Expr => ({ k: 'cond', c, a, b });
export const list = (items: readonly Expr[]): Expr => ({ k: 'list', items });
export const decl = (type: string, name: string, init?: Expr, dims?: readonly number[], qual?: string): Stmt => ({ k: 'decl', type, name, init, dims, qual });
export const assign = (lhs: Expr, rhs: Expr): Stmt => ({ k: 'assign', lhs, rhs });
export const forLoop = (v: string, from: number, to: number | string, body: readonly Stmt[], pragmas?: readonly string[]): Stmt => ({ k: 'for', v, from, to, body, pragmas });
export const ifs = (cond: Expr, then: readonly Stmt[], els?: readonly Stmt[]): Stmt => ({ k: 'if', cond, then, else: els });
export const pragma = (text: string): Stmt => ({ k: 'pragma', text });
export const comment = (text: string): Stmt => ({ k: 'comment', text });

/** Operator precedence (higher binds tighter), for minimal parentheses. */
const PREC: Record<string, number> = {
  '*': 10, '/': 10, '%': 10, '+': 9, '-': 9, '<<': 8, '>>': 8,
  '<': 7, '<=': 7, '>': 7, '>=': 7, '==': 6, '!=': 6, '&': 5, '^': 4, '|': 4, '&&': 3, '||': 2,
};

function prec(e: Expr): number {
  switch (e.k) {
    case 'bin':
      return PREC[e.op] ?? 1;
    case 'un':
      return 12;
    case 'lit':
      return e.text.startsWith('-') ? 12 : 20;
    case 'cond':
      return 0;
    default:
      return 20;
  }
}

export function printExpr(e: Expr): string {
  switch (e.k) {
    case 'id':
      return e.name;
    case 'lit':
      return e.text;
    case 'bin': {
      const p = prec(e);
      const l = printExpr(e.l);
      const r = printExpr(e.r);
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${prec(e.l) < p ? `(${l})` : l} ${e.op} ${prec(e.r) <= p ? `(${r})` : r}`;
    }
    case 'un': {
      const s = printExpr(e.e);
      return `${e.op}${prec(e.e) < 12 ? `(${s})` : s}`;
    }
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
    case 'index':
      return `${printExpr(e.base)}[${printExpr(e.idx)}]`;
    case 'member':
      return `${printExpr(e.base)}.${e.name}`;
    case 'list':
      return printList(e.items, '');
    case 'cond': {
      const c = printExpr(e.c);
      return `${prec(e.c) <= 2 ? `(${c})` : c} ? ${printExpr(e.a)} : ${printExpr(e.b)}`;
    }
  }
}

/** A brace list, several items per line when long. */
function printList(items: readonly Expr[], indent: string): string {
  const parts = items.map(printExpr);
  const one = `{${parts.join(', ')}}`;
  if (one.length <= 100) return one;
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    if (line && line.length + p.length + 2 > 110) {
      lines.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + p + ',';
  }
  if (line) lines.push(line);
  return `{\n${lines.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}}`;
}

function dimsText(dims: readonly number[] | undefined): string {
  return (dims ?? []).map((d) => `[${d}]`).join('');
}

function printStmt(s: Stmt, ind: string, out: string[]): void {
  switch (s.k) {
    case 'decl': {
      const init = s.init ? ` = ${s.init.k === 'list' ? printList(s.init.items, ind) : printExpr(s.init)}` : '';
      out.push(`${ind}${s.qual ? `${s.qual} ` : ''}${s.type} ${s.name}${dimsText(s.dims)}${init};`);
      return;
    }
    case 'assign':
      out.push(`${ind}${printExpr(s.lhs)} = ${printExpr(s.rhs)};`);
      return;
    case 'expr':
      out.push(`${ind}${printExpr(s.e)};`);
      return;
    case 'for':
      out.push(`${ind}${s.label ? `${s.label}: ` : ''}for (int ${s.v} = ${s.from}; ${s.v} < ${s.to}; ${s.v}++) {`);
      for (const p of s.pragmas ?? []) out.push(`${ind}  #pragma HLS ${p}`);
      for (const b of s.body) printStmt(b, ind + '  ', out);
      out.push(`${ind}}`);
      return;
    case 'if':
      out.push(`${ind}if (${printExpr(s.cond)}) {`);
      for (const b of s.then) printStmt(b, ind + '  ', out);
      if (s.else && s.else.length) {
        out.push(`${ind}} else {`);
        for (const b of s.else) printStmt(b, ind + '  ', out);
      }
      out.push(`${ind}}`);
      return;
    case 'pragma':
      out.push(`${ind}#pragma HLS ${s.text}`);
      return;
    case 'comment':
      for (const line of s.text.split('\n')) out.push(`${ind}// ${line}`);
      return;
    case 'return':
      out.push(`${ind}return${s.e ? ` ${printExpr(s.e)}` : ''};`);
      return;
    case 'while':
      out.push(`${ind}while (${printExpr(s.cond)}) {`);
      for (const b of s.body) printStmt(b, ind + '  ', out);
      out.push(`${ind}}`);
      return;
    case 'break':
      out.push(`${ind}break;`);
      return;
    case 'block':
      out.push(`${ind}{`);
      for (const b of s.body) printStmt(b, ind + '  ', out);
      out.push(`${ind}}`);
      return;
  }
}

function printParam(p: Param): string {
  return `${p.qual ? `${p.qual} ` : ''}${p.type} ${p.ref ? '&' : ''}${p.name}${dimsText(p.dims)}`;
}

function printTop(d: TopDecl, out: string[]): void {
  switch (d.k) {
    case 'include':
      out.push(d.system ? `#include <${d.path}>` : `#include "${d.path}"`);
      return;
    case 'typedef':
      out.push(`typedef ${d.type} ${d.name};`);
      return;
    case 'struct':
      out.push(`struct ${d.name} {`);
      for (const f of d.fields) out.push(`  ${f.type} ${f.name}${dimsText(f.dims)};`);
      out.push('};');
      return;
    case 'guard':
      out.push(`#ifndef ${d.name}`, `#define ${d.name}`, '');
      for (const b of d.body) printTop(b, out);
      out.push('', `#endif`);
      return;
    case 'func': {
      const head = `${d.qual ? `${d.qual} ` : ''}${d.ret} ${d.name}(${d.params.map(printParam).join(', ')})`;
      if (!d.body) {
        out.push(`${head};`);
        return;
      }
      out.push(`${head} {`);
      for (const s of d.body) printStmt(s, '  ', out);
      out.push('}');
      return;
    }
    case 'stmt':
      printStmt(d.s, '', out);
      return;
    case 'comment':
      for (const line of d.text.split('\n')) out.push(`// ${line}`);
      return;
    case 'blank':
      out.push('');
      return;
  }
}

/** Prints a whole source file. */
export function printFile(decls: readonly TopDecl[]): string {
  const out: string[] = [];
  for (const d of decls) printTop(d, out);
  return out.join('\n') + '\n';
}
