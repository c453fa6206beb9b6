"""Lay out and write the products (runs in the render child; see reports/renderer.py).

WeasyPrint's layout time grows faster than linearly with a table's length, and a laid-out document
holds every page's boxes until it is written. So the operation summary is rendered in parts: the body
(cover to notable cases), and the annex table in parts of `part_rows` rows, each laid out, written to
PDF and dropped before the next. The last page of every annex part but the final one is left out
and its rows carried into the next part, so no page of the annex is half empty. On a machine with
more than one core the annex parts are rendered by a helper process forked from the render child
while the child lays out the body. The parts are joined with pypdf and "Page x of y" is stamped on
every page from one blank document numbered by WeasyPrint with the same page rule, so the numbers
look the same as in a document rendered whole (the conference report is).
"""
from __future__ import annotations

import gc
import io
import json
import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reports.fetcher import AssetFetcher, asset_url
from reports.worker import die_with_parent
from reports.templating import (
    PAGE_NUMBER_CSS,
    annex_part_html,
    conference_report_html,
    environment,
    operation_summary_html,
    page_css,
)

Progress = Callable[[float, str], None]
PART_ROWS = 300  # annex rows per part: large enough to fill many pages, small enough to lay out fast
ROW_CLASS = "r"  # the class of an annex row (templates/_macros.html annex_table)

# Warm-up when the fork server preloads this module: every child then starts with these ready.
for _name in ("operation_summary.html", "conference_report.html", "annex_part.html"):
    environment().get_template(_name)


def render_payload(payload: dict, progress: Progress) -> tuple[bytes, int]:
    """The child's job (reports.renderer.render_product): (PDF bytes, page count)."""
    context = json.loads(payload["context"])
    product = payload["product"]
    if product == "operation_summary":
        return operation_summary(context, progress, part_rows=payload.get("part_rows", PART_ROWS),
                                 parallel=payload.get("parallel"))
    if product == "conference_report":
        return conference_report(context, progress)
    raise ValueError(f"unknown product {product!r}")


class Styles:
    """The stylesheets of one product, parsed once and shared by its parts."""

    def __init__(self, context: dict, product: str) -> None:
        self.fetcher = AssetFetcher()
        self.fonts = FontConfiguration()
        self.base = CSS(url=asset_url("report.css"), url_fetcher=self.fetcher, font_config=self.fonts)
        self.marking = self.css(page_css(context, product, page_numbers=False))
        self.numbers = self.css(PAGE_NUMBER_CSS)

    def css(self, text: str) -> CSS:
        return CSS(string=text, url_fetcher=self.fetcher, font_config=self.fonts)

    def layout(self, html: str, *, numbered: bool):
        sheets = [self.base, self.marking] + ([self.numbers] if numbered else [])
        document = HTML(string=html, url_fetcher=self.fetcher).render(stylesheets=sheets, font_config=self.fonts)
        if self.fetcher.refused:
            raise RuntimeError(f"the document asked for resources it may not use: {self.fetcher.refused[:3]}")
        return document


def conference_report(context: dict, progress: Progress) -> tuple[bytes, int]:
    styles = Styles(context, "conference_report")
    progress(0.05, "building HTML")
    html = conference_report_html(context)
    progress(0.15, "laying out")
    document = styles.layout(html, numbered=True)
    progress(0.75, "writing PDF")
    pdf = document.write_pdf()
    progress(1.0, "done")
    return pdf, len(document.pages)


def operation_summary(context: dict, progress: Progress, *, part_rows: int = PART_ROWS,
                      parallel: bool | None = None) -> tuple[bytes, int]:
    if parallel is None:
        parallel = len(os.sched_getaffinity(0)) > 1
    progress(0.02, "laying out")
    with tempfile.TemporaryDirectory(prefix="elix-annex-") as folder:
        annex = AnnexParts(context, part_rows, Path(folder), progress)
        # Fork before this process touches fonts: Pango may start a thread then, and a fork must
        # not copy a process in the middle of another thread's work.
        helper = Helper(annex.render) if parallel else None
        try:
            styles = Styles(context, "operation_summary")
            body = Path(folder) / "body.pdf"
            body_pages = _body(context, styles, body)
            annex_pages = helper.wait() if helper else annex.render(styles)
        finally:
            if helper:
                helper.end()
        progress(0.92, "numbering pages")
        pages = body_pages + annex_pages
        pdf = _join_and_number([body, *annex.files()], pages, styles)
    progress(1.0, "done")
    return pdf, pages


def _body(context: dict, styles: Styles, path: Path) -> int:
    """Write the body without its last page (the annex heading, see operation_summary_html)."""
    document = styles.layout(operation_summary_html(context), numbered=False)
    if "annex" not in document.pages[-1].anchors:
        raise RuntimeError("the body's last page is not the annex heading")
    kept = document.pages[:-1]
    document.copy(kept).write_pdf(path)
    return len(kept)


class AnnexParts:
    """The annex table in parts of `part_rows` rows, each written to `folder`/annex-NNNN.pdf."""

    def __init__(self, context: dict, part_rows: int, folder: Path, progress: Progress):
        self.context, self.part_rows = context, max(int(part_rows), 1)
        self.folder, self.progress = folder, progress

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("annex-*.pdf"))

    def render(self, styles: Styles | None = None) -> int:
        """Render every part; return the number of pages written."""
        styles = styles or Styles(self.context, "operation_summary")
        total = len(self.context["figures"]["seizures"])
        position, pages, index = 0, 0, 0
        while True:
            self.progress(0.05 + 0.85 * position / max(total, 1),
                          f"laying out the annex (row {min(position + 1, total)} of {total})")
            stop = min(position + self.part_rows, total)
            document = styles.layout(annex_part_html(self.context, position, stop), numbered=False)
            kept, carried = (document.pages, 0) if stop == total else _full_pages(document, stop - position)
            document.copy(kept).write_pdf(self.folder / f"annex-{index:04d}.pdf")
            pages += len(kept)
            position, index = stop - carried, index + 1
            del document, kept
            gc.collect()
            if position >= total:
                return pages


class Helper:
    """`job()` in a process forked from the render child (single-threaded, so forking is safe). It is
    in the child's process group, so the parent's kill on timeout ends it too. `wait()` returns the
    job's result (an int) or raises what the helper met: MemoryError, or RuntimeError."""

    EXIT_OUT_OF_MEMORY = 3

    def __init__(self, job: Callable[[], int]) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: never returns into the caller's code
            die_with_parent()
            os.close(read)
            code, message = 1, "{}"
            try:
                message = json.dumps({"result": job()})
                code = 0
            except MemoryError:
                message, code = json.dumps({"error": "out of memory"}), self.EXIT_OUT_OF_MEMORY
            except BaseException as exc:  # noqa: BLE001 - reported to the render child
                message = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]})
            finally:
                try:
                    os.write(write, message.encode())
                finally:
                    os._exit(code)
        os.close(write)
        self.pid, self.pipe = pid, read

    def wait(self) -> int:
        chunks = []
        while chunk := os.read(self.pipe, 65536):
            chunks.append(chunk)
        _, status, _ = os.wait4(self.pid, 0)
        self.pid = None
        code = os.waitstatus_to_exitcode(status)
        if code == self.EXIT_OUT_OF_MEMORY:
            raise MemoryError("the annex helper ran out of memory")
        if code < 0:
            raise RuntimeError(f"the annex helper crashed ({signal.Signals(-code).name})")
        message = json.loads(b"".join(chunks) or b"{}")
        if code != 0 or "result" not in message:
            raise RuntimeError(message.get("error") or f"the annex helper exited with status {code}")
        return int(message["result"])

    def end(self) -> None:
        """Kill and reap the helper if `wait()` did not (the body failed)."""
        os.close(self.pipe)
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def _full_pages(document, part_rows: int, *, first_part: bool = False) -> tuple[list, int]:
    """The pages to keep of a part that the annex continues after, and how many annex rows the left-out
    last page held (they move to the next part). A last page that starts the annex, or holds all the
    part's rows, is kept."""
    pages = document.pages
    if len(pages) < 2 or (first_part and "annex" in pages[-1].anchors):
        return pages, 0
    rows = _rows_on(pages[-1])
    if rows == 0 or rows >= part_rows:
        return pages, 0
    return pages[:-1], rows


def _rows_on(page) -> int:
    # WeasyPrint has no public API for the boxes of a page; Page._page_box is stable in 70.x (pinned).
    seen = set()
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if getattr(box, "element_tag", None) == "tr" and element is not None and element.get("class") == ROW_CLASS:
            seen.add(id(element))
    return len(seen)


def _join_and_number(parts: list[Path], pages: int, styles: Styles) -> bytes:
    blank = "<!DOCTYPE html><html><head><style>div + div { break-before: page }</style></head><body>"
    stamp = styles.layout(blank + "<div></div>" * pages + "</body></html>", numbered=True)
    if len(stamp.pages) != pages:
        raise RuntimeError(f"page numbering: {len(stamp.pages)} numbers for {pages} pages")
    numbers = PdfReader(io.BytesIO(stamp.write_pdf()))
    del stamp
    writer = PdfWriter(clone_from=parts[0])
    for part in parts[1:]:
        writer.append(part)
    for page, number in zip(writer.pages, numbers.pages, strict=True):
        _overlay(writer, page, number)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _overlay(writer: PdfWriter, page, overlay) -> None:
    """Draw `overlay` (a page of another PDF) over `page` as a form XObject, without parsing the page's
    own content: its streams are wrapped in q/Q (so the overlay starts from the default graphics
    state) and one small stream draws the form."""
    form = DecodedStreamObject()
    form.set_data(overlay.get_contents().get_data())
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(v) for v in overlay.mediabox),
        NameObject("/Resources"): overlay["/Resources"].clone(writer),
    })
    # WeasyPrint shares one resource dictionary among a document's pages: each page gets its own copy.
    resources = DictionaryObject(page["/Resources"].get_object())
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[NameObject("/ElixPageNumber")] = writer._add_object(form.flate_encode())
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    contents = page["/Contents"]
    streams = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ q /ElixPageNumber Do Q\n")
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *streams, writer._add_object(after)])
