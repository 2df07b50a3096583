#!/usr/bin/env bash
# A hostile new user's session with `certify` (issue 15): every case tries one thing a user can get wrong or one way a
# run can be disturbed, and checks the answer: exit code, one readable `error CFnnnn` line, no stack trace, no file lost
# or overwritten. Prints one line per case and the totals as "N passed, N failed".
#
#   scripts/hostile-cli.sh                 # builds Samples/Certify.Cli (Release) into a temp folder and runs every case
#   scripts/hostile-cli.sh --cli DIR       # uses an existing build (a folder holding certify.dll), e.g. of an old commit
#   scripts/hostile-cli.sh --only REGEX    # only the cases whose name matches
#
# The cases live in scripts/hostile/*.sh (sourced in name order); each defines functions named case_* and runs them
# through `check "what a user does" case_function`. Helpers available to a case:
#   cli ARGS...                 runs certify; sets $code, $out, $err (stdout/stderr text) — never fails the shell
#   cli_bg ARGS...              starts certify in the background; sets $pid (stdout/stderr into $W/bg.out, $W/bg.err)
#   expect_exit N               exit code was N
#   expect_error CODE           stderr is exactly one line starting "error CF<CODE>:" (CODE may be a regex such as 1...)
#   expect_err_has TEXT         stderr contains TEXT (fixed string)
#   expect_out_has TEXT         stdout contains TEXT
#   expect_no_trace             no stack trace / libtorch backtrace on stderr
#   expect_file PATH / expect_no_file PATH
#   same_file A B               byte-identical files
#   $W                          a fresh empty folder per case (removed afterwards); $DATA_SMALL = a tiny training run's
#                               flags (--epochs 1 --train-limit 200 --test-limit 50 --pgd-steps 0 --quiet)
# A case fails at its first failed expectation (its message is printed); `fail MESSAGE` fails it explicitly.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cli_dir="" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cli) cli_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "hostile-cli: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
if [ -z "$cli_dir" ]; then
  cli_dir="$scratch/cli"
  echo "hostile-cli: building Samples/Certify.Cli (Release)" >&2
  if ! dotnet build "$root/Samples/Certify.Cli" -c Release -o "$cli_dir" -v q -nologo >"$scratch/build.log" 2>&1; then
    cat "$scratch/build.log" >&2; echo "hostile-cli: build failed" >&2; exit 2
  fi
fi
[ -f "$cli_dir/certify.dll" ] || { echo "hostile-cli: no certify.dll in $cli_dir" >&2; exit 2; }

DATA_SMALL="--epochs 1 --train-limit 200 --test-limit 50 --pgd-steps 0 --quiet"
code=0 out="" err="" pid="" W="" why=""
# A failed expectation prints its reason (shown under the case's FAIL line) and ends the case (set -e).
fail() { why="$*"; echo "$why" >&2; return 1; }

cli() {
  local o="$W/.stdout" e="$W/.stderr"
  code=0
  (cd "$W" && exec timeout 600 dotnet "$cli_dir/certify.dll" "$@" >"$o" 2>"$e") || code=$?
  out="$(cat "$o")"; err="$(cat "$e")"; rm -f "$o" "$e"
  return 0
}
cli_bg() {
  # Background jobs of a non-interactive shell ignore SIGINT; restore its default so kill -INT reaches the CLI.
  (cd "$W" && exec env --default-signal=INT dotnet "$cli_dir/certify.dll" "$@" >"$W/bg.out" 2>"$W/bg.err") &
  pid=$!
}
expect_exit() { [ "$code" = "$1" ] || fail "exit $code, expected $1 (stderr: $(printf '%s' "$err" | head -c 300))"; }
expect_error() {
  local lines; lines=$(printf '%s\n' "$err" | grep -c .)
  [ "$lines" = 1 ] || fail "expected one stderr line, got $lines: $(printf '%s' "$err" | head -c 300)"
  printf '%s' "$err" | grep -Eq "^error CF$1:" || fail "expected 'error CF$1: …', got: $(printf '%s' "$err" | head -c 300)"
}
expect_err_has() { printf '%s' "$err" | grep -Fq -- "$1" || fail "stderr lacks '$1': $(printf '%s' "$err" | head -c 300)"; }
expect_out_has() { printf '%s' "$out" | grep -Fq -- "$1" || fail "stdout lacks '$1': $(printf '%s' "$out" | head -c 300)"; }
expect_no_trace() {
  if printf '%s' "$err" | grep -Eq '^ +at |Exception:|libtorch|c10::|frame #'; then fail "stack trace on stderr: $(printf '%s' "$err" | head -c 300)"; fi
}
expect_file() { [ -f "$1" ] || fail "missing file $1"; }
expect_no_file() { [ ! -e "$1" ] || fail "unexpected file $1"; }
same_file() { cmp -s "$1" "$2" || fail "$1 and $2 differ"; }

passed=0 failed=0
check() {
  local what="$1" fn="$2"
  if [ -n "$only" ] && ! printf '%s %s' "$fn" "$what" | grep -Eq -- "$only"; then return 0; fi
  W="$(mktemp -d "$scratch/case.XXXX")"; why=""; code=0 out="" err=""
  local t0; t0=$(date +%s)
  ( set -e; "$fn" ) 2>"$W/.case-stderr"
  if [ $? -eq 0 ]; then
    passed=$((passed + 1)); printf 'pass  %-70s %3ss\n' "$what" "$(( $(date +%s) - t0 ))"
  else
    failed=$((failed + 1)); printf 'FAIL  %-70s %3ss\n' "$what" "$(( $(date +%s) - t0 ))"
    if [ -s "$W/.case-stderr" ]; then sed 's/^/      /' "$W/.case-stderr" | head -5; fi
  fi
  rm -rf "$W"
}

for f in "$here"/hostile/*.sh; do
  [ -e "$f" ] || continue
  # shellcheck source=/dev/null
  . "$f"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
