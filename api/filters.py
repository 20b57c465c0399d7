"""Filters of trips, meetings and the timeline: one set of parameter names for every endpoint.

Every to-many condition (stops, participants, topics, evidence) is an ``EXISTS`` subquery,
so no filter needs ``DISTINCT`` and every filter composes with keyset pagination.
Bad values are form errors named by parameter; unknown parameters are refused by
:func:`check_parameters`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.widgets import QueryArrayWidget
from rest_framework.exceptions import ValidationError

from visits.dates import period_bounds
from visits.models import (
    Change,
    Country,
    Evidence,
    Meeting,
    MeetingStatus,
    MeetingTopic,
    Organization,
    Participation,
    Person,
    PersonAlias,
    Position,
    Report,
    ReviewState,
    Stop,
    StopTopic,
    Topic,
    Trip,
    TripStatus,
)
from visits.search import search_query

# Parameters that are not filters but shape the response; every list endpoint accepts them.
PAGINATION_PARAMETERS = frozenset({"cursor", "page_size", "count", "format", "ordering"})
MAX_VALUES = 50  # values per repeatable parameter
MAX_TEXT = 200  # characters per text parameter

PERSON_ROLES = ("traveller", "participant", "either")
COUNTRY_ROLES = ("visited", "host", "visitor")
ORDERINGS = ("date", "-date", "updated", "-updated")

# --- Fields ---------------------------------------------------------------------------------


class MultiTextField(forms.Field):
    """Repeatable text: ``?p=a&p=b`` or ``?p=a,b``; each value stripped, bounded, non-empty."""

    widget = QueryArrayWidget

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


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class MultiTextFilter(django_filters.Filter):
    field_class = MultiTextField


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class TimestampFilter(django_filters.Filter):
    field_class = TimestampField


# --- Lookups shared by trips and meetings ---------------------------------------------------


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


class _FactFilterSet(django_filters.FilterSet):
    """Filters common to trips and meetings; subclasses say how each applies to their model."""

    person = MultiTextFilter(method="filter_noop", help_text="person id or slug; repeatable")
    person_role = django_filters.ChoiceFilter(
        choices=[(r, r) for r in PERSON_ROLES], method="filter_noop", help_text="traveller, participant or either"
    )
    organization = MultiTextFilter(method="filter_noop", help_text="organization id or slug; repeatable")
    role = django_filters.CharFilter(method="filter_noop", max_length=MAX_TEXT, help_text="title held, e.g. President")
    country = MultiTextFilter(method="filter_noop", help_text="ISO 3166-1 alpha-2 code; repeatable")
    country_role = django_filters.ChoiceFilter(
        choices=[(r, r) for r in COUNTRY_ROLES], method="filter_noop", help_text="visited, host or visitor"
    )
    topic = MultiTextFilter(method="filter_noop", help_text="topic slug, including its subtopics; repeatable")
    status = MultiTextFilter(method="filter_noop", help_text="status; repeatable")
    start = PartialDateFilter(method="filter_noop", help_text="YYYY, YYYY-MM or YYYY-MM-DD; its first day")
    end = PartialDateFilter(method="filter_noop", help_text="YYYY, YYYY-MM or YYYY-MM-DD; its last day")
    report = IntegerFilter(method="filter_noop", min_value=1, max_value=2**62, help_text="report id")
    publisher = django_filters.CharFilter(method="filter_noop", max_length=MAX_TEXT)
    language = django_filters.CharFilter(method="filter_noop", max_length=16, help_text="report language code")
    min_confidence = django_filters.NumberFilter(method="filter_noop", min_value=0, max_value=1)
    review = django_filters.ChoiceFilter(choices=ReviewState.choices, method="filter_noop")
    updated_since = TimestampFilter(method="filter_noop", help_text="ISO 8601 date or date-time")
    q = django_filters.CharFilter(method="filter_noop", max_length=MAX_TEXT, help_text="full-text search")

    statuses: tuple[str, ...] = ()

    def __init__(self, *args, statuses: Iterable[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if statuses is not None:
            self.statuses = tuple(statuses)

    def filter_noop(self, queryset, name, value):
        """Filters are applied together in :meth:`filter_queryset` (several combine)."""
        return queryset

    # Validation that needs the database or several fields happens here, once, with field names.
    def is_valid(self) -> bool:
        if getattr(self, "_checked", False):
            return not self.form.errors
        if not super().is_valid():
            return False
        self._checked = True
        data = self.form.cleaned_data
        checks = {
            "person": resolve_people,
            "organization": resolve_organizations,
            "country": resolve_countries,
            "topic": resolve_topics,
        }
        for name, resolve in checks.items():
            if data.get(name):
                try:
                    data[name] = resolve(data[name])
                except forms.ValidationError as exc:
                    self.form.add_error(name, exc)
        bad_status = [s for s in data.get("status") or [] if s not in self.statuses]
        if bad_status:
            self.form.add_error(
                "status", f"Unknown status: {', '.join(bad_status)} (one of {', '.join(self.statuses)})."
            )
        start, end = data.get("start"), data.get("end")
        if start and end and start[0] > end[1]:
            self.form.add_error("end", "The end of the range comes before its start.")
        return not self.form.errors

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        if data.get("person"):
            queryset = queryset.filter(self.person_condition(data["person"], data.get("person_role") or "either"))
        if data.get("organization"):
            queryset = queryset.filter(self.organization_condition(data["organization"]))
        if data.get("role"):
            queryset = queryset.filter(self.role_condition(data["role"]))
        if data.get("country"):
            queryset = queryset.filter(self.country_condition(data["country"], data.get("country_role") or None))
        if data.get("topic"):
            queryset = queryset.filter(self.topic_condition(data["topic"]))
        if data.get("status"):
            queryset = queryset.filter(status__in=[s for s in data["status"] if s in self.model_statuses])
        if data.get("start") or data.get("end"):
            start, end = data.get("start"), data.get("end")
            queryset = queryset.in_period(start[0] if start else None, end[1] if end else None)
        evidence = self.evidence_filters(data)
        if evidence:
            queryset = queryset.filter(pk__in=self.owners_of(Evidence.objects.filter(**evidence)))
        if data.get("updated_since"):
            queryset = queryset.filter(updated_at__gte=data["updated_since"])
        if data.get("q"):
            queryset = queryset.filter(self.search_condition(data["q"]))
        return queryset

    @staticmethod
    def evidence_filters(data: dict) -> dict:
        """Conditions one and the same evidence row must meet (report, publisher, ...)."""
        lookups = {}
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

    def owners_of(self, evidence: QuerySet) -> QuerySet:
        """Ids of the trips or meetings that ``evidence`` supports, directly or through a child row."""
        return evidence.annotate(owner=Coalesce(*self.evidence_paths)).values("owner")

    model_statuses: tuple[str, ...] = ()

    # Subclass hooks ------------------------------------------------------------------------
    def person_condition(self, people: list[int], role: str) -> Q:
        raise NotImplementedError

    def organization_condition(self, organizations: list[int]) -> Q:
        raise NotImplementedError

    def role_condition(self, title: str) -> Q:
        raise NotImplementedError

    def country_condition(self, codes: list[str], role: str | None) -> Q:
        raise NotImplementedError

    def topic_condition(self, topics: list[int]) -> Q:
        raise NotImplementedError

    #: paths from Evidence to the id of the filtered model, one per kind of fact it may support
    evidence_paths: tuple[str, ...] = ()

    def search_condition(self, text: str) -> Q:
        """Rows whose stored search document (see visits.search) matches ``text``: one GIN index lookup."""
        return Q(search_document=search_query(text))


def _simple_match(text: str, *fields: str) -> Q:
    """``fields`` (of the filtered model) matching ``text`` with the 'simple' configuration."""
    query = SearchQuery(text, search_type="websearch", config="simple")
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__search": query})
    return condition


def _matching_people(text: str) -> QuerySet:
    """Ids of people whose name or an alias matches ``text`` (a subquery)."""
    query = SearchQuery(text, search_type="websearch", config="simple")
    names = Person.objects.annotate(search=SearchVector("name", config="simple")).filter(search=query)
    aliases = PersonAlias.objects.annotate(search=SearchVector("name", config="simple")).filter(search=query)
    return Person.objects.filter(Q(pk__in=names.values("pk")) | Q(pk__in=aliases.values("person_id"))).values("pk")


class TripFilterSet(_FactFilterSet):
    """Filters of trips; the same parameter names as meetings and the timeline."""

    statuses = tuple(TripStatus.values)
    model_statuses = tuple(TripStatus.values)

    class Meta:
        model = Trip
        fields: list[str] = []

    def person_condition(self, people: list[int], role: str) -> Q:
        traveller = Q(traveller_id__in=people)
        participant = Q(Exists(Participation.objects.filter(meeting__trip=OuterRef("pk"), person_id__in=people)))
        return {"traveller": traveller, "participant": participant}.get(role, traveller | participant)

    def organization_condition(self, organizations: list[int]) -> Q:
        held = Position.objects.filter(person=OuterRef("traveller_id"), organization_id__in=organizations)
        return Q(position__organization_id__in=organizations) | Q(Exists(held))

    def role_condition(self, title: str) -> Q:
        """The post held on the trip, or any post of that title held during it."""
        held = Position.objects.filter(person=OuterRef("traveller_id"), title__iexact=title).filter(
            Q(start_date__isnull=True) | Q(start_date__lte=OuterRef("end_date")),
            Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("start_date")),
        )
        return Q(position__title__iexact=title) | Q(Exists(held))

    def country_condition(self, codes: list[str], role: str | None) -> Q:
        visited = Q(Exists(Stop.objects.filter(trip=OuterRef("pk"), country_id__in=codes)))
        visitor = Q(traveller__country_id__in=codes) | Q(position__country_id__in=codes)
        if role in ("visited", "host"):
            return visited
        if role == "visitor":
            return visitor
        return visited | visitor

    def topic_condition(self, topics: list[int]) -> Q:
        return Q(Exists(StopTopic.objects.filter(stop__trip=OuterRef("pk"), topic_id__in=topics)))

    evidence_paths = ("trip_id", "stop__trip_id", "stop_topic__stop__trip_id")


class MeetingFilterSet(_FactFilterSet):
    """Filters of meetings; the same parameter names as trips and the timeline."""

    statuses = tuple(MeetingStatus.values)
    model_statuses = tuple(MeetingStatus.values)

    class Meta:
        model = Meeting
        fields: list[str] = []

    def person_condition(self, people: list[int], role: str) -> Q:
        participant = Q(Exists(Participation.objects.filter(meeting=OuterRef("pk"), person_id__in=people)))
        traveller = Q(trip__traveller_id__in=people)
        return {"traveller": traveller, "participant": participant}.get(role, traveller | participant)

    def organization_condition(self, organizations: list[int]) -> Q:
        direct = Participation.objects.filter(meeting=OuterRef("pk"), organization_id__in=organizations)
        held = Participation.objects.filter(
            meeting=OuterRef("pk"), person__positions__organization_id__in=organizations
        )
        return Q(Exists(direct)) | Q(Exists(held))

    def role_condition(self, title: str) -> Q:
        return Q(Exists(Participation.objects.filter(meeting=OuterRef("pk"), title__iexact=title)))

    def country_condition(self, codes: list[str], role: str | None) -> Q:
        place = Q(country_id__in=codes)
        host = Q(Exists(Participation.objects.filter(meeting=OuterRef("pk"), is_host=True, country_id__in=codes)))
        visitor = Q(Exists(Participation.objects.filter(meeting=OuterRef("pk"), is_host=False, country_id__in=codes)))
        if role == "visited":
            return place
        if role == "host":
            return place | host
        if role == "visitor":
            return visitor
        return place | host | visitor

    def topic_condition(self, topics: list[int]) -> Q:
        return Q(Exists(MeetingTopic.objects.filter(meeting=OuterRef("pk"), topic_id__in=topics)))

    evidence_paths = ("meeting_id", "participation__meeting_id", "meeting_topic__meeting_id")


FILTER_PARAMETERS = frozenset(_FactFilterSet.base_filters)
TIMELINE_PARAMETERS: frozenset[str] = FILTER_PARAMETERS | PAGINATION_PARAMETERS
ALL_STATUSES = tuple(dict.fromkeys([*TripStatus.values, *MeetingStatus.values]))


def check_parameters(params: QueryDict, allowed: Iterable[str]) -> None:
    """Refuse unknown query parameters (a typo must not silently widen the result)."""
    allowed = set(allowed)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValidationError(
            {name: [f"Unknown parameter. Accepted: {', '.join(sorted(allowed))}."] for name in unknown}
        )


def run_filterset(filterset_class, params: QueryDict, queryset: QuerySet, **kwargs) -> QuerySet:
    """Apply a FilterSet, raising a DRF ValidationError keyed by parameter on bad values."""
    filterset = filterset_class(params, queryset=queryset, **kwargs)
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    return filterset.qs


def filter_timeline(params: QueryDict) -> tuple[QuerySet[Trip], QuerySet[Meeting]]:
    """Trips and meetings matching the timeline parameters (pagination parameters are ignored here).

    Raises ValidationError({param: [message]}) for unknown parameters and bad values.
    ``status`` accepts trip and meeting statuses alike; each applies to its own kind.
    """
    check_parameters(params, TIMELINE_PARAMETERS)
    filterset = TripFilterSet(params, queryset=Trip.objects.all(), statuses=ALL_STATUSES)
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    trips = filterset.filter_queryset(Trip.objects.all())
    meetings_filterset = MeetingFilterSet(params, queryset=Meeting.objects.all(), statuses=ALL_STATUSES)
    # Same fields, so validation already passed; reuse the resolved values instead of new lookups.
    meetings_filterset.form.is_valid()
    meetings_filterset.form.cleaned_data = filterset.form.cleaned_data
    meetings = meetings_filterset.filter_queryset(Meeting.objects.all())
    return trips, meetings


# --- Reference data ------------------------------------------------------------------------


class _ValidatingFilterSet(django_filters.FilterSet):
    """Resolve repeatable id/slug/code parameters once, turning unknown values into errors."""

    resolvers: dict = {}

    def is_valid(self) -> bool:
        if getattr(self, "_checked", False):
            return not self.form.errors
        if not super().is_valid():
            return False
        self._checked = True
        for name, resolve in self.resolvers.items():
            value = self.form.cleaned_data.get(name)
            if value:
                try:
                    self.form.cleaned_data[name] = resolve(value)
                except forms.ValidationError as exc:
                    self.form.add_error(name, exc)
        return not self.form.errors


class PersonFilterSet(_ValidatingFilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=MAX_TEXT)
    country = MultiTextFilter(method="filter_country")
    organization = MultiTextFilter(method="filter_organization")
    role = django_filters.CharFilter(method="filter_role", max_length=MAX_TEXT)
    updated_since = TimestampFilter(field_name="updated_at", lookup_expr="gte")

    resolvers = {"country": resolve_countries, "organization": resolve_organizations}

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(pk__in=_matching_people(value))

    def filter_country(self, queryset, name, value):
        return queryset.filter(country_id__in=value)

    def filter_organization(self, queryset, name, value):
        held = Position.objects.filter(person=OuterRef("pk"), organization_id__in=value)
        return queryset.filter(Exists(held))

    def filter_role(self, queryset, name, value):
        return queryset.filter(Exists(Position.objects.filter(person=OuterRef("pk"), title__iexact=value)))


class OrganizationFilterSet(_ValidatingFilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=MAX_TEXT)
    country = MultiTextFilter(method="filter_country")
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, field_name="kind", lookup_expr="exact")

    resolvers = {"country": resolve_countries}

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(_simple_match(value, "name", "abbreviation"))

    def filter_country(self, queryset, name, value):
        return queryset.filter(country_id__in=value)


class CountryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=MAX_TEXT)

    class Meta:
        model = Country
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


class TopicFilterSet(_ValidatingFilterSet):
    parent = django_filters.CharFilter(method="filter_parent", max_length=80)

    class Meta:
        model = Topic
        fields: list[str] = []

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__slug=value)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        parent = self.form.cleaned_data.get("parent") if valid else None
        if parent and not Topic.objects.filter(slug=parent).exists():
            self.form.add_error("parent", f"Unknown topic: {parent}.")
        return not self.form.errors


class ReportFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Report._meta.get_field("status").choices, field_name="status")
    publisher = django_filters.CharFilter(field_name="publisher", lookup_expr="iexact", max_length=MAX_TEXT)
    language = django_filters.CharFilter(field_name="language", lookup_expr="iexact", max_length=16)
    updated_since = TimestampFilter(field_name="updated_at", lookup_expr="gte")
    q = django_filters.CharFilter(method="filter_q", max_length=MAX_TEXT)

    class Meta:
        model = Report
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(_simple_match(value, "title"))


class ChangeFilterSet(django_filters.FilterSet):
    since = TimestampFilter(field_name="at", lookup_expr="gte", required=True)
    kind = django_filters.ChoiceFilter(choices=[("trip", "trip"), ("meeting", "meeting")], field_name="kind")
    action = django_filters.ChoiceFilter(choices=Change.Action.choices, field_name="action")

    class Meta:
        model = Change
        fields: list[str] = []
