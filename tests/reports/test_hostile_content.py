"""Markup in the text fields of a context is printed as text: no request, no file read, nothing embedded."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from reports import samples
from reports.renderer import render_product

from tests.reports.conftest import read_pdf


def hostile(url: str, name: str) -> str:
    return (f'<img src="{url}/{name}.png"> <link rel=stylesheet href="{url}/{name}.css"> '
            f'<style>@import "{url}/{name}-import.css"; p {{ background: url(file:///etc/passwd) }}</style> '
            f'<svg><image href="file:///etc/passwd"/></svg> <a href="file:///etc/hostname">{name}</a>')


def css_breakout(url: str) -> str:
    return f'"; }} @import "{url}/breakout.css"; @page {{ @top-center {{ content: url({url}/page.png) }} }} x {{ content: "'


def svg_breakout(url: str) -> str:
    return f'</text><image href="{url}/chart.png" width="9" height="9"/><text>'


def assert_nothing_escaped(pdf: bytes, listener) -> None:
    assert listener.requests == []
    text = "\n".join(page.text for page in read_pdf(pdf))
    assert "root:x:0:0" not in text and "LEAKED" not in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        assert all(xobject.get_object()["/Subtype"] == "/Form" for xobject in xobjects.values())
        for annotation in page.get("/Annots", []):  # only internal links (the contents)
            assert "/URI" not in str(annotation.get_object().get("/A", {}))


@pytest.fixture(scope="module")
def operation(module_listener):
    url = module_listener.url
    context = samples.operation_summary(12, seed=3)
    context["title"] = f"Shield {hostile(url, 'title')}"
    context["description"] = hostile(url, "description")
    context["executive_summary"] = hostile(url, "summary") + "\n\n" + css_breakout(url)
    context["lead"]["name"] = hostile(url, "lead")
    context["participants"][0]["name"] = hostile(url, "participant")
    context["focus_categories"] = [hostile(url, "focus")]
    context["prepared_by"]["name"] = css_breakout(url)
    context["marking"]["distribution"] = css_breakout(url)  # not a known code: printed as given, in CSS
    f = context["figures"]
    f["by_category"][0]["label"] = svg_breakout(url)
    f["by_administration"][0]["name"] = svg_breakout(url) + hostile(url, "administration")
    f["by_transport_mode"][0]["label"] = svg_breakout(url)
    f["locations"][0]["name"] = hostile(url, "location")
    f["top_routes"][0]["route"] = hostile(url, "route")
    f["notable_cases"][0]["summary"] = hostile(url, "case")
    f["seizures"][0]["place"] = hostile(url, "place")
    f["seizures"][1]["commodity"] = svg_breakout(url)
    # Sequential, in small parts: the other path through the renderer.
    return render_product("operation_summary", context, part_rows=5, parallel=False).pdf


def test_operation_summary_with_markup_in_every_text_field_makes_no_request(operation, module_listener):
    assert_nothing_escaped(operation, module_listener)


def test_the_markup_is_printed_as_text(operation, module_listener):
    url = module_listener.url
    pages = read_pdf(operation)
    flat = " ".join("\n".join(page.text for page in pages).split())
    for name in ("title", "description", "summary", "lead", "location", "route", "case"):
        assert f'<img src="{url}/{name}.png">' in flat, name
        assert f'@import "{url}/{name}-import.css";' in flat, name
    # In the annex's narrow column the text wraps inside the URL; its pieces are there.
    words = [word.text for page in pages for word in page.words]
    assert any("place.png" in word for word in words) and "<img" in words
    assert "<svg><image href=\"file:///etc/passwd\"/></svg>" in flat
    assert f'@import "{url}/breakout.css";' in flat  # the CSS string of the footer stayed a string


@pytest.fixture(scope="module")
def conference(module_listener):
    url = module_listener.url
    context = samples.conference_report(300, operations=1)
    context["title"] = hostile(url, "title")
    context["venue"] = css_breakout(url)
    context["participants"][0]["name"] = hostile(url, "participant")
    context["agenda"][0]["summary"] = hostile(url, "agenda")
    context["agenda"][1]["presenter"] = hostile(url, "presenter")
    context["decisions"][0]["text"] = hostile(url, "decision")
    context["action_items"][0]["owner"] = hostile(url, "owner")
    context["figures_categories"] = [svg_breakout(url)]
    context["operations"][0]["name"] = hostile(url, "operation")
    context["regional_figures"]["by_category"][0]["label"] = svg_breakout(url)
    return render_product("conference_report", context).pdf


def test_conference_report_with_markup_in_every_text_field_makes_no_request(conference, module_listener):
    assert_nothing_escaped(conference, module_listener)
    flat = " ".join("\n".join(page.text for page in read_pdf(conference)).split())
    for name in ("title", "participant", "agenda", "presenter", "decision", "owner", "operation"):
        assert f'<img src="{module_listener.url}/{name}.png">' in flat, name


def test_words_longer_than_a_line_break_instead_of_running_off_the_page():
    """A 120-letter word in a title, a 600-letter one in the summary and a long participant name ran off the
    page and were cut (exploratory test, session 6); the running header overlapped the marking."""
    context = samples.operation_summary(3, seed=5)
    title_word, summary_word = "W" * 120, "Z" * 600
    context["title"] = f"Operation {title_word} Shield"
    context["executive_summary"] = f"Before {summary_word} after."
    context["participants"][0]["name"] = "Customs" + "Q" * 150
    pages = read_pdf(render_product("operation_summary", context).pdf)
    text = "".join("".join(page.text.split()) for page in pages)  # words broken over lines join again
    for word in (title_word, summary_word, "Customs" + "Q" * 150):
        assert word in text
    for page in pages:  # inside the page: 210 mm = 595 pt wide
        assert all(word.x < 595 for word in page.words)
    header = [w.text for w in pages[1].words if w.bottom < 62]  # above the body (22 mm = 62 pt)
    assert "…" in "".join(header) and summary_word not in "".join(header)
