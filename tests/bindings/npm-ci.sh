#!/bin/sh
# npm-ci.sh PACKAGE_DIR OUT_DIR -- install the Node package's dependencies
# (koffi, and ffi-napi built from source) from its package-lock.json into
# OUT_DIR/node_modules, for the binding tests (NODE_PATH=OUT_DIR/node_modules).
# Skipped when the lock file and Node version have not changed since the last
# install. Needs the npm registry: a failed install says so and fails.
set -eu
pkg=$1 out=$2
mkdir -p "$out"
stamp="$(cat "$pkg/package-lock.json" "$pkg/package.json" | sha256sum | cut -c1-16) $(node --version)"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && [ -d "$out/node_modules" ]; then
	echo "node dependencies up to date in $out"
	exit 0
fi
cp "$pkg/package.json" "$pkg/package-lock.json" "$out/"
# ffi-napi compiles against Node's headers: Debian's and NodeSource's nodejs
# put them in /usr/include/node, which node-gyp finds with nodedir=/usr
# (otherwise it would download them).
[ -f /usr/include/node/node_api.h ] && export npm_config_nodedir=/usr
cd "$out"
if ! npm ci --no-audit --no-fund --loglevel=error; then
	echo "FAIL: npm ci failed in $out: the npm registry (registry.npmjs.org) must be" \
		"reachable, and g++/make plus Node's headers (/usr/include/node) present to" \
		"build ffi-napi" >&2
	exit 1
fi
for m in koffi @2060.io/ffi-napi @2060.io/ref-napi; do
	node -e "require('$out/node_modules/$m')" ||
		{ echo "FAIL: $m installed but does not load" >&2; exit 1; }
done
echo "$stamp" > .stamp
echo "node dependencies installed in $out"
