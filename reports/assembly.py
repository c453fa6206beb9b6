"""Lay out and write the products (runs in the render child; see reports/renderer.py).

The conference report is one document. The operation summary is rendered in parts: the body (cover to
notable cases) and the annex table in parts of whole pages (reports/annex.py), each part written to PDF
and dropped before the next; on a machine with more than one core a helper process, forked from the
render child, plans the annex and renders parts while the child lays out the body, then both take the
remaining parts. The parts are joined with pypdf and "Page x of y" is stamped on every page from one
blank document numbered by WeasyPrint with the page rule the conference report uses, so the numbers
look the same.
"""
from __future__ import annotations

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
from weasyprint.html import UA, UA_COUNTER_STYLE
from weasyprint.text.fonts import FontConfiguration

from reports.annex import PART_ROWS, AnnexWork
from reports.fetcher import AssetFetcher, asset_url
from reports.templating import (
    PAGE_NUMBER_CSS,
    conference_report_html,
    environment,
    operation_summary_html,
    page_css,
)
from reports.worker import die_with_parent

Progress = Callable[[float, str], None]

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


def _user_agent_stylesheet() -> CSS:
    """WeasyPrint's HTML stylesheet without its rules for every element's pseudo-elements (::marker,
    footnotes and notes, which the products do not use): each such rule costs every element of the
    document one more computed style — a quarter of the layout time of the annex. ::marker stays
    for list items."""
    kept = [line for line in UA.splitlines() if not line.startswith(("::footnote", "::note"))]
    text = "\n".join(kept).replace("\n::marker {", "\nli::marker, summary::marker {")
    if "li::marker" not in text:
        raise RuntimeError("WeasyPrint's HTML stylesheet changed: review _user_agent_stylesheet")
    return CSS(string=text, counter_style=UA_COUNTER_STYLE)


USER_AGENT_STYLESHEET = _user_agent_stylesheet()


class ProductHTML(HTML):
    """An HTML document with the products' user-agent stylesheet (HTML._ua_stylesheets is WeasyPrint's
    hook for it; 70.x is pinned)."""

    def _ua_stylesheets(self, forms: bool = False) -> list:
        return [USER_AGENT_STYLESHEET]


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
        document = ProductHTML(string=html, url_fetcher=self.fetcher).render(stylesheets=sheets,
                                                                             font_config=self.fonts)
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
        annex = AnnexWork(context, Path(folder), progress, part_rows)
        # Fork before this process touches fonts: Pango may start a thread then, and a fork must
        # not copy a process in the middle of another thread's work.
        helper = Helper(lambda: _plan_and_render(annex, context)) if parallel else None
        try:
            if helper:
                annex.queue.close_writing()  # the helper plans and fills the queue
            styles = Styles(context, "operation_summary")
            if not helper:
                annex.plan(styles)
            body = Path(folder) / "body.pdf"
            body_pages = _body(context, styles, body)
            numbers: list[bytes] = []

            def number_pages() -> None:  # the page numbers, while the helper still lays out parts
                numbers.append(_page_numbers(styles, body_pages + annex.planned_pages()))

            annex.render(styles, on_plan=number_pages)  # with the helper: the parts it has not taken
            if helper:
                helper.wait()
        finally:
            if helper:
                helper.end()
            annex.queue.close()
        files = annex.files()
        if len(files) != len(annex.parts()):
            raise RuntimeError(f"{len(files)} of the annex's {len(annex.parts())} parts were rendered")
        progress(0.92, "numbering pages")
        pdf, pages = _join_and_number([body, *files], styles, numbers[0] if numbers else None)
    progress(1.0, "done")
    return pdf, pages


def _plan_and_render(annex: AnnexWork, context: dict) -> int:
    """The helper's job: plan the annex, then take parts like the render child does."""
    styles = Styles(context, "operation_summary")
    annex.plan(styles)
    return annex.render(styles)


def _body(context: dict, styles: Styles, path: Path) -> int:
    """Write the body without its last page (the annex heading, see operation_summary_html)."""
    document = styles.layout(operation_summary_html(context), numbered=False)
    if "annex" not in document.pages[-1].anchors:
        raise RuntimeError("the body's last page is not the annex heading")
    kept = document.pages[:-1]
    document.copy(kept).write_pdf(path)
    return len(kept)


class Helper:
    """`job()` in a process forked from the render child (single-threaded, so forking is safe). It is
    in the child's process group and dies with it. `wait()` returns the job's result (an int) or raises
    what the helper met: MemoryError, or RuntimeError."""

    EXIT_OUT_OF_MEMORY = 3

    def __init__(self, job: Callable[[], int]) -> None:
        read, write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the helper: never returns into the caller's code
            die_with_parent(parent)
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


def _page_numbers(styles: Styles, pages: int) -> bytes:
    """A PDF of `pages` blank pages numbered "Page x of y" by the page rule of the products."""
    blank = "<!DOCTYPE html><html><head><style>div + div { break-before: page }</style></head><body>"
    stamp = styles.layout(blank + "<div></div>" * pages + "</body></html>", numbered=True)
    if len(stamp.pages) != pages:
        raise RuntimeError(f"page numbering: {len(stamp.pages)} numbers for {pages} pages")
    return stamp.write_pdf()


def _join_and_number(parts: list[Path], styles: Styles, numbers: bytes | None) -> tuple[bytes, int]:
    """One PDF of the parts, each page stamped with its number (`numbers`, made from the plan, is made
    again if the parts did not come out as planned)."""
    writer = PdfWriter(clone_from=parts[0])
    for part in parts[1:]:
        writer.append(part)
    pages = len(writer.pages)
    stamps = PdfReader(io.BytesIO(numbers)) if numbers else None
    if stamps is None or len(stamps.pages) != pages:
        stamps = PdfReader(io.BytesIO(_page_numbers(styles, pages)))
    for page, number in zip(writer.pages, stamps.pages, strict=True):
        _overlay(writer, page, number)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), pages


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
