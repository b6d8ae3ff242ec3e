#!/usr/bin/env python3
"""Turn a guest console log into test results, one per line:

    PASS|FAIL|SKIP <tab> name <tab> detail

- each kselftest case (TAP "ok"/"not ok", "# SKIP") of each program the
  guest ran, plus a FAIL for a program that crashed or exited non-zero
  without reporting a failed case; a failed case's detail is the last
  lines it printed (the assertion, the errno), so that a log cut short
  still says why;
- with --kunit, each KUnit case, parsed by the kernel's own
  tools/testing/kunit/kunit.py parse;
- one "splat" check: any BUG, WARNING, KASAN, lockdep, refcount, Oops or
  panic in the kernel log fails it, and the offending lines are printed;
- one "kmemleak" check when the guest ran a kmemleak scan.
"""
import argparse
import json
import os
import re
import subprocess
import sys

SPLAT = re.compile(
    r"^(?:\[\s*\d+\.\d+\]\s*)?(?:\[\s*\w+\]\s*)?("
    r"BUG: |WARNING: |.*KASAN|.*refcount_t: |.*kernel BUG|"
    r"Oops|Kernel panic|Unable to handle kernel|general protection fault|"
    r"INFO: (?:possible|trying|task)|.*possible circular locking|"
    r".*suspected memory leak|UBSAN:|.*Call [Tt]race:|.*stack-protector)")
TAP = re.compile(r"^(not ok|ok) \d+ (\S+)(.*)$")
RUN = re.compile(r"^#\s+RUN\s+(\S+)")
END_CASE = re.compile(r"^#\s+(?:OK|FAIL|SKIP|XFAIL|XPASS)\s+(\S+)")


def out(status, name, detail=""):
    print(f"{status}\t{name}\t{detail}")


def selftests(lines, tag):
    prog = None
    cases = {}
    case, said = None, []
    for line in lines:
        if line.startswith("@@@ RUN "):
            prog = line.split()[2]
            cases[prog] = []
            continue
        if prog and (m := RUN.match(line)):
            case, said = m.group(1), []
            continue
        if case and END_CASE.match(line):
            case = None
            continue
        if case and line.startswith("# "):
            said.append(line[2:].strip())
            continue
        if line.startswith("@@@ EXIT ") and prog:
            rc = int(line.split()[3])
            failed = any(s == "FAIL" for s, _, _ in cases[prog])
            for s, n, d in cases[prog]:
                out(s, f"{tag}/{prog}/{n}", d)
            if rc not in (0, 4) and not failed:
                out("FAIL", f"{tag}/{prog}", f"exit status {rc}")
            elif not cases[prog]:
                out("FAIL", f"{tag}/{prog}", "no test results")
            prog = None
            continue
        m = TAP.match(line)
        if prog and m:
            res, name, rest = m.groups()
            if "# SKIP" in rest:
                cases[prog].append(("SKIP", name, rest.split("# SKIP", 1)[1].strip()))
            elif res == "ok":
                cases[prog].append(("PASS", name, ""))
            else:
                detail = [rest.strip()] + said[-4:]
                cases[prog].append(("FAIL", name,
                                    " / ".join(filter(None, detail))))
            said = []
    if prog:
        for s, n, d in cases[prog]:
            out(s, f"{tag}/{prog}/{n}", d)
        out("FAIL", f"{tag}/{prog}", "did not finish (guest crashed or hung)")


def kunit(path, tag, kunit_py):
    out_json = os.path.splitext(os.path.abspath(path))[0] + ".kunit.json"
    subprocess.run([sys.executable, kunit_py, "parse", "--json=" + out_json,
                    os.path.abspath(path)], capture_output=True, text=True)
    try:
        with open(out_json) as f:
            data = json.load(f)
    except (OSError, ValueError):
        out("FAIL", f"{tag}/kunit", "no KUnit results in the log")
        return
    n = 0

    def walk(group, prefix):
        nonlocal n
        for c in group.get("test_cases", []):
            n += 1
            st = c.get("status", "")
            name = f"{prefix}/{c.get('name', '?')}"
            if st == "PASS":
                out("PASS", name)
            elif st == "SKIP":
                out("SKIP", name, "skipped by KUnit")
            else:
                out("FAIL", name, st)
        for g in group.get("sub_groups", []):
            walk(g, f"{prefix}/{g.get('name', '?')}")

    walk(data, f"{tag}/kunit")
    if n == 0:
        out("FAIL", f"{tag}/kunit", "no KUnit cases ran")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--tag", required=True)
    ap.add_argument("--kunit", metavar="KUNIT_PY")
    a = ap.parse_args()
    lines = open(a.log, errors="replace").read().splitlines()

    selftests(lines, a.tag)
    if a.kunit:
        kunit(a.log, a.tag, a.kunit)

    splats = [l for l in lines if SPLAT.match(l)]
    if splats:
        for l in splats[:40]:
            print("  " + l, file=sys.stderr)
        out("FAIL", f"{a.tag}/splat", f"{len(splats)} kernel splat lines, see {a.log}")
    else:
        out("PASS", f"{a.tag}/splat")

    if "@@@ KMEMLEAK BEGIN" in lines:
        b = lines.index("@@@ KMEMLEAK BEGIN")
        e = lines.index("@@@ KMEMLEAK END") if "@@@ KMEMLEAK END" in lines else len(lines)
        leaks = [l for l in lines[b + 1:e] if "unreferenced object" in l]
        if leaks:
            for l in lines[b + 1:min(e, b + 60)]:
                print("  " + l, file=sys.stderr)
            out("FAIL", f"{a.tag}/kmemleak", f"{len(leaks)} leaked objects")
        else:
            out("PASS", f"{a.tag}/kmemleak")


if __name__ == "__main__":
    main()
