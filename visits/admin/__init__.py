"""The admin where analysts correct the timeline; one module per area."""

from visits.admin import (  # noqa: F401
    ingestion,
    people,
    timeline,
)
