"""The Caribbean map of the products: Natural Earth shapes (reports/assets/caribbean.json, built by
reports/tools/build_map.py) in a Mercator projection, seizure locations as proportional circles.

Small island states are smaller than a millimetre at this scale, so every territory under a size
threshold gets a ring marker and its code; the map's caption lists those codes.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from reports.charts import FONT, number, text
from reports.formatting import integer

ASSET = Path(__file__).resolve().parent / "assets" / "caribbean.json"
WIDTH = 1000.0
SEA, LAND, HIGHLIGHT, COAST = "#E6EEF6", "#F6F3EC", "#C8D8EA", "#8C97A3"
CIRCLE, CIRCLE_EDGE = "#B3261E", "#FFFFFF"
MAX_RADIUS, MIN_RADIUS = 24.0, 2.6
SMALL_AREA = 0.06  # square degrees within the frame: below this a territory gets a marker and its code
NAMED_AREA = 0.5  # at least this: the territory's name is written on it
LABEL_NAMES = {"US": "United States", "DO": "Dominican Rep.", "TT": "Trinidad and Tobago"}
# Where labels go, in degrees (lon, lat), when the centre of the visible part is a poor place.
LABEL_POSITIONS = {"US": (-83.0, 30.6), "MX": (-89.6, 18.4), "CO": (-74.0, 7.0), "VE": (-65.5, 7.6),
                   "GY": (-58.9, 5.6), "SR": (-56.3, 5.35), "BR": (-60.0, 5.3), "BS": (-75.6, 25.2),
                    "CU": (-79.0, 22.1), "HN": (-86.6, 14.8), "NI": (-85.0, 12.9),
                   "GT": (-90.4, 15.6), "PA": (-80.4, 8.4), "CR": (-84.1, 10.1), "SV": (-88.9, 13.3),
                   "PR": (-66.4, 18.6), "JM": (-77.3, 17.7), "BZ": (-88.4, 17.2)}
# Offsets of the code labels of small territories, in map units (x right, y down) from their marker.
CODE_OFFSETS = {"AI": (8, -3), "SX": (8, 3), "MF": (-8, -3), "BL": (8, 6), "KN": (-9, 4), "AG": (8, 3),
                "MS": (-8, 5), "GP": (12, 2), "TT": (12, 3), "DM": (9, 3), "MQ": (11, 3), "LC": (9, 3), "VC": (-9, 4),
                "BB": (8, 3), "GD": (-8, 4), "VG": (2, -8), "VI": (-8, 10), "AW": (-2, -8), "CW": (2, -8),
                "BQ": (8, 8), "KY": (0, 14), "TC": (8, -2), "BM": (9, 3)}


@lru_cache(maxsize=1)
def base_map() -> dict:
    """The asset, decoded: territories with rings of (lon, lat)."""
    data = json.loads(ASSET.read_text())
    precision = data["precision"]
    for territory in data["territories"]:
        rings = []
        for encoded in territory["rings"]:
            x = y = 0
            ring = []
            for i in range(0, len(encoded), 2):
                if i == 0:
                    x, y = encoded[0], encoded[1]
                else:
                    x, y = x + encoded[i], y + encoded[i + 1]
                ring.append((x / precision, y / precision))
            rings.append(ring)
        territory["rings"] = rings
    return data


def _mercator(lat: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


@lru_cache(maxsize=1)
def frame() -> tuple[float, float, float, float]:
    """(west, north in Mercator degrees, scale in units per degree, height in units)."""
    west, south, east, north = base_map()["extent"]
    scale = WIDTH / (east - west)
    return west, _mercator(north), scale, (_mercator(north) - _mercator(south)) * scale


def project(lon: float, lat: float) -> tuple[float, float]:
    west, top, scale, _ = frame()
    return (lon - west) * scale, (top - _mercator(lat)) * scale


def inside(lon: float, lat: float) -> bool:
    west, south, east, north = base_map()["extent"]
    return west <= lon <= east and south <= lat <= north


@lru_cache(maxsize=1)
def _territory_paths() -> tuple[tuple[str, str, str, float, tuple[float, float]], ...]:
    """(code, name, SVG path data, area, label point) per territory; computed once per process."""
    result = []
    for territory in base_map()["territories"]:
        parts = []
        for ring in territory["rings"]:
            points = [project(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{number(x)} {number(y)}" for x, y in points) + "Z")
        code = territory["code"]
        label = LABEL_POSITIONS.get(code, tuple(territory["label"]))
        result.append((code, LABEL_NAMES.get(code, territory["name"]), "".join(parts), territory["area"],
                       project(*label)))
    return tuple(result)


def coded_territories() -> list[tuple[str, str]]:
    """(code, name) of the territories labelled with their code, for the caption."""
    return [(code, name) for code, name, _, area, _ in _territory_paths() if area < NAMED_AREA]


def legend_values(largest: int) -> list[int]:
    """Up to three round reference values for the circle legend, largest first."""
    values = []
    for fraction in (1, 0.25, 0.05):
        value = largest * fraction
        if value < 1:
            break
        magnitude = 10 ** math.floor(math.log10(value))
        rounded = int(round(value / magnitude) * magnitude) if fraction != 1 else largest
        if rounded not in values and rounded >= 1:
            values.append(rounded)
    return values


def radius(reports: float, largest: float) -> float:
    """Circle area proportional to the number of reports."""
    return max(MAX_RADIUS * math.sqrt(reports / largest), MIN_RADIUS) if largest else MIN_RADIUS


def caribbean_map(locations: Sequence[dict], *, highlight: Iterable[str] = (), title: str = "Map") -> Markup:
    """The map with one circle per location ({"name", "lat", "lon", "reports"}) inside the frame;
    `highlight` holds the codes of territories to shade (the participating administrations)."""
    west, south, east, north = base_map()["extent"]
    _, _, scale, height = frame()
    shaded = set(highlight)
    body = [f'<rect x="0" y="0" width="{number(WIDTH)}" height="{number(height)}" fill="{SEA}"/>']
    body.extend(_graticule(west, south, east, north, height))
    for code, _, path, area, _ in _territory_paths():
        fill = HIGHLIGHT if code in shaded else LAND
        body.append(f'<path d="{path}" fill="{fill}" stroke="{COAST}" stroke-width="0.7" '
                    f'stroke-linejoin="round"/>')
    for code, name, _, area, (x, y) in _territory_paths():
        if area < NAMED_AREA:  # islands: the code beside the island, a ring marker when tiny
            dx, dy = CODE_OFFSETS.get(code, (8, 3))
            if area < SMALL_AREA:
                body.append(f'<circle cx="{number(x)}" cy="{number(y)}" r="4.2" fill="none" stroke="{COAST}" '
                            f'stroke-width="0.8"/>')
            body.append(
                f'<text x="{number(x + dx)}" y="{number(y + dy)}" font-size="9" fill="#4A5663" '
                f'text-anchor="{"end" if dx < 0 else "start" if dx > 2 else "middle"}">{text(code)}</text>'
            )
        else:
            size = 12 if area >= 5 else 10
            body.append(f'<text x="{number(x)}" y="{number(y)}" font-size="{size}" fill="#6A7683" '
                        f'text-anchor="middle" letter-spacing="0.3">{text(name)}</text>')
    body.extend(_circles(locations))
    body.append(f'<rect x="0.5" y="0.5" width="{number(WIDTH - 1)}" height="{number(height - 1)}" '
                f'fill="none" stroke="{COAST}" stroke-width="1"/>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {number(WIDTH)} {number(height)}" '
        f'width="{number(WIDTH)}" height="{number(height)}" font-family="{FONT}" role="img">'
        f'<title>{text(title)}</title>{"".join(body)}</svg>'
    )


def _graticule(west: float, south: float, east: float, north: float, height: float) -> list[str]:
    lines = []
    for lon in range(int(math.ceil(west / 5) * 5), int(east) + 1, 5):
        x, _ = project(lon, south)
        lines.append(f'<line x1="{number(x)}" y1="0" x2="{number(x)}" y2="{number(height)}" stroke="#CFDAE6" '
                     f'stroke-width="0.6"/><text x="{number(x + 3)}" y="11" font-size="8" '
                     f'fill="#7D8A98">{abs(lon)}°W</text>')
    for lat in range(int(math.ceil(south / 5) * 5), int(north) + 1, 5):
        _, y = project(west, lat)
        lines.append(f'<line x1="0" y1="{number(y)}" x2="{number(WIDTH)}" y2="{number(y)}" stroke="#CFDAE6" '
                     f'stroke-width="0.6"/><text x="{number(WIDTH - 4)}" y="{number(y - 3)}" font-size="8" '
                     f'text-anchor="end" fill="#7D8A98">{lat}°N</text>')
    return lines


def _circles(locations: Sequence[dict]) -> list[str]:
    shown = [loc for loc in locations if loc.get("reports") and loc.get("lat") is not None
             and loc.get("lon") is not None and inside(float(loc["lon"]), float(loc["lat"]))]
    if not shown:
        return []
    largest = max(int(loc["reports"]) for loc in shown)
    body = []
    # Largest first, so small circles stay visible on top of large ones.
    for loc in sorted(shown, key=lambda loc: (-int(loc["reports"]), str(loc.get("name", "")))):
        x, y = project(float(loc["lon"]), float(loc["lat"]))
        body.append(f'<circle cx="{number(x)}" cy="{number(y)}" r="{number(radius(loc["reports"], largest))}" '
                    f'fill="{CIRCLE}" fill-opacity="0.55" stroke="{CIRCLE_EDGE}" stroke-width="0.9"/>')
    body.extend(_legend(largest))
    return body


def _legend(largest: int) -> list[str]:
    values = legend_values(largest)
    box_width, box_height = 150, 2 * MAX_RADIUS + 40
    _, _, _, height = frame()
    left, top = 10, height - box_height - 10
    items = [f'<rect x="{left}" y="{number(top)}" width="{box_width}" height="{number(box_height)}" '
             f'fill="#FFFFFF" fill-opacity="0.9" stroke="{COAST}" stroke-width="0.6"/>',
             f'<text x="{left + 8}" y="{number(top + 14)}" font-size="10" fill="#1B2733">Seizure reports</text>']
    base = top + box_height - 8
    cx = left + 8 + MAX_RADIUS
    for value in values:
        r = radius(value, largest)
        items.append(f'<circle cx="{number(cx)}" cy="{number(base - r)}" r="{number(r)}" fill="{CIRCLE}" '
                     f'fill-opacity="0.25" stroke="{CIRCLE}" stroke-width="0.8"/>'
                     f'<line x1="{number(cx)}" y1="{number(base - 2 * r)}" x2="{number(cx + MAX_RADIUS + 10)}" '
                     f'y2="{number(base - 2 * r)}" stroke="#7D8A98" stroke-width="0.5"/>'
                     f'<text x="{number(cx + MAX_RADIUS + 13)}" y="{number(base - 2 * r + 3.5)}" font-size="9" '
                     f'fill="#1B2733">{text(integer(value))}</text>')
    return items
