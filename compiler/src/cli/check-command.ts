// `qnn check PATH… [--json]`: checks files and folders; exit 0 without errors, 1 with errors.
import { checkProgram } from '@qnn/language';
import { partCatalog } from '../devices/device-table.js';
import { withEstimateDiagnostics } from '../estimate/index.js';
import { nodeFileSystem } from '../node-fs.js';
import { collectQnnFiles } from './files.js';
import { countBySeverity, fileReports, formatHuman } from './report.js';

export function runCheck(paths: readonly string[], opts: { readonly json?: boolean }): number {
  const files = collectQnnFiles(paths);
  const program = withEstimateDiagnostics(checkProgram(files, { fs: nodeFileSystem, parts: partCatalog }));
  const reports = fileReports(program, files, () => undefined);
  const { errors, warnings } = countBySeverity(reports);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ files: reports }, undefined, 2) + '\n');
  } else {
    const text = formatHuman(reports);
    if (text) process.stdout.write(text + '\n');
    process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.\n`);
  }
  return errors > 0 ? 1 : 0;
}
