#!/usr/bin/env node
// Entry point: the compiled CLI (npm ci runs `prepare`, which builds dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
  // `serve` has closed everything it opened; a handle a library left behind (drachtio-srf's
  // reconnect timer) must not keep the process alive. Other commands end by themselves.
  if (process.argv.slice(2).find((a) => !a.startsWith('-')) === 'serve') setTimeout(() => process.exit(code), 200).unref();
});
