# The report as rendered (issue 15, item 6): every Markdown table keeps its columns whatever its cells say (`|l|=u`),
# plot legends lie outside the data area, `info --json` is one JSON document.

# Every Markdown table of the given files: the separator row under the header, and as many cells (unescaped pipes) in
# every row as in the header. Prints the first offending rows on stderr.
md_columns_equal() {
  python3 - "$@" <<'PY'
import re, sys
bad = []
for path in sys.argv[1:]:
    table = []
    for n, line in enumerate(open(path, encoding="utf-8").read().split("\n") + [""], 1):
        if line.startswith("|"):
            table.append((n, line))
            continue
        if table:
            cols = [len(re.findall(r"(?<!\\)\|", l)) - 1 for _, l in table]
            if len(table) < 2 or not re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", table[1][1]):
                bad.append(f"{path}:{table[0][0]}: no separator row under the header")
            for (m, l), c in zip(table, cols):
                if c != cols[0]:
                    bad.append(f"{path}:{m}: {c} columns, the header {cols[0]}: {l[:160]}")
            table = []
for b in bad[:4]:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# The legend of a ScottPlot PNG lies right of the data area: the legend entries (the column of marker-coloured discs
# that share one x) are right of the data area's right frame line, and every marker colour shows two discs (the point
# and its legend entry: a point under the legend would leave one).
legend_outside() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6) and interlace == 0, f"unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})"
bpp = 4 if ctype == 6 else 3
raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
px = lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3])
# The data area's right edge: the rightmost column that is dark over at least 40 % of the height (the frame line).
dark = [sum(1 for y in range(h) if max(px(x, y)) < 90) for x in range(w)]
right = max(x for x in range(w) if dark[x] >= 0.4 * h)
# Discs: 8-connected blobs of one saturated colour, at least 15 pixels.
colour = {}
for y in range(h):
    for x in range(w):
        r, g, b = px(x, y)
        if max(r, g, b) - min(r, g, b) >= 60:
            colour[(x, y)] = (r, g, b)
seen, blobs = set(), {}
for start, c in colour.items():
    if start in seen: continue
    seen.add(start); stack, members = [start], []
    while stack:
        x, y = stack.pop(); members.append((x, y))
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                q = (x + dx, y + dy)
                if q not in seen and colour.get(q) == c:
                    seen.add(q); stack.append(q)
    if len(members) >= 15:
        blobs.setdefault(c, []).append(round(sum(m[0] for m in members) / len(members)))
problems = [f"colour #{'%02x%02x%02x' % c}: {len(xs)} disc(s), a point and its legend entry make two" for c, xs in blobs.items() if len(xs) != 2]
xs = [x for c in blobs.values() for x in c]
column = max(set(xs), key=lambda v: sum(1 for x in xs if abs(x - v) <= 1)) if xs else None
if column is None: problems.append("no marker found")
elif column <= right: problems.append(f"the legend entries (x = {column}) are inside the data area (its right edge x = {right})")
for p in problems: print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

# One quick paradox study for the cases below (run once per hostile session; about 3 minutes on 2 cores).
paradox_dir="$scratch/paradox-quick"
paradox_quick() {
  [ -f "$paradox_dir/report.md" ] && return 0
  local here_w="$W"
  W="$scratch"; cli paradox --budget quick --out "$paradox_dir"; W="$here_w"
  expect_exit 0; expect_file "$paradox_dir/report.md"
}

case_report_tables() {
  paradox_quick
  md_columns_equal "$paradox_dir/report.md" "$paradox_dir/table.md" || fail "a Markdown table row has more or fewer cells than its header"
  grep -Fq 'l\|=u' "$paradox_dir/table.md" || fail "table.md has no escaped |l|=u cell (CROWN's theory: jumps at |l|=u)"
}
check "paradox report.md/table.md: every table row has the header's columns (|l|=u escaped)" case_report_tables

case_run_summaries() {
  paradox_quick
  local files; files=$(find "$paradox_dir" -name summary.md | head -20)
  [ -n "$files" ] || fail "no training run's summary.md under $paradox_dir"
  # shellcheck disable=SC2086
  md_columns_equal $files || fail "a run's summary.md has a table row with more or fewer cells than its header"
}
check "paradox runs' summary.md: every table row has the header's columns" case_run_summaries

case_tightness_legend() {
  paradox_quick
  expect_file "$paradox_dir/tightness-vs-certified.png"
  legend_outside "$paradox_dir/tightness-vs-certified.png" || fail "the legend of 'Tighter is not better' lies in the data area"
}
check "'Tighter is not better' plot: legend outside the data area, every point visible" case_tightness_legend

case_verify_summary() {
  cli train --net FC-SMALL $DATA_SMALL --out "$W/run"; expect_exit 0
  cli verify --net FC-SMALL --model "$W/run/model.pt" --eps 0.05 --domains box,deeppoly --limit 20 --quiet --out "$W/verify"; expect_exit 0
  md_columns_equal "$W/run/summary.md" "$W/verify/summary.md" || fail "train/verify summary.md: a table row with more or fewer cells than its header"
}
check "train and verify summary.md: every table row has the header's columns" case_verify_summary

case_info_json_all() {
  cli info --json; expect_exit 0
  printf '%s' "$out" | python3 -c 'import json, sys; json.load(sys.stdin)' 2>"$W/json.err" || fail "info --json is not one JSON document: $(tail -n 1 "$W/json.err")"
}
check "info --json (every network): exactly one JSON document" case_info_json_all

case_info_json_arch() {
  cli info --json --net FC-SMALL; expect_exit 0
  printf '%s\n' "$out" >"$W/net.json"
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$W/net.json" 2>"$W/json.err" || fail "info --json --net is not one JSON document: $(tail -n 1 "$W/json.err")"
  cli info --arch "$W/net.json" --json; expect_exit 0
  printf '%s\n' "$out" | cmp -s - "$W/net.json" || fail "info --arch of info --json's output describes another network"
}
check "info --json --net FC-SMALL: one document, read back by --arch unchanged" case_info_json_arch
