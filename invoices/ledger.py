"""The ledger's answers to the shared API plumbing (``billing_site.api``), which
asks them through settings and never imports this app."""

from django.db.models import Exists, OuterRef

from .models import Customer


def user_customer_links() -> Exists:
    """Whether a user acts for particular customers (is linked to any): a boolean
    query expression over a row of the user model, which it names as
    ``OuterRef("pk")``.

    This is ``settings.API_USER_CUSTOMERS``. Token authentication annotates every
    user it loads with it, as ``acts_for_customers``, in the query that reads the
    user (and keeps the answer with the user in the shared cache, renewed when a
    link changes: ``apps.InvoicesConfig``). ``models.visible_customers`` reads it:
    a user known to act for no customer sees none, without a query; one that does
    (or whose answer is unknown) sees the customers it is linked to."""
    return Exists(Customer.users.through.objects.filter(user_id=OuterRef("pk")))
