#!/bin/sh
# Every dynamic symbol libhaywire defines is haywire_* (plus the version node),
# and its soname is libhaywire.so.1.
set -eu
lib=$1
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v -e '^haywire_' -e '^HAYWIRE_1$' || true)
if [ -n "$bad" ]; then
	echo "symbols exported outside haywire_*:"; echo "$bad"; exit 1
fi
count=$(nm -D --defined-only "$lib" | grep -c ' T haywire_')
[ "$count" -gt 10 ] || { echo "only $count haywire_* functions exported"; exit 1; }
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
[ "$soname" = libhaywire.so.1 ] || { echo "soname is '$soname'"; exit 1; }
nm -D --defined-only --with-symbol-versions "$lib" | grep -q 'haywire_source_open@@HAYWIRE_1' ||
	{ echo "symbols lack the HAYWIRE_1 version node"; exit 1; }
echo "ok: $count functions, soname $soname, version node HAYWIRE_1"
