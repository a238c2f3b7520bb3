// The importer's errors: a diagnostic with a QNN5xxx code that points into the model file, thrown by front ends and
// caught once by importModel, so that a problem anywhere stops the import before anything is written.
import { diag, type Diagnostic, type DiagnosticCode } from '@qnn/language';

export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly path: string,
    readonly start = 0,
    readonly end = 0,
  ) {
    super(message);
  }

  toDiagnostic(): Diagnostic {
    return diag(this.code, this.path, { start: this.start, end: this.end }, this.message);
  }
}

/** Where a layer's name is written in a JSON text (`"name": "fc1"`), for diagnostics; [0, 0] when not found. */
export function nameSpan(text: string | undefined, name: string): { start: number; end: number } {
  if (!text) return { start: 0, end: 0 };
  const re = new RegExp(`"name"\\s*:\\s*"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`);
  const m = re.exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : { start: 0, end: 0 };
}
