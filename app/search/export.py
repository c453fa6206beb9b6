""""Export these results": the visible reports of a search as CSV, one row per report, never persons."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from search.documents import summary

COLUMNS = ("reference", "status", "reporting_organisation", "seized_at", "country", "location", "locode",
           "transport_mode", "procedure", "traffic", "detection_methods", "concealment_methods", "categories",
           "items", "route", "vessel_name", "imo", "containers", "flight", "vehicle_plate", "arrests", "operations",
           "tlp", "distribution", "handling", "source_reliability", "information_credibility", "narrative")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_row(report) -> list[str]:  # noqa: ANN001 - a SeizureReport
    items = [{"category": i.category, "subcategory": i.subcategory, "quantity": i.quantity, "unit": i.unit,
              "normalised": i.normalised} for i in report.items]
    values = {
        "reference": report.reference, "status": report.status,
        "reporting_organisation": report.organisation.code,
        "seized_at": report.seized_at_local.isoformat(timespec="minutes"), "country": report.country,
        "location": report.location_name, "locode": report.location_locode,
        "transport_mode": report.transport_mode, "procedure": report.procedure, "traffic": report.traffic,
        "detection_methods": ";".join(report.detection_methods or []),
        "concealment_methods": ";".join(report.concealment_methods or []),
        "categories": ";".join(report.categories),
        "items": summary({"items": items}),
        "route": " > ".join(leg.country for leg in report.route),
        "vessel_name": report.vessel_name, "imo": report.imo, "containers": ";".join(report.containers or []),
        "flight": report.flight, "vehicle_plate": report.vehicle_plate, "arrests": report.arrests,
        "operations": ";".join(op.code for op in report.operations),
        "tlp": report.tlp, "distribution": report.distribution, "handling": report.handling,
        "source_reliability": report.source_reliability, "information_credibility": report.information_credibility,
        "narrative": report.narrative,
    }
    return [safe_cell(values[column]) for column in COLUMNS]


def export_csv(reports: Iterable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for report in reports:
        writer.writerow(report_row(report))
    return out.getvalue()
