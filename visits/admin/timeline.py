"""Admin for trips, stops, meetings and topics: what analysts correct most."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html_join

from visits.admin.common import EvidenceInline, LockingAdmin, YearFilter, source_link
from visits.models import (
    Evidence,
    Meeting,
    MeetingTopic,
    MergeDecision,
    Participation,
    ReviewState,
    Stop,
    StopTopic,
    Topic,
    Trip,
)
from visits.services import identity


class StopInline(admin.TabularInline):
    model = Stop
    extra = 0
    fields = ("order", "country", "cities", "start_date", "end_date", "precision", "status")
    autocomplete_fields = ("country",)
    show_change_link = True


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ("person", "title", "organization", "country", "is_host", "flags")
    autocomplete_fields = ("person", "organization", "country")
    show_change_link = True


class MeetingTopicInline(admin.TabularInline):
    model = MeetingTopic
    extra = 0
    autocomplete_fields = ("topic",)


class StopTopicInline(admin.TabularInline):
    model = StopTopic
    extra = 0
    autocomplete_fields = ("topic",)


@admin.register(Trip)
class TripAdmin(LockingAdmin):
    list_display = ("__str__", "traveller", "start_date", "end_date", "precision", "status", "countries", "flag_list")
    list_filter = ("status", YearFilter, "stops__country", "precision", "evidence__review_state")
    search_fields = ("title", "traveller__name", "traveller__aliases__name", "external_id", "stops__locale")
    autocomplete_fields = ("traveller", "position")
    date_hierarchy = "start_date"
    inlines = [StopInline, EvidenceInline]
    readonly_fields = ("created_at", "updated_at", "merge_history")
    list_select_related = ("traveller",)
    actions = ["join"]

    @admin.action(description="Join the selected trips into one (they are one real trip)")
    def join(self, request: HttpRequest, queryset) -> None:
        trips = list(queryset.order_by("start_date", "pk"))
        if len(trips) < 2 or len({t.traveller_id for t in trips}) > 1:
            self.message_user(request, "Select two or more trips of the same traveller.", messages.ERROR)
            return
        keep = trips[0]
        for other in trips[1:]:
            keep = identity.join_trips(keep=keep, other=other, user=request.user)
        self.message_user(request, f"Joined into trip {keep.pk}; it stays joined when reports come again.")

    @admin.display(description="why reports were merged or split")
    def merge_history(self, trip: Trip) -> str:
        rows = trip.merge_decisions.all()[:50]
        return format_html_join(
            "\n",
            "<p>{} · {} · {} (reports {})</p>",
            ((d.at, d.get_action_display(), d.reason, d.reports) for d in rows),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stops")

    @admin.display(description="countries")
    def countries(self, trip: Trip) -> str:
        return ", ".join(stop.country_id for stop in trip.stops.all())

    @admin.display(description="flags")
    def flag_list(self, trip: Trip) -> str:
        return ", ".join(trip.flags)


@admin.register(Stop)
class StopAdmin(LockingAdmin):
    list_display = ("__str__", "trip", "order", "start_date", "end_date", "status")
    list_filter = ("country", "status", YearFilter)
    search_fields = ("trip__title", "trip__traveller__name", "locale", "external_id")
    autocomplete_fields = ("trip", "country")
    inlines = [StopTopicInline, EvidenceInline]


@admin.register(Meeting)
class MeetingAdmin(LockingAdmin):
    list_display = ("__str__", "kind", "start_date", "country", "city", "status", "participant_names", "topic_list")
    list_filter = ("status", "kind", "country", "topics", YearFilter, "evidence__review_state")
    search_fields = ("title", "city", "participations__person__name", "external_id")
    autocomplete_fields = ("trip", "stop", "country")
    date_hierarchy = "start_date"
    inlines = [ParticipationInline, MeetingTopicInline, EvidenceInline]
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("country",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("participations__person", "topics")

    @admin.display(description="participants")
    def participant_names(self, meeting: Meeting) -> str:
        return ", ".join(p.person.name for p in meeting.participations.all())

    @admin.display(description="topics")
    def topic_list(self, meeting: Meeting) -> str:
        return format_html_join(", ", "{}", ((t.slug,) for t in meeting.topics.all()))


@admin.register(Participation)
class ParticipationAdmin(LockingAdmin):
    list_display = ("person", "meeting", "title", "country", "is_host")
    search_fields = ("person__name", "meeting__title")
    list_filter = ("is_host", "country")
    autocomplete_fields = ("person", "meeting", "organization", "country")
    inlines = [EvidenceInline]


@admin.register(MeetingTopic)
class MeetingTopicAdmin(admin.ModelAdmin):
    list_display = ("meeting", "topic")
    list_filter = ("topic",)
    autocomplete_fields = ("meeting", "topic")
    inlines = [EvidenceInline]


@admin.register(Topic)
class TopicAdmin(LockingAdmin):
    list_display = ("name", "slug", "parent")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)


@admin.register(Evidence)
class EvidenceAdmin(LockingAdmin):
    list_display = ("quote_start", "source", "fact", "confidence", "review_state")
    list_filter = ("review_state", "report__language", "report__kind")
    search_fields = ("quote", "report__title", "report__url")
    raw_id_fields = ("report", "trip", "stop", "meeting", "participation", "meeting_topic", "stop_topic")
    actions = ["confirm", "reject", "separate"]
    list_select_related = ("report",)

    @admin.action(description="Split these reports off their trip into a new trip (a wrong merge)")
    def separate(self, request: HttpRequest, queryset) -> None:
        trips = set(queryset.exclude(trip=None).values_list("trip_id", flat=True))
        trips |= set(queryset.exclude(stop=None).values_list("stop__trip_id", flat=True))
        if len(trips) != 1:
            self.message_user(request, "Select evidence of one trip.", messages.ERROR)
            return
        trip = Trip.objects.get(pk=trips.pop())
        try:
            new = identity.separate_reports(
                trip=trip, report_ids=set(queryset.values_list("report_id", flat=True)), user=request.user
            )
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"Split into trip {new.pk}; the two stay apart when reports come again.")

    @admin.display(description="quote")
    def quote_start(self, evidence: Evidence) -> str:
        return evidence.quote[:100]

    @admin.display(description="source")
    def source(self, evidence: Evidence) -> str:
        return source_link(evidence)

    @admin.action(description="Confirm the selected evidence")
    def confirm(self, request, queryset):
        self._review(request, queryset, ReviewState.CONFIRMED)

    @admin.action(description="Reject the selected evidence")
    def reject(self, request, queryset):
        self._review(request, queryset, ReviewState.REJECTED)

    def _review(self, request, queryset, state: str) -> None:
        from visits.services.timeline import evidence_review

        for evidence in queryset:
            evidence_review(evidence=evidence, state=state, user=request.user)
        self.message_user(request, f"{queryset.count()} evidence marked {state}.")


@admin.register(MergeDecision)
class MergeDecisionAdmin(admin.ModelAdmin):
    """Why identity resolution or an analyst merged or split a trip: read-only history."""

    list_display = ("at", "trip", "action", "rule", "reason", "user")
    list_filter = ("action", "rule")
    search_fields = ("reason", "trip__traveller__name")
    raw_id_fields = ("trip",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
