#!/usr/bin/env python3
"""Turn the real-VMM run's console log (scripts/run-vmm.sh) into results:

    PASS|FAIL <tab> vmm/NAME <tab> detail

- L1 handed both edus (A and B, one behind each SMMU) to vfio-pci, QEMU
  11.1 realized the accelerated vSMMU on
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
- the two-vSMMU run: L2 DMAs with both edus, each through its own vSMMU;
  QEMU allocated one nesting parent HWPT and two vIOMMUs on it, one per
  device (the ioctls' arguments); in L0's trace, during that run (L1's
  console, rebuilt from the UART writes in the same trace, says when),
  L2's stage-1 TLBIs reached each SMMU with ASIDs the other never saw and
  with a VMID that this SMMU's vSMMU owns (flushed there with
  TLBI_S12_VMALL when QEMU destroyed it), never the parent's own
  (TLBI_S2_IPA on that SMMU).
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
TRACE = re.compile(r"^\s*(.+?-\d+)\s+\[\d+\].*?(iommufd_in|iommufd_out): (.*)")
IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0


def out(status, name, detail=""):
    print(f"{status}\tvmm/{name}\t{detail}")


def section(lines, begin, end):
    try:
        b = lines.index(begin)
    except ValueError:
        return None
    e = lines.index(end, b) if end in lines[b:] else len(lines)
    return lines[b + 1:e]


def ioctl_calls(lines, run):
    """The run's ioctls: (command, result, argument words by offset)."""
    trace = section(lines, f"@@@ TRACE BEGIN {run}", f"@@@ TRACE END {run}")
    if trace is None:
        return None
    pending = {}
    calls = []
    for line in trace:
        m = TRACE.match(line)
        if not m:
            continue
        task, kind, rest = m.groups()
        args = dict(re.findall(r"(\w+)=(\S+)", rest))
        if kind == "iommufd_in" and "cmd" in args:
            pending[task] = args
        elif task in pending and "ret" in args:
            a = pending.pop(task)
            nr = int(a["cmd"], 16) & 0xff
            words = {int(k[1:]): int(v, 16) for k, v in a.items()
                     if re.fullmatch(r"a\d+", k) and re.fullmatch(r"0x[0-9a-f]+", v)}
            calls.append((CMDS.get(nr, hex(nr)), int(args["ret"]), words))
    return calls


def ioctls(lines, run, required=()):
    calls = ioctl_calls(lines, run)
    if calls is None:
        out("FAIL", f"{run}/ioctls", "no ioctl trace")
        return []
    counts = collections.Counter((name, ret) for name, ret, _ in calls)
    print(f"ioctls of /dev/iommu during {run} (command, result, count):", file=sys.stderr)
    for (name, ret), n in sorted(counts.items()):
        why = EXPECTED.get((name, ret), "")
        print(f"  {name:24} {ret:6} {n:5}  {why}", file=sys.stderr)
    bad = [f"{name}={ret} x{n}" for (name, ret), n in counts.items()
           if ret < 0 and (name, ret) not in EXPECTED]
    ok = {name for (name, ret), n in counts.items() if ret >= 0}
    missing = [name for name in required if name not in ok]
    if not calls:
        out("FAIL", f"{run}/ioctls", "QEMU called no iommufd ioctl")
    elif bad:
        out("FAIL", f"{run}/ioctls", "unexpected errors: " + ", ".join(sorted(bad)))
    elif missing:
        out("FAIL", f"{run}/ioctls", "never succeeded: " + ", ".join(missing))
    else:
        out("PASS", f"{run}/ioctls", f"{len(calls)} calls, " + ", ".join(
            f"{name} {n}" for name, n in sorted(collections.Counter(
                name for name, _, _ in calls).items())))
    return calls


def one_parent(calls, run):
    """One nesting parent for both vSMMUs: what QEMU 11.1 allocates for a VM
    behind several SMMUs, which the series lets it share across them.

    Each argument starts with its size; HWPT_ALLOC's flags are its word
    at offset 4; VIOMMU_ALLOC's dev_id and hwpt_id are at 12 and 16.
    """
    # A word whose fetch failed prints as stale bytes: the argument's size
    # (offset 0) must at least cover the words read.
    parents = [w for name, ret, w in calls if name == "HWPT_ALLOC" and ret == 0 and
               w.get(0, 0) >= 16 and w.get(4, 0) & IOMMU_HWPT_ALLOC_NEST_PARENT]
    viommus = [w for name, ret, w in calls if name == "VIOMMU_ALLOC" and ret == 0 and
               w.get(0, 0) >= 20]
    on = sorted({w.get(16) for w in viommus})
    devs = sorted({w.get(12) for w in viommus})
    detail = (f"{len(parents)} NEST_PARENT HWPT allocated; {len(viommus)} vIOMMUs, "
              f"on HWPT {','.join(map(str, on)) or '-'}, for devices "
              f"{','.join(map(str, devs)) or '-'}")
    ok = len(parents) == 1 and len(viommus) == 2 and len(on) == 1 and len(devs) == 2
    out("PASS" if ok else "FAIL", f"{run}/one-parent", detail)


def sid(bdf):
    """StreamID of a PCI device on segment 0: its requester ID."""
    bus, dev, fn = (int(x, 16) for x in re.split(r"[:.]", bdf)[1:])
    return (bus << 8) | (dev << 3) | fn


UART_DR = 0x9000000     # virt's PL011: L1's console, one write per character
CMDQ_PROD = 0x98        # an SMMU's command queue producer register


def attributed(trace, bases):
    """L0's trace lines of SMMU commands, each with the QEMU run of L1 it
    belongs to and the SMMU it reached: (run or None, SMMU index, line).

    QEMU's SMMU trace events do not name the SMMU: a command belongs to the
    SMMU whose CMDQ_PROD L1 wrote last (QEMU consumes the queue inside that
    write, under its big lock). L1's console, rebuilt from the UART's
    writes in the same trace, tells the run: from "@@@ RUN NAME" to
    "@@@ TRACE END NAME", which L1 prints once QEMU's pages are unpinned,
    so after the context's objects (the vIOMMUs too) are destroyed.
    """
    prod = {b + CMDQ_PROD: i for i, b in enumerate(bases)}
    write = re.compile(r"memory_region_ops_write .* addr (0x[0-9a-f]+) value (0x[0-9a-f]+)")
    line, run, cur = "", None, -1
    for t in open(trace, errors="replace"):
        if "memory_region_ops_write" in t:
            m = write.search(t)
            if not m:
                continue
            addr, value = int(m.group(1), 16), int(m.group(2), 16)
            if addr == UART_DR:
                if value == 0x0a:
                    m = re.search(r"@@@ RUN (\S+)", line)
                    if m:
                        run = m.group(1)
                    elif run and f"@@@ TRACE END {run}" in line:
                        run = None
                    line = ""
                elif value != 0x0d:
                    line += chr(value & 0xff)
            elif addr in prod:
                cur = prod[addr]
            continue
        if cur >= 0:
            yield run, cur, t


def cmdq(trace, bases, phys, vsid):
    """L0's SMMU command trace against what L2's driver sent.

    Only SMMU A's commands during the first run (one vSMMU, edu A) count.
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
    for run, smmu, line in attributed(trace, bases):
        if run != "qemu-poweroff" or smmu != 0:
            continue
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


def two_smmus_cmdq(trace, bases, phys, run):
    """Which SMMU each of L2's stage-1 TLBIs reached during RUN (two
    vSMMUs, edu A behind the first, edu B behind the second).

    Each SMMU must see L2's TLBIs, with a VMID that a vSMMU on it owns
    (flushed there with TLBI_S12_VMALL when QEMU destroyed it) and never
    the nesting parent's own (TLBI_S2_IPA); L2's CFGI_CDs must reach each
    SMMU for its own edu's physical StreamID only. L2's SMMU driver gives
    each of its domains an ASID from one allocator, so edu A's and edu
    B's TLBIs carry different ASIDs: a vSMMU's TLBI sent to both SMMUs
    would show its ASID on the other.
    """
    name = "cmdq/two-smmus-tlbi"
    if not os.path.exists(trace) or not os.path.getsize(trace) or len(bases) != 2:
        out("FAIL", name, f"no L0 trace in {trace} or not two SMMUs named")
        return
    field = re.compile(r"(\w+)= ?(-?(?:0x)?[0-9a-f]+)")
    asids = [collections.Counter(), collections.Counter()]   # L2's TLBIs: ASID -> count
    vmids = [set(), set()]      # their VMIDs
    s12 = [set(), set()]        # TLBI_S12_VMALL VMIDs: the vSMMUs'
    s2 = [set(), set()]         # TLBI_S2_IPA VMIDs: the parent's own
    cds = [set(), set()]        # StreamIDs of CFGI_CD once L2 sent its first TLBI
    for r, cur, t in attributed(trace, bases):
        if r != run:
            continue
        f = dict(field.findall(t))
        if "smmuv3_cmdq_tlbi_s12_vmid" in t:
            s12[cur].add(int(f["vmid"]))
        elif "smmuv3_range_inval" in t and f.get("stage") == "2":
            s2[cur].add(int(f["vmid"]))
        elif ("smmuv3_range_inval" in t and f.get("stage") == "1") or \
                "smmu_iotlb_inv_asid_vmid" in t:
            if int(f["vmid"]):
                asids[cur][int(f["asid"])] += 1
                vmids[cur].add(int(f["vmid"]))
        elif "smmuv3_cmdq_cfgi_cd" in t and asids[cur]:
            cds[cur].add(int(f["sid"], 16))
    ok = not set(asids[0]) & set(asids[1])
    parts = []
    for i, smmu in enumerate("AB"):
        n = sum(asids[i].values())
        ok = (ok and n >= 16 and vmids[i] and vmids[i] <= s12[i] and
              not vmids[i] & s2[i] and cds[i] == {phys[i]})
        parts.append(f"SMMU {smmu}: {n} from L2 with ASID "
                     f"{','.join(map(str, sorted(asids[i]))) or '-'} and VMID "
                     f"{','.join(map(str, sorted(vmids[i]))) or '-'} (TLBI_S12_VMALL: "
                     f"{','.join(map(str, sorted(s12[i]))) or '-'}; TLBI_S2_IPA: "
                     f"{','.join(map(str, sorted(s2[i]))) or '-'}), CFGI_CD for "
                     f"{','.join(map(hex, sorted(cds[i]))) or '-'} (edu {smmu}: {phys[i]:#x})")
    out("PASS" if ok else "FAIL", name, "; ".join(parts))


def l2_results(run, prefix):
    """edu_dma's results for each edu: its probe logs "edu_dma BDF: edu
    ..." and then runs its tests (L2's KUnit suites print KTAP too)."""
    results, dev = {}, None
    for l in run:
        m = re.match(r"L2: edu_dma (\S+): edu ", l)
        if m:
            dev = m.group(1)
            results[dev] = {}
            continue
        m = re.match(r"L2: ((?:not )?ok \d+ (round_trip|unmapped_dma_blocked)\b.*)", l)
        if m and dev:
            results[dev][m.group(2)] = m.group(1)
    if len(results) != 2:
        out("FAIL", f"{prefix}/edus", f"{len(results)} edus probed in L2, not 2")
        return
    out("PASS", f"{prefix}/edus", "edu_dma probed " + " and ".join(results))
    for dev, r in results.items():
        for name in ("round_trip", "unmapped_dma_blocked"):
            line = r.get(name)
            out("PASS" if line and line.startswith("ok") else "FAIL",
                f"{prefix}/{dev}/{name}", line or "no result from L2")


def main():
    log = sys.argv[1]
    lines = open(log, errors="replace").read().splitlines()
    step = [l for l in lines if l.startswith("@@@ STEP edu ")]
    smmus = [m.group(1) for m in (re.search(r" behind smmu3\.(0x[0-9a-f]+)$", l) for l in step) if m]
    if len(step) == 2 and all(" bound to vfio-pci " in l for l in step) and len(set(smmus)) == 2:
        out("PASS", "edu-vfio", "; ".join(l[9:] for l in step))
    else:
        out("FAIL", "edu-vfio", "not two edus bound to vfio-pci behind two SMMUs in L1: " +
            ("; ".join(l[9:] for l in step) or "none"))

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

    two = section(lines, "@@@ RUN qemu-two-smmus", "@@@ KMEMLEAK BEGIN") or []
    ex = [l for l in two if l.startswith("@@@ EXIT qemu-two-smmus ")]
    if ex and ex[0].split()[3] == "0":
        out("PASS", "qemu-two-smmus/exit", "L2 powered off, QEMU exited 0 in " + ex[0].split()[4])
    else:
        out("FAIL", "qemu-two-smmus/exit", ex[0] if ex else "QEMU did not exit")
    l2_results(two, "l2-two-smmus")
    errs = [l for l in two if l.startswith("qemu-system-aarch64:") and not KNOWN_QEMU.search(l)]
    out("FAIL" if errs else "PASS", "qemu-two-smmus/qemu-errors",
        "; ".join(errs[:5]) if errs else "only the known ones")
    calls = ioctls(lines, "qemu-two-smmus", ("VIOMMU_ALLOC", "VDEVICE_ALLOC",
                                             "HWPT_ALLOC", "HWPT_INVALIDATE"))
    one_parent(calls, "qemu-two-smmus")
    bdfs = [m.group(1) for m in (re.match(r"@@@ STEP edu (\S+) ", l) for l in step) if m]
    bases = [int(b, 16) for b in smmus]
    trace = sys.argv[2] if len(sys.argv) > 2 else ""
    two_smmus_cmdq(trace, bases, [sid(b) for b in bdfs], "qemu-two-smmus")

    for runname in ("qemu-poweroff", "qemu-sigkill", "qemu-two-smmus"):
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
        cmdq(trace, bases, sid(l1.group(1)), sid(l2[0]))


if __name__ == "__main__":
    main()
