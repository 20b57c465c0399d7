"""Importers of public datasets, and the bookkeeping they share.

``sync_rows`` is the heart of every importer: it compares the rows an importer
wants with those in the database (one query), creates the missing ones and
updates the changed ones in bulk, never touches a field an analyst locked
(``Lockable.locked_fields``), and counts what it did in a ``Tally``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

CHANGE_REASON = "dataset import"


class Tally:
    """Counts per model and outcome (created, updated, unchanged, deleted, skipped), plus skip reasons."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.skipped: Counter = Counter()

    def add(self, label: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[label][outcome] += n

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {label: dict(sorted(c.items())) for label, c in sorted(self.counts.items())}
        data["skipped"] = dict(sorted(self.skipped.items()))
        return data

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())


def has_history(model: type[models.Model]) -> bool:
    return any(isinstance(f, HistoricalRecords) for f in vars(model).values()) or hasattr(model, "history")


def bulk_create(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    """bulk_create, with a history row per object when the model keeps history."""
    if not objs:
        return objs
    if has_history(model):
        return bulk_create_with_history(objs, model, batch_size=1000, default_change_reason=CHANGE_REASON)
    return model.objects.bulk_create(objs, batch_size=1000)


def bulk_update(model: type[models.Model], objs: list[models.Model], fields: Iterable[str]) -> None:
    """bulk_update, with a history row per object when the model keeps history."""
    fields = sorted(set(fields))
    if not objs or not fields:
        return
    if has_history(model):
        bulk_update_with_history(objs, model, fields, batch_size=1000, default_change_reason=CHANGE_REASON)
    else:
        model.objects.bulk_update(objs, fields, batch_size=1000)


def apply_values(obj: models.Model, values: dict[str, Any]) -> set[str]:
    """Set the fields of ``obj`` that differ from ``values`` and are not locked; return their names."""
    locked = set(getattr(obj, "locked_fields", None) or [])
    changed = set()
    for field, value in values.items():
        if field in locked or field.removesuffix("_id") in locked:
            continue
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed.add(field)
    return changed


@dataclass
class Synced:
    """What ``sync_rows`` did: every wanted row by key, and which of them it created or updated."""

    rows: dict[str, models.Model] = dataclasses.field(default_factory=dict)
    created: list[models.Model] = dataclasses.field(default_factory=list)
    updated: list[models.Model] = dataclasses.field(default_factory=list)

    def __getitem__(self, key: str) -> models.Model:
        return self.rows[key]

    def written(self) -> list[models.Model]:
        return self.created + self.updated


def sync_rows(
    model: type[models.Model],
    wanted: dict[str, dict[str, Any]],
    tally: Tally,
    *,
    key: str = "external_id",
    label: str | None = None,
) -> Synced:
    """Make the rows of ``model`` whose ``key`` is in ``wanted`` carry the wanted values.

    One query reads the existing rows; missing rows are created and changed
    ones updated in bulk (locked fields are left alone). The result lists the
    rows by key and says which were written (for the changes feed).
    """
    label = label or model._meta.model_name
    existing = model.objects.in_bulk(list(wanted), field_name=key) if wanted else {}
    new: list[models.Model] = []
    changed: list[models.Model] = []
    fields: set[str] = set()
    for key_value, values in wanted.items():
        row = existing.get(key_value)
        if row is None:
            new.append(model(**{key: key_value}, **values))
            continue
        diff = apply_values(row, values)
        if diff:
            changed.append(row)
            fields |= diff
    bulk_create(model, new)
    bulk_update(model, changed, fields)
    tally.add(label, "created", len(new))
    tally.add(label, "updated", len(changed))
    tally.add(label, "unchanged", len(wanted) - len(new) - len(changed))
    rows = dict(existing)
    rows.update({getattr(r, key): r for r in new})
    return Synced(rows, new, changed)
