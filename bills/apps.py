from django.apps import AppConfig


class BillsConfig(AppConfig):
    name = "bills"
    verbose_name = "Bills"

    def ready(self):
        from . import events

        events.register()
