# dmaport - GNU Make build.
#
#   make            libdmaport.a, libdmaport.so, the tools
#   make run        the demo: the talk's slides on the simulated machine
#   make check      every test, then again under ASan+UBSan (and TSan for the
#                   concurrent ones)
#   make bench      the benchmarks
#   make port-check the port contract: the skeleton port on the freestanding core
#   make install PREFIX=/usr/local
#
# Every target installs the Debian packages it needs first (scripts/deps.sh).

PREFIX ?= /usr/local
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
BUILD ?= build
SAN ?=
OPT ?= -O2

VERSION := 0.1.0

# Sanitizers first: CFLAGS_COMMON below is expanded immediately.
ifeq ($(SAN),asan)
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LDFLAGS := -fsanitize=address,undefined
endif
ifeq ($(SAN),tsan)
SAN_CFLAGS := -fsanitize=thread -fno-omit-frame-pointer
SAN_LDFLAGS := -fsanitize=thread
# no guard mode under TSan (src/sim/guard-arch-none.c says why)
DMP_GUARD_ARCH := none
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	-Werror=implicit-function-declaration
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -g $(OPT) -fPIC -Iinclude $(WARN) $(SAN_CFLAGS) $(EXTRA_CFLAGS)
LIB_CFLAGS := $(CFLAGS_COMMON) -DDMP_BUILDING_LIBRARY -fvisibility=hidden
LDLIBS := -lpthread -lfdt -ldw

CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# Library sources: every layer; the host platform environment (src/core.mk);
# the Linux VFIO platform where there is an arch file for the target (x86-64).
DMP_TOP :=
include src/core.mk
VFIO_ARCH := $(firstword $(subst -, ,$(shell $(CC) -dumpmachine 2>/dev/null)))
VFIO_SRCS := $(if $(wildcard src/platform/linux-vfio/arch-$(VFIO_ARCH).c),\
	$(filter-out src/platform/linux-vfio/arch-%.c,$(wildcard src/platform/linux-vfio/*.c)) \
	src/platform/linux-vfio/arch-$(VFIO_ARCH).c)
LIB_SRCS := $(DMP_LIB_SRCS) $(VFIO_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)

# Tests: tests/test-NAME.c is one cmocka program; tests/support/*.c is shared.
TEST_SRCS := $(sort $(wildcard tests/test-*.c))
TEST_NAMES := $(TEST_SRCS:tests/%.c=%)
TEST_BINS := $(TEST_NAMES:%=$(BUILD)/tests/%)
# the -threads tests, and test-iommu (the flush queue's timer runs on its own thread)
TSAN_TESTS := $(notdir $(basename $(wildcard tests/test-*-threads.c))) test-iommu
SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/support/*.c))

# Benchmarks: bench/NAME.c defines dmp_bench_NAME(argc, argv); dmaport-bench
# dispatches to them through a generated table.
BENCH_SRCS := $(sort $(filter-out bench/bench.c,$(wildcard bench/*.c)))
BENCH_NAMES := $(basename $(notdir $(BENCH_SRCS)))
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/bench/bench.o

# The Linux-compat runtime (driver core, scheduler, interrupts on the
# simulator): libdmaport-linux.a, for programs that run compat drivers.
COMPAT_SRCS := $(sort $(wildcard compat/kernel/*.c))
COMPAT_OBJS := $(COMPAT_SRCS:%.c=$(BUILD)/obj/%.o)
COMPAT_LIB := $(BUILD)/libdmaport-linux.a

SIM_TOOL_SRCS := tools/dmaport-sim.c tools/timeline.c tools/drive.c $(wildcard tools/scenarios/*.c)
# Linux drivers written as Linux's (examples/drivers/): built into dmaport-sim
# (`dmaport-sim drive`), and each also as a shared object it can load.
EXAMPLE_DRIVERS := $(sort $(wildcard examples/drivers/*.c))
EXAMPLE_DRIVER_OBJS := $(EXAMPLE_DRIVERS:%.c=$(BUILD)/obj/%.o)
EXAMPLE_DRIVER_SOS := $(EXAMPLE_DRIVERS:examples/drivers/%.c=$(BUILD)/drivers/%.so)
# Drivers that tests load into dmaport-sim (some deliberately wrong).
TEST_DRIVER_SOS := $(patsubst tests/drivers/%.c,$(BUILD)/drivers/test-%.so,$(wildcard tests/drivers/*.c))
SIM_TOOL_OBJS := $(SIM_TOOL_SRCS:%.c=$(BUILD)/obj/%.o)

TOOLS := $(BUILD)/bin/dmaport-sim $(BUILD)/bin/dmaport-bench

.SECONDARY:
.PHONY: peer-extract-check docs-check bindings-check all lib tools deps deps-build deps-cross deps-fuzz deps-peer deps-plot deps-timeline deps-bindings run check test test-guard test-asan test-tsan bench bench-peer bench-plot install clean qemu-test guard-aarch64-check fuzz fuzz-long FORCE
.DEFAULT_GOAL := all

all: lib tools
lib: $(BUILD)/libdmaport.a $(BUILD)/libdmaport.so $(BUILD)/dmaport.pc $(COMPAT_LIB)
tools: $(TOOLS) $(EXAMPLE_DRIVER_SOS)

deps:
	@sh scripts/deps.sh build cross fuzz vfio vfio-arm64 timeline bindings

# Every target installs the packages it needs first (scripts/deps.sh: a no-op
# when they are present; where it cannot install, one line names them):
# deps-build for anything that compiles, deps-GROUP for the rest.
deps-build deps-cross deps-fuzz deps-peer deps-plot deps-timeline deps-bindings:
	@sh scripts/deps.sh $(@:deps-%=%)

$(BUILD)/obj/src/%.o: src/%.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CMOCKA_CFLAGS) -Isrc -MMD -MP -c $< -o $@

# Linux-style code (compat tests, the example driver) sees <linux/...>.
$(BUILD)/obj/tests/test-compat-%.o: CFLAGS_COMMON += -Icompat
$(BUILD)/obj/compat/%.o: CFLAGS_COMMON += -Icompat
# A driver's module name, as Kbuild's: the file's, with '-' as '_'.
$(BUILD)/obj/examples/drivers/%.o: CFLAGS_COMMON += -Icompat -DKBUILD_MODNAME='"$(subst -,_,$(notdir $*))"'
$(BUILD)/drivers/%.so: examples/drivers/%.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Icompat -DKBUILD_MODNAME='"$(subst -,_,$*)"' -shared $(SAN_LDFLAGS) -o $@ $<
# the FPGA manager test driver for Linux 5.10's API as well
TEST_DRIVER_SOS += $(BUILD)/drivers/test-zynq-pcap-5.10.so
$(BUILD)/drivers/test-zynq-pcap-5.10.so: tests/drivers/zynq-pcap.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -DDMP_LINUX_VERSION='KERNEL_VERSION(5,10,0)' -Icompat \
	  -DKBUILD_MODNAME='"zynq_pcap"' -shared $(SAN_LDFLAGS) -o $@ $<
# the ring Ethernet driver for Linux 5.10's API as well (netif_napi_add with
# a weight, dev_addr writable, the old ndo_tx_timeout)
TEST_DRIVER_SOS += $(BUILD)/drivers/test-ring-eth-5.10.so
$(BUILD)/drivers/test-ring-eth-5.10.so: tests/drivers/ring-eth.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -DDMP_LINUX_VERSION='KERNEL_VERSION(5,10,0)' -Icompat \
	  -DKBUILD_MODNAME='"ring_eth"' -shared $(SAN_LDFLAGS) -o $@ $<
# a driver of the talk's era: Linux 3.14's API
$(BUILD)/drivers/test-talk-era.so: CFLAGS_COMMON += -DDMP_LINUX_VERSION='KERNEL_VERSION(3,14,0)'
$(BUILD)/drivers/test-%.so: tests/drivers/%.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Icompat -DKBUILD_MODNAME='"$(subst -,_,$*)"' -shared $(SAN_LDFLAGS) -o $@ $<

# The drive test runs this build's dmaport-sim on the drivers built as objects.
$(BUILD)/obj/tests/test-drive.o: CFLAGS_COMMON += -DDMP_SIM_TOOL='"$(BUILD)/bin/dmaport-sim"' \
	-DDMP_DRIVERS='"$(BUILD)/drivers"'
$(BUILD)/tests/test-drive: | $(BUILD)/bin/dmaport-sim $(EXAMPLE_DRIVER_SOS) $(TEST_DRIVER_SOS)

$(COMPAT_LIB): $(COMPAT_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Compat tests run drivers on the compat runtime.
$(BUILD)/tests/test-compat-%: $(BUILD)/obj/tests/test-compat-%.o $(SUPPORT_OBJS) $(COMPAT_LIB) $(BUILD)/libdmaport.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

# The dmaport-sim test runs this build's binary.
$(BUILD)/obj/tests/test-dmaport-sim.o: CFLAGS_COMMON += -DDMP_SIM_TOOL='"$(BUILD)/bin/dmaport-sim"'
$(BUILD)/tests/test-dmaport-sim: | $(BUILD)/bin/dmaport-sim deps-timeline
$(BUILD)/obj/tests/test-dmaport-bench.o: CFLAGS_COMMON += -DDMP_BENCH_TOOL='"$(BUILD)/bin/dmaport-bench"'
$(BUILD)/tests/test-dmaport-bench: | $(BUILD)/bin/dmaport-bench

$(BUILD)/libdmaport.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libdmaport.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libdmaport.so.0 $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/dmaport.pc: dmaport.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

# Regenerated whenever the set of benchmarks changes (written only if different).
$(BUILD)/gen/bench-table.c: FORCE
	@mkdir -p $(dir $@)
	@{ echo '#include "bench.h"'; \
	   for n in $(BENCH_NAMES); do echo "int dmp_bench_$$n(int argc, char **argv);"; done; \
	   echo 'const struct bench_entry bench_table[] = {'; \
	   for n in $(BENCH_NAMES); do echo "	{ \"$$n\", dmp_bench_$$n },"; done; \
	   echo '	{ 0, 0 } };'; } > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

FORCE:

$(BUILD)/obj/gen/bench-table.o: $(BUILD)/gen/bench-table.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Ibench -c $< -o $@

$(BUILD)/bin/dmaport-bench: tools/dmaport-bench.c $(BENCH_OBJS) $(BUILD)/obj/gen/bench-table.o $(BUILD)/libdmaport.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Ibench $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS) -lm

# -rdynamic and whole archives: a driver loaded as a shared object finds the
# compat runtime and the DMA API in the program.
$(BUILD)/bin/dmaport-sim: $(SIM_TOOL_OBJS) $(EXAMPLE_DRIVER_OBJS) $(COMPAT_LIB) $(BUILD)/libdmaport.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -rdynamic -o $@ $(SIM_TOOL_OBJS) $(EXAMPLE_DRIVER_OBJS) \
	  -Wl,--whole-archive $(COMPAT_LIB) $(BUILD)/libdmaport.a -Wl,--no-whole-archive $(LDLIBS) -ldl

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(SUPPORT_OBJS) $(BUILD)/libdmaport.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

run: deps-build
	@$(MAKE) --no-print-directory $(BUILD)/bin/dmaport-sim
	$(BUILD)/bin/dmaport-sim run slides
	$(BUILD)/bin/dmaport-sim run examples/platforms/soc-noncoherent.dts talk

# One run of every test in this build; a failing test fails the target after
# all have run, and the closing line counts them.
test: $(TEST_BINS)
	@pass=0; fail=0; failed=""; \
	for t in $(TEST_BINS); do \
	  if $$t > $$t.log 2>&1; then pass=$$((pass+1)); else fail=$$((fail+1)); failed="$$failed $$(basename $$t)"; cat $$t.log; fi; \
	done; \
	for t in $(if $(filter tsan,$(SAN)),,$(filter %-threads,$(TEST_BINS))); do \
	  if DMP_SLOT_OWNERS=0 $$t > $$t.noowners.log 2>&1; then pass=$$((pass+1)); \
	  else fail=$$((fail+1)); failed="$$failed $$(basename $$t)(DMP_SLOT_OWNERS=0)"; cat $$t.noowners.log; fi; \
	done; \
	echo "$(BUILD): $$pass passed, $$fail failed"; \
	[ -z "$$failed" ] || { echo "failed:$$failed"; exit 1; }

test-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=asan OPT=-O1 test

test-tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan SAN=tsan OPT=-O1 \
	  TEST_BINS="$(TSAN_TESTS:%=build/tsan/tests/%)" test

# Every test once more with the DMA-API checker and its guard mode on from
# the environment: each passes, and finds only what tests/guard-pass.expect
# says it does on purpose (scripts/guard-pass.sh).
test-guard: $(TEST_BINS)
	@sh scripts/guard-pass.sh tests/guard-pass.expect $(TEST_BINS)

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory test-guard
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory install-check
	@$(MAKE) --no-print-directory compat-guard-check
	@$(MAKE) --no-print-directory docs-check
	@$(MAKE) --no-print-directory peer-extract-check
	@$(MAKE) --no-print-directory bindings-check
	@$(MAKE) --no-print-directory port-check
	@$(MAKE) --no-print-directory exports-check
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory qemu-test
	@$(MAKE) --no-print-directory guard-aarch64-check
	@$(MAKE) --no-print-directory vfio-test
	@$(MAKE) --no-print-directory vfio-test-arm64

# libFuzzer (clang), two targets in tests/fuzz/, each linked with the whole
# library built once more with clang, ASan and UBSan:
#   of-fuzz   mutated blobs into the device-tree reader; every tree it accepts
#             is built into a simulated platform and torn down;
#   api-fuzz  random sequences of DMA API calls, correct and misused, on a
#             machine with several kinds of device, against a shadow model.
# `make fuzz` runs each for FUZZ_SECONDS (make check); `make fuzz-long` for
# FUZZ_LONG_SECONDS.  Corpora: of-fuzz starts from the test and example
# trees (compiled by dtc) and tests/fuzz/of-corpus/ (with the words of
# tests/fuzz/of.dict), api-fuzz from tests/fuzz/api-corpus/; what a run adds
# stays in $(BUILD)/fuzz/.
FUZZ_SECONDS ?= 30
FUZZ_LONG_SECONDS ?= 1800
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Iinclude -Isrc
FUZZ_LIB_OBJS := $(DMP_LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_TARGETS := of-fuzz api-fuzz

$(BUILD)/fuzz/obj/%.o: %.c | deps-fuzz
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJS) | deps-fuzz
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -lm -o $@

# Seeds of of-fuzz: the trees dtc compiles (the error trees too).
$(BUILD)/fuzz/of-seeds: FORCE
	@rm -rf $@ && mkdir -p $@
	@for f in tests/of/*.dts examples/platforms/*.dts; do \
	  dtc -q -I dts -O dtb -i tests/of -o $@/$$(basename $$f .dts).dtb $$f \
	    2>/dev/null || rm -f $@/$$(basename $$f .dts).dtb; done

# One run: $(1) target, $(2) seconds, $(3) seed directories, $(4) more
# libFuzzer options.  The corpus grows in $(BUILD)/fuzz/$(1)-corpus; a crash
# leaves its input as $(BUILD)/fuzz/$(1)-crash-*.
define fuzz_run
	@mkdir -p $(BUILD)/fuzz/$(1)-corpus
	@echo "fuzz: $(1) for $(2) s from $$(ls $(3) $(BUILD)/fuzz/$(1)-corpus | grep -vc ':$$\|^$$') inputs"
	@$(BUILD)/fuzz/$(1) -max_total_time=$(2) -timeout=20 -max_len=16384 -rss_limit_mb=4096 \
	  -print_final_stats=1 $(4) -artifact_prefix=$(BUILD)/fuzz/$(1)- $(BUILD)/fuzz/$(1)-corpus $(3) \
	  > $(BUILD)/fuzz/$(1).log 2>&1; \
	  rc=$$?; grep -E '^(Done|stat::(number_of_executed_units|new_units_added))' $(BUILD)/fuzz/$(1).log; \
	  [ $$rc = 0 ] || { tail -n 60 $(BUILD)/fuzz/$(1).log; echo "fuzz: $(1) FAILED (exit $$rc)"; }; exit $$rc
endef

fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/of-seeds
	$(call fuzz_run,of-fuzz,$(FUZZ_SECONDS),$(BUILD)/fuzz/of-seeds tests/fuzz/of-corpus,-dict=tests/fuzz/of.dict)
	$(call fuzz_run,api-fuzz,$(FUZZ_SECONDS),tests/fuzz/api-corpus)

fuzz-long: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/of-seeds
	$(call fuzz_run,of-fuzz,$(FUZZ_LONG_SECONDS),$(BUILD)/fuzz/of-seeds tests/fuzz/of-corpus,-dict=tests/fuzz/of.dict)
	$(call fuzz_run,api-fuzz,$(FUZZ_LONG_SECONDS),tests/fuzz/api-corpus)

# The port contract on the host (docs/porting.md): the core built freestanding
# as a port builds it, its undefined symbols checked against <dmaport/port.h>,
# and the skeleton port linked with it alone (no src/platform/host, sim or of)
# and run.
FS := $(BUILD)/freestanding
FS_CFLAGS := -std=c11 -g -O2 -ffreestanding -fno-pic -Iinclude $(WARN) -DDMP_BUILDING_LIBRARY -fvisibility=hidden
FS_OBJS := $(DMP_CORE_SRCS:%.c=$(FS)/%.o)
SKELETON := examples/port-skeleton

$(FS)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(FS_CFLAGS) -MMD -MP -c $< -o $@

$(FS)/skeleton/port-skeleton.o: $(SKELETON)/port-skeleton.c
	@mkdir -p $(dir $@)
	$(CC) $(FS_CFLAGS) -MMD -MP -c $< -o $@

$(FS)/skeleton/skeleton-main.o: $(SKELETON)/skeleton-main.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -MMD -MP -c $< -o $@

$(FS)/port-skeleton: $(FS)/skeleton/skeleton-main.o $(FS)/skeleton/port-skeleton.o $(FS_OBJS)
	$(CC) -no-pie -o $@ $^

.PHONY: port-check exports-check
port-check: $(FS)/port-skeleton
	@NM=nm CC=$(CC) sh scripts/check-port-symbols.sh $(FS_OBJS)
	@$(FS)/port-skeleton
	@echo '#include <dmaport/dmaport.h>' | $(CC) -std=c11 -ffreestanding -nostdinc \
	  -isystem "$$($(CC) -print-file-name=include)" -Iinclude -fsyntax-only -x c - && \
	  echo "port-check: <dmaport/dmaport.h> compiles with no C library headers"

# The shared library exports dmp_ names only, and internal dmp__ ones only
# where a callers' header's macro or inline calls them.
exports-check: $(BUILD)/libdmaport.so
	@sh scripts/check-exports.sh $<

# The bare-metal port on QEMU's virt machine with its SMMUv3 and edu device.
qemu-test: deps-cross
	@$(MAKE) --no-print-directory -C ports/qemu-virt-aarch64 test

# Guard mode's aarch64 Linux part (src/sim/guard-arch-aarch64.c) with
# guard.c, cross-built and run under qemu-aarch64 (user mode).
guard-aarch64-check: deps-cross
	@mkdir -p $(BUILD)/arch
	@aarch64-linux-gnu-gcc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Iinclude -Isrc/sim -static \
	  -o $(BUILD)/arch/guard-aarch64 tests/arch/guard-aarch64.c src/sim/guard.c \
	  src/sim/guard-arch-aarch64.c
	@qemu-aarch64 $(BUILD)/arch/guard-aarch64

# Linux user space through VFIO (src/platform/linux-vfio/), on a QEMU x86-64
# guest with an Intel IOMMU and edu: static programs linked with this build's
# library and the shared edu driver, Debian's kernel (downloaded into
# $(BUILD)/vfio/dl, never installed) and busybox in an initramfs
# (tests/vfio/build-guest.sh), one boot that runs every check and the
# benchmark (tests/vfio/run-guest.sh).
# The example of docs/vfio.md (its C block) is built and run there too.
VFIO_OUT := $(BUILD)/vfio
VFIO_PROGS := $(VFIO_OUT)/vfio-test $(VFIO_OUT)/vfio-bench $(VFIO_OUT)/edu-copy
$(VFIO_OUT)/%: tests/vfio/%.c drivers/edu/edu.c drivers/edu/edu.h $(BUILD)/libdmaport.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Idrivers/edu -static -o $@ $< drivers/edu/edu.c \
	  $(BUILD)/libdmaport.a -lpthread

$(VFIO_OUT)/edu-copy.c: docs/vfio.md
	@mkdir -p $(dir $@)
	sed -n '/^```c$$/,/^```$$/{/^```/d;p}' $< > $@

$(VFIO_OUT)/edu-copy: $(VFIO_OUT)/edu-copy.c drivers/edu/edu.c drivers/edu/edu.h $(BUILD)/libdmaport.a
	$(CC) $(CFLAGS_COMMON) -Werror -Idrivers/edu -static -o $@ $< drivers/edu/edu.c \
	  $(BUILD)/libdmaport.a -lpthread

.PHONY: vfio-test vfio-test-arm64 deps-vfio deps-vfio-arm64
deps-vfio deps-vfio-arm64:
	@sh scripts/deps.sh $(@:deps-%=%)

vfio-test: deps-build deps-vfio
	@$(MAKE) --no-print-directory $(VFIO_PROGS)
	@sh tests/vfio/build-guest.sh $(VFIO_OUT) $(VFIO_PROGS)
	@sh tests/vfio/run-guest.sh $(VFIO_OUT)

# The same on arm64 (qemu-system-aarch64 -M virt,iommu=smmuv3 and Debian's
# arm64 kernel): the library cross-built with the VFIO platform's arm64 arch
# file (cache maintenance from user space), the same programs.
VFIO_A64 := $(BUILD)/vfio-arm64
A64_CC := aarch64-linux-gnu-gcc
A64_LIB_SRCS := $(DMP_CORE_SRCS) $(DMP_HOST_SRCS) src/platform/linux-vfio/arch-aarch64.c \
	$(filter-out src/platform/linux-vfio/arch-%.c,$(wildcard src/platform/linux-vfio/*.c))
A64_LIB_OBJS := $(A64_LIB_SRCS:%.c=$(VFIO_A64)/obj/%.o)
A64_HDRS := $(wildcard include/dmaport/*.h src/*.h src/*/*.h src/platform/linux-vfio/*.h)
A64_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O2 -Iinclude $(WARN)
A64_PROGS := $(VFIO_A64)/vfio-test $(VFIO_A64)/vfio-bench $(VFIO_A64)/edu-copy

$(VFIO_A64)/obj/%.o: %.c $(A64_HDRS)
	@mkdir -p $(dir $@)
	$(A64_CC) $(A64_CFLAGS) -DDMP_BUILDING_LIBRARY -fvisibility=hidden -c $< -o $@

$(VFIO_A64)/libdmaport.a: $(A64_LIB_OBJS)
	@rm -f $@
	aarch64-linux-gnu-ar rcs $@ $^

$(VFIO_A64)/%: tests/vfio/%.c drivers/edu/edu.c drivers/edu/edu.h $(VFIO_A64)/libdmaport.a
	$(A64_CC) $(A64_CFLAGS) -Idrivers/edu -static -o $@ $< drivers/edu/edu.c \
	  $(VFIO_A64)/libdmaport.a -lpthread

$(VFIO_A64)/edu-copy: $(VFIO_OUT)/edu-copy.c drivers/edu/edu.c drivers/edu/edu.h $(VFIO_A64)/libdmaport.a
	$(A64_CC) $(A64_CFLAGS) -Werror -Idrivers/edu -static -o $@ $< drivers/edu/edu.c \
	  $(VFIO_A64)/libdmaport.a -lpthread

vfio-test-arm64: deps-build deps-vfio-arm64
	@$(MAKE) --no-print-directory $(A64_PROGS)
	@ARCH=arm64 sh tests/vfio/build-guest.sh $(VFIO_A64) $(A64_PROGS)
	@ARCH=arm64 sh tests/vfio/run-guest.sh $(VFIO_A64)

bench: deps-build
	@$(MAKE) --no-print-directory $(BUILD)/bin/dmaport-bench
	@for b in $(BENCH_NAMES); do $(BUILD)/bin/dmaport-bench $$b || exit 1; done

# The peer benchmark: dmaport against Linux's own iova.c, io-pgtable-arm.c and
# dmapool.c, and the map and unmap path of dma-iommu.c and iommu.c (cut out
# by scripts/linux-peer-extract.sh), fetched from Debian's linux-source
# package into the build directory (scripts/linux-peer.sh; nothing of Linux
# is in the repository) and built against bench/peer/shim.  A dmaport-bench
# with `peer` added.
# Not part of `make check`: the download is 150 MB.
PEER := $(BUILD)/peer
PEER_LX_SRCS := lib/rbtree.c drivers/iommu/iova.c drivers/iommu/io-pgtable-arm.c mm/dmapool.c
PEER_LX_OBJS := $(PEER_LX_SRCS:%.c=$(PEER)/obj/linux/%.o)
PEER_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g $(OPT) -fno-strict-aliasing -Ibench/peer/shim \
	-I$(PEER)/linux/include -Ibench/peer
PEER_NAMES := $(BENCH_NAMES) peer

$(PEER)/linux/FILES: scripts/linux-peer.sh
	sh scripts/linux-peer.sh $(PEER)/linux

PEER_SHIMS := $(wildcard bench/peer/shim/*.h bench/peer/shim/*/*.h bench/peer/shim/*/*/*.h)

# Linux's files as they are: their warnings are not ours to fix
$(PEER)/obj/linux/%.o: $(PEER)/linux/FILES $(PEER_SHIMS)
	@mkdir -p $(dir $@)
	$(CC) $(PEER_CFLAGS) -w -c $(PEER)/linux/$*.c -o $@

$(PEER)/gen/dma-iommu-path.c: $(PEER)/linux/FILES scripts/linux-peer-extract.sh
	@mkdir -p $(dir $@)
	sh scripts/linux-peer-extract.sh $(PEER)/linux $@

# lx-dma.c includes the extracted Linux text: warnings off for the same reason
$(PEER)/obj/lx-dma.o: bench/peer/lx-dma.c bench/peer/lx-peer.h $(PEER_SHIMS) $(PEER)/gen/dma-iommu-path.c
	@mkdir -p $(dir $@)
	$(CC) $(PEER_CFLAGS) -I$(PEER)/gen -w -c $< -o $@

$(PEER)/obj/lx-glue.o: bench/peer/lx-glue.c bench/peer/lx-peer.h $(PEER_SHIMS) $(PEER)/linux/FILES
	@mkdir -p $(dir $@)
	$(CC) $(PEER_CFLAGS) $(WARN) -Wno-missing-prototypes \
	  -DLX_VERSION='"'"$$(cat $(PEER)/linux/PACKAGE) $$(cat $(PEER)/linux/VERSION)"'"' -c $< -o $@

$(PEER)/obj/peer.o: bench/peer/peer.c bench/peer/lx-peer.h bench/bench.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Isrc -Ibench -Ibench/peer -MMD -MP -c $< -o $@

$(PEER)/gen/bench-table.c: FORCE
	@mkdir -p $(dir $@)
	@{ echo '#include "bench.h"'; \
	   for n in $(PEER_NAMES); do echo "int dmp_bench_$$n(int argc, char **argv);"; done; \
	   echo 'const struct bench_entry bench_table[] = {'; \
	   for n in $(PEER_NAMES); do echo "	{ \"$$n\", dmp_bench_$$n },"; done; \
	   echo '	{ 0, 0 } };'; } > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(PEER)/bin/dmaport-bench: tools/dmaport-bench.c $(BENCH_OBJS) $(PEER)/gen/bench-table.c \
		$(PEER)/obj/peer.o $(PEER)/obj/lx-glue.o $(PEER)/obj/lx-dma.o $(PEER_LX_OBJS) \
		$(BUILD)/libdmaport.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Ibench $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS) -lm

# The table is also kept in $(PEER)/peer.txt, for make bench-plot.
PEER_ARGS ?=
bench-peer: deps-build deps-peer
	@$(MAKE) --no-print-directory $(PEER)/bin/dmaport-bench
	@{ echo "machine: $$(nproc) CPUs, $$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1);" \
	  "load average at the start: $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	  $(PEER)/bin/dmaport-bench peer $(PEER_ARGS); } > $(PEER)/peer.txt.tmp; \
	  rc=$$?; cat $(PEER)/peer.txt.tmp; mv $(PEER)/peer.txt.tmp $(PEER)/peer.txt; exit $$rc

# The cutting of Linux's map and unmap path, on a small tree of our own (the
# real one needs the download, which make check does not do)
peer-extract-check:
	@sh tests/peer-extract/run.sh $(BUILD)

# The peer table as a chart for docs/performance.md: docs/peer.svg and
# docs/peer.png, from $(PEER)/peer.txt (make bench-peer first when absent).
bench-plot: deps-plot
	@[ -f $(PEER)/peer.txt ] || $(MAKE) --no-print-directory bench-peer
	sh scripts/peer-plot.sh $(PEER)/peer.txt docs/peer
# The programs in docs/*.md, extracted, built with -Werror and run (in the
# directory of the extracted files, so a program loads a tree of its page by
# name): each returns 0 when it sees what its page says it shows.  A C block
# without file=NAME would be built by nothing: refused (docs/vfio.md's one
# program is built and run by make vfio-test, in its guest).
docs-check: $(BUILD)/libdmaport.a
	@! grep -n '^```c *$$' $(filter-out docs/vfio.md,$(wildcard docs/*.md)) || \
	  { echo "docs-check: a \`\`\`c block above has no file=NAME: nothing builds it"; exit 1; }
	@rm -rf $(BUILD)/docs && n=0 && \
	for p in $$(sh scripts/doc-snippets.sh $(BUILD)/docs docs/*.md | grep '\.c$$'); do \
	  $(CC) -std=c11 -D_GNU_SOURCE -g -Wall -Wextra -Werror -Iinclude $(SAN_CFLAGS) \
	    -o $(BUILD)/docs/$${p%.c} $(BUILD)/docs/$$p $(BUILD)/libdmaport.a $(SAN_LDFLAGS) $(LDLIBS) && \
	  (cd $(BUILD)/docs && ./$${p%.c} > $${p%.c}.log 2>&1) || \
	  { cat $(BUILD)/docs/$${p%.c}.log 2>/dev/null; echo "docs-check: $$p FAILED"; exit 1; }; \
	  n=$$((n+1)); done; echo "docs-check: $$n program(s) from docs/ built and ran as documented"

# The dmaport,* bindings (docs/bindings/*.yaml, Linux's binding format) are
# valid schemas, and every tree dmaport accepts validates against them and
# dt-schema's core schemas: the example machines, the valid trees of tests/of/
# and the trees of docs/*.md (```dts file=NAME blocks).  tests/of/err-*.dts are
# exempt: each is wrong on purpose, for one of the reader's error paths.  Two
# of them must fail validation, so that a schema that checks nothing fails here.
BINDING_TREES = $(wildcard examples/platforms/*.dts) tests/drivers/eth.dts \
	$(filter-out tests/of/err-%,$(wildcard tests/of/*.dts))
BINDING_MUST_FAIL = tests/of/err-port-bits.dts tests/of/err-coherent-both.dts
bindings-check: deps-bindings
	@rm -rf $(BUILD)/bindings && mkdir -p $(BUILD)/bindings/docs
	@# both exit 0 on a schema they ignore for its errors: what they print fails the check
	@{ dt-doc-validate -u $(CURDIR)/docs/bindings docs/bindings/*.yaml && \
	  dt-mk-schema -j -o $(BUILD)/bindings/schema.json docs/bindings; } > $(BUILD)/bindings/schemas.log 2>&1 && \
	  ! [ -s $(BUILD)/bindings/schemas.log ] || \
	  { cat $(BUILD)/bindings/schemas.log; echo "bindings-check: docs/bindings/ has a schema error"; exit 1; }
	@docs=$$(sh scripts/doc-snippets.sh $(BUILD)/bindings/docs docs/*.md | \
	  sed -n 's|^\(.*\.dts\)$$|$(BUILD)/bindings/docs/\1|p') && n=0 && \
	for f in $(BINDING_TREES) $$docs; do \
	  b=$(BUILD)/bindings/$$(echo $$f | tr / _).dtb; \
	  dtc -q -I dts -O dtb -i tests/of -o $$b $$f && \
	  dt-validate -s $(BUILD)/bindings/schema.json $$b > $$b.log 2>&1 && ! [ -s $$b.log ] || \
	  { cat $$b.log; echo "bindings-check: $$f does not validate"; exit 1; }; \
	  n=$$((n+1)); done && \
	for f in $(BINDING_MUST_FAIL); do \
	  b=$(BUILD)/bindings/$$(echo $$f | tr / _).dtb; \
	  dtc -q -I dts -O dtb -i tests/of -o $$b $$f && \
	  dt-validate -s $(BUILD)/bindings/schema.json $$b > $$b.log 2>&1; \
	  grep -q "From schema: $(CURDIR)/docs/bindings/" $$b.log || \
	  { echo "bindings-check: $$f validates, but the bindings must refuse it"; exit 1; }; \
	done && \
	echo "bindings-check: $$(ls docs/bindings/*.yaml | wc -l) schemas valid; $$n trees" \
	  "validate (examples/platforms, tests/of but err-*, docs); $(words $(BINDING_MUST_FAIL))" \
	  "wrong trees refused"

# No host shadowing: every user-space <linux/...> header of this host has a
# compat file (a real header, a stub that stops the build naming the header,
# or - for the few the C library includes - a pass-through), and a driver
# including one compat lacks fails with a message naming it.
compat-guard-check:
	@missing=$$(find /usr/include/linux -name '*.h' | sed 's|^/usr/include/||' | while read -r f; do \
	  [ -e compat/$$f ] || echo $$f; done); \
	  if [ -n "$$missing" ]; then echo "compat-guard-check: the host has headers compat has no file for" \
	    "(run scripts/gen-compat-guards.sh):"; echo "$$missing" | head; exit 1; fi
	@mkdir -p $(BUILD)/guard
	@printf '#include <linux/module.h>\n#include <linux/netfilter.h>\n' > $(BUILD)/guard/stub.c
	@! $(CC) -std=c11 -D_GNU_SOURCE -Iinclude -Icompat -fsyntax-only $(BUILD)/guard/stub.c \
	  > $(BUILD)/guard/stub.log 2>&1 && grep -q '<linux/netfilter.h> is not provided' $(BUILD)/guard/stub.log
	@printf '#include <linux/module.h>\n#include <linux/no-such-header.h>\n' > $(BUILD)/guard/absent.c
	@! $(CC) -std=c11 -D_GNU_SOURCE -Iinclude -Icompat -fsyntax-only $(BUILD)/guard/absent.c \
	  > $(BUILD)/guard/absent.log 2>&1 && grep -q 'linux/no-such-header.h' $(BUILD)/guard/absent.log
	@printf '#include <errno.h>\n#include <limits.h>\n#include <fcntl.h>\n#include <sys/stat.h>\n#include <sys/ioctl.h>\n#include <sys/param.h>\n#include <sys/mount.h>\n#include <unistd.h>\n#include <linux/kernel.h>\nint f(void);\nint f(void) { return EPROBE_DEFER + PATH_MAX + O_RDONLY; }\n' > $(BUILD)/guard/libc.c
	@$(CC) -std=c11 -D_GNU_SOURCE -Iinclude -Icompat -fsyntax-only $(BUILD)/guard/libc.c
	@n=0; for h in $$(cd compat && grep -L 'generated by scripts/gen-compat-guards.sh' linux/*.h linux/*/*.h asm/*.h uapi/linux/*.h); do \
	  printf '#include <%s>\n' $$h > $(BUILD)/guard/alone.c; n=$$((n + 1)); \
	  v=$$(sed -n 's|^/\* compat-guard-check: \(-D[A-Z_]*=[0-9a-fx]*\) \*/$$|\1|p' compat/$$h); \
	  $(CC) -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror -Iinclude -Icompat $$v -fsyntax-only $(BUILD)/guard/alone.c \
	    || { echo "compat-guard-check: <$$h> does not compile on its own (-std=c11, no _GNU_SOURCE)"; exit 1; }; \
	  done; echo "compat-guard-check: $$n compat headers each compile alone, without _GNU_SOURCE"
	@# compat/README.md's table lists every real header (what it gives, what it does not)
	@n=0; for h in $$(cd compat && grep -L 'generated by scripts/gen-compat-guards.sh' linux/*.h linux/*/*.h asm/*.h uapi/linux/*.h); do \
	  grep -qF "| \`$$h\` |" compat/README.md || { echo "compat-guard-check: <$$h> has no row in compat/README.md's table"; exit 1; }; \
	  n=$$((n + 1)); done; echo "compat-guard-check: compat/README.md's table has a row for each of the $$n headers"
	@echo "compat-guard-check: $$(cd /usr/include && find linux -name '*.h' | wc -l) host <linux/...> headers guarded; a missing header is named"

# Install into a scratch prefix and build a program against it with pkg-config.
install-check: all
	@rm -rf $(BUILD)/stage
	@$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(BUILD)/stage >/dev/null
	@PKG_CONFIG_PATH=$(CURDIR)/$(BUILD)/stage/lib/pkgconfig; export PKG_CONFIG_PATH; \
	  $(CC) -o $(BUILD)/stage/hello examples/hello.c $$(pkg-config --cflags --libs dmaport) \
	    -Wl,-rpath,$(CURDIR)/$(BUILD)/stage/lib && $(BUILD)/stage/hello
	@PKG_CONFIG_PATH=$(CURDIR)/$(BUILD)/stage/lib/pkgconfig; export PKG_CONFIG_PATH; \
	  $(CC) -std=c11 -Wall -Wextra -Werror -c examples/linux-driver/ce-linux.c \
	    -o $(BUILD)/stage/ce-linux.o $$(pkg-config --cflags dmaport) \
	    -I "$$(pkg-config --variable=compatdir dmaport)" && \
	  $(CC) -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror -c examples/drivers/ce-platform.c \
	    -o $(BUILD)/stage/ce-platform.o $$(pkg-config --cflags dmaport) \
	    -I "$$(pkg-config --variable=compatdir dmaport)"
	@echo "install-check: installed headers, library, pkg-config file and compat headers work"

install: all
	install -d $(DESTDIR)$(PREFIX)/include/dmaport/sim $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/dmaport/*.h $(DESTDIR)$(PREFIX)/include/dmaport/
	install -m 644 include/dmaport/sim/*.h $(DESTDIR)$(PREFIX)/include/dmaport/sim/
	cd compat && find . -name '*.h' ! -path './kernel/*' | while read -r h; do \
	  install -D -m 644 "$$h" "$(DESTDIR)$(PREFIX)/include/dmaport/compat/$$h" || exit 1; done
	install -m 644 $(BUILD)/libdmaport.a $(COMPAT_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libdmaport.so $(DESTDIR)$(PREFIX)/lib/libdmaport.so.0
	ln -sf libdmaport.so.0 $(DESTDIR)$(PREFIX)/lib/libdmaport.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' dmaport.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/dmaport.pc
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build
	$(MAKE) -C ports/qemu-virt-aarch64 clean

-include $(shell find $(BUILD)/obj $(BUILD)/peer/obj $(FS) $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)
