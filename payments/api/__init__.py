"""The payments of an invoice on the invoices face (document 001):
``/api/v1/invoices/{id}/payments``, in that face's shapes and error shape."""
