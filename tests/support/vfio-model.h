/* vfio-model.h - a model of the kernel's VFIO for tests of the Linux VFIO
 * platform (src/platform/linux-vfio/): the type1v2 container, one group
 * and one vfio-pci device, behind the platform's table of system calls.
 * Written from Documentation/driver-api/vfio.rst and the rules of
 * drivers/vfio/vfio_iommu_type1.c, independently of the platform. */
#ifndef DMP_TEST_VFIO_MODEL_H
#define DMP_TEST_VFIO_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vfio.h>

#define FD_CONTAINER 1000
#define FD_GROUP 2000 /* + group number */
#define FD_DEVICE 3000
#define BDF "0000:00:02.0"
#define GROUP 7
#define BAR0_ADDR 0xfea00000u
#define BAR0_SIZE (1u << 20)
#define REGION_OFFSET(i) ((uint64_t)(i) << 40) /* vfio-pci's VFIO_PCI_INDEX_TO_OFFSET */
#define MAX_MAPS 8192

struct kmap {
	uint64_t iova, size, vaddr;
	uint32_t flags;
};

/* The model's state: configuration (set by a test before it opens the
 * platform), then what the "kernel" holds.  Not thread-safe: the platform
 * calls the container's ioctls under its own lock. */
struct vfio_model {
	/* configuration, set by each test before it opens the platform */
	bool no_vfio;                 /* no /dev/vfio/vfio */
	bool not_viable;
	int dt;                       /* -1 no device tree, else dma-coherent on the bridge */
	struct vfio_iova_range ranges[4];
	unsigned int nr_ranges;
	uint64_t pgsizes;
	unsigned int entry_limit;     /* dma_entry_limit */
	unsigned long fail_request;   /* ioctl request to fail ... */
	int fail_nth;                 /* ... at its nth call (1 = next) */
	int fail_errno;

	/* state */
	bool group_in_container;
	bool iommu_set;
	bool device_open;
	struct kmap maps[MAX_MAPS];
	unsigned int nr_maps;
	unsigned long map_calls, unmap_calls;
	uint8_t config[256];
	void *bar;                    /* the mmap of BAR0 */
	int irq_index, irq_count, irq_fd;
};
extern struct vfio_model vmodel;

/** vfio_model_install - a fresh model behind dmp__vfio_sys (x86 ranges, no failures). */
void vfio_model_install(void);
/** vfio_model_reset - a fresh model (the table is left as it is). */
void vfio_model_reset(void);
/** vfio_model_map_at - the container's mapping that holds @iova, or NULL. */
const struct kmap *vfio_model_map_at(uint64_t iova);

#endif /* DMP_TEST_VFIO_MODEL_H */
