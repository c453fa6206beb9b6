"""SVG charts and the Caribbean map: escaped labels, deterministic output, small islands visible."""
from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import pytest

from reports import charts, map as caribbean
from reports.tools import build_map

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '</text><image href="file:///etc/passwd"/><text>& "quoted" \'single\''


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_bar_chart_escapes_its_labels_and_writes_the_values():
    svg = charts.bar_chart([(HOSTILE[:30], 12), ("Cocaine", 1234)], title=HOSTILE)
    root = parse(svg)  # well-formed: nothing broke out of the text elements
    assert not list(root.iter(f"{SVG}image"))
    assert HOSTILE[:29] + "…" in texts(root) or HOSTILE[:30] in texts(root)
    assert "1,234" in texts(root) and "12" in texts(root)
    assert root.find(f"{SVG}title").text == HOSTILE
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[1] / widths[0] == pytest.approx(1234 / 12, rel=0.01)


def test_charts_are_deterministic():
    points = [(f"2017-10-{day:02d}", day % 7) for day in range(1, 29)]
    assert charts.column_chart(points, title="t") == charts.column_chart(list(points), title="t")
    assert charts.bar_chart([("a", 1), ("b", 2)], title="t") == charts.bar_chart([("a", 1), ("b", 2)], title="t")


def test_timeline_labels_are_thinned_and_the_axis_is_round():
    points = [(f"2017-10-{day:02d}", day) for day in range(1, 32)]
    labels = texts(parse(charts.column_chart(points, title="t")))
    assert "1 Oct" in labels and len([label for label in labels if "Oct" in label]) < 16
    assert {"0", "10", "20", "30"} <= set(labels)
    months = texts(parse(charts.column_chart([("2017-01", 5), ("2017-02", 0)], title="t")))
    assert "Jan 2017" in months and "Feb 2017" in months
    assert [charts.nice_step(v) for v in (4, 37, 120, 9000)] == [1, 10, 50, 2500]


def test_empty_charts_say_so():
    assert "No data" in texts(parse(charts.bar_chart([], title="t")))
    assert "No data" in texts(parse(charts.column_chart([], title="t")))


def test_small_island_states_get_a_marker_and_their_code():
    root = parse(caribbean.caribbean_map([]))
    labels = texts(root)
    coded = dict(caribbean.coded_territories())
    for code in ("AI", "MS", "KN", "VG", "SX", "BQ", "AG", "DM", "LC", "VC", "GD", "BB", "KY", "TC", "BM"):
        assert code in labels and code in coded, code
    rings = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "none"]
    assert len(rings) >= 15  # one ring per tiny territory
    assert "Jamaica" in labels and "Cuba" in labels and "Venezuela" in labels


def test_location_circles_have_areas_proportional_to_reports_and_no_names():
    locations = [{"name": HOSTILE, "country": "JM", "lat": 17.97, "lon": -76.79, "reports": 100},
                 {"name": "b", "country": "TT", "lat": 10.65, "lon": -61.51, "reports": 25},
                 {"name": "far", "country": "GB", "lat": 51.5, "lon": -0.1, "reports": 50}]
    svg = caribbean.caribbean_map(locations)
    root = parse(svg)
    circles = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == caribbean.CIRCLE and c.get("fill-opacity") == "0.55"]
    assert len(circles) == 2  # London is outside the map
    big, small = sorted((float(c.get("r")) for c in circles), reverse=True)
    assert (big / small) ** 2 == pytest.approx(4, rel=0.02)
    assert "etc/passwd" not in svg  # location names are not drawn on the map
    assert "100" in texts(root)  # the legend's largest circle
    assert caribbean.legend_values(100) == [100, 20, 5]
    assert caribbean.legend_values(1) == [1]


def test_the_map_asset_carries_its_attribution_and_the_region():
    data = json.loads(caribbean.ASSET.read_text())
    assert "Natural Earth" in data["attribution"] and "public domain" in data["licence"]
    assert data["extent"] == [-92.0, 5.0, -55.0, 33.0]
    codes = {territory["code"] for territory in data["territories"]}
    assert {"JM", "KY", "TT", "CU", "BS", "BM", "US", "MX", "CO", "VE", "PA", "GP", "MQ", "BQ"} <= codes


def test_build_map_decodes_topojson_and_clips():
    topology = {"transform": {"scale": [0.5, 0.25], "translate": [-100, 0]},
                "arcs": [[[0, 0], [10, 0], [0, 40], [-10, 0], [0, -40]]],
                "objects": {"countries": {"geometries": [
                    {"type": "Polygon", "arcs": [[0]], "id": "388", "properties": {"name": "Jamaica"}}]}}}
    arcs = build_map.decode_arcs(topology)
    assert arcs[0] == [(-100, 0), (-95, 0), (-95, 10), (-100, 10), (-100, 0)]
    assert build_map.ring_points([~0], arcs) == arcs[0][::-1]
    clipped = build_map.clip_ring([(-100, 0), (-90, 0), (-90, 10), (-100, 10)], (-95, -5, -80, 5))
    assert sorted(set(clipped)) == [(-95, 0), (-95, 5), (-90, 0), (-90, 5)]
    line = [(0, 0), (1, 0.001), (2, 0), (3, 5), (4, 0)]
    assert build_map.simplify(line, 0.01) == [(0, 0), (2, 0), (3, 5), (4, 0)]
    assert build_map.encode([(-76.5, 18.25), (-76.4, 18.25), (-76.4, 18.25)]) == [-7650, 1825, 10, 0]
    assert math.isclose(build_map.area([(0, 0), (2, 0), (2, 2), (0, 2)]), 4)
