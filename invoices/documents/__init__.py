"""The invoice's documents: the invoice (``invoice``: what is owed) and a
receipt per payment (``receipt``: what was paid), laid out by
``billing_site.documents.layout``. Both take a ``Heading`` (``parts``) saying
which document they present, so a bill shows its own number and seller."""
