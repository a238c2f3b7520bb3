// The `qnn` command line: the commands of the compiler (check, fmt, parts) plus those that packages above it add
// (the simulator adds `sim`). Exit codes: 0 success, 1 errors found, 2 usage errors, 3 internal errors.
import { Command, CommanderError } from 'commander';
import { runCheck } from './check-command.js';
import { UsageError } from './files.js';
import { runFmt } from './fmt-command.js';
import { registerImport } from './import-command.js';
import { runParts } from './parts-command.js';
import { runEstimate } from './estimate-command.js';

/** A command contributed by another package: it registers itself and reports its exit code through `exit`. */
export interface CliExtension {
  register(program: Command, exit: (code: number) => void): void;
}

export { UsageError };

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], extensions: readonly CliExtension[] = []): Promise<number> {
  let code = 0;
  const exit = (c: number) => {
    code = c;
  };
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
    .action((paths: string[], opts: { json?: boolean }) => exit(runCheck(paths, opts)));

  program
    .command('fmt')
    .description('Format .qnn files in place (canonical layout, comments kept).')
    .argument('<paths...>', 'files or folders')
    .option('--check', 'change nothing; list files that are not formatted and exit 1 if any')
    .action((paths: string[], opts: { check?: boolean }) => exit(runFmt(paths, opts)));

  program
    .command('parts')
    .description('List the target parts of the device table and their resources.')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => exit(runParts(opts)));

  program
    .command('estimate')
    .description('Estimate latency, II, LUT, FF, DSP and BRAM of a network per layer, with device utilization (docs/estimate.md).')
    .argument('<file>', 'the .qnn file')
    .option('--network <name>', 'the network (default: every network of the file)')
    .option('--part <part>', "the part (default: the network's target, else xcu250); 'qnn parts' lists them")
    .option('--clock <period>', "clock period in ns or frequency in MHz (default: the target's clock, else 5 ns)")
    .option('--json', 'print the estimate as JSON (docs/estimate.md has the schema)')
    .action((file: string, opts: { network?: string; part?: string; clock?: string; json?: boolean }) => exit(runEstimate(file, opts)));

  registerImport(program, exit);

  for (const ext of extensions) ext.register(program, exit);

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
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
    process.stderr.write(`qnn: internal error: ${e instanceof Error ? e.message : String(e)}\nPlease report this with the command and files that caused it.\n`);
    return 3;
  }
  return code;
}
