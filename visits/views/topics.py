"""Topic pages: the list of topics, and one topic's meetings by country and month."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from visits import selectors, titles
from visits.models import Topic
from visits.views import charts
from visits.views.common import data_links, page_title, render_page


def topic_list(request: HttpRequest) -> HttpResponse:
    """``/topics/``: every topic with its number of meetings."""

    def build() -> dict:
        topics = Topic.objects.annotate(n=Count("meeting_links", distinct=True)).order_by("name")
        return {"title": page_title(_("Topics")), "topics": list(topics)}

    return render_page(request, "visits/topic_list.html", build)


def topic(request: HttpRequest, slug: str) -> HttpResponse:
    """``/topics/<slug>/``."""
    subject = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)

    def build() -> dict:
        profile = selectors.topic_profile(subject)
        filters = QueryDict(mutable=True)
        filters["topic"] = subject.slug
        return {
            "title": page_title(titles.topic_name(subject)),
            "topic": subject,
            **profile,
            "filters": filters,
            "data_links": data_links(filters),
            "per_month_chart": charts.columns(profile["per_month"]) if profile["per_month"] else None,
        }

    return render_page(request, "visits/topic.html", build)
