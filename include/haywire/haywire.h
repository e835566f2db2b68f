/*
 * haywire/haywire.h — umbrella header of libhaywire: look inside QEMU guests.
 *
 * Layers, each depending only on the ones before it:
 *   source  (haywire/source.h)  guest-physical memory: RAM files, dumps, QMP
 *   mmu     (haywire/aspace.h)  address spaces: page-table walks, mapped ranges
 *   kernel  (haywire/kernel.h)  the guest Linux kernel: VMCOREINFO, symbols, types
 *   procs   (haywire/procs.h)   processes and threads
 *   rmap    (haywire/rmap.h)    reverse page map: owners of every frame, RSS/PSS/USS
 */
#ifndef HAYWIRE_HAYWIRE_H
#define HAYWIRE_HAYWIRE_H

#include <haywire/common.h>
#include <haywire/source.h>
#include <haywire/aspace.h>
#include <haywire/kernel.h>
#include <haywire/procs.h>
#include <haywire/rmap.h>

#endif /* HAYWIRE_HAYWIRE_H */
