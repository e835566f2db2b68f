#!/bin/sh
# Install libhaywire into a scratch root, build the haywire-mem example against
# it with nothing but pkg-config, and run it on a synthetic RAM file.
set -eu
build=$1 example=$2 cc=$3 sanitize=$4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
meson install -C "$build" --destdir "$root" --no-rebuild --quiet >/dev/null
pc=$(find "$root" -name haywire.pc | head -n1)
[ -n "$pc" ] || { echo "haywire.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
extra=""
[ "$sanitize" = none ] || extra="-fsanitize=$sanitize"
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Werror $extra "$example" -o "$root/haywire-mem" $(pkg-config --cflags --libs haywire)
libdir=$(dirname "$(find "$root" -name 'libhaywire.so.1' | head -n1)")
# 1 MiB of RAM file holding "HAYWIRE!" at file offset 0x1000, read at PA 0x40001000
head -c 1048576 /dev/zero > "$root/ram"
printf 'HAYWIRE!' | dd of="$root/ram" bs=1 seek=4096 conv=notrunc status=none
out=$(LD_LIBRARY_PATH=$libdir "$root/haywire-mem" "file:$root/ram,layout=virt" 0x40001000 16)
echo "$out"
echo "$out" | grep -q '0x0000000040000000-0x00000000400fffff' || { echo "range missing"; exit 1; }
echo "$out" | grep -q '|HAYWIRE!........|' || { echo "bytes missing"; exit 1; }
