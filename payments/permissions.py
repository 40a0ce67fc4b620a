from rest_framework.permissions import BasePermission


class HasModelPerms(BasePermission):
    """The user holds every Django model permission the view lists in ``required_perms``."""

    def has_permission(self, request, view):
        return request.user.has_perms(getattr(view, "required_perms", ()))
