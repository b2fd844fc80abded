/* SPDX-License-Identifier: MIT */
/*
 * pci.c - simulated PCI: a host bridge's ECAM window, functions' type 0
 * configuration headers with BARs, MSI and INTx (see <dmaport/sim/pci.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/pci.h>

#include "sim-internal.h"

#define CFG_SIZE 4096
#define MAX_FUNCS 64

struct dmp_sim_pci_func {
	struct dmp_sim_pci_host *host;
	uint8_t bus, devfn;
	char name[32];
	uint8_t cfg[CFG_SIZE];
	uint8_t wmask[CFG_SIZE];     /* writable bits of each byte */
	uint64_t bar_size[DMP_SIM_PCI_NR_BARS];
	dmp_phys_t window;           /* the CPU range its BARs were placed in */
	size_t window_size;
	unsigned int msi_vectors;
	int intx_line;               /* controller line of the pin, -1 none */
	bool intx_asserted;
	uint32_t msi_pending;
	struct dmp_sim_device *dev;
	const struct dmp_sim_pci_func_ops *ops;
	void *priv;
};

struct dmp_sim_pci_host {
	struct dmp_sim *sim;
	char name[32];
	struct dmp_sim_device *ecam;
	dmp_phys_t ecam_base;
	size_t ecam_size;
	dmp_phys_t mem_base;
	uint64_t mem_pci, mem_size, mem_next;
	struct dmp_sim_pci_func *funcs[MAX_FUNCS];
	unsigned int nr_funcs;
};

static uint32_t get(const struct dmp_sim_pci_func *f, unsigned int reg, unsigned int width)
{
	uint32_t v = 0;
	for (unsigned int i = 0; i < width; i++)
		v |= (uint32_t)f->cfg[reg + i] << (8 * i);
	return v;
}

static void set(struct dmp_sim_pci_func *f, unsigned int reg, unsigned int width, uint32_t v,
		uint32_t writable)
{
	for (unsigned int i = 0; i < width; i++) {
		f->cfg[reg + i] = (uint8_t)(v >> (8 * i));
		f->wmask[reg + i] = (uint8_t)(writable >> (8 * i));
	}
}

static uint16_t command(const struct dmp_sim_pci_func *f)
{
	return (uint16_t)get(f, DMP_PCI_COMMAND, 2);
}

/* The status register's INTx bit mirrors the pin; the line sees it unless disabled. */
static void intx_update(struct dmp_sim_pci_func *f)
{
	uint8_t st = f->cfg[DMP_PCI_STATUS];
	f->cfg[DMP_PCI_STATUS] = f->intx_asserted ? (st | DMP_PCI_STATUS_INTERRUPT)
						  : (st & ~DMP_PCI_STATUS_INTERRUPT);
	if (f->intx_line >= 0)
		dmp_sim_irq_set_level(f->host->sim, (unsigned int)f->intx_line,
				      f->intx_asserted &&
					      !(command(f) & DMP_PCI_COMMAND_INTX_DISABLE));
}

uint32_t dmp_sim_pci_func_config_read(struct dmp_sim_pci_func *f, unsigned int reg,
				      unsigned int width)
{
	if (reg + width > CFG_SIZE)
		return 0xffffffffu;
	return get(f, reg, width);
}

static void msi_deliver_pending(struct dmp_sim_pci_func *f);

static void config_write(struct dmp_sim_pci_func *f, unsigned int reg, unsigned int width,
			 uint32_t val)
{
	if (reg + width > CFG_SIZE)
		return;
	for (unsigned int i = 0; i < width; i++) {
		uint8_t m = f->wmask[reg + i];
		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~m) | ((val >> (8 * i)) & m));
	}
	if (reg < DMP_PCI_COMMAND + 2 && reg + width > DMP_PCI_COMMAND)
		intx_update(f);
	if (f->msi_vectors && reg + width > DMP_PCI_MSI_CAP && reg < DMP_PCI_MSI_CAP + 24)
		msi_deliver_pending(f);
}

/* --- the ECAM window ---------------------------------------------------- */

static struct dmp_sim_pci_func *func_at(struct dmp_sim_pci_host *h, uint64_t off)
{
	uint8_t bus = (uint8_t)(off >> 20), devfn = (uint8_t)(off >> 12);
	for (unsigned int i = 0; i < h->nr_funcs; i++)
		if (h->funcs[i]->bus == bus && h->funcs[i]->devfn == devfn)
			return h->funcs[i];
	return NULL;
}

static uint64_t ecam_read(struct dmp_sim_device *dev, uint64_t off, unsigned width)
{
	struct dmp_sim_pci_host *h = dmp_sim_device_priv(dev);
	struct dmp_sim_pci_func *f = func_at(h, off);
	unsigned int reg = (unsigned int)(off & 0xfff);
	if (!f || width > 4 || (reg & (width - 1)))
		return width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
	return get(f, reg, width);
}

static void ecam_write(struct dmp_sim_device *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct dmp_sim_pci_host *h = dmp_sim_device_priv(dev);
	struct dmp_sim_pci_func *f = func_at(h, off);
	unsigned int reg = (unsigned int)(off & 0xfff);
	if (f && width <= 4 && !(reg & (width - 1)))
		config_write(f, reg, width, (uint32_t)val);
}

static const struct dmp_sim_device_ops ecam_ops = {
	.mmio_read = ecam_read,
	.mmio_write = ecam_write,
};

int dmp_sim_pci_host_create(struct dmp_sim *sim, const char *name, dmp_phys_t ecam_base,
			    size_t ecam_size, dmp_phys_t mem_base, uint64_t mem_pci, uint64_t mem_size,
			    struct dmp_sim_pci_host **out)
{
	if (!sim || !name || !ecam_size || ecam_size % (1u << 20) || !mem_size)
		return -EINVAL;
	struct dmp_sim_pci_host *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->sim = sim;
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->ecam_base = ecam_base;
	h->ecam_size = ecam_size;
	h->mem_base = mem_base;
	h->mem_pci = mem_pci;
	h->mem_size = mem_size;
	struct dmp_sim_device_config dc = { .name = h->name, .port_bits = 64,
					    .mmio_base = ecam_base, .mmio_size = ecam_size,
					    .ops = &ecam_ops, .priv = h };
	int e = dmp_sim_device_create(sim, &dc, &h->ecam);
	if (e) {
		free(h);
		return e;
	}
	*out = h;
	return 0;
}

void dmp_sim_pci_host_destroy(struct dmp_sim_pci_host *h)
{
	if (!h)
		return;
	for (unsigned int i = 0; i < h->nr_funcs; i++) {
		struct dmp_sim_pci_func *f = h->funcs[i];
		if (f->ops && f->ops->destroy)
			f->ops->destroy(f);
		dmp_sim_device_destroy(f->dev);
		free(f);
	}
	dmp_sim_device_destroy(h->ecam);
	free(h);
}

/* --- BARs ------------------------------------------------------------------ */

/* Which BAR decodes CPU address @cpu, at which offset; -1 if none. */
static int bar_of(struct dmp_sim_pci_func *f, dmp_phys_t cpu, uint64_t *off)
{
	if (!(command(f) & DMP_PCI_COMMAND_MEMORY))
		return -1;
	uint64_t pci = cpu - f->host->mem_base + f->host->mem_pci;
	for (unsigned int b = 0; b < DMP_SIM_PCI_NR_BARS; b++) {
		if (!f->bar_size[b])
			continue;
		uint64_t base = get(f, DMP_PCI_BASE_ADDRESS_0 + 4 * b, 4) & ~0xfull;
		if (pci >= base && pci - base < f->bar_size[b]) {
			*off = pci - base;
			return (int)b;
		}
	}
	return -1;
}

/*
 * The BAR that decodes the whole access at window offset @off, or -1 after
 * reporting why none does: memory decoding off (Linux's driver did not
 * pci_enable_device()), between BARs, or past the end of the BAR it starts
 * in - each a master abort on a real bus, and named here, not silent.
 */
static int bar_of_access(struct dmp_sim_pci_func *f, uint64_t off, unsigned width, bool write,
			 uint64_t *boff)
{
	char why[96];
	int bar = bar_of(f, f->window + off, boff);
	if (bar < 0)
		snprintf(why, sizeof(why), "%s",
			 command(f) & DMP_PCI_COMMAND_MEMORY
				 ? "is in no BAR"
				 : "is not decoded: memory decoding is off (PCI_COMMAND_MEMORY)");
	else if (width > f->bar_size[bar] - *boff)
		snprintf(why, sizeof(why), "(BAR%d + 0x%llx) runs past the end of BAR%d (0x%llx bytes)",
			 bar, (unsigned long long)*boff, bar, (unsigned long long)f->bar_size[bar]);
	else
		return bar;
	dmp__sim_mmio_fault(f->dev, off, width, write, why);
	return -1;
}

static uint64_t func_mmio_read(struct dmp_sim_device *dev, uint64_t off, unsigned width)
{
	struct dmp_sim_pci_func *f = dmp_sim_device_priv(dev);
	uint64_t boff;
	int bar = bar_of_access(f, off, width, false, &boff);
	if (bar < 0 || !f->ops || !f->ops->bar_read)
		return width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
	return f->ops->bar_read(f, (unsigned int)bar, boff, width);
}

static void func_mmio_write(struct dmp_sim_device *dev, uint64_t off, unsigned width,
			    uint64_t val)
{
	struct dmp_sim_pci_func *f = dmp_sim_device_priv(dev);
	uint64_t boff;
	int bar = bar_of_access(f, off, width, true, &boff);
	if (bar >= 0 && f->ops && f->ops->bar_write)
		f->ops->bar_write(f, (unsigned int)bar, boff, width, val);
}

static const struct dmp_sim_device_ops func_ops = {
	.mmio_read = func_mmio_read,
	.mmio_write = func_mmio_write,
};

static bool config_valid(const struct dmp_sim_pci_func_config *cfg)
{
	if (!cfg->name || cfg->intx_pin > 4 || cfg->port_bits < 1 || cfg->port_bits > 64)
		return false;
	if (cfg->msi_vectors > 32 || (cfg->msi_vectors & (cfg->msi_vectors - 1)))
		return false;
	for (unsigned int b = 0; b < DMP_SIM_PCI_NR_BARS; b++) {
		uint64_t s = cfg->bar_size[b];
		if (s && (s < 16 || (s & (s - 1)) || s > 0x80000000ull))
			return false;
	}
	return true;
}

/* The type 0 header, with the writable bits. */
static void header_init(struct dmp_sim_pci_func *f, const struct dmp_sim_pci_func_config *cfg)
{
	set(f, DMP_PCI_VENDOR_ID, 2, cfg->vendor, 0);
	set(f, DMP_PCI_DEVICE_ID, 2, cfg->device, 0);
	set(f, DMP_PCI_COMMAND, 2, 0,
	    DMP_PCI_COMMAND_IO | DMP_PCI_COMMAND_MEMORY | DMP_PCI_COMMAND_MASTER |
		    DMP_PCI_COMMAND_INTX_DISABLE);
	set(f, DMP_PCI_STATUS, 2, cfg->msi_vectors ? DMP_PCI_STATUS_CAP_LIST : 0, 0);
	set(f, DMP_PCI_REVISION_ID, 1, cfg->revision, 0);
	set(f, DMP_PCI_CLASS_PROG, 3, cfg->class_code & 0xffffff, 0);
	set(f, DMP_PCI_HEADER_TYPE, 1, 0, 0);
	set(f, DMP_PCI_SUBSYSTEM_VENDOR_ID, 2, cfg->subsys_vendor, 0);
	set(f, DMP_PCI_SUBSYSTEM_ID, 2, cfg->subsys_device, 0);
	set(f, DMP_PCI_INTERRUPT_LINE, 1, 0xff, 0xff);
	set(f, DMP_PCI_INTERRUPT_PIN, 1, cfg->intx_pin, 0);
	if (cfg->msi_vectors) {
		unsigned int m = DMP_PCI_MSI_CAP;
		unsigned int log2v = (unsigned int)__builtin_ctz(cfg->msi_vectors);
		set(f, DMP_PCI_CAPABILITY_LIST, 1, m, 0);
		set(f, m, 1, DMP_PCI_CAP_ID_MSI, 0);
		set(f, m + 1, 1, 0, 0); /* the end of the list */
		set(f, m + DMP_PCI_MSI_FLAGS, 2,
		    (uint32_t)(log2v << 1) | DMP_PCI_MSI_FLAGS_64BIT | DMP_PCI_MSI_FLAGS_MASKBIT,
		    DMP_PCI_MSI_FLAGS_ENABLE | DMP_PCI_MSI_FLAGS_QSIZE);
		set(f, m + DMP_PCI_MSI_ADDRESS_LO, 4, 0, 0xfffffffcu);
		set(f, m + DMP_PCI_MSI_ADDRESS_HI, 4, 0, 0xffffffffu);
		set(f, m + DMP_PCI_MSI_DATA_64, 2, 0, 0xffff);
		set(f, m + DMP_PCI_MSI_MASK_64, 4, 0,
		    cfg->msi_vectors == 32 ? 0xffffffffu : (1u << cfg->msi_vectors) - 1);
		set(f, m + DMP_PCI_MSI_PENDING_64, 4, 0, 0);
	}
}

int dmp_sim_pci_func_create(struct dmp_sim_pci_host *h, uint8_t bus, uint8_t devfn,
			    const struct dmp_sim_pci_func_config *cfg, struct dmp_sim_pci_func **out)
{
	if (!h || !cfg || !config_valid(cfg) || (uint64_t)(bus + 1) << 20 > h->ecam_size)
		return -EINVAL;
	if (h->nr_funcs == MAX_FUNCS)
		return -ENOMEM;
	for (unsigned int i = 0; i < h->nr_funcs; i++)
		if (h->funcs[i]->bus == bus && h->funcs[i]->devfn == devfn)
			return -EEXIST;
	struct dmp_sim_pci_func *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->host = h;
	f->bus = bus;
	f->devfn = devfn;
	snprintf(f->name, sizeof(f->name), "%s", cfg->name);
	f->msi_vectors = cfg->msi_vectors;
	f->intx_line = -1;
	f->ops = cfg->ops;
	f->priv = cfg->priv;
	header_init(f, cfg);
	/* firmware places the BARs, each aligned to its size, one after another */
	uint64_t next = h->mem_next, first = UINT64_MAX, end = 0;
	for (unsigned int b = 0; b < DMP_SIM_PCI_NR_BARS; b++) {
		uint64_t s = cfg->bar_size[b];
		f->bar_size[b] = s;
		if (!s)
			continue;
		uint64_t at = (next + s - 1) & ~(s - 1);
		if (at + s > h->mem_size || (h->mem_pci + at) >> 32) {
			free(f);
			return -ENOSPC;
		}
		set(f, DMP_PCI_BASE_ADDRESS_0 + 4 * b, 4, (uint32_t)(h->mem_pci + at),
		    (uint32_t)~(s - 1));
		first = first < at ? first : at;
		end = at + s;
		next = end;
	}
	struct dmp_sim_device_config dc = { .name = f->name, .port_bits = cfg->port_bits,
					    .coherent = cfg->coherent, .ops = &func_ops, .priv = f };
	if (end) {
		f->window = h->mem_base + first;
		f->window_size = (size_t)(end - first);
		dc.mmio_base = f->window;
		dc.mmio_size = f->window_size;
	}
	int e = dmp_sim_device_create(h->sim, &dc, &f->dev);
	if (e) {
		free(f);
		return e;
	}
	h->mem_next = next;
	h->funcs[h->nr_funcs++] = f;
	*out = f;
	return 0;
}

struct dmp_sim_device *dmp_sim_pci_func_device(struct dmp_sim_pci_func *f)
{
	return f->dev;
}

void *dmp_sim_pci_func_priv(struct dmp_sim_pci_func *f)
{
	return f->priv;
}

const char *dmp_sim_pci_func_name(const struct dmp_sim_pci_func *f)
{
	return f->name;
}

int dmp_sim_pci_func_bar(struct dmp_sim_pci_func *f, unsigned int bar, dmp_phys_t *cpu,
			 uint64_t *size)
{
	if (bar >= DMP_SIM_PCI_NR_BARS || !f->bar_size[bar])
		return -ENOENT;
	uint64_t pci = get(f, DMP_PCI_BASE_ADDRESS_0 + 4 * bar, 4) & ~0xfull;
	*cpu = pci - f->host->mem_pci + f->host->mem_base;
	*size = f->bar_size[bar];
	return 0;
}

int dmp_sim_pci_func_set_intx_line(struct dmp_sim_pci_func *f, unsigned int irq)
{
	if (dmp_sim_irq_configure(f->host->sim, irq, DMP_SIM_IRQ_LEVEL))
		return -EINVAL;
	f->intx_line = (int)irq;
	return 0;
}

/* --- MSI and INTx --------------------------------------------------------- */

unsigned int dmp_sim_pci_func_msi_enabled(struct dmp_sim_pci_func *f)
{
	if (!f->msi_vectors)
		return 0;
	uint16_t flags = (uint16_t)get(f, DMP_PCI_MSI_CAP + DMP_PCI_MSI_FLAGS, 2);
	if (!(flags & DMP_PCI_MSI_FLAGS_ENABLE))
		return 0;
	unsigned int n = 1u << ((flags & DMP_PCI_MSI_FLAGS_QSIZE) >> 4);
	return n < f->msi_vectors ? n : f->msi_vectors;
}

static void msi_send(struct dmp_sim_pci_func *f, unsigned int vector)
{
	uint32_t data = get(f, DMP_PCI_MSI_CAP + DMP_PCI_MSI_DATA_64, 2);
	/* multiple messages: the vector is OR-ed into the low bits of the data */
	unsigned int line = DMP_SIM_MSI_BASE + (data | vector);
	if (line < DMP_SIM_NR_IRQS)
		dmp_sim_irq_raise(f->host->sim, line);
}

int dmp_sim_pci_func_raise_msi(struct dmp_sim_pci_func *f, unsigned int vector)
{
	unsigned int n = dmp_sim_pci_func_msi_enabled(f);
	if (vector >= n)
		return -EINVAL;
	uint32_t mask = get(f, DMP_PCI_MSI_CAP + DMP_PCI_MSI_MASK_64, 4);
	if (mask & (1u << vector)) {
		f->msi_pending |= 1u << vector;
		set(f, DMP_PCI_MSI_CAP + DMP_PCI_MSI_PENDING_64, 4, f->msi_pending, 0);
		return -EAGAIN;
	}
	msi_send(f, vector);
	return 0;
}

/* An unmask (or enable) sends what was held back. */
static void msi_deliver_pending(struct dmp_sim_pci_func *f)
{
	unsigned int n = dmp_sim_pci_func_msi_enabled(f);
	uint32_t mask = get(f, DMP_PCI_MSI_CAP + DMP_PCI_MSI_MASK_64, 4);
	for (unsigned int v = 0; v < n; v++)
		if ((f->msi_pending & (1u << v)) && !(mask & (1u << v))) {
			f->msi_pending &= ~(1u << v);
			msi_send(f, v);
		}
	if (f->msi_vectors)
		set(f, DMP_PCI_MSI_CAP + DMP_PCI_MSI_PENDING_64, 4, f->msi_pending, 0);
}

void dmp_sim_pci_func_set_intx(struct dmp_sim_pci_func *f, bool asserted)
{
	if (!get(f, DMP_PCI_INTERRUPT_PIN, 1))
		return;
	f->intx_asserted = asserted;
	intx_update(f);
}

int dmp_sim_pci_func_dma_read(struct dmp_sim_pci_func *f, dmp_addr_t addr, void *buf, size_t len)
{
	if (!(command(f) & DMP_PCI_COMMAND_MASTER))
		return -EPERM;
	return dmp_sim_dma_read(f->dev, addr, buf, len);
}

int dmp_sim_pci_func_dma_write(struct dmp_sim_pci_func *f, dmp_addr_t addr, const void *buf,
			       size_t len)
{
	if (!(command(f) & DMP_PCI_COMMAND_MASTER))
		return -EPERM;
	return dmp_sim_dma_write(f->dev, addr, buf, len);
}
