#!/bin/sh
# deps.sh - install the Debian packages dmaport needs, if any is missing.
# A no-op when everything is present.  Usage: scripts/deps.sh [group...]
#   build:  compiler, make, pkg-config, cmocka, libfdt, dtc, libdw (the checker's
#           guard mode names the faulting line with elfutils; the default)
#   cross:  aarch64 cross compiler and QEMU, for the bare-metal port; the
#           aarch64 C library and qemu-user, for guard mode's aarch64 part
#   fuzz:   clang and its runtime (libFuzzer), for the device-tree fuzz target
#   peer:   xz-utils, to unpack Linux's sources for make bench-peer
#   plot:   gnuplot, for make bench-plot
#   vfio:   QEMU for x86 and the guest's parts (busybox-static, cpio, the
#           kernel's uapi headers, libc.a), for make vfio-test; the guest
#           kernel itself is downloaded, never installed (tests/vfio/build-guest.sh)
#   vfio-arm64: the same for the arm64 guest (make vfio-test-arm64): the
#           aarch64 cross compiler and C library, QEMU for Arm
#   timeline: python3 (the test's JSON check) and rsvg-convert (the SVG renders)
#   bindings: dt-schema (dt-validate, for the device-tree binding schemas)
set -eu

pkgs_build="gcc make pkg-config libcmocka-dev libfdt-dev device-tree-compiler libdw-dev"
pkgs_cross="gcc-aarch64-linux-gnu qemu-system-arm libc6-dev-arm64-cross qemu-user"
pkgs_fuzz="clang libclang-rt-14-dev"
pkgs_peer="xz-utils"
pkgs_plot="gnuplot-nox"
pkgs_vfio="qemu-system-x86 busybox-static cpio linux-libc-dev libc6-dev"
pkgs_vfio_arm64="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm cpio"
pkgs_timeline="python3 librsvg2-bin"
pkgs_bindings="dt-schema"

groups="${*:-build}"
want=""
for g in $groups; do
	eval "want=\"\$want \$pkgs_$(echo "$g" | tr - _)\""
done

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	# not Debian: say once what the build expects, and let it try
	echo "deps: not a Debian system; needs (Debian names):$want" >&2
	exit 0
fi

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing packages:$missing; install them as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing; }; then
	echo "deps: could not install:$missing (try: apt-get install$missing)" >&2
	exit 1
fi
