/* Internal: the layout grammar (named machines and explicit ranges). */
#ifndef HW_SOURCE_LAYOUT_H
#define HW_SOURCE_LAYOUT_H

#include "source/source_impl.h"

/*
 * Turn layout text (see haywire/source.h) into validated, sorted ranges for a
 * file of FILE_SIZE bytes. *OUT is malloc'd. Range offsets are file offsets.
 */
int hw_layout_parse(const char *layout, uint64_t file_size, struct hw_range **out,
                    uint64_t *count);

#endif
