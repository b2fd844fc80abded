#!/usr/bin/env python3
# check-timeline.py FILE CATEGORY... - test-dmaport-sim's check of a
# timeline: FILE parses as trace-event JSON (Chrome's Trace Event Format, as
# Perfetto reads it), every event is well formed, and each CATEGORY named
# occurs at least once.  Prints "category count" lines; exit 1 on a problem.
import json
import sys


def main():
    path, wanted = sys.argv[1], sys.argv[2:]
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    named = set()
    counts = {}
    for ev in events:
        ph = ev["ph"]
        assert ph in ("X", "i", "M"), ev
        assert isinstance(ev["pid"], int) and isinstance(ev["tid"], int), ev
        if ph == "M":
            if ev["name"] == "thread_name":
                named.add((ev["pid"], ev["tid"]))
            continue
        assert isinstance(ev["ts"], int) and ev["ts"] > 0, ev
        if ph == "X":
            assert isinstance(ev["dur"], int) and ev["dur"] >= 1, ev
        assert (ev["pid"], ev["tid"]) in named, ("lane without a name", ev)
        counts[ev["cat"]] = counts.get(ev["cat"], 0) + 1
    for cat in sorted(counts):
        print(cat, counts[cat])
    missing = [c for c in wanted if c not in counts]
    if missing:
        print("missing:", " ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
