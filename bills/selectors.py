from django.db.models import Prefetch

from .models import Bill, Collection, ProductCollection

# A bill's products joined to their lines: a separate query for the products would
# name each one in its WHERE, past what SQLite takes for a bill of many products.
PRODUCTS = Prefetch(
    "product_collections", queryset=ProductCollection.objects.select_related("product")
)


def collection_list():
    return Collection.objects.order_by("code")


def bill_list(*, user, collection: Collection):
    """The collection's bills ``user`` may see, with all their body needs."""
    return (
        Bill.objects.visible_to(user)
        .filter(collection=collection)
        .select_related("invoice__customer", "collection")
        .prefetch_related(PRODUCTS, "invoice__payments")
        .order_by("-id")
    )


def bill_get(*, user, collection: Collection, bill_no: str) -> Bill | None:
    return bill_list(user=user, collection=collection).filter(bill_no=bill_no).first()


def bill_with_invoice(bill_no: str) -> Bill:
    return Bill.objects.select_related("invoice").get(bill_no=bill_no)


def bill_for_page(bill_no: str) -> Bill | None:
    """A bill for its public page: whoever has the bill number may see it."""
    return (
        Bill.objects.select_related("invoice__customer", "collection")
        .prefetch_related(PRODUCTS, "invoice__payments", "invoice__lines")
        .filter(bill_no=bill_no)
        .first()
    )
