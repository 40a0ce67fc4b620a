"""The ISP invoice-details face (document 002): invoice ids by date and status,
an invoice's details, a user's invoices, every invoice with its customer's
contact, and a link to an invoice's receipt PDF."""
