"""The ISP face's routes (document 002). Its path arguments are optional from
the right: each form is a route, and any value reaches the view, which answers
a bad one with a 400 in the face's shape rather than leaving it unrouted."""

from billing_site.api.routes import route

from . import views

IDS = "api/v1/get_all_invoice_ids"
DETAILS = "api/v1/get_invoice_details"
OF_USER = "api/v1/get_all_invoices_from_userid"
ALL = "api/v1/get_all_invoices"
RECEIPT = "api/v1/get_invoice_receipt"
# Where this face's paths start: an unknown path under one is answered in its
# error shape (``errors.error_body``).
PREFIXES = (IDS, DETAILS, OF_USER, ALL, RECEIPT)

_FROM = "(?P<from_date>[^/]+)"
_TO = "(?P<to_date>[^/]+)"
_STATUS = "(?P<status>[^/]+)"
_USER = "(?P<user_id>[^/]+)"
_INVOICE = "(?P<invoice_id>[^/]+)"

urlpatterns = [
    route(IDS, views.InvoiceIdsView.as_view(), "isp-ids"),
    route(f"{IDS}/{_FROM}", views.InvoiceIdsView.as_view(), "isp-ids-from"),
    route(f"{IDS}/{_FROM}/{_TO}", views.InvoiceIdsView.as_view(), "isp-ids-range"),
    route(f"{IDS}/{_FROM}/{_TO}/{_STATUS}", views.InvoiceIdsView.as_view(), "isp-ids-range-status"),
    route(f"{DETAILS}/{_INVOICE}", views.InvoiceDetailsView.as_view(), "isp-details"),
    route(f"{OF_USER}/{_USER}", views.UserInvoicesView.as_view(), "isp-user"),
    route(f"{OF_USER}/{_USER}/{_STATUS}", views.UserInvoicesView.as_view(), "isp-user-status"),
    route(ALL, views.AllInvoicesView.as_view(), "isp-all"),
    route(f"{ALL}/{_FROM}", views.AllInvoicesView.as_view(), "isp-all-from"),
    route(f"{ALL}/{_FROM}/{_TO}", views.AllInvoicesView.as_view(), "isp-all-range"),
    route(f"{RECEIPT}/{_USER}/{_INVOICE}", views.InvoiceReceiptView.as_view(), "isp-receipt"),
]
