#!/usr/bin/env python3
"""Results of the Linux 7.3 cross runs (scripts/ref.sh), one per line:

    PASS|FAIL|SKIP <tab> name <tab> detail

Each LOG:TAG is a guest console log, parsed by guest-results.py (each
kselftest case, the splat and kmemleak checks) with TAG as the prefix:
ref73-on-ours, ours-on-ref73, ref73-on-ref73, and the same on
ref73+upstream (7.3 with upstream/*.patch). Then each result is judged:

- a result matching a line of --skips (ref.skips) is SKIP naming the
  feature the series does not have, whatever the test did;
- a result matching a row of the README's table "Where we differ from
  Linux 7.3, and why" (between <!-- ref-differences --> and
  <!-- /ref-differences -->, rows | test | what differs | why |) is a
  known difference: its FAIL is a PASS ("known difference: ..."; a row
  whose why names upstream/ is a mainline bug we fix: "mainline bug
  reproduced", and the same test must PASS on ref73+upstream); its PASS
  is a FAIL ("stale row"), and so is a row that matches no result;
- anything else is as guest-results.py said: any other FAIL fails.
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BEGIN, END = "<!-- ref-differences -->", "<!-- /ref-differences -->"


def out(status, name, detail=""):
    print(f"{status}\t{name}\t{detail}")


def read_rows(path):
    """The README's rows: (pattern, what differs, why)."""
    text = open(path).read()
    if BEGIN not in text or END not in text:
        return None
    rows = []
    for line in text.split(BEGIN, 1)[1].split(END, 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not line.lstrip().startswith("|"):
            continue
        if re.fullmatch(r":?-+:?", cells[0]) or cells[0].lower() == "test":
            continue
        rows.append((cells[0].strip("`"), cells[1], "|".join(cells[2:])))
    return rows


def read_skips(path):
    skips = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        pat, _, feature = line.partition("\t")
        skips.append((pat.strip(), feature.strip()))
    return skips


def guest_results(log, tag):
    r = subprocess.run([sys.executable, os.path.join(HERE, "guest-results.py"),
                        log, "--tag", tag], stdout=subprocess.PIPE, text=True)
    for line in r.stdout.splitlines():
        status, name, detail = (line.split("\t") + ["", ""])[:3]
        yield status, name, detail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--readme", required=True)
    ap.add_argument("--skips", required=True)
    ap.add_argument("runs", nargs="+", metavar="LOG:TAG")
    a = ap.parse_args()

    rows = read_rows(a.readme)
    if rows is None:
        out("FAIL", "ref/differences-table",
            f"no {BEGIN} ... {END} table in {a.readme}")
        rows = []
    skips = read_skips(a.skips)
    results = {}
    for run in a.runs:
        log, tag = run.rsplit(":", 1)
        if not os.path.exists(log):
            out("FAIL", f"{tag}/boot", f"no log {log}")
            continue
        for status, name, detail in guest_results(log, tag):
            results[name] = (status, detail)

    used = set()
    for name, (status, detail) in results.items():
        skip = next((f for p, f in skips if fnmatch.fnmatchcase(name, p)), None)
        row = next((r for r in rows if fnmatch.fnmatchcase(name, r[0])), None)
        here = f"{status}{': ' + detail if detail else ''}"
        if skip is not None:
            out("SKIP", name, f"needs {skip}, not in the series (here: {here})")
        elif row is not None:
            used.add(row[0])
            pattern, what, why = row
            kind = "mainline bug reproduced" if "upstream/" in why else "known difference"
            if status == "FAIL":
                out("PASS", name, f"{kind}: {what} (here: {detail})")
            elif status == "PASS":
                out("FAIL", name, f"stale row: passes, but the README's table says: {what}")
            else:
                out(status, name, f"{detail} (README row: {what})")
            if kind == "mainline bug reproduced":
                fixed = name.replace("-on-ref73/", "-on-ref73+upstream/", 1)
                if fixed == name:
                    out("FAIL", name, "a mainline-bug row must name a result on plain 7.3 (*-on-ref73/...)")
                elif fixed not in results:
                    out("FAIL", fixed, "not run: the mainline bug is not shown fixed by upstream/")
        else:
            out(status, name, detail)
    for pattern, what, _ in rows:
        if pattern not in used:
            out("FAIL", pattern, f"stale row: no such result in this run ({what})")


if __name__ == "__main__":
    main()
