#!/usr/bin/env bash
# Runs `npm run plan` for one environment in CI and records what happened, so that the workflow
# (GitHub Actions or Cloud Build) stays a list of calls and this logic is tested
# (test/ci/plan-env.e2e.test.ts).
#
#   scripts/ci/plan-env.sh --env ENV --dir DIR [--markdown] [--save] [-- EXTRA PLAN ARGS]
#
# Writes, in DIR:
#   ENV.plan.txt     the full text plan (no colour): the artifact a reviewer opens; when plan could
#                    not be made, what it printed instead (the errors)
#   ENV.exit-code    plan's exit code: 0 nothing to do, 2 changes, 1 errors (anything else: a bug, 70)
#   ENV.plan.log     what plan printed on stderr
#   ENV.comment.md   the pull-request comment, its first line the marker `<!-- batch-workflows plan: ENV -->`:
#                    with --markdown, what `plan --format markdown` prints; without, the text plan in a
#                    code block under the same marker
# and with --save, plans/ENV.plan.json (the saved plan `npm run apply -- plans/ENV.plan.json` applies;
# PLANS_DIR names another folder than plans/, as the tests do to keep the checkout clean).
#
# Exits 0 when the plan ran (exit 0 or 2: changes are not a failure) and 1 when it reported errors,
# so a CI step can run it and still post the comment (`if: always()`). In GitHub Actions it also sets
# the step outputs `exit-code` and `changes` (true/false) through $GITHUB_OUTPUT.
set -uo pipefail

env_name=""
dir=""
markdown=false
save=false
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --env) env_name="${2:-}"; shift 2 ;;
    --dir) dir="${2:-}"; shift 2 ;;
    --markdown) markdown=true; shift ;;
    --save) save=true; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "plan-env.sh: unknown argument $1 (usage: --env ENV --dir DIR [--markdown] [--save] [-- plan args])" >&2; exit 64 ;;
  esac
done
if [ -z "$env_name" ] || [ -z "$dir" ]; then
  echo "plan-env.sh: --env ENV and --dir DIR are required" >&2
  exit 64
fi
# The environment name becomes file names and the comment marker: letters, digits, - and _ only.
if ! [[ "$env_name" =~ ^[A-Za-z0-9_-]+$ ]]; then
  echo "plan-env.sh: environment \"$env_name\" is not a plain name" >&2
  exit 64
fi

mkdir -p "$dir"
# As stickyMarker (src/plan/markdown-text.ts) writes it: an HTML comment may not hold "--".
marker="<!-- batch-workflows plan: ${env_name//--/- -} -->"
text="$dir/$env_name.plan.txt"
comment="$dir/$env_name.comment.md"
# NO_COLOR as well as --no-color: CI logs and artifacts hold no ANSI escapes either way.
export NO_COLOR=1
npm_plan=(npm run --silent plan -- --env "$env_name" --no-color)

rm -f "$text" "$comment"
# One plan, one read of live, for the text artifact (--text-out), the comment (--markdown: what plan
# prints) and the saved plan (--save: --out): the comment and the artifact show the plan apply applies.
log="$dir/$env_name.plan.log"
args=(--text-out "$text")
printed=/dev/null
if [ "$markdown" = true ]; then args+=(--format markdown); printed="$comment"; fi
plans_dir="${PLANS_DIR:-plans}"
if [ "$save" = true ]; then mkdir -p "$plans_dir"; args+=(--out "$plans_dir/$env_name.plan.json"); fi
"${npm_plan[@]}" "${args[@]}" "${extra[@]}" >"$printed" 2>"$log"
code=$?
# No plan was made (a stale generated/, refused credentials): the errors are the text to read.
if [ ! -s "$text" ]; then cp "$log" "$text"; fi

if [ "$markdown" != true ] || [ ! -s "$comment" ]; then
  case "$code" in
    0) summary="No changes: live matches \`generated/$env_name/\`." ;;
    2) summary="Changes: merging applies them to **$env_name**." ;;
    1) summary="**Errors**: the plan could not be made (see below); merging would not apply it." ;;
    *) summary="**plan exited $code** (internal error)." ;;
  esac
  {
    echo "$marker"
    echo "### Plan for \`$env_name\` (exit $code)"
    echo
    echo "$summary"
    echo
    echo '```text'
    # A comment holds at most 65,536 characters (GitHub's limit); the full plan is the artifact.
    head -c 60000 "$text"
    if [ "$(wc -c <"$text")" -gt 60000 ]; then echo; echo "… cut here: the full plan is the $env_name.plan.txt artifact"; fi
    echo '```'
  } >"$comment"
fi

echo "$code" >"$dir/$env_name.exit-code"
changes=false
if [ "$code" = 2 ]; then changes=true; fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    echo "changes=$changes"
  } >>"$GITHUB_OUTPUT"
fi
echo "plan for $env_name: exit $code (changes: $changes); $text, $comment"
if [ "$code" = 0 ] || [ "$code" = 2 ]; then exit 0; fi
exit 1
