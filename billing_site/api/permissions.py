from rest_framework.permissions import BasePermission, DjangoModelPermissions

from .models import face_permission


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions, reads included: listing or reading needs ``view``.
    A viewset's extra actions name theirs in ``action_perms`` (e.g. issuing an
    invoice needs ``change_invoice``, not the ``add`` a POST would imply)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        action_perms = getattr(view, "action_perms", {})
        if getattr(view, "action", None) in action_perms:
            user = request.user
            return bool(
                user and user.is_authenticated and user.has_perms(action_perms[view.action])
            )
        return super().has_permission(request, view)


class HasPerms(BasePermission):
    """The user holds every permission the view lists in ``required_perms``."""

    def has_permission(self, request, view):
        return request.user.has_perms(getattr(view, "required_perms", ()))


class UsesFace(BasePermission):
    """The user holds the permission of the view's face (``view.face``, one of
    ``models.FACES``): least privilege per face."""

    message = "You do not have permission to use this API."

    def has_permission(self, request, view):
        return request.user.has_perm(face_permission(view.face))
