"""Import the Office of the Historian's travel and visit records (history.state.gov).

Sources (``HistoryAtState/travels`` and ``HistoryAtState/visits``, CC0):

* ``travels/{president,secretary}-travels/*.xml``: one file per person, one
  ``<trip>`` element per *country stop*. Each record becomes a :class:`Stop`
  (``hsg-travels:<id>``). Records identical apart from their id (and their
  created/modified metadata) are merged into one stop named after the lowest id.
* Stops of one person are grouped into tours: sorted by (start, end, record
  order), a stop joins the current tour when it starts no later than the day
  after the tour's latest end date (``start <= tour_end + 1 day``: same day,
  next day, or overlapping). Each tour is a :class:`Trip`
  (``hsg-tour:<lowest record id of the tour>``).
* ``visits/*.xml``: each visit of a foreign leader to the United States becomes
  a :class:`Meeting` (kind ``visit``, ``hsg-visits:<id>``) with one
  :class:`Participation` per visitor named in ``visitor``.
* Every record is also a :class:`Report` (kind ``dataset``, same external id)
  whose text is the record's remarks or description, and that text is the
  :class:`Evidence` of the stop and trip (or meeting) it yields.

Files are parsed and checked first; a malformed file or an invalid record is
reported (file, record id, reason) and skipped while the rest is imported.
Each file is written in its own transaction, so nothing is ever half-written.
A second run compares before writing and changes nothing.

Modules: ``source`` (where the files are, download), ``parsing`` (XML -> checked records),
``names`` (text rules: cities, visitors, visit types), ``tours`` (duplicates, tour grouping,
titles) and ``loading`` (the database writes, handed to ``visits.services.writer``).
"""

from __future__ import annotations

from visits.importers.hsg.loading import PUBLISHER, SITE, SOURCE, HsgImporter, ImportResult, import_hsg, summary_lines
from visits.importers.hsg.names import clean, split_locale, split_title, split_visitor, visit_type
from visits.importers.hsg.parsing import (
    ROLE_TITLES,
    HsgError,
    TravelRecord,
    VisitRecord,
    parse_file,
    parse_presidents,
    parse_travel,
    parse_visit,
)
from visits.importers.hsg.source import REPOSITORIES, HsgSourceError, resolve_source
from visits.importers.hsg.tours import TOUR_GAP, group_tours, merge_duplicates, trip_title

__all__ = [
    "PUBLISHER", "REPOSITORIES", "ROLE_TITLES", "SITE", "SOURCE", "TOUR_GAP", "HsgError", "HsgImporter",
    "HsgSourceError", "ImportResult", "TravelRecord", "VisitRecord", "clean", "group_tours", "import_hsg",
    "merge_duplicates", "parse_file", "parse_presidents", "parse_travel", "parse_visit", "resolve_source",
    "split_locale", "split_title", "split_visitor", "summary_lines", "trip_title", "visit_type",
]  # fmt: skip
