// Entry point of the compiler's `qnn` commands (the simulator's bin adds `sim` to the same CLI).
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2));
