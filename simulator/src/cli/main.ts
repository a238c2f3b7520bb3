// The `qnn` executable: the compiler's commands (check, fmt, parts) plus `sim`.
import { runCli } from '@qnn/compiler';
import { simCommand } from './sim-command.js';

process.exitCode = await runCli(process.argv.slice(2), [simCommand]);
