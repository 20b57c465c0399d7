"""API v1 routes (mounted at /api/v1/ by tracker.urls)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import views

app_name = "api"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("timeline", views.TimelineView.as_view(), name="timeline"),
    path("trips", views.TripListView.as_view(), name="trip-list"),
    path("trips/<int:pk>", views.TripDetailView.as_view(), name="trip-detail"),
    path("trips/<int:pk>/merge", views.TripMergeView.as_view(), name="trip-merge"),
    path("trips/<int:pk>/split", views.TripSplitView.as_view(), name="trip-split"),
    path("meetings", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<int:pk>", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/merge", views.MeetingMergeView.as_view(), name="meeting-merge"),
    path("evidence/<int:pk>/review", views.EvidenceReviewView.as_view(), name="evidence-review"),
    path("people", views.PersonListView.as_view(), name="person-list"),
    path("people/<int:pk>", views.PersonDetailView.as_view(), name="person-detail-id"),
    path("people/<slug:slug>", views.PersonDetailView.as_view(), name="person-detail"),
    path("organizations", views.OrganizationListView.as_view(), name="organization-list"),
    path("organizations/<int:pk>", views.OrganizationDetailView.as_view(), name="organization-detail-id"),
    path("organizations/<slug:slug>", views.OrganizationDetailView.as_view(), name="organization-detail"),
    path("countries", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>", views.CountryDetailView.as_view(), name="country-detail"),
    path("topics", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<int:pk>", views.TopicDetailView.as_view(), name="topic-detail-id"),
    path("topics/<slug:slug>", views.TopicDetailView.as_view(), name="topic-detail"),
    path("reports", views.ReportListView.as_view(), name="report-list"),
    path("reports/<int:pk>", views.ReportDetailView.as_view(), name="report-detail"),
    path("extract", views.ExtractView.as_view(), name="extract"),
    path("changes", views.ChangesView.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
