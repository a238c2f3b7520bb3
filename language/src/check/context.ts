// Per-file checking context: where diagnostics go and how names and files are reached.
import type { Span } from '../ast.js';
import { diag, type Diagnostic, type DiagnosticCode, type RelatedInformation, type Severity } from '../diagnostics.js';
import type { FileSystem } from '../host.js';
import type { SymbolModel } from '../model.js';

/** What the checker needs to know about target parts; the compiler's device table provides it. */
export interface PartCatalog {
  has(name: string): boolean;
  names(): Iterable<string>;
}

export interface CheckOptions {
  readonly fs: FileSystem;
  /** Known target parts; without a catalog, part names are not checked. */
  readonly parts?: PartCatalog;
  /** Stop loading imports after this many files (default 20,000). */
  readonly maxFiles?: number;
}

export interface Reporter {
  readonly path: string;
  readonly fs: FileSystem;
  report(
    code: DiagnosticCode,
    span: Span,
    message: string,
    extra?: { readonly related?: readonly RelatedInformation[]; readonly data?: Readonly<Record<string, unknown>>; readonly severity?: Severity },
  ): void;
  /** Records that `span` refers to `target` (navigation, rename, unused-name analysis). */
  reference(span: Span, target: SymbolModel): void;
}

export function makeReporter(
  path: string,
  fs: FileSystem,
  out: Diagnostic[],
  refs: { span: Span; target: SymbolModel }[],
): Reporter {
  return {
    path,
    fs,
    report(code, span, message, extra) {
      out.push(diag(code, path, span, message, extra));
    },
    reference(span, target) {
      refs.push({ span, target });
    },
  };
}
