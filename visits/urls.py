"""Web page routes (mounted at the site root by tracker.urls)."""

from django.urls import include, path

from visits.views import alerts, compare, embed, people, places, reports, timeline, topics, trip

app_name = "visits"

urlpatterns = [
    path("", timeline.timeline, name="timeline"),
    path("glance/", timeline.glance, name="glance"),
    path("people/<slug:slug>/", people.person, name="person"),
    path("trips/<int:pk>/", trip.trip, name="trip"),
    path("compare/", compare.compare, name="compare"),
    path("alerts/<uuid:token>/feed.atom", alerts.saved_search_feed, name="alert-feed"),
    path("countries/<str:code>/", places.country, name="country"),
    path("topics/", topics.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", topics.topic, name="topic"),
    path("map/", places.world_map, name="map"),
    path("reports/", reports.report_list, name="reports"),
    path("embed/", embed.embed, name="embed"),
    path("embed/accent.css", embed.embed_accent, name="embed-accent"),
    path("oembed", embed.oembed, name="oembed"),
    path("i18n/", include("django.conf.urls.i18n")),
]
