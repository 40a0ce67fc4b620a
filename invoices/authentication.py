"""Bearer-token authentication that reads, in the same query as the user, whether
the user acts for particular customers: every read of customer records asks, and
the answer then costs neither a query nor a subquery per record. With a shared
cache, the user (and their permissions) comes from there instead."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication

from billing_site.api.backends import cached_user

from .models import Customer


class UsersWithCustomerLinks:
    """Where simplejwt's ``get_user`` finds users (``objects.get``,
    ``DoesNotExist``): the user model's rows, each with ``acts_for_customers``."""

    def __init__(self):
        model = get_user_model()
        links = Customer.users.through.objects.filter(user_id=OuterRef("pk"))
        self.rows = model.objects.annotate(acts_for_customers=Exists(links))
        self.objects = self
        self.DoesNotExist = model.DoesNotExist

    def get(self, **lookup):
        if not settings.PERMISSIONS_CACHE_SECONDS:
            return self.rows.get(**lookup)
        key = ",".join(f"{field}={value}" for field, value in sorted(lookup.items()))
        return cached_user(
            key, lambda: self.rows.get(**lookup), annotations=("acts_for_customers",)
        )


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = UsersWithCustomerLinks()


class JWTScheme(SimpleJWTScheme):
    """The API docs' Bearer scheme for this authentication."""

    target_class = JWTAuthentication
