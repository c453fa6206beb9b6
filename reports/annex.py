"""The annex table of the operation summary: its pages planned before any is laid out, then rendered in
parts by several processes at once (runs in the render child; see reports/assembly.py).

WeasyPrint lays out a fixed-layout table in time linear in its rows, but on one core, and a document
holds every page's boxes until it is written. So the annex is cut into parts of whole pages, each part
laid out, written to PDF and dropped; the render child and a helper process take parts from a queue.
Cutting at page boundaries needs the boundaries before the layout. A row's height follows from the
number of lines of its tallest cell, which Pango — the text engine of the layout, with the font and the
width the layout uses — gives without a layout; a calibration render of two rows gives the rest: the
cells' widths, the line height, the room for rows on the first annex page and on the others. Each
planned page is its own table (so its header repeats) and breaks before the next: pages are full and
the parts need nothing from each other.
"""
from __future__ import annotations

import gc
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from weasyprint.formatting_structure import boxes
from weasyprint.text.ffi import TO_UNITS, ffi, pango
from weasyprint.text.line_break import Layout

from reports.formatting import quantity, short_date
from reports.templating import annex_part_html

PART_ROWS = 300  # rows per part at most, in whole pages: many pages per document, a layout that stays small
PARTS_AT_LEAST = 4  # a small annex still makes a few parts, so that both processes share its work
MIN_PART_ROWS = 40
SLACK_PX = 4.0  # room left free at the foot of a planned page: the table's own bottom border, rounding
CALIBRATION_ROW = {"reference": "X", "date": "2017-01-01", "administration": "X", "place": "X", "commodity": "X",
                   "quantity": 1, "unit": "kg", "transport_mode": "X", "detection_method": "X"}  # one line
CELLS = (
    lambda s: s["reference"], lambda s: short_date(s["date"]), lambda s: s["administration"],
    lambda s: s["place"], lambda s: s["commodity"], lambda s: f"{quantity(s['quantity'])} {s['unit']}",
    lambda s: s["transport_mode"], lambda s: s["detection_method"],
)  # the text of each cell of a row, as templates/_macros.html annex_table prints it


@dataclass
class Geometry:
    """What a calibration render measures (CSS px)."""

    cell_widths: list[float]  # content width of each column
    line_height: float
    row_base: float  # a row's height less its lines
    first_room: float  # room for rows on the first annex page (below the heading and the header row)
    room: float  # room for rows on the other pages
    text_style: object  # the computed style of a cell's text, for Pango


def plan(context: dict, styles, part_rows: int = PART_ROWS) -> list[list[tuple[int, int]]]:
    """The annex's parts: each a list of pages, each page a range [start, stop) of seizure rows."""
    seizures = context["figures"]["seizures"]
    if not seizures:
        return [[(0, 0)]]
    geometry = calibrate(context, styles)
    counter = LineCounter(geometry)
    pages, start, used, room = [], 0, 0.0, geometry.first_room
    for index, row in enumerate(seizures):
        height = geometry.row_base + counter.lines(row) * geometry.line_height
        if index > start and used + height > room - SLACK_PX:
            pages.append((start, index))
            start, used, room = index, 0.0, geometry.room
        used += height
    pages.append((start, len(seizures)))
    part_rows = min(part_rows, max(MIN_PART_ROWS, -(-len(seizures) // PARTS_AT_LEAST)))
    parts: list[list[tuple[int, int]]] = [[]]
    for page in pages:
        if parts[-1] and sum(stop - start for start, stop in parts[-1]) >= part_rows:
            parts.append([])
        parts[-1].append(page)
    return parts


def calibrate(context: dict, styles) -> Geometry:
    """Lay out the annex heading with three one-line rows, then one on a second page, and measure."""
    document = styles.layout(annex_part_html(context, [(0, 3), (0, 1)], first=True, rows=[CALIBRATION_ROW] * 3),
                             numbered=False)
    if len(document.pages) != 2:
        raise RuntimeError(f"the annex calibration took {len(document.pages)} pages, not 2")
    first, second = (_rows(page) for page in document.pages)
    line_height = _line_height(first[0])
    # The pitch of the second row (in case the first row of a table differs: collapsed borders).
    pitch = first[2].position_y - first[1].position_y
    bottom = [page._page_box.content_box_y() + page._page_box.height for page in document.pages]
    return Geometry(
        cell_widths=[cell.width for cell in first[0].children], line_height=line_height,
        row_base=pitch - line_height, first_room=bottom[0] - first[0].position_y,
        room=bottom[1] - second[0].position_y, text_style=_text_style(first[0]))


class LineCounter:
    """Lines of a row's tallest cell, from Pango with the cells' font and widths (cached per text)."""

    def __init__(self, geometry: Geometry) -> None:
        self.widths = geometry.cell_widths
        self.layout = Layout(geometry.text_style)
        self.cache: dict[tuple[int, str], int] = {}

    def lines(self, row: dict) -> int:
        return max(self.cell_lines(column, text(row)) for column, text in enumerate(CELLS))

    def cell_lines(self, column: int, text: object) -> int:
        text = " ".join(str(text or "").split())  # white-space: normal, as the layout collapses it
        key = (column, text)
        if key not in self.cache:
            count = 1
            if text:
                pango.pango_layout_set_width(self.layout.layout, int(self.widths[column] * TO_UNITS))
                self.layout.set_text(text)
                count = 0
                while pango.pango_layout_get_line_readonly(self.layout.layout, count) != ffi.NULL:
                    count += 1
            self.cache[key] = max(count, 1)
        return self.cache[key]


def _rows(page) -> list:
    # WeasyPrint has no public API for a page's boxes; Page._page_box is stable in 70.x (pinned).
    return [box for box in page._page_box.descendants()
            if isinstance(box, boxes.TableRowBox) and box.element is not None
            and "r" in (box.element.get("class") or "").split()]


def _text_style(row):
    for box in row.children[0].descendants():
        if isinstance(box, boxes.TextBox):
            return box.style
    raise RuntimeError("the annex calibration row has no text")


def _line_height(row) -> float:
    for box in row.children[0].descendants():
        if isinstance(box, boxes.LineBox):
            return box.height
    raise RuntimeError("the annex calibration row has no line")


class PartQueue:
    """Part numbers handed out through a pipe: whoever reads four bytes owns that part. The planner
    writes every number, then closes its end; a reader meets the end of the pipe when none is left."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()

    def fill(self, count: int) -> None:
        os.write(self.write_fd, b"".join(struct.pack("=i", index) for index in range(count)))
        self.close_writing()

    def close_writing(self) -> None:
        if self.write_fd is not None:
            os.close(self.write_fd)
            self.write_fd = None

    def take(self) -> int | None:
        data = os.read(self.read_fd, 4)
        return struct.unpack("=i", data)[0] if len(data) == 4 else None

    def close(self) -> None:
        self.close_writing()
        os.close(self.read_fd)


class AnnexWork:
    """Planning and rendering the parts into `folder` (plan.json, annex-NNNN.pdf)."""

    def __init__(self, context: dict, folder: Path, progress, part_rows: int = PART_ROWS) -> None:
        self.context, self.folder, self.progress, self.part_rows = context, folder, progress, part_rows
        self.queue = PartQueue()
        self._parts: list | None = None

    def plan(self, styles) -> None:
        """Plan the parts and open the queue (the planner's job, before it takes parts itself)."""
        self.progress(0.05, "planning the annex's pages")
        parts = plan(self.context, styles, self.part_rows)
        temporary = self.folder / "plan.json.tmp"
        temporary.write_text(json.dumps(parts))
        temporary.rename(self.folder / "plan.json")  # complete before any part number is handed out
        self.queue.fill(len(parts))

    def parts(self) -> list:
        if self._parts is None:
            self._parts = json.loads((self.folder / "plan.json").read_text())
        return self._parts

    def planned_pages(self) -> int:
        return sum(len(part) for part in self.parts())

    def render(self, styles, on_plan=None) -> int:
        """Take parts from the queue until none is left; return how many this process rendered.
        `on_plan()` runs once the plan is known, before the first part this process takes."""
        done = 0
        while (index := self.queue.take()) is not None:
            parts = self.parts()
            if on_plan is not None:
                on_plan()
                on_plan = None
            pages = [tuple(page) for page in parts[index]]
            document = styles.layout(annex_part_html(self.context, pages, first=index == 0), numbered=False)
            document.write_pdf(self.folder / f"annex-{index:04d}.pdf")
            del document
            gc.collect()
            done += 1
            finished = len(self.files())  # by both processes: the count only grows, unlike part numbers
            self.progress(0.1 + 0.8 * finished / len(parts), f"laid out {finished} of {len(parts)} parts "
                                                             f"of the annex")
        return done

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("annex-*.pdf"))
