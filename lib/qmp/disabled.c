/* Built when the qmp feature is off (no json-c): qmp: specs are refused clearly. */
#include "source/source_impl.h"

#include "core/error.h"

int hw_qmp_source_open(const char *rest, haywire_source **out)
{
	*out = NULL;
	return hw_fail(HAYWIRE_E_UNSUPPORTED, "qmp:%s: QMP sources are not in this build", rest);
}
