"""The shape of the plain-dict contexts that the product templates take.

Figures (shared by the operation page, the PDFs and the conference report's regional figures):

    Figures = {
        "reports": int,                         # seizure reports included
        "arrests": int,
        "by_category": [{"category", "label", "subcategory", "subcategory_label", "unit",
                         "quantity": float, "reports": int}],   # normalised totals, canonical units
        "by_administration": [{"code", "name", "reports": int}],
        "by_transport_mode": [{"code", "label", "reports": int}],
        "by_detection_method": [{"code", "label", "reports": int}],
        "by_concealment_method": [{"code", "label", "reports": int}],
        "timeline": [{"period": "2017-10-02" or "2017-10", "reports": int}],   # days or months, no gaps
        "locations": [{"name", "country", "lat": float | None, "lon": float | None, "reports": int}],
                      # lat/lon None: a place named without coordinates (in the table, off the map)
        "top_routes": [{"route": "PA → DO → JM", "reports": int}],
        "notable_cases": [{"reference", "date", "administration", "place", "summary"}],
        "seizures": [{"reference", "date", "administration", "place", "commodity", "quantity": float,
                      "unit", "transport_mode", "detection_method"}],     # the annex, one row per item
        "tlp": "amber",                         # the most restrictive TLP of the included reports
    }

    OperationSummaryContext = {
        "title", "code", "description", "executive_summary" (editable text),
        "period": {"starts_on", "ends_on", "phases": [{"name", "starts_on", "ends_on"}]},
        "lead": {"code", "name"}, "participants": [{"code", "name"}], "focus_categories": [label],
        "prepared_by": {"name", "organisation"}, "generated_at": ISO 8601,
        "marking": {"tlp", "distribution", "handling"},
        "figures": Figures,
    }

    ConferenceReportContext = {
        "title", "venue", "starts_on", "ends_on", "organiser": {"code", "name"},
        "participants": [{"code", "name", "delegates": int}],
        "agenda": [{"title", "presenter", "presenter_organisation", "summary"}],
        "decisions": [{"text"}], "action_items": [{"text", "owner", "due_on"}],
        "figures_period": {"from", "to"}, "figures_categories": [label],
        "regional_figures": Figures,
        "operations": [{"code", "name", "period": {...}, "figures": Figures}],
        "prepared_by": {...}, "generated_at": ..., "marking": {...},
    }

Notes for the callers (the renderer relies on them):

- Plain JSON data only (str, int, float, bool, None, lists, dicts): render_product() serialises the
  context before it starts the child, so an ORM object or a datetime is a TypeError there.
- Dates are ISO strings ("2017-10-02"); `generated_at` is ISO 8601 (naive = UTC).
- `marking`: "tlp" is a code of TLP_ORDER ("clear", "green", "amber", "amber+strict", "red");
  "distribution" a DISTRIBUTIONS code and "handling" "P"/"C" (either may be None). They are printed
  with their labels; an unknown distribution/handling value is printed as given.
- Text fields may be empty or None where optional (description, executive_summary, summaries,
  subcategory_label, handling). Free text is escaped; a blank line starts a new paragraph.
- The conference report prints no annex: its Figures' "seizures" may be an empty list.
- How figures are printed (reports/formatting.py), so tests can look for them in the PDF's text:
  counts `integer(1234)` -> "1,234"; quantities `quantity(1234.5)` -> "1,234.5" (at most three
  decimals); annex rows "<quantity> <unit>"; dates in tables "2 October 2017", in the annex
  "2017-10-02". Locations beyond the first 25 are summed in one "N other locations" row.
"""
