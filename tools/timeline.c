/* SPDX-License-Identifier: MIT */
/*
 * timeline.c - dmaport-sim's timeline (see timeline.h).  Events are kept in
 * memory as the run goes, and written once at the end: trace-event JSON
 * (the "JSON Array Format" of Chrome's Trace Event Format, which Perfetto
 * reads: complete events "X" for spans, instant events "i", metadata "M"
 * naming processes and threads), and an SVG of the same lanes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/dma-trace.h>
#include <dmaport/sim.h>

#include "timeline.h"

/* Lane groups: a process each in the trace-event viewer. */
enum group { G_SCENARIO = 1, G_CPU, G_DEVICE, G_IOMMU, G_BUFFER, G_LOG, G_NR };

static const char *const group_names[G_NR] = {
	[G_SCENARIO] = "scenarios", [G_CPU] = "CPU", [G_DEVICE] = "devices",
	[G_IOMMU] = "IOMMUs",       [G_BUFFER] = "buffers (ownership)", [G_LOG] = "checker and log",
};

struct lane {
	enum group group;
	char name[64];
};

struct record {
	char ph;            /* 'X' span, 'i' instant */
	unsigned long ts, dur;
	unsigned int lane;
	char cat[16];       /* what kind: for colour and filtering */
	char name[96];
	char args[192];     /* one detail line */
};

/* An open ownership span of one buffer. */
struct owner_span {
	const void *dev;
	uint64_t key;       /* dma address, or the scatterlist's address */
	unsigned int lane;
	unsigned long since;
	const char *state;  /* "device owns", "CPU owns", "shared" */
	char what[192];
	bool open;
};

struct timeline {
	unsigned long now;
	struct lane *lanes;
	unsigned int nr_lanes, cap_lanes;
	struct record *rec;
	size_t nr_rec, cap_rec;
	struct owner_span *spans;
	size_t nr_spans, cap_spans;
	unsigned long scenario_start;
	char scenario[96];
	unsigned int buffers; /* buffer lanes made, for their names */
	bool oom;
};

struct timeline *timeline_new(void)
{
	return calloc(1, sizeof(struct timeline));
}

static void *grow(void *p, size_t *cap, size_t n, size_t size, bool *oom)
{
	if (n < *cap)
		return p;
	size_t c = *cap ? *cap * 2 : 64;
	void *q = realloc(p, c * size);
	if (!q) {
		*oom = true;
		return NULL;
	}
	*cap = c;
	return q;
}

static unsigned int lane_of(struct timeline *t, enum group g, const char *name)
{
	for (unsigned int i = 0; i < t->nr_lanes; i++)
		if (t->lanes[i].group == g && !strcmp(t->lanes[i].name, name))
			return i;
	size_t cap = t->cap_lanes;
	struct lane *l = grow(t->lanes, &cap, t->nr_lanes, sizeof(*l), &t->oom);
	if (!l)
		return 0;
	t->lanes = l;
	t->cap_lanes = (unsigned int)cap;
	l[t->nr_lanes].group = g;
	snprintf(l[t->nr_lanes].name, sizeof(l->name), "%s", name);
	return t->nr_lanes++;
}

static void add(struct timeline *t, char ph, unsigned long ts, unsigned long dur,
		unsigned int lane, const char *cat, const char *name, const char *args)
{
	struct record *r = grow(t->rec, &t->cap_rec, t->nr_rec, sizeof(*r), &t->oom);
	if (!r || t->nr_lanes == 0)
		return;
	t->rec = r;
	r = &t->rec[t->nr_rec++];
	*r = (struct record){ .ph = ph, .ts = ts, .dur = dur, .lane = lane };
	snprintf(r->cat, sizeof(r->cat), "%s", cat);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->args, sizeof(r->args), "%s", args ? args : "");
}

void timeline_scenario_begin(struct timeline *t, const char *name, const char *summary)
{
	t->scenario_start = ++t->now;
	snprintf(t->scenario, sizeof(t->scenario), "%s: %s", name, summary);
}

static void close_span(struct timeline *t, struct owner_span *s)
{
	if (!s->open)
		return;
	unsigned long end = t->now > s->since ? t->now : s->since + 1;
	add(t, 'X', s->since, end - s->since, s->lane, s->state[0] == 'd' ? "device-owns"
					       : s->state[0] == 'C' ? "cpu-owns" : "shared",
	    s->state, s->what);
	s->open = false;
}

void timeline_scenario_end(struct timeline *t, bool ok)
{
	t->now++;
	for (size_t i = 0; i < t->nr_spans; i++)
		close_span(t, &t->spans[i]); /* leaked: its span ends with the scenario */
	t->nr_spans = 0;
	add(t, 'X', t->scenario_start, t->now - t->scenario_start,
	    lane_of(t, G_SCENARIO, "scenario"), ok ? "scenario" : "scenario-failed", t->scenario,
	    ok ? "ok" : "FAILED");
}

/* --- simulator events ---------------------------------------------------- */

static void sim_event(void *cookie, const struct dmp_sim_event *ev)
{
	struct timeline *t = cookie;
	unsigned long ts = ++t->now;
	char args[192];
	dmp_sim_event_format(ev, args, sizeof(args));
	const char *kind = dmp_sim_event_kind_name(ev->kind);
	const char *dev = ev->device ? ev->device : "cpu";
	char name[96];
	switch (ev->kind) {
	case DMP_EV_CLEAN:
	case DMP_EV_INVAL:
	case DMP_EV_FLUSH:
	case DMP_EV_OUTER_CLEAN:
	case DMP_EV_OUTER_INVAL:
	case DMP_EV_OUTER_FLUSH:
	case DMP_EV_EVICT:
	case DMP_EV_REFILL:
		snprintf(name, sizeof(name), "%s %u line(s)", kind, ev->lines);
		add(t, 'X', ts, 1, lane_of(t, G_CPU, "cache operations"), "cache", name, args);
		break;
	case DMP_EV_BARRIER:
		snprintf(name, sizeof(name), "%s", ev->text[0] ? ev->text : kind);
		add(t, 'i', ts, 0, lane_of(t, G_CPU, "barriers"), "barrier", name, args);
		break;
	case DMP_EV_DEV_READ:
	case DMP_EV_DEV_WRITE:
		snprintf(name, sizeof(name), "%s %zu bytes", kind, ev->size);
		add(t, 'X', ts, 1, lane_of(t, G_DEVICE, dev), kind, name, args);
		break;
	case DMP_EV_DEV_FAULT:
	case DMP_EV_MMIO_READ:
	case DMP_EV_MMIO_WRITE:
		add(t, 'i', ts, 0, lane_of(t, G_DEVICE, dev), kind, kind, args);
		break;
	case DMP_EV_IOTLB_HIT:
	case DMP_EV_IOMMU_WALK:
	case DMP_EV_IOMMU_FAULT:
	case DMP_EV_IOTLB_INVAL: {
		const char *iommu = ev->kind == DMP_EV_IOMMU_FAULT ? "IOMMU faults" : ev->text;
		add(t, ev->kind == DMP_EV_IOMMU_WALK ? 'X' : 'i', ts, 1,
		    lane_of(t, G_IOMMU, iommu), kind, kind, args);
		break;
	}
	default:
		add(t, 'i', ts, 0, lane_of(t, G_CPU, "notes"), kind, kind, args);
		break;
	}
}

int timeline_watch(struct timeline *t, struct dmp_sim *sim)
{
	return dmp_sim_add_observer(sim, sim_event, t);
}

/* --- ownership from the DMA API's tracepoints ----------------------------- */

static struct owner_span *span_of(struct timeline *t, const void *dev, uint64_t key,
				  const char *label)
{
	for (size_t i = 0; i < t->nr_spans; i++)
		if (t->spans[i].dev == dev && t->spans[i].key == key)
			return &t->spans[i];
	if (!label)
		return NULL;
	struct owner_span *s = grow(t->spans, &t->cap_spans, t->nr_spans, sizeof(*s), &t->oom);
	if (!s)
		return NULL;
	t->spans = s;
	s = &t->spans[t->nr_spans++];
	char lane[72];
	snprintf(lane, sizeof(lane), "%u: %s", ++t->buffers, label);
	*s = (struct owner_span){ .dev = dev, .key = key, .lane = lane_of(t, G_BUFFER, lane) };
	return s;
}

static void become(struct timeline *t, struct owner_span *s, const char *state)
{
	close_span(t, s);
	s->state = state;
	s->since = t->now;
	s->open = true;
}

void timeline_api_event(void *cookie, const struct dmp_dma_trace_event *ev)
{
	struct timeline *t = cookie;
	t->now++;
	uint64_t key = ev->sg ? (uint64_t)(uintptr_t)ev->sg : ev->dma;
	const char *dev = dmp_dev_name(ev->dev);
	const char *op = dmp_dma_trace_op_name(ev->op);
	bool starts = ev->op == DMP_TRACE_MAP || ev->op == DMP_TRACE_MAP_SG ||
		      ev->op == DMP_TRACE_ALLOC;
	char args[192];
	snprintf(args, sizeof(args), "%s %s: bus 0x%llx, %zu bytes, %s:%d", dev, op,
		 (unsigned long long)ev->dma, ev->size, ev->file ? ev->file : "?", ev->line);
	if (starts && (ev->op == DMP_TRACE_MAP_SG ? !ev->mapped : ev->dma == DMP_MAPPING_ERROR)) {
		add(t, 'i', t->now, 0, lane_of(t, G_LOG, "DMA API errors"), "map-failed", op, args);
		return;
	}
	static const char *const dirs[] = { "BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE", "NONE" };
	char label[48];
	snprintf(label, sizeof(label), "%.30s %s", dev,
		 ev->op == DMP_TRACE_ALLOC ? "coherent" : (unsigned int)ev->dir < 4 ? dirs[ev->dir] : "?");
	struct owner_span *s = span_of(t, ev->dev, key, starts ? label : NULL);
	if (!s)
		return; /* not one we saw mapped (or out of memory) */
	if (starts)
		snprintf(s->what, sizeof(s->what), "%s", args);
	add(t, 'i', t->now, 0, s->lane, "dma-api", op, args);
	switch (ev->op) {
	case DMP_TRACE_MAP:
	case DMP_TRACE_MAP_SG:
	case DMP_TRACE_SYNC_FOR_DEVICE:
		become(t, s, "device owns");
		break;
	case DMP_TRACE_SYNC_FOR_CPU:
		become(t, s, "CPU owns");
		break;
	case DMP_TRACE_ALLOC:
		become(t, s, "shared (coherent)");
		break;
	default: /* unmap, unmap_sg, free: the buffer's story ends */
		close_span(t, s);
		*s = t->spans[--t->nr_spans];
		break;
	}
}

void timeline_log_line(void *cookie, const char *line)
{
	struct timeline *t = cookie;
	fprintf(stderr, "%s\n", line); /* still on the console */
	bool finding = strstr(line, "DMA-API:") != NULL;
	const char *what = finding ? strstr(line, "DMA-API:") + 9 : line;
	char name[96];
	snprintf(name, sizeof(name), "%s", what);
	char *cut = strchr(name, '[');
	if (cut && cut > name)
		cut[-1] = 0;
	add(t, 'i', ++t->now, 0, lane_of(t, G_LOG, finding ? "checker findings" : "log"),
	    finding ? "finding" : "log", name, line);
}

/* --- output -------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int write_json(const struct timeline *t, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"dmaport-sim\","
		   "\"clock\":\"one tick per simulator event or DMA API call\"},\n\"traceEvents\":[\n");
	bool first = true;
	for (int g = 1; g < G_NR; g++) {
		fprintf(f, "%s{\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"name\":\"process_name\",\"args\":"
			   "{\"name\":", first ? "" : ",\n", g);
		json_str(f, group_names[g]);
		fprintf(f, "}},\n{\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"name\":\"process_sort_index\","
			   "\"args\":{\"sort_index\":%d}}", g, g);
		first = false;
	}
	for (unsigned int i = 0; i < t->nr_lanes; i++) {
		fprintf(f, ",\n{\"ph\":\"M\",\"pid\":%d,\"tid\":%u,\"name\":\"thread_name\",\"args\":"
			   "{\"name\":", t->lanes[i].group, i + 1);
		json_str(f, t->lanes[i].name);
		fprintf(f, "}}");
	}
	for (size_t i = 0; i < t->nr_rec; i++) {
		const struct record *r = &t->rec[i];
		fprintf(f, ",\n{\"ph\":\"%c\",\"pid\":%d,\"tid\":%u,\"ts\":%lu,", r->ph,
			t->lanes[r->lane].group, r->lane + 1, r->ts);
		if (r->ph == 'X')
			fprintf(f, "\"dur\":%lu,", r->dur);
		else
			fprintf(f, "\"s\":\"t\",");
		fprintf(f, "\"cat\":");
		json_str(f, r->cat);
		fprintf(f, ",\"name\":");
		json_str(f, r->name);
		fprintf(f, ",\"args\":{\"detail\":");
		json_str(f, r->args);
		fprintf(f, "}}");
	}
	fprintf(f, "\n]}\n");
	return fclose(f) ? -errno : 0;
}

static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

static const char *colour(const char *cat)
{
	static const struct {
		const char *cat, *fill;
	} c[] = {
		{ "device-owns", "#e4572e" }, { "cpu-owns", "#17bebb" }, { "shared", "#a0a0a0" },
		{ "cache", "#4c72b0" },       { "barrier", "#8172b2" },  { "dev-read", "#55a868" },
		{ "dev-write", "#c44e52" },   { "iommu-walk", "#dd8452" }, { "iotlb-hit", "#937860" },
		{ "iommu-fault", "#d62728" }, { "dev-fault", "#d62728" }, { "finding", "#d62728" },
		{ "scenario", "#cfe8cf" },    { "scenario-failed", "#f4c7c3" },
		{ "map-failed", "#d62728" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!strcmp(cat, c[i].cat))
			return c[i].fill;
	return "#777777";
}

#define SVG_LABEL 190
#define SVG_ROW 18
#define SVG_TOP 40

static int write_svg(const struct timeline *t, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	/* lanes in group order; a tick is 3..8 pixels, the picture at most ~12000 wide */
	unsigned int *row = calloc(t->nr_lanes + 1, sizeof(*row));
	if (!row) {
		fclose(f);
		return -ENOMEM;
	}
	unsigned int rows = 0;
	for (int g = 1; g < G_NR; g++)
		for (unsigned int i = 0; i < t->nr_lanes; i++)
			if (t->lanes[i].group == (enum group)g)
				row[i] = rows++;
	unsigned long ticks = t->now + 2;
	double px = ticks * 8 <= 12000 ? 8 : ticks * 3 <= 12000 ? 3 : 12000.0 / (double)ticks;
	double width = SVG_LABEL + (double)ticks * px + 20;
	unsigned int height = SVG_TOP + rows * SVG_ROW + 30;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%u\" "
		   "viewBox=\"0 0 %.0f %u\" font-family=\"sans-serif\" font-size=\"11\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		   "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">dmaport-sim timeline"
		   "</text><text x=\"8\" y=\"32\" fill=\"#555\">one tick per simulator event or DMA "
		   "API call; red: device owns, teal: CPU owns, grey: shared</text>\n",
		width, height, width, height);
	for (unsigned int i = 0; i < t->nr_lanes; i++) {
		unsigned int y = SVG_TOP + row[i] * SVG_ROW;
		fprintf(f, "<rect x=\"0\" y=\"%u\" width=\"%.0f\" height=\"%d\" fill=\"%s\"/>\n", y,
			width, SVG_ROW, row[i] % 2 ? "#f7f7f7" : "#ffffff");
		fprintf(f, "<text x=\"4\" y=\"%u\">", y + 13);
		xml_str(f, group_names[t->lanes[i].group]);
		fputs(": ", f);
		xml_str(f, t->lanes[i].name);
		fputs("</text>\n", f);
	}
	for (size_t i = 0; i < t->nr_rec; i++) {
		const struct record *r = &t->rec[i];
		double x = SVG_LABEL + (double)r->ts * px;
		unsigned int y = SVG_TOP + row[r->lane] * SVG_ROW;
		if (r->ph == 'X')
			fprintf(f, "<rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
				   "stroke=\"#333\" stroke-width=\"0.3\"><title>", x, y + 2,
				(double)(r->dur ? r->dur : 1) * px, SVG_ROW - 4, colour(r->cat));
		else
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%u\" r=\"3\" fill=\"%s\"><title>", x,
				y + SVG_ROW / 2, colour(r->cat));
		xml_str(f, r->name);
		fputs(" - ", f);
		xml_str(f, r->args);
		fprintf(f, "</title></%s>\n", r->ph == 'X' ? "rect" : "circle");
	}
	fputs("</svg>\n", f);
	free(row);
	return fclose(f) ? -errno : 0;
}

int timeline_finish(struct timeline *t, const char *json, const char *svg)
{
	int err = t->oom ? -ENOMEM : 0;
	if (!err)
		err = write_json(t, json);
	if (!err && svg)
		err = write_svg(t, svg);
	free(t->lanes);
	free(t->rec);
	free(t->spans);
	free(t);
	return err;
}
