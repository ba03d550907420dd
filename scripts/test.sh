#!/usr/bin/env bash
# The README's test command: installs what the tests need, type-checks, runs ava, and ends with
# the plain "N passed, N failed" line that CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-deps.sh || exit 1
npx tsc --noEmit || exit 1
# The web UI has its own compiler settings (DOM, JSX); its type errors fail the run too.
npx tsc --noEmit -p ui || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
npx ava "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# ava prints its pass count only when nothing failed, so count the per-test marks instead.
passed=$(grep -c '✔' "$log" || true)
failed=$(grep -c '✘' "$log" || true)
echo "ava: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
