from django.urls import include, path

from billing_site.api.routes import route

from . import pages, pdfs

_SIGNED = r"(?P<token>[A-Za-z0-9_:\-]+)"

urlpatterns = [
    path("", include("bills.api.urls")),
    # The pages at the bill's URLs (document 004's paths), then their aliases.
    route("billing/bills/bill-payment", pages.bill_page, "bill-page"),
    route("payment/gateway/secure-pay", pages.payment_page, "bill-pay"),
    route("payment/gateway/forward-to-payment-gateway", pages.forward_to_payment, "bill-forward"),
    route(rf"billing/bills/{_SIGNED}\.pdf", pdfs.BillPDFView.as_view(), "bill-pdf"),
    route(
        rf"billing/bills/{_SIGNED}/receipt\.pdf",
        pdfs.BillReceiptPDFView.as_view(),
        "bill-receipt-pdf",
    ),
    path("bills/<str:bill_no>", pages.bill_page, name="bill-page-alias"),
    path("bills/<str:bill_no>/pay", pages.payment_page, name="bill-pay-alias"),
]
