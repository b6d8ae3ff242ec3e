#!/bin/bash
# Check what reached each of the two SMMUs of the arm64-two-smmus guest,
# from QEMU's trace (-trace memory_region_ops_write -trace
# smmuv3_cmdq_opcode -trace smmuv3_range_inval -trace
# smmuv3_cmdq_tlbi_s12_vmid)
# and the guest's log. QEMU's SMMU trace events do not name the SMMU, so a
# command is counted for the SMMU whose CMDQ_PROD register (base + 0x98)
# the guest wrote last: QEMU consumes the queue inside that write. The
# bases come from the SMMUs' sysfs names (smmu3.0x<base>) that
# iommufd_edu's two_smmus fixture logs, device A's first.
#  - two_smmus.stage2_change_reaches_both maps and unmaps IPA 0x7800000
#    (then moves the VM's memory, whose first invalidation ends the
#    window): each SMMU gets one batch with one CMD_SYNC, holding
#    TLBI_S12_VMALL for its vSMMU's VMID (the combined entries) and, on
#    A, TLBI_S2_IPA of the marker with the parent's own VMID;
#  - two_smmus.tlbi_stays_on_its_vsmmu sends TLBI_NH_VA (ASID 1, VA
#    0x200000) through vSMMU A, then through vSMMU B: exactly two reach
#    the SMMUs, the first A's with A's vSMMU VMID, the second B's with B's.
# Usage: two-smmus-trace.sh TRACE_LOG GUEST_LOG. One PASS|FAIL line each.
set -euo pipefail
trace=${1:?usage: two-smmus-trace.sh TRACE_LOG GUEST_LOG}
guest=${2:?usage: two-smmus-trace.sh TRACE_LOG GUEST_LOG}
[ -s "$trace" ] || { printf 'FAIL\ttwo-smmus/trace\tno QEMU trace in %s\n' "$trace"; exit 0; }
awk '
function hex(s,    i, n) {
	s = tolower(s)
	sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return sprintf("%.0f", n)
}
BEGIN { n_smmu = 0; cur = -1 }
function field(name,    v) {
	if (!match($0, name "=-?[0-9a-fx]+")) return ""
	return substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1)
}
# The guest log: "edu BDF behind smmu3.0xBASE": the first two SMMUs named;
# CMDQ_PROD is at BASE + 0x98 (152)
FNR == NR {
	if (n_smmu < 2 && match($0, /behind smmu3\.0x[0-9a-f]+/)) {
		name = substr($0, RSTART + 7, RLENGTH - 7)
		if (!(name in seen)) {
			seen[name] = 1
			smmu[n_smmu] = name
			prod[sprintf("%.0f", hex(substr(name, 7)) + 152)] = n_smmu
			n_smmu++
		}
	}
	next
}
/memory_region_ops_write/ {
	if (match($0, / addr 0x[0-9a-f]+/)) {
		a = hex(substr($0, RSTART + 6, RLENGTH - 6))
		if (a in prod) { cur = prod[a]; rings[cur]++ }
	}
	next
}
cur < 0 { next }
# The window of the marker: from its first TLBI_S2_IPA to the next stage-2
# invalidation of another IPA
/smmuv3_range_inval/ && / stage=2/ {
	if (/ addr=0x7800000 /) {
		if (window == 0) window = 1
		if (window == 1) s2[cur] = s2[cur] " " field("vmid")
	} else if (window == 1) {
		window = 2
	}
	next
}
window == 1 && /smmuv3_cmdq_opcode/ && /CMD_SYNC/ { syncs[cur]++; next }
window == 1 && /smmuv3_cmdq_tlbi_s12_vmid/ {
	if (cur in vm) { vm[cur] = vm[cur] " " field("vmid"); many[cur] = 1 }
	else vm[cur] = field("vmid")
	next
}
/smmuv3_range_inval/ && / stage=1/ && / asid=1 / && / addr=0x200000 / {
	nva++
	va_smmu[nva] = cur
	va_vmid[nva] = field("vmid")
	next
}
END {
	if (n_smmu != 2 || !rings[0] || !rings[1]) {
		printf "FAIL\ttwo-smmus/smmus\t%d SMMUs named in the guest log, command queue rung %d and %d times\n", n_smmu, rings[0], rings[1]
		exit
	}
	printf "PASS\ttwo-smmus/smmus\tA = %s, B = %s: command queue rung %d and %d times\n", smmu[0], smmu[1], rings[0], rings[1]
	ok = window == 2 && s2[0] != "" && s2[1] == ""
	detail = ""
	for (k = 0; k < 2; k++) {
		if (syncs[k] != 1 || !(k in vm) || (k in many)) ok = 0
		detail = detail sprintf("%s%s: TLBI_S2_IPA VMID%s, TLBI_S12_VMALL VMID %s, %d CMD_SYNC", k ? "; " : "", k ? "B" : "A", s2[k] == "" ? " none" : s2[k], (k in vm) ? vm[k] : "none", syncs[k])
	}
	printf "%s\ttwo-smmus/stage2-reaches-both\t%s\n", ok ? "PASS" : "FAIL", detail
	ok = nva == 2 && va_smmu[1] == 0 && va_smmu[2] == 1 &&
	     va_vmid[1] == vm[0] && va_vmid[2] == vm[1]
	detail = sprintf("%d TLBI_NH_VA reached the SMMUs", nva)
	for (j = 1; j <= nva; j++)
		detail = detail sprintf("; %s through %s with VMID %s", j == 1 ? "first" : "then", va_smmu[j] == 0 ? "A" : "B", va_vmid[j])
	printf "%s\ttwo-smmus/tlbi-on-its-smmu\t%s (vSMMU VMIDs: A %s, B %s)\n", ok ? "PASS" : "FAIL", detail, vm[0], vm[1]
}
' "$guest" "$trace"
