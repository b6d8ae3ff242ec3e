#!/bin/bash
# Check what reached the emulated SMMUv3's command queue during
# iommufd_edu's vsmmu.invalidate_commands test, from QEMU's trace
# (-trace smmuv3_cmdq_opcode -trace smmuv3_range_inval
#  -trace smmuv3_cmdq_cfgi_cd):
#  - its 256 TLBI_NH_VA (ASID 1, VA 0x100000..0x1ff000, VMID 0 as the VM
#    wrote them) carry a non-zero VMID, the vSMMU's;
#  - they were issued as one batch: no CMD_SYNC among them, one right after;
#  - its CFGI_CD_ALL for virtual StreamID 0x42 names another StreamID;
#  - its ATC_INVs (the edu device has no ATS) never reach the SMMU.
# Usage: cmdq-trace.sh TRACE_LOG. One PASS|FAIL line per check.
set -euo pipefail
log=${1:?usage: cmdq-trace.sh TRACE_LOG}
[ -s "$log" ] || { printf 'FAIL\tcmdq/trace\tno QEMU trace in %s\n' "$log"; exit 0; }
awk '
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
		printf "%s\tcmdq/vmid-forced\t256 TLBI_NH_VA sent with VMID 0 reached the SMMU with VMID%s\n", (zero || nv != 1) ? "FAIL" : "PASS", v
		inside = syncs_at_last - syncs_at_first
		printf "%s\tcmdq/one-sync-per-call\t256 commands in one call: %d CMD_SYNC among them, then %s\n", (inside == 0 && after == "CMD_SYNC") ? "PASS" : "FAIL", inside, after
	}
	if (cd_sid == "")
		printf "FAIL\tcmdq/vsid-translated\tno CFGI_CD_ALL in the trace\n"
	else
		printf "%s\tcmdq/vsid-translated\tCFGI_CD_ALL for virtual StreamID 0x42 reached the SMMU for StreamID %s\n", (cd_sid != "0x42") ? "PASS" : "FAIL", cd_sid
	printf "%s\tcmdq/atc-inv-dropped\t%d ATC_INV reached the SMMU (no device has ATS)\n", atc ? "FAIL" : "PASS", atc + 0
}
' "$log"
