"""The search document of a seizure report: what both backends index.

`build_document(source)` takes the *source record* of a report: the report as the API dumps it with
persons (app.seizures.schemas.SeizureReportSchema), plus two internal fields the sharing rule needs:
`organisation_id` (int) and `operation_ids` (list of int). It returns a flat, JSON-ready dict:

    id, reference, status, organisation (code), organisation_id, distribution, tlp,
    operation_ids [int], operations [code],
    seized_at (ISO 8601 UTC), seized_month ("YYYY-MM"), country, location {name, locode, type, lat, lon},
    transport_mode, procedure, traffic, detection_methods [..], concealment_methods [..],
    categories [..], subcategories [..],
    items [{category, subcategory, description, quantity (canonical), unit (canonical), hs_code}],
    route [{role, country, place}], route_countries [..],
    vessel_name, imo, flag, containers [..], flight, vehicle_plate, locodes [..],
    narrative, concealment_details, language,
    persons_text (names and document numbers: only ever matched for the reporting organisation and
                  regional-office validators, never returned, highlighted or faceted),
    summary (one line: "50 cartons cigarettes (10 000 sticks) · Kingston Container Terminal, JM")
"""
