"""The ledger's events: written in the transaction of the change they report
(an outbox), relayed after commit to the handlers that deliver them."""
