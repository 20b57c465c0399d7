"""Serializers: reference data (people, organizations, countries, topics, reports), write bodies,
and the documented shape of timeline entries (built by ``api.entries``)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from visits.models import Country, Organization, Person, Position, Report, ReviewState, Topic
from visits.models.timeline import MeetingKind
from visits.models.vocabulary import MeetingStatus, TripStatus

# --- Reference data ---------------------------------------------------------------------------


class CountryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CountrySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    capital = serializers.SerializerMethodField()

    class Meta:
        model = Country
        fields = ["code", "url", "name", "names", "historical", "successor_codes", "capital"]

    def get_url(self, obj: Country) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:country-detail", args=[obj.code]))

    def get_capital(self, obj: Country) -> dict | None:
        if obj.capital is None:
            return None
        return {"name": obj.capital.name, "latitude": obj.capital.latitude, "longitude": obj.capital.longitude}


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class PositionSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(allow_null=True)
    country = CountryRefSerializer(allow_null=True)

    class Meta:
        model = Position
        fields = ["id", "title", "organization", "country", "start_date", "end_date", "source"]


class PersonSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    country = CountryRefSerializer(allow_null=True)
    positions = PositionSerializer(many=True)
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "slug",
            "url",
            "name",
            "sort_name",
            "wikidata_id",
            "country",
            "aliases",
            "positions",
            "review_state",
            "created_at",
            "updated_at",
        ]

    def get_url(self, obj: Person) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:person-detail", args=[obj.slug]))

    def get_aliases(self, obj: Person) -> list[str]:
        return [alias.name for alias in obj.aliases.all()]


class OrganizationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    country = CountryRefSerializer(allow_null=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = ["id", "slug", "url", "name", "abbreviation", "kind", "country", "parent", "wikidata_id"]

    def get_url(self, obj: Organization) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:organization-detail", args=[obj.slug]))


class TopicSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    children = serializers.SlugRelatedField(slug_field="slug", read_only=True, many=True)

    class Meta:
        model = Topic
        fields = ["id", "slug", "url", "name", "description", "parent", "children"]

    def get_url(self, obj: Topic) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:topic-detail", args=[obj.slug]))


class ReportSerializer(serializers.ModelSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "api_url",
            "kind",
            "url",
            "canonical_url",
            "title",
            "publisher",
            "author",
            "language",
            "published_at",
            "published_date",
            "status",
            "step",
            "error",
            "duplicate_of",
            "created_at",
            "updated_at",
        ]

    def get_api_url(self, obj: Report) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:report-detail", args=[obj.pk]))


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["trip", "meeting"])
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["created", "updated", "merged", "deleted"])
    merged_into = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()


# --- Timeline entries (documentation of api.entries) ---------------------------------------


class ReportRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True)
    language = serializers.CharField(allow_blank=True)
    published = serializers.DateField(allow_null=True)


class EvidenceSerializer(serializers.Serializer):
    report = ReportRefSerializer()
    quote = serializers.CharField(allow_blank=True)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    confidence = serializers.FloatField()
    review_state = serializers.ChoiceField(choices=ReviewState.values)


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class TopicLinkSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    evidence = EvidenceSerializer(many=True)


PARTIAL_DATE_HELP = "YYYY, YYYY-MM or YYYY-MM-DD: no more than is known (see precision)"


class StopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    country = CountryRefSerializer()
    cities = serializers.ListField(child=serializers.CharField())
    start = serializers.CharField(allow_null=True, help_text=PARTIAL_DATE_HELP)
    end = serializers.CharField(allow_null=True, help_text=PARTIAL_DATE_HELP)
    precision = serializers.ChoiceField(choices=["day", "month", "year"], allow_null=True)
    status = serializers.CharField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    topics = TopicLinkSerializer(many=True)
    evidence = EvidenceSerializer(many=True)


class ParticipantSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    title = serializers.CharField(allow_blank=True)
    country = CountryRefSerializer(allow_null=True)
    is_host = serializers.BooleanField()
    flags = serializers.ListField(child=serializers.CharField())
    evidence = EvidenceSerializer(many=True)


class _EntryBase(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    title = serializers.CharField(allow_blank=True)
    start = serializers.CharField(allow_null=True, help_text=PARTIAL_DATE_HELP)
    end = serializers.CharField(allow_null=True, help_text=PARTIAL_DATE_HELP)
    precision = serializers.ChoiceField(choices=["day", "month", "year"], allow_null=True)
    topics = TopicLinkSerializer(many=True)
    flags = serializers.ListField(child=serializers.CharField())
    evidence = EvidenceSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TripEntrySerializer(_EntryBase):
    type = serializers.ChoiceField(choices=["trip"])
    status = serializers.ChoiceField(choices=TripStatus.values)
    traveller = PersonRefSerializer(allow_null=True)
    stops = StopSerializer(many=True)


class MeetingEntrySerializer(_EntryBase):
    type = serializers.ChoiceField(choices=["meeting"])
    status = serializers.ChoiceField(choices=MeetingStatus.values)
    kind = serializers.CharField(allow_null=True)
    country = CountryRefSerializer(allow_null=True)
    city = serializers.CharField(allow_blank=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    trip = serializers.IntegerField(allow_null=True)
    participants = ParticipantSerializer(many=True)


# --- Write bodies --------------------------------------------------------------------------


class ReportSubmitSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)


class ReportAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_url = serializers.URLField()


class ExtractSerializer(serializers.Serializer):
    """Either ``text`` (with optional ``published`` and ``language``) or ``url``."""

    text = serializers.CharField(required=False, max_length=200_000)
    published = serializers.DateField(required=False, allow_null=True)
    language = serializers.CharField(required=False, max_length=16, allow_blank=True)
    url = serializers.URLField(required=False, max_length=2000)

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("text")) == bool(attrs.get("url")):
            raise serializers.ValidationError({"text": ["Give either text or url (not both)."]})
        return attrs


class ReviewSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[ReviewState.CONFIRMED, ReviewState.REJECTED])


class MergeSerializer(serializers.Serializer):
    other = serializers.IntegerField(min_value=1, max_value=2**62)


class SplitSerializer(serializers.Serializer):
    stops = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), min_length=1, max_length=200
    )


class _FactUpdateSerializer(serializers.Serializer):
    """Fields an editor may correct; dates are partial (YYYY, YYYY-MM, YYYY-MM-DD)."""

    title = serializers.CharField(required=False, max_length=300, allow_blank=True)
    start = serializers.CharField(required=False, allow_null=True, max_length=10)
    end = serializers.CharField(required=False, allow_null=True, max_length=10)
    flags = serializers.ListField(child=serializers.CharField(max_length=80), required=False, max_length=50)

    def validate(self, attrs: dict) -> dict:
        from visits.dates import period_bounds

        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError({name: ["This field cannot be changed here."] for name in unknown})
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Nothing to change."]})
        bounds = {}
        for name in ("start", "end"):
            if attrs.get(name):
                try:
                    bounds[name] = period_bounds(attrs[name])
                except ValueError as exc:
                    raise serializers.ValidationError({name: [str(exc)]}) from None
        data = {k: v for k, v in attrs.items() if k not in ("start", "end")}
        if "start" in bounds:
            data["start_date"], _, data["precision"] = bounds["start"]
            data["end_date"] = bounds["start"][1]
        elif "start" in attrs:
            data["start_date"] = data["end_date"] = data["precision"] = None
        if "end" in bounds:
            data["end_date"] = bounds["end"][1]
            if "start_date" in data and data["start_date"] and data["end_date"] < data["start_date"]:
                raise serializers.ValidationError({"end": ["The end comes before the start."]})
        return data


class TripUpdateSerializer(_FactUpdateSerializer):
    status = serializers.ChoiceField(choices=TripStatus.values, required=False)


class MeetingUpdateSerializer(_FactUpdateSerializer):
    status = serializers.ChoiceField(choices=MeetingStatus.values, required=False)
    kind = serializers.ChoiceField(choices=MeetingKind.values, required=False)
    city = serializers.CharField(required=False, max_length=200, allow_blank=True)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, with ``errors`` naming the parameters or fields at fault."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
