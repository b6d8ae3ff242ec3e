/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmark programs share: the output format that
 * scripts/bench-table.py reads (BENCH <tab> name <tab> value <tab> unit,
 * then one TAP line), failing, and the clock. Each program defines
 * BENCH_NAME before including this.
 */
#ifndef BENCH_H
#define BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what)
{
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, strerror(errno));
	printf("BENCH\tfailed\t-\t%s: %s\n", what, strerror(errno));
	printf("not ok 1 " BENCH_NAME " # %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *name, double value, const char *unit)
{
	printf("BENCH\t%s\t%.1f\t%s\n", name, value, unit);
	fflush(stdout);
}

#endif
