/*
 * haywire/haywire.h — umbrella header of libhaywire: look inside QEMU guests.
 *
 * Layers, each depending only on the ones before it:
 *   source  (haywire/source.h)  guest-physical memory: RAM files, dumps, QMP
 */
#ifndef HAYWIRE_HAYWIRE_H
#define HAYWIRE_HAYWIRE_H

#include <haywire/common.h>
#include <haywire/source.h>

#endif /* HAYWIRE_HAYWIRE_H */
