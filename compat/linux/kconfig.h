/* SPDX-License-Identifier: MIT */
/*
 * <linux/kconfig.h> for dmaport's Linux-compat layer: the kernel
 * configuration a driver sees, IS_ENABLED(), and the Linux version the
 * compat layer presents.
 *
 * Every compat header includes this one (through <linux/compiler.h>), so
 * `#ifdef CONFIG_OF` in a driver sees the configuration below whatever it
 * includes first, as Linux's -include of autoconf.h gives.
 *
 * The configuration is that of an arm64 kernel with device tree, PCI with
 * MSI, the IOMMU API and DMA-IOMMU, swiotlb, CMA and declared coherent
 * memory, and no power management (CONFIG_PM off: drivers' suspend and
 * resume callbacks are compiled out where they use the usual guards).
 *
 * The Linux version.  Drivers of every era compile: DMP_LINUX_VERSION (or
 * LINUX_VERSION_CODE, if the build defines it) selects the API of that
 * version where Linux changed it; the default is today's (6.12).  E.g.
 *   cc -DDMP_LINUX_VERSION='KERNEL_VERSION(3,14,0)' ...   the talk's era
 * selects struct dma_attrs for the _attrs calls and the int remove() of
 * platform drivers.  What each version changes: compat/README.md.
 *
 * KBUILD_MODNAME, which Kbuild defines per module (-DKBUILD_MODNAME='"name"'),
 * defaults to the path of the file being compiled (__BASE_FILE__); the
 * runtime matches a module by that file's base name.
 */
#ifndef DMP_COMPAT_LINUX_KCONFIG_H
#define DMP_COMPAT_LINUX_KCONFIG_H

#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))

#ifndef DMP_LINUX_VERSION
#ifdef LINUX_VERSION_CODE
#define DMP_LINUX_VERSION LINUX_VERSION_CODE
#else
#define DMP_LINUX_VERSION KERNEL_VERSION(6, 12, 0)
#endif
#endif

#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME __BASE_FILE__
#endif
#ifndef KBUILD_BASENAME
#define KBUILD_BASENAME KBUILD_MODNAME
#endif

#define CONFIG_64BIT 1
#define CONFIG_ARM64 1
#define CONFIG_MMU 1
#define CONFIG_OF 1
#define CONFIG_OF_ADDRESS 1
#define CONFIG_OF_IRQ 1
#define CONFIG_OF_RESERVED_MEM 1
#define CONFIG_HAS_DMA 1
#define CONFIG_HAS_IOMEM 1
#define CONFIG_PCI 1
#define CONFIG_PCI_MSI 1
#define CONFIG_PCI_DOMAINS 1
#define CONFIG_IOMMU_API 1
#define CONFIG_IOMMU_DMA 1
#define CONFIG_SWIOTLB 1
#define CONFIG_DMA_CMA 1
#define CONFIG_CMA 1
#define CONFIG_CMA_SIZE_MBYTES 16
#define CONFIG_CMA_SIZE_SEL_MBYTES 1
#define CONFIG_CMA_ALIGNMENT 8
#define CONFIG_DMA_DECLARE_COHERENT 1
#define CONFIG_DMA_GLOBAL_POOL 1
#define CONFIG_DMA_NONCOHERENT_MMAP 1
#define CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE 1
#define CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU 1
#define CONFIG_DMA_API_DEBUG 1
#define CONFIG_DEBUG_FS 1
#define CONFIG_GENERIC_IRQ_SHOW 1
#define CONFIG_IRQ_DOMAIN 1
#define CONFIG_HZ 1000
#define CONFIG_NR_CPUS 1
#define CONFIG_PAGE_SHIFT 12
#if DMP_LINUX_VERSION < KERNEL_VERSION(5, 7, 0)
/* the ARM32 DMA-IOMMU glue the talk shows (arm_iommu_create_mapping ...) */
#define CONFIG_ARM_DMA_USE_IOMMU 1
#endif

/* IS_ENABLED and friends, by the placeholder trick Linux uses: an option
 * defined to 1 expands to a comma that selects the first alternative. */
#define DMP__LX_ARG_PLACEHOLDER_1 0,
#define DMP__LX_TAKE_SECOND(ignored, val, ...) val
#define DMP__LX_IS_DEFINED(x) DMP__LX_IS_DEFINED2(x)
#define DMP__LX_IS_DEFINED2(val) DMP__LX_IS_DEFINED3(DMP__LX_ARG_PLACEHOLDER_##val)
#define DMP__LX_IS_DEFINED3(arg1_or_junk) DMP__LX_TAKE_SECOND(arg1_or_junk 1, 0, 0)
#define IS_BUILTIN(option) DMP__LX_IS_DEFINED(option)
#define IS_MODULE(option) 0
#define IS_REACHABLE(option) IS_BUILTIN(option)
#define IS_ENABLED(option) IS_BUILTIN(option)

#endif /* DMP_COMPAT_LINUX_KCONFIG_H */
