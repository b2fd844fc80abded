#!/bin/sh
# build-guest.sh OUT PROGRAM... - the x86-64 guest that make vfio-test boots:
# OUT/vmlinuz and OUT/initramfs.cpio.gz.
#
# The kernel is Debian's: the package linux-image-amd64 depends on today
# (the ABI in its name changes with each kernel update, so it is resolved
# here, not written down), fetched with `apt-get download` into OUT/dl and
# unpacked there - never installed on the host.  Only vmlinuz and the VFIO
# modules are taken from it.  The initramfs holds busybox (busybox-static),
# those modules, tests/vfio/init and the static PROGRAMs (in /bin).
#
# Downloads are cached in OUT/dl: a second build downloads nothing unless the
# archive moved to a newer kernel.
set -eu

out=${1:?usage: build-guest.sh OUT PROGRAM...}
shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/dl"

# The VFIO modules, in load order (each needs the ones before it).
modules="virt/lib/irqbypass.ko drivers/vfio/vfio_virqfd.ko drivers/vfio/vfio.ko
drivers/vfio/vfio_iommu_type1.ko drivers/vfio/pci/vfio-pci-core.ko drivers/vfio/pci/vfio-pci.ko"

# apt-get update needs root (or sudo), as in scripts/deps.sh
update_lists() {
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq
	elif command -v sudo >/dev/null 2>&1; then
		sudo apt-get update -qq
	else
		echo "build-guest: cannot update the package lists (not root, no sudo)" >&2
	fi
}

resolve() {
	apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n 1
}

pkg=$(resolve)
if [ -z "$pkg" ]; then
	echo "build-guest: apt knows no linux-image-amd64; updating the package lists"
	update_lists
	pkg=$(resolve)
fi
[ -n "$pkg" ] || { echo "build-guest: cannot resolve linux-image-amd64's kernel" >&2; exit 1; }

# cached: the .deb of $1 in OUT/dl, if there is one
cached() { ls "$out/dl/$1"_*.deb 2>/dev/null | head -n 1 || true; }
# fetch: download $1 there.  apt-get download run as root warns that _apt
# cannot write to the directory: harmless, filtered out.
fetch() {
	echo "build-guest: downloading $1 (apt-get download; not installed)"
	(cd "$out/dl" && apt-get download -q "$1" 2>&1) | grep -v 'unsandboxed as root' || true
}

deb=$(cached "$pkg")
if [ -z "$deb" ]; then
	fetch "$pkg"
	deb=$(cached "$pkg")
fi
if [ -z "$deb" ]; then
	# stale package lists name a kernel the archive no longer has
	echo "build-guest: download failed; updating the package lists and retrying"
	update_lists
	pkg=$(resolve)
	fetch "$pkg"
	deb=$(cached "$pkg")
fi
[ -n "$deb" ] || { echo "build-guest: cannot download $pkg" >&2; exit 1; }
kver=${pkg#linux-image-}

# Unpack only what the guest needs (the whole package is ~400 MB unpacked).
kdir=$out/kernel-$kver
if [ ! -f "$kdir/.done" ]; then
	rm -rf "$kdir" && mkdir -p "$kdir"
	members="./boot/vmlinuz-$kver"
	for m in $modules; do members="$members ./lib/modules/$kver/kernel/$m"; done
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" $members
	touch "$kdir/.done"
fi
cp "$kdir/boot/vmlinuz-$kver" "$out/vmlinuz"

# The initramfs tree.
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
busybox=/bin/busybox # busybox-static: no shared libraries in the guest
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
n=0
for m in $modules; do
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
echo "build-guest: kernel $kver, initramfs $(wc -c < "$out/initramfs.cpio.gz") bytes"
