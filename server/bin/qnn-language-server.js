#!/usr/bin/env node
// The qnn-language-server binary: a committed shim so that npm can link it before the build has run.
import { main } from '../dist/main.js';
main();
