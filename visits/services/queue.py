"""Sending Celery tasks by name: services never import ``visits.tasks``, which imports the services."""

from __future__ import annotations

from typing import Any


def send_task(task_name: str, *args: Any, task_id: str | None = None) -> None:
    """Send the task ``visits.tasks.<task_name>`` (a signature still runs it in process when Celery is eager)."""
    from celery import current_app  # the app configured by tracker.celery, not one made at import

    current_app.signature(f"visits.tasks.{task_name}", args=list(args)).apply_async(task_id=task_id)
