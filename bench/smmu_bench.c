// SPDX-License-Identifier: GPL-2.0-only
/*
 * smmu_bench: what a VM's TLB invalidation costs through a vSMMU, on
 * QEMU's emulated SMMUv3 (arm64 guest, edu bound to vfio-pci, the vSMMU
 * opt-in set). A VMM forwards the guest's commands with
 * IOMMU_HWPT_INVALIDATE, either one command per call (QEMU 11.1, Cloud
 * Hypervisor) or one call per guest CMD_SYNC (OpenVMM): here N commands per
 * call for N = 1 .. 1024, TOTAL commands in each phase.
 *
 * Each phase p invalidates its own addresses (VA (p + 1) << 28 onwards,
 * ASID 1), so that scripts/bench-table.py can count in QEMU's trace what
 * reached the SMMU in that phase: commands and CMD_SYNCs.
 *
 * Then DMA: edu reads 4 KiB pages of "VM memory" through a stage-2-only
 * STE (the nesting parent HWPT) and through a nested STE (the VM's stage 1
 * on it), each cold (every DMA a page the SMMU's TLB has not seen) and warm
 * (the same page again). The timed DMAs of a phase are framed by two
 * TLBI_NH_VA of ASID 7, at VA (phase + 1) << 12 and (phase + 17) << 12:
 * markers for the trace's TLB lookups and page-table walks. QEMU's edu starts a transfer 100 ms of virtual time
 * after its command, so its rate says little about translation; the trace
 * says what the emulated SMMU did for each DMA. Each phase's translation is
 * proved by reading the device's buffer back through the same STE.
 *
 * Output: BENCH <tab> name <tab> value <tab> unit, then one TAP line.
 * Usage: smmu_bench [-s]   (-s: smoke pass, TOTAL 16, 2 DMAs a phase)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#define BENCH_NAME "smmu_bench"
#include "bench.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define CMD_TLBI_NH_VA 0x12
#define CMD_ASID(a) ((uint64_t)(a) << 48)
#define CMD_LEAF 1ULL

static const uint32_t ns[] = { 1, 4, 16, 64, 256, 1024 };

/* edu's DMA engine (BAR0) */
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_BUF_ADDR 0x40000
#define PAGE 4096ULL

/*
 * The VM's memory, at IPA GUEST_IPA in the IOAS (below edu's 28-bit DMA
 * mask): page 0 the context descriptor, 1-3 the stage-1 tables (4K
 * granule, 39-bit VA, walk from level 1), then the pages DMA reads and the
 * ones each phase's check writes. The VM's stage 1 maps IOVA S1_IOVA(n) to
 * guest page n.
 */
#define GUEST_IPA 0x4000000ULL
#define GUEST_PAGES 64
#define GPAGE(n) (GUEST_IPA + (n) * PAGE)
#define S1_IOVA(n) (0x1000000ULL + (n) * PAGE)
#define G_CD 0
#define G_TABLES 1
#define G_CHECK 4	/* + phase: where each phase's check lands */
#define G_DATA 8	/* + 10 * phase: the pages each phase reads */
#define DMA_MAX 8	/* DMAs timed in each phase */
#define ASID_DMA 1
#define ASID_MARK 7

/* SMMUv3 architecture values: the VM's STE, CD and stage-1 descriptors */
#define STE0_V (1ULL << 0)
#define STE0_CFG_S1 (5ULL << 1)
#define STE1_S1CIR_WBRA (1ULL << 2)
#define STE1_S1COR_WBRA (1ULL << 4)
#define STE1_S1CSH_ISH (3ULL << 6)
#define CD0_T0SZ(t) ((uint64_t)(t))
#define CD0_IRGN0_WBWA (1ULL << 8)
#define CD0_ORGN0_WBWA (1ULL << 10)
#define CD0_SH0_ISH (3ULL << 12)
#define CD0_EPD1 (1ULL << 30)
#define CD0_V (1ULL << 31)
#define CD0_IPS_40 (2ULL << 32)
#define CD0_AA64 (1ULL << 41)
#define CD0_R (1ULL << 45)
#define CD0_A (1ULL << 46)
#define CD0_ASET (1ULL << 47)
#define CD0_ASID(a) ((uint64_t)(a) << 48)
#define PTE_TABLE 0x3ULL
/* L3 page: valid, AttrIndx 0 (MAIR 0xff), EL0 RW, inner shareable, AF, nG */
#define PTE_PAGE (0x3ULL | 1ULL << 6 | 3ULL << 8 | 1ULL << 10 | 1ULL << 11)
#define MAIR_WB 0xffULL

static const char * const dma_phase[] = {
	"s2/cold", "s2/warm", "nested/cold", "nested/warm",
};

struct vm {
	int iommufd;
	int devfd;
	uint32_t viommu_id;
	off_t bar0;
	uint8_t *mem;
};

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val));
	close(fd);
	return ret < 0 ? -1 : 0;
}

static unsigned long read_hex(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32] = {};
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoul(buf, NULL, 16) : 0;
}

/* The first edu on the root bus, bound to vfio-pci: its VFIO cdev */
static int edu_open(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], bdf[NAME_MAX + 1] = {};
	char name[NAME_MAX + 1] = {};
	struct dirent *de;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		die("opendir /sys/bus/pci/devices");
	while ((de = readdir(d)) && !bdf[0]) {
		if (strlen(de->d_name) < 8 || strncmp(de->d_name + 5, "00:", 3))
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", de->d_name);
		if (read_hex(dir, "vendor") == EDU_VENDOR &&
		    read_hex(dir, "device") == EDU_DEVICE)
			snprintf(bdf, sizeof(bdf), "%s", de->d_name);
	}
	closedir(d);
	if (!bdf[0]) {
		errno = ENODEV;
		die("no edu device on the root bus");
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	if (write_str(path, "vfio-pci"))
		die("driver_override");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
	write_str(path, bdf);
	if (write_str("/sys/bus/pci/drivers_probe", bdf))
		die("drivers_probe");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		die("no vfio-dev: is VFIO_DEVICE_CDEV set?");
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%s", de->d_name);
	closedir(d);
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	return open(path, O_RDWR);
}

static void invalidate(int iommufd, uint32_t viommu_id,
		       struct iommu_viommu_arm_smmuv3_invalidate *cmds,
		       uint32_t n)
{
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv),
		.hwpt_id = viommu_id,
		.data_uptr = (uintptr_t)cmds,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		.entry_len = sizeof(*cmds),
		.entry_num = n,
	};

	if (ioctl(iommufd, IOMMU_HWPT_INVALIDATE, &inv) || inv.entry_num != n)
		die("IOMMU_HWPT_INVALIDATE");
}

static uint64_t *gptr(struct vm *vm, uint64_t ipa)
{
	return (uint64_t *)(vm->mem + (ipa - GUEST_IPA));
}

static void edu_write(struct vm *vm, unsigned int reg, uint64_t val)
{
	if (pwrite(vm->devfd, &val, 8, vm->bar0 + reg) != 8)
		die("edu register write");
}

/* One 4 KiB edu DMA, waited for: RAM to the device, or back */
static void edu_dma(struct vm *vm, uint64_t src, uint64_t dst, int to_ram)
{
	struct timespec ts = { .tv_nsec = 1000 * 1000 };
	uint64_t cmd;
	int i;

	edu_write(vm, EDU_DMA_SRC, src);
	edu_write(vm, EDU_DMA_DST, dst);
	edu_write(vm, EDU_DMA_CNT, PAGE);
	edu_write(vm, EDU_DMA_CMD, EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	for (i = 0; i < 5000; i++) {
		if (pread(vm->devfd, &cmd, 8, vm->bar0 + EDU_DMA_CMD) != 8)
			die("edu register read");
		if (!(cmd & EDU_DMA_START))
			return;
		nanosleep(&ts, NULL);
	}
	errno = ETIMEDOUT;
	die("edu DMA never completed");
}

static void attach(struct vm *vm, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = pt_id,
	};

	if (ioctl(vm->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd))
		die("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
}

/* The VM's stage 1: one CD, IOVA S1_IOVA(n) -> guest page n */
static void s1_build(struct vm *vm)
{
	uint64_t l1 = GPAGE(G_TABLES), l2 = GPAGE(G_TABLES + 1),
		 l3 = GPAGE(G_TABLES + 2), *cd = gptr(vm, GPAGE(G_CD));
	int n;

	cd[0] = CD0_T0SZ(25) | CD0_IRGN0_WBWA | CD0_ORGN0_WBWA | CD0_SH0_ISH |
		CD0_EPD1 | CD0_V | CD0_IPS_40 | CD0_AA64 | CD0_R | CD0_A |
		CD0_ASET | CD0_ASID(ASID_DMA);
	cd[1] = l1;
	cd[3] = MAIR_WB;
	gptr(vm, l1)[(S1_IOVA(0) >> 30) & 511] = l2 | PTE_TABLE;
	gptr(vm, l2)[(S1_IOVA(0) >> 21) & 511] = l3 | PTE_TABLE;
	for (n = 0; n < GUEST_PAGES; n++)
		gptr(vm, l3)[(S1_IOVA(n) >> 12) & 511] = GPAGE(n) | PTE_PAGE;
	__sync_synchronize();
}

/* Where the device finds guest page @n: its IPA, or its IOVA in stage 1 */
static uint64_t dma_addr(int nested, int n)
{
	return nested ? S1_IOVA(n) : GPAGE(n);
}

/*
 * One DMA phase: @k DMAs from guest pages (each a new one when @cold, else
 * one page, read once before), timed; then the device's buffer, which holds
 * the last page read, is written back through the same STE and compared.
 */
static void dma_phase_run(struct vm *vm, int phase, int k, int cold)
{
	struct iommu_viommu_arm_smmuv3_invalidate mark[2] = {
		{ .cmd = { CMD_TLBI_NH_VA | CMD_ASID(ASID_MARK),
			   ((uint64_t)(phase + 1) << 12) | CMD_LEAF } },
		{ .cmd = { CMD_TLBI_NH_VA | CMD_ASID(ASID_MARK),
			   ((uint64_t)(phase + 17) << 12) | CMD_LEAF } },
	};
	int nested = phase >= 2, data = G_DATA + 10 * phase, i, pg = data;
	uint64_t check = G_CHECK + phase;
	char name[64];
	double start;

	for (i = 0; i < DMA_MAX; i++)
		memset(vm->mem + (data + i) * PAGE, 0x11 * (phase + 1) + i, PAGE);
	memset(vm->mem + check * PAGE, 0, PAGE);
	__sync_synchronize();
	if (!cold)
		edu_dma(vm, dma_addr(nested, data), EDU_BUF_ADDR, 0);
	invalidate(vm->iommufd, vm->viommu_id, &mark[0], 1);
	start = now();
	for (i = 0; i < k; i++) {
		pg = cold ? data + i : data;
		edu_dma(vm, dma_addr(nested, pg), EDU_BUF_ADDR, 0);
	}
	invalidate(vm->iommufd, vm->viommu_id, &mark[1], 1);
	snprintf(name, sizeof(name), "smmu/dma/%s", dma_phase[phase]);
	report(name, (now() - start) * 1e6 / k, "us/DMA of 4 KiB");
	printf("BENCH\t%s/sent\t%d\tDMAs between marker VAs 0x%x and 0x%x\n",
	       name, k, (phase + 1) << 12, (phase + 17) << 12);
	edu_dma(vm, EDU_BUF_ADDR, dma_addr(nested, check), 1);
	if (memcmp(vm->mem + check * PAGE, vm->mem + pg * PAGE, PAGE)) {
		errno = EIO;
		die("the DMA did not go where the STE says");
	}
}

/*
 * The VM's memory in the IOAS, a vDEVICE and a nested HWPT for the VM's
 * STE, then the four DMA phases: stage 2 alone, then nested.
 */
static void dma_bench(struct vm *vm, uint32_t dev_id, uint32_t ioas_id,
		      uint32_t s2_id, int k)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.length = GUEST_PAGES * PAGE,
		.iova = GUEST_IPA,
	};
	struct iommu_vdevice_alloc vdev = {
		.size = sizeof(vdev),
		.viommu_id = vm->viommu_id,
		.dev_id = dev_id,
		.virt_id = 1,
	};
	struct iommu_hwpt_arm_smmuv3 ste = {
		.ste = { STE0_V | STE0_CFG_S1 | GPAGE(G_CD),
			 STE1_S1CIR_WBRA | STE1_S1COR_WBRA | STE1_S1CSH_ISH },
	};
	struct iommu_hwpt_alloc nested = {
		.size = sizeof(nested),
		.dev_id = dev_id,
		.pt_id = vm->viommu_id,
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
		.data_len = sizeof(ste),
		.data_uptr = (uintptr_t)&ste,
	};
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	uint16_t pcicmd;
	int phase;

	vm->mem = mmap(NULL, GUEST_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap the VM's memory");
	memset(vm->mem, 0, GUEST_PAGES * PAGE);
	map.user_va = (uintptr_t)vm->mem;
	if (ioctl(vm->iommufd, IOMMU_IOAS_MAP, &map))
		die("IOMMU_IOAS_MAP");
	s1_build(vm);
	if (ioctl(vm->iommufd, IOMMU_VDEVICE_ALLOC, &vdev))
		die("IOMMU_VDEVICE_ALLOC");
	if (ioctl(vm->iommufd, IOMMU_HWPT_ALLOC, &nested))
		die("IOMMU_HWPT_ALLOC (nested)");

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(vm->devfd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		die("BAR0 region");
	vm->bar0 = reg.offset;
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(vm->devfd, VFIO_DEVICE_GET_REGION_INFO, &reg) ||
	    pread(vm->devfd, &pcicmd, 2, reg.offset + 4) != 2)
		die("PCI config region");
	pcicmd |= 0x4;	/* bus master */
	if (pwrite(vm->devfd, &pcicmd, 2, reg.offset + 4) != 2)
		die("PCI bus master");

	for (phase = 0; phase < 4; phase++) {
		if (phase == 0)
			attach(vm, s2_id);
		if (phase == 2)
			attach(vm, nested.out_hwpt_id);
		dma_phase_run(vm, phase, k, !(phase & 1));
	}
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hwpt_alloc s2 = {
		.size = sizeof(s2),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_viommu_alloc viommu = {
		.size = sizeof(viommu),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
	};
	struct iommu_viommu_arm_smmuv3_invalidate *cmds;
	uint32_t total = 2048, p, i, done;
	int iommufd, devfd, k = DMA_MAX;
	struct vm vm;

	if (argc > 1 && !strcmp(argv[1], "-s")) {
		total = 16;
		k = 2;
	}

	devfd = edu_open();
	if (devfd < 0)
		die("open the edu VFIO cdev");
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("open /dev/iommu");
	bind.iommufd = iommufd;
	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		die("VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		die("IOMMU_IOAS_ALLOC");
	s2.dev_id = bind.out_devid;
	s2.pt_id = ioas.out_ioas_id;
	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &s2))
		die("IOMMU_HWPT_ALLOC (nesting parent)");
	viommu.dev_id = bind.out_devid;
	viommu.hwpt_id = s2.out_hwpt_id;
	if (ioctl(iommufd, IOMMU_VIOMMU_ALLOC, &viommu))
		die("IOMMU_VIOMMU_ALLOC (is the vSMMU opt-in set?)");

	cmds = calloc(total, sizeof(*cmds));
	if (!cmds)
		die("calloc");
	for (p = 0; p < sizeof(ns) / sizeof(ns[0]); p++) {
		uint32_t n = ns[p] < total ? ns[p] : total;
		char name[64];
		double start;

		/* What the VM wrote: VMID 0, its ASID, one page each */
		for (i = 0; i < total; i++) {
			cmds[i].cmd[0] = CMD_TLBI_NH_VA | CMD_ASID(1);
			cmds[i].cmd[1] = (((uint64_t)(p + 1) << 28) + i * 4096ULL) |
					 CMD_LEAF;
		}
		start = now();
		for (done = 0; done < total; done += n)
			invalidate(iommufd, viommu.out_viommu_id, &cmds[done], n);
		snprintf(name, sizeof(name), "smmu/invalidate/%u", ns[p]);
		report(name, (now() - start) * 1e9 / total, "ns/command");
		/* For the trace: this phase's commands, calls and VA base */
		printf("BENCH\t%s/sent\t%u\tcommands in %u calls, VA 0x%llx\n",
		       name, total, total / n, (unsigned long long)(p + 1) << 28);
		fflush(stdout);
	}
	/* The end marker: what teardown sends is counted with it */
	cmds[0].cmd[1] = ((uint64_t)(p + 1) << 28) | CMD_LEAF;
	invalidate(iommufd, viommu.out_viommu_id, cmds, 1);
	free(cmds);

	vm.iommufd = iommufd;
	vm.devfd = devfd;
	vm.viommu_id = viommu.out_viommu_id;
	dma_bench(&vm, bind.out_devid, ioas.out_ioas_id, s2.out_hwpt_id, k);
	close(iommufd);
	close(devfd);
	printf("ok 1 smmu_bench\n");
	return 0;
}
