/*
 * haywire-ps: list a guest's processes from outside it, with no symbols.
 *
 *   haywire-ps [--threads] [--json] [--calibrate] SOURCE
 *
 * --threads lists every thread; --json prints an array of objects with keys
 * pid, tgid, ppid, comm, uid, kernel_thread, task, pgd; --calibrate ignores
 * the kernel's BTF and calibrates struct layouts from the structures.
 */
#include <haywire/haywire.h>

#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void print_json(const haywire_task *t, int first)
{
	printf("%s\n  {\"pid\":%d,\"tgid\":%d,\"ppid\":%d,\"comm\":", first ? "" : ",", t->pid,
	       t->tgid, t->ppid);
	json_string(stdout, t->comm);
	printf(",\"uid\":%u,\"kernel_thread\":%s,\"task\":\"0x%" PRIx64 "\",\"pgd\":", t->uid,
	       t->flags & HAYWIRE_TASK_KERNEL_THREAD ? "true" : "false", t->task);
	if (t->pgd)
		printf("\"0x%" PRIx64 "\"}", t->pgd);
	else
		printf("null}");
}

static void print_row(const haywire_task *t)
{
	char name[HAYWIRE_COMM_LEN + 2];
	snprintf(name, sizeof name, t->flags & HAYWIRE_TASK_KERNEL_THREAD ? "[%s]" : "%s",
	         t->comm);
	printf("%7d %7d %7d %6u  %-18s 0x%016" PRIx64 "  ", t->pid, t->tgid, t->ppid, t->uid, name,
	       t->task);
	if (t->pgd)
		printf("0x%" PRIx64 "\n", t->pgd);
	else
		printf("-\n");
}

int main(int argc, char **argv)
{
	int threads = 0, json = 0;
	haywire_kernel_options opts = {.struct_size = sizeof opts};
	const char *spec = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads"))
			threads = 1;
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--calibrate"))
			opts.flags |= HAYWIRE_KERNEL_CALIBRATE;
		else if (argv[i][0] != '-' && !spec)
			spec = argv[i];
		else
			spec = NULL, i = argc;
	}
	if (!spec) {
		fprintf(stderr, "usage: %s [--threads] [--json] [--calibrate] SOURCE\n", argv[0]);
		return 2;
	}

	haywire_source *src = NULL;
	haywire_kernel *kernel = NULL;
	haywire_procs *procs = NULL;
	int rc = haywire_source_open(spec, &src);
	if (!rc)
		rc = haywire_kernel_open(src, &opts, &kernel);
	if (!rc)
		rc = haywire_procs_snapshot(kernel, threads ? HAYWIRE_PROCS_THREADS : 0, &procs);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[0], haywire_last_error());
	} else {
		haywire_kernel_info info = {.struct_size = sizeof info};
		haywire_kernel_get_info(kernel, &info);
		if (!json)
			printf("# Linux %s, KASLR offset 0x%" PRIx64 ", types from %s, %" PRIu64
			       " %s\n%7s %7s %7s %6s  %-18s %-18s  %s\n",
			       haywire_kernel_release(kernel), info.kaslr_offset,
			       info.types == HAYWIRE_TYPES_BTF ? "BTF" : "calibration",
			       haywire_procs_count(procs), threads ? "tasks" : "processes", "PID",
			       "TGID", "PPID", "UID", "COMM", "TASK", "PGD");
		else
			printf("[");
		for (uint64_t i = 0; i < haywire_procs_count(procs); i++) {
			haywire_task t = {.struct_size = sizeof t};
			haywire_procs_get(procs, i, &t);
			json ? print_json(&t, i == 0) : print_row(&t);
		}
		if (json)
			printf("\n]\n");
	}
	haywire_procs_free(procs);
	haywire_kernel_close(kernel);
	haywire_source_close(src);
	return rc ? 1 : 0;
}
