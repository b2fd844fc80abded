/* SPDX-License-Identifier: MIT */
/*
 * sim-iommu.c - the simulated IOMMU hardware (see <dmaport/sim/iommu.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/iommu.h>

#include "lpae-walk.h"
#include "sim-internal.h"

#define FAULTQ 64

struct iotlb_entry {
	bool valid;
	uint16_t asid;
	dmp_addr_t va;       /* aligned to size */
	uint64_t size;
	dmp_phys_t pa;
	bool write;
};

struct dmp_sim_iommu {
	struct dmp_sim *sim;
	char name[48];
	bool coherent_walk;
	unsigned int nr_streams;
	struct dmp_sim_ste *ste;
	dmp_spinlock_t lock;        /* STEs, IOTLB, fault queue */
	uint64_t tlbi_gen;          /* bumped by every invalidation and STE write */
	struct iotlb_entry *tlb;
	unsigned int nr_tlb, next_victim;
	struct dmp_sim_iommu_fault faults[FAULTQ];
	unsigned int fault_head, fault_count;
	void (*irq)(void *cookie);
	void *irq_cookie;
	struct dmp_sim_iommu_stats stats;
};

/* Per attached device: which IOMMU and stream. */
struct sim_iommu_port {
	struct dmp_sim_iommu *iommu;
	uint32_t sid;
};

#define MAX_PORTS 64
static struct sim_iommu_port ports[MAX_PORTS];
static dmp_spinlock_t ports_lock = DMP_SPINLOCK_INIT;

int dmp_sim_iommu_create(struct dmp_sim *sim, const struct dmp_sim_iommu_config *cfg,
			 struct dmp_sim_iommu **out)
{
	if (!sim || !cfg || !cfg->name)
		return -EINVAL;
	struct dmp_sim_iommu *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->sim = sim;
	snprintf(m->name, sizeof(m->name), "%s", cfg->name);
	m->coherent_walk = cfg->coherent_walk;
	m->nr_streams = cfg->nr_streams ? cfg->nr_streams : 256;
	m->nr_tlb = cfg->iotlb_entries ? cfg->iotlb_entries : 64;
	m->ste = calloc(m->nr_streams, sizeof(*m->ste)); /* all abort */
	m->tlb = calloc(m->nr_tlb, sizeof(*m->tlb));
	dmp_spin_init(&m->lock);
	if (!m->ste || !m->tlb) {
		free(m->ste);
		free(m->tlb);
		free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void dmp_sim_iommu_destroy(struct dmp_sim_iommu *iommu)
{
	if (!iommu)
		return;
	dmp_spin_lock(&ports_lock);
	for (int i = 0; i < MAX_PORTS; i++)
		if (ports[i].iommu == iommu)
			ports[i].iommu = NULL;
	dmp_spin_unlock(&ports_lock);
	free(iommu->ste);
	free(iommu->tlb);
	free(iommu);
}

const char *dmp_sim_iommu_name(const struct dmp_sim_iommu *iommu)
{
	return iommu->name;
}

bool dmp_sim_iommu_coherent_walk(const struct dmp_sim_iommu *iommu)
{
	return iommu->coherent_walk;
}

/* A trace event of @m's (outside m->lock: the trace takes the sim's). */
static void iommu_event(struct dmp_sim_iommu *m, enum dmp_sim_event_kind kind,
			struct dmp_sim_device *dev, dmp_addr_t iova, dmp_phys_t phys, uint64_t size,
			uint64_t value, unsigned int entries, const char *text)
{
	struct dmp_sim_event ev = { .kind = kind, .device = dev ? dmp_sim_device_name(dev) : NULL,
				    .sdev = dev, .bus = iova, .phys = phys, .size = (size_t)size,
				    .value = value, .lines = entries };
	snprintf(ev.text, sizeof(ev.text), "%s", text);
	dmp__sim_event(m->sim, &ev);
}

static void queue_fault(struct dmp_sim_iommu *m, struct dmp_sim_device *dev, uint32_t sid,
			dmp_addr_t iova, bool write, enum dmp_sim_iommu_fault_reason reason)
{
	iommu_event(m, DMP_EV_IOMMU_FAULT, dev, iova, 0, 0, reason, 0,
		    dmp_sim_iommu_fault_name(reason));
	dmp_spin_lock(&m->lock);
	m->stats.faults++;
	if (m->fault_count == FAULTQ) {
		m->stats.fault_overflows++; /* as a full event queue: the event is lost */
	} else {
		struct dmp_sim_iommu_fault *f = &m->faults[(m->fault_head + m->fault_count) % FAULTQ];
		*f = (struct dmp_sim_iommu_fault){ sid, iova, write, reason,
						   dmp_sim_device_name(dev) };
		m->fault_count++;
	}
	void (*irq)(void *) = m->irq;
	void *cookie = m->irq_cookie;
	dmp_spin_unlock(&m->lock);
	if (irq)
		irq(cookie);
}

static enum dmp_sim_iommu_fault_reason reason_of(enum dmp__lpae_fault f)
{
	switch (f) {
	case DMP__LPAE_FAULT_PERMISSION: return DMP_SIM_IOMMU_F_PERMISSION;
	case DMP__LPAE_FAULT_ACCESS: return DMP_SIM_IOMMU_F_ACCESS;
	case DMP__LPAE_FAULT_ADDR_SIZE: return DMP_SIM_IOMMU_F_ADDR_SIZE;
	case DMP__LPAE_FAULT_WALK_ABORT: return DMP_SIM_IOMMU_F_WALK_ABORT;
	case DMP__LPAE_FAULT_CONFIG: return DMP_SIM_IOMMU_F_BAD_CONFIG;
	default: return DMP_SIM_IOMMU_F_TRANSLATION;
	}
}

/* The translator installed on each attached device. */
static int iommu_translate(void *cookie, struct dmp_sim_device *dev, dmp_addr_t addr, size_t len,
			   bool write, dmp_phys_t *phys, size_t *chunk)
{
	struct sim_iommu_port *port = cookie;
	struct dmp_sim_iommu *m = port->iommu;
	if (!m)
		return -ENXIO;
	uint32_t sid = port->sid;
	dmp_spin_lock(&m->lock);
	struct dmp_sim_ste ste = m->ste[sid];
	if (ste.mode == DMP_SIM_STE_BYPASS) {
		dmp_spin_unlock(&m->lock);
		*phys = addr;
		*chunk = len;
		return 0;
	}
	if (ste.mode == DMP_SIM_STE_ABORT) {
		dmp_spin_unlock(&m->lock);
		queue_fault(m, dev, sid, addr, write, DMP_SIM_IOMMU_F_ABORT);
		return -ENXIO;
	}
	/* the IOTLB first: a hit is used whatever the tables say now */
	for (unsigned int i = 0; i < m->nr_tlb; i++) {
		struct iotlb_entry *e = &m->tlb[i];
		if (e->valid && e->asid == ste.asid && addr - e->va < e->size) {
			m->stats.hits++;
			bool ok = !write || e->write;
			struct iotlb_entry hit = *e;
			if (ok) {
				*phys = e->pa + (addr - e->va);
				*chunk = (size_t)DMP_MIN((uint64_t)len, e->size - (addr - e->va));
			}
			dmp_spin_unlock(&m->lock);
			iommu_event(m, DMP_EV_IOTLB_HIT, dev, addr, hit.pa + (addr - hit.va), hit.size,
				    0, 0, m->name);
			if (!ok) {
				queue_fault(m, dev, sid, addr, write, DMP_SIM_IOMMU_F_PERMISSION);
				return -EACCES;
			}
			return 0;
		}
	}
	m->stats.misses++;
	uint64_t gen = m->tlbi_gen;
	dmp_spin_unlock(&m->lock);
	struct dmp__lpae_walk_cfg wc = { .ttbr = ste.ttbr, .tg0 = ste.tg0, .t0sz = ste.t0sz,
					 .ips = ste.ips, .coherent = m->coherent_walk };
	struct dmp__lpae_walk_result res;
	int err = dmp__lpae_walk(m->sim, &wc, addr,
				 write ? DMP__LPAE_ACC_WRITE : DMP__LPAE_ACC_READ, &res);
	if (err && res.fault != DMP__LPAE_FAULT_PERMISSION) {
		queue_fault(m, dev, sid, addr, write, reason_of(res.fault));
		return -ENXIO;
	}
	/*
	 * Cache the leaf (a permission fault still fills the TLB, as hardware
	 * may) - unless an invalidation ran during the walk: the walk may have
	 * read what it invalidated, and an invalidation completes only once no
	 * walk in flight can leave such an entry behind.  This access itself
	 * was in flight and may use what it read.
	 */
	dmp_addr_t leaf_va = addr & ~(res.leaf_size - 1);
	dmp_spin_lock(&m->lock);
	if (m->tlbi_gen == gen) {
		struct iotlb_entry *e = &m->tlb[m->next_victim];
		m->next_victim = (m->next_victim + 1) % m->nr_tlb;
		e->valid = true;
		e->asid = ste.asid;
		e->size = res.leaf_size;
		e->va = leaf_va;
		e->pa = res.phys - (addr - leaf_va);
		e->write = res.write;
	}
	dmp_spin_unlock(&m->lock);
	iommu_event(m, DMP_EV_IOMMU_WALK, dev, addr, res.phys, res.leaf_size, (uint64_t)res.level, 0,
		    m->name);
	if (err) {
		queue_fault(m, dev, sid, addr, write, DMP_SIM_IOMMU_F_PERMISSION);
		return -EACCES;
	}
	*phys = res.phys;
	*chunk = (size_t)DMP_MIN((uint64_t)len, res.leaf_size - (addr - leaf_va));
	return 0;
}

bool dmp__sim_behind_iommu(const struct dmp_sim_device *dev)
{
	return dev->translate == iommu_translate;
}

int dmp_sim_iommu_attach(struct dmp_sim_iommu *iommu, struct dmp_sim_device *dev, uint32_t sid)
{
	if (sid >= iommu->nr_streams)
		return -EINVAL;
	struct dmp_sim_device *d = dev;
	if (d->translate)
		return -EBUSY;
	struct sim_iommu_port *port = NULL;
	dmp_spin_lock(&ports_lock);
	for (int i = 0; i < MAX_PORTS; i++)
		if (!ports[i].iommu) {
			port = &ports[i];
			port->iommu = iommu;
			port->sid = sid;
			break;
		}
	dmp_spin_unlock(&ports_lock);
	if (!port)
		return -ENOMEM;
	dmp_sim_device_set_translate(dev, iommu_translate, port);
	return 0;
}

int dmp_sim_iommu_write_ste(struct dmp_sim_iommu *iommu, uint32_t sid, const struct dmp_sim_ste *ste)
{
	if (sid >= iommu->nr_streams || !ste)
		return -EINVAL;
	dmp_spin_lock(&iommu->lock);
	iommu->ste[sid] = *ste;
	iommu->tlbi_gen++;
	dmp_spin_unlock(&iommu->lock);
	return 0;
}

void dmp_sim_iommu_tlbi_all(struct dmp_sim_iommu *iommu)
{
	unsigned int dropped = 0;
	dmp_spin_lock(&iommu->lock);
	for (unsigned int i = 0; i < iommu->nr_tlb; i++) {
		dropped += iommu->tlb[i].valid;
		iommu->tlb[i].valid = false;
	}
	iommu->stats.invalidations++;
	iommu->tlbi_gen++;
	dmp_spin_unlock(&iommu->lock);
	iommu_event(iommu, DMP_EV_IOTLB_INVAL, NULL, 0, 0, 0, 0, dropped, iommu->name);
}

void dmp_sim_iommu_tlbi_asid(struct dmp_sim_iommu *iommu, uint16_t asid)
{
	unsigned int dropped = 0;
	dmp_spin_lock(&iommu->lock);
	for (unsigned int i = 0; i < iommu->nr_tlb; i++)
		if (iommu->tlb[i].asid == asid) {
			dropped += iommu->tlb[i].valid;
			iommu->tlb[i].valid = false;
		}
	iommu->stats.invalidations++;
	iommu->tlbi_gen++;
	dmp_spin_unlock(&iommu->lock);
	iommu_event(iommu, DMP_EV_IOTLB_INVAL, NULL, 0, 0, 0, asid, dropped, iommu->name);
}

void dmp_sim_iommu_tlbi_va(struct dmp_sim_iommu *iommu, uint16_t asid, dmp_addr_t iova,
			   size_t size)
{
	unsigned int dropped = 0;
	dmp_spin_lock(&iommu->lock);
	for (unsigned int i = 0; i < iommu->nr_tlb; i++) {
		struct iotlb_entry *e = &iommu->tlb[i];
		/* any entry overlapping the range */
		if (e->valid && e->asid == asid && e->va < iova + size && iova < e->va + e->size) {
			e->valid = false;
			dropped++;
		}
	}
	iommu->stats.invalidations++;
	iommu->tlbi_gen++;
	dmp_spin_unlock(&iommu->lock);
	iommu_event(iommu, DMP_EV_IOTLB_INVAL, NULL, iova, 0, size, asid, dropped, iommu->name);
}

int dmp_sim_iommu_pop_fault(struct dmp_sim_iommu *iommu, struct dmp_sim_iommu_fault *f)
{
	int got = 0;
	dmp_spin_lock(&iommu->lock);
	if (iommu->fault_count) {
		*f = iommu->faults[iommu->fault_head];
		iommu->fault_head = (iommu->fault_head + 1) % FAULTQ;
		iommu->fault_count--;
		got = 1;
	}
	dmp_spin_unlock(&iommu->lock);
	return got;
}

void dmp_sim_iommu_set_irq(struct dmp_sim_iommu *iommu, void (*irq)(void *cookie), void *cookie)
{
	dmp_spin_lock(&iommu->lock);
	iommu->irq = irq;
	iommu->irq_cookie = cookie;
	dmp_spin_unlock(&iommu->lock);
}

const char *dmp_sim_iommu_fault_name(enum dmp_sim_iommu_fault_reason r)
{
	switch (r) {
	case DMP_SIM_IOMMU_F_TRANSLATION: return "translation fault";
	case DMP_SIM_IOMMU_F_PERMISSION: return "permission fault";
	case DMP_SIM_IOMMU_F_ACCESS: return "access flag fault";
	case DMP_SIM_IOMMU_F_ADDR_SIZE: return "address size fault";
	case DMP_SIM_IOMMU_F_WALK_ABORT: return "walk abort";
	case DMP_SIM_IOMMU_F_BAD_CONFIG: return "bad context";
	case DMP_SIM_IOMMU_F_ABORT: return "stream aborted";
	}
	return "?";
}

void dmp_sim_iommu_get_stats(struct dmp_sim_iommu *iommu, struct dmp_sim_iommu_stats *st)
{
	dmp_spin_lock(&iommu->lock);
	*st = iommu->stats;
	dmp_spin_unlock(&iommu->lock);
}
