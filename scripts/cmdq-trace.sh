#!/bin/bash
# Check what reached the emulated SMMUv3's command queue during
# iommufd_edu's vsmmu.invalidate_commands test, from QEMU's trace
# (-trace smmuv3_cmdq_opcode -trace smmuv3_range_inval
#  -trace smmuv3_cmdq_cfgi_cd -trace smmuv3_cmdq_tlbi_s12_vmid):
#  - its 256 TLBI_NH_VA (ASID 1, VA 0x100000..0x1ff000, VMID 0 as the VM
#    wrote them) carry a non-zero VMID, the vSMMU's;
#  - they were issued as one batch: no CMD_SYNC among them, one right after;
#  - its CFGI_CD_ALL for virtual StreamID 0x42 names another StreamID;
#  - its ATC_INVs (the edu device has no ATS) never reach the SMMU;
# and during vsmmu.tlbi_opcodes (-trace smmuv3_cmdq_tlbi_nh
# -trace smmuv3_cmdq_tlbi_nsnh -trace smmu_iotlb_inv_asid_vmid too):
#  - the host's stage-2 invalidation of IPA 0x7700000 is a TLBI_S2_IPA
#    with the nesting parent's own VMID and a TLBI_S12_VMALL with the
#    vSMMU's (its combined entries), in one batch; the VM's TLBI_NH_VA
#    (ASID 7, VA 0x7000), TLBI_NH_VAA (VA 0x77000), TLBI_NH_ASID (ASID 7),
#    TLBI_NH_ALL and TLBI_NSNH_ALL, all written with VMID 0, reach the
#    SMMU with exactly that TLBI_S12_VMALL's VMID, not the parent's own;
#  - TLBI_NSNH_ALL reaches it as a second TLBI_NH_ALL, never as itself.
# The 256 TLBI_NH_VA must also carry a VMID some stage 2 was invalidated
# with (TLBI_S2_IPA or TLBI_S12_VMALL), not merely a non-zero one.
# Usage: cmdq-trace.sh TRACE_LOG. One PASS|FAIL line per check.
set -euo pipefail
log=${1:?usage: cmdq-trace.sh TRACE_LOG}
[ -s "$log" ] || { printf 'FAIL\tcmdq/trace\tno QEMU trace in %s\n' "$log"; exit 0; }
awk '
function field(name,    v) {
	if (!match($0, name "=-?[0-9a-fx]+")) return ""
	v = substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1)
	return v
}
# The host invalidating its stage 2: the VMIDs of nesting parents; at the
# marker, the parent own VMID (TLBI_S2_IPA), then the vSMMU one (TLBI_S12_VMALL)
/smmuv3_range_inval/ && / stage=2/ {
	s2vmids[field("vmid")] = 1
	if (/ addr=0x7700000 / && !marked) { own = field("vmid"); marked = 1 }
}
/smmuv3_cmdq_tlbi_s12_vmid/ {
	s2vmids[field("vmid")] = 1
	if (marked == 1) { vsmmu = field("vmid"); marked = 2 }
	next
}
# vsmmu.tlbi_opcodes: from its TLBI_NH_VA to the CMD_SYNC after the batch
marked && !window && /smmuv3_range_inval/ && / asid=7 / && / addr=0x7000 / && / stage=1/ {
	window = 1; va_vmid = field("vmid"); next
}
window == 1 && /smmuv3_range_inval/ && / addr=0x77000 / { vaa_vmid = field("vmid"); next }
window == 1 && /smmu_iotlb_inv_asid_vmid/ && / asid=7 / { asid_vmid = field("vmid"); next }
window == 1 && /smmuv3_cmdq_tlbi_nh / { nh++; if (field("vmid") != va_vmid) nh_bad++; next }
window == 1 && /smmuv3_cmdq_tlbi_nsnh/ { nsnh++; next }
window == 1 && /smmuv3_cmdq_opcode/ && /CMD_SYNC/ { window = 2 }
# One of the 256: ASID 1, a single page (tg=0), VA 0x100000..0x1ff000
/smmuv3_range_inval/ && / asid=1 / && / tg=0 / && / addr=0x1[0-9a-f][0-9a-f]000 / {
	n++
	if (/ vmid=0 /) zero++
	match($0, /vmid=[0-9]+/)
	vmids[substr($0, RSTART + 5, RLENGTH - 5)] = 1
	if (n == 1) syncs_at_first = syncs
	syncs_at_last = syncs
	after = ""
	next
}
/smmuv3_cmdq_opcode/ {
	if (n && after == "") { after = $NF; sub(/^SMMU_/, "", after) }
	if (/CMD_SYNC/) syncs++
	if (/ATC_INV/) atc++
	cdall = /CFGI_CD_ALL/
	next
}
/smmuv3_cmdq_cfgi_cd/ && cdall && cd_sid == "" { match($0, /sid=[0-9a-fx]+/); cd_sid = substr($0, RSTART + 4, RLENGTH - 4); next }
END {
	if (n != 256) {
		printf "FAIL\tcmdq/vmid-forced\tfound %d of the 256 TLBI_NH_VA\n", n
		printf "FAIL\tcmdq/one-sync-per-call\tfound %d of the 256 TLBI_NH_VA\n", n
	} else {
		v = ""
		nv = 0
		for (k in vmids) { v = v " " k; nv++ }
		printf "%s\tcmdq/vmid-forced\t256 TLBI_NH_VA sent with VMID 0 reached the SMMU with VMID%s (a stage 2 was invalidated with it: %s)\n", (zero || nv != 1 || !(substr(v, 2) in s2vmids)) ? "FAIL" : "PASS", v, (substr(v, 2) in s2vmids) ? "yes" : "no"
		inside = syncs_at_last - syncs_at_first
		printf "%s\tcmdq/one-sync-per-call\t256 commands in one call: %d CMD_SYNC among them, then %s\n", (inside == 0 && after == "CMD_SYNC") ? "PASS" : "FAIL", inside, after
	}
	if (cd_sid == "")
		printf "FAIL\tcmdq/vsid-translated\tno CFGI_CD_ALL in the trace\n"
	else
		printf "%s\tcmdq/vsid-translated\tCFGI_CD_ALL for virtual StreamID 0x42 reached the SMMU for StreamID %s\n", (cd_sid != "0x42") ? "PASS" : "FAIL", cd_sid
	printf "%s\tcmdq/atc-inv-dropped\t%d ATC_INV reached the SMMU (no device has ATS)\n", atc ? "FAIL" : "PASS", atc + 0
	if (!marked || window != 2) {
		printf "FAIL\tcmdq/tlbi-vmid-is-vsmmu\tvsmmu.tlbi_opcodes not in the trace (marker %s, window %d)\n", marked ? "seen" : "missing", window
		printf "FAIL\tcmdq/nsnh-all-as-nh-all\tvsmmu.tlbi_opcodes not in the trace\n"
	} else {
		ok = va_vmid == vsmmu && va_vmid != own && vaa_vmid == va_vmid && asid_vmid == va_vmid && nh == 2 && !nh_bad
		printf "%s\tcmdq/tlbi-vmid-is-vsmmu\tstage-2 change: TLBI_S2_IPA VMID %s (the parent'"'"'s own), TLBI_S12_VMALL VMID %s (the vSMMU'"'"'s); the VM'"'"'s NH_VA %s, NH_VAA %s, NH_ASID %s, %d NH_ALL (%d with another VMID)\n", ok ? "PASS" : "FAIL", own, vsmmu, va_vmid, vaa_vmid, asid_vmid, nh, nh_bad
		printf "%s\tcmdq/nsnh-all-as-nh-all\tTLBI_NH_ALL and TLBI_NSNH_ALL from the VM: %d TLBI_NH_ALL and %d TLBI_NSNH_ALL reached the SMMU\n", (nh == 2 && !nsnh) ? "PASS" : "FAIL", nh, nsnh
	}
}
' "$log"
