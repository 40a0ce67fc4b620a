from django.urls import include, path

from billing_site.api.routes import route

from . import isp_views

_DATES = r"(?P<from_date>[^/]+)/(?P<to_date>[^/]+)"
_ISP = "api/v1"

urlpatterns = [
    path("", include("invoices.api.urls")),
    route(f"{_ISP}/get_all_invoice_ids", isp_views.InvoiceIdsView.as_view(), "isp-ids"),
    route(
        f"{_ISP}/get_all_invoice_ids/{_DATES}", isp_views.InvoiceIdsView.as_view(), "isp-ids-range"
    ),
    route(
        f"{_ISP}/get_all_invoice_ids/{_DATES}/(?P<status>[^/]+)",
        isp_views.InvoiceIdsView.as_view(),
        "isp-ids-range-status",
    ),
    route(
        f"{_ISP}/get_invoice_details/(?P<invoice_id>[^/]+)",
        isp_views.InvoiceDetailsView.as_view(),
        "isp-details",
    ),
    route(
        f"{_ISP}/get_all_invoices_from_userid/(?P<user_id>[^/]+)",
        isp_views.UserInvoicesView.as_view(),
        "isp-user",
    ),
    route(
        f"{_ISP}/get_all_invoices_from_userid/(?P<user_id>[^/]+)/(?P<status>[^/]+)",
        isp_views.UserInvoicesView.as_view(),
        "isp-user-status",
    ),
    route(f"{_ISP}/get_all_invoices", isp_views.AllInvoicesView.as_view(), "isp-all"),
    route(
        f"{_ISP}/get_all_invoices/{_DATES}", isp_views.AllInvoicesView.as_view(), "isp-all-range"
    ),
    route(
        f"{_ISP}/get_invoice_receipt/(?P<user_id>[^/]+)/(?P<invoice_id>[^/]+)",
        isp_views.InvoiceReceiptView.as_view(),
        "isp-receipt",
    ),
    route(
        r"receipts/(?P<token>[A-Za-z0-9_:\-]+)\.pdf",
        isp_views.ReceiptPDFView.as_view(),
        "invoice-receipt-pdf",
    ),
]
