"""The operation summary PDF read back: figures, marking, page numbers, the annex in parts, no persons."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from reports import samples
from reports.formatting import integer, long_date, quantity
from reports.renderer import render_product

from tests.reports.conftest import key_figures, read_pdf

SEIZURES = 130
PART_ROWS = 40  # several annex parts, each with pages to carry over
PERSON = "Winston Q. Smuggler"


@pytest.fixture(scope="module")
def context() -> dict:
    context = samples.operation_summary(SEIZURES, seed=7)
    # What a careless caller might add: the product has no place for persons, so they never print.
    context["persons"] = [{"name": PERSON, "role": "suspect", "passport": "X1234567"}]
    for row in context["figures"]["seizures"][:5]:
        row["person"] = PERSON
    context["figures"]["notable_cases"][0]["persons"] = [PERSON]
    return context


@pytest.fixture(scope="module")
def rendered(context):
    stages = []
    result = render_product("operation_summary", context, part_rows=PART_ROWS,
                            progress=lambda fraction, stage: stages.append((fraction, stage)))
    return result, stages


@pytest.fixture(scope="module")
def pages(rendered):
    return read_pdf(rendered[0].pdf)


@pytest.fixture(scope="module")
def text(pages) -> str:
    return "\n".join(page.text for page in pages)


def test_the_pdf_stays_compact(rendered):
    # Fonts are subset once per part; content streams stay compressed after the page numbers are added.
    assert len(rendered[0].pdf) < 600_000


def test_every_page_is_numbered_page_x_of_y(rendered, pages):
    assert len(pages) == rendered[0].pages == len(PdfReader(io.BytesIO(rendered[0].pdf)).pages)
    for page in pages:
        assert re.findall(r"Page \d+ of \d+", page.text) == [f"Page {page.number} of {len(pages)}"]


def test_the_marking_is_in_the_header_and_the_footer_of_every_page(pages):
    for page in pages:
        marks = [word for word in page.words if word.text == "TLP:AMBER"]
        assert any(word.bottom < 62 for word in marks), f"no marking in the header of page {page.number}"
        assert any(word.top > page.height - 57 for word in marks), f"no marking in the footer of page {page.number}"
        footer = " ".join(word.text for word in page.words if word.top > page.height - 57)
        assert "Distribution: Organisations of a linked operation · Handling: P" in footer


def test_the_cover_has_title_period_marking_and_author(pages):
    cover = pages[0].flat
    for expected in ("Operation Caribbean Shield", "OCS-2017", "2 October – 12 November 2017",
                     "TLP:AMBER", "Limited disclosure, recipients can only spread this on a need-to-know basis",
                     "Distribution: Organisations of a linked operation · Handling: P — lawful sharing permitted",
                     "Prepared by Analyst One, Joint Intelligence Office",
                     "Generated 20 November 2017, 14:05 UTC", "Joint Intelligence Office"):
        assert expected in cover


def test_key_figures_and_every_breakdown_are_printed(context, text):
    f = context["figures"]
    flat = " ".join(text.split())
    assert key_figures(f) in flat
    for row in f["by_category"]:
        assert re.search(rf"{row['label']}\s+{row['subcategory_label'] or '—'}\s+{row['reports']}\s+"
                         rf"{re.escape(quantity(row['quantity']))}\s+{row['unit']}", text), row
    for key in ("by_administration", "by_transport_mode", "by_detection_method", "by_concealment_method"):
        for row in f[key]:
            label = row.get("name") or row["label"]
            assert re.search(rf"{re.escape(label)}\s+{integer(row['reports'])}\s+[\d.]+ %", text), (key, row)
    for point in f["timeline"]:
        assert re.search(rf"{long_date(point['period'])}\s+{point['reports']}\b", text), point
    for loc in f["locations"]:
        assert re.search(rf"{re.escape(loc['name'])}\s+{loc['country']}\s+{integer(loc['reports'])}", text), loc
    for rank, route in enumerate(f["top_routes"], 1):
        assert re.search(rf"{rank}\s+{re.escape(route['route'])}\s+{route['reports']}", text), route
    for case in f["notable_cases"]:
        assert case["reference"] in text and case["summary"] in flat


def test_the_executive_summary_prints_the_edited_text_then_the_generated_key_figures(context, pages):
    page = next(page for page in pages[2:] if "1 Executive summary" in page.text)
    flat = page.flat
    edited = " ".join(context["executive_summary"].split())
    assert edited in flat
    assert flat.index("1 Executive summary") < flat.index(edited) < flat.index("Key figures")
    assert key_figures(context["figures"]) in flat


def test_the_annex_has_every_column(context, pages):
    """Reference, date, administration, place, commodity, quantity in the canonical unit, transport mode and
    detection method: each row's line (the first line of every cell) starts with them."""
    annex = [page for page in pages[2:] if "Annex: Seizures included" in page.text or "Reference" in page.text]
    header = re.search(r"Reference\s+Date\s+Administration\s+Place\s+Commodity\s+Quantity\s+Transport\s+Detection",
                       annex[0].text)
    assert header, "the annex header lacks a column"
    lines = {line.split()[0]: line for page in annex for line in page.text.splitlines() if line.split()}
    for row in context["figures"]["seizures"]:
        line = lines[row["reference"]]
        cells = [row["date"], row["administration"].split()[0], row["place"].split()[0], row["commodity"].split()[0],
                 f"{quantity(row['quantity'])} {row['unit']}", row["transport_mode"].split()[0],
                 row["detection_method"].split()[0]]
        position = len(row["reference"])
        for cell in cells:  # each cell after the one before it (ValueError: missing or out of order)
            position = line.index(cell, position) + len(cell)


def test_the_annex_lists_every_seizure_once_in_order_on_full_pages(context, pages):
    rows = context["figures"]["seizures"]
    references = [row["reference"] for row in rows]
    start = next(page.number for page in pages[2:] if "Annex: Seizures included" in page.text)
    annex = pages[start - 1:]
    found, counts = [], []
    for page in annex:
        on_page = [word.text for word in page.words if word.text in set(references)]
        found.extend(on_page)
        counts.append(len(on_page))
        assert page.text.count("Reference") == 1, "the header row repeats on every annex page"
    assert found == references
    assert len(counts) >= 3
    # Parts end on full pages: no annex page but the first (it has the heading) and the last is short.
    assert min(counts[1:-1]) >= 0.9 * max(counts), counts
    layout = "\n".join(page.text for page in annex)
    for row in rows:
        assert re.search(rf"{row['reference']}\s+{row['date']}\s+.*{re.escape(quantity(row['quantity']))} "
                         rf"{row['unit']}", layout), row


def test_the_contents_and_outline_point_at_the_right_pages(rendered, pages):
    contents = pages[1].text
    reader = PdfReader(io.BytesIO(rendered[0].pdf))
    outline = {item.title: reader.get_destination_page_number(item) + 1
               for item in reader.outline if not isinstance(item, list)}
    for title in ("1 Executive summary", "2 The operation", "3 Seizures", "4 Notable cases",
                  "Annex: Seizures included"):
        listed = int(re.search(rf"{re.escape(title)}\s+(\d+)", contents)[1])
        assert title in pages[listed - 1].text.split("\n", 3)[-1]
        assert outline[title] == listed
    annex = reader.named_destinations["annex"]
    assert reader.get_destination_page_number(annex) + 1 == outline["Annex: Seizures included"]


def test_persons_never_appear(rendered, text):
    assert PERSON not in text and "X1234567" not in text and "Smuggler" not in text
    assert b"Smuggler" not in rendered[0].pdf


def test_the_map_and_charts_are_drawn(pages):
    figures = next(page for page in pages[2:] if "3.6 Seizure locations" in page.text)
    assert "Base map made with Natural Earth" in figures.flat
    for code in ("AI", "MS", "KN", "VG", "SX", "BQ"):  # small island states carry their code
        assert re.search(rf"\b{code}\b", figures.text), code


def test_progress_goes_through_the_stages_to_done(rendered):
    stages = rendered[1]
    fractions = [fraction for fraction, _ in stages]
    assert fractions[0] < 0.1 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)  # the parent passes on progress forwards only
    assert "planning the annex's pages" in {stage for _, stage in stages}
    laid_out = [stage for _, stage in stages if stage.startswith("laid out")]
    assert len(laid_out) >= 2 and re.match(r"laid out (\d+) of \1 parts", laid_out[-1])
    assert ("numbering pages" in {stage for _, stage in stages})
    assert rendered[0].peak_memory_kb > 10_000
