"""The admin where analysts correct the timeline; one module per area."""

from django.contrib import admin

from visits.admin import (  # noqa: F401
    alerts,
    ingestion,
    people,
    timeline,
)

# The index says what the tracker holds and how to get more while it holds little.
admin.site.index_template = "visits/admin_index.html"
