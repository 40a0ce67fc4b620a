"""Django's session, message and session-user middleware, for the admin's pages.

Every other path is an API face, a hosted bill page, the API docs or a probe:
each authenticates by its own means (a Bearer token, whose user DRF sets; a
signed link; a callback's signature) or not at all, and none keeps a session or
a message. Django's middleware would still build a session store, a message
store (whose cookie signer is made anew each time) and a lazy user for each of
their requests, about a tenth of a gateway check's CPU. They are subclasses of
Django's, so the admin's checks find them."""

import functools

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware

ADMIN = "/admin/"  # billing_site.urls


def is_admin_page(request) -> bool:
    return request.path_info.startswith(ADMIN)


class _AdminOnly:
    def __call__(self, request):
        if is_admin_page(request):
            return super().__call__(request)
        return self.get_response(request)


class AdminSessionMiddleware(_AdminOnly, SessionMiddleware):
    pass


class AdminMessageMiddleware(_AdminOnly, MessageMiddleware):
    pass


class AdminAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request):
        if is_admin_page(request):
            return super().process_request(request)
        # A session is no credential here: anonymous until a view's own
        # authentication (DRF's) sets the user, which ``auser`` then gives too.
        request.user = AnonymousUser()
        request.auser = functools.partial(_current_user, request)
        return None


async def _current_user(request):
    return request.user
