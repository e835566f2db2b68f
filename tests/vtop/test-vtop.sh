#!/bin/sh
# Smoke test of haywire-vtop on the image make-image writes: text walk, JSON,
# an out-of-RAM PTE, an unmapped VA and the range listing.
set -eu
vtop=$1
make_image=$2
img=$(mktemp "${TMPDIR:-/tmp}/hw-vtop-XXXXXX")
trap 'rm -f "$img"' EXIT
"$make_image" "$img"
src="file:$img,layout=0x100000:4M"
run() { "$vtop" "$src" --arch x86_64 "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

out=$(run --root 0x8000000000100abc 0x7f0000001234) || fail "translate: $out"
echo "$out"
for level in PGD PUD PMD PTE; do
	echo "$out" | grep -q "^$level " || fail "no $level line"
done
echo "$out" | grep -q "VA 0x7f0000001234 -> PA 0x105234  4K page  rw-u" || fail "wrong translation"
echo "$out" | grep -q "^PTE 8000000000105067  table 0x103000\[1\]  page -> 0x105000" ||
	fail "wrong PTE line"

json=$(run --root 0x100000 --json 0x7f0000001234) || fail "json"
echo "$json" | grep -q '"pa": "0x105234"' || fail "json pa: $json"
if command -v python3 >/dev/null; then
	echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["steps"]) == 4' ||
		fail "json does not parse"
fi

out=$(run --root 0x100000 0x7f0000002000) || fail "87 TB PTE should still translate"
echo "$out" | grep -q "NOT RAM" || fail "87 TB PTE not flagged: $out"
echo "$out" | grep -q "not-ram" || fail "87 TB PTE step not flagged"

if out=$(run --root 0x100000 0x7f0000003000); then fail "unmapped VA translated"; fi
echo "$out" | grep -q "not mapped" || fail "unmapped message: $out"

out=$(run --root 0x100000 --ranges)
echo "$out"
echo "$out" | grep -q "^00007f0000001000-00007f0000001fff -> 000000105000     4K rw-u" ||
	fail "user range"
echo "$out" | grep -q "^ffffffff81000000-ffffffff811fffff -> 000000200000     2M rwxkg" ||
	fail "kernel range"
echo "$out" | grep -q "3 ranges, 6 page-table pages, 1 anomalies" || fail "summary"
# arm64, 39-bit VA (PGD PMD PTE), root given as a TTBR0 value with ASID and CnP
out=$("$vtop" "$src" --arch arm64 --va-bits 39 --root 0xabcd000000110001 0x40200abc) ||
	fail "arm64: $out"
echo "$out"
echo "$out" | grep -q "^PGD 0000000000111003  table 0x110000\[1\]  table -> 0x111000" ||
	fail "arm64 PGD line"
echo "$out" | grep -q "^PMD 00400000002004c1  table 0x111000\[1\]  block -> 0x200000" ||
	fail "arm64 PMD line"
echo "$out" | grep -q "VA 0x40200abc -> PA 0x200abc  2M page  r--ug" || fail "arm64 translation"
echo ok
