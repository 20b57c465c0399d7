"""URL routes: the web pages (visits), the API (api), the admin, health and metrics."""

from django.contrib import admin
from django.urls import include, path

from tracker import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("django_prometheus.urls")),
    path("", include("visits.urls")),
]

# JSON problem documents for /api/ paths, Django's pages elsewhere.
handler404 = "api.problems.handler404"
handler500 = "api.problems.handler500"
