"""The products' HTML and page CSS: autoescaped, strict about missing keys, CSS strings that stay strings."""
from __future__ import annotations

import jinja2
import pytest
import tinycss2

from reports import formatting, samples
from reports.templating import annex_part_html, conference_report_html, css_string, operation_summary_html, page_css

BREAKOUT = '"; } @import url(http://127.0.0.1:9/x.css); @page { @top-center { content: "x'


def test_text_fields_are_escaped_in_the_html():
    context = samples.operation_summary(3)
    context["title"] = '<img src="http://127.0.0.1:9/x.png">'
    context["figures"]["seizures"][0]["place"] = "<script>alert(1)</script>"
    assert '<img src="http://127.0.0.1:9/x.png">' not in operation_summary_html(context)
    assert "&lt;img src=&#34;http://127.0.0.1:9/x.png&#34;&gt;" in operation_summary_html(context)
    assert "&lt;script&gt;" in annex_part_html(context, [(0, 3)], first=True)


def test_a_missing_key_is_an_error_not_a_blank():
    context = samples.operation_summary(3)
    del context["lead"]
    with pytest.raises(jinja2.UndefinedError):
        operation_summary_html(context)
    conference = samples.conference_report(20, operations=1)
    del conference["venue"]
    with pytest.raises(jinja2.UndefinedError):
        conference_report_html(conference)


def test_css_strings_cannot_end_the_string_or_the_rule():
    value = BREAKOUT + "\\\n\x00 é · —"
    rules = tinycss2.parse_stylesheet(f"@page {{ @top-right {{ content: {css_string(value)}; }} }}")
    assert len(rules) == 1 and rules[0].at_keyword == "page"
    inner = [rule for rule in tinycss2.parse_blocks_contents(rules[0].content, skip_whitespace=True)
             if rule.type != "whitespace"]
    assert [rule.at_keyword for rule in inner] == ["top-right"]
    declaration = tinycss2.parse_blocks_contents(inner[0].content, skip_whitespace=True)[0]
    strings = [token for token in declaration.value if token.type == "string"]
    assert len(strings) == 1 and strings[0].value == value.replace("\x00", "\ufffd")


def test_page_css_carries_the_marking_and_refuses_an_unknown_tlp():
    context = samples.operation_summary(1)
    context["title"] = BREAKOUT
    css = page_css(context, "operation_summary", page_numbers=True)
    assert "TLP:AMBER" in css and formatting.TLP_COLOURS["amber"] in css
    assert "@import" not in [token.lower_at_keyword for token in tinycss2.parse_stylesheet(css)
                             if token.type == "at-rule"]
    assert 'counter(page) " of " counter(pages)' in css
    context["marking"]["tlp"] = "white"
    with pytest.raises(ValueError, match="unknown TLP"):
        page_css(context, "operation_summary", page_numbers=False)


def test_numbers_dates_and_markings_are_written_one_way():
    assert formatting.integer(1234567) == "1,234,567"
    assert formatting.quantity(1234.5) == "1,234.5"
    assert formatting.quantity(12.3456) == "12.346"
    assert formatting.quantity(7.0) == "7"
    assert formatting.quantity(0) == "0"
    assert formatting.long_date("2017-10-02") == "2 October 2017"
    assert formatting.long_date("2017-10") == "October 2017"
    assert formatting.period("2017-10-02", "2017-11-12") == "2 October – 12 November 2017"
    assert formatting.period("2017-11-01", "2017-11-02") == "1–2 November 2017"
    assert formatting.period("2016-12-01", "2017-01-31") == "1 December 2016 – 31 January 2017"
    assert formatting.timestamp("2017-11-20T14:05:00Z") == "20 November 2017, 14:05 UTC"
    assert formatting.timestamp("2017-11-20T09:05:00-05:00") == "20 November 2017, 14:05 UTC"
    assert formatting.handling_text({"tlp": "red", "distribution": "network", "handling": "C"}) == (
        "Distribution: The whole network · Handling: C — lawful sharing permitted with conditions")
    assert formatting.handling_text({"tlp": "red", "distribution": None, "handling": None}) == ""


def test_annex_columns_fit_the_page_and_the_longest_reference():
    from reports.templating import CHAR_MM, PADDING_MM, TEXT_WIDTH_MM, annex_widths

    seizures = samples.operation_summary(50)["figures"]["seizures"]
    seizures[7]["reference"] = "JM-2017-0000000012345"
    seizures[3]["place"] = "A very long place name " * 10
    widths = annex_widths(seizures)
    assert sum(widths) == pytest.approx(TEXT_WIDTH_MM)
    assert widths[0] >= len("JM-2017-0000000012345") * CHAR_MM + PADDING_MM
    assert min(widths) >= 10 * CHAR_MM  # no column narrower than its header
    assert annex_widths([]) and sum(annex_widths([])) == pytest.approx(TEXT_WIDTH_MM)
