"""Timeline entries in the API: built by the domain (``visits.timeline.entries``)."""

from visits.timeline.entries import (  # noqa: F401 - the API's names for the domain's entries
    Coordinates,
    Entry,
    Links,
    build_entries,
    evidence_item,
    meetings_for_api,
    trips_for_api,
)
