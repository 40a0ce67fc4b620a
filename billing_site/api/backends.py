"""The authentication backend: Django's model backend, with a user's permissions
read in one query rather than two (their own, then their groups')."""

from django.contrib.auth import backends
from django.contrib.auth.models import Permission


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = _names(Permission.objects.all())
            else:
                own = _names(Permission.objects.filter(user=user_obj))
                rows = own.union(_names(Permission.objects.filter(group__user=user_obj)))
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


def _names(permissions):
    return permissions.order_by().values_list("content_type__app_label", "codename")
