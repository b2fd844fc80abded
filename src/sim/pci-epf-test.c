/* SPDX-License-Identifier: MIT */
/*
 * pci-epf-test.c - a model of the PCI endpoint test function, as its host
 * driver (Linux's drivers/misc/pci_endpoint_test.c) programs it: registers
 * in BAR0, commands that move data by DMA and raise an interrupt
 * (see <dmaport/sim/pci.h>).  Written from the register interface; the
 * endpoint side of Linux is not used.
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/pci.h>

#include "sim-internal.h"

/* Registers in BAR0 (the host driver's PCI_ENDPOINT_TEST_*). */
#define REG_MAGIC 0x00
#define REG_COMMAND 0x04
#define REG_STATUS 0x08
#define REG_SRC_LO 0x0c
#define REG_SRC_HI 0x10
#define REG_DST_LO 0x14
#define REG_DST_HI 0x18
#define REG_SIZE 0x1c
#define REG_CHECKSUM 0x20
#define REG_IRQ_TYPE 0x24
#define REG_IRQ_NUMBER 0x28
#define REG_FLAGS 0x2c
#define REG_CAPS 0x30
#define NR_REGS 16

/* Commands: the current interface ... */
#define CMD_RAISE_INTX 0x001
#define CMD_RAISE_MSI 0x002
#define CMD_RAISE_MSIX 0x004
#define CMD_READ 0x008
#define CMD_WRITE 0x010
#define CMD_COPY 0x020
/* ... and Linux 4.x's: the MSI number in bits 7:2, the transfers higher. */
#define OLD_CMD_READ 0x100
#define OLD_CMD_WRITE 0x200
#define OLD_CMD_COPY 0x400
#define OLD_MSI_SHIFT 2
#define OLD_MSI_MASK 0xfc

#define STATUS_READ_SUCCESS 0x001
#define STATUS_READ_FAIL 0x002
#define STATUS_WRITE_SUCCESS 0x004
#define STATUS_WRITE_FAIL 0x008
#define STATUS_COPY_SUCCESS 0x010
#define STATUS_COPY_FAIL 0x020
#define STATUS_IRQ_RAISED 0x040
#define STATUS_SRC_ADDR_INVALID 0x080
#define STATUS_DST_ADDR_INVALID 0x100

#define CAP_MSI 0x2
#define CAP_INTX 0x8

#define IRQ_TYPE_INTX 0
#define IRQ_TYPE_MSI 1

#define EPF_MAGIC 0

/* BAR sizes as the endpoint function offers them. */
static const uint64_t bar_sizes[DMP_SIM_PCI_NR_BARS] = { 512, 512, 1024, 16384, 131072, 1048576 };

/* Time a command takes: a fixed start, then the transfer. */
#define CMD_NS 2000
#define INTX_PULSE_NS 1000

struct epf_test {
	struct dmp_sim_pci_func *f;
	uint32_t reg[NR_REGS];
	uint8_t *bar[DMP_SIM_PCI_NR_BARS];
	uint32_t pending_cmd;
	struct dmp_sim_callout run;       /* the command, CMD_NS + size ns later */
	struct dmp_sim_callout intx_end;  /* the end of an INTx pulse */
	uint64_t rng;
};

/* Linux's crc32_le: reflected polynomial 0xedb88320, no final inversion. */
static uint32_t crc32_le(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return crc;
}

static uint8_t rnd(struct epf_test *t)
{
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return (uint8_t)t->rng;
}

static struct dmp_sim *sim_of(struct epf_test *t)
{
	return dmp_sim_device_sim(dmp_sim_pci_func_device(t->f));
}

static void intx_end(void *cookie)
{
	struct epf_test *t = cookie;
	dmp_sim_pci_func_set_intx(t->f, false);
}

/* Raise @type's interrupt @number (1-based for MSI). */
static void raise(struct epf_test *t, uint32_t type, uint32_t number)
{
	t->reg[REG_STATUS / 4] |= STATUS_IRQ_RAISED;
	if (type == IRQ_TYPE_MSI) {
		if (number >= 1)
			dmp_sim_pci_func_raise_msi(t->f, number - 1);
		return;
	}
	/* INTx: a pulse, as endpoint controllers assert and release it.  The
	 * release is armed first: asserting may run a handler at once, and a
	 * handler that leaves the line asserted is taken again until then. */
	dmp_sim_callout_arm(sim_of(t), &t->intx_end, INTX_PULSE_NS);
	dmp_sim_pci_func_set_intx(t->f, true);
}

static uint64_t addr_of(struct epf_test *t, unsigned int lo)
{
	return (uint64_t)t->reg[lo / 4 + 1] << 32 | t->reg[lo / 4];
}

/* Host memory -> @buf.  False on a failed DMA (bus master off, fault). */
static bool fetch(struct epf_test *t, uint64_t addr, uint8_t *buf, size_t len)
{
	return dmp_sim_pci_func_dma_read(t->f, addr, buf, len) == 0;
}

static bool store(struct epf_test *t, uint64_t addr, const uint8_t *buf, size_t len)
{
	return dmp_sim_pci_func_dma_write(t->f, addr, buf, len) == 0;
}

static void do_transfer(struct epf_test *t, uint32_t op)
{
	size_t len = t->reg[REG_SIZE / 4];
	uint8_t *buf = malloc(len ? len : 1);
	uint32_t *status = &t->reg[REG_STATUS / 4];
	if (!buf) {
		*status |= op == CMD_READ ? STATUS_READ_FAIL
			   : op == CMD_WRITE ? STATUS_WRITE_FAIL : STATUS_COPY_FAIL;
		return;
	}
	switch (op) {
	case CMD_READ: /* the host's WRITE test: we read its buffer and check it */
		if (!fetch(t, addr_of(t, REG_SRC_LO), buf, len))
			*status |= STATUS_READ_FAIL | STATUS_SRC_ADDR_INVALID;
		else if (crc32_le(~0u, buf, len) == t->reg[REG_CHECKSUM / 4])
			*status |= STATUS_READ_SUCCESS;
		else
			*status |= STATUS_READ_FAIL;
		break;
	case CMD_WRITE: /* the host's READ test: we write random bytes and their CRC */
		for (size_t i = 0; i < len; i++)
			buf[i] = rnd(t);
		t->reg[REG_CHECKSUM / 4] = crc32_le(~0u, buf, len);
		if (store(t, addr_of(t, REG_DST_LO), buf, len))
			*status |= STATUS_WRITE_SUCCESS;
		else
			*status |= STATUS_WRITE_FAIL | STATUS_DST_ADDR_INVALID;
		break;
	default: /* COPY */
		if (!fetch(t, addr_of(t, REG_SRC_LO), buf, len))
			*status |= STATUS_COPY_FAIL | STATUS_SRC_ADDR_INVALID;
		else if (!store(t, addr_of(t, REG_DST_LO), buf, len))
			*status |= STATUS_COPY_FAIL | STATUS_DST_ADDR_INVALID;
		else
			*status |= STATUS_COPY_SUCCESS;
		break;
	}
	free(buf);
}

/*
 * Run a command.  The two interfaces differ in the bits: Linux 4.x's put
 * the transfers in bits 8..10 and the MSI number in bits 7:2 (which the
 * current one never sets with bit 1 or a transfer), so the bits tell which
 * one the host driver speaks.
 */
static void run_command(void *cookie)
{
	struct epf_test *t = cookie;
	uint32_t cmd = t->pending_cmd;
	bool old = (cmd & (OLD_CMD_READ | OLD_CMD_WRITE | OLD_CMD_COPY) && (cmd & OLD_MSI_MASK)) ||
		   ((cmd & CMD_RAISE_MSI) && (cmd & OLD_MSI_MASK));
	if (old) {
		uint32_t msi = (cmd & OLD_MSI_MASK) >> OLD_MSI_SHIFT;
		uint32_t type = dmp_sim_pci_func_msi_enabled(t->f) ? IRQ_TYPE_MSI : IRQ_TYPE_INTX;
		if (cmd & OLD_CMD_READ)
			do_transfer(t, CMD_READ);
		else if (cmd & OLD_CMD_WRITE)
			do_transfer(t, CMD_WRITE);
		else if (cmd & OLD_CMD_COPY)
			do_transfer(t, CMD_COPY);
		else if (cmd & CMD_RAISE_MSI)
			type = IRQ_TYPE_MSI;
		raise(t, type, msi);
		return;
	}
	uint32_t type = t->reg[REG_IRQ_TYPE / 4], number = t->reg[REG_IRQ_NUMBER / 4];
	if (cmd & CMD_RAISE_INTX) {
		raise(t, IRQ_TYPE_INTX, 0);
	} else if (cmd & CMD_RAISE_MSI) {
		raise(t, IRQ_TYPE_MSI, number);
	} else if (cmd & (CMD_READ | CMD_WRITE | CMD_COPY)) {
		do_transfer(t, cmd & CMD_READ ? CMD_READ : cmd & CMD_WRITE ? CMD_WRITE : CMD_COPY);
		raise(t, type, number);
	}
	/* MSI-X, doorbells and BAR subranges: not offered (CAPS says so) */
}

/* Byte @b of BAR @bar: the registers first in BAR0, then the endpoint's
 * memory behind them (reading has no side effect). */
static uint8_t bar_byte(const struct epf_test *t, unsigned int bar, uint64_t b)
{
	if (bar == 0 && b < NR_REGS * 4)
		return (uint8_t)(t->reg[b / 4] >> (8 * (b % 4)));
	return t->bar[bar][b];
}

static uint64_t epf_read(struct dmp_sim_pci_func *f, unsigned int bar, uint64_t off,
			 unsigned int width)
{
	struct epf_test *t = dmp_sim_pci_func_priv(f);
	if (width > bar_sizes[bar] || off > bar_sizes[bar] - width) {
		/* the PCI layer decodes only whole accesses inside a BAR */
		dmp__sim_mmio_fault(dmp_sim_pci_func_device(f), off, width, false,
				    "is past the function's BAR");
		return width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
	}
	/* bytewise, so that an access across the end of the register block
	 * reads the registers it covers and the memory after them */
	uint64_t v = 0;
	for (unsigned int i = 0; i < width; i++)
		v |= (uint64_t)bar_byte(t, bar, off + i) << (8 * i);
	return v;
}

static void epf_write(struct dmp_sim_pci_func *f, unsigned int bar, uint64_t off,
		      unsigned int width, uint64_t val)
{
	struct epf_test *t = dmp_sim_pci_func_priv(f);
	if (width > bar_sizes[bar] || off > bar_sizes[bar] - width) {
		dmp__sim_mmio_fault(dmp_sim_pci_func_device(f), off, width, true,
				    "is past the function's BAR");
		return;
	}
	if (bar != 0 || off >= NR_REGS * 4) {
		memcpy(t->bar[bar] + off, &val, width);
		return;
	}
	if (width != 4 || (off & 3)) {
		/* The register BAR is the endpoint's memory (pci-epf-test exposes
		 * RAM it polls): narrower and wider stores land bytewise, as
		 * memcpy_toio's do; each register they touch then acts as if
		 * written whole.  A store across the end of the registers puts
		 * the rest in the memory after them (it used to be dropped). */
		uint64_t end = off + width < NR_REGS * 4 ? off + width : NR_REGS * 4;
		if (off + width > end)
			memcpy(t->bar[0] + end, (const uint8_t *)&val + (end - off),
			       (size_t)(off + width - end));
		for (uint64_t r = off & ~3ull; r < end; r += 4) {
			uint32_t v = t->reg[r / 4];
			for (uint64_t b = r; b < r + 4; b++)
				if (b >= off && b < off + width)
					v = (v & ~(0xffu << (8 * (b - r)))) |
					    (uint32_t)((val >> (8 * (b - off))) & 0xff) << (8 * (b - r));
			epf_write(f, 0, r, 4, v);
		}
		return;
	}
	unsigned int r = (unsigned int)off / 4;
	switch (off) {
	case REG_CAPS:
		return; /* read-only */
	case REG_COMMAND:
		t->reg[r] = (uint32_t)val;
		t->pending_cmd = (uint32_t)val;
		/* the function works for a while, then raises its interrupt */
		dmp_sim_callout_arm(sim_of(t), &t->run, CMD_NS + t->reg[REG_SIZE / 4]);
		return;
	case REG_STATUS:
		t->reg[r] = (uint32_t)val;
		if (!(val & STATUS_IRQ_RAISED))
			dmp_sim_pci_func_set_intx(t->f, false);
		return;
	default:
		t->reg[r] = (uint32_t)val;
	}
}

static void epf_destroy(struct dmp_sim_pci_func *f)
{
	struct epf_test *t = dmp_sim_pci_func_priv(f);
	struct dmp_sim *sim = sim_of(t);
	dmp_sim_callout_cancel(sim, &t->run);
	dmp_sim_callout_cancel(sim, &t->intx_end);
	for (unsigned int b = 0; b < DMP_SIM_PCI_NR_BARS; b++)
		free(t->bar[b]);
	free(t);
}

static const struct dmp_sim_pci_func_ops epf_ops = {
	.bar_read = epf_read,
	.bar_write = epf_write,
	.destroy = epf_destroy,
};

int dmp_sim_pci_epf_test_create(struct dmp_sim_pci_host *host, uint8_t bus, uint8_t devfn,
				const struct dmp_sim_pci_func_config *cfg,
				struct dmp_sim_pci_func **out)
{
	struct epf_test *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	int e = 0;
	for (unsigned int b = 0; b < DMP_SIM_PCI_NR_BARS && !e; b++)
		if (!(t->bar[b] = calloc(1, bar_sizes[b])))
			e = -ENOMEM;
	struct dmp_sim_pci_func_config c = *cfg;
	if (!c.vendor && !c.device) {
		c.vendor = DMP_SIM_EPF_TEST_VENDOR;
		c.device = DMP_SIM_EPF_TEST_DEVICE;
	}
	if (!c.class_code)
		c.class_code = 0xff0000; /* unassigned class, as the endpoint offers */
	memcpy(c.bar_size, bar_sizes, sizeof(bar_sizes));
	if (!c.msi_vectors)
		c.msi_vectors = 32;
	if (!c.intx_pin)
		c.intx_pin = 1;
	c.ops = &epf_ops;
	c.priv = t;
	t->reg[REG_MAGIC / 4] = EPF_MAGIC;
	t->reg[REG_CAPS / 4] = CAP_MSI | CAP_INTX;
	t->rng = DMP__GOLDEN_RATIO_64 ^ ((uint64_t)bus << 8 | devfn);
	if (!e)
		e = dmp_sim_pci_func_create(host, bus, devfn, &c, &t->f);
	if (e) {
		for (unsigned int b = 0; b < DMP_SIM_PCI_NR_BARS; b++)
			free(t->bar[b]);
		free(t);
		return e;
	}
	dmp_sim_callout_init(&t->run, run_command, t);
	dmp_sim_callout_init(&t->intx_end, intx_end, t);
	*out = t->f;
	return 0;
}
