"""Reads of the bills API."""

from ..models import Bill, Collection
from ..selectors import PRODUCTS, exactly


def collection_list():
    return Collection.objects.order_by("code")


def collection_get(code: str) -> Collection | None:
    return exactly(collection_list(), "code", code)


def bill_list(*, user, collection_code: str):
    """The bills of the collection ``collection_code`` that ``user`` may see,
    with everything their bill object shows."""
    return (
        Bill.objects.visible_to(user)
        .filter(collection__code=collection_code)
        .select_related("invoice__customer", "collection")
        .prefetch_related(PRODUCTS, "invoice__payments")
        .order_by("-id")
    )


def bill_get(*, user, collection_code: str, bill_no: str) -> Bill | None:
    return exactly(bill_list(user=user, collection_code=collection_code), "bill_no", bill_no)


def bill_with_invoice(bill_no: str) -> Bill:
    return Bill.objects.select_related("invoice").get(bill_no=bill_no)
