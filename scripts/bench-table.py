#!/usr/bin/env python3
"""Turn two iommufd_bench guest logs (ours, Linux 7.3) into make bench's table.

Each log holds lines "BENCH <tab> name <tab> value <tab> unit" printed by
bench/iommufd_bench.c; a value of "-" is a figure that kernel cannot give
(the unit field says why).

  bench-table.py OURS.log[,OURS.log...] REF73.log[,...] [--plot OUT.png]
      print the table (markdown) and, with --plot, draw it with gnuplot;
      with several runs of each kernel, each figure is their median
  bench-table.py ... --smmu SMMU.log TRACE
      add the SMMUv3 rows: smmu_bench's figures from the arm64 guest's
      log, what QEMU's trace says reached the emulated SMMU, and what it
      did for each DMA (TLB lookups, page-table walks)
  bench-table.py --smoke OURS.log REF73.log
      make check's smoke pass: every figure is there in both logs, and
      each is a number (but those the README says 7.3 cannot give);
      prints PASS/FAIL result lines
  bench-table.py --smoke-smmu SMMU.log TRACE
      the same for smmu_bench -s: its figures are there, and the trace
      shows its commands reaching the SMMU
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

OBJECTS = ["ioas", "viommu", "vdevice", "nested_hwpt", "veventq"]
INVAL_N = [1, 4, 16, 64, 256, 1024]
SCALE_K = [1, 64, 4096]
SCALE_OPS = ["nested_attach", "invalidate", "event"]
EVENTS = ["vevent_read", "vevent_report", "vevent_report_lost",
          "iopf_read", "iopf_report"]
# Plain 7.3 selects no IOMMU_IOPF for its mock (upstream/0002 fixes it):
# its IOPF-capable attach fails, so it has no IOPF figures.
REF73_MAY_LACK = {"event/iopf_read", "event/iopf_report"}

MEANING = {
    "object/ioas": "the baseline: an address space",
    "object/viommu": "once per vIOMMU a VM has, at VM start",
    "object/vdevice": "once per device hot-plugged into the VM",
    "object/nested_hwpt": "each time the guest points a device at a new stage 1",
    "object/veventq": "once per vIOMMU, at VM start",
    "invalidate": "host time per guest TLB/ATC command",
    "scale/nested_attach": "a guest STE/context change, with K devices on the vIOMMU",
    "scale/invalidate": "one command naming one device, with K devices",
    "scale/event": "one fault forwarded and read, with K devices",
    "event/vevent_read": "a VM fault, reported and read by the VMM",
    "event/vevent_report": "the reporting side alone (host IRQ thread)",
    "event/vevent_report_lost": "the same, queue full: a VMM that never reads",
    "event/iopf_read": "the base's IOPF path: report, read, respond",
    "event/iopf_report": "its reporting side alone",
}


def names(smoke):
    out = ["object/lookup"] + ["object/" + o for o in OBJECTS]
    out += ["invalidate/%d" % n for n in INVAL_N]
    for i, k in enumerate(SCALE_K):
        kk = i + 1 if smoke else k
        out += ["scale/%d/%s" % (kk, op) for op in SCALE_OPS]
    out += ["event/" + e for e in EVENTS]
    return out


def parse(path):
    figs = {}
    try:
        text = open(path, errors="replace").read()
    except OSError as e:
        sys.exit("bench-table: %s" % e)
    for m in re.finditer(r"^BENCH\t([^\t]+)\t([^\t]+)\t(.*)$", text, re.M):
        name, value, unit = m.groups()
        figs[name] = (None if value == "-" else float(value), unit)
    return figs


def parse_runs(paths):
    """The median of each figure over several logs (comma-separated)."""
    runs = [parse(p) for p in paths.split(",")]
    figs = {}
    for run in runs:
        if "failed" in run:
            return run
    for name in runs[0]:
        vals = sorted(r[name][0] for r in runs if name in r and r[name][0] is not None)
        if not vals:
            figs[name] = runs[0][name]
            continue
        mid = len(vals) // 2
        med = vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2
        figs[name] = (med, runs[0][name][1])
    return figs


def smoke(ours_log, ref_log):
    ok = True
    for tag, path in (("ours", ours_log), ("ref73", ref_log)):
        figs = parse(path)
        missing = []
        for n in names(True):
            if n not in figs:
                missing.append(n)
            elif figs[n][0] is None and not (tag == "ref73" and n in REF73_MAY_LACK):
                missing.append("%s (%s)" % (n, figs[n][1]))
        if "failed" in figs:
            missing.append("failed: " + figs["failed"][1])
        if missing:
            ok = False
            print("FAIL\tbench-smoke/%s\tmissing or not measured: %s" % (tag, ", ".join(missing)))
        else:
            print("PASS\tbench-smoke/%s\t%d figures" % (tag, len(names(True))))
    return 0 if ok else 1


def smmu_trace(path):
    """Per phase of smmu_bench (VA (p + 1) << 28, ASID 1): the TLBI_NH_VA
    that reached the SMMU (smmuv3_range_inval, stage 1) and the CMD_SYNCs
    after them (counted with the phase of the last command before)."""
    cmds, syncs, phase = {}, {}, None
    with open(path, errors="replace") as f:
        for line in f:
            if "smmuv3_range_inval" in line and " asid=1 " in line and " stage=1" in line:
                m = re.search(r" addr=0x([0-9a-f]+) ", line)
                if m:
                    phase = (int(m.group(1), 16) >> 28) - 1
                    cmds[phase] = cmds.get(phase, 0) + 1
            elif "smmuv3_cmdq_opcode" in line and "CMD_SYNC" in line and phase is not None:
                syncs[phase] = syncs.get(phase, 0) + 1
    return cmds, syncs


DMA_PHASES = ["s2/cold", "s2/warm", "nested/cold", "nested/warm"]


def smmu_dma_trace(path):
    """Per DMA phase of smmu_bench (between its TLBI_NH_VA markers of ASID
    7 at VA (p + 1) << 12 and (p + 17) << 12): the emulated SMMU's TLB
    lookups, hits and misses, its page-table descriptor reads by stage
    (QEMU says stage 3 for the stage-1 walk of a nested STE) and events."""
    counts, phase = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            if "smmuv3_range_inval" in line and " asid=7 " in line:
                m = re.search(r" addr=0x([0-9a-f]+) ", line)
                a = int(m.group(1), 16) >> 12 if m else 0
                phase = a - 1 if 1 <= a <= len(DMA_PHASES) else None
                continue
            if phase is None:
                continue
            c = counts.setdefault(phase, {"miss": 0, "hit": 0, "s1": 0, "s2": 0, "event": 0})
            if "smmu_iotlb_lookup_miss" in line:
                c["miss"] += 1
            elif "smmu_iotlb_lookup_hit" in line:
                c["hit"] += 1
            elif "smmu_ptw_level stage=2 " in line:
                c["s2"] += 1
            elif "smmu_ptw_level " in line:
                c["s1"] += 1
            elif "smmuv3_record_event" in line:
                c["event"] += 1
    return counts


def smmu_dma_rows(figs, trace):
    counts = smmu_dma_trace(trace)
    rows = ["| SMMUv3 DMA (edu reads 4 KiB; emulated, not hardware) | us/DMA | TLB misses per DMA | TLB hits per DMA | stage-1 descriptor reads per DMA | stage-2 descriptor reads per DMA |",
            "|---|---:|---:|---:|---:|---:|"]
    what = {"s2/cold": "stage 2 only, cold TLB", "s2/warm": "stage 2 only, warm TLB",
            "nested/cold": "nested stage 1 + 2, cold TLB", "nested/warm": "nested stage 1 + 2, warm TLB"}
    for p, ph in enumerate(DMA_PHASES):
        name = "smmu/dma/" + ph
        sent = figs.get(name + "/sent")
        c = counts.get(p)
        if name not in figs or not sent or not sent[0] or not c:
            rows.append("| %s | n/a | | | | |" % what[ph])
            continue
        k = sent[0]
        rows.append("| %s | %s | %.1f | %.1f | %.1f | %.1f |" % (
            what[ph], fmt(figs[name][0]), c["miss"] / k, c["hit"] / k,
            c["s1"] / k, c["s2"] / k))
    val = {ph: figs.get("smmu/dma/" + ph, (None, ""))[0] for ph in DMA_PHASES}
    rows.append("")
    rows.append("Nested against stage 2 only, time per DMA: %s cold, %s warm. QEMU's edu starts each transfer 100 ms of virtual time after its command, which hides the walk in the time; the counts are what the emulated SMMU did." % (
        ratio(val["nested/cold"], val["s2/cold"]), ratio(val["nested/warm"], val["s2/warm"])))
    return rows


def smmu_rows(log, trace):
    figs = parse(log)
    if "failed" in figs:
        sys.exit("bench-table: smmu_bench failed: %s" % figs["failed"][1])
    cmds, syncs = smmu_trace(trace)
    rows = ["| SMMUv3 (arm64 guest, debug kernel), commands per call | ns/command | ioctls per guest command | at the SMMU per guest command | CMD_SYNCs per call |",
            "|---:|---:|---:|---:|---:|"]
    for p, n in enumerate(INVAL_N):
        name = "smmu/invalidate/%d" % n
        sent = figs.get(name + "/sent")
        if not sent or sent[0] is None or name not in figs:
            rows.append("| %d | n/a | | | |" % n)
            continue
        total = sent[0]
        calls = total / min(n, total)
        rows.append("| %d | %s | %.3f | %.2f | %.2f |" % (
            n, fmt(figs[name][0]), calls / total, cmds.get(p, 0) / total,
            syncs.get(p, 0) / calls))
    one, batch = figs.get("smmu/invalidate/1"), figs.get("smmu/invalidate/64")
    if one and batch and one[0] and batch[0]:
        rows.append("")
        rows.append("One command per call (QEMU 11.1, Cloud Hypervisor) costs %s the host time per guest command of 64 per call (OpenVMM's one call per guest CMD_SYNC, for a guest that batches 64)." % ratio(one[0], batch[0]))
    rows.append("")
    rows += smmu_dma_rows(figs, trace)
    return rows


def smoke_smmu(log, trace):
    figs = parse(log)
    cmds, _ = smmu_trace(trace) if os.path.exists(trace) else ({}, {})
    bad = []
    if "failed" in figs:
        bad.append("failed: " + figs["failed"][1])
    for p, n in enumerate(INVAL_N):
        name = "smmu/invalidate/%d" % n
        if name not in figs or figs[name][0] is None:
            bad.append(name)
        elif not cmds.get(p):
            bad.append("%s: none of its commands in %s" % (name, trace))
    for ph in DMA_PHASES:
        name = "smmu/dma/" + ph
        if name not in figs or figs[name][0] is None:
            bad.append(name)
    if bad:
        print("FAIL\tbench-smoke/smmu\tmissing or not measured: %s" % ", ".join(bad))
        return 1
    print("PASS\tbench-smoke/smmu\t%d invalidation figures, each seen at the SMMU; %d DMA figures, each DMA checked" % (
        len(INVAL_N), len(DMA_PHASES)))
    return 0


def fmt(v):
    if v is None:
        return "n/a"
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return "%.2fx" % (a / b)


def table(ours, ref):
    def val(figs, n):
        return figs.get(n, (None, ""))[0]

    rows = []
    rows.append("| figure | ours | 7.3 | ours/7.3 | what it is for a VMM |")
    rows.append("|---|---:|---:|---:|---|")
    n = "object/lookup"
    rows.append("| control: IOAS_IOVA_RANGES, ns | %s | %s | %s | one object lookup, no object made: the base kernel's ioctl path |" % (
        fmt(val(ours, n)), fmt(val(ref, n)), ratio(val(ours, n), val(ref, n))))
    for o in OBJECTS:
        n = "object/" + o
        rows.append("| %s alloc+destroy, ns | %s | %s | %s | %s |" % (
            o, fmt(val(ours, n)), fmt(val(ref, n)),
            ratio(val(ours, n), val(ref, n)), MEANING[n]))
    for o in ("viommu", "vdevice"):
        n = "object/" + o
        rows.append("| %s / ioas, same kernel | %s | %s | | goal: at most 1.5x |" % (
            o, ratio(val(ours, n), val(ours, "object/ioas")),
            ratio(val(ref, n), val(ref, "object/ioas"))))
    for k in INVAL_N:
        n = "invalidate/%d" % k
        rows.append("| invalidate, %d per call, ns/command | %s | %s | %s | %s |" % (
            k, fmt(val(ours, n)), fmt(val(ref, n)), ratio(val(ours, n), val(ref, n)),
            MEANING["invalidate"] if k == 1 else "batched %d to a call (one per guest CMD_SYNC)" % k))
    rows.append("| invalidate, 1 per call / 64 per call | %s | %s | | the cost of one ioctl per command |" % (
        ratio(val(ours, "invalidate/1"), val(ours, "invalidate/64")),
        ratio(val(ref, "invalidate/1"), val(ref, "invalidate/64"))))
    for op in SCALE_OPS:
        for k in SCALE_K:
            n = "scale/%d/%s" % (k, op)
            rows.append("| %s, %d vDEVICEs, ns | %s | %s | %s | %s |" % (
                op, k, fmt(val(ours, n)), fmt(val(ref, n)),
                ratio(val(ours, n), val(ref, n)),
                MEANING["scale/" + op] if k == 1 else ""))
        a, b = "scale/%d/%s" % (SCALE_K[-1], op), "scale/%d/%s" % (SCALE_K[0], op)
        rows.append("| %s, %d / %d vDEVICEs | %s | %s | | goal: at most 1.2x (flat) |" % (
            op, SCALE_K[-1], SCALE_K[0], ratio(val(ours, a), val(ours, b)),
            ratio(val(ref, a), val(ref, b))))
    for e in EVENTS:
        n = "event/" + e
        rows.append("| %s, ns/event | %s | %s | %s | %s |" % (
            e, fmt(val(ours, n)), fmt(val(ref, n)), ratio(val(ours, n), val(ref, n)),
            MEANING[n]))
    rows.append("| vEVENT / IOPF, report to read | %s | %s | | the vEVENTQ against the fault queue it replaces |" % (
        ratio(val(ours, "event/vevent_read"), val(ours, "event/iopf_read")),
        ratio(val(ref, "event/vevent_read"), val(ref, "event/iopf_read"))))
    rows.append("| lost / queued report | %s | %s | | goal: at most 1.0x (lost events are cheap) |" % (
        ratio(val(ours, "event/vevent_report_lost"), val(ours, "event/vevent_report")),
        ratio(val(ref, "event/vevent_report_lost"), val(ref, "event/vevent_report"))))
    return "\n".join(rows)


def plot(ours, ref, out):
    def val(figs, n):
        v = figs.get(n, (None, ""))[0]
        return "NaN" if v is None else "%g" % v

    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "objects.dat"), "w") as f:
            for o in OBJECTS:
                f.write('"%s" %s %s\n' % (o, val(ours, "object/" + o), val(ref, "object/" + o)))
        with open(os.path.join(d, "inval.dat"), "w") as f:
            for k in INVAL_N:
                f.write("%d %s %s\n" % (k, val(ours, "invalidate/%d" % k), val(ref, "invalidate/%d" % k)))
        with open(os.path.join(d, "scale.dat"), "w") as f:
            for k in SCALE_K:
                f.write("%d %s %s\n" % (k, val(ours, "scale/%d/nested_attach" % k),
                                        val(ref, "scale/%d/nested_attach" % k)))
        script = """
set terminal pngcairo size 1500,450 font ",10" noenhanced
set output "%s"
set multiplot layout 1,3
set key top left
set grid ytics
set title "Object alloc+destroy (mock, x86_64 TCG)"
set ylabel "ns"
set yrange [0:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30
plot "%s/objects.dat" using 2:xtic(1) title "ours", "" using 3 title "Linux 7.3"
unset style
set style data linespoints
set xtics norotate
set logscale x 2
set title "IOMMU_HWPT_INVALIDATE: host time per command"
set xlabel "commands per call"
set ylabel "ns/command"
set yrange [*:*]
set logscale y
plot "%s/inval.dat" using 1:2 title "ours" lw 2, "" using 1:3 title "Linux 7.3" lw 2
unset logscale y
set title "Nested attach with K vDEVICEs on the vIOMMU"
set xlabel "vDEVICEs"
set ylabel "ns"
set yrange [0:*]
plot "%s/scale.dat" using 1:2 title "ours" lw 2, "" using 1:3 title "Linux 7.3" lw 2
unset multiplot
""" % (out, d, d, d)
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ours", help="our log (smmu_bench's log with --smoke-smmu)")
    ap.add_argument("ref73", help="7.3's log (the QEMU trace with --smoke-smmu)")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--smoke-smmu", action="store_true")
    ap.add_argument("--plot")
    ap.add_argument("--smmu", nargs=2, metavar=("LOG", "TRACE"))
    a = ap.parse_args()
    if a.smoke:
        return smoke(a.ours, a.ref73)
    if a.smoke_smmu:
        return smoke_smmu(a.ours, a.ref73)
    ours, ref = parse_runs(a.ours), parse_runs(a.ref73)
    print("Each figure: the median of %d runs of each kernel, alternated." % len(a.ours.split(",")))
    print()
    for tag, figs in (("ours", ours), ("7.3", ref)):
        if "failed" in figs:
            sys.exit("bench-table: the %s run failed: %s" % (tag, figs["failed"][1]))
    print(table(ours, ref))
    if a.smmu:
        print()
        print("\n".join(smmu_rows(*a.smmu)))
    if a.plot:
        plot(ours, ref, a.plot)
        print("\nplot: %s" % a.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
