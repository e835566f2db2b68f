#!/bin/sh
# stop-guest.sh STATEDIR -- end the QEMU that boot-guest.sh started for STATEDIR.
# Kills only the PID recorded in STATEDIR/env, and only if it still is that
# QEMU (its command line names STATEDIR). Removes the RAM file (it is large);
# the console, truth and env stay for post-mortems.
set -eu
state=${1:?usage: stop-guest.sh STATEDIR}
[ -f "$state/env" ] || exit 0
pid=$(sed -n 's/^QEMU_PID=//p' "$state/env")
ram=$(sed -n 's/^RAM_PATH=//p' "$state/env")
if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "mem-path=$ram"; then
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 50 ]; then
			kill -9 "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
	echo "stop-guest: stopped QEMU $pid"
fi
rm -f "$ram" "$state/qmp.sock"
