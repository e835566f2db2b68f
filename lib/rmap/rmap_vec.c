/* Growable arrays that keep their memory across rebuilds. */
#include "rmap/rmap_impl.h"

#include <stdlib.h>

int hw_vec_reserve(struct hw_vec *v, uint64_t more, uint64_t size)
{
	if (v->n + more <= v->cap)
		return 0;
	uint64_t cap = v->cap ? v->cap : 64;
	while (cap < v->n + more)
		cap *= 2;
	if (cap > UINT64_MAX / size)
		return HAYWIRE_E_NOMEM;
	void *p = realloc(v->p, cap * size);
	if (!p)
		return HAYWIRE_E_NOMEM;
	v->p = p;
	v->cap = cap;
	return 0;
}

void hw_vec_release(struct hw_vec *v)
{
	free(v->p);
	*v = (struct hw_vec){0};
}

void hw_rmap_destroy(haywire_rmap *r)
{
	if (!r)
		return;
	struct hw_vec *all[] = {&r->procs, &r->recs,   &r->user_first, &r->tables, &r->segs,
	                        &r->refs,  &r->sort_a, &r->sort_b,     &r->active, &r->where,
	                        &r->pss_fp, &r->ram};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		hw_vec_release(all[i]);
	free(r);
}
