# ONNX, VNN-LIB and VNN-COMP input a user can get wrong (issue 16): one named error, exit 2, nothing half-written.
onnx_net() {   # onnx_net FILE: a small network written by `certify export` (trained for a few steps first)
  cli train --net FC-SMALL $DATA_SMALL --out "$W/run"; expect_exit 0
  cli export --net FC-SMALL --model "$W/run/model.pt" --onnx "$1" --quiet; expect_exit 0
}
prop() {   # prop FILE INPUTS: an L∞ box of width 0.02 around 0.5 and "class 0 is not the largest"
  python3 - "$1" "$2" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n): f.write(f"(declare-const X_{i} Real)\n")
    for j in range(10): f.write(f"(declare-const Y_{j} Real)\n")
    for i in range(n): f.write(f"(assert (>= X_{i} 0.49))\n(assert (<= X_{i} 0.51))\n")
    f.write("(assert (or " + " ".join(f"(and (>= Y_{j} Y_0))" for j in range(1, 10)) + "))\n")
PY
}
case_vnn_missing_files() {
  cli vnnlib --onnx "$W/none.onnx" --vnnlib "$W/none.vnnlib"; expect_exit 2; expect_error 2001; expect_no_trace
  cli vnncomp --benchmark "$W/none"; expect_exit 2; expect_error 2001; expect_no_trace
}
check "vnnlib / vnncomp with files that do not exist: named errors" case_vnn_missing_files
case_vnn_not_onnx() {
  head -c 4096 /dev/urandom > "$W/n.onnx"; prop "$W/p.vnnlib" 784
  cli vnnlib --onnx "$W/n.onnx" --vnnlib "$W/p.vnnlib"; expect_exit 2; expect_error 2040; expect_no_trace
}
check "random bytes as the ONNX network: named error" case_vnn_not_onnx
case_vnn_bad_property() {
  onnx_net "$W/n.onnx"
  prop "$W/p.vnnlib" 784; sed -i '$ s/)$//' "$W/p.vnnlib"
  cli vnnlib --onnx "$W/n.onnx" --vnnlib "$W/p.vnnlib"; expect_exit 2; expect_error 2042; expect_err_has "p.vnnlib:"; expect_no_trace
  prop "$W/q.vnnlib" 5
  cli vnnlib --onnx "$W/n.onnx" --vnnlib "$W/q.vnnlib"; expect_exit 2; expect_error 2043; expect_no_trace
  prop "$W/r.vnnlib" 784
  cli vnnlib --onnx "$W/n.onnx" --vnnlib "$W/r.vnnlib" --timeout -3; expect_exit 2; expect_error 1003; expect_no_trace
  cli vnnlib --onnx "$W/n.onnx" --vnnlib "$W/r.vnnlib" --ladder box,nonsense; expect_exit 2; expect_err_has "nonsense"; expect_no_trace
  cli vnnlib --onnx "$W/n.onnx" --vnnlib "$W/r.vnnlib" --timeout 60 --quiet; expect_exit 0
  case "$out" in sat*|unsat*|unknown*) ;; *) fail "expected a VNN-COMP answer, got '$out'" ;; esac
}
check "a property with a syntax error, one for another network, a bad --timeout or --ladder: named errors; a good one answers" case_vnn_bad_property
case_vnncomp_table() {
  onnx_net "$W/b/n.onnx"; prop "$W/b/p.vnnlib" 784
  printf 'n.onnx,p.vnnlib,30\nmissing.onnx,p.vnnlib,30\n' > "$W/b/instances.csv"
  cli vnncomp --benchmark "$W/b" --out "$W/o/results.csv" --quiet; expect_exit 1; expect_no_trace
  expect_file "$W/o/results.csv"; expect_file "$W/o/summary.md"
  grep -q ',error,' "$W/o/results.csv" || fail "the missing network is not an error row"
  cp "$W/o/results.csv" "$W/saved.csv"
  cli vnncomp --benchmark "$W/b" --out "$W/o/results.csv" --timeout-scale 2 --quiet; expect_exit 2; expect_error 2031; expect_no_trace
  same_file "$W/o/results.csv" "$W/saved.csv"
  printf 'n.onnx,p.vnnlib,zero\n' > "$W/b/bad.csv"
  cli vnncomp --benchmark "$W/b" --instances "$W/b/bad.csv" --out "$W/o2/results.csv"; expect_exit 2; expect_error 1003; expect_err_has "bad.csv:1"; expect_no_trace
}
check "vnncomp: a missing network is an error row and the run goes on; other settings onto its table are refused; a bad instances line is named" case_vnncomp_table
