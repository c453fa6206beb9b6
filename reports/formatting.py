"""How numbers, dates and markings are written in the products (one place, so tests and pages can match).

Counts: `integer(1234)` -> "1,234". Quantities in canonical units: `quantity(1234.5)` -> "1,234.5",
at most three decimals, trailing zeros dropped. Dates: ISO strings in, "2 October 2017" out.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

# TLP 2.0 (FIRST): label colours on a black background.
TLP_COLOURS = {"clear": "#FFFFFF", "green": "#33FF00", "amber": "#FFC000", "amber+strict": "#FFC000",
               "red": "#FF2B2B"}
TLP_MEANINGS = {
    "clear": "Disclosure is not limited.",
    "green": "Limited disclosure, recipients can spread this within their community.",
    "amber": "Limited disclosure, recipients can only spread this on a need-to-know basis within "
             "their organisation and its clients.",
    "amber+strict": "Limited disclosure, recipients can only spread this on a need-to-know basis "
                    "within their organisation.",
    "red": "For the eyes and ears of individual recipients only, no further disclosure.",
}
# The marking's distribution and handling codes (app/vocabularies.py, which reports/ cannot import
# without Flask); a value that is not a known code is shown as given.
DISTRIBUTION_LABELS = {
    "organisation": "Reporting organisation only",
    "operation": "Organisations of a linked operation",
    "network": "The whole network",
    "partners": "The network and partner organisations",
}
HANDLING_LABELS = {"P": "P — lawful sharing permitted", "C": "C — lawful sharing permitted with conditions"}


def integer(value: int | float | None) -> str:
    """A count with thousands separators: 1234 -> "1,234"."""
    return f"{int(value or 0):,}"


def quantity(value: float | int | None) -> str:
    """A quantity in its canonical unit: at most three decimals, trailing zeros dropped."""
    text = f"{float(value or 0):,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def long_date(value: str | date | None) -> str:
    """"2017-10-02" -> "2 October 2017"; "2017-10" -> "October 2017"; empty stays empty."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    parts = str(value)[:10].split("-")
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    return str(value)


def short_date(value: str | None) -> str:
    """The ISO date itself (annex and tables): "2017-10-02"."""
    return str(value or "")[:10]


def period(starts_on: str | None, ends_on: str | None) -> str:
    """"2 October – 12 November 2017", or one date when both are the same."""
    if not starts_on and not ends_on:
        return ""
    if not ends_on or starts_on == ends_on:
        return long_date(starts_on or ends_on)
    if not starts_on:
        return f"until {long_date(ends_on)}"
    start, end = long_date(starts_on).split(" "), long_date(ends_on).split(" ")
    if len(start) == 3 and len(end) == 3 and start[2] == end[2]:
        if start[1] == end[1]:
            return f"{start[0]}–{long_date(ends_on)}"
        return f"{start[0]} {start[1]} – {long_date(ends_on)}"
    return f"{long_date(starts_on)} – {long_date(ends_on)}"


def timestamp(value: str | None) -> str:
    """An ISO 8601 timestamp as "2 October 2017, 14:05 UTC" (naive values are taken as UTC)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return f"{long_date(moment.date())}, {moment:%H:%M} UTC"


def tlp_label(tlp: str | None) -> str:
    return f"TLP:{(tlp or 'clear').upper()}"


def handling_text(marking: dict, *, short: bool = False) -> str:
    """"Distribution: The whole network · Handling: P — lawful sharing permitted" (parts may be
    absent); `short` keeps the handling code alone, for the running footer."""
    parts = []
    if marking.get("distribution"):
        parts.append(f"Distribution: {DISTRIBUTION_LABELS.get(marking['distribution'], marking['distribution'])}")
    if marking.get("handling"):
        handling = marking["handling"]
        parts.append(f"Handling: {handling if short else HANDLING_LABELS.get(handling, handling)}")
    return " · ".join(parts)
