/* SPDX-License-Identifier: MIT */
/*
 * trace.c - the simulator's event trace: recording switches and printing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim-internal.h"

static const char *const kind_names[] = {
	[DMP_EV_CLEAN] = "clean",
	[DMP_EV_INVAL] = "invalidate",
	[DMP_EV_FLUSH] = "clean+inval",
	[DMP_EV_OUTER_CLEAN] = "outer-clean",
	[DMP_EV_OUTER_INVAL] = "outer-inval",
	[DMP_EV_OUTER_FLUSH] = "outer-flush",
	[DMP_EV_BARRIER] = "barrier",
	[DMP_EV_DEV_READ] = "dev-read",
	[DMP_EV_DEV_WRITE] = "dev-write",
	[DMP_EV_DEV_FAULT] = "dev-fault",
	[DMP_EV_MMIO_READ] = "mmio-read",
	[DMP_EV_MMIO_WRITE] = "mmio-write",
	[DMP_EV_EVICT] = "evict",
	[DMP_EV_REFILL] = "refill",
	[DMP_EV_ATTR] = "mem-type",
	[DMP_EV_NOTE] = "note",
	[DMP_EV_IOTLB_HIT] = "iotlb-hit",
	[DMP_EV_IOMMU_WALK] = "iommu-walk",
	[DMP_EV_IOMMU_FAULT] = "iommu-fault",
	[DMP_EV_IOTLB_INVAL] = "iotlb-inval",
};

static const char *const image_names[] = {
	[DMP_SIM_CPU] = "CPU view (snooped)",
	[DMP_SIM_SNAP] = "S",
	[DMP_SIM_OUTER] = "outer cache",
	[DMP_SIM_DRAM] = "DRAM",
};

const char *dmp_sim_event_kind_name(enum dmp_sim_event_kind kind)
{
	return (unsigned)kind < DMP_ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

void dmp_sim_trace_enable(struct dmp_sim *sim, bool on)
{
	sim->trace_on = on;
}

void dmp_sim_trace_set_hook(struct dmp_sim *sim, dmp_sim_trace_fn fn, void *cookie)
{
	dmp_spin_lock(&sim->lock);
	sim->hook = fn;
	sim->hook_cookie = cookie;
	dmp_spin_unlock(&sim->lock);
}

size_t dmp_sim_trace_count(struct dmp_sim *sim)
{
	return sim->nr_ev;
}

const struct dmp_sim_event *dmp_sim_trace_get(struct dmp_sim *sim, size_t i)
{
	return i < sim->nr_ev ? &sim->ev[i] : NULL;
}

void dmp_sim_trace_clear(struct dmp_sim *sim)
{
	dmp_spin_lock(&sim->lock);
	sim->nr_ev = 0;
	dmp_spin_unlock(&sim->lock);
}

void dmp_sim_trace_note(struct dmp_sim *sim, const char *fmt, ...)
{
	struct dmp_sim_event ev = { .kind = DMP_EV_NOTE };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
	va_end(ap);
	dmp__sim_event(sim, &ev);
}

void dmp_sim_event_format(const struct dmp_sim_event *ev, char *buf, size_t len)
{
	const char *who = ev->device ? ev->device : "cpu";
	const char *k = dmp_sim_event_kind_name(ev->kind);
	switch (ev->kind) {
	case DMP_EV_NOTE:
		snprintf(buf, len, "#%-5llu %s", (unsigned long long)ev->seq, ev->text);
		break;
	case DMP_EV_BARRIER:
		snprintf(buf, len, "#%-5llu %-8s %-11s %s: %u write-buffer line(s) drained to DRAM",
			 (unsigned long long)ev->seq, who, k, ev->text, ev->lines);
		break;
	case DMP_EV_DEV_READ:
	case DMP_EV_DEV_WRITE:
		snprintf(buf, len, "#%-5llu %-8s %-11s bus 0x%llx -> phys 0x%llx, %zu bytes, %s",
			 (unsigned long long)ev->seq, who, k, (unsigned long long)ev->bus,
			 (unsigned long long)ev->phys, ev->size,
			 ev->image == DMP_SIM_CPU ? "CPU view (coherent)" : image_names[ev->image]);
		break;
	case DMP_EV_DEV_FAULT:
		snprintf(buf, len, "#%-5llu %-8s %-11s %s at bus 0x%llx, %zu bytes left: error %lld",
			 (unsigned long long)ev->seq, who, k, ev->text, (unsigned long long)ev->bus,
			 ev->size, -(long long)ev->value);
		break;
	case DMP_EV_MMIO_READ:
	case DMP_EV_MMIO_WRITE:
		snprintf(buf, len, "#%-5llu %-8s %-11s reg +0x%llx (%zu bytes) %s 0x%llx",
			 (unsigned long long)ev->seq, who, k, (unsigned long long)ev->bus, ev->size,
			 ev->kind == DMP_EV_MMIO_READ ? "->" : "<-", (unsigned long long)ev->value);
		break;
	case DMP_EV_IOTLB_HIT:
		snprintf(buf, len, "#%-5llu %-8s %-11s %s: IOVA 0x%llx -> phys 0x%llx (cached entry of %zu bytes)",
			 (unsigned long long)ev->seq, who, k, ev->text, (unsigned long long)ev->bus,
			 (unsigned long long)ev->phys, ev->size);
		break;
	case DMP_EV_IOMMU_WALK:
		snprintf(buf, len, "#%-5llu %-8s %-11s %s: IOTLB miss, tables walked: IOVA 0x%llx -> "
			 "phys 0x%llx (level-%llu leaf of %zu bytes, now cached)",
			 (unsigned long long)ev->seq, who, k, ev->text, (unsigned long long)ev->bus,
			 (unsigned long long)ev->phys, (unsigned long long)ev->value, ev->size);
		break;
	case DMP_EV_IOMMU_FAULT:
		snprintf(buf, len, "#%-5llu %-8s %-11s IOVA 0x%llx: %s",
			 (unsigned long long)ev->seq, who, k, (unsigned long long)ev->bus, ev->text);
		break;
	case DMP_EV_IOTLB_INVAL:
		if (ev->size)
			snprintf(buf, len, "#%-5llu %-8s %-11s %s: IOVA 0x%llx, %zu bytes: %u entr%s dropped",
				 (unsigned long long)ev->seq, who, k, ev->text,
				 (unsigned long long)ev->bus, ev->size, ev->lines,
				 ev->lines == 1 ? "y" : "ies");
		else
			snprintf(buf, len, "#%-5llu %-8s %-11s %s: all: %u entr%s dropped",
				 (unsigned long long)ev->seq, who, k, ev->text, ev->lines,
				 ev->lines == 1 ? "y" : "ies");
		break;
	case DMP_EV_ATTR:
		snprintf(buf, len, "#%-5llu %-8s %-11s phys 0x%llx, %zu bytes: %s",
			 (unsigned long long)ev->seq, who, k, (unsigned long long)ev->phys, ev->size,
			 ev->text);
		break;
	default:
		snprintf(buf, len, "#%-5llu %-8s %-11s phys 0x%llx, %zu bytes, %u line(s) %s",
			 (unsigned long long)ev->seq, who, k, (unsigned long long)ev->phys, ev->size,
			 ev->lines,
			 ev->kind == DMP_EV_INVAL ? "of CPU data discarded"
			 : ev->kind == DMP_EV_OUTER_INVAL ? "of dirty outer data discarded"
			 : ev->kind == DMP_EV_EVICT ? (ev->image == DMP_SIM_OUTER
							      ? "written back from the outer cache"
							      : "written back by the cache")
			 : ev->kind == DMP_EV_REFILL ? "refilled from memory"
						     : "written back");
		break;
	}
}

void dmp_sim_trace_print(struct dmp_sim *sim, FILE *f)
{
	char line[256];
	for (size_t i = 0; i < sim->nr_ev; i++) {
		dmp_sim_event_format(&sim->ev[i], line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
}
