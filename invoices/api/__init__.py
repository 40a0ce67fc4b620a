"""The invoices face (document 001): invoices, their line items and payments,
and customers, under /api/v1/invoices and /api/v1/customers. The payments of an
invoice are served by ``payments.api`` (the payments app owns them) in this
face's shapes."""
