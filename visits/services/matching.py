"""Pure rules of merging: what a report claims, when two claims are the same fact, and what all claims add up to.

Nothing here touches the database. A *claim* is a small JSON-able dict stored on
each Evidence row (``Evidence.claim``): what one report says about one fact
(status, period, countries, people, ...) plus the report's publication date.
Facts are always *derived* from all their non-rejected claims with the rules
below, never patched incrementally, which is what makes merging independent of
the order in which reports arrive. See docs/MERGING.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from visits.dates import period_bounds, widen

# How far from its report's publication date a claim without a usable date may lie.
WINDOW = dt.timedelta(days=28)
MONTH_SLACK = dt.timedelta(days=7)
#: How much longer a stay that a report tells as under way, with no end, may last ("she is in Beijing"):
#: a report a few days later that she is still there, or has just left, tells of the same trip.
OPEN_STAY = dt.timedelta(days=7)
PRECISION_RANK = {"day": 3, "month": 2, "year": 1}
# Tie-break between statuses reported on the same day (any fixed order keeps merging deterministic).
TRIP_STATUS_RANK = {"planned": 0, "postponed": 1, "ongoing": 2, "completed": 3, "cancelled": 4}
MEETING_STATUS_RANK = {"planned": 0, "postponed": 1, "held": 2, "cancelled": 3}
HAPPENED = {"ongoing", "completed", "held"}
CONFLICT_FLAG = "conflicting-reports"

Claim = dict
Period = tuple[dt.date, dt.date]


# --- reading the extraction -------------------------------------------------------------------------------


def parse_period(start: str | None, end: str | None = None, precision: str | None = None) -> dict:
    """Bounds of a reported period as claim fields ``start``/``end``/``precision``; {} when no date is given.

    The coarsest of the stated precision and the precision of the strings wins, so "2024-03-18" stated
    with precision "month" is stored as the whole of March. Raises ValueError for an unreadable date.
    """
    if not start and not end:
        return {}
    first = period_bounds(start or end)
    last = period_bounds(end) if end else first
    coarsest = min((first[2], last[2], *([precision] if precision in PRECISION_RANK else [])), key=PRECISION_RANK.get)
    low, _ = widen(first[0], coarsest)
    _, high = widen(last[1], coarsest)
    if high < low:  # an end before the start: keep the start's period rather than invent one
        low, high = widen(first[0], coarsest)
    return {"start": low.isoformat(), "end": high.isoformat(), "precision": str(coarsest)}


def normalize_kind(kind: str | None, choices: Iterable[str]) -> str:
    """Meeting kind slug from free text: "press conference" → "press-conference"; unknown → "other"."""
    slug = (kind or "meeting").strip().lower().replace(" ", "-")
    return slug if slug in set(choices) else "other"


# --- comparing claims ------------------------------------------------------------------------------------


def bounds(claim: Claim) -> Period | None:
    """The claim's period as dates, or None when it gives none."""
    if not claim.get("start"):
        return None
    return dt.date.fromisoformat(claim["start"]), dt.date.fromisoformat(claim["end"])


def published(claim: Claim) -> Period | None:
    """When the claim's report was published: a day, or a whole month when only the month is known (a page
    dated "2023-04"); None when unknown or unreadable."""
    value = claim.get("published")
    if not value:
        return None
    try:
        low, high, precision = period_bounds(value)
    except ValueError:
        return None
    return None if precision == "year" else (low, high)  # a year says too little to place anything


def gap(a: Period, b: Period) -> int:
    """Days between two periods: negative or 0 when they overlap, 1 when adjacent."""
    return (max(a[0], b[0]) - min(a[1], b[1])).days


def is_loose(claim: Claim) -> bool:
    """A claim whose date cannot place it: none, or a whole year."""
    return bounds(claim) is None or claim.get("precision") == "year"


def periods_match(a: Claim, b: Claim, *, adjacent_days: int) -> bool:
    """Whether two claims can be about the same period (symmetric, so merging stays order-independent).

    Day/month periods must overlap or be at most ``adjacent_days`` apart. A claim without a date, or with a
    whole year, is placed by its report's publication date: the other claim must lie within WINDOW of it.
    """
    pa, pb = bounds(a), bounds(b)
    if not is_loose(a) and not is_loose(b):
        return gap(_stay(a, pa), _stay(b, pb)) <= adjacent_days
    if pa and pb and gap(pa, pb) > 0:
        return False
    return _near_anchor(a, b) if is_loose(a) else _near_anchor(b, a)


def _stay(claim: Claim, period: Period) -> Period:
    """The period a claim can be about: an open stay (under way, end unknown) may go on for OPEN_STAY."""
    return (period[0], period[1] + OPEN_STAY) if claim.get("open") else period


def _near_anchor(loose: Claim, other: Claim) -> bool:
    anchor = published(loose)
    if anchor is None:
        return False
    if is_loose(other):
        theirs = published(other)
        return theirs is not None and gap(theirs, anchor) <= _reach(anchor, theirs)
    return gap(bounds(other), anchor) <= _reach(anchor)


def _reach(*anchors: Period) -> int:
    """How many days from a publication date a claim it places may lie: WINDOW from a day; from a month,
    which is already a month of doubt, only MONTH_SLACK (a trip at the end of the month before)."""
    return MONTH_SLACK.days if any(a[0] != a[1] for a in anchors) else WINDOW.days


def trip_claims_match(a: Claim, b: Claim) -> bool:
    """Same trip (the traveller is compared by the caller): a shared country and matching periods."""
    if a == b:
        return True
    return bool(set(a.get("countries", ())) & set(b.get("countries", ()))) and periods_match(a, b, adjacent_days=1)


def meeting_claims_match(a: Claim, b: Claim) -> bool:
    """Same meeting: at least two shared participants (the traveller alone proves nothing) on the same day.

    A one-person event (a press conference) matches only the same person, kind and country.
    """
    if a == b:
        return True
    if a.get("country") and b.get("country") and a["country"] != b["country"]:
        return False
    people_a, people_b = set(a.get("people", ())), set(b.get("people", ()))
    if len(people_a & people_b) < 2:
        solo = people_a == people_b and len(people_a) == 1
        if not (solo and a.get("kind") == b.get("kind") and a.get("country") == b.get("country")):
            return False
    return periods_match(a, b, adjacent_days=0)


# --- deriving facts from all their claims ----------------------------------------------------------------


def latest(claims: Iterable[Claim], field: str, rank: dict | None = None):
    """The value of ``field`` in the latest-published claim that gives one; same-day ties by rank, then text."""
    candidates = [
        (c.get("published") or "", rank.get(c[field], -1) if rank else 0, str(c[field]), c[field])
        for c in claims
        if c.get(field) not in (None, "", [])
    ]
    return max(candidates)[-1] if candidates else None


def derive_period(claims: list[Claim], *, unite: bool) -> dict:
    """The most precise period reported; what happened beats what was announced at the same precision.

    ``unite`` (trips, stops): the period covers all those claims, as each report may tell only part of a
    journey. Otherwise (meetings, single events) the latest-published claim wins and same-day ties unite.
    """
    dated = [c for c in claims if bounds(c)]
    if not dated:
        return {}
    best = max(PRECISION_RANK[c["precision"]] for c in dated)
    dated = [c for c in dated if PRECISION_RANK[c["precision"]] == best]
    dated = [c for c in dated if c.get("status") in HAPPENED] or dated
    if not unite:
        newest = max(c.get("published") or "" for c in dated)
        dated = [c for c in dated if (c.get("published") or "") == newest]
    chosen = [bounds(c) for c in dated]
    return {
        "start_date": min(p[0] for p in chosen),
        "end_date": max(p[1] for p in chosen),
        "precision": dated[0]["precision"],
    }


def conflicting(claims: list[Claim]) -> bool:
    """Reports disagree: one says it happened and another that it was cancelled, or day dates that never meet."""
    statuses = {c.get("status") for c in claims}
    if "cancelled" in statuses and statuses & HAPPENED:
        return True
    days = sorted({bounds(c) for c in claims if c.get("precision") == "day"})
    return any(gap(a, b) > 0 for i, a in enumerate(days) for b in days[i + 1 :])


def derive_trip(claims: list[Claim]) -> dict:
    """Trip fields from its claims: status of the latest report, the most precise dates, the flags."""
    values = {"status": latest(claims, "status", TRIP_STATUS_RANK), **derive_period(claims, unite=True)}
    flags = {flag for c in claims for flag in c.get("flags", ())}
    if conflicting(claims):
        flags.add(CONFLICT_FLAG)
    values["flags"] = flags
    return {k: v for k, v in values.items() if v is not None}


def derive_stop(claims: list[Claim]) -> dict:
    """Stop fields: latest status, most precise dates, cities in order of first mention by date."""
    values = {"status": latest(claims, "status", TRIP_STATUS_RANK), **derive_period(claims, unite=True)}
    ordered = sorted(claims, key=lambda c: (c.get("start") or "9999", c.get("published") or "", c.get("city") or ""))
    values["cities"] = list(dict.fromkeys(c["city"] for c in ordered if c.get("city")))
    # Where the report lists the stop: the tie-break of stop order when dates are unknown.
    values["position"] = latest(claims, "position")
    return {k: v for k, v in values.items() if v is not None}


def derive_meeting(claims: list[Claim]) -> dict:
    """Meeting fields: status and place from the latest report, the most precise date, a conflict flag."""
    values = {
        "status": latest(claims, "status", MEETING_STATUS_RANK),
        "kind": latest(claims, "kind"),
        "kind_as_written": latest(claims, "kind_as_written"),
        "country_id": latest(claims, "country"),
        "city": latest(claims, "city"),
        **derive_period(claims, unite=False),
    }
    values["flags"] = {CONFLICT_FLAG} if conflicting(claims) else set()
    return {k: v for k, v in values.items() if v is not None}


def derive_participation(claims: list[Claim]) -> dict:
    """A participant's title, organization and country as last reported, and all flags reported."""
    values = {
        "title": latest(claims, "role"),
        "organization_name": latest(claims, "organization"),
        "country_id": latest(claims, "country"),
        "flags": {flag for c in claims for flag in c.get("flags", ())},
    }
    return {k: v for k, v in values.items() if v is not None}
