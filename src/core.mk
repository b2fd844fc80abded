# src/core.mk - dmaport's source sets, defined once.  Included by the
# top-level Makefile (the library, the fuzz target) and by every port's
# Makefile, each after setting DMP_TOP to the repository's root ("" or
# "../../", with the trailing slash).
#
#   DMP_CORE_SRCS  the freestanding core: the memory layer, the platform
#                  layer's portable half, the DMA layer and the IOMMU layer.
#                  It needs only what <dmaport/port.h> lists from a port.
#   DMP_HOST_SRCS  the port of a hosted (POSIX) build: src/platform/host/,
#                  and any *-host.c file in a core directory (none today: the
#                  filter keeps a hosted-only file out of the freestanding core).
#   DMP_OF_SRCS    the device-tree reader (libfdt), and reserved memory and
#                  devices set up from what it read (<dmaport/of-device.h>).
#   DMP_SIM_SRCS   the simulated platform, with guard mode's part for
#                  DMP_GUARD_ARCH (default: the compiler's target machine;
#                  "none" where src/sim/guard-arch-$(DMP_GUARD_ARCH).c lacks).
#   DMP_LIB_SRCS   all of them: libdmaport on a host.

DMP_CORE_SRCS := $(filter-out %-host.c,$(sort $(wildcard $(DMP_TOP)src/mm/*.c) \
	$(wildcard $(DMP_TOP)src/platform/*.c) $(wildcard $(DMP_TOP)src/dma/*.c) \
	$(wildcard $(DMP_TOP)src/iommu/*.c)))
DMP_HOST_SRCS := $(sort $(wildcard $(DMP_TOP)src/platform/host/*.c) $(wildcard $(DMP_TOP)src/*/*-host.c))
DMP_OF_SRCS := $(sort $(wildcard $(DMP_TOP)src/of/*.c))
DMP_GUARD_ARCH ?= $(firstword $(subst -, ,$(shell $(CC) -dumpmachine 2>/dev/null)))
DMP_SIM_SRCS := $(sort $(filter-out $(DMP_TOP)src/sim/guard-arch-%.c,\
	$(wildcard $(DMP_TOP)src/sim/*.c)) $(or $(wildcard \
	$(DMP_TOP)src/sim/guard-arch-$(DMP_GUARD_ARCH).c),$(DMP_TOP)src/sim/guard-arch-none.c))
DMP_LIB_SRCS := $(sort $(DMP_CORE_SRCS) $(DMP_HOST_SRCS) $(DMP_OF_SRCS) $(DMP_SIM_SRCS))
