"""The timeline's query: its parameters, how they are checked, and which trips and meetings they select.

One set of parameter names for the timeline, the trip list and the meeting list, in the API and
on the pages. :func:`parse` turns request parameters into a :class:`Filters` (or raises
:class:`QueryError` naming each bad parameter); :func:`apply` narrows a queryset of trips or
meetings with the queryset methods of ``visits.models.timeline`` (``with_person``, ``with_country``,
``in_period``...), which are what each filter means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from visits.dates import period_bounds
from visits.models import (
    Country,
    Meeting,
    MeetingStatus,
    Organization,
    Person,
    ReviewState,
    Topic,
    Trip,
    TripStatus,
)

# Parameters that are not filters but shape the response; every list accepts them.
PAGINATION_PARAMETERS = frozenset({"cursor", "page_size", "count", "format", "ordering"})
MAX_VALUES = 50  # values per repeatable parameter
MAX_TEXT = 200  # characters per text parameter

PERSON_ROLES = ("traveller", "participant", "either")
COUNTRY_ROLES = ("visited", "host", "visitor")
ORDERINGS = ("date", "-date", "updated", "-updated")
ALL_STATUSES = tuple(dict.fromkeys([*TripStatus.values, *MeetingStatus.values]))


class QueryError(ValueError):
    """Bad query parameters: ``errors`` maps each parameter to its messages."""

    def __init__(self, errors: Mapping[str, Iterable[str]]):
        self.errors = {str(name): [str(m) for m in messages] for name, messages in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


# --- Fields ---------------------------------------------------------------------------------


class MultiTextField(forms.Field):
    """Repeatable text: ``?p=a&p=b`` or ``?p=a,b``; each value stripped, bounded, non-empty."""

    def to_python(self, value) -> list[str]:
        if value in (None, "", []):
            return []
        values = [value] if isinstance(value, str) else list(value)
        cleaned = [str(v).strip() for v in values if str(v).strip()]
        if len(cleaned) > MAX_VALUES:
            raise forms.ValidationError(f"At most {MAX_VALUES} values are accepted.")
        if any(len(v) > MAX_TEXT or "\x00" in v for v in cleaned):
            raise forms.ValidationError(f"Each value must be at most {MAX_TEXT} characters of text.")
        return cleaned


def repeated(params: Mapping, name: str) -> list[str]:
    """The non-empty values of a repeatable parameter, each once: ``?p=a&p=b`` (a query string),
    or ``"a,b"`` in a plain mapping (the rules of django-filter's QueryArrayWidget)."""
    if hasattr(params, "getlist"):
        values = params.getlist(name) or params.getlist(f"{name}[]")
    else:
        value = params.get(name)
        values = [x.strip() for x in value.rstrip(",").split(",")] if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(v for v in values if v))


class PartialDateField(forms.CharField):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, cleaned to (first day, last day)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            first, last, _ = period_bounds(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return first, last


class TimestampField(forms.CharField):
    """An ISO 8601 date or date-time; a date means its midnight UTC, a naive time means UTC."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
            if parsed is None:
                parsed = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(f"{value!r} is not an ISO 8601 date or date-time (e.g. 2024-05-01T12:00:00Z).")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, dt.UTC)
        return parsed


# --- Lookups --------------------------------------------------------------------------------


def resolve_people(values: Iterable[str]) -> list[int]:
    """Person ids for ids or slugs; raises forms.ValidationError naming the unknown ones."""
    return _resolve_by_id_or_slug(Person, values, "person")


def resolve_organizations(values: Iterable[str]) -> list[int]:
    """Organization ids for ids or slugs; raises forms.ValidationError naming the unknown ones."""
    return _resolve_by_id_or_slug(Organization, values, "organization")


def _resolve_by_id_or_slug(model, values: Iterable[str], label: str) -> list[int]:
    values = list(values)
    ids = {int(v) for v in values if v.isdigit() and len(v) < 19}
    slugs = {v for v in values if not v.isdigit()}
    found = model.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs)).values_list("pk", "slug")
    known = {str(pk) for pk, _ in found} | {slug for _, slug in found}
    missing = [v for v in values if v not in known]
    if missing:
        raise forms.ValidationError(f"Unknown {label}: {', '.join(missing)}.")
    return [pk for pk, _ in found]


def resolve_countries(values: Iterable[str]) -> list[str]:
    codes = [v.upper() for v in values]
    known = set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [c for c in codes if c not in known]
    if missing:
        raise forms.ValidationError(f"Unknown country code: {', '.join(missing)} (use ISO 3166-1 alpha-2, e.g. GE).")
    return codes


def resolve_topics(values: Iterable[str]) -> list[int]:
    """Topic ids for slugs, each with all the topics below it."""
    values = list(values)
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=values)}
    missing = [v for v in values if v not in topics]
    if missing:
        raise forms.ValidationError(f"Unknown topic: {', '.join(missing)}.")
    ids: set[int] = set()
    for topic in topics.values():
        ids.update(topic.descendant_ids())
    return sorted(ids)


# --- The form -------------------------------------------------------------------------------


class FilterForm(forms.Form):
    """The filter parameters, with their help texts (the API documents the same names)."""

    person = MultiTextField(required=False, help_text="person id or slug; repeatable")
    person_role = forms.ChoiceField(
        required=False, choices=[(r, r) for r in PERSON_ROLES], help_text="traveller, participant or either"
    )
    organization = MultiTextField(required=False, help_text="organization id or slug; repeatable")
    role = forms.CharField(required=False, max_length=MAX_TEXT, help_text="title held, e.g. President")
    country = MultiTextField(required=False, help_text="ISO 3166-1 alpha-2 code; repeatable")
    country_role = forms.ChoiceField(
        required=False, choices=[(r, r) for r in COUNTRY_ROLES], help_text="visited, host or visitor"
    )
    topic = MultiTextField(required=False, help_text="topic slug, including its subtopics; repeatable")
    status = MultiTextField(required=False, help_text="status; repeatable")
    start = PartialDateField(required=False, help_text="YYYY, YYYY-MM or YYYY-MM-DD; its first day")
    end = PartialDateField(required=False, help_text="YYYY, YYYY-MM or YYYY-MM-DD; its last day")
    report = forms.IntegerField(required=False, min_value=1, max_value=2**62, help_text="report id")
    publisher = forms.CharField(required=False, max_length=MAX_TEXT)
    language = forms.CharField(required=False, max_length=16, help_text="report language code")
    min_confidence = forms.DecimalField(required=False, min_value=0, max_value=1)
    review = forms.ChoiceField(required=False, choices=[("", "---------"), *ReviewState.choices])
    updated_since = TimestampField(required=False, help_text="ISO 8601 date or date-time")
    q = forms.CharField(required=False, max_length=MAX_TEXT, help_text="full-text search")

    MULTIPLE = ("person", "organization", "country", "topic", "status")

    def __init__(self, params: Mapping):
        data = {}
        for name in self.base_fields:
            if name not in params:
                continue
            data[name] = repeated(params, name) if name in self.MULTIPLE else params.get(name)
        super().__init__(data)


FILTER_PARAMETERS = frozenset(FilterForm.base_fields)
TIMELINE_PARAMETERS: frozenset[str] = FILTER_PARAMETERS | PAGINATION_PARAMETERS


@dataclass(frozen=True)
class Filters:
    """Checked timeline filters, with people, organizations, countries and topics resolved to keys."""

    person: list[int] = field(default_factory=list)
    person_role: str = "either"
    organization: list[int] = field(default_factory=list)
    role: str = ""
    country: list[str] = field(default_factory=list)
    country_role: str | None = None
    topic: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    start: dt.date | None = None  # first day of the period asked for
    end: dt.date | None = None  # last day
    evidence: dict[str, Any] = field(default_factory=dict)  # conditions one evidence row must meet
    updated_since: dt.datetime | None = None
    q: str = ""

    @property
    def empty(self) -> bool:
        return self == Filters()


def check_parameters(params: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse unknown query parameters (a typo must not silently widen the result)."""
    allowed = set(allowed)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise QueryError({name: [f"Unknown parameter. Accepted: {', '.join(sorted(allowed))}."] for name in unknown})


def _evidence_lookups(data: dict) -> dict[str, Any]:
    lookups: dict[str, Any] = {}
    if data.get("report") is not None:
        lookups["report_id"] = int(data["report"])
    if data.get("publisher"):
        lookups["report__publisher__iexact"] = data["publisher"]
    if data.get("language"):
        lookups["report__language__iexact"] = data["language"]
    if data.get("min_confidence") is not None:
        lookups["confidence__gte"] = float(data["min_confidence"])
    if data.get("review"):
        lookups["review_state"] = data["review"]
    return lookups


def parse(params: Mapping, *, statuses: Iterable[str] = ALL_STATUSES) -> Filters:
    """The filters in ``params`` (other parameters are ignored here); raises QueryError."""
    form = FilterForm(params)
    if not form.is_valid():
        raise QueryError({name: list(messages) for name, messages in form.errors.items()})
    data = dict(form.cleaned_data)
    errors: dict[str, list[str]] = {}
    resolvers = {
        "person": resolve_people,
        "organization": resolve_organizations,
        "country": resolve_countries,
        "topic": resolve_topics,
    }
    for name, resolve in resolvers.items():
        if data.get(name):
            try:
                data[name] = resolve(data[name])
            except forms.ValidationError as exc:
                errors[name] = list(exc.messages)
    statuses = tuple(statuses)
    bad_status = [s for s in data.get("status") or [] if s not in statuses]
    if bad_status:
        errors["status"] = [f"Unknown status: {', '.join(bad_status)} (one of {', '.join(statuses)})."]
    start, end = data.get("start"), data.get("end")
    if start and end and start[0] > end[1]:
        errors["end"] = ["The end of the range comes before its start."]
    if errors:
        raise QueryError(errors)
    return Filters(
        person=data.get("person") or [],
        person_role=data.get("person_role") or "either",
        organization=data.get("organization") or [],
        role=data.get("role") or "",
        country=data.get("country") or [],
        country_role=data.get("country_role") or None,
        topic=data.get("topic") or [],
        status=data.get("status") or [],
        start=start[0] if start else None,
        end=end[1] if end else None,
        evidence=_evidence_lookups(data),
        updated_since=data.get("updated_since"),
        q=data.get("q") or "",
    )


def apply(queryset: QuerySet, filters: Filters) -> QuerySet:
    """``queryset`` (of trips or meetings) narrowed by every filter of ``filters``."""
    if filters.person:
        queryset = queryset.with_person(filters.person, filters.person_role)
    if filters.organization:
        queryset = queryset.with_organization(filters.organization)
    if filters.role:
        queryset = queryset.with_role(filters.role)
    if filters.country:
        queryset = queryset.with_country(filters.country, filters.country_role)
    if filters.topic:
        queryset = queryset.with_topic(filters.topic)
    if filters.status:
        statuses = TripStatus.values if queryset.model is Trip else MeetingStatus.values
        queryset = queryset.with_status([s for s in filters.status if s in statuses])
    if filters.start or filters.end:
        queryset = queryset.in_period(filters.start, filters.end)
    if filters.evidence:
        queryset = queryset.with_evidence(**filters.evidence)
    if filters.updated_since:
        queryset = queryset.updated_since(filters.updated_since)
    if filters.q:
        queryset = queryset.matching(filters.q)
    return queryset


def filter_trips(params: Mapping) -> QuerySet[Trip]:
    """Trips matching ``params`` (filters and the page parameters; anything else is a QueryError)."""
    check_parameters(params, TIMELINE_PARAMETERS)
    return apply(Trip.objects.all(), parse(params, statuses=TripStatus.values))


def filter_meetings(params: Mapping) -> QuerySet[Meeting]:
    """Meetings matching ``params`` (filters and the page parameters; anything else is a QueryError)."""
    check_parameters(params, TIMELINE_PARAMETERS)
    return apply(Meeting.objects.all(), parse(params, statuses=MeetingStatus.values))


def filter_timeline(params: Mapping) -> tuple[QuerySet[Trip], QuerySet[Meeting]]:
    """Trips and meetings matching the timeline parameters (pagination parameters are ignored here).

    Raises QueryError({param: [message]}) for unknown parameters and bad values.
    ``status`` accepts trip and meeting statuses alike; each applies to its own kind.
    """
    check_parameters(params, TIMELINE_PARAMETERS)
    filters = parse(params)
    return apply(Trip.objects.all(), filters), apply(Meeting.objects.all(), filters)
