from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "billing_site.api"
    label = "api"
    verbose_name = "API plumbing"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.contrib.auth.signals import user_login_failed
        from django.db.models import signals

        from .backends import permissions_changed, user_saved
        from .lockout import login_failed

        user_model = get_user_model()
        memberships = (
            user_model.groups.through,
            user_model.user_permissions.through,
            Group.permissions.through,
        )
        for through in memberships:
            signals.m2m_changed.connect(permissions_changed, sender=through)
        for model in (Group, Permission):
            signals.post_save.connect(permissions_changed, sender=model)
            signals.post_delete.connect(permissions_changed, sender=model)
        # A deleted user's id may come back with another user.
        signals.post_delete.connect(permissions_changed, sender=user_model)
        signals.post_save.connect(user_saved, sender=user_model)
        # Sent by authenticate() for every refused login: the API's and the admin's.
        user_login_failed.connect(login_failed)
