"""The reports face (document 003, under ``/api/v2/``) and the usage reporting
of document 001 (``/api/v1/usage``), whose data the reports app owns."""
