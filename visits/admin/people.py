"""Admin for officials, their positions and organizations, and places."""

from __future__ import annotations

from django.contrib import admin

from visits.admin.common import LockingAdmin
from visits.models import City, Country, Organization, OrganizationAlias, Person, PersonAlias, Position


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    fields = ("title", "organization", "country", "start_date", "end_date", "source", "external_id")
    autocomplete_fields = ("organization", "country")


@admin.register(Person)
class PersonAdmin(LockingAdmin):
    list_display = ("name", "country", "wikidata_id", "review_state", "updated_at")
    list_filter = ("review_state", "country")
    search_fields = ("name", "sort_name", "aliases__name", "wikidata_id", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("country",)
    inlines = [PersonAliasInline, PositionInline]


@admin.register(Position)
class PositionAdmin(LockingAdmin):
    list_display = ("person", "title", "organization", "country", "start_date", "end_date", "source")
    list_filter = ("source", "title", "country")
    search_fields = ("person__name", "title", "organization__name", "external_id")
    autocomplete_fields = ("person", "organization", "country")


class OrganizationAliasInline(admin.TabularInline):
    model = OrganizationAlias
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(LockingAdmin):
    list_display = ("name", "abbreviation", "kind", "country", "parent")
    list_filter = ("kind", "country")
    search_fields = ("name", "abbreviation", "aliases__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("country", "parent")
    inlines = [OrganizationAliasInline]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "historical", "capital")
    list_filter = ("historical",)
    search_fields = ("code", "name")
    raw_id_fields = ("capital",)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "population", "latitude", "longitude")
    list_filter = ("country",)
    search_fields = ("name",)
