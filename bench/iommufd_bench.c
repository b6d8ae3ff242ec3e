// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd_bench: what the vIOMMU objects cost, through the mock IOMMU
 * (CONFIG_IOMMUFD_TEST), in one guest. make bench runs the same static
 * binary on our kernel and on Linux 7.3, side by side, and compares.
 *
 * Each figure is the median of ROUNDS rounds; a round repeats its
 * operation until it has run for at least the round time. Output, one
 * figure per line:  BENCH <tab> name <tab> value <tab> unit
 * A figure the kernel cannot give prints   BENCH <tab> name <tab> - <tab> why
 * and the run ends with one TAP line, "ok 1 iommufd_bench" or "not ok".
 *
 * Usage: iommufd_bench [-s]   (-s: smoke pass, a few iterations of each)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define __EXPORTED_HEADERS__
#include <linux/iommufd.h>
#include "iommufd_test.h"

#define BENCH_NAME "iommufd_bench"
#include "bench.h"

#define ROUNDS 5

static int fd;
static int smoke;
static double round_s = 0.2;

static void unavailable(const char *name, const char *why)
{
	printf("BENCH\t%s\t-\t%s: %s\n", name, why, strerror(errno));
	fflush(stdout);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median over ROUNDS rounds of the time per operation in ns. fn does
 * one operation and returns how many units (commands, events) it did.
 */
static double time_op(long (*fn)(void *), void *arg)
{
	double t[ROUNDS];
	int r, rounds = smoke ? 1 : ROUNDS;

	for (r = 0; r < rounds; r++) {
		double start = now(), end;
		long units = 0;

		do {
			units += fn(arg);
			end = now();
		} while (!smoke && end - start < round_s);
		t[r] = (end - start) * 1e9 / units;
	}
	qsort(t, rounds, sizeof(t[0]), cmp_double);
	return t[rounds / 2];
}

/* The ioctls, each as the uapi header documents it */

static uint32_t ioas_alloc(void)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &cmd))
		die("IOMMU_IOAS_ALLOC");
	return cmd.out_ioas_id;
}

static void destroy(uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	if (ioctl(fd, IOMMU_DESTROY, &cmd))
		die("IOMMU_DESTROY");
}

struct mock_dev {
	uint32_t stdev_id, hwpt_id, idev_id;
};

static struct mock_dev mock_dev_add(uint32_t ioas_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas_id,
	};

	if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
		die("IOMMU_TEST_OP_MOCK_DOMAIN");
	return (struct mock_dev){ cmd.mock_domain.out_stdev_id,
				  cmd.mock_domain.out_hwpt_id,
				  cmd.mock_domain.out_idev_id };
}

static int mock_dev_replace(uint32_t stdev_id, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int hwpt_alloc(uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		      uint32_t fault_id, uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.fault_id = fault_id,
	};
	int rc;

	if (!(flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
		cmd.data_type = IOMMU_HWPT_DATA_SELFTEST;
		cmd.data_len = sizeof(data);
		cmd.data_uptr = (uintptr_t)&data;
	}
	rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	*out = cmd.out_hwpt_id;
	return rc;
}

static uint32_t viommu_alloc(uint32_t dev_id, uint32_t hwpt_id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
	};

	if (ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd))
		die("IOMMU_VIOMMU_ALLOC");
	return cmd.out_viommu_id;
}

static uint32_t vdevice_alloc(uint32_t viommu_id, uint32_t dev_id,
			      uint64_t virt_id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};

	if (ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd))
		die("IOMMU_VDEVICE_ALLOC");
	return cmd.out_vdevice_id;
}

static uint32_t veventq_alloc(uint32_t viommu_id, uint32_t depth,
			      int *out_fd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = depth,
	};

	if (ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd))
		die("IOMMU_VEVENTQ_ALLOC");
	*out_fd = cmd.out_veventq_fd;
	return cmd.out_veventq_id;
}

static void invalidate(uint32_t viommu_id,
		       struct iommu_viommu_invalidate_selftest *inv, uint32_t n)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = viommu_id,
		.data_uptr = (uintptr_t)inv,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(*inv),
		.entry_num = n,
	};

	if (ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd) || cmd.entry_num != n)
		die("IOMMU_HWPT_INVALIDATE");
}

static int trigger_vevent(uint32_t idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int trigger_iopf(uint32_t idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = idev_id, .pasid = 0x1,
				  .grpid = 0x2, .perm = IOMMU_PGFAULT_PERM_READ,
				  .addr = 0xdeadbeaf },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* What a VM's IOMMU needs: an IOAS, a device, its stage 2, a vIOMMU */
struct vm {
	uint32_t ioas_id, parent_id, viommu_id;
	struct mock_dev dev;
};

static struct vm vm_setup(void)
{
	struct vm vm;

	vm.ioas_id = ioas_alloc();
	vm.dev = mock_dev_add(vm.ioas_id);
	if (hwpt_alloc(vm.dev.idev_id, vm.ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
		       0, &vm.parent_id))
		die("IOMMU_HWPT_ALLOC (nesting parent)");
	vm.viommu_id = viommu_alloc(vm.dev.idev_id, vm.parent_id);
	return vm;
}

static void reopen(void)
{
	if (fd > 0)
		close(fd);
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		die("open /dev/iommu");
}

/* 1. Object costs: one alloc and its destroy */

static struct vm g;

/* A control: one object lookup and a copy out, no object made */
static long op_lookup(void *arg)
{
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = g.ioas_id,
		.num_iovas = 8,
		.allowed_iovas = (uintptr_t)ranges,
	};

	if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd))
		die("IOMMU_IOAS_IOVA_RANGES");
	return 1;
}

static long op_ioas(void *arg)
{
	destroy(ioas_alloc());
	return 1;
}

static long op_viommu(void *arg)
{
	destroy(viommu_alloc(g.dev.idev_id, g.parent_id));
	return 1;
}

static long op_vdevice(void *arg)
{
	destroy(vdevice_alloc(g.viommu_id, g.dev.idev_id, 0x99));
	return 1;
}

static long op_nested(void *arg)
{
	uint32_t id;

	if (hwpt_alloc(g.dev.idev_id, g.viommu_id, 0, 0, &id))
		die("IOMMU_HWPT_ALLOC (nested)");
	destroy(id);
	return 1;
}

static long op_veventq(void *arg)
{
	int qfd;
	uint32_t id = veventq_alloc(g.viommu_id, 64, &qfd);

	close(qfd);
	destroy(id);
	return 1;
}

static void bench_objects(void)
{
	reopen();
	g = vm_setup();
	report("object/lookup", time_op(op_lookup, NULL), "ns");
	report("object/ioas", time_op(op_ioas, NULL), "ns");
	report("object/viommu", time_op(op_viommu, NULL), "ns");
	report("object/vdevice", time_op(op_vdevice, NULL), "ns");
	/* A nested HWPT as a VMM makes one: for a device the VM knows */
	vdevice_alloc(g.viommu_id, g.dev.idev_id, 0x99);
	report("object/nested_hwpt", time_op(op_nested, NULL), "ns");
	report("object/veventq", time_op(op_veventq, NULL), "ns");
}

/* 2. Invalidation: N commands per IOMMU_HWPT_INVALIDATE */

struct inval {
	struct iommu_viommu_invalidate_selftest *cmds;
	uint32_t n;
};

static long op_invalidate(void *arg)
{
	struct inval *iv = arg;

	invalidate(g.viommu_id, iv->cmds, iv->n);
	return iv->n;
}

static void bench_invalidate(void)
{
	static const uint32_t ns[] = { 1, 4, 16, 64, 256, 1024 };
	struct iommu_viommu_invalidate_selftest *cmds;
	char name[64];
	unsigned int i;

	cmds = calloc(1024, sizeof(*cmds));
	if (!cmds)
		die("calloc");
	for (i = 0; i < 1024; i++) {
		cmds[i].vdev_id = 0x99;
		cmds[i].cache_id = i % (MOCK_DEV_CACHE_ID_MAX + 1);
	}
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct inval iv = { cmds, ns[i] };

		snprintf(name, sizeof(name), "invalidate/%u", ns[i]);
		report(name, time_op(op_invalidate, &iv), "ns/command");
	}
	free(cmds);
}

/* 3. Scale: one vIOMMU with K vDEVICEs, the device under test last */

struct scale {
	uint32_t nested_id, other_id, viommu_id, idev_id, stdev_id, vid;
	int qfd;
	struct iommu_viommu_invalidate_selftest inv;
};

static long op_attach(void *arg)
{
	struct scale *s = arg;

	if (mock_dev_replace(s->stdev_id, s->nested_id))
		die("IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE (nested)");
	if (mock_dev_replace(s->stdev_id, s->other_id))
		die("IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE (back)");
	return 1;
}

static long op_scale_inval(void *arg)
{
	struct scale *s = arg;

	invalidate(s->viommu_id, &s->inv, 1);
	return 1;
}

static long op_event(void *arg)
{
	struct scale *s = arg;
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_viommu_event_selftest ev;
	} buf;

	if (trigger_vevent(s->idev_id))
		die("IOMMU_TEST_OP_TRIGGER_VEVENT");
	if (read(s->qfd, &buf, sizeof(buf)) != sizeof(buf) ||
	    buf.ev.virt_id != s->vid)
		die("read of the vEVENTQ");
	return 1;
}

static void bench_scale(void)
{
	static const unsigned int ks[] = { 1, 64, 4096 };
	struct mock_dev dev = {};
	struct scale s = {};
	char name[64];
	unsigned int i, j;

	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		unsigned int k = smoke ? 1 + i : ks[i];

		reopen();
		g = vm_setup();
		s.viommu_id = g.viommu_id;
		/* Device j has virtual ID j + 1: the last is the highest */
		for (j = 0; j < k; j++) {
			dev = j ? mock_dev_add(g.ioas_id) : g.dev;
			vdevice_alloc(g.viommu_id, dev.idev_id, j + 1);
		}
		s.idev_id = dev.idev_id;
		s.stdev_id = dev.stdev_id;
		s.vid = k;
		s.inv.vdev_id = k;
		if (hwpt_alloc(dev.idev_id, g.viommu_id, 0, 0, &s.nested_id))
			die("IOMMU_HWPT_ALLOC (nested)");
		s.other_id = g.parent_id;
		veventq_alloc(g.viommu_id, 64, &s.qfd);

		snprintf(name, sizeof(name), "scale/%u/nested_attach", k);
		report(name, time_op(op_attach, &s) / 2, "ns");
		if (mock_dev_replace(s.stdev_id, s.nested_id))
			die("IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE (nested)");
		snprintf(name, sizeof(name), "scale/%u/invalidate", k);
		report(name, time_op(op_scale_inval, &s), "ns");
		snprintf(name, sizeof(name), "scale/%u/event", k);
		report(name, time_op(op_event, &s), "ns");
		close(s.qfd);
	}
}

/* 4. Events: a vEVENT against an IOPF, and an event no one reads */

static uint32_t ev_idev;
static int ev_fd;

static long op_vevent_rt(void *arg)
{
	struct scale s = { .idev_id = ev_idev, .qfd = ev_fd, .vid = 0x99 };

	return op_event(&s);
}

static long op_iopf_rt(void *arg)
{
	struct iommu_hwpt_pgfault pf;
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};

	if (trigger_iopf(ev_idev))
		die("IOMMU_TEST_OP_TRIGGER_IOPF");
	if (read(ev_fd, &pf, sizeof(pf)) != sizeof(pf))
		die("read of the fault queue");
	resp.cookie = pf.cookie;
	if (write(ev_fd, &resp, sizeof(resp)) != sizeof(resp))
		die("write of the page response");
	return 1;
}

/* Time a batch of n reports alone, without the reads */
static double report_batch(int (*trigger)(uint32_t), uint32_t n)
{
	double start = now();
	uint32_t i;

	for (i = 0; i < n; i++)
		if (trigger(ev_idev))
			die("trigger");
	return (now() - start) * 1e9 / n;
}

static void drain(size_t len)
{
	char *buf = malloc(len);

	if (!buf || read(ev_fd, buf, len) <= 0)
		die("read to drain");
	free(buf);
}

static void bench_events(void)
{
	uint32_t n = smoke ? 4 : 2000, nested_id, fault_id, iopf_id;
	struct iommu_fault_alloc falloc = { .size = sizeof(falloc) };
	double with_room[ROUNDS], full[ROUNDS];
	int r, rounds = smoke ? 1 : ROUNDS;

	reopen();
	g = vm_setup();
	vdevice_alloc(g.viommu_id, g.dev.idev_id, 0x99);
	if (hwpt_alloc(g.dev.idev_id, g.viommu_id, 0, 0, &nested_id))
		die("IOMMU_HWPT_ALLOC (nested)");
	if (mock_dev_replace(g.dev.stdev_id, nested_id))
		die("IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE (nested)");
	ev_idev = g.dev.idev_id;

	/*
	 * A queue of n: n reports fill it, the next n are lost; then it is
	 * read empty. The median of ROUNDS such rounds.
	 */
	veventq_alloc(g.viommu_id, n, &ev_fd);
	report("event/vevent_read", time_op(op_vevent_rt, NULL), "ns/event");
	for (r = 0; r < rounds; r++) {
		with_room[r] = report_batch(trigger_vevent, n);
		full[r] = report_batch(trigger_vevent, n);
		drain((n + 1) * 16);
	}
	qsort(with_room, rounds, sizeof(with_room[0]), cmp_double);
	qsort(full, rounds, sizeof(full[0]), cmp_double);
	report("event/vevent_report", with_room[rounds / 2], "ns/event");
	report("event/vevent_report_lost", full[rounds / 2], "ns/event");
	close(ev_fd);

	if (ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &falloc))
		die("IOMMU_FAULT_QUEUE_ALLOC");
	ev_fd = falloc.out_fault_fd;
	fault_id = falloc.out_fault_id;
	if (hwpt_alloc(g.dev.idev_id, g.parent_id, IOMMU_HWPT_FAULT_ID_VALID,
		       fault_id, &iopf_id) ||
	    mock_dev_replace(g.dev.stdev_id, iopf_id)) {
		unavailable("event/iopf_read", "no IOPF-capable attach");
		unavailable("event/iopf_report", "no IOPF-capable attach");
		return;
	}
	report("event/iopf_read", time_op(op_iopf_rt, NULL), "ns/event");
	report("event/iopf_report", report_batch(trigger_iopf, n), "ns/event");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "-s"))
		smoke = 1;
	bench_objects();
	bench_invalidate();
	bench_scale();
	bench_events();
	close(fd);
	printf("ok 1 iommufd_bench\n");
	return 0;
}
