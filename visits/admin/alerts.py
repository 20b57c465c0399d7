"""Admin of alerts: saved searches (with their feed), webhooks, and each webhook's delivery log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from visits import alerts
from visits.models import SavedSearch, Webhook, WebhookDelivery


class SavedSearchForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["owner", "name", "query"]

    def clean_query(self) -> str:
        query = self.cleaned_data["query"].strip().lstrip("?")
        try:
            alerts.validate_query(query)
        except Exception as exc:  # the filter's own error: QueryError or ValidationError
            detail = getattr(exc, "errors", None) or getattr(exc, "detail", None) or str(exc)
            raise forms.ValidationError(f"not a timeline filter: {detail}") from exc
        return query


URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class WebhookInline(admin.TabularInline):
    model = Webhook
    formfield_overrides = URL_FIELDS
    extra = 0
    fields = ["url", "active", "allow_private", "secret"]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    form = SavedSearchForm
    list_display = ["name", "owner", "query", "feed", "created_at"]
    search_fields = ["name", "query", "owner__username"]
    inlines = [WebhookInline]

    @admin.display(description="Atom feed")
    def feed(self, obj: SavedSearch) -> str:
        return format_html('<a href="{}">feed.atom</a>', reverse("visits:alert-feed", args=[obj.feed_token]))

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ["created_at", "event", "status", "attempts", "response_status", "last_error", "delivered_at"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["url", "saved_search", "active", "allow_private", "delivered", "failing"]
    list_filter = ["active", "allow_private"]
    search_fields = ["url", "saved_search__name"]
    inlines = [DeliveryInline]

    @admin.display(description="delivered")
    def delivered(self, obj: Webhook) -> int:
        return obj.deliveries.filter(status=WebhookDelivery.Status.DELIVERED).count()

    @admin.display(description="retrying or failed")
    def failing(self, obj: Webhook) -> int:
        return obj.deliveries.exclude(
            status__in=[WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.PENDING]
        ).count()


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "webhook", "status", "attempts", "response_status", "delivered_at"]
    list_filter = ["status", "event"]
    search_fields = ["webhook__url", "last_error"]
    readonly_fields = [
        "webhook", "change", "event", "payload", "status", "attempts", "response_status", "last_error",
        "created_at", "last_attempt_at", "delivered_at",
    ]  # fmt: skip
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Send again now")
    def send_again(self, request, queryset) -> None:
        from visits.alert_tasks import alerts_deliver_webhook

        pending = queryset.exclude(status=WebhookDelivery.Status.DELIVERED)
        ids = list(pending.values_list("pk", flat=True))
        pending.update(status=WebhookDelivery.Status.PENDING)
        for pk in ids:
            alerts_deliver_webhook.delay(pk)
        self.message_user(request, f"{len(ids)} deliveries sent again.", messages.SUCCESS)
