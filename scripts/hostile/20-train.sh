# Training runs and their folders (issue 15, items 1 and 2): nothing lost, nothing overwritten, checkpoints you can trust.
TRAIN2="--epochs 2 --train-limit 300 --test-limit 50 --pgd-steps 0 --quiet"

case_resume_moved_run() {
  cli train $TRAIN2 --out "$W/old"; expect_exit 0
  mv "$W/old" "$W/moved"; rm "$W/moved/model.pt" "$W/moved/results.json"
  cli train $TRAIN2 --seed 7 --out "$W/old"; expect_exit 0          # a newer run at the old path
  cp "$W/old/results.json" "$W/newer.json"; cp "$W/old/model.pt" "$W/newer.pt"
  cli train --resume "$W/moved" --quiet; expect_exit 0
  expect_file "$W/moved/model.pt"; expect_file "$W/moved/results.json"
  same_file "$W/old/results.json" "$W/newer.json"; same_file "$W/old/model.pt" "$W/newer.pt"
}
check "train --resume MOVED writes into MOVED, not the folder stored in the checkpoint" case_resume_moved_run

case_rerun_finished() {
  cli train $TRAIN2 --out "$W/run"; expect_exit 0
  cp -r "$W/run" "$W/copy"
  cli train $TRAIN2 --out "$W/run"; expect_exit 0; expect_err_has "nothing to do"
  diff -r "$W/run" "$W/copy" >/dev/null || fail "the finished run's files changed"
}
check "rerunning the same train command onto a finished run replaces nothing" case_rerun_finished

case_out_onto_other_run() {
  cli train $TRAIN2 --out "$W/run"; expect_exit 0
  cp -r "$W/run" "$W/copy"
  cli train $TRAIN2 --lr 0.01 --out "$W/run"; expect_exit 2; expect_error 2031; expect_err_has "--force"
  diff -r "$W/run" "$W/copy" >/dev/null || fail "the other run's files changed"
  cli train $TRAIN2 --lr 0.01 --out "$W/run" --force; expect_exit 0
}
check "train --out onto a run with another configuration is refused (--force replaces it)" case_out_onto_other_run

case_default_folders_unique() {
  cli train $TRAIN2; expect_exit 0
  cli train $TRAIN2 --lr 0.01; expect_exit 0
  expect_file "$W/runs/fc-small-seed0/model.pt"; expect_file "$W/runs/fc-small-seed0-2/model.pt"
  expect_out_has "runs/fc-small-seed0-2"
}
check "two different train runs without --out get two folders" case_default_folders_unique

case_damaged_last_checkpoint() {
  cli train $TRAIN2 --out "$W/run"; expect_exit 0
  expect_file "$W/run/checkpoints/last.prev.ckpt"
  printf 'garbage' | dd of="$W/run/checkpoints/last.ckpt" bs=1 seek=2000 conv=notrunc 2>/dev/null
  cli train --resume "$W/run"; expect_exit 0; expect_err_has "last.prev.ckpt"
}
check "a damaged last.ckpt falls back to last.prev.ckpt (one interval lost, not the run)" case_damaged_last_checkpoint

case_flipped_payload_byte() {
  cli train $TRAIN2 --out "$W/run"; expect_exit 0
  rm "$W/run/checkpoints/last.prev.ckpt"
  size=$(stat -c %s "$W/run/checkpoints/last.ckpt")
  python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)-5000]^=1; open(p,'wb').write(b)" "$W/run/checkpoints/last.ckpt"
  [ "$(stat -c %s "$W/run/checkpoints/last.ckpt")" = "$size" ] || fail "size changed"
  cli train --resume "$W/run"; expect_exit 2; expect_error 2014
}
check "a checkpoint with one flipped byte in its weights is refused (checksum)" case_flipped_payload_byte

case_edited_seed() {
  cli train $TRAIN2 --out "$W/run"; expect_exit 0
  rm "$W/run/checkpoints/last.prev.ckpt"
  python3 -c "import sys; p=sys.argv[1]; b=open(p,'rb').read(); i=b.index(b'\"seed\": 0'); b=b[:i]+b'\"seed\": 5'+b[i+9:]; open(p,'wb').write(b)" "$W/run/checkpoints/last.ckpt" \
    || fail "no seed in the header"
  cli train --resume "$W/run"; expect_exit 2; expect_error 2014
}
check "a checkpoint whose header seed was edited is refused (checksum)" case_edited_seed

case_sigterm_checkpoints() {
  cli_bg train --epochs 3 --train-limit 3000 --test-limit 50 --pgd-steps 0 --mode certified --domain deeppoly --eps 0.05 --batch-size 50 --out "$W/run"
  for _ in $(seq 1 60); do [ -f "$W/run/checkpoints/last.ckpt" ] && break; sleep 0.5; done
  kill -TERM "$pid"; code=0; wait "$pid" || code=$?
  expect_exit 143; expect_file "$W/run/checkpoints/last.ckpt"
  grep -q "resume with" "$W/bg.out" || fail "no resume hint on stdout"
  cli train --resume "$W/run" --quiet; expect_exit 0; expect_file "$W/run/model.pt"
}
check "SIGTERM during train: step finished, checkpoint written, exit 143, resumable" case_sigterm_checkpoints

case_disk_full() {
  [ "$(id -u)" = 0 ] || { echo "(not root: no tmpfs; checked by the unit test instead)" >&2; return 0; }
  mkdir -p "$W/full"
  mount -t tmpfs -o size=300k tmpfs "$W/full" 2>/dev/null || { echo "(mount refused: checked by the unit test instead)" >&2; return 0; }
  cli train $TRAIN2 --out "$W/full/run"
  local tmps; tmps=$(find "$W/full" -name '*.tmp' | wc -l)
  umount "$W/full"
  expect_exit 1; expect_err_has "error CF2015"; expect_err_has "$W/full/run"
  [ "$tmps" = 0 ] || fail "$tmps temporary file(s) left behind"
}
check "disk full during train: exit 1, the path named, no temporary file left" case_disk_full

case_unwritable_out() {
  touch "$W/file"
  local t0; t0=$(date +%s%N)
  cli train --epochs 50 --quiet --out "$W/file/run"; expect_exit 2; expect_error 2030
  [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 15000 ] || fail "took more than 15 s to notice"
}
check "train --out under a file: refused before any work" case_unwritable_out
