/* Runtime version, so callers can detect header/library skew. */
#include <haywire/common.h>

#define HW_STR2(x) #x
#define HW_STR(x) HW_STR2(x)

HAYWIRE_API uint32_t haywire_version(void)
{
	return HAYWIRE_VERSION;
}

HAYWIRE_API const char *haywire_version_string(void)
{
	return HW_STR(HAYWIRE_VERSION_MAJOR) "." HW_STR(HAYWIRE_VERSION_MINOR) "." HW_STR(
	    HAYWIRE_VERSION_PATCH);
}
