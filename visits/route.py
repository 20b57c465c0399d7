"""A trip's route as an inline SVG: the places of its stops in order, joined by lines, on the world map's outlines.

Same projection and outlines as the world map (``visits.views.worldmap``); the view box is
cropped around the route, and only the countries whose outline reaches into it are drawn.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db.models.functions import Upper

from visits.models import City
from visits.views.worldmap import HEIGHT, WIDTH, country_paths, project

PADDING = 0.25  # of the route's extent, on each side
MIN_EXTENT = 160.0  # px of the world map (about 20 degrees of longitude)
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_COMMAND = re.compile(r"[a-zA-Z][^a-zA-Z]*")


@dataclass
class RoutePoint:
    number: int
    name: str
    country: str
    x: float
    y: float
    located: str  # "city" or "capital"


def _path_bbox(d: str) -> tuple[float, float, float, float]:
    """Bounding box of the end points of a path of relative commands (m, l, c, s, h, v), as the map uses."""
    x = y = 0.0
    xs, ys = [], []
    for command in _COMMAND.findall(d):
        letter, numbers = command[0], [float(n) for n in _NUMBER.findall(command[1:])]
        relative = letter.islower()
        letter = letter.lower()
        step = {"m": 2, "l": 2, "c": 6, "s": 4, "h": 1, "v": 1}.get(letter)
        if step is None:
            continue
        for i in range(0, len(numbers) - step + 1, step):
            group = numbers[i : i + step]
            if letter == "h":
                x = x + group[0] if relative else group[0]
            elif letter == "v":
                y = y + group[0] if relative else group[0]
            else:
                dx, dy = group[-2], group[-1]
                x, y = (x + dx, y + dy) if relative else (dx, dy)
            xs.append(x)
            ys.append(y)
    if not xs:
        return (0.0, 0.0, 0.0, 0.0)
    return min(xs), min(ys), max(xs), max(ys)


@functools.cache
def country_boxes() -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for code, paths in country_paths().items():
        parts = [_path_bbox(d) for d in paths]
        boxes[code] = (
            min(p[0] for p in parts),
            min(p[1] for p in parts),
            max(p[2] for p in parts),
            max(p[3] for p in parts),
        )
    return boxes


def locate(places: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[float, float]]:
    """(latitude, longitude) of each (country code, city name): the most populous city of that name there."""
    wanted = {(code, name.strip()) for code, name in places if code and name and name.strip()}
    found: dict[tuple[str, str], tuple[float, float]] = {}
    if not wanted:
        return found
    rows = (
        City.objects.annotate(upper_name=Upper("name"))
        .filter(country_id__in={c for c, _ in wanted}, upper_name__in={n.upper() for _, n in wanted})
        .order_by("-population", "id")
        .values_list("country_id", "name", "latitude", "longitude")
    )
    for code, name, lat, lon in rows:
        found.setdefault((code, name.lower()), (lat, lon))
    result = {}
    for code, name in wanted:
        hit = found.get((code, name.lower()))
        if hit is None:  # an alternate name ("Tiflis"), one query per miss
            city = (
                City.objects.filter(country_id=code, alternate_names__contains=[name])
                .order_by("-population")
                .values_list("latitude", "longitude")
                .first()
            )
            hit = tuple(city) if city else None
        if hit is not None:
            result[(code, name)] = hit
    return result


def route(stops) -> dict | None:
    """What the template draws for stops in visit order (each with ``country`` and ``cities``); None if nothing located.

    Each stop gives its cities in order, or its capital when it names none (or none is known).
    """
    places = [(stop.country_id, city) for stop in stops for city in (stop.cities or []) if isinstance(city, str)]
    coordinates = locate(places)
    points: list[RoutePoint] = []
    for stop in stops:
        located = [
            (city, coordinates[(stop.country_id, city.strip())])
            for city in stop.cities or []
            if isinstance(city, str) and (stop.country_id, city.strip()) in coordinates
        ]
        kind = "city"
        if not located and stop.country.capital_id:
            capital = stop.country.capital
            located, kind = [(capital.name, (capital.latitude, capital.longitude))], "capital"
        for name, (lat, lon) in located:
            x, y = project(lat, lon)
            points.append(RoutePoint(len(points) + 1, name, stop.country_id, x, y, kind))
    if not points:
        return None
    return _frame(points, {stop.country_id for stop in stops})


def _frame(points: list[RoutePoint], visited: set[str]) -> dict:
    low_x, high_x = min(p.x for p in points), max(p.x for p in points)
    low_y, high_y = min(p.y for p in points), max(p.y for p in points)
    extent = max(high_x - low_x, (high_y - low_y) * 1.5, MIN_EXTENT)
    width, height = extent * (1 + 2 * PADDING), extent * (1 + 2 * PADDING) / 1.5
    x0 = max(0.0, min(WIDTH - width, (low_x + high_x) / 2 - width / 2))
    y0 = max(0.0, min(HEIGHT - height, (low_y + high_y) / 2 - height / 2))
    box = (x0, y0, x0 + width, y0 + height)
    paths = country_paths()
    countries = [
        {"code": code, "paths": paths[code], "visited": code in visited}
        for code, (a, b, c, d) in country_boxes().items()
        if a <= box[2] and c >= box[0] and b <= box[3] and d >= box[1]
    ]
    unit = round(width / 100, 2)
    return {
        "view_box": f"{x0:.1f} {y0:.1f} {width:.1f} {height:.1f}",
        "countries": countries,
        "points": points,
        "polyline": " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points),
        "radius": round(unit * 1.2, 2),
        "stroke": round(unit * 0.45, 2),
        "border": round(unit * 0.12, 2),
        "font_size": round(unit * 2.6, 2),
        "label_dx": round(unit * 1.8, 2),
    }
