"""Filters as DRF glue: the timeline's filters come from ``visits.timeline.query`` (their meaning
is in the queryset methods of ``visits.models.timeline``); the reference-data FilterSets are here.

Bad values are form errors named by parameter (DRF ``ValidationError``, answered as problem+json);
unknown parameters are refused by :func:`check_parameters`.
"""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django_filters.widgets import QueryArrayWidget
from rest_framework.exceptions import ValidationError

from visits.models import (
    Change,
    Country,
    Meeting,
    MeetingStatus,
    Organization,
    Person,
    PersonAlias,
    Position,
    Report,
    Topic,
    Trip,
    TripStatus,
)
from visits.timeline import query as domain
from visits.timeline.query import (  # noqa: F401 - the API's names for the domain's parameters
    ALL_STATUSES,
    COUNTRY_ROLES,
    FILTER_PARAMETERS,
    MAX_TEXT,
    MAX_VALUES,
    ORDERINGS,
    PAGINATION_PARAMETERS,
    PERSON_ROLES,
    TIMELINE_PARAMETERS,
    MultiTextField,
    PartialDateField,
    QueryError,
    TimestampField,
    resolve_countries,
    resolve_organizations,
    resolve_people,
    resolve_topics,
)


def validation_error(exc: QueryError) -> ValidationError:
    """The DRF error (400 problem+json, keyed by parameter) of a domain QueryError."""
    return ValidationError(exc.errors)


class MultiTextFilter(django_filters.Filter):
    field_class = MultiTextField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", QueryArrayWidget)
        super().__init__(*args, **kwargs)


class TimestampFilter(django_filters.Filter):
    field_class = TimestampField


class _FactFilterSet(django_filters.FilterSet):
    """The timeline filters as a django-filter FilterSet: parsing and meaning are the domain's."""

    statuses: tuple[str, ...] = ()

    def __init__(self, data=None, queryset=None, *, statuses: Iterable[str] | None = None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if statuses is not None:
            self.statuses = tuple(statuses)
        self._errors: dict[str, list[str]] | None = None

    def is_valid(self) -> bool:
        if self._errors is None:
            try:
                self._filters = domain.parse(self.data or QueryDict(), statuses=self.statuses)
                self._errors = {}
            except QueryError as exc:
                self._errors = exc.errors
        return not self._errors

    @property
    def errors(self) -> dict[str, list[str]]:
        self.is_valid()
        return self._errors

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return domain.apply(queryset, self._filters)

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_qs"):
            if not self.is_valid():
                raise ValidationError(self._errors)
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs


class TripFilterSet(_FactFilterSet):
    """Filters of trips; the same parameter names as meetings and the timeline."""

    statuses = tuple(TripStatus.values)

    class Meta:
        model = Trip
        fields: list[str] = []


class MeetingFilterSet(_FactFilterSet):
    """Filters of meetings; the same parameter names as trips and the timeline."""

    statuses = tuple(MeetingStatus.values)

    class Meta:
        model = Meeting
        fields: list[str] = []


for _filterset in (_FactFilterSet, TripFilterSet, MeetingFilterSet):
    # the parameter names, for whoever lists them; the FilterSet never applies them one by one
    _filterset.base_filters = {name: django_filters.Filter() for name in sorted(FILTER_PARAMETERS)}


def check_parameters(params: QueryDict, allowed: Iterable[str]) -> None:
    """Refuse unknown query parameters (a typo must not silently widen the result)."""
    try:
        domain.check_parameters(params, allowed)
    except QueryError as exc:
        raise validation_error(exc) from None


def run_filterset(filterset_class, params: QueryDict, queryset: QuerySet, **kwargs) -> QuerySet:
    """Apply a FilterSet, raising a DRF ValidationError keyed by parameter on bad values."""
    filterset = filterset_class(params, queryset=queryset, **kwargs)
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    return filterset.qs


def filter_timeline(params: QueryDict) -> tuple[QuerySet[Trip], QuerySet[Meeting]]:
    """``visits.timeline.query.filter_timeline`` with DRF's ValidationError for bad parameters."""
    try:
        return domain.filter_timeline(params)
    except QueryError as exc:
        raise validation_error(exc) from None


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
