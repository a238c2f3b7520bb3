// The `qnn` command line: check, fmt, parts. Exit codes: 0 success, 1 errors found, 2 usage errors.
import { Command, CommanderError } from 'commander';
import { runCheck } from './check-command.js';
import { UsageError } from './files.js';
import { runFmt } from './fmt-command.js';
import { runParts } from './parts-command.js';

function main(argv: readonly string[]): number {
  let code = 0;
  const program = new Command()
    .name('qnn')
    .description('QNN Studio: design quantized neural networks for FPGAs.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('check')
    .description('Check .qnn files (folders are searched recursively) and print their diagnostics.')
    .argument('<paths...>', 'files or folders')
    .option('--json', 'print one JSON document: { files: [ { path, diagnostics: [ { code, severity, message, range } ] } ] }')
    .action((paths: string[], opts: { json?: boolean }) => {
      code = runCheck(paths, opts);
    });

  program
    .command('fmt')
    .description('Format .qnn files in place (canonical layout, comments kept).')
    .argument('<paths...>', 'files or folders')
    .option('--check', 'change nothing; list files that are not formatted and exit 1 if any')
    .action((paths: string[], opts: { check?: boolean }) => {
      code = runFmt(paths, opts);
    });

  program
    .command('parts')
    .description('List the target parts of the device table and their resources.')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      code = runParts(opts);
    });

  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are requested output, not errors.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`qnn: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`qnn: internal error: ${e instanceof Error ? e.message : String(e)}\nPlease report this with the command and files that caused it.\n`);
  process.exitCode = 3;
}
