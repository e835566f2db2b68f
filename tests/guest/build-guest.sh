#!/bin/sh
# build-guest.sh ARCH -- build (or reuse) a test guest for ARCH (x86_64 | aarch64).
#
# The guest is Debian's own kernel plus a small initramfs: static busybox, the
# kernel modules the harness needs, the workload (guest/workload.c) and the
# ground-truth program (guest/truth.c). Everything comes from Debian packages
# (apt-get download, no root needed once `scripts/install-deps` has run).
#
# Result: a directory ${HAYWIRE_CACHE:-$HOME/.cache/haywire}/guest/ARCH-KVER-HASH
# holding vmlinuz, config, initramfs.cpio.gz and guest.env; its path is the last line
# printed on stdout. The key covers the package versions and this directory's
# sources, so a second run only checks versions and returns.
set -eu

arch=${1:-}
here=$(cd "$(dirname "$0")" && pwd)
cache=${HAYWIRE_CACHE:-${HOME:-/tmp}/.cache/haywire}/guest

fail() {
	echo "build-guest: $*" >&2
	exit 1
}

case "$arch" in
x86_64)
	debarch=amd64 flavour=amd64 cc=gcc
	# the truth goes to the second 8250 UART: no module needed for it
	modules="drivers/firmware/qemu_fw_cfg"
	;;
aarch64)
	debarch=arm64 flavour=arm64 cc=aarch64-linux-gnu-gcc
	# virt has one PL011: the truth goes to a virtio console on virtio-mmio
	modules="drivers/virtio/virtio_mmio drivers/char/virtio_console drivers/firmware/qemu_fw_cfg"
	;;
*) fail "usage: build-guest.sh x86_64|aarch64" ;;
esac
command -v "$cc" >/dev/null || fail "$cc not found (run scripts/install-deps)"

if [ "$debarch" != "$(dpkg --print-architecture)" ] &&
	! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
	fail "dpkg architecture $debarch not enabled (run scripts/install-deps)"
fi

# The concrete kernel package the meta-package points to, with its exact
# version, and busybox's version: one apt-cache call (each costs ~1 s).
info=$(apt-cache show --no-all-versions "linux-image-$flavour:$debarch" "busybox-static:$debarch" 2>/dev/null) ||
	fail "apt-cache knows no linux-image-$flavour:$debarch or busybox-static:$debarch (run scripts/install-deps)"
dep=$(echo "$info" | sed -n 's/^Depends: \(linux-image-[0-9][^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -n1)
kpkg=${dep% *} kver=${dep#* }
bbver=$(echo "$info" | awk '/^Package: busybox-static$/ { p = 1 } p && /^Version: / { print $2; exit }')
[ -n "$dep" ] && [ -n "$bbver" ] || fail "cannot resolve the kernel behind linux-image-$flavour:$debarch"
krelease=${kpkg#linux-image-}

srchash=$(cat "$here/build-guest.sh" "$here/mkcpio.py" "$here"/guest/* | sha256sum | cut -c1-12)
cc_version=$("$cc" -dumpfullversion 2>/dev/null || "$cc" -dumpversion)
key=$(printf '%s %s %s %s' "$kver" "$bbver" "$cc_version" "$srchash" | sha256sum | cut -c1-12)
out=$cache/$arch-$krelease-$key
if [ -f "$out/guest.env" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache/debs"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# apt-get download names files PKG_VER_ARCH.deb (':' escaped as %3a).
fetch() { # PKG VERSION
	pattern="$cache/debs/$1_$(echo "$2" | sed 's/:/%3a/')_$debarch.deb"
	if [ ! -f "$pattern" ]; then
		# download beside, then rename: concurrent builds never see half a file
		mkdir -p "$work/dl"
		(cd "$work/dl" && apt-get download -q "$1:$debarch=$2" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) ||
			true
		[ -f "$work/dl/$(basename "$pattern")" ] || fail "apt-get download $1:$debarch=$2 failed"
		mv "$work/dl/$(basename "$pattern")" "$pattern"
	fi
	echo "$pattern"
}
kdeb=$(fetch "$kpkg" "$kver")
bbdeb=$(fetch busybox-static "$bbver")

echo "build-guest: unpacking $kpkg $kver and busybox-static $bbver ($debarch)" >&2
# Only the kernel image and our modules: writing all ~4000 modules would take seconds.
mkdir -p "$work/kernel"
patterns="./boot/vmlinuz-$krelease ./boot/config-$krelease"
for m in $modules; do patterns="$patterns ./lib/modules/$krelease/kernel/$m.ko*"; done
# shellcheck disable=SC2086
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$work/kernel" --wildcards $patterns ||
	fail "cannot unpack $kdeb"
dpkg-deb -x "$bbdeb" "$work/busybox"

root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/modules"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"

# Modules: Debian 12 ships plain .ko; decompress if a later one ships .ko.xz.
# Check each module's own dependency list so a missing one fails here, not in the guest.
moddir=$work/kernel/lib/modules/$krelease/kernel
load=""
for m in $modules; do
	name=$(basename "$m")
	if [ -f "$moddir/$m.ko" ]; then
		cp "$moddir/$m.ko" "$root/modules/$name.ko"
	elif [ -f "$moddir/$m.ko.xz" ]; then
		xz -dc "$moddir/$m.ko.xz" >"$root/modules/$name.ko"
	else
		fail "module $m not in $kpkg"
	fi
	deps=$(tr '\0' '\n' <"$root/modules/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' ')
	for d in $deps; do
		case " $load " in *" $d "*) ;; *) fail "module $name needs $d, which is not loaded before it" ;; esac
	done
	load="$load $name"
done

echo "build-guest: compiling workload and truth with $cc" >&2
"$cc" -static -O2 -pthread -o "$root/bin/hw-workload" "$here/guest/workload.c" ||
	fail "cannot compile guest/workload.c"
"$cc" -static -O2 -o "$root/bin/hw-truth" "$here/guest/truth.c" ||
	fail "cannot compile guest/truth.c"

if [ "$arch" = x86_64 ]; then truth_dev=/dev/ttyS1; else truth_dev=/dev/hvc0; fi
sed -e "s|@MODULES@|$load|" -e "s|@TRUTH_DEV@|$truth_dev|" "$here/guest/init.in" >"$root/init"
chmod 755 "$root/init"

python3 "$here/mkcpio.py" "$root" "$work/initramfs.cpio.gz"
cp "$work/kernel/boot/vmlinuz-$krelease" "$work/vmlinuz"
# the kernel's config, for tests that depend on it (Debian's System.map is a stub: not copied)
cp "$work/kernel/boot/config-$krelease" "$work/config"
cat >"$work/guest.env" <<EOF
GUEST_ARCH=$arch
GUEST_KERNEL_PACKAGE=$kpkg
GUEST_KERNEL_VERSION=$kver
GUEST_KERNEL_RELEASE=$krelease
GUEST_BUSYBOX_VERSION=$bbver
EOF
mkdir "$work/out"
mv "$work/vmlinuz" "$work/config" "$work/initramfs.cpio.gz" "$work/guest.env" "$work/out/"
# rename into place; if a concurrent build got there first, its result is as good
mv -T "$work/out" "$out" 2>/dev/null || [ -f "$out/guest.env" ] || fail "cannot create $out"
echo "build-guest: built $out" >&2
echo "$out"
