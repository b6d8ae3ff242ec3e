# iommufd vIOMMU patch series for Linux 6.12: the only entry points.
# Run 'make help'. Everything is built under build/ (ignored by git).

SHELL := /bin/bash
# The shared cache (scripts/cache.sh): IOMMUFD_CACHE, default
# ~/.cache/iommufd-viommu. make check CACHE=off runs the cold path.
CACHE ?= on
export CACHE

# Extra static programs to run in the guest after the edu test, e.g.
#   make run GUEST_PROGS="path/to/my-vmm-test path/to/other"
GUEST_PROGS ?=
export GUEST_PROGS

.PHONY: help setup base tree export kernels tests run run-vmm check checkpatch \
	apply-newest build-each matrix ref bench clean distclean cache-clean

help:
	@echo "make run         build the arm64 kernel, boot the emulated-SMMUv3 guest, narrate a VMM giving its VM a vSMMU"
	@echo "                 (GUEST_PROGS=\"prog ...\" adds your own static programs to the guest)"
	@echo "make run-vmm     QEMU 11.1's accelerated vSMMU: L0 TCG, L1 KVM on our kernel, L2 DMAs with edu"
	@echo "make check       every test: checkpatch, build each patch, x86_64 and arm64 guests"
	@echo "                 (CACHE=off: the cold path: no build output, no shared cache reused)"
	@echo "make setup       install the Debian packages the harness needs (root)"
	@echo "make base        fetch and verify the pinned linux-source-6.12 tarball"
	@echo "make tree        build/linux: base commit tagged 'base' + patches/ applied with git am"
	@echo "make export      write build/linux's commits since 'base' back into patches/"
	@echo "make kernels     build the x86_64 and arm64 test kernels (build/x86_64, build/arm64)"
	@echo "make tests       build the iommu selftests for both architectures"
	@echo "make checkpatch  checkpatch --strict on every patch"
	@echo "make apply-newest  git am the series on the newest linux-source-6.12 Debian 12 offers"
	@echo "make build-each  build every patch of the series on its own (bisectability, W=1, sparse)"
	@echo "make matrix      link arm64 with IOMMUFD=y/m/n and ARM_SMMU_V3=y/m"
	@echo "make bench       what the vIOMMU objects cost, ours beside Linux 7.3 (build/bench.txt, build/bench.png)"
	@echo "make ref         Linux 7.3 as the reference: its selftests on our kernel, ours on 7.3 (and 7.3 + upstream/)"
	@echo "make clean       remove build output but keep the tree and caches"
	@echo "make distclean   remove build/ entirely"
	@echo "make cache-clean empty the shared cache (IOMMUFD_CACHE, default ~/.cache/iommufd-viommu)"

setup:
	@scripts/setup.sh

base: setup
	@scripts/fetch-base.sh >/dev/null

tree: setup
	@scripts/make-tree.sh

export:
	@scripts/export.sh

kernels: tree
	@scripts/build-kernel.sh x86_64
	@scripts/build-kernel.sh arm64

tests: kernels
	@scripts/build-tests.sh x86_64
	@scripts/build-tests.sh arm64

checkpatch: tree
	@mkdir -p build/logs && scripts/checkpatch.sh

apply-newest: setup
	@scripts/apply-newest.sh

build-each: tree
	@mkdir -p build/logs && scripts/build-each.sh

matrix: tree
	@scripts/build-matrix.sh

# The cross runs against Linux 7.3 (scripts/ref.sh): prints what did not
# simply pass (known differences included); all results in build/logs/ref.txt.
ref: tree
	@mkdir -p build/logs && set -o pipefail && scripts/ref.sh | tee build/logs/ref.txt | \
		awk -F'\t' '$$1 != "PASS" || $$3 != "" { print $$1 " " $$2 (($$3 != "") ? ": " $$3 : "") }'
	@awk -F'\t' '{ n[$$1]++ } END { printf "%d passed, %d failed, %d skipped\n", n["PASS"], n["FAIL"], n["SKIP"] }' build/logs/ref.txt
	@! grep -q '^FAIL' build/logs/ref.txt

bench: tree
	@scripts/bench.sh

run: tree
	@scripts/run.sh

run-vmm: tree
	@VERBOSE=$(VERBOSE) NARRATE=1 scripts/run-vmm.sh

check:
	@scripts/check.sh

clean:
	rm -rf build/x86_64 build/arm64 build/each-* build/matrix-* build/tests-* build/logs build/*.cpio.gz

distclean:
	rm -rf build

cache-clean:
	@. scripts/cache.sh && echo "removing $$IOMMUFD_CACHE" && rm -rf "$$IOMMUFD_CACHE"
