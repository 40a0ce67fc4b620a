"""Permissions over the customer scope (``models.sees_every_customer``)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import sees_every_customer


class SharedObjectWrites(BasePermission):
    """Objects every customer's records use (services, collections) are created,
    changed and deleted only by users who see every customer: a user acting for
    particular customers must not rename what another customer's records show."""

    message = "Only users who see every customer may change objects shared by all customers."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or sees_every_customer(request.user)
