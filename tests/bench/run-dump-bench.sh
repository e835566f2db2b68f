#!/bin/sh
# Benchmark dump sources against the RAM file of the same moment.
# usage: tests/bench/run-dump-bench.sh BUILDDIR [MIB]   (needs qemu-system-x86_64)
set -eu
build=$1
mib=${2:-1024}
here=$(dirname "$0")
dir=$(mktemp -d "${TMPDIR:-/tmp}/hw-bench-XXXXXX")
trap 'rm -rf "$dir"' EXIT
python3 "$here/make_dumps.py" "$dir" "$mib"
ls -l "$dir"
set -- "file:$dir/ram,layout=q35" "dump:$dir/dump.elf" "dump:$dir/dump.lime" \
	"dump:$dir/dump.kdump-plain" "dump:$dir/dump.kdump-zlib"
"$build/tests/bench/dump-bench" "$@"
