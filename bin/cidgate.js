#!/usr/bin/env node
// Entry point: the compiled CLI (npm ci runs `prepare`, which builds dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
  // `serve` always ends once stopped, whatever a library left open (a reconnect timer): stdout gets
  // a moment to flush, then the process exits. Done here, not in serve, so tests can run it in-process.
  if (process.argv[2] === 'serve') setTimeout(() => process.exit(code), 200).unref();
});
