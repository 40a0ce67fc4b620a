"""Webhook endpoints under /api/v1/webhook-endpoints, in the invoices face's
conventions (its permission, error shape, bare-array lists)."""
