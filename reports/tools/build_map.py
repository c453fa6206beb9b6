"""Build reports/assets/caribbean.json, the Caribbean base map of the PDF products, from Natural Earth.

A one-off tool: the asset it writes is committed, so neither the app nor the tests need it (or npm).

Source: Natural Earth 1:50m admin-0 countries (public domain, https://www.naturalearthdata.com/), as
TopoJSON in the npm package `world-atlas` 2.0.2 (ISC licence, Mike Bostock). To rebuild:

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m reports.tools.build_map /tmp/package/countries-50m.json

What it does: decodes the TopoJSON (quantised, delta-encoded arcs and the transform), splits the
overseas parts of France, the Netherlands and the United States into their Caribbean territories
(GP, MQ, BQ, ...), clips every ring to the region (with a margin, so clipped edges fall outside the
drawn frame), simplifies lightly (Douglas-Peucker, never below the ring's bounding points), and writes
integer coordinates in hundredths of a degree, delta-encoded. The region is lon -92..-55, lat 5..33:
Central America, northern South America, Florida, the Bahamas and Bermuda are inside.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pycountry

EXTENT = (-92.0, 5.0, -55.0, 33.0)  # west, south, east, north: the drawn frame
CLIP = (-94.0, 3.0, -53.0, 35.0)  # clipping box: a margin so clipped edges stay outside the frame
TOLERANCE = 0.012  # degrees (about 1.3 km); islands keep their shape at the map's scale
PRECISION = 100  # stored coordinates are hundredths of a degree
OUTPUT = Path(__file__).resolve().parent.parent / "assets" / "caribbean.json"

# Overseas parts of countries whose Natural Earth 1:50m shape holds them in one MultiPolygon:
# (country code, west, south, east, north) -> territory code and name.
TERRITORY_BOXES = [
    ("FR", (-61.9, 15.8, -61.0, 16.6), "GP", "Guadeloupe"),
    ("FR", (-61.3, 14.3, -60.7, 15.0), "MQ", "Martinique"),
    ("FR", (-55.0, 2.0, -51.0, 6.0), "GF", "French Guiana"),
    ("NL", (-68.5, 11.9, -68.1, 12.4), "BQ", "Bonaire"),
    ("NL", (-63.4, 17.4, -62.9, 17.7), "BQ", "Saba and St Eustatius"),
]
NAMES = {  # Natural Earth abbreviates; the map labels use these names
    "DO": "Dominican Rep.", "KN": "St Kitts and Nevis", "VC": "St Vincent and the Grenadines",
    "AG": "Antigua and Barbuda", "TC": "Turks and Caicos", "VG": "British Virgin Is.",
    "VI": "US Virgin Is.", "KY": "Cayman Is.", "MF": "Saint-Martin", "BL": "Saint-Barthélemy",
}


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs as lists of (lon, lat): undo the delta encoding, then apply the transform."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stitch a ring from its arcs (a negative index ~i is arc i reversed); arcs share end points."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def clip_ring(points: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list:
    """Sutherland-Hodgman clipping of a closed ring to an axis-aligned box."""
    west, south, east, north = box
    edges = [
        (lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north)),
    ]
    output = points
    for inside, cross in edges:
        source, output = output, []
        if not source:
            break
        previous = source[-1]
        for point in source:
            if inside(point):
                if not inside(previous):
                    output.append(cross(previous, point))
                output.append(point)
            elif inside(previous):
                output.append(cross(previous, point))
            previous = point
    return output


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative; the first and last points are kept."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [p for p, kept in zip(points, keep) if kept]


def area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))) / 2


def territory_for(code: str, ring: list[tuple[float, float]]) -> tuple[str, str] | None:
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    for country, (west, south, east, north), territory, name in TERRITORY_BOXES:
        if country == code and west <= lon <= east and south <= lat <= north:
            return territory, name
    return None


def encode(ring: list[tuple[float, float]]) -> list[int]:
    """Integer hundredths of a degree, delta-encoded: [x0, y0, dx1, dy1, ...]; repeats dropped."""
    values: list[int] = []
    last = None
    for lon, lat in ring:
        point = (round(lon * PRECISION), round(lat * PRECISION))
        if point == last:
            continue
        if last is None:
            values.extend(point)
        else:
            values.extend((point[0] - last[0], point[1] - last[1]))
        last = point
    return values


def build(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    territories: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        country = pycountry.countries.get(numeric=numeric) if numeric else None
        if country is None:
            continue
        for polygon in polygons_of(geometry):
            for ring_index, ring in enumerate(polygon):
                points = ring_points(ring, arcs)
                clipped = clip_ring(points, CLIP)
                if len(clipped) < 3:
                    continue
                code, name = country.alpha_2, NAMES.get(country.alpha_2, geometry["properties"]["name"])
                if (split := territory_for(code, points)) is not None:
                    code, name = split
                simplified = simplify(clipped + clipped[:1], TOLERANCE)[:-1]
                if len(simplified) < 3:
                    simplified = clipped
                entry = territories.setdefault(code, {"code": code, "name": name, "rings": [], "_parts": []})
                entry["rings"].append(encode(simplified))
                if ring_index == 0:  # outer ring: the label goes on the largest visible part
                    visible = clip_ring(points, EXTENT)
                    if len(visible) >= 3:
                        entry["_parts"].append((area(visible), visible))
    result = []
    for code in sorted(territories):
        entry = territories.pop(code)
        parts = entry.pop("_parts")
        if not parts:
            continue  # inside the clipping margin but outside the frame
        size, largest = max(parts, key=lambda part: part[0])
        lon = sum(p[0] for p in largest) / len(largest)
        lat = sum(p[1] for p in largest) / len(largest)
        entry["label"] = [round(lon, 2), round(lat, 2)]
        entry["area"] = round(sum(part[0] for part in parts), 4)  # square degrees within the frame
        result.append(entry)
    return {
        "source": "Natural Earth 1:50m admin-0 countries, via the npm package world-atlas 2.0.2",
        "attribution": "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
        "licence": "Natural Earth: public domain. world-atlas packaging: ISC licence, Mike Bostock.",
        "extent": list(EXTENT),
        "precision": PRECISION,
        "territories": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="countries-50m.json from the world-atlas package")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    data = build(json.loads(args.topojson.read_text()))
    args.output.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n")
    points = sum(len(ring) // 2 for t in data["territories"] for ring in t["rings"])
    print(f"{args.output}: {len(data['territories'])} territories, {points} points, "
          f"{args.output.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
