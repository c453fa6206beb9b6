"""The HTML and the page CSS of the products, from their plain-dict contexts (reports/context.py).

Jinja2 with autoescaping and StrictUndefined: every text of the context reaches the HTML escaped, a
missing key is an error rather than a blank. Text that must go into CSS (the running header and
footer) is written as CSS strings with every character outside a small safe set hex-escaped.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reports import charts, formatting
from reports.map import caribbean_map, coded_territories

TEMPLATES = Path(__file__).resolve().parent / "templates"
ASSETS = Path(__file__).resolve().parent / "assets"
PRODUCT_NAMES = {"operation_summary": "Operation summary", "conference_report": "Conference report"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,  # templates are part of the code: loaded once per process
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        integer=formatting.integer, quantity=formatting.quantity, long_date=formatting.long_date,
        short_date=formatting.short_date, timestamp=formatting.timestamp, tlp_label=formatting.tlp_label,
        share=share, paragraphs=paragraphs, tlp_colour=formatting.TLP_COLOURS.__getitem__,
        handling_text=formatting.handling_text,
    )
    env.globals.update(
        period=formatting.period, bar_chart=charts.bar_chart, column_chart=charts.column_chart,
        caribbean_map=caribbean_map, coded_territories=coded_territories, tlp_meaning=tlp_meaning,
        product_names=PRODUCT_NAMES, top=top, outside_map=outside_map, series=series,
    )
    return env


def share(part: float, whole: float) -> str:
    """"12.5 %" of the reports; "–" when there is no whole."""
    return f"{100 * part / whole:.1f} %" if whole else "–"


def paragraphs(value: str | None) -> list[str]:
    """An editable text's paragraphs (blank-line separated), for the template to wrap in <p>."""
    return [part.strip() for part in (value or "").replace("\r\n", "\n").split("\n\n") if part.strip()]


def series(rows: list[dict], key: str) -> list[tuple[str, int]]:
    """(label, reports) pairs for a chart; key "category" joins the category and subcategory labels."""
    if key == "category":
        return [(f"{row['label']} — {row['subcategory_label']}" if row.get("subcategory_label") else row["label"],
                 row["reports"]) for row in rows]
    return [(str(row[key]), row["reports"]) for row in rows]


def tlp_meaning(tlp: str) -> str:
    return formatting.TLP_MEANINGS[tlp]


def top(rows: list[dict], limit: int) -> tuple[list[dict], int, int]:
    """The first `limit` rows, how many were left out, and the reports those held."""
    return rows[:limit], max(len(rows) - limit, 0), sum(int(row["reports"]) for row in rows[limit:])


def outside_map(locations: list[dict]) -> int:
    from reports.map import inside

    return sum(1 for loc in locations if loc.get("lat") is None or loc.get("lon") is None
               or not inside(float(loc["lon"]), float(loc["lat"])))


def operation_summary_html(context: dict) -> str:
    """The body of the operation summary: everything but the annex's rows, which are rendered in parts
    (`annex_part_html`). Its last page is the annex's heading, there only so that the contents can
    give the annex's page number; the renderer leaves that page out."""
    return environment().get_template("operation_summary.html").render(c=context, f=context["figures"])


def annex_part_html(context: dict, pages: list[tuple[int, int]], *, first: bool,
                    rows: list[dict] | None = None) -> str:
    """A part of the annex: one table per page, each page a range [start, stop) of the seizure rows
    (planned by reports/annex.py); the first part starts with the annex heading. `rows` replaces the
    rows (not the column widths, which follow the seizures): the planner's calibration uses it."""
    seizures = context["figures"]["seizures"]
    return environment().get_template("annex_part.html").render(
        c=context, rows=seizures if rows is None else rows, pages=pages, first=first,
        widths=annex_widths(seizures))


# The annex's columns: the text of a row's cell, whether the column may wrap, and the fewest and most
# characters its width plans for (the fewest fit the bold header).
ANNEX_COLUMNS = [
    (lambda s: s["reference"], False, 11, 24), (lambda s: s["date"], False, 10, 10),
    (lambda s: s["administration"], True, 16, 28), (lambda s: s["place"], True, 8, 34),
    (lambda s: s["commodity"], True, 11, 24),
    (lambda s: f"{formatting.quantity(s['quantity'])} {s['unit']}", False, 10, 18),
    (lambda s: s["transport_mode"], True, 11, 16), (lambda s: s["detection_method"], True, 11, 30),
]
TEXT_WIDTH_MM = 174  # A4 less the page margins of assets/report.css
CHAR_MM, PADDING_MM = 1.45, 2.6  # a character of the annex's 7pt font, generously; a cell's padding


def annex_widths(seizures: list[dict]) -> list[float]:
    """Column widths (mm) from the lengths of the values across ALL rows, so that every part of the annex
    has the same columns: references, dates and quantities never wrap (their longest value fits); the
    other columns share the rest after their typical (90th percentile) length, none narrower than its
    header."""
    sample = seizures[:: max(1, len(seizures) // 2000)]  # a bounded sample keeps this cheap
    widths, floors, flexible = [], [], []
    for text, wraps, fewest, most in ANNEX_COLUMNS:
        lengths = sorted(len(str(text(row) or "")) for row in sample) or [fewest]
        chars = lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))] if wraps else lengths[-1]
        widths.append(min(max(chars, fewest), most) * CHAR_MM + PADDING_MM)
        floors.append(fewest * CHAR_MM + PADDING_MM)
        flexible.append(wraps)
    free = [i for i, wraps in enumerate(flexible) if wraps]
    for _ in range(len(free)):  # share the room among the wrapping columns; a column at its floor stays
        room = TEXT_WIDTH_MM - sum(w for i, w in enumerate(widths) if i not in free)
        scale = room / sum(widths[i] for i in free)
        floored = [i for i in free if widths[i] * scale < floors[i]]
        for i in free:
            widths[i] = max(widths[i] * scale, floors[i])
        if not floored:
            break
        free = [i for i in free if i not in floored]
    return widths


def conference_report_html(context: dict) -> str:
    return environment().get_template("conference_report.html").render(c=context, f=context["regional_figures"])


def css_string(value: object) -> str:
    """A CSS string literal whose content cannot end the string, the rule or the stylesheet."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-()/")
    return '"' + "".join(ch if ch in safe else f"\\{ord(ch):06x} " for ch in str(value)) + '"'


def page_css(context: dict, product: str, *, page_numbers: bool) -> str:
    """The running header and footer: the marking (TLP label in its colours, distribution, handling)
    on every page, the product's title, and "Page x of y" when the document numbers its own pages
    (a product rendered in parts gets its numbers stamped afterwards, see reports/assembly.py)."""
    marking = context["marking"]
    tlp = marking["tlp"]
    if tlp not in formatting.TLP_COLOURS:
        raise ValueError(f"unknown TLP {tlp!r}; expected one of {sorted(formatting.TLP_COLOURS)}")
    label = css_string(formatting.tlp_label(tlp))
    colour = formatting.TLP_COLOURS[tlp]
    title = css_string(f"{_shortened(context['title'], HEADER_TITLE_MAX)} — {PRODUCT_NAMES[product]}")
    handling = formatting.handling_text(marking, short=True)
    rules = [
        "@page {",
        f"  @top-left {{ content: {label}; color: {colour}; }}",
        f"  @top-right {{ content: {title}; }}",
        f"  @bottom-left {{ content: {label}; color: {colour}; }}",
        f"  @bottom-center {{ content: {css_string(handling)}; }}",
        "}",
    ]
    if page_numbers:
        rules.append(PAGE_NUMBER_CSS)
    return "\n".join(rules)


HEADER_TITLE_MAX = 90  # characters of the title in the running header: two lines at most, above the marking


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# The page number box; a stamped product uses the same rule on blank pages, so both look the same.
PAGE_NUMBER_CSS = """@page { @bottom-right { content: "Page " counter(page) " of " counter(pages);
  font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #3A4654;
  text-align: right; vertical-align: top; padding-top: 3mm; white-space: nowrap; } }"""
