"""Bringing reports in: safe fetching, cleaning, URL normalisation, feeds.

The modules here are plain functions without database writes; the services in
``visits.services.ingestion`` and the Celery tasks in ``visits.tasks`` use them.
"""
