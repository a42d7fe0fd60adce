#!/usr/bin/env bash
# Applies one saved plan in CI: `npm run apply -- plans/ENV.plan.json`, which applies exactly that
# plan and refuses (exit 1) when generated/ or the live state moved since it was made.
#
#   scripts/ci/apply-plan.sh plans/ENV.plan.json [-- EXTRA APPLY ARGS, e.g. --sandbox-url URL in tests]
#
# Exits with apply's code (0 everything applied, 1 anything failed or refused).
set -uo pipefail
plan_file="${1:-}"
shift || true
extra=()
if [ "${1:-}" = "--" ]; then shift; extra=("$@"); set --; fi
if [ -z "$plan_file" ] || [ $# -ne 0 ]; then
  echo "apply-plan.sh: usage: apply-plan.sh plans/ENV.plan.json [-- apply args]" >&2
  exit 64
fi
if [ ! -f "$plan_file" ]; then
  echo "apply-plan.sh: no saved plan at $plan_file (was the plan job's artifact downloaded?)" >&2
  exit 1
fi
export NO_COLOR=1
npm run --silent apply -- "$plan_file" "${extra[@]}"
code=$?
if [ "$code" != 0 ]; then
  echo "apply of $plan_file exited $code (see above). If it refused the plan because generated/ or live state moved since it was made, re-run the deploy workflow for a fresh plan." >&2
fi
exit "$code"
