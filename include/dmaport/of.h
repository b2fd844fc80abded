/* SPDX-License-Identifier: MIT */
/*
 * dmaport/of.h - the platform description read from a flattened device tree.
 *
 * Callers' header, for the programs that build a machine from a device tree
 * (dmaport-sim, tests, a bare-metal port).  dmp_of_parse() reads a .dtb with
 * libfdt, validates it and fills a struct dmp_of_platform: memory, the cache
 * configuration, reserved memory (CMA areas, declared coherent pools,
 * restricted DMA pools), IOMMUs, simulated devices and PCI host bridges.  It
 * builds nothing: the layers that instantiate the machine consume the
 * description.
 *
 * The description is plain data in fixed-capacity arrays (the DMP_OF_MAX_*
 * limits below), in storage the caller owns, like libfdt: the parser never
 * allocates, and the description holds no pointer into the blob, so the blob
 * may be freed once parsed.  struct dmp_of_platform is large (tens of KiB):
 * put it in static or heap storage rather than on a small stack.
 *
 * What is read (bindings: Documentation/devicetree/bindings/ in Linux,
 * reserved-memory/ (*.yaml), iommu/iommu.txt, pci/pci-iommu.txt, and the
 * devicetree specification):
 *
 *   /memory nodes      device_type = "memory", reg with the root's cells.
 *   /cpus              d-cache-line-size (or cache-line-size,
 *                      d-cache-block-size) of the cpu nodes; the
 *                      next-level-cache chain to a compatible = "cache",
 *                      cache-level = <2> node: an outer cache.
 *   /reserved-memory   #address-cells/#size-cells equal to the root's, an
 *                      empty ranges; children: shared-dma-pool + reusable
 *                      (CMA), shared-dma-pool otherwise (declared coherent
 *                      memory, usually no-map), restricted-dma-pool, anything
 *                      else (recorded as OTHER); static reg, or dynamic size +
 *                      alignment + alloc-ranges; linux,cma-default and
 *                      linux,dma-default.
 *   IOMMUs             every enabled node with #iommu-cells.
 *   devices            every enabled node with a "dmaport,*" compatible
 *                      (other than dmaport,sim-iommu): reg (translated to a
 *                      CPU address through the parents' ranges),
 *                      dmaport,port-bits, interrupts, dma-coherent /
 *                      dma-noncoherent (inherited from the parents),
 *                      dma-ranges (composed through the parents, see
 *                      struct dmp_of_dma_map), iommus, memory-region.
 *   PCI host bridges   nodes with device_type = "pci" whose parent is not a
 *                      PCI bridge: reg, dma-ranges, coherence, iommu-map and
 *                      iommu-map-mask, the first memory window of ranges.
 *   PCI functions      the children of a host bridge that are not bridges:
 *                      reg (bus/device/function), vendor-id, device-id,
 *                      class-code or a "pciVVVV,DDDD" compatible, a
 *                      "dmaport,*" model, interrupts (the pin) through the
 *                      host's interrupt-map, dmaport,port-bits.
 * Nodes with status other than "okay"/"ok" are ignored with their subtrees.
 * Everything else is ignored.
 *
 * Addresses must fit the cells that hold them: on a bus with one address
 * cell, a reg, ranges or dma-ranges entry that ends past 4 GiB is refused
 * (its size may have more cells than its address; the end may not).
 *
 * Error codes of this header (every function returns 0 or one of them):
 *   -EINVAL  the blob is not a valid flattened device tree (bad magic,
 *            truncated, corrupt structure), or a property is malformed: a
 *            length that is not a whole number of its cells or tuples, a
 *            cell count out of range, a value that does not fit 64 bits, a
 *            required property missing (#iommu-cells on a node used as an
 *            IOMMU, reg on a memory node or a copy engine, ranges on a bus
 *            whose children have reg), contradictory properties (reusable
 *            with no-map, dma-coherent with dma-noncoherent), a value out of
 *            range (cache line size, port bits, alignment not a power of two,
 *            sizes not page multiples).
 *   -ENOENT  a phandle names no node (or a disabled one), or the tree has no
 *            memory.
 *   -EEXIST  two things claim the same place: overlapping memory or static
 *            reserved regions, MMIO windows overlapping each other or memory,
 *            a second linux,cma-default or linux,dma-default.
 *   -ERANGE  an address lies outside memory: a static reserved region or an
 *            alloc-range not inside a memory region, a dynamic region (a CMA
 *            area, a pool) with no room in the memory it may come from,
 *            dma-ranges that reach no memory.
 *   -ENOMEM  the tree exceeds one of the DMP_OF_MAX_* capacities of the
 *            description (a node path, a table); or, for dmp_of_parse_file(),
 *            no memory for the blob.
 *   -EIO     dmp_of_parse_file() only: the file cannot be read, or dtc
 *            cannot be run or fails.
 *   -EFBIG   dmp_of_parse_file() only: the blob (read or compiled) is larger
 *            than 16 MiB, which no platform description needs.
 * None of them is helped by a retry with the same tree.
 */
#ifndef DMAPORT_OF_H
#define DMAPORT_OF_H

#include <stdio.h>

#include <dmaport/types.h>

DMP_BEGIN_DECLS

/* Capacities of the description. */
#define DMP_OF_PATH_MAX 96        /* node paths, NUL included */
#define DMP_OF_COMPAT_MAX 48      /* one compatible string, NUL included */
#define DMP_OF_COMPAT_LIST_MAX 128 /* an IOMMU's whole compatible list */
#define DMP_OF_PROP_MAX 32        /* property names in errors */
#define DMP_OF_MAX_MEMORY 8       /* memory regions (DMP_MAX_REGIONS) */
#define DMP_OF_MAX_RESERVED 16    /* /reserved-memory children */
#define DMP_OF_MAX_ALLOC_RANGES 4 /* alloc-ranges of one reserved region */
#define DMP_OF_MAX_IOMMUS 8
#define DMP_OF_MAX_DEVICES 32
#define DMP_OF_MAX_PCI_HOSTS 4
#define DMP_OF_MAX_PCI_FUNCS 16   /* PCI functions the tree describes */
#define DMP_OF_MAX_INTX_MAP 16    /* interrupt-map entries of one host bridge */
#define DMP_OF_MAX_DMA_RANGES 8   /* composed dma-ranges of one device */
#define DMP_OF_MAX_IOMMU_REFS 4   /* iommus specifiers of one device */
#define DMP_OF_MAX_IOMMU_ARGS 4   /* #iommu-cells */
#define DMP_OF_MAX_MEM_REFS 4     /* memory-region phandles of one device */
#define DMP_OF_MAX_IOMMU_MAP 8    /* iommu-map entries of one host bridge */
#define DMP_OF_MAX_IRQ_CELLS 4
#define DMP_OF_MAX_DEPTH 32       /* node nesting */

/** A [base, base + size) range of CPU physical addresses. */
struct dmp_of_range {
	dmp_phys_t base;
	uint64_t size;
};

/** One composed dma-ranges window: bus [dma_addr, +size) is CPU [cpu_addr, +size). */
struct dmp_of_dma_range {
	dmp_phys_t cpu_addr;
	dmp_addr_t dma_addr;
	uint64_t size;
};

/**
 * struct dmp_of_dma_map - how a device's bus addresses reach CPU addresses.
 * @identity:  no dma-ranges apply: a bus address is the CPU address (Linux:
 *             of_dma_get_range() returns -ENODEV, no bus_dma_region);
 *             @nr is 0.
 * @nr, @r:    else the windows, in the order of the dma-ranges property that
 *             defines them, composed with the dma-ranges of the buses above
 *             it; a bus address outside every window is unreachable.
 * @source:    the path of the bus node whose dma-ranges define the windows
 *             ("" when @identity).
 * @bus_limit: the highest bus address the device may use (inclusive): the end
 *             of the highest window, or ~0 when @identity (Linux's
 *             bus_dma_limit).
 *
 * Which dma-ranges apply follows Linux's of_dma_get_range()
 * (drivers/of/address.c): starting at the device's parent bus (a PCI host
 * bridge starts at itself), walk up to the first node with a non-empty
 * dma-ranges; empty dma-ranges on the way mean 1:1 and the walk goes on; a
 * node other than the first one lacking dma-ranges ends the walk with no
 * translation (@identity).  The windows' parent-side addresses are then
 * translated through the dma-ranges of each bus above, where an empty or
 * absent dma-ranges is 1:1 (as of_translate_dma_address() treats it);
 * dmaport splits a window that crosses windows of a bus above, where Linux
 * translates only its start.
 */
struct dmp_of_dma_map {
	bool identity;
	unsigned int nr;
	struct dmp_of_dma_range r[DMP_OF_MAX_DMA_RANGES];
	char source[DMP_OF_PATH_MAX];
	dmp_addr_t bus_limit;
};

/**
 * struct dmp_of_cache - the data cache configuration, from /cpus.
 * @line_size:         the CPUs' L1 data cache line size (32, 64 or 128: the
 *                     simulator's sizes); 64 when the tree gives none.
 * @line_size_from_dt: the tree gave it.
 * @outer_cache:       the next-level-cache chain of the CPUs reaches a
 *                     compatible = "cache" node with cache-level = <2>: an
 *                     outer cache that DMA bypasses.
 * @outer_path:        that node's path.
 * @outer_line_size:   its cache-line-size: 32, 64 or 128 (0 when absent).
 * @outer_size:        its cache-size: 1 KiB .. 1 GiB of whole lines (0 when
 *                     absent).  Other values of either are refused.
 * The next-level-cache chains are walked to their end: one that names its
 * own node or comes back to a node it passed is refused (-EINVAL).
 * @outer_unified:     it has cache-unified.
 */
struct dmp_of_cache {
	unsigned int line_size;
	bool line_size_from_dt;
	bool outer_cache;
	char outer_path[DMP_OF_PATH_MAX];
	unsigned int outer_line_size;
	uint64_t outer_size;
	bool outer_unified;
};

/** What a /reserved-memory child is for. */
enum dmp_of_rmem_kind {
	DMP_OF_RMEM_OTHER = 0,      /* not a DMA pool: carved out, nothing more */
	DMP_OF_RMEM_CMA = 1,        /* shared-dma-pool, reusable: a CMA area */
	DMP_OF_RMEM_COHERENT = 2,   /* shared-dma-pool, not reusable: declared coherent memory */
	DMP_OF_RMEM_RESTRICTED = 3, /* restricted-dma-pool: a per-device swiotlb */
};

/**
 * struct dmp_of_reserved - one /reserved-memory child.
 * @is_static:    @base/@size come from reg.  Else the region is dynamic:
 *                @size bytes aligned to @alignment (0: none given) inside one
 *                of @alloc_ranges (none: anywhere in memory), and the parser
 *                has placed it at @base as Linux's memblock would: top-down,
 *                alloc-range by alloc-range, aligned to at least a page,
 *                clear of the static regions and of the dynamic ones before
 *                it in the tree.
 * @base, @size:  where it is (placed, for a dynamic region).
 * @memory:       the index of the memory region holding it.
 * @phandle:      its phandle (0: none), what memory-region refers to.
 * @cma_default:  linux,cma-default: the default CMA area (CMA only).
 * @dma_default:  linux,dma-default: the default coherent pool (COHERENT only).
 */
struct dmp_of_reserved {
	char path[DMP_OF_PATH_MAX];
	enum dmp_of_rmem_kind kind;
	bool is_static;
	dmp_phys_t base;
	uint64_t size;
	uint64_t alignment;
	unsigned int nr_alloc_ranges;
	struct dmp_of_range alloc_ranges[DMP_OF_MAX_ALLOC_RANGES];
	unsigned int memory;
	uint32_t phandle;
	bool no_map;
	bool reusable;
	bool cma_default;
	bool dma_default;
};

/** Which IOMMU model a node is: the reader's own classification, for its
 * checks (#iommu-cells) and dumps.  Platforms choose a driver by compatible
 * (dmp_of_iommu_compatible()), so a new driver needs no entry here. */
enum dmp_of_iommu_kind {
	DMP_OF_IOMMU_OTHER = 0,  /* an IOMMU dmaport has no model for */
	DMP_OF_IOMMU_SIM = 1,    /* "dmaport,sim-iommu": the simulator's IOMMU */
	DMP_OF_IOMMU_SMMUV3 = 2, /* "arm,smmu-v3" */
};

/**
 * struct dmp_of_iommu - a node with #iommu-cells.
 * @compatible:  the first string of its compatible list.
 * @compatibles, @compatibles_len: the whole list (NUL-terminated strings,
 *           @compatibles_len bytes with the NULs; at most
 *           DMP_OF_COMPAT_LIST_MAX).
 * @cells:   its #iommu-cells (0..DMP_OF_MAX_IOMMU_ARGS; 1 for the SIM and
 *           SMMUV3 kinds: the stream ID).
 * @has_reg, @reg: its register window, translated to a CPU address.
 */
struct dmp_of_iommu {
	char path[DMP_OF_PATH_MAX];
	char compatible[DMP_OF_COMPAT_MAX];
	char compatibles[DMP_OF_COMPAT_LIST_MAX];
	unsigned int compatibles_len;
	enum dmp_of_iommu_kind kind;
	uint32_t phandle;
	unsigned int cells;
	bool has_reg;
	struct dmp_of_range reg;
};

/** One specifier of a device's iommus: the IOMMU's index and its cells. */
struct dmp_of_iommu_ref {
	unsigned int iommu;
	unsigned int nr_args;
	uint32_t args[DMP_OF_MAX_IOMMU_ARGS]; /* args[0]: the stream ID, by convention */
};

/** Device models dmaport knows. */
enum dmp_of_device_kind {
	DMP_OF_DEV_OTHER = 0,       /* some other "dmaport,*" compatible */
	DMP_OF_DEV_COPY_ENGINE = 1, /* "dmaport,copy-engine" */
	DMP_OF_DEV_ZYNQ_DEVCFG = 2, /* "xlnx,zynq-devcfg-1.0": Zynq's PCAP/DevC */
	DMP_OF_DEV_SYSCON = 3,      /* "xlnx,zynq-slcr": plain registers (syscon) */
	DMP_OF_DEV_ETH_NIC = 4,     /* "dmaport,eth-nic": an Ethernet controller */
};

/**
 * struct dmp_of_device - a simulated device ("dmaport,*" compatible, or one
 * of the other compatibles the simulator has a model for: see
 * enum dmp_of_device_kind).
 * @compatible:   the first "dmaport,*" string of its compatible (or the
 *                modelled one).
 * @has_reg, @reg: its MMIO window (first reg entry), as a CPU address.
 * @port_bits:    dmaport,port-bits: the DMA port's address width (1..64); 64
 *                when absent (@port_bits_from_dt false).
 * @coherent:     dma-coherent (on it or the nearest parent with either
 *                property; default non-coherent, as Linux on Arm).
 * @dma:          its dma-ranges map.
 * @iommus:       its iommus specifiers (none: not behind an IOMMU).
 * @mem_regions:  memory-region: indices into the reserved array, in order.
 * @irq:          interrupts cells, recorded as they are.
 */
struct dmp_of_device {
	char path[DMP_OF_PATH_MAX];
	char compatible[DMP_OF_COMPAT_MAX];
	enum dmp_of_device_kind kind;
	bool has_reg;
	struct dmp_of_range reg;
	unsigned int port_bits;
	bool port_bits_from_dt;
	bool coherent;
	struct dmp_of_dma_map dma;
	unsigned int nr_iommus;
	struct dmp_of_iommu_ref iommus[DMP_OF_MAX_IOMMU_REFS];
	unsigned int nr_mem_regions;
	unsigned int mem_regions[DMP_OF_MAX_MEM_REFS];
	unsigned int nr_irq_cells;
	uint32_t irq[DMP_OF_MAX_IRQ_CELLS];
};

/**
 * struct dmp_of_iommu_map - one iommu-map entry: requester IDs
 * [rid_base, rid_base + length) (after iommu-map-mask) map to stream IDs
 * [iommu_base, iommu_base + length) of IOMMU @iommu (pci/pci-iommu.txt).
 */
struct dmp_of_iommu_map {
	uint32_t rid_base;
	unsigned int iommu;
	uint32_t iommu_base;
	uint32_t length;
};

/**
 * struct dmp_of_pci_host - a PCI host bridge.
 * @iommu_map_mask: iommu-map-mask, 0xffffffff when absent (Linux's of_map_id()).
 * @dma:            the dma-ranges map its PCI devices see (its own
 *                  dma-ranges first, then its parents').
 */
struct dmp_of_pci_host {
	char path[DMP_OF_PATH_MAX];
	char compatible[DMP_OF_COMPAT_MAX];
	bool has_reg;
	struct dmp_of_range reg;
	bool coherent;
	struct dmp_of_dma_map dma;
	unsigned int nr_iommu_map;
	struct dmp_of_iommu_map iommu_map[DMP_OF_MAX_IOMMU_MAP];
	uint32_t iommu_map_mask;
	/* the first memory window of its ranges (32- or 64-bit MEM space): where
	 * BARs are placed, @mem as CPU addresses, @mem_pci its PCI bus address */
	bool has_mem;
	struct dmp_of_range mem;
	uint64_t mem_pci;
};

/**
 * struct dmp_of_pci_function - a PCI function the tree describes: a child of
 * a host bridge (bindings/pci/pci.txt: reg's first cell is
 * 0b00000000 bbbbbbbb dddddfff 00000000), compatible "pciVVVV,DDDD" and,
 * for a simulated one, a "dmaport,*" string naming its model.
 * @compatible:  the model's "dmaport,*" compatible ("" when none).
 * @host:        index of its host bridge in pci_hosts.
 * @bus, @devfn: from reg.
 * @vendor, @device: vendor-id/device-id, else from "pciVVVV,DDDD" (0xffff:
 *               neither).
 * @class_code:  class-code (0 when absent).
 * @intx_pin:    its interrupt pin (1..4 = INTA..INTD): the node's interrupts
 *               cell, INTA by default.
 * @intx, @nr_intx_cells: the pin's interrupt through the host's
 *               interrupt-map, as the parent controller's specifier (none
 *               when the host has no interrupt-map or no entry matches).
 * @port_bits:   dmaport,port-bits (64 when absent).
 * @coherent:    dma-coherent of the node or its host.
 * @iommu, @sid: its IOMMU and stream ID through the host's iommu-map and
 *               iommu-map-mask from the requester ID (bus << 8 | devfn);
 *               @has_iommu false when the host has no iommu-map or no entry
 *               covers the ID (Linux: no IOMMU for the device).
 */
struct dmp_of_pci_function {
	char path[DMP_OF_PATH_MAX];
	char compatible[DMP_OF_COMPAT_MAX];
	unsigned int host;
	uint8_t bus, devfn;
	uint16_t vendor, device;
	uint32_t class_code;
	uint8_t intx_pin;
	unsigned int nr_intx_cells;
	uint32_t intx[DMP_OF_MAX_IRQ_CELLS];
	unsigned int port_bits;
	bool coherent;
	bool has_iommu;
	unsigned int iommu;
	uint32_t sid;
};

/**
 * struct dmp_of_platform - the whole description.
 * @model:          the root's model string ("" when absent).
 * @addr_cells, @size_cells: the root's.
 * @memory:         memory regions, sorted by base, page aligned, disjoint.
 * @memory_path:    the path of the memory node each region comes from.
 * @default_cma:    index of the linux,cma-default CMA area, or -1.
 * @default_dma:    index of the linux,dma-default coherent pool, or -1.
 */
struct dmp_of_platform {
	char model[64];
	unsigned int addr_cells, size_cells;
	unsigned int nr_memory;
	struct dmp_of_range memory[DMP_OF_MAX_MEMORY];
	char memory_path[DMP_OF_MAX_MEMORY][DMP_OF_PATH_MAX];
	struct dmp_of_cache cache;
	unsigned int nr_reserved;
	struct dmp_of_reserved reserved[DMP_OF_MAX_RESERVED];
	int default_cma;
	int default_dma;
	unsigned int nr_iommus;
	struct dmp_of_iommu iommus[DMP_OF_MAX_IOMMUS];
	unsigned int nr_devices;
	struct dmp_of_device devices[DMP_OF_MAX_DEVICES];
	unsigned int nr_pci_hosts;
	struct dmp_of_pci_host pci_hosts[DMP_OF_MAX_PCI_HOSTS];
	unsigned int nr_pci_funcs;
	struct dmp_of_pci_function pci_funcs[DMP_OF_MAX_PCI_FUNCS];
};

/**
 * struct dmp_of_error - why a tree was refused.
 * @code:     the negative errno returned.
 * @path:     the node at fault ("" for the blob as a whole).
 * @property: the property at fault ("" for the node as a whole).
 * @message:  a sentence for a human.
 */
struct dmp_of_error {
	int code;
	char path[DMP_OF_PATH_MAX];
	char property[DMP_OF_PROP_MAX];
	char message[192];
};

/**
 * dmp_of_parse - read and validate a flattened device tree.
 * @fdt:  the blob (any alignment libfdt accepts: 8-byte aligned is safe).
 * @size: bytes available at @fdt; the blob's totalsize must fit in it.
 * @out:  receives the description; zeroed on failure.
 * @err:  receives the reason on failure (may be NULL); cleared on success.
 *
 * Returns 0 or a negative errno of this header's list.  Reads only the blob;
 * allocates nothing; no global state: may run concurrently on different
 * outputs.
 */
DMP_API int dmp_of_parse(const void *fdt, size_t size, struct dmp_of_platform *out,
			 struct dmp_of_error *err);

/**
 * dmp_of_parse_file - dmp_of_parse() of a file.
 * @path: a .dtb; a name ending in ".dts" is compiled first by running
 *        `dtc -q -I dts -O dtb` (found on PATH) and reading its output.
 *
 * Returns what dmp_of_parse() returns, or -EIO (the file cannot be read, dtc
 * cannot be run or fails: its messages go to stderr), -EFBIG (the blob is
 * over 16 MiB; dtc is stopped, not waited for until it finishes writing) or
 * -ENOMEM (no memory for the blob).  Hosted platforms only; allocates the blob and frees it
 * before returning.  May block.
 */
DMP_API int dmp_of_parse_file(const char *path, struct dmp_of_platform *out,
			      struct dmp_of_error *err);

/**
 * dmp_of_read_file - the flattened tree of @path (a .dtb, or a .dts compiled
 * with dtc as dmp_of_parse_file does), not validated: *@blob (free() it) and
 * *@len.  Returns 0, -EIO or -ENOMEM; @err (may be NULL) says why.  Hosted
 * platforms only.  May block.
 */
DMP_API int dmp_of_read_file(const char *path, void **blob, size_t *len, struct dmp_of_error *err);

/**
 * dmp_of_dump - print the description: memory, caches, reserved regions
 * (CMA areas, coherent and restricted pools), IOMMUs, devices with their
 * masks and ranges, PCI host bridges.  For `dmaport-sim dump`.
 */
DMP_API void dmp_of_dump(const struct dmp_of_platform *plat, FILE *f);

/**
 * dmp_of_error_format - "PATH: PROPERTY: MESSAGE (errno name)" into @buf.
 */
DMP_API void dmp_of_error_format(const struct dmp_of_error *err, char *buf, size_t len);

/**
 * dmp_of_find_device - the device at @path, or NULL.
 */
DMP_API const struct dmp_of_device *dmp_of_find_device(const struct dmp_of_platform *plat,
						       const char *path);

/**
 * dmp_of_dma_to_phys - translate bus address @dma of a device with map @map.
 * Returns 0 and sets *@phys, or -ERANGE if no window holds @dma.
 */
DMP_API int dmp_of_dma_to_phys(const struct dmp_of_dma_map *map, dmp_addr_t dma, dmp_phys_t *phys);

/**
 * dmp_of_phys_to_dma - the bus address at which a device with map @map
 * reaches CPU address @phys.  Returns 0 and sets *@dma, or -ERANGE.
 */
DMP_API int dmp_of_phys_to_dma(const struct dmp_of_dma_map *map, dmp_phys_t phys, dmp_addr_t *dma);

/** dmp_of_rmem_kind_name - "cma", "coherent", "restricted", "other". */
DMP_API const char *dmp_of_rmem_kind_name(enum dmp_of_rmem_kind kind);

DMP_END_DECLS

#endif /* DMAPORT_OF_H */
