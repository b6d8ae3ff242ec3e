#!/bin/bash
# make run: boot the arm64 guest (QEMU virt, emulated SMMUv3, edu device)
# and narrate what a VMM does to give its VM a virtual SMMU, with real DMA
# through the VM's stage-1 page table nested on the VMM's stage 2.
# The full log is build/logs/run.log. Extra static programs: GUEST_PROGS.
set -euo pipefail

edu=build/tests-arm64/iommufd_edu
# The story: the first test with the VMM's setup, then the others
first=vsmmu.remap_needs_invalidation
rest=(vsmmu.cd_change_needs_cfgi_by_vsid vsmmu.fault_stage1 vsmmu.abort_and_bypass
      vsmmu.stage2_remap vsmmu_opt_in.opt_in vsmmu.teardown_unbind_with_vdevice)
ntests=$((1 + ${#rest[@]}))
scripts/build-kernel.sh arm64
scripts/build-tests.sh arm64
# shellcheck disable=SC2086
scripts/initramfs.sh arm64 build/run.cpio.gz "$edu -r $first" \
	"$edu$(printf ' -r %s' "${rest[@]}")" ${GUEST_PROGS:-}

cat <<'INTRO'
=== A VMM gives its VM a virtual SMMU (vSMMU) backed by the host's SMMUv3.
    The VM owns the stage-1 half: its STE, context descriptor and page
    tables live in its own memory; the host keeps stage 2 and the VMID.
    Below, the VMM's calls ("VMM:"), what the VM writes ("VM:"), and what
    the edu device's DMA does; when the device faults on the VM's stage 1,
    the VMM reads the record from the vSMMU's vEVENTQ for the VM's event
    queue. Guest: QEMU virt, emulated SMMUv3, edu,
    kernel command line arm_smmu_v3.vsmmu_assume_coherent=1 (QEMU's SMMU
    is coherent but has no S2FWB; without the opt-in the vSMMU is refused).
INTRO
# Setup steps (the VMM building the VM's vSMMU) are shown for the first test
# only; the other tests repeat them.
rm -f build/logs/run.log
set +e
VERBOSE=1 scripts/run-guest.sh arm64 run build/run.cpio.gz | awk '
	/arm-smmu-v3.*(features|vsmmu_assume_coherent)/ && !warned { sub(/^.*\] /, ""); print "kernel: " $0; warned = /vsmmu_assume/; next }
	/^# setup: / { if (!shown) { sub(/^# setup: /, "  "); print }; next }
	/^# step: / { sub(/^# step: /, "  "); print; next }
	/^#  RUN / { print ""; print "--- " $3 ((!shown) ? " (first, what the VMM sets up)" : ""); next }
	/^(not )?ok [0-9]/ { print $0; shown = 1; next }
	/^# (PASSED|FAILED|Totals)/ { print; next }
'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || { echo "run: the guest did not finish (see build/logs/run.log)" >&2; exit 1; }
# Every one of the tests must have passed: a SKIP is not a story.
scripts/guest-results.py build/logs/run.log --tag run |
	awk -F'\t' -v n="$ntests" '{ print $1, $2, $3 } $1 == "PASS" && $2 ~ /vsmmu/ { ok++ } $1 != "PASS" { bad = 1 }
		END { if (ok != n) { print "run: " ok + 0 " of the " n " vSMMU tests passed"; bad = 1 }; exit bad }'
