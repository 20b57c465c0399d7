"""The JSON Lines format of ``export_dataset``: Django's, with every timestamp written to the millisecond.

Django's encoder writes a timestamp to the millisecond, or to the second when it has no microseconds, so
a value of 12:00:00.000400 is exported as "12:00:00.000Z", imported as 12:00:00 and exported again as
"12:00:00Z": an export of an import was not the same text. Always writing milliseconds makes it so.
Registered as the "jsonl" format (settings.SERIALIZATION_MODULES); reading is Django's.
"""

from __future__ import annotations

import datetime as dt

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder

Deserializer = jsonl.Deserializer


class MillisecondEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime):
            text = o.isoformat(timespec="milliseconds")
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(jsonl.Serializer):
    def _init_options(self) -> None:
        super()._init_options()
        self.json_kwargs["cls"] = MillisecondEncoder
