#!/usr/bin/env node
// The `qnn` executable: a committed shim, so that npm can link it before the TypeScript build has run.
import '../dist/cli/main.js';
