"""The conference report PDF read back: the conference's record, the regional figures, the operations."""
from __future__ import annotations

import re

import pytest

from reports import samples
from reports.formatting import integer, long_date, quantity
from reports.renderer import render_conference_report

from tests.reports.conftest import key_figures, read_pdf


@pytest.fixture(scope="module")
def context() -> dict:
    return samples.conference_report(600, operations=2)


@pytest.fixture(scope="module")
def pages(context):
    return read_pdf(render_conference_report(context))


@pytest.fixture(scope="module")
def text(pages) -> str:
    return "\n".join(page.text for page in pages)


def test_pages_are_numbered_and_marked(pages):
    for page in pages:
        assert re.findall(r"Page \d+ of \d+", page.text) == [f"Page {page.number} of {len(pages)}"]
        marks = [word for word in page.words if word.text == "TLP:AMBER"]
        assert any(word.bottom < 62 for word in marks) and any(word.top > page.height - 57 for word in marks)


def test_the_conference_record_is_complete(context, pages, text):
    flat = " ".join(text.split())
    assert "Annual Enforcement Conference" in pages[0].flat and "Miami · 1–2 November 2017" in pages[0].flat
    for org in context["participants"]:
        assert re.search(rf"{re.escape(org['name'])}\s+{org['code']}\s+{org['delegates']}", text), org
    delegates = sum(org["delegates"] for org in context["participants"])
    assert re.search(rf"{len(context['participants'])} organisations\s+{delegates}", text)
    for item in context["agenda"]:
        assert item["title"] in flat and item["summary"] in flat
        assert f"{item['presenter']}, {item['presenter_organisation']}" in flat
    for decision in context["decisions"]:
        assert decision["text"] in flat
    for number, item in enumerate(context["action_items"], 1):
        assert re.search(rf"{number}\s+{re.escape(item['text'])}\s+{re.escape(item['owner'])}\s+"
                         rf"{long_date(item['due_on'])}", text), item


def test_the_regional_figures_and_each_operation_are_printed(context, text):
    f = context["regional_figures"]
    flat = " ".join(text.split())
    assert key_figures(f) in flat
    for row in f["by_category"]:
        assert re.search(rf"{row['reports']}\s+{re.escape(quantity(row['quantity']))}\s+{row['unit']}", text)
    for row in f["by_administration"]:
        assert re.search(rf"{re.escape(row['name'])}\s+{integer(row['reports'])}\s", text), row
    for point in f["timeline"]:
        assert re.search(rf"{long_date(point['period'])}\s+{point['reports']}\b", text), point
    for number, op in enumerate(context["operations"], 1):
        assert f"5.{number} {op['name']}" in flat
        section = flat.split(f"5.{number} {op['name']}")[-1]
        assert key_figures(op["figures"]) in section
        for row in op["figures"]["by_category"]:
            assert f"{row['reports']} {quantity(row['quantity'])} {row['unit']}" in section


def test_the_conference_report_has_no_annex(text):
    assert "Annex" not in text and "Reference" not in text
