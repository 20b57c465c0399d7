"""The admin where analysts correct the timeline; one module per area."""

from visits.admin import people, timeline  # noqa: F401
