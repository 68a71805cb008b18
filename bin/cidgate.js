#!/usr/bin/env node
// Entry point: the compiled CLI (npm ci runs `prepare`, which builds dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => { process.exitCode = code; });
