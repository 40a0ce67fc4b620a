"""Bearer-token authentication that reads, in the same query as the user, whether
the user acts for particular customers: every read of customer records asks, and
the answer then costs neither a query nor a subquery per record."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication

from .models import Customer


class UsersWithCustomerLinks:
    """Where simplejwt's ``get_user`` finds users (``objects``, ``DoesNotExist``):
    the user model's rows, each with ``acts_for_customers``."""

    def __init__(self):
        model = get_user_model()
        links = Customer.users.through.objects.filter(user_id=OuterRef("pk"))
        self.objects = model.objects.annotate(acts_for_customers=Exists(links))
        self.DoesNotExist = model.DoesNotExist


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = UsersWithCustomerLinks()


class JWTScheme(SimpleJWTScheme):
    """The API docs' Bearer scheme for this authentication."""

    target_class = JWTAuthentication
