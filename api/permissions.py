"""Roles as Django groups (viewer < analyst < editor < admin) and the permission classes that check them.

Reads are public; each write endpoint names the least role it needs. A superuser has every role.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

ROLES = ("viewer", "analyst", "editor", "admin")


def has_role(user, role: str) -> bool:
    """True if ``user`` holds ``role`` or a higher one."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    accepted = ROLES[ROLES.index(role) :]
    names = getattr(user, "_api_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._api_role_names = names
    return bool(names & set(accepted))


class _RolePermission(BasePermission):
    """Allow users holding ``role`` or a higher one (anonymous users get 401, others 403)."""

    role = "admin"

    @property
    def message(self) -> str:
        return f"This needs the {self.role} role or higher."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, self.role)


class IsViewer(_RolePermission):
    role = "viewer"


class IsAnalyst(_RolePermission):
    role = "analyst"


class IsEditor(_RolePermission):
    role = "editor"


class IsAdmin(_RolePermission):
    role = "admin"
