"""API v1 views: DRF glue around the timeline read model (visits.timeline: filters, keyset pages,
entries), the reference-data FilterSets (api.filters) and the services that write (visits.services.*)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters as f
from api import pagination as p
from api import renderers
from api import serializers as s
from api.caching import conditional
from api.json import ORJSONRenderer
from api.permissions import IsAnalyst, IsEditor
from api.problems import problem_response
from api.schema import ApiAutoSchema
from visits.extraction import extract_report
from visits.models import (
    Change,
    Country,
    Evidence,
    Meeting,
    Organization,
    Person,
    Position,
    Report,
    Stop,
    Topic,
    Trip,
)
from visits.services.directory import DatabaseDirectory
from visits.services.ingestion import submit_url
from visits.timeline import read
from visits.timeline.entries import evidence_item

logger = logging.getLogger(__name__)

EXTRA_RENDERERS: list = [
    renderers.CSVRenderer,
    renderers.GeoJSONRenderer,
    renderers.ICalendarRenderer,
    renderers.AtomRenderer,
    renderers.TimelineJSRenderer,
]
LIST_FORMATS = ("json", *(r.format for r in EXTRA_RENDERERS))


# --- Shared behaviour --------------------------------------------------------------------------


class JSONFallbackNegotiation(DefaultContentNegotiation):
    """Answer JSON when the Accept header names nothing we render (``format`` still decides first)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


class ApiView(APIView):
    """Base of every API view: JSON, problem+json errors, caching validators on reads."""

    renderer_classes = [ORJSONRenderer]
    parser_classes = [JSONParser]
    schema = ApiAutoSchema()
    content_negotiation_class = JSONFallbackNegotiation
    permission_classes = [AllowAny]
    #: query parameters this view accepts on GET; anything else is a 400
    parameters: frozenset[str] = frozenset({"format"})
    formats: tuple[str, ...] = ("json",)
    last_modified: dt.datetime | None = None

    def check_query(self, request: Request) -> None:
        f.check_parameters(request.query_params, self.parameters)
        fmt = request.query_params.get("format")
        if fmt is not None and fmt not in self.formats:
            raise ValidationError({"format": [f"Unknown format {fmt!r}; one of {', '.join(self.formats)}."]})

    def initial(self, request: Request, *args, **kwargs) -> None:
        if request.method in ("GET", "HEAD"):
            self.check_query(request)  # before content negotiation, which would 404 an unknown format
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return conditional(request, response, self.last_modified)


@extend_schema(
    tags=["index"],
    responses={
        200: inline_serializer("ApiIndex", {"endpoints": drf_serializers.DictField(child=drf_serializers.URLField())})
    },
)
class IndexView(ApiView):
    """The list endpoints and the documentation, as links."""

    NAMES = ("timeline", "trip-list", "meeting-list", "person-list", "organization-list", "country-list",
             "topic-list", "report-list", "changes", "schema", "docs", "redoc")  # fmt: skip

    def get(self, request: Request) -> Response:
        links = {name.removesuffix("-list"): request.build_absolute_uri(reverse(f"api:{name}")) for name in self.NAMES}
        return Response({"endpoints": links})


FILTER_PARAMETERS_DOC = [
    OpenApiParameter("person", str, many=True, description="Person id or slug; repeatable."),
    OpenApiParameter("person_role", str, enum=f.PERSON_ROLES, description="How `person` took part (default either)."),
    OpenApiParameter("organization", str, many=True, description="Organization id or slug; repeatable."),
    OpenApiParameter("role", str, description="A title held, e.g. `Prime Minister`."),
    OpenApiParameter("country", str, many=True, description="ISO 3166-1 alpha-2 code; repeatable."),
    OpenApiParameter("country_role", str, enum=f.COUNTRY_ROLES, description="How `country` took part (default any)."),
    OpenApiParameter("topic", str, many=True, description="Topic slug (its subtopics included); repeatable."),
    OpenApiParameter("status", str, many=True, description="Status; repeatable."),
    OpenApiParameter("start", str, description="YYYY, YYYY-MM or YYYY-MM-DD: from the first day of that period."),
    OpenApiParameter("end", str, description="YYYY, YYYY-MM or YYYY-MM-DD: to the last day of that period."),
    OpenApiParameter("report", int, description="Facts with evidence from this report id."),
    OpenApiParameter("publisher", str, description="Facts with evidence from this publisher."),
    OpenApiParameter("language", str, description="Facts with evidence in this language (code)."),
    OpenApiParameter("min_confidence", float, description="Facts with evidence of at least this confidence (0-1)."),
    OpenApiParameter("review", str, enum=["unreviewed", "confirmed", "rejected"], description="Evidence review."),
    OpenApiParameter("updated_since", str, description="ISO 8601 date or date-time."),
    OpenApiParameter("q", str, description='Full-text search (web search syntax: words, "phrases", -not, or).'),
]
PAGE_PARAMETERS_DOC = [
    OpenApiParameter("cursor", str, description="Opaque cursor from a page's next/previous link."),
    OpenApiParameter("page_size", int, description=f"1-{p.MAX_PAGE_SIZE} (default {p.DEFAULT_PAGE_SIZE})."),
    OpenApiParameter("count", bool, description="Add the total count (costs a query)."),
]
FACT_PAGE_DOC = [
    *PAGE_PARAMETERS_DOC,
    OpenApiParameter("ordering", str, enum=f.ORDERINGS, description="Default date (oldest first)."),
    OpenApiParameter("format", str, enum=LIST_FORMATS, description="Response format (default json)."),
]
ERRORS_DOC = {
    400: OpenApiResponse(s.ProblemSerializer, description="Invalid parameter (named in `errors`)."),
    404: OpenApiResponse(s.ProblemSerializer, description="Not found."),
    429: OpenApiResponse(s.ProblemSerializer, description="Too many requests (see Retry-After)."),
}


def _page_serializer(name: str, item) -> drf_serializers.Serializer:
    return inline_serializer(
        name,
        fields={
            "next": drf_serializers.URLField(allow_null=True),
            "previous": drf_serializers.URLField(allow_null=True),
            "count": drf_serializers.IntegerField(required=False),
            "results": item,
        },
    )


class FactListView(ApiView):
    """A filtered, keyset-paginated list of trips and/or meetings, in any timeline format."""

    parameters = f.TIMELINE_PARAMETERS
    formats = LIST_FORMATS
    renderer_classes = [ORJSONRenderer, *EXTRA_RENDERERS]
    kind: str  # timeline | trips | meetings (see visits.timeline.read)

    def get(self, request: Request) -> Response | StreamingHttpResponse:
        params = request.query_params
        if params.get("format") == "csv":
            return self.stream_csv(request, read.check_list(self.kind, params))
        page = read.entry_page(self.kind, params, request)
        self.last_modified = page.last_modified
        body: dict[str, Any] = {
            "next": p.page_link(request, page.next),
            "previous": p.page_link(request, page.previous),
        }
        if page.count is not None:
            body["count"] = page.count
        body["results"] = page.entries
        return Response(body)

    def stream_csv(self, request, checked) -> StreamingHttpResponse:
        entries = read.iterate_entries(self.kind, request.query_params, request, checked=checked)
        response = StreamingHttpResponse(renderers.stream_csv(entries), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="timeline.csv"'
        response["Cache-Control"] = "public, max-age=60"
        return response


@extend_schema(
    tags=["timeline"],
    summary="Trips and meetings in one date-ordered stream",
    parameters=[*FILTER_PARAMETERS_DOC, *FACT_PAGE_DOC],
    responses={
        200: _page_serializer(
            "TimelinePage",
            PolymorphicProxySerializer(
                component_name="TimelineEntry",
                serializers={"trip": s.TripEntrySerializer, "meeting": s.MeetingEntrySerializer},
                resource_type_field_name="type",
                many=True,
            ),
        ),
        **ERRORS_DOC,
    },
)
class TimelineView(FactListView):
    """Trips and meetings merged by (date, type, id); each entry says its ``type``."""

    kind = "timeline"


@extend_schema(
    tags=["trips"],
    parameters=[*FILTER_PARAMETERS_DOC, *FACT_PAGE_DOC],
    responses={200: _page_serializer("TripPage", s.TripEntrySerializer(many=True)), **ERRORS_DOC},
)
class TripListView(FactListView):
    """Trips, each with its stops, topics and evidence."""

    kind = "trips"


@extend_schema(
    tags=["meetings"],
    parameters=[*FILTER_PARAMETERS_DOC, *FACT_PAGE_DOC],
    responses={200: _page_serializer("MeetingPage", s.MeetingEntrySerializer(many=True)), **ERRORS_DOC},
)
class MeetingListView(FactListView):
    """Meetings, each with its participants, topics and evidence."""

    kind = "meetings"


# --- Fact detail and corrections ---------------------------------------------------------------


def _service(name: str):
    """A function of visits.services.timeline, imported when needed (written by another helper)."""
    from visits.services import timeline

    return getattr(timeline, name)


def _bad_input(exc: Exception) -> ValidationError:
    return ValidationError({"non_field_errors": [str(exc) or "The change was refused."]})


class _FactDetailView(ApiView):
    model: type[Trip] | type[Meeting]
    update_serializer: type[drf_serializers.Serializer]

    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsEditor()]

    def entry(self, request, pk: int) -> dict:
        found = read.entry(self.model, pk, request)
        if found is None:
            raise Http404
        entry, self.last_modified = found
        return entry

    def get(self, request: Request, pk: int) -> Response:
        return Response(self.entry(request, pk))

    def patch(self, request: Request, pk: int) -> Response:
        instance = get_object_or_404(self.model, pk=pk)
        body = self.update_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            _service("fact_update")(instance=instance, data=body.validated_data, user=request.user)
        except ValueError as exc:
            raise _bad_input(exc) from exc
        return Response(self.entry(request, pk))


@extend_schema(tags=["trips"], responses={200: s.TripEntrySerializer, **ERRORS_DOC})
class TripDetailView(_FactDetailView):
    """One trip; editors may correct it (PATCH: title, status, start, end, flags)."""

    model = Trip
    update_serializer = s.TripUpdateSerializer

    @extend_schema(request=s.TripUpdateSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        return super().patch(request, pk)


@extend_schema(tags=["meetings"], responses={200: s.MeetingEntrySerializer, **ERRORS_DOC})
class MeetingDetailView(_FactDetailView):
    """One meeting; editors may correct it (PATCH: title, status, kind, city, start, end, flags)."""

    model = Meeting
    update_serializer = s.MeetingUpdateSerializer

    @extend_schema(request=s.MeetingUpdateSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        return super().patch(request, pk)


class _MergeView(ApiView):
    permission_classes = [IsEditor]
    model: type[Trip] | type[Meeting]
    service: str

    def post(self, request: Request, pk: int) -> Response:
        keep = get_object_or_404(self.model, pk=pk)
        body = s.MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["other"] == keep.pk:
            raise ValidationError({"other": ["Cannot merge an item into itself."]})
        other = self.model.objects.filter(pk=body.validated_data["other"]).first()
        if other is None:
            raise ValidationError({"other": [f"No {self.model._meta.verbose_name} {body.validated_data['other']}."]})
        try:
            _service(self.service)(keep=keep, other=other, user=request.user)
        except ValueError as exc:
            raise _bad_input(exc) from exc
        return Response(read.entry(self.model, keep.pk, request)[0])


@extend_schema(tags=["trips"], request=s.MergeSerializer, responses={200: s.TripEntrySerializer, **ERRORS_DOC})
class TripMergeView(_MergeView):
    """Merge trip ``other`` into this one (editor+)."""

    model = Trip
    service = "trip_merge"


@extend_schema(tags=["meetings"], request=s.MergeSerializer, responses={200: s.MeetingEntrySerializer, **ERRORS_DOC})
class MeetingMergeView(_MergeView):
    """Merge meeting ``other`` into this one (editor+)."""

    model = Meeting
    service = "meeting_merge"


@extend_schema(tags=["trips"], request=s.SplitSerializer, responses={201: s.TripEntrySerializer, **ERRORS_DOC})
class TripSplitView(ApiView):
    """Move the given stops of this trip into a new trip (editor+); answers the new trip."""

    permission_classes = [IsEditor]

    def post(self, request: Request, pk: int) -> Response:
        trip = get_object_or_404(Trip, pk=pk)
        body = s.SplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = set(body.validated_data["stops"])
        stops = list(Stop.objects.filter(trip=trip, pk__in=wanted).order_by("order", "id"))
        if len(stops) != len(wanted):
            missing = sorted(wanted - {stop.pk for stop in stops})
            raise ValidationError({"stops": [f"Not stops of trip {trip.pk}: {', '.join(map(str, missing))}."]})
        try:
            new = _service("trip_split")(trip=trip, stops=stops, user=request.user)
        except ValueError as exc:
            raise _bad_input(exc) from exc
        return Response(read.entry(Trip, new.pk, request)[0], status=201)


@extend_schema(
    tags=["corrections"],
    request=s.ReviewSerializer,
    responses={200: s.EvidenceSerializer, **ERRORS_DOC},
)
class EvidenceReviewView(ApiView):
    """Confirm or reject one piece of evidence (editor+)."""

    permission_classes = [IsEditor]

    def post(self, request: Request, pk: int) -> Response:
        evidence = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
        body = s.ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            _service("evidence_review")(evidence=evidence, state=body.validated_data["state"], user=request.user)
        except ValueError as exc:
            raise _bad_input(exc) from exc
        evidence = Evidence.objects.select_related("report").get(pk=pk)
        return Response(evidence_item(evidence))


# --- Ingestion ----------------------------------------------------------------------------------


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError

    return (ConnectionError, TimeoutError, OperationalError)


def check_broker() -> None:
    """Raise a broker error when the task queue cannot be reached (nothing to check when tasks run eagerly).

    ``submit_url`` sends its task after the transaction commits and only logs a failed send (the
    report is then re-sent by ``requeue_stuck_reports``), so the API asks first: a submission the
    queue cannot take is refused with 503 and nothing is written.
    """
    from tracker.celery import app

    if app.conf.task_always_eager:
        return
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=5)


class ReportListView(ApiView):
    """Reports (GET, public) and URL submission (POST, analyst+)."""

    parameters = frozenset(
        {"status", "publisher", "language", "updated_since", "q", "cursor", "page_size", "count", "format"}
    )

    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsAnalyst()]

    @extend_schema(
        tags=["reports"],
        parameters=[
            OpenApiParameter("status", str, enum=[c for c, _ in Report._meta.get_field("status").choices]),
            OpenApiParameter("publisher", str),
            OpenApiParameter("language", str),
            OpenApiParameter("updated_since", str),
            OpenApiParameter("q", str, description="Words in the title."),
            *PAGE_PARAMETERS_DOC,
        ],
        responses={200: _page_serializer("ReportPage", s.ReportSerializer(many=True)), **ERRORS_DOC},
    )
    def get(self, request: Request) -> Response:
        qs = f.run_filterset(f.ReportFilterSet, request.query_params, Report.objects.all())
        ordering = p.Ordering("id", F("pk"), "int", descending=True)
        return _reference_page(self, request, qs, ordering, s.ReportSerializer)

    @extend_schema(
        tags=["reports"],
        request=s.ReportSubmitSerializer,
        responses={
            202: s.ReportAcceptedSerializer,
            200: s.ReportAcceptedSerializer,
            400: OpenApiResponse(s.ProblemSerializer),
            503: OpenApiResponse(s.ProblemSerializer, description="The task queue is down; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        body = s.ReportSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            check_broker()
            report, created = submit_url(url=body.validated_data["url"], enqueue=True)
        except _broker_errors() as exc:
            logger.warning("report submission: broker unavailable: %s", exc)
            return problem_response(
                503, "The task queue is unavailable; try again shortly.", headers={"Retry-After": "30"}
            )
        except ValueError as exc:
            raise ValidationError({"url": [str(exc)]}) from exc
        status_url = request.build_absolute_uri(reverse("api:report-detail", args=[report.pk]))
        data = {"id": report.pk, "status": report.status, "status_url": status_url}
        return Response(data, status=202 if created else 200, headers={"Location": status_url})


@extend_schema(tags=["reports"], responses={200: s.ReportSerializer, **ERRORS_DOC})
class ReportDetailView(ApiView):
    """One report and the state of its processing."""

    def get(self, request: Request, pk: int) -> Response:
        report = get_object_or_404(Report, pk=pk)
        self.last_modified = report.updated_at
        return Response(s.ReportSerializer(report, context={"request": request}).data)


@extend_schema(
    tags=["reports"],
    request=s.ExtractSerializer,
    responses={
        200: OpenApiResponse(OpenApiTypes.OBJECT, description="The extraction preview (nothing is saved)."),
        400: OpenApiResponse(s.ProblemSerializer, description="No text, or a URL that cannot be read."),
    },
)
class ExtractView(ApiView):
    """Preview what extraction finds in a text or a URL, without saving anything (analyst+)."""

    permission_classes = [IsAnalyst]

    def post(self, request: Request) -> Response:
        body = s.ExtractSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        text, published, language = data.get("text"), data.get("published"), data.get("language") or None
        if data.get("url"):
            text, published, language = _fetch_text(data["url"])
        result = extract_report(text, published=published, language=language, directory=DatabaseDirectory())
        return Response(_jsonable(result))


def _fetch_text(url: str) -> tuple[str, dt.date | None, str | None]:
    from visits.ingestion.documents import DocumentError, fetch_document

    try:
        document = fetch_document(url)
    except DocumentError as exc:
        raise ValidationError({"url": [f"Could not read {url}: {exc}"]}) from exc
    return document.text, document.published, document.language


def _jsonable(value: Any) -> Any:
    """Dataclasses, dates and sets as JSON values (the preview's type belongs to extraction)."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


# --- Reference data -----------------------------------------------------------------------------


def _reference_page(view: ApiView, request: Request, qs: QuerySet, ordering: p.Ordering, serializer) -> Response:
    source = p.Source(qs.model._meta.model_name, 0, qs, lambda ids: qs.in_bulk(ids))
    page = p.paginate([source], ordering, request.query_params)
    stamps = [o.updated_at for o in page.objects if getattr(o, "updated_at", None)]
    view.last_modified = max(stamps, default=None)
    body: dict[str, Any] = {
        "next": p.page_link(request, page.next),
        "previous": p.page_link(request, page.previous),
    }
    if page.count is not None:
        body["count"] = page.count
    body["results"] = serializer(page.objects, many=True, context={"request": request}).data
    return Response(body)


def people_queryset() -> QuerySet:
    positions = Prefetch("positions", queryset=Position.objects.select_related("organization", "country"))
    return Person.objects.select_related("country").prefetch_related(positions, "aliases")


REFERENCE_PAGE = frozenset({"cursor", "page_size", "count", "format"})


@extend_schema(
    tags=["people"],
    parameters=[
        OpenApiParameter("q", str, description="Words in the name or an alias."),
        OpenApiParameter("country", str, many=True),
        OpenApiParameter("organization", str, many=True),
        OpenApiParameter("role", str),
        OpenApiParameter("updated_since", str),
        *PAGE_PARAMETERS_DOC,
    ],
    responses={200: _page_serializer("PersonPage", s.PersonSerializer(many=True)), **ERRORS_DOC},
)
class PersonListView(ApiView):
    """Officials with the positions they held."""

    parameters = REFERENCE_PAGE | {"q", "country", "organization", "role", "updated_since"}

    def get(self, request: Request) -> Response:
        qs = f.run_filterset(f.PersonFilterSet, request.query_params, people_queryset())
        ordering = p.Ordering("id", F("pk"), "int")
        return _reference_page(self, request, qs, ordering, s.PersonSerializer)


@extend_schema(tags=["people"], responses={200: s.PersonSerializer, **ERRORS_DOC})
class PersonDetailView(ApiView):
    """One official, by id or slug."""

    def get(self, request: Request, pk: int | None = None, slug: str | None = None) -> Response:
        lookup = {"pk": pk} if pk is not None else {"slug": slug}
        person = get_object_or_404(people_queryset(), **lookup)
        self.last_modified = person.updated_at
        return Response(s.PersonSerializer(person, context={"request": request}).data)


@extend_schema(
    tags=["organizations"],
    parameters=[
        OpenApiParameter("q", str),
        OpenApiParameter("country", str, many=True),
        OpenApiParameter("kind", str),
        *PAGE_PARAMETERS_DOC,
    ],
    responses={200: _page_serializer("OrganizationPage", s.OrganizationSerializer(many=True)), **ERRORS_DOC},
)
class OrganizationListView(ApiView):
    """Governments, ministries, intergovernmental organizations..."""

    parameters = REFERENCE_PAGE | {"q", "country", "kind"}

    def get(self, request: Request) -> Response:
        base = Organization.objects.select_related("country", "parent")
        qs = f.run_filterset(f.OrganizationFilterSet, request.query_params, base)
        return _reference_page(self, request, qs, p.Ordering("id", F("pk"), "int"), s.OrganizationSerializer)


@extend_schema(tags=["organizations"], responses={200: s.OrganizationSerializer, **ERRORS_DOC})
class OrganizationDetailView(ApiView):
    """One organization, by id or slug."""

    def get(self, request: Request, pk: int | None = None, slug: str | None = None) -> Response:
        lookup = {"pk": pk} if pk is not None else {"slug": slug}
        org = get_object_or_404(Organization.objects.select_related("country", "parent"), **lookup)
        return Response(s.OrganizationSerializer(org, context={"request": request}).data)


@extend_schema(
    tags=["countries"],
    parameters=[OpenApiParameter("q", str, description="Words in the name."), *PAGE_PARAMETERS_DOC],
    responses={200: _page_serializer("CountryPage", s.CountrySerializer(many=True)), **ERRORS_DOC},
)
class CountryListView(ApiView):
    """Countries and territories by ISO code (with the codes of former states)."""

    parameters = REFERENCE_PAGE | {"q"}

    def get(self, request: Request) -> Response:
        qs = f.run_filterset(f.CountryFilterSet, request.query_params, Country.objects.select_related("capital"))
        return _reference_page(self, request, qs, p.Ordering("code", F("pk"), "str"), s.CountrySerializer)


@extend_schema(tags=["countries"], responses={200: s.CountrySerializer, **ERRORS_DOC})
class CountryDetailView(ApiView):
    """One country by its ISO 3166-1 alpha-2 code (case-insensitive)."""

    def get(self, request: Request, code: str) -> Response:
        country = get_object_or_404(Country.objects.select_related("capital"), code=code.upper())
        return Response(s.CountrySerializer(country, context={"request": request}).data)


def topics_queryset() -> QuerySet:
    return Topic.objects.select_related("parent").prefetch_related(
        Prefetch("children", queryset=Topic.objects.order_by("slug"))
    )


@extend_schema(
    tags=["topics"],
    parameters=[OpenApiParameter("parent", str, description="Slug of the parent topic."), *PAGE_PARAMETERS_DOC],
    responses={200: _page_serializer("TopicPage", s.TopicSerializer(many=True)), **ERRORS_DOC},
)
class TopicListView(ApiView):
    """The topic tree: each topic with its parent and children slugs."""

    parameters = REFERENCE_PAGE | {"parent"}

    def get(self, request: Request) -> Response:
        qs = f.run_filterset(f.TopicFilterSet, request.query_params, topics_queryset())
        return _reference_page(self, request, qs, p.Ordering("id", F("pk"), "int"), s.TopicSerializer)


@extend_schema(tags=["topics"], responses={200: s.TopicSerializer, **ERRORS_DOC})
class TopicDetailView(ApiView):
    """One topic, by id or slug."""

    def get(self, request: Request, pk: int | None = None, slug: str | None = None) -> Response:
        lookup = {"pk": pk} if pk is not None else {"slug": slug}
        topic = get_object_or_404(topics_queryset(), **lookup)
        return Response(s.TopicSerializer(topic, context={"request": request}).data)


@extend_schema(
    tags=["changes"],
    parameters=[
        OpenApiParameter("since", str, required=True, description="ISO 8601 date or date-time (UTC if no offset)."),
        OpenApiParameter("kind", str, enum=["trip", "meeting"]),
        OpenApiParameter("action", str, enum=["created", "updated", "merged", "deleted"]),
        *PAGE_PARAMETERS_DOC,
    ],
    responses={200: _page_serializer("ChangePage", s.ChangeSerializer(many=True)), **ERRORS_DOC},
)
class ChangesView(ApiView):
    """What was created, updated, merged or deleted since a time, oldest first."""

    parameters = REFERENCE_PAGE | {"since", "kind", "action"}

    def get(self, request: Request) -> Response:
        qs = f.run_filterset(f.ChangeFilterSet, request.query_params, Change.objects.all())
        source = p.Source("change", 0, qs, lambda ids: qs.in_bulk(ids))
        page = p.paginate([source], p.Ordering("at", F("at"), "datetime"), request.query_params)
        body: dict[str, Any] = {
            "next": p.page_link(request, page.next),
            "previous": p.page_link(request, page.previous),
        }
        if page.count is not None:
            body["count"] = page.count
        body["results"] = s.ChangeSerializer(page.objects, many=True).data
        self.last_modified = max((c.at for c in page.objects), default=None)
        return Response(body)
