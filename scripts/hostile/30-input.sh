# Input a user can get wrong (issue 15, item 4): every case a named error and exit 2 before any work, never a crash.
case_eps_above_one() {
  for cmd in "train --quiet" "verify --net FC-SMALL --model x.pt" "attack --net FC-SMALL --model x.pt" "paradox --budget quick"; do
    cli $cmd --eps 2; expect_exit 2; expect_err_has "[0, 1]"
  done
}
check "ε > 1 is refused by train, verify, attack and paradox alike" case_eps_above_one

arch() {   # arch FILE OUT_SIZE [LAYERS_JSON]
  python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
path, out, layers = sys.argv[1], int(sys.argv[2]), sys.argv[3]
l = json.loads(layers) if layers else [{"type": "flatten"}, {"type": "dense", "out": 20}, {"type": "relu"}, {"type": "dense", "out": out}]
json.dump({"name": "X", "input": [1, 28, 28], "layers": l}, open(path, "w"))
PY
}
case_class_count() { arch "$W/a.json" 5; cli train --arch "$W/a.json" $DATA_SMALL --out "$W/r"; expect_exit 2; expect_error 1008; expect_no_trace; }
check "a network with 5 outputs on 10-class data: named error" case_class_count
case_empty_net() { arch "$W/a.json" 10 '[]'; cli train --arch "$W/a.json" $DATA_SMALL --out "$W/r"; expect_exit 2; expect_err_has "error CF1001"; expect_no_trace; }
check "an empty layer list: named error" case_empty_net
case_huge_net() {
  arch "$W/a.json" 10 '[{"type":"flatten"},{"type":"dense","out":2000000000},{"type":"relu"},{"type":"dense","out":10}]'
  cli train --arch "$W/a.json" $DATA_SMALL --out "$W/r"; expect_exit 2; expect_error 1009; expect_no_trace
}
check "a 1.6·10¹² parameter network: named error before allocating" case_huge_net

case_labels_out_of_range() {
  mkdir -p "$W/data"
  python3 - "$W/data" <<'PY'
import struct, sys, os
d = sys.argv[1]
for split, n in (("train", 64), ("t10k", 16)):
    open(os.path.join(d, f"{split}-images-idx3-ubyte"), "wb").write(struct.pack(">IIII", 0x803, n, 28, 28) + bytes(n * 784))
    open(os.path.join(d, f"{split}-labels-idx1-ubyte"), "wb").write(struct.pack(">II", 0x801, n) + bytes([i % 10 for i in range(n - 1)] + [12]))
PY
  cli train --data-dir "$W/data" --epochs 1 --pgd-steps 0 --quiet --out "$W/r"; expect_exit 2; expect_error 2006; expect_no_trace
}
check "label bytes ≥ 10 in an IDX file: named error" case_labels_out_of_range

case_empty_model() { : > "$W/m.pt"; cli eval --net FC-SMALL --model "$W/m.pt" --quiet; expect_exit 2; expect_err_has "empty"; expect_no_trace; }
check "an empty --model file is called empty (not 'old PyTorch format')" case_empty_model
case_random_model() {
  head -c 4096 /dev/urandom > "$W/m.pt"; printf 'XXXX' | dd of="$W/m.pt" conv=notrunc 2>/dev/null
  cli eval --net FC-SMALL --model "$W/m.pt" --quiet; expect_exit 2; expect_err_has "is not a PyTorch state_dict file"; expect_no_trace
}
check "a random --model file is called not a state_dict (not 'old PyTorch format')" case_random_model
case_unknown_device() {
  cli train --device tpu $DATA_SMALL --out "$W/r"; expect_exit 2; expect_error 1010
  cli verify --device tpu --net FC-SMALL --model "$W/none.pt"; expect_exit 2; expect_error 1010
  cli eval --device tpu --net FC-SMALL --model "$W/none.pt"; expect_exit 2; expect_error 1010
}
check "--device tpu (train, verify, eval): named error, exit 2" case_unknown_device
case_paradox_unknown_net() { cli paradox --net FOO --budget quick --out "$W/p"; expect_exit 2; expect_err_has "error CF1004"; }
check "paradox --net FOO exits 2 like verify" case_paradox_unknown_net
case_threads_capped() {
  cli train --threads 1000 --epochs 1 --train-limit 200 --test-limit 50 --pgd-steps 0 --out "$W/r"; expect_exit 0
  expect_err_has "more than this machine's"; expect_err_has "$(nproc) thread(s)"
}
check "--threads 1000 on a small machine: capped at the cores, with a note" case_threads_capped
