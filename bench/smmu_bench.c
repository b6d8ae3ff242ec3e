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
 * Output: BENCH <tab> name <tab> value <tab> unit, then one TAP line.
 * Usage: smmu_bench [-s]   (-s: smoke pass, TOTAL 16)
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
	int iommufd, devfd;

	if (argc > 1 && !strcmp(argv[1], "-s"))
		total = 16;

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
	close(iommufd);
	close(devfd);
	printf("ok 1 smmu_bench\n");
	return 0;
}
