#!/usr/bin/env bash
# After scripts/ci/plan-env.sh ran for several environments (each step allowed to "fail" so the
# comments are posted): exits 1 naming each environment whose plan reported errors or never ran.
#
#   scripts/ci/plan-status.sh DIR ENV...
set -uo pipefail
dir="${1:-}"
shift || true
if [ -z "$dir" ] || [ $# -eq 0 ]; then
  echo "plan-status.sh: usage: plan-status.sh DIR ENV..." >&2
  exit 64
fi
failed=0
for env_name in "$@"; do
  file="$dir/$env_name.exit-code"
  code="$(cat "$file" 2>/dev/null || echo missing)"
  case "$code" in
    0) echo "$env_name: no changes" ;;
    2) echo "$env_name: changes" ;;
    missing) echo "$env_name: the plan did not run ($file missing)" >&2; failed=1 ;;
    *) echo "$env_name: plan exited $code (errors: see $dir/$env_name.plan.txt)" >&2; failed=1 ;;
  esac
done
exit "$failed"
