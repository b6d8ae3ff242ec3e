#!/usr/bin/env python3
"""Turn the real-VMM run's console log (scripts/run-vmm.sh) into results:

    PASS|FAIL <tab> vmm/NAME <tab> detail

- L1 handed edu to vfio-pci, QEMU 11.1 realized the accelerated vSMMU on
  our kernel (the series' vSMMU allocation line), and exited 0 after L2
  powered off;
- L2's DMA tests (edu_dma's KTAP lines): round_trip, unmapped_dma_blocked;
- L2's own SMMU driver logged the fault of that unmapped DMA, which came
  to it through L1's vEVENTQ and QEMU 11.1 (F_TRANSLATION, L2's vSID, the
  IOVA);
- QEMU printed no error beyond the known ones (KNOWN_QEMU);
- every iommufd ioctl QEMU called, counted by command and result (the
  table goes to stderr); any failure not in EXPECTED fails;
- the SIGKILL run: QEMU died of the signal while L2 was running;
- after each run no page is left pinned; no splat, no kmemleak report;
- L0's command-queue trace (second argument): what L2's driver sent
  reached the SMMU after the series' translation: its stage-1 TLBIs with
  the VMID L1 gave its stage 2, its CFGI_CDs with edu's physical StreamID
  and never with L2's vSID.
"""
import collections
import importlib.util
import os
import re
import sys

CMDS = {
    0x80: "DESTROY", 0x81: "IOAS_ALLOC", 0x82: "IOAS_ALLOW_IOVAS",
    0x83: "IOAS_COPY", 0x84: "IOAS_IOVA_RANGES", 0x85: "IOAS_MAP",
    0x86: "IOAS_UNMAP", 0x87: "OPTION", 0x88: "VFIO_IOAS",
    0x89: "HWPT_ALLOC", 0x8a: "GET_HW_INFO", 0x8b: "HWPT_SET_DIRTY_TRACKING",
    0x8c: "HWPT_GET_DIRTY_BITMAP", 0x8d: "HWPT_INVALIDATE",
    0x8e: "FAULT_QUEUE_ALLOC", 0x8f: "IOAS_MAP_FILE", 0x90: "VIOMMU_ALLOC",
    0x91: "VDEVICE_ALLOC", 0x92: "IOAS_CHANGE_PROCESS",
    0x93: "VEVENTQ_ALLOC", 0x94: "HW_QUEUE_ALLOC",
}
# Failures QEMU 11.1 is known to get from the series today. The kprobe sees
# the handler's own return: -515 (ENOIOCTLCMD) is what the VFS turns into
# ENOTTY for a command the series does not have.
EXPECTED = {
    ("IOAS_CHANGE_PROCESS", -515): "not in the series (live update only)",
    ("HW_QUEUE_ALLOC", -515): "not in the series (Tegra CMDQV)",
    ("GET_HW_INFO", -95): "an input type (Tegra CMDQV probe): 6.12 has no "
                          "GET_HW_INFO flags, EOPNOTSUPP",
    ("IOAS_IOVA_RANGES", -90): "EMSGSIZE: QEMU asks for the count first",
    ("IOAS_MAP", -14): "edu's BAR for peer-to-peer: iommufd cannot pin a "
                       "VFIO BAR mapping (QEMU warns, carries on)",
    ("IOAS_UNMAP", -2): "the BAR ranges that were never mapped",
}
KNOWN_QEMU = re.compile(r"dma-buf|Cannot reset|"
                        r"IOMMU_IOAS_MAP failed: Bad address, PCI BAR|"
                        r"vfio_container_dma_map\(.*\) = -14")
# The guests' splat patterns (scripts/guest-results.py)
_spec = importlib.util.spec_from_file_location(
    "guest_results", os.path.join(os.path.dirname(__file__), "guest-results.py"))
_guest_results = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guest_results)
SPLAT = _guest_results.SPLAT
TRACE = re.compile(r"^\s*(.+?-\d+)\s+\[\d+\].*?(iommufd_in|iommufd_out): .*?"
                   r"(?:cmd=(0x[0-9a-f]+)|ret=(-?\d+))")


def out(status, name, detail=""):
    print(f"{status}\tvmm/{name}\t{detail}")


def section(lines, begin, end):
    try:
        b = lines.index(begin)
    except ValueError:
        return None
    e = lines.index(end, b) if end in lines[b:] else len(lines)
    return lines[b + 1:e]


def ioctls(lines, run, required=()):
    trace = section(lines, f"@@@ TRACE BEGIN {run}", f"@@@ TRACE END {run}")
    if trace is None:
        out("FAIL", f"{run}/ioctls", "no ioctl trace")
        return
    pending = {}
    counts = collections.Counter()
    for line in trace:
        m = TRACE.match(line)
        if not m:
            continue
        task, kind, cmd, ret = m.groups()
        if kind == "iommufd_in":
            pending[task] = int(cmd, 16) & 0xff
        elif task in pending:
            nr = pending.pop(task)
            counts[(CMDS.get(nr, hex(nr)), int(ret))] += 1
    print(f"ioctls of /dev/iommu during {run} (command, result, count):", file=sys.stderr)
    for (name, ret), n in sorted(counts.items()):
        why = EXPECTED.get((name, ret), "")
        print(f"  {name:24} {ret:6} {n:5}  {why}", file=sys.stderr)
    bad = [f"{name}={ret} x{n}" for (name, ret), n in counts.items()
           if ret < 0 and (name, ret) not in EXPECTED]
    calls = sum(counts.values())
    ok = {name for (name, ret), n in counts.items() if ret >= 0}
    missing = [name for name in required if name not in ok]
    if not calls:
        out("FAIL", f"{run}/ioctls", "QEMU called no iommufd ioctl")
    elif bad:
        out("FAIL", f"{run}/ioctls", "unexpected errors: " + ", ".join(sorted(bad)))
    elif missing:
        out("FAIL", f"{run}/ioctls", "never succeeded: " + ", ".join(missing))
    else:
        out("PASS", f"{run}/ioctls", f"{calls} calls, " + ", ".join(
            f"{name} {n}" for name, n in sorted(collections.Counter(
                name for (name, _), c in counts.items() for _ in range(c)).items())))


def sid(bdf):
    """StreamID of a PCI device on segment 0: its requester ID."""
    bus, dev, fn = (int(x, 16) for x in re.split(r"[:.]", bdf)[1:])
    return (bus << 8) | (dev << 3) | fn


def cmdq(trace, phys, vsid):
    """L0's SMMU command trace against what L2's driver sent.

    L1's own stage-1 domains have no VMID (0), so a stage-1 TLBI with a
    VMID came from L2 through the series. While L2 runs, L1 never touches
    edu's context descriptors (its STE is nested, the CD table is L2's), so
    the CFGI_CDs between L2's first TLBI and the first stage-2 unmap (QEMU
    tearing the VM down) are L2's, after the series replaced the vSID.
    """
    if not os.path.exists(trace) or not os.path.getsize(trace):
        out("FAIL", "cmdq/l2-tlbi-vmid", f"no L0 trace in {trace}")
        out("FAIL", "cmdq/l2-cfgi-sid", f"no L0 trace in {trace}")
        return
    vmid = re.compile(r"vmid=(\d+)")
    sidre = re.compile(r"(?:sid|streamid)= ?(0x[0-9a-f]+)")
    s1 = collections.Counter()          # (command, vmid) of stage-1 TLBIs
    s2 = set()                          # VMIDs of stage-2 range invalidations
    s12 = set()                         # VMIDs of TLBI_S12_VMALL: vSMMUs'
    window, window_cds, window_stes, vsid_seen = 0, [], [], 0
    for line in open(trace, errors="replace"):
        if "smmuv3_cmdq_tlbi_s12_vmid" in line:
            s12.add(int(vmid.search(line).group(1)))
        elif "smmuv3_range_inval" in line and "stage=2" in line:
            s2.add(int(vmid.search(line).group(1)))
            if window == 1:
                window = 2
        elif ("smmuv3_range_inval" in line and "stage=1" in line) or \
                "smmu_iotlb_inv_asid_vmid" in line:
            v = int(vmid.search(line).group(1))
            s1[("NH_VA" if "range_inval" in line else "NH_ASID", v)] += 1
            if v and not window:
                window = 1
        elif "smmuv3_cmdq_cfgi_cd" in line or "smmuv3_cmdq_cfgi_ste " in line:
            m = sidre.search(line)
            s = int(m.group(1), 16) if m else -1
            vsid_seen += s == vsid
            if window == 1:
                (window_cds if "cfgi_cd" in line else window_stes).append(s)
    l2 = {k: n for k, n in s1.items() if k[1]}
    vmids = {v for _, v in l2}
    nva = sum(n for (c, _), n in l2.items() if c == "NH_VA")
    nasid = sum(n for (c, _), n in l2.items() if c == "NH_ASID")
    detail = (f"{nva} TLBI_NH_VA and {nasid} TLBI_NH_ASID with VMID "
              f"{','.join(map(str, sorted(vmids))) or '-'}; stage 2 invalidated "
              f"with VMID {','.join(map(str, sorted(s2))) or '-'} (TLBI_S2_IPA, "
              f"the nesting parent's own) and "
              f"{','.join(map(str, sorted(s12))) or '-'} (TLBI_S12_VMALL, "
              f"the vSMMU's); "
              f"{sum(n for k, n in s1.items() if not k[1])} of L1's own (VMID 0)")
    # The round trips alone unmap 16 pages. L2's TLBIs carry its vSMMU's
    # own VMID, which a stage-2 change flushes whole, never the parent's.
    ok = nva >= 16 and vmids and vmids <= s12 and not vmids & s2
    out("PASS" if ok else "FAIL", "cmdq/l2-tlbi-vmid", detail)
    detail = (f"vSID {vsid:#x}, physical StreamID {phys:#x}: while L2 ran, "
              f"CFGI_CD for {','.join(sorted({hex(s) for s in window_cds})) or '-'} "
              f"x{len(window_cds)}, CFGI_STE for "
              f"{','.join(sorted({hex(s) for s in window_stes})) or '-'} x{len(window_stes)}; "
              f"{vsid_seen} commands named the vSID")
    ok = (vsid != phys and window == 2 and window_cds and not vsid_seen and
          set(window_cds) | set(window_stes) == {phys})
    out("PASS" if ok else "FAIL", "cmdq/l2-cfgi-sid", detail)


def l2_event(run):
    """L2's SMMU driver got the fault of its unmapped DMA from its vSMMU.

    edu_dma's unmapped_dma_blocked DMAs to an IOVA it has just unmapped:
    L0's SMMU records F_TRANSLATION for edu's physical StreamID, L1's
    kernel forwards it to QEMU's vEVENTQ with the vSID, QEMU puts it in
    L2's virtual event queue, and L2's driver logs the record.
    """
    iova = [re.search(r"DMA to unmapped IOVA (0x[0-9a-f]+) did not land", l) for l in run]
    iova = [int(m.group(1), 16) for m in iova if m]
    bdf = [re.match(r"L2: edu_dma (\S+):", l) for l in run]
    bdf = [m.group(1) for m in bdf if m]
    ev = [i for i, l in enumerate(run) if re.match(r"L2: arm-smmu-v3 .*event 0x.. received", l)]
    if not ev or not iova or not bdf:
        out("FAIL", "l2/smmu-event", "no SMMU event in L2's log" if not ev else
            "no unmapped DMA or edu address in L2's log")
        return
    words = [int(w, 16) for w in re.findall(r"0x[0-9a-f]{16}", " ".join(run[ev[0] + 1:ev[0] + 5]))]
    if len(words) != 4:
        out("FAIL", "l2/smmu-event", "record words missing")
        return
    evid, evsid, addr = words[0] & 0xff, words[0] >> 32, words[2]
    vsid = sid(bdf[0])
    ok = evid == 0x10 and evsid == vsid and addr & ~0xfff == iova[0]
    out("PASS" if ok else "FAIL", "l2/smmu-event",
        f"L2 logged event {evid:#04x} for StreamID {evsid:#x} at {addr:#x} "
        f"(its unmapped IOVA {iova[0]:#x}, vSID {vsid:#x})")


def main():
    log = sys.argv[1]
    lines = open(log, errors="replace").read().splitlines()
    step = [l for l in lines if l.startswith("@@@ STEP edu ")]
    if step and step[0].endswith("bound to vfio-pci"):
        out("PASS", "edu-vfio", step[0][9:])
    else:
        out("FAIL", "edu-vfio", "edu was not bound to vfio-pci in L1")

    run = section(lines, "@@@ RUN qemu-poweroff", "@@@ RUN qemu-sigkill") or []
    # The series' warning when it allows a vSMMU on QEMU's coherent SMMU
    if any("trusting arm_smmu_v3.vsmmu_assume_coherent=1" in l for l in run):
        out("PASS", "vsmmu-realized", "L1 allowed QEMU 11.1's vSMMU (coherency opt-in warning)")
    else:
        out("FAIL", "vsmmu-realized", "no vSMMU in L1's log")
    ex = [l for l in run if l.startswith("@@@ EXIT qemu-poweroff ")]
    if ex and ex[0].split()[3] == "0":
        out("PASS", "qemu-poweroff/exit", "L2 powered off, QEMU exited 0 in " + ex[0].split()[4])
    else:
        out("FAIL", "qemu-poweroff/exit", ex[0] if ex else "QEMU did not exit")
    for name in ("round_trip", "unmapped_dma_blocked"):
        r = [l for l in run if re.match(rf"L2: (not )?ok \d+ {name}\b", l)]
        if r and r[0].startswith("L2: ok"):
            out("PASS", f"l2/{name}", r[0][4:])
        else:
            out("FAIL", f"l2/{name}", r[0][4:] if r else "no result from L2")
    errs = [l for l in run if l.startswith("qemu-system-aarch64:") and not KNOWN_QEMU.search(l)]
    if errs:
        out("FAIL", "qemu-errors", "; ".join(errs[:5]))
    else:
        out("PASS", "qemu-errors", "only the known ones")
    # What a vSMMU whose VM DMAs must have gone through
    ioctls(lines, "qemu-poweroff", ("VIOMMU_ALLOC", "VDEVICE_ALLOC",
                                    "HWPT_ALLOC", "HWPT_INVALIDATE",
                                    "VEVENTQ_ALLOC"))
    l2_event(run)

    ex = [l for l in lines if l.startswith("@@@ EXIT qemu-sigkill ")]
    if ex and ex[0].split()[3] == "137":
        out("PASS", "qemu-sigkill/exit", "QEMU killed while L2 ran its DMA")
    else:
        out("FAIL", "qemu-sigkill/exit", ex[0] if ex else "QEMU was not killed")
    ioctls(lines, "qemu-sigkill")
    for runname in ("qemu-poweroff", "qemu-sigkill"):
        p = [l for l in lines if l.startswith(f"@@@ PINS {runname} ")]
        if p and p[0].split()[3] == "0":
            waited = p[0].split()[4] if len(p[0].split()) > 4 else "0s"
            out("PASS", f"{runname}/pins", f"no page left pinned ({waited} after QEMU's exit)")
        else:
            out("FAIL", f"{runname}/pins", p[0] if p else "no pin count")

    splats = [l for l in lines if SPLAT.match(l) and not l.startswith("L2:")]
    if splats:
        for l in splats[:40]:
            print("  " + l, file=sys.stderr)
        out("FAIL", "splat", f"{len(splats)} kernel splat lines in L1, see {log}")
    else:
        out("PASS", "splat")
    leak = section(lines, "@@@ KMEMLEAK BEGIN", "@@@ KMEMLEAK END")
    if leak is None:
        out("FAIL", "kmemleak", "L1 did not scan")
    elif any("unreferenced object" in l for l in leak):
        out("FAIL", "kmemleak", "leaks in L1")
    else:
        out("PASS", "kmemleak")

    l1 = re.search(r"^@@@ STEP edu (\S+) ", "\n".join(step), re.M)
    l2 = [re.match(r"L2: edu_dma (\S+):", l) for l in run]
    l2 = [m.group(1) for m in l2 if m]
    if not l1 or not l2:
        out("FAIL", "cmdq/l2-tlbi-vmid", "edu's address in L1 or L2 unknown")
        out("FAIL", "cmdq/l2-cfgi-sid", "edu's address in L1 or L2 unknown")
    else:
        cmdq(sys.argv[2] if len(sys.argv) > 2 else "", sid(l1.group(1)), sid(l2[0]))


if __name__ == "__main__":
    main()
