// An error of `qnn sim` with its diagnostic code (QNN4xxx), printed as a diagnostic instead of a stack trace.
import type { DiagnosticCode } from '@qnn/language';

export class SimError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
  ) {
    super(message);
  }
}
