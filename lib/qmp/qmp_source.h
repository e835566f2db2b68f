/*
 * Internal: the QMP source's state, shared by its three files: source.c
 * (spec, ops, open), discover.c (backends, memory map, vCPUs) and
 * slowread.c (reading RAM through QEMU when it cannot be mapped).
 */
#ifndef HW_QMP_SOURCE_H
#define HW_QMP_SOURCE_H

#include "qmp/client.h"
#include "qmp/hmp_parse.h"
#include "source/source_impl.h"

#include <pthread.h>

/* Caps on what a hostile peer may make us allocate or loop over. */
#define HW_QMP_MAX_BACKENDS 256
#define HW_QMP_MAX_CPUS 4096
/* Fallback chunk sizes: pmemsave writes a file, xp prints ~5 text bytes per byte. */
#define PMEMSAVE_CHUNK (4u << 20)
#define XP_CHUNK 4096u

enum read_mode { READ_AUTO, READ_PMEMSAVE, READ_XP };

struct backend {
	char name[HW_MTREE_NAME_MAX];
	uint64_t size;
	int share;
	char *mem_path; /* memory-backend-file only */
	void *map;      /* mapped file or NULL */
};

struct qmp_source {
	pthread_mutex_t lock; /* one socket: every QMP exchange holds it */
	struct hw_qmp *q;
	enum read_mode fallback; /* READ_PMEMSAVE or READ_XP for unmapped RAM */
	int snapshot;
	int hold_depth, paused_by_hold;
	struct backend *backends;
	uint32_t nbackends;
	char *version;
	char read_path[32];
	char timeout_text[16];
};

/* Copy LEN bytes at PA through QEMU with HOW (lock held), in chunks that each fit a timeout. */
int hw_qmp_read_via_qemu(struct qmp_source *qs, enum read_mode how, uint64_t pa, uint8_t *buf,
                         uint64_t len);
/* Pick pmemsave or xp for unmapped RAM (pmemsave only if QEMU can write our temp files). */
int hw_qmp_choose_fallback(struct qmp_source *qs, enum read_mode mode, uint64_t probe_pa);
/* Every memory backend under /objects with its size, share and mem-path. */
int hw_qmp_find_backends(struct qmp_source *qs);
/* RAM ranges of the flat view tied to backends; mapped when MODE is READ_AUTO and possible. */
int hw_qmp_build_ranges(struct qmp_source *qs, enum read_mode mode, struct hw_range **out,
                        uint64_t *count, int *mapped, int *unmapped);
/* Registers of every vCPU (query-cpus-fast, then "info registers" per vCPU). */
int hw_qmp_read_cpus(struct qmp_source *qs, haywire_cpu_state **out, uint32_t *count);

#endif
