"""OpenAPI details: readable, unique operation ids derived from the view class."""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema


class ApiAutoSchema(AutoSchema):
    def get_operation_id(self) -> str:
        """``trip_list``, ``trip_detail_patch``, ``person_detail_by_slug`` ..."""
        base = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self.view).__name__.removesuffix("View")).lower()
        if "{slug}" in self.path:
            base += "_by_slug"
        method = self.method.lower()
        return base if method == "get" else f"{base}_{method}"
