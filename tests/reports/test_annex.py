"""The annex planner: pages cut before the layout are the pages the layout makes, and they are full."""
from __future__ import annotations

import pytest

from reports import annex, samples
from reports.assembly import Styles
from reports.templating import annex_part_html


@pytest.fixture(scope="module")
def context() -> dict:
    context = samples.operation_summary(120, seed=11)
    rows = context["figures"]["seizures"]
    for index in range(0, 120, 7):  # rows of one to many lines
        rows[index]["detection_method"] = "Joint operation, Risk profiling, X-ray / scanner, Detector dog"
    for index in range(3, 120, 11):
        rows[index]["place"] = "Express courier hub, Norman Manley International Airport, Kingston, JM"
    rows[50]["commodity"] = "A commodity described at great length " * 6
    return context


@pytest.fixture(scope="module")
def styles(context):
    return Styles(context, "operation_summary")


def test_planned_pages_are_the_pages_the_layout_makes(context, styles):
    parts = annex.plan(context, styles, part_rows=40)
    pages = [page for part in parts for page in part]
    assert pages[0][0] == 0 and pages[-1][1] == 120
    assert all(a[1] == b[0] for a, b in zip(pages, pages[1:]))  # contiguous, no row lost or repeated
    assert len(parts) >= 3 and all(sum(stop - start for start, stop in part) >= 40 for part in parts[:-1])
    document = styles.layout(annex_part_html(context, pages, first=True), numbered=False)
    assert len(document.pages) == len(pages)
    geometry = annex.calibrate(context, styles)
    for page, (start, stop) in zip(document.pages, pages):
        assert len(annex._rows(page)) == stop - start
    # Full: the next row would not have fitted on any page but the last.
    counter = annex.LineCounter(geometry)
    rows = context["figures"]["seizures"]
    for number, (start, stop) in enumerate(pages[:-1]):
        used = sum(geometry.row_base + counter.lines(row) * geometry.line_height for row in rows[start:stop])
        following = geometry.row_base + counter.lines(rows[stop]) * geometry.line_height
        room = geometry.first_room if number == 0 else geometry.room
        assert used + following > room - annex.SLACK_PX


def test_line_counts_come_from_pango_with_the_columns_widths(context, styles):
    counter = annex.LineCounter(annex.calibrate(context, styles))
    assert counter.cell_lines(0, "JM-2017-00001") == 1
    assert counter.cell_lines(7, "Joint operation, Risk profiling, X-ray / scanner, Detector dog") >= 3
    assert counter.cell_lines(7, "") == 1
    assert counter.cell_lines(3, "  Kingston,\n  marina ") == counter.cell_lines(3, "Kingston, marina")


def test_an_empty_annex_is_one_empty_page(context, styles):
    assert annex.plan({**context, "figures": {**context["figures"], "seizures": []}}, styles) == [[(0, 0)]]
