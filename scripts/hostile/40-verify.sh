# Output folders of verify/eval/attack and a stopped verify (issue 15, items 1, 3 and 4): default folders unique per
# run, a training run's files never overwritten, an unwritable --out refused before any work, Ctrl-C / SIGTERM keep what
# is done and the rerun continues to the same files, another configuration refused.

# A tiny trained FC-SMALL in $W/$1 (model.pt).
train_tiny() { cli train $DATA_SMALL --out "$W/$1" "${@:2}"; expect_exit 0; expect_file "$W/$1/model.pt"; }
# The folder printed as "→ FOLDER" on stderr.
arrow() { printf '%s\n' "$err" | sed -n 's/^→ //p'; }
VERIFY_SMALL="--net FC-SMALL --eps 0.01 --domains box,deeppoly --limit 60 --batch-size 8"

# The folder a run wrote into, from its "results: FOLDER/results.json, …" line.
results_folder() { printf '%s\n' "$out" | sed -n 's/^results: \(.*\)\/results\.json,.*/\1/p'; }
case_default_folders_differ() {
  train_tiny a; train_tiny b --seed 1
  cli verify $VERIFY_SMALL --model a/model.pt; expect_exit 0; local fa; fa=$(results_folder)
  cli verify $VERIFY_SMALL --model b/model.pt; expect_exit 0; local fb; fb=$(results_folder)
  [ "$fa" != "$fb" ] || fail "both runs wrote into $fa"
  [ "$(arrow)" = "$fb" ] || fail "the folder is not printed as '→ $fb' on stderr"
  grep -q "\"model\": \"$W/a/model.pt\"" "$W/$fa/results.json" || fail "$fa/results.json is not a/model.pt's"
  grep -q "\"model\": \"$W/b/model.pt\"" "$W/$fb/results.json" || fail "$fb/results.json is not b/model.pt's"
  cli verify $VERIFY_SMALL --model a/model.pt; expect_exit 0
  [ "$(results_folder)" != "$fa" ] || fail "a second verify of a/model.pt wrote into $fa again"
}
check "verify of two model.pt without --out: two folders, printed, none overwritten" case_default_folders_differ

case_eval_onto_training_run() {
  train_tiny run
  (cd "$W/run" && find . -type f | sort | xargs sha256sum) >"$W/before"
  cli eval --net FC-SMALL --model run/model.pt --out run --limit 50; local c1=$code
  cli verify $VERIFY_SMALL --model run/model.pt --out run; local c2=$code
  cli attack --net FC-SMALL --model run/model.pt --out run --limit 20 --steps 2; local c3=$code
  (cd "$W/run" && sha256sum --quiet -c "$W/before") >/dev/null 2>&1 || fail "a file of the training run changed: $(cd "$W/run" && sha256sum --quiet -c "$W/before" 2>&1 | head -3 | tr '\n' ' ')"
  [ "$c1$c2$c3" = 000 ] || fail "exit codes $c1 $c2 $c3"
  expect_file "$W/run/eval/results.json"; expect_file "$W/run/verify/per_image.csv"; expect_file "$W/run/attack/results.json"
}
check "eval/verify/attack --out onto a training run leave its files intact" case_eval_onto_training_run

case_unwritable_out() {
  train_tiny run; printf 'x' >"$W/file"
  local cmd
  for cmd in "verify $VERIFY_SMALL" "eval --net FC-SMALL" "attack --net FC-SMALL --limit 20"; do
    # shellcheck disable=SC2086
    cli $cmd --model run/model.pt --out file/out
    expect_exit 2; expect_error 2030; expect_err_has "cannot write to output folder 'file/out'"; expect_no_trace
    [ -z "$out" ] || fail "$cmd worked before refusing: $out"
  done
  cli verify $VERIFY_SMALL --model run/model.pt --out /proc/certify-out; expect_exit 2; expect_error 2030
}
check "unwritable --out: one line CF2030, exit 2, before any work" case_unwritable_out

# verify stopped by signal $1 (INT or TERM): exit $2, the rerun continues, the files equal a straight run's.
stopped_verify() {
  local signal=$1 expected=$2 args="--net FC-SMALL --eps 0.01 --domains box,deeppoly --limit 600 --batch-size 1"
  train_tiny run
  # shellcheck disable=SC2086
  cli verify $args --model run/model.pt --out straight --quiet; expect_exit 0
  # A user's Ctrl-C reaches a foreground process; a script's background job would ignore SIGINT, hence env.
  # shellcheck disable=SC2086
  (cd "$W" && exec env --default-signal=INT dotnet "$cli_dir/certify.dll" verify $args --model run/model.pt --out stopped >"$W/bg.out" 2>"$W/bg.err") &
  local pid=$! i
  for i in $(seq 1 600); do
    # 20 deeppoly images in the journal (or, from a build without one, the first deeppoly progress line).
    [ -f "$W/stopped/journal/1.csv" ] && [ "$(wc -l <"$W/stopped/journal/1.csv")" -gt 20 ] && break
    grep -q '^deeppoly: ' "$W/bg.err" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break; sleep 0.1
  done
  kill -"$signal" "$pid" 2>/dev/null || fail "the run ended before the signal"
  code=0; wait "$pid" || code=$?
  err="$(cat "$W/bg.err")"; out="$(cat "$W/bg.out")"
  expect_exit "$expected"; expect_no_trace
  expect_out_has "continue with the same command and --out stopped"
  expect_file "$W/stopped/journal/1.csv"
  local kept; kept=$(( $(wc -l <"$W/stopped/journal/1.csv") - 1 ))
  [ "$kept" -ge 20 ] && [ "$kept" -lt 600 ] || fail "journal holds $kept deeppoly images"
  # shellcheck disable=SC2086
  cli verify $args --model run/model.pt --out stopped; expect_exit 0
  expect_err_has "deeppoly $kept/600 images done"
  same_file "$W/straight/per_image.csv" "$W/stopped/per_image.csv"
  same_file "$W/straight/lower_bounds.csv" "$W/stopped/lower_bounds.csv"
}
case_verify_ctrl_c() { stopped_verify INT 130; }
check "verify Ctrl-C keeps what is done (exit 130); the rerun continues to a straight run's per_image.csv" case_verify_ctrl_c
case_verify_sigterm() { stopped_verify TERM 143; }
check "verify SIGTERM keeps what is done (exit 143); the rerun continues to a straight run's per_image.csv" case_verify_sigterm

case_verify_other_eps_refused() {
  train_tiny run
  cli verify $VERIFY_SMALL --model run/model.pt --out v --quiet; expect_exit 0
  cp "$W/v/results.json" "$W/results.before"
  cli verify --net FC-SMALL --eps 0.02 --domains box,deeppoly --limit 60 --batch-size 8 --model run/model.pt --out v
  expect_exit 2; expect_error 2031; expect_err_has "ε 0.01 there, 0.02 here"; expect_err_has "--force"
  same_file "$W/results.before" "$W/v/results.json"
  cli verify --net FC-SMALL --eps 0.02 --domains box,deeppoly --limit 60 --batch-size 8 --model run/model.pt --out v --force --quiet; expect_exit 0
  grep -q '"eps": 0.02' "$W/v/results.json" || fail "--force did not start over"
}
check "a second verify with another ε into the same --out is refused (CF2031), --force starts over" case_verify_other_eps_refused
