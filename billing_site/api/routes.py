from django.urls import re_path


def route(path: str, view, name: str):
    """A route matching ``path`` with or without a trailing slash."""
    return re_path(rf"^{path.strip('/')}/?$", view, name=name)
