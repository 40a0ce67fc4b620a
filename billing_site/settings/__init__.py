"""Split settings: ``base`` holds what every environment shares; ``local``,
``test`` and ``production`` adjust it. Everything deploy-specific comes from
environment variables (see ``env.py``)."""
