// The abstract syntax tree of a .qnn file: readonly values, discriminated by `kind`, with source spans.
//
// Every node may be incomplete: the parser recovers from syntax errors, and a node built from a partial parse has
// `undefined` where the source lacked a part. Consumers treat `undefined` as "already reported, skip".

/** Half-open range of UTF-16 offsets into the file's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Ident {
  readonly kind: 'ident';
  readonly name: string;
  readonly span: Span;
}

/** A number, optionally with a unit written right after it: `64`, `-0.5`, `5ns`, `200MHz`, `80%`. */
export interface NumberLit {
  readonly kind: 'number';
  readonly value: number;
  readonly text: string;
  readonly unit: string | undefined;
  readonly span: Span;
}

export interface StringLit {
  readonly kind: 'string';
  readonly value: string;
  /** False for a string with no closing quote (already reported): its value is not used. */
  readonly closed: boolean;
  readonly span: Span;
}

export interface IdentExpr {
  readonly kind: 'name';
  readonly name: Ident;
  readonly span: Span;
}

export interface ArrayLit {
  readonly kind: 'array';
  readonly elements: readonly Expr[];
  readonly span: Span;
}

/** `load("w.npy")`, `random(seed: 1)`: a call of a built-in value function. */
export interface CallExpr {
  readonly kind: 'call';
  readonly callee: Ident;
  readonly args: readonly Arg[];
  readonly span: Span;
}

export type Expr = NumberLit | StringLit | IdentExpr | ArrayLit | CallExpr | TypeExprValue;

/** A fixed-point type written where a value may stand (`table_type: ufixed<18, 8>`). */
export interface TypeExprValue {
  readonly kind: 'typeValue';
  readonly type: TypeExpr;
  readonly span: Span;
}

/** A positional (`64`) or named (`stride: 2`) argument. */
export interface Arg {
  readonly name: Ident | undefined;
  readonly value: Expr | undefined;
  readonly span: Span;
}

export type FixedBase = 'fixed' | 'ufixed' | 'int' | 'uint';

/** `fixed<16, 6, RND, SAT>`, `uint<8>`; arguments are checked by the checker, not the parser. */
export interface FixedTypeExpr {
  readonly kind: 'fixedType';
  readonly base: FixedBase;
  readonly args: readonly (NumberLit | Ident)[];
  readonly span: Span;
}

/** A use of a type alias. */
export interface TypeRef {
  readonly kind: 'typeRef';
  readonly name: Ident;
  readonly span: Span;
}

export type TypeExpr = FixedTypeExpr | TypeRef;

/** `data[8, 8, 1]` */
export interface TensorTypeExpr {
  readonly type: TypeExpr | undefined;
  readonly shape: readonly NumberLit[] | undefined;
  readonly span: Span;
}

// ---- top level -------------------------------------------------------------------------------------------------

export interface ImportName {
  readonly name: Ident;
  readonly alias: Ident | undefined;
  readonly span: Span;
}

/** `import "lib.qnn"` (every top-level name) or `import { data, enc as encoder } from "lib.qnn"`. */
export interface ImportDecl {
  readonly kind: 'import';
  readonly path: StringLit | undefined;
  readonly names: readonly ImportName[] | undefined;
  readonly span: Span;
}

/** `target xcu250 clock 5ns` (at top level, or inside a network to override it). */
export interface TargetDecl {
  readonly kind: 'target';
  readonly part: Ident | undefined;
  readonly clock: NumberLit | undefined;
  readonly span: Span;
}

/** `type coef = fixed<8, 1, RND, SAT>` */
export interface TypeDecl {
  readonly kind: 'typeAlias';
  readonly name: Ident | undefined;
  readonly type: TypeExpr | undefined;
  readonly span: Span;
}

export interface NetworkDecl {
  readonly kind: 'network';
  readonly name: Ident | undefined;
  readonly body: readonly NetworkStmt[];
  readonly span: Span;
}

/** `test holdout for digits { inputs: load("x.csv")  labels: load("y.csv") }` */
export interface TestDecl {
  readonly kind: 'test';
  readonly name: Ident | undefined;
  readonly network: Ident | undefined;
  readonly attrs: readonly Attr[];
  readonly span: Span;
}

export type TopItem = ImportDecl | TargetDecl | TypeDecl | NetworkDecl | TestDecl;

// ---- network body ----------------------------------------------------------------------------------------------

/** `io parallel` / `io stream` */
export interface IoStmt {
  readonly kind: 'io';
  readonly mode: Ident | undefined;
  readonly span: Span;
}

/** `reuse 4`: the default reuse factor of the network's layers. */
export interface ReuseStmt {
  readonly kind: 'reuse';
  readonly value: NumberLit | undefined;
  readonly span: Span;
}

/** `precision data`: the result type of layers that name none. */
export interface PrecisionStmt {
  readonly kind: 'precision';
  readonly type: TypeExpr | undefined;
  readonly span: Span;
}

/** `init random(seed: 7)`: the values of the weights that a layer does not give (biases not given stay zero). */
export interface InitStmt {
  readonly kind: 'init';
  readonly value: Expr | undefined;
  readonly span: Span;
}

export interface Budget {
  readonly metric: Ident | undefined;
  readonly op: '<=' | '<' | undefined;
  readonly value: NumberLit | undefined;
  readonly span: Span;
}

/** `require latency <= 100ns, dsp <= 50%` */
export interface RequireStmt {
  readonly kind: 'require';
  readonly budgets: readonly Budget[];
  readonly span: Span;
}

/** `fifo 16` (default depth of every stream edge) or `fifo a1 -> fc2 depth 64` (one edge). */
export interface FifoStmt {
  readonly kind: 'fifo';
  readonly from: Ident | undefined;
  readonly to: Ident | undefined;
  readonly depth: NumberLit | undefined;
  readonly span: Span;
}

/** `input x : data[16]` */
export interface InputDecl {
  readonly kind: 'input';
  readonly name: Ident | undefined;
  readonly tensor: TensorTypeExpr | undefined;
  readonly span: Span;
}

/**
 * A layer attribute: `weight: coef = load("w.npy")`, `accum: fixed<24, 10>`, `reuse: 4`, `table: 1024`.
 * Whether the part after `:` is a type or a value depends on the attribute, so the parser keeps both readings:
 * `type` is set when a `=` follows or the text is a fixed-point type, `value` otherwise.
 */
export interface Attr {
  readonly name: Ident;
  readonly type: TypeExpr | undefined;
  readonly value: Expr | undefined;
  readonly span: Span;
}

/** `fc1 = dense(x, 64) { weight: coef = load("w.npy") } : data` */
export interface LayerDecl {
  readonly kind: 'layer';
  readonly name: Ident;
  readonly op: Ident | undefined;
  readonly args: readonly Arg[];
  readonly attrs: readonly Attr[];
  readonly result: TensorTypeExpr | undefined;
  /** True when the parser recovered from a syntax error inside this layer (its parts may be incomplete). */
  readonly recovered: boolean;
  readonly span: Span;
}

/** `output out` or `output a, b` */
export interface OutputStmt {
  readonly kind: 'output';
  readonly names: readonly Ident[];
  readonly span: Span;
}

export type NetworkStmt =
  | IoStmt
  | ReuseStmt
  | PrecisionStmt
  | InitStmt
  | RequireStmt
  | FifoStmt
  | TargetDecl
  | InputDecl
  | LayerDecl
  | OutputStmt;

export interface Comment {
  readonly text: string;
  readonly span: Span;
  /** True for `//` comments, false for block comments. */
  readonly line: boolean;
}

export interface QnnFile {
  readonly kind: 'file';
  readonly items: readonly TopItem[];
  readonly comments: readonly Comment[];
  readonly span: Span;
}

export function spanOf(a: { readonly span: Span }, b?: { readonly span: Span }): Span {
  return b ? { start: a.span.start, end: b.span.end } : a.span;
}
