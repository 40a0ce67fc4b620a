"""Webhooks: endpoints that subscribe to the ledger's events, and their
deliveries signed per Standard Webhooks 1.0, retried with the event's id."""
