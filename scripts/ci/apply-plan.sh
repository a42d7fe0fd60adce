#!/usr/bin/env bash
# Applies one saved plan in CI: `npm run apply -- plans/ENV.plan.json`, which applies exactly that
# plan and refuses (exit 1) when generated/ or the live state moved since it was made.
#
#   scripts/ci/apply-plan.sh plans/ENV.plan.json
#
# Exits with apply's code (0 everything applied, 1 anything failed or refused).
set -uo pipefail
plan_file="${1:-}"
if [ -z "$plan_file" ] || [ $# -ne 1 ]; then
  echo "apply-plan.sh: usage: apply-plan.sh plans/ENV.plan.json" >&2
  exit 64
fi
if [ ! -f "$plan_file" ]; then
  echo "apply-plan.sh: no saved plan at $plan_file (was the plan job's artifact downloaded?)" >&2
  exit 1
fi
export NO_COLOR=1
npm run --silent apply -- "$plan_file"
code=$?
if [ "$code" != 0 ]; then
  echo "apply of $plan_file exited $code. Refused because generated/ or live state moved since the plan: re-run the deploy workflow for a fresh plan." >&2
fi
exit "$code"
