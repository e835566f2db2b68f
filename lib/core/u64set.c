/* Open-addressing hash set of uint64_t; grows at half load. */
#include "core/u64set.h"

#include <stdlib.h>

static uint64_t mix(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	return v;
}

static int insert(uint64_t *slots, uint64_t cap, uint64_t v)
{
	for (uint64_t i = mix(v) & (cap - 1);; i = (i + 1) & (cap - 1)) {
		if (slots[i] == v)
			return 0;
		if (!slots[i]) {
			slots[i] = v;
			return 1;
		}
	}
}

static int grow(struct hw_u64set *s)
{
	uint64_t cap = s->cap ? s->cap * 2 : 64;
	uint64_t *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	for (uint64_t i = 0; i < s->cap; i++)
		if (s->slots[i])
			insert(slots, cap, s->slots[i]);
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int hw_u64set_add(struct hw_u64set *s, uint64_t v)
{
	if (v == 0) {
		int was = s->has_zero;
		s->has_zero = 1;
		return !was;
	}
	if ((s->count + 1) * 2 > s->cap && grow(s))
		return -1;
	int added = insert(s->slots, s->cap, v);
	s->count += (uint64_t)added;
	return added;
}

int hw_u64set_has(const struct hw_u64set *s, uint64_t v)
{
	if (v == 0)
		return s->has_zero;
	if (!s->cap)
		return 0;
	for (uint64_t i = mix(v) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == v)
			return 1;
		if (!s->slots[i])
			return 0;
	}
}

void hw_u64set_free(struct hw_u64set *s)
{
	free(s->slots);
	*s = (struct hw_u64set){0};
}
