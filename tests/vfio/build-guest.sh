#!/bin/sh
# build-guest.sh OUT PROGRAM... - the guest that make vfio-test boots:
# OUT/vmlinuz and OUT/initramfs.cpio.gz.  ARCH=amd64 (the default: for
# qemu-system-x86_64) or ARCH=arm64 (qemu-system-aarch64; make
# vfio-test-arm64).
#
# The kernel is Debian's: the package linux-image-ARCH depends on today
# (the ABI in its name changes with each kernel update, so it is resolved
# here, not written down), fetched with `apt-get download` into OUT/dl and
# unpacked there - never installed on the host.  Only vmlinuz and the VFIO
# modules are taken from it.  The initramfs holds busybox (busybox-static:
# the host's on amd64; on arm64 the arm64 package, downloaded the same way),
# those modules, tests/vfio/init and the static PROGRAMs (in /bin).
#
# For arm64, apt is asked with arm64 added to its architectures for that
# one command (-o APT::Architectures), so the host needs no foreign
# architecture configured; the first time, that means one apt-get update
# with the option, which fetches the arm64 package lists.
#
# Downloads are cached in OUT/dl: a second build downloads nothing unless the
# archive moved to a newer kernel.
set -eu

out=${1:?usage: build-guest.sh OUT PROGRAM...}
shift
here=$(cd "$(dirname "$0")" && pwd)
arch=${ARCH:-amd64}
mkdir -p "$out/dl"

case $arch in
amd64) apt_opts="" ;;
arm64) apt_opts="-o APT::Architectures::=amd64 -o APT::Architectures::=arm64" ;;
*) echo "build-guest: ARCH=$arch: amd64 or arm64" >&2; exit 1 ;;
esac

# The VFIO modules, in load order (each needs the ones before it); those the
# kernel has built in (arm64: irqbypass, for KVM) are not in the package.
modules="virt/lib/irqbypass.ko drivers/vfio/vfio_virqfd.ko drivers/vfio/vfio.ko
drivers/vfio/vfio_iommu_type1.ko drivers/vfio/pci/vfio-pci-core.ko drivers/vfio/pci/vfio-pci.ko"

# apt-get update needs root (or sudo), as in scripts/deps.sh
update_lists() {
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			{ echo "build-guest: cannot update the package lists (not root, no sudo)" >&2; return 0; }
		sudo=sudo
	fi
	# shellcheck disable=SC2086
	$sudo apt-get update -qq $apt_opts
}

resolve() {
	# shellcheck disable=SC2086
	apt-cache $apt_opts show --no-all-versions "linux-image-$arch:$arch" 2>/dev/null |
		sed -n "s/^Depends:.*\(linux-image-[0-9][^ ,]*-$arch\).*/\1/p" | head -n 1
}

pkg=$(resolve)
if [ -z "$pkg" ]; then
	echo "build-guest: apt knows no linux-image-$arch; updating the package lists"
	update_lists
	pkg=$(resolve)
fi
[ -n "$pkg" ] || { echo "build-guest: cannot resolve linux-image-$arch's kernel" >&2; exit 1; }

# cached: the .deb of $1 in OUT/dl, if there is one
cached() { ls "$out/dl/$1"_*.deb 2>/dev/null | head -n 1 || true; }
# fetch: download $1 there.  apt-get download run as root warns that _apt
# cannot write to the directory: harmless, filtered out.
fetch() {
	echo "build-guest: downloading $1:$arch (apt-get download; not installed)"
	# shellcheck disable=SC2086
	(cd "$out/dl" && apt-get $apt_opts download -q "$1:$arch" 2>&1) |
		grep -v 'unsandboxed as root' || true
}
# get: the cached .deb of $1, downloading it first if needed
get() {
	deb=$(cached "$1")
	if [ -z "$deb" ]; then
		fetch "$1"
		deb=$(cached "$1")
	fi
}

get "$pkg"
if [ -z "$deb" ]; then
	# stale package lists name a kernel the archive no longer has
	echo "build-guest: download failed; updating the package lists and retrying"
	update_lists
	pkg=$(resolve)
	get "$pkg"
fi
[ -n "$deb" ] || { echo "build-guest: cannot download $pkg" >&2; exit 1; }
kver=${pkg#linux-image-}

# Unpack only what the guest needs (the whole package is ~400 MB unpacked).
kdir=$out/kernel-$kver
if [ ! -f "$kdir/.done" ]; then
	rm -rf "$kdir" && mkdir -p "$kdir"
	members="./boot/vmlinuz-$kver"
	list=$(dpkg-deb -c "$deb")
	for m in $modules; do
		echo "$list" | grep -q " \./lib/modules/$kver/kernel/$m\$" &&
			members="$members ./lib/modules/$kver/kernel/$m"
	done
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" $members
	touch "$kdir/.done"
fi
cp "$kdir/boot/vmlinuz-$kver" "$out/vmlinuz"

# busybox-static, for the guest's architecture
if [ "$arch" = amd64 ]; then
	busybox=/bin/busybox # from scripts/deps.sh vfio
else
	get busybox-static
	[ -n "$deb" ] || { echo "build-guest: cannot download busybox-static:$arch" >&2; exit 1; }
	if [ ! -f "$out/busybox/.done" ] || [ "$deb" -nt "$out/busybox/.done" ]; then
		rm -rf "$out/busybox" && mkdir -p "$out/busybox"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out/busybox" ./bin/busybox
		touch "$out/busybox/.done"
	fi
	busybox=$out/busybox/bin/busybox
fi

# The initramfs tree.
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
n=0
for m in $modules; do
	[ -f "$kdir/lib/modules/$kver/kernel/$m" ] || continue
	n=$((n + 1))
	# numbered, so that the init script loads them in this order
	cp "$kdir/lib/modules/$kver/kernel/$m" "$root/lib/modules/$n-$(basename "$m")"
done
cp "$here/init" "$root/init"
chmod 755 "$root/init"
: > "$root/tests"
for p in "$@"; do
	cp "$p" "$root/bin/"
	basename "$p" >> "$root/tests" # run in this order, each with edu's address
done
echo "$kver" > "$root/kernel-version"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out/initramfs.cpio.gz"
echo "build-guest: kernel $kver, $n modules, initramfs $(wc -c < "$out/initramfs.cpio.gz") bytes"
