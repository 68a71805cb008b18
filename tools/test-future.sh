#!/usr/bin/env bash
# `npm run test:future`: the fast suite once more under a clock a year ahead (libfaketime), so that
# no test can depend on the day it runs. Monotonic clocks are left alone: vitest's timers and
# worker pools keep their pace. Without faketime it skips, except under CI=true where it must run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  if [ "${CI:-}" = true ]; then echo 'test:future: faketime is not installed (apt-get install faketime)' >&2; exit 1; fi
  echo 'test:future: skipped, faketime is not installed (apt-get install faketime)'
  exit 0
fi
npx tsc -p tsconfig.json && npx tsc -p tsconfig.test.json
FAKETIME_DONT_FAKE_MONOTONIC=1 exec faketime -f "${CIDGATE_FUTURE_OFFSET:-+365d}" npx vitest run "$@"
