#!/bin/sh
# linux-peer.sh DEST - put the few files of Linux's own source that the peer
# benchmark (`dmaport-bench peer`, `make bench-peer`) builds under DEST, from
# Debian's linux-source package: `apt-get download` of linux-source-6.12 (or
# the newest linux-source-X.Y the archive has), and only these files are
# extracted from its tarball (kernel/dma/mapping.c, dma-iommu.c, iommu.c and
# iommu-priv.h only for scripts/linux-peer-extract.sh to cut the map and unmap
# path out of).
# Nothing of Linux enters the repository: DEST is in the build directory.  A
# no-op when DEST already holds every one of them.
set -eu

dest=$1
files="drivers/iommu/iova.c drivers/iommu/io-pgtable-arm.c drivers/iommu/io-pgtable-arm.h
mm/dmapool.c lib/rbtree.c include/linux/iova.h include/linux/io-pgtable.h
include/linux/dmapool.h include/linux/rbtree.h include/linux/rbtree_types.h
include/linux/rbtree_augmented.h drivers/iommu/dma-iommu.c drivers/iommu/iommu.c
drivers/iommu/iommu-priv.h include/linux/iommu.h kernel/dma/mapping.c"

have=1
for f in $files VERSION; do [ -f "$dest/$f" ] || have=0; done
# FILES (what the build depends on) names them once they are all there
[ $have = 1 ] && { echo $files > "$dest/FILES"; exit 0; }
mkdir -p "$dest/dl"
cd "$dest/dl"

pick() {
	apt-cache show "$1" >/dev/null 2>&1
}
pkg=linux-source-6.12
if ! pick $pkg; then
	apt-get update -qq >/dev/null 2>&1 || true
fi
if ! pick $pkg; then
	pkg=$(apt-cache search --names-only '^linux-source-[0-9]+\.[0-9]+$' | cut -d' ' -f1 |
	      sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "linux-peer: no linux-source package in the archive" >&2; exit 1; }
fi
echo "linux-peer: apt-get download $pkg"
rm -f ./*.deb
apt-get download -q "$pkg" >/dev/null 2>&1 || apt-get download "$pkg"
deb=$(ls ./*.deb)
dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards '*/linux-source-*.tar.xz'
tarball=$(ls usr/src/linux-source-*.tar.xz)
top=$(basename "$tarball" .tar.xz)
members=""
for f in $files; do members="$members $top/$f"; done
echo "linux-peer: extracting$members"
# shellcheck disable=SC2086
tar -xJf "$tarball" --strip-components=1 -C .. $members
dpkg-deb -f "$deb" Version > ../VERSION
echo "$pkg" > ../PACKAGE
cd ..
rm -rf dl
echo $files > FILES
echo "linux-peer: $(cat PACKAGE) $(cat VERSION) in $dest"
