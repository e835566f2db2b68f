/* Live-source controls: pause/resume, snapshot holds, named properties. */
#include "source/source_impl.h"

#include "core/error.h"

#include <stddef.h>

HAYWIRE_API int haywire_source_pause(haywire_source *src)
{
	if (!src)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_pause: NULL source");
	if (!src->ops->pause)
		return hw_fail(HAYWIRE_E_UNSUPPORTED, "the %s source is not live: nothing to pause",
		               src->ops->kind);
	return src->ops->pause(src);
}

HAYWIRE_API int haywire_source_resume(haywire_source *src)
{
	if (!src)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_resume: NULL source");
	if (!src->ops->resume)
		return hw_fail(HAYWIRE_E_UNSUPPORTED, "the %s source is not live: nothing to resume",
		               src->ops->kind);
	return src->ops->resume(src);
}

HAYWIRE_API const char *haywire_source_property(const haywire_source *src, const char *name)
{
	if (!src || !name || !src->ops->property)
		return NULL;
	return src->ops->property(src, name);
}

int hw_source_hold(const haywire_source *src)
{
	if (!src || !src->ops->hold)
		return HAYWIRE_OK;
	return src->ops->hold(src);
}

void hw_source_release(const haywire_source *src)
{
	if (src && src->ops->release)
		src->ops->release(src);
}
