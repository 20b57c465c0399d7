"""A world map drawn server-side from the country outlines of ``pygal_maps_world``.

The package ships ``worldmap.svg`` (viewBox 0 0 2475 1388), one ``<g class="xx country ...">``
per ISO 3166-1 alpha-2 code (lower case). Its projection is Robinson with the central
meridian at 11° E; the scale and offsets below were fitted to the capitals of 170
countries (residual about 2 px), so city points land inside their countries.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

WIDTH, HEIGHT = 2475, 1388
CENTRAL_MERIDIAN = 11.0
SCALE_X, OFFSET_X = 7.657, 1284.2  # px per degree of longitude at the equator
SCALE_Y, OFFSET_Y = -698.39, 685.2  # px per unit of Robinson's Y table
SHADES = 5
# Robinson's table (every 5 degrees of latitude): length of a parallel, distance from the equator.
_ROBINSON_X = (
    1.0, 0.9986, 0.9954, 0.99, 0.9822, 0.973, 0.96, 0.9427, 0.9216, 0.8962,
    0.8679, 0.835, 0.7986, 0.7597, 0.7186, 0.6732, 0.6213, 0.5722, 0.5322,
)  # fmt: skip
_ROBINSON_Y = (
    0.0, 0.062, 0.124, 0.186, 0.248, 0.31, 0.372, 0.434, 0.4958, 0.5571,
    0.6176, 0.6769, 0.7346, 0.7903, 0.8435, 0.8936, 0.9394, 0.9761, 1.0,
)  # fmt: skip
_GROUP = re.compile(r'<g class="(?P<code>[a-z]{2}) country[^"]*">(?P<body>.*?)</g>', re.S)
_PATH = re.compile(r'<path d="(?P<d>[^"]*)"')


@functools.cache
def country_paths() -> dict[str, tuple[str, ...]]:
    """Outline path data per upper-case country code, read once from the package."""
    text = resources.files("pygal_maps_world").joinpath("worldmap.svg").read_text(encoding="utf-8")
    return {m["code"].upper(): tuple(_PATH.findall(m["body"])) for m in _GROUP.finditer(text)}


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Map coordinates of a point (Robinson, interpolated linearly in its table)."""
    lon = (longitude - CENTRAL_MERIDIAN + 180) % 360 - 180
    position = min(abs(latitude), 90) / 5
    i = min(int(position), len(_ROBINSON_X) - 2)
    f = position - i
    x_factor = _ROBINSON_X[i] + (_ROBINSON_X[i + 1] - _ROBINSON_X[i]) * f
    y_factor = _ROBINSON_Y[i] + (_ROBINSON_Y[i + 1] - _ROBINSON_Y[i]) * f
    return (
        round(OFFSET_X + SCALE_X * x_factor * lon, 1),
        round(OFFSET_Y + SCALE_Y * math.copysign(y_factor, latitude), 1),
    )


def shade(count: int, highest: int) -> int:
    """0 for none, else 1..SHADES on a logarithmic scale up to ``highest``."""
    if count <= 0 or highest <= 0:
        return 0
    if highest == 1:
        return SHADES
    return 1 + min(SHADES - 1, int(math.log(count) / math.log(highest) * (SHADES - 1) + 0.5))


def legend(highest: int) -> list[tuple[int, int, int]]:
    """(shade, lowest count, highest count) for each shade in use."""
    ranges: dict[int, list[int]] = {}
    for n in range(1, highest + 1) if highest <= 2000 else ():
        ranges.setdefault(shade(n, highest), []).append(n)
    return [(level, values[0], values[-1]) for level, values in sorted(ranges.items())]


@dataclass
class MapCountry:
    code: str
    name: str
    count: int
    level: int
    paths: tuple[str, ...]


@dataclass
class MapPoint:
    name: str
    country: str
    count: int
    x: float
    y: float
    radius: float


def _on_map(place: Mapping) -> tuple[float, float] | None:
    """Where a place (``latitude``, ``longitude``) is drawn, or None when it falls outside the map."""
    x, y = project(place["latitude"], place["longitude"])
    return (x, y) if 0 <= x <= WIDTH and 0 <= y <= HEIGHT else None


@dataclass
class MapCapital:
    name: str
    country: str
    x: float
    y: float


def world(
    per_country: Mapping[str, int], names: Mapping[str, str], points: list[dict], capitals: list[dict] = ()
) -> dict:
    """What the map template draws: every country (shaded by count), the city points and the
    capitals of the countries visited."""
    paths = country_paths()
    highest = max(per_country.values(), default=0)
    countries = [
        MapCountry(code, names.get(code, code), per_country.get(code, 0), shade(per_country.get(code, 0), highest), d)
        for code, d in paths.items()
    ]
    most = max((p["n"] for p in points), default=1)
    drawn = [
        MapPoint(p["name"], p["country"], p["n"], *at, round(4 + 8 * math.sqrt(p["n"] / most), 1))
        for p in points
        if (at := _on_map(p))
    ]
    marked = [MapCapital(c["name"], c["country"], *at) for c in capitals if (at := _on_map(c))]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "countries": countries,
        "points": drawn,
        "capitals": marked,
        "legend": legend(highest),
        "unmapped": sorted(code for code in per_country if code not in paths),
    }
