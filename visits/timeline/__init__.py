"""The timeline read model: what the timeline filters mean, keyset pages, and the entry shape.

- :mod:`visits.timeline.query`: the parameters, their checking (:class:`QueryError`) and
  :func:`filter_timeline` (the filters themselves are queryset methods of the models);
- :mod:`visits.timeline.pagination`: keyset (cursor) pages over trips, meetings or both;
- :mod:`visits.timeline.entries`: the loaders and the JSON entry every format renders;
- :mod:`visits.timeline.read`: pages and streams of entries, for the API and the pages.

Nothing here knows about DRF: ``api`` is glue around it, and the web pages call it directly.
"""
