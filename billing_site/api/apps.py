from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "billing_site.api"
    label = "api"
    verbose_name = "API plumbing"
