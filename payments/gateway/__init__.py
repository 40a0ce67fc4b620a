"""The payment-gateway face (document 000): ``/checkPaymentStatus``,
``/updatePaymentStatus`` and ``/getAllBilling`` over the ledger's invoices."""
