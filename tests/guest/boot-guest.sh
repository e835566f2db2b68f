#!/bin/sh
# boot-guest.sh ARCH STATEDIR -- boot the test guest, wait for its truth, pause it.
#
# Builds the guest if needed (build-guest.sh), starts QEMU in the background
# with RAM in STATEDIR/ram (memory-backend-file, share=on) and a QMP socket,
# waits (bounded: HAYWIRE_BOOT_TIMEOUT seconds, default 300) until the guest
# wrote its ground truth to STATEDIR/truth.txt, then stops the vCPUs over QMP
# and leaves QEMU running, paused. STATEDIR/env describes it (README.md).
# End it with stop-guest.sh STATEDIR.
set -eu

arch=${1:-}
state=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
timeout=${HAYWIRE_BOOT_TIMEOUT:-300}

fail() {
	echo "boot-guest: $*" >&2
	if [ -s "$state/console.log" ]; then
		echo "boot-guest: last console lines ($state/console.log):" >&2
		tail -n 25 "$state/console.log" | sed 's/^/  | /' >&2
	fi
	if [ -s "$state/qemu.log" ]; then
		echo "boot-guest: QEMU said:" >&2
		sed 's/^/  | /' "$state/qemu.log" >&2
	fi
	exit 1
}

case "$arch" in
x86_64)
	qemu=qemu-system-x86_64 layout=q35 ram_size=4G
	machine="-M q35 -cpu max"
	console=ttyS0
	# second UART carries the truth
	truth_dev="-chardev file,id=truth,path=$state/truth.txt -serial chardev:truth"
	;;
aarch64)
	qemu=qemu-system-aarch64 layout=virt ram_size=1G
	machine="-M virt -cpu max"
	console=ttyAMA0
	truth_dev="-chardev file,id=truth,path=$state/truth.txt -device virtio-serial-device -device virtconsole,chardev=truth"
	;;
*)
	echo "usage: boot-guest.sh x86_64|aarch64 STATEDIR" >&2
	exit 2
	;;
esac
[ -n "$state" ] || fail "usage: boot-guest.sh ARCH STATEDIR"
command -v "$qemu" >/dev/null || fail "$qemu not found (run scripts/install-deps)"
mkdir -p "$state"
state=$(cd "$state" && pwd)
case "$state" in *[[:space:]\'\"\$\`\\]*) fail "STATEDIR must not contain spaces or quotes: env is sourced by sh" ;; esac
# unix socket paths are limited to 107 bytes
[ ${#state} -lt 96 ] || fail "STATEDIR path too long for a unix socket: $state"

# A guest left over from an earlier run of the same state dir goes first.
"$here/stop-guest.sh" "$state" >/dev/null 2>&1 || true
rm -f "$state/env" "$state/ram" "$state/qmp.sock" "$state/truth.txt" "$state/console.log" \
	"$state/qemu.log" "$state/qemu.pid"

t0=$(date +%s.%N)
guest=$("$here/build-guest.sh" "$arch" | tail -n1) || fail "building the $arch guest failed (see above)"
t1=$(date +%s.%N)

# KVM only when it is usable and the guest has the host's architecture.
accel=tcg
if [ "$arch" = "$(uname -m)" ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	accel=kvm
fi

# shellcheck disable=SC2086
"$qemu" $machine -accel "$accel" -smp 2 -m "$ram_size" \
	-object "memory-backend-file,id=ram,size=$ram_size,mem-path=$state/ram,share=on" \
	-machine memory-backend=ram \
	-kernel "$guest/vmlinuz" -initrd "$guest/initramfs.cpio.gz" \
	-append "console=$console panic=-1" \
	-nodefaults -display none -no-reboot \
	-chardev "file,id=con,path=$state/console.log" -serial chardev:con \
	$truth_dev \
	-device vmcoreinfo \
	-qmp "unix:$state/qmp.sock,server=on,wait=off" \
	-pidfile "$state/qemu.pid" -daemonize \
	>"$state/qemu.log" 2>&1 || fail "$qemu did not start"
pid=$(cat "$state/qemu.pid" 2>/dev/null) || fail "QEMU wrote no pid file"

alive() { kill -0 "$pid" 2>/dev/null; }
# Write env now, so stop-guest.sh can end QEMU even if the boot fails below.
cat >"$state/env" <<EOF
ARCH=$arch
LAYOUT=$layout
ACCEL=$accel
QEMU_PID=$pid
QMP_SOCKET=$state/qmp.sock
RAM_PATH=$state/ram
RAM_SIZE=$(numfmt --from=iec "$ram_size")
SOURCE_SPEC=file:$state/ram,layout=$layout
TRUTH=$state/truth.txt
CONSOLE=$state/console.log
GUEST_DIR=$guest
EOF

deadline=$(($(date +%s) + timeout))
while ! grep -q '^end ' "$state/truth.txt" 2>/dev/null; do
	alive || fail "QEMU exited before the guest wrote its truth"
	if grep -q 'haywire-guest: FAILED\|Kernel panic' "$state/console.log" 2>/dev/null; then
		"$here/stop-guest.sh" "$state" >/dev/null 2>&1 || true
		fail "the $arch guest failed"
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		"$here/stop-guest.sh" "$state" >/dev/null 2>&1 || true
		fail "no truth from the $arch guest after ${timeout}s"
	fi
	sleep 0.2
done
t2=$(date +%s.%N)
# The truth program sleeps after writing: nothing in user space changes any more.
python3 "$here/qmp.py" "$state" stop >/dev/null || fail "QMP stop failed"
status=$(python3 "$here/qmp.py" "$state" query-status) || fail "QMP query-status failed"
case "$status" in *'"paused"'*) ;; *) fail "guest not paused: $status" ;; esac
cat >>"$state/env" <<EOF
BUILD_SECONDS=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
BOOT_SECONDS=$(awk "BEGIN { printf \"%.1f\", $t2 - $t1 }")
EOF
echo "boot-guest: $arch guest paused ($accel; build $(sed -n 's/^BUILD_SECONDS=//p' "$state/env")s," \
	"boot to truth $(sed -n 's/^BOOT_SECONDS=//p' "$state/env")s); state in $state"
