"""Officials, the organizations they serve, and the positions they held when."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from visits.models.vocabulary import Lockable, ReviewState, choices_check


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", "government"
    MINISTRY = "ministry", "ministry"
    HEAD_OF_STATE = "head-of-state", "office of the head of state"
    INTERGOVERNMENTAL = "intergovernmental", "intergovernmental organization"
    PARLIAMENT = "parliament", "parliament"
    PARTY = "party", "political party"
    OTHER = "other", "other"


class Organization(models.Model):
    Kind = OrganizationKind

    name = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, unique=True)
    abbreviation = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.ForeignKey(
        "Country", null=True, blank=True, on_delete=models.PROTECT, related_name="organizations"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    wikidata_id = models.CharField(max_length=20, null=True, blank=True, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [choices_check("kind", OrganizationKind, "organization_kind_valid")]

    def __str__(self) -> str:
        return self.abbreviation or self.name


class OrganizationAlias(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=250)
    language = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name", "language"], name="organization_alias_unique")
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} [{self.language or '-'}]"


class PersonQuerySet(models.QuerySet):
    def holding(self, title: str, *, on: dt.date, country: str | None = None, organization=None):
        """People who held ``title`` on ``on`` (for a country code or an organization)."""
        positions = Position.objects.held_on(on).filter(title__iexact=title)
        if country:
            positions = positions.filter(country_id=country)
        if organization is not None:
            positions = positions.filter(organization=organization)
        return self.filter(positions__in=positions).distinct()


class Person(Lockable):
    """An official as the tracker knows them, with the names reports use for them."""

    name = models.CharField(max_length=200)
    sort_name = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    wikidata_id = models.CharField(max_length=20, null=True, blank=True, unique=True)
    country = models.ForeignKey(
        "Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        help_text="the country the official serves, when there is one",
    )
    review_state = models.CharField(max_length=12, choices=ReviewState.choices, default=ReviewState.UNREVIEWED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name_plural = "people"
        constraints = [choices_check("review_state", ReviewState, "person_review_state_valid")]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def positions_on(self, date: dt.date):
        return self.positions.held_on(date)


class PersonAlias(models.Model):
    """Another name of a person: a spelling, transliteration or script, with its language."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "name", "language"], name="person_alias_unique")]
        indexes = [models.Index(fields=["name"])]
        verbose_name_plural = "person aliases"

    def __str__(self) -> str:
        return f"{self.name} [{self.language or '-'}]"


class PositionQuerySet(models.QuerySet):
    def held_on(self, date: dt.date):
        """Positions whose term includes ``date`` (an open end means still held)."""
        return self.filter(Q(start_date__lte=date) | Q(start_date__isnull=True)).filter(
            Q(end_date__gte=date) | Q(end_date__isnull=True)
        )


class PositionSource(models.TextChoices):
    HSG = "hsg", "Office of the Historian"
    WIKIDATA = "wikidata", "Wikidata"
    REPORT = "report", "a report"
    ANALYST = "analyst", "an analyst"
    STARTER = "starter", "starter data"


class Position(models.Model):
    """A post held by a person for a term: Prime Minister of Georgia, Secretary General of NATO."""

    Source = PositionSource

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(max_length=200, help_text="in English: President, Prime Minister, ...")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="positions"
    )
    country = models.ForeignKey("Country", null=True, blank=True, on_delete=models.PROTECT, related_name="positions")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ANALYST)
    external_id = models.CharField(max_length=80, null=True, blank=True, unique=True)
    history = HistoricalRecords()

    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="position_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(country__isnull=False),
                name="position_has_organization_or_country",
            ),
            choices_check("source", PositionSource, "position_source_valid"),
        ]
        indexes = [models.Index(fields=["title", "country", "start_date", "end_date"])]

    def __str__(self) -> str:
        where = self.organization or self.country_id
        return f"{self.person} — {self.title}, {where} ({self.start_date or '?'} to {self.end_date or '...'})"
