/* SPDX-License-Identifier: MIT */
/*
 * timeline.h - dmaport-sim's timeline: a run written as Chrome/Perfetto
 * trace-event JSON (open it in ui.perfetto.dev or chrome://tracing) and as a
 * static SVG picture of the same lanes.
 *
 * Time is logical: every simulator event and DMA API call is one tick
 * (shown as 1 us), in the order they happened, so that a picture of a run is
 * the same on every machine.  Lanes: each scenario; the CPU's cache
 * operations and barriers; each device's accesses and register writes;
 * each IOMMU's walks, IOTLB hits, invalidations and faults; one lane per
 * buffer with its ownership as spans (device owns / CPU owns / shared); and
 * the log, where the checker's findings are instant events at the moment
 * they were made.
 */
#ifndef DMP_TOOLS_TIMELINE_H
#define DMP_TOOLS_TIMELINE_H

#include <stdbool.h>

struct timeline;
struct dmp_sim;
struct dmp_sim_event;
struct dmp_dma_trace_event;

/** Start recording; the files are written by timeline_finish(). NULL: no memory. */
struct timeline *timeline_new(void);
/** A scenario starts (its name and summary label its span). */
void timeline_scenario_begin(struct timeline *t, const char *name, const char *summary);
void timeline_scenario_end(struct timeline *t, bool ok);
/** Watch @sim's events (call for each machine a scenario builds). */
int timeline_watch(struct timeline *t, struct dmp_sim *sim);
/** The DMA API tracepoint callback (cookie: the timeline). */
void timeline_api_event(void *cookie, const struct dmp_dma_trace_event *ev);
/** A log line (the checker's findings among them); cookie: the timeline. */
void timeline_log_line(void *cookie, const char *line);
/**
 * Write @json (trace-event JSON) and @svg (may be NULL), then free @t.
 * Returns 0, or -errno of the first file that could not be written.
 */
int timeline_finish(struct timeline *t, const char *json, const char *svg);

#endif /* DMP_TOOLS_TIMELINE_H */
