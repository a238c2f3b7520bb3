// Prints diagnostics: `path:line:col: severity CODE: message` for people, one JSON document for tools.
import { relative } from 'node:path';
import { LineIndex, type Diagnostic, type ProgramModel } from '@qnn/language';

export interface FileReport {
  readonly path: string;
  readonly diagnostics: readonly {
    readonly code: string;
    readonly severity: string;
    readonly message: string;
    readonly range: { readonly start: { readonly line: number; readonly character: number }; readonly end: { readonly line: number; readonly character: number } };
  }[];
}

/** Per file (in the order given, imported files after), diagnostics with LSP-style 0-based ranges. */
export function fileReports(program: ProgramModel, order: readonly string[], texts: (path: string) => string | undefined): FileReport[] {
  const paths = [...order, ...[...program.diagnostics.keys()].filter((p) => !order.includes(p)).sort()];
  return paths.map((path) => {
    const text = program.files.get(path)?.text ?? texts(path) ?? '';
    const index = new LineIndex(text);
    const ds = program.diagnostics.get(path) ?? [];
    return {
      path: displayPath(path),
      diagnostics: ds.map((d: Diagnostic) => ({ code: d.code, severity: d.severity, message: d.message, range: index.rangeOf(d.span) })),
    };
  });
}

export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' ? p : rel.startsWith('..') && p.startsWith('/') ? p : rel;
}

export function formatHuman(reports: readonly FileReport[]): string {
  const lines: string[] = [];
  for (const f of reports) {
    for (const d of f.diagnostics) {
      lines.push(`${f.path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`);
    }
  }
  return lines.join('\n');
}

export function countBySeverity(reports: readonly FileReport[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const f of reports) for (const d of f.diagnostics) d.severity === 'error' ? errors++ : d.severity === 'warning' ? warnings++ : 0;
  return { errors, warnings };
}
