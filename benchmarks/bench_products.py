"""PDF products: the operation summary for 200 and 5 000 seizures and the conference report for a year of
20 000 seizures, rendered as the jobs render them (reports.renderer: a child process from the fork
server), next to a plain single-document WeasyPrint render of the same annex table in the same run.

Time is the parent's wall clock around the render (child start included); peak memory is the
render's peak resident set (ru_maxrss of the render child plus that of its annex helper, which run
at the same time). The plain render runs in the same kind of child, with the same templates and
stylesheets, as one document: the time of its layout and PDF writing and its ru_maxrss. The parent's
resident set is read before and after the renders: rendering must not make the app grow.

The machine is shared, so its load changes during a run: the products and the plain renders take turns
(ROUNDS rounds, ELIX_BENCH_PRODUCT_ROUNDS), each round's ratios are computed from renders a minute apart,
and the medians are judged; the load average after each render is printed next to it.

Contexts are synthetic (reports/samples.py). `python -m benchmarks.bench_products` runs this module
alone, without serving the app.
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass

SMALL, LARGE, CONFERENCE = 200, 5000, 20000
SMALL_GOAL_SECONDS = 3.0
TIME_RATIO, MEMORY_RATIO = 0.7, 0.5
PARENT_GROWTH_GOAL_MB = 5.0
ROUNDS = int(os.environ.get("ELIX_BENCH_PRODUCT_ROUNDS", "2"))  # turns of product and plain renders
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
    load: float = float("nan")  # the 1-minute load average when the render ended
    # The CPU time of the busier of the render's processes (child, annex helper): about the wall time the
    # render takes on an idle machine with a core for each, whatever the load was.
    busier_cpu: float = float("nan")


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


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure(rounds: int = ROUNDS) -> tuple[list[Measure], list[str]]:
    from reports import samples
    from reports.renderer import render_product, run_in_child

    load_before = os.getloadavg()
    contexts = {SMALL: samples.operation_summary(SMALL), LARGE: samples.operation_summary(LARGE)}
    conference = samples.conference_report(CONFERENCE, operations=2)
    gc.collect()
    rss_before = parent_rss_mb()
    rss_after: list[float] = []
    loads: list[float] = []

    def product(name: str, kind: str, context: dict) -> Measure:
        rendered = render_product(kind, context, timeout=1800, memory_mb=2048)
        result = Measure(name, rendered.seconds, rendered.peak_memory_kb / 1024, rendered.pages,
                         rendered.cpu_seconds, load=os.getloadavg()[0],
                         busier_cpu=max(rendered.child_cpu_seconds, rendered.cpu_seconds - rendered.child_cpu_seconds))
        del rendered
        gc.collect()
        rss_after.append(parent_rss_mb())
        loads.append(result.load)
        print(f"{name}: {result.seconds:.2f} s, CPU {result.cpu_seconds:.1f} s (busier process "
              f"{result.busier_cpu:.1f} s), peak {result.peak_mb:.0f} MB, {result.pages} pages, "
              f"load {result.load:.1f}", file=sys.stderr, flush=True)
        return result

    def plain(rows: int) -> Measure:
        started = time.perf_counter()
        result, used = run_in_child("benchmarks.bench_products:plain_annex", json.dumps(contexts[rows]),
                                    timeout=3600, memory_mb=PLAIN_MEMORY_MB)
        wall, load = time.perf_counter() - started, os.getloadavg()[0]
        loads.append(load)
        print(f"plain {rows}: {wall:.2f} s, CPU {used['cpu_s']:.1f} s, peak {used['peak_kb'] / 1024:.0f} MB, "
              f"load {load:.1f}", file=sys.stderr, flush=True)
        return Measure(f"plain WeasyPrint, the same {rows:,}-row annex as one document", wall,
                       used["peak_kb"] / 1024, result["pages"], used["cpu_s"], load=load,
                       goal=f"(layout and writing: {result['seconds']:.1f} s)")

    # The first render pays for starting the fork server (once per app process): shown, not judged.
    cold = product(f"operation summary, {SMALL:,} seizures (first render of the process)", "operation_summary",
                   contexts[SMALL])
    cold.goal = "(starts the fork server)"
    # Products and plain renders take turns, so that a change in the machine's load (it is shared) falls on
    # both: the ratios are those of one round, and the medians over the rounds are judged.
    small, small_plain, large, large_plain = [], [], [], []
    for _ in range(rounds):
        small.append(product(f"operation summary, {SMALL:,} seizures", "operation_summary", contexts[SMALL]))
        small_plain.append(plain(SMALL))
        large.append(product(f"operation summary, {LARGE:,} seizures", "operation_summary", contexts[LARGE]))
        large_plain.append(plain(LARGE))
    year = product(f"conference report, a year of {CONFERENCE:,} seizures", "conference_report", conference)
    year.goal = "(no annex: figures, charts, map)"
    # The same render as the first warm one, last: the parent's resident set must be back where it was.
    product(f"operation summary, {SMALL:,} seizures (last)", "operation_summary", contexts[SMALL])

    small_time = median([m.seconds for m in small])
    busier = median([m.busier_cpu for m in small])
    small_row = _summary(small, f"< {SMALL_GOAL_SECONDS:g} s (median of {rounds}: {small_time:.2f} s; CPU of the "
                                f"busier process {busier:.2f} s: about the time on an idle machine)")
    small_row.met = small_time < SMALL_GOAL_SECONDS
    time_ratios = [p.seconds / b.seconds for p, b in zip(large, large_plain)]
    memory_ratios = [p.peak_mb / b.peak_mb for p, b in zip(large, large_plain)]
    cpu_ratios = [p.cpu_seconds / b.cpu_seconds for p, b in zip(large, large_plain)]
    large_row = _summary(large, f"≤ {TIME_RATIO}× time, ≤ {MEMORY_RATIO}× memory of plain, median of {rounds} "
                                f"rounds: {median(time_ratios):.2f}×, {median(memory_ratios):.2f}× (rounds: "
                                f"{', '.join(f'{t:.2f}×/{m:.2f}×' for t, m in zip(time_ratios, memory_ratios))}; "
                                f"CPU time {median(cpu_ratios):.2f}×)")
    large_row.met = median(time_ratios) <= TIME_RATIO and median(memory_ratios) <= MEMORY_RATIO
    results = [cold, small_row, _summary(small_plain, small_plain[0].goal), large_row,
               _summary(large_plain, large_plain[0].goal), year]

    growth = rss_after[-1] - rss_after[0]
    verdict = "met" if growth <= PARENT_GROWTH_GOAL_MB else "NOT met"
    notes = [f"Parent RSS: {rss_before:.1f} MB before the renders; after each of the {len(rss_after)} renders "
             f"{', '.join(f'{rss:.1f}' for rss in rss_after)} MB; from the first to the last (the same "
             f"product) {growth:+.1f} MB (goal: at most {PARENT_GROWTH_GOAL_MB:g} MB): {verdict}.",
             f"Machine: {os.cpu_count()} CPUs; load average (1 min) {load_before[0]:.2f} before the renders, "
             f"{min(loads):.2f}–{max(loads):.2f} after each, {os.getloadavg()[0]:.2f} at the end: other processes "
             f"share the CPUs, so compare the times of one round; the product uses two processes, the plain render "
             f"one, so CPU time does not show the product's gain."]
    results.append(Measure("parent process RSS, last render minus first", 0, growth, 0,
                           goal=f"≤ {PARENT_GROWTH_GOAL_MB:g} MB", met=growth <= PARENT_GROWTH_GOAL_MB))
    return results, notes


def _summary(measures: list[Measure], goal: str) -> Measure:
    """One row for the rounds of one render: median time, CPU time and peak memory."""
    first = measures[0]
    name = first.name + (f" (median of {len(measures)})" if len(measures) > 1 else "")
    return Measure(name, median([m.seconds for m in measures]), median([m.peak_mb for m in measures]), first.pages,
                   median([m.cpu_seconds for m in measures]), goal=goal,
                   load=median([m.load for m in measures]), busier_cpu=median([m.busier_cpu for m in measures]))


def run(ctx) -> list:
    """For `python -m benchmarks`: one row per render (latency = its time); memory in the label."""
    from benchmarks.common import Row

    measures, notes = measure()
    for note in notes:
        print(note, file=sys.stderr)
    ctx.notes.extend(notes)
    rows = []
    for m in measures:
        label = f"PDF {m.name}" + (f" — {m.pages} pages, peak {m.peak_mb:.0f} MB, CPU {m.cpu_seconds:.1f} s, "
                                  f"load {m.load:.1f}" if m.pages else f": {m.peak_mb:+.1f} MB")
        rows.append(Row(benchmark=label, clients=1, requests=1 if m.pages else 0, seconds=m.seconds,
                        latencies_ms=[m.seconds * 1000] if m.pages else [], goal=m.goal, met=m.met))
    return rows


def main() -> int:
    measures, notes = measure()
    print("| render | pages | seconds | CPU s | peak MB | load | goal | met |")
    print("|---|---:|---:|---:|---:|---:|---|:---:|")
    for m in measures:
        met = "" if m.met is None else ("yes" if m.met else "**no**")
        print(f"| {m.name} | {m.pages} | {m.seconds:.2f} | {m.cpu_seconds:.1f} | {m.peak_mb:.0f} | {m.load:.1f} | "
              f"{m.goal} | {met} |")
    print("\n".join(notes))
    return 0 if all(m.met is not False for m in measures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
