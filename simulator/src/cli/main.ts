// The `qnn` executable: the compiler's commands (check, fmt, parts) plus `sim` and `build`.
import { runCli } from '@qnn/compiler';
import { buildCommand } from './build-command.js';
import { simCommand } from './sim-command.js';

process.exitCode = await runCli(process.argv.slice(2), [simCommand, buildCommand]);
