/* Internal: a set of 64-bit values (guest addresses), for cycle detection. */
#ifndef HW_CORE_U64SET_H
#define HW_CORE_U64SET_H

#include <stdint.h>

struct hw_u64set {
	uint64_t *slots; /* 0 marks an empty slot; the value 0 is tracked apart */
	uint64_t cap;    /* power of two */
	uint64_t count;
	int has_zero;
};

/* Insert V. Returns 1 if it was new, 0 if already present, -1 out of memory. */
int hw_u64set_add(struct hw_u64set *s, uint64_t v);
int hw_u64set_has(const struct hw_u64set *s, uint64_t v);
void hw_u64set_free(struct hw_u64set *s);

#endif
