#!/usr/bin/env bash
# The README's test command: installs what the tests need, type-checks, runs ava, and ends with
# the plain "N passed, N failed" line that CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-deps.sh || exit 1
npx tsc --noEmit || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
npx ava "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -oE '[0-9]+ tests? passed' "$log" | tail -1 | grep -oE '^[0-9]+')
failed=$(grep -oE '[0-9]+ tests? failed' "$log" | tail -1 | grep -oE '^[0-9]+')
if [ -z "$passed" ] && grep -qE '✔ .*passed|^\s*1 test passed' "$log"; then passed=1; fi
echo "ava: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
