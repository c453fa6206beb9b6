"""PDF products: the operation summary for 200 and 5 000 seizures and the conference report for a year of
20 000 seizures, rendered as the jobs render them (reports.renderer: a child process from the fork
server), next to a plain single-document WeasyPrint render of the same annex table in the same run.

Time is the parent's wall clock around the render (child start included); peak memory is the
render's peak resident set (ru_maxrss of the render child plus that of its annex helper, which run
at the same time). The plain render runs in the same kind of child, with the same templates and
stylesheets, as one document: the time of its layout and PDF writing and its ru_maxrss. The parent's
resident set is read before and after the renders: rendering must not make the app grow.

Contexts are synthetic (reports/samples.py). `python -m benchmarks.bench_products` runs this module
alone, without serving the app.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from dataclasses import dataclass

SMALL, LARGE, CONFERENCE = 200, 5000, 20000
SMALL_GOAL_SECONDS = 3.0
TIME_RATIO, MEMORY_RATIO = 0.7, 0.5
PARENT_GROWTH_GOAL_MB = 5.0
PLAIN_MEMORY_MB = 6144  # the plain render of 5 000 rows needs several hundred MB; do not let the limit decide


@dataclass
class Measure:
    name: str
    seconds: float
    peak_mb: float
    pages: int
    cpu_seconds: float = float("nan")
    goal: str = ""
    met: bool | None = None


def plain_annex(payload: str, progress) -> dict:
    """In the render child: the annex table as ONE WeasyPrint document, timed from HTML to PDF bytes."""
    from reports.assembly import Styles
    from reports.templating import annex_part_html

    context = json.loads(payload)
    started = time.perf_counter()
    styles = Styles(context, "operation_summary")
    rows = len(context["figures"]["seizures"])
    document = styles.layout(annex_part_html(context, [(0, rows)], first=True), numbered=True)
    pdf = document.write_pdf()
    return {"seconds": time.perf_counter() - started, "pages": len(document.pages), "bytes": len(pdf)}


def parent_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure() -> tuple[list[Measure], list[str]]:
    from reports import samples
    from reports.renderer import render_product, run_in_child

    load_before = os.getloadavg()
    contexts = {SMALL: samples.operation_summary(SMALL), LARGE: samples.operation_summary(LARGE)}
    conference = samples.conference_report(CONFERENCE, operations=2)
    gc.collect()
    rss_before = parent_rss_mb()
    results: list[Measure] = []
    rss_after: list[float] = []

    def product(name: str, kind: str, context: dict) -> Measure:
        rendered = render_product(kind, context, timeout=1800, memory_mb=2048)
        result = Measure(name, rendered.seconds, rendered.peak_memory_kb / 1024, rendered.pages,
                         rendered.cpu_seconds)
        del rendered
        gc.collect()
        rss_after.append(parent_rss_mb())
        print(f"{name}: {result.seconds:.2f} s, CPU {result.cpu_seconds:.1f} s, peak {result.peak_mb:.0f} MB, "
              f"{result.pages} pages", file=sys.stderr, flush=True)
        return result

    def plain(rows: int) -> Measure:
        started = time.perf_counter()
        result, used = run_in_child("benchmarks.bench_products:plain_annex", json.dumps(contexts[rows]),
                                    timeout=3600, memory_mb=PLAIN_MEMORY_MB)
        wall = time.perf_counter() - started
        print(f"plain {rows}: {wall:.2f} s, CPU {used['cpu_s']:.1f} s, peak {used['peak_kb'] / 1024:.0f} MB",
              file=sys.stderr, flush=True)
        return Measure(f"plain WeasyPrint, the same {rows:,}-row annex as one document", wall,
                       used["peak_kb"] / 1024, result["pages"], used["cpu_s"],
                       goal=f"(layout and writing: {result['seconds']:.1f} s)")

    small = product(f"operation summary, {SMALL:,} seizures", "operation_summary", contexts[SMALL])
    small.goal, small.met = f"< {SMALL_GOAL_SECONDS:g} s", small.seconds < SMALL_GOAL_SECONDS
    # A second render: the first one pays for starting the fork server (once per app process).
    warm = product(f"operation summary, {SMALL:,} seizures (again)", "operation_summary", contexts[SMALL])
    warm.goal, warm.met = f"< {SMALL_GOAL_SECONDS:g} s", warm.seconds < SMALL_GOAL_SECONDS
    large = product(f"operation summary, {LARGE:,} seizures", "operation_summary", contexts[LARGE])
    baseline = plain(LARGE)
    time_ratio, memory_ratio = large.seconds / baseline.seconds, large.peak_mb / baseline.peak_mb
    cpu_ratio = large.cpu_seconds / baseline.cpu_seconds
    large.goal = (f"≤ {TIME_RATIO}× time, ≤ {MEMORY_RATIO}× memory of plain: {time_ratio:.2f}×, "
                  f"{memory_ratio:.2f}× (CPU time {cpu_ratio:.2f}×)")
    large.met = time_ratio <= TIME_RATIO and memory_ratio <= MEMORY_RATIO
    small_plain = plain(SMALL)
    year = product(f"conference report, a year of {CONFERENCE:,} seizures", "conference_report", conference)
    year.goal = "(no annex: figures, charts, map)"
    # The same render as the first, last: the parent's resident set must be back where it was.
    product(f"operation summary, {SMALL:,} seizures (last)", "operation_summary", contexts[SMALL])
    results = [small, warm, small_plain, large, baseline, year]

    growth = rss_after[-1] - rss_after[0]
    verdict = "met" if growth <= PARENT_GROWTH_GOAL_MB else "NOT met"
    notes = [f"Parent RSS: {rss_before:.1f} MB before the renders; after each of the {len(rss_after)} renders "
             f"{', '.join(f'{rss:.1f}' for rss in rss_after)} MB; from the first to the last (the same "
             f"product) {growth:+.1f} MB (goal: at most {PARENT_GROWTH_GOAL_MB:g} MB): {verdict}.",
             f"Machine: {os.cpu_count()} CPUs; load average (1, 5, 15 min) before the renders "
             f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}: "
             f"other processes share the CPUs, so compare times within one run."]
    results.append(Measure("parent process RSS, last render minus first", 0, growth, 0,
                           goal=f"≤ {PARENT_GROWTH_GOAL_MB:g} MB", met=growth <= PARENT_GROWTH_GOAL_MB))
    return results, notes


def run(ctx) -> list:
    """For `python -m benchmarks`: one row per render (latency = its time); memory in the label."""
    from benchmarks.common import Row

    measures, notes = measure()
    for note in notes:
        print(note, file=sys.stderr)
    rows = []
    for m in measures:
        label = f"PDF {m.name}" + (f" — {m.pages} pages, peak {m.peak_mb:.0f} MB, CPU {m.cpu_seconds:.1f} s"
                                  if m.pages else f": {m.peak_mb:+.1f} MB")
        rows.append(Row(benchmark=label, clients=1, requests=1 if m.pages else 0, seconds=m.seconds,
                        latencies_ms=[m.seconds * 1000] if m.pages else [], goal=m.goal, met=m.met))
    return rows


def main() -> int:
    measures, notes = measure()
    print("| render | pages | seconds | CPU s | peak MB | goal | met |\n|---|---:|---:|---:|---:|---|:---:|")
    for m in measures:
        met = "" if m.met is None else ("yes" if m.met else "**no**")
        print(f"| {m.name} | {m.pages} | {m.seconds:.2f} | {m.cpu_seconds:.1f} | {m.peak_mb:.0f} | {m.goal} | {met} |")
    print("\n".join(notes))
    return 0 if all(m.met is not False for m in measures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
