#!/usr/bin/env bash
# Rewrites every citation of the old, out-of-repository specification ("SPEC §3.7", "SPEC.md §2", "(SPEC §2, §4.1)",
# "SPEC §4.2–4.3", "SPEC §4.1/§4.3", "SPEC" at a line's end with "§3.7.1" on the next) in the .cs, .md, .sh and .txt
# files (the generator's snapshot files are .txt) to the project's own docs, using docs/spec-citations.tsv
# (column 1 "SPEC §x", column 3 the replacement, e.g. "relaxations.md §3.7"). Afterwards no "SPEC" may remain: the
# script lists what does and exits 1.
#
#   scripts/respec.sh --dry-run          # print every would-be change and the counts; write nothing
#   scripts/respec.sh                    # rewrite in place
#   scripts/respec.sh --check            # only validate docs/spec-citations.tsv (files, anchors, numbering)
#   scripts/respec.sh --root DIR ...     # operate on another checkout (default: this script's repository)
#
# Rules, applied left to right to every "§<number>" of a file:
#   - "SPEC §x" / "SPEC.md §x" (also with the "§x" on the next comment line): "SPEC"/"SPEC.md" becomes x's doc
#     ("relaxations.md"). The section number is read whole (3.7.1 is never taken as 3.7 followed by ".1"), so the
#     longest number always wins.
#   - a bare "§y" after such a citation on the same line ("(SPEC §2, §3.6, §4.1)", "§12.2's … §12.3"): kept bare when y
#     is in the same doc as the citation before it, else prefixed with its doc ("relaxations.md §2, §3.6,
#     training.md §4.1"). A bare "§y" with no citation before it on the line gets its doc too ("// §12.2 elision").
#     Bare "§" of other sources are left alone: numbers not in the table, and those within 80 characters after
#     "Higham", "et al." or 'Complete"' on the same line (Higham's §3.1, Xu et al.'s §3.1).
#   - ranges "§4.2–4.3" keep their end as is; "SPEC's continuity table" and "the SPEC does not list" (no number) are
#     rewritten to the section they mean (properties.md §7.2).
# Excluded: docs/spec-citations.tsv, this script, and the docs that define the sections (docs/relaxations.md,
# training.md, properties.md, soundness.md, reference.md, docs/README.md). Idempotent: a second run changes nothing.
# Needs python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=apply
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) mode=dry-run ;;
    --check) mode=check ;;
    --root) shift; root="$(cd "${1:?--root needs a directory}" && pwd)" ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "respec: unknown argument '$1' (use --dry-run, --check, --root DIR)" >&2; exit 2 ;;
  esac
  shift
done
command -v python3 >/dev/null 2>&1 || { echo "respec: python3 is required" >&2; exit 2; }

exec python3 - "$root" "$mode" <<'PY'
import os, re, sys

root, mode = sys.argv[1], sys.argv[2]
TABLE = "docs/spec-citations.tsv"
EXCLUDED = {TABLE, "scripts/respec.sh", "Properties/Certify.Functional.Properties/Docs/CitationTests.cs", "docs/relaxations.md", "docs/training.md", "docs/properties.md",
            "docs/soundness.md", "docs/reference.md", "docs/README.md"}
EXTENSIONS = (".cs", ".md", ".sh", ".txt")
SKIP_DIRS = {".git", "bin", "obj", "TestResults", "runs", ".vs", ".idea", "node_modules", "BenchmarkDotNet.Artifacts"}
# Citations without a section number, and the section they mean.
PHRASES = [("SPEC's continuity table", "properties.md §7.2's continuity table"),
           ("rows the SPEC does not list", "rows properties.md §7.2 does not list")]
FOREIGN = re.compile(r'Higham|et al\.|Complete"')
# An optional label (SPEC, SPEC.md, or a doc already named, e.g. relaxations.md) with its separator (spaces, or a line
# break followed by a comment prefix), then § and the whole section number.
CITATION = re.compile(r'(?:\b(?P<label>SPEC(?:\.md)?|[A-Za-z][\w-]*\.md)'
                      r'(?P<sep>[ \t]*(?:\r?\n[ \t]*(?:///?|\*|#)?[ \t]*)?))?§(?P<num>\d+(?:\.\d+)*)')
LEFTOVER = re.compile(r'\bSPEC\b')


def fail(message):
    print(f"respec: {message}", file=sys.stderr)
    sys.exit(2)


def load_table():
    path = os.path.join(root, TABLE)
    if not os.path.isfile(path):
        fail(f"{TABLE} not found under {root}")
    table, problems = {}, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            cols = line.rstrip("\n").split("\t")
            m = re.fullmatch(r"SPEC §(\d+(?:\.\d+)*)", cols[0]) if len(cols) == 3 else None
            if not m:
                problems.append(f"{TABLE}:{n}: expected 'SPEC §x<TAB>docs/file.md#anchor<TAB>file.md §x', got {line.rstrip()!r}")
                continue
            num, target, replacement = m.group(1), cols[1], cols[2]
            doc, _, anchor = target.partition("#")
            if replacement != f"{os.path.basename(doc)} §{num}":
                problems.append(f"{TABLE}:{n}: replacement {replacement!r} should be '{os.path.basename(doc)} §{num}'")
            if num in table:
                problems.append(f"{TABLE}:{n}: §{num} listed twice")
            table[num] = (doc, anchor, os.path.basename(doc))
    return table, problems


def slug(heading):
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def check(table):
    problems = []
    headings = {}
    for num, (doc, anchor, _) in sorted(table.items()):
        path = os.path.join(root, doc)
        if not os.path.isfile(path):
            problems.append(f"§{num}: {doc} does not exist")
            continue
        if doc not in headings:
            text = open(path, encoding="utf-8").read()
            headings[doc] = (re.findall(r"^#{1,6} (.+)$", text, re.M), set(re.findall(r'<a id="([^"]+)"></a>', text)))
        titles, ids = headings[doc]
        match = [t for t in titles if slug(t) == anchor]
        if not match:
            problems.append(f"§{num}: no heading of {doc} has the anchor #{anchor}")
        elif not match[0].startswith(f"{num} "):
            problems.append(f"§{num}: #{anchor} is the heading '{match[0]}', not numbered {num}")
        if f"sec-{num}" not in ids:
            problems.append(f"§{num}: {doc} has no explicit anchor <a id=\"sec-{num}\"></a>")
    return problems


def files():
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(EXTENSIONS):
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                if rel not in EXCLUDED:
                    yield rel


def rewrite(text, table, counts, errors, rel):
    out, pos = [], 0
    context_file, context_line = None, -1            # the doc of the last citation, and the line it is on
    for m in CITATION.finditer(text):
        num, label = m.group("num"), m.group("label")
        section = m.start() + (m.group(0).index("§"))
        line_start = text.rfind("\n", 0, section) + 1
        doc = table.get(num)
        same_line = context_line == line_start
        if label in ("SPEC", "SPEC.md"):
            if doc is None:
                errors.append(f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: unmapped section {label} §{num}")
                continue
            out.append(text[pos:m.start()])
            out.append(doc[2] + m.group("sep") + "§" + num)
            pos = m.end()
            counts["labelled"] += 1
            counts["line-broken"] += "\n" in m.group("sep")
            context_file, context_line = doc[2], line_start
        elif label is not None:                      # already names a doc ("relaxations.md §3.7"): leave, but remember
            if doc is not None and label == doc[2]:
                context_file, context_line = label, line_start
        else:                                        # bare §num
            if doc is None or FOREIGN.search(text[max(line_start, section - 80):section]):
                continue
            if same_line and context_file == doc[2]:
                counts["bare kept"] += 1
                continue
            out.append(text[pos:section])
            out.append(doc[2] + " §" + num)
            pos = m.end()
            counts["bare labelled"] += 1
            context_file, context_line = doc[2], line_start
    out.append(text[pos:])
    text = "".join(out)
    for old, new in PHRASES:
        counts["phrases"] += text.count(old)
        text = text.replace(old, new)
    return text


def main():
    table, problems = load_table()
    problems += check(table)
    if mode == "check" or problems:
        for p in problems:
            print(f"respec: {p}", file=sys.stderr)
        if mode == "check" and not problems:
            print(f"respec: {TABLE}: {len(table)} sections, every anchor resolves")
        sys.exit(1 if problems else 0)
    counts = {"labelled": 0, "line-broken": 0, "bare labelled": 0, "bare kept": 0, "phrases": 0}
    errors, leftovers, changed = [], [], 0
    for rel in files():
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8", newline="") as f:
            old = f.read()
        if "§" not in old and "SPEC" not in old:
            continue
        new = rewrite(old, table, counts, errors, rel)
        if new != old:
            changed += 1
            if mode == "dry-run":
                print(f"--- {rel}")
                for n, (a, b) in enumerate(zip(old.split("\n"), new.split("\n")), 1):
                    if a != b:
                        print(f"{rel}:{n}\n  - {a.strip()}\n  + {b.strip()}")
            else:
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(new)
        for n, line in enumerate(new.split("\n"), 1):
            if LEFTOVER.search(line):
                leftovers.append(f"{rel}:{n}: {line.strip()}")
    total = counts["labelled"] + counts["bare labelled"] + counts["phrases"]
    verb = "would rewrite" if mode == "dry-run" else "rewrote"
    print(f"respec: {verb} {total} citations in {changed} files: {counts['labelled']} 'SPEC §x' "
          f"({counts['line-broken']} across a line break), {counts['bare labelled']} bare '§x' given their doc, "
          f"{counts['phrases']} without a number; {counts['bare kept']} bare '§x' kept beside a citation of the same doc")
    for e in errors:
        print(f"respec: {e}", file=sys.stderr)
    if leftovers:
        print(f"respec: {len(leftovers)} 'SPEC' left{' after the rewrite' if mode == 'dry-run' else ''}:", file=sys.stderr)
        for l in leftovers:
            print(f"  {l}", file=sys.stderr)
    sys.exit(1 if errors or leftovers else 0)


main()
PY
