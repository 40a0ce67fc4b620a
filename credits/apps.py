from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = "Credit notes"

    def ready(self):
        from invoices.transitions import ISSUE_HOOKS

        from .services import customer_credit_apply

        # The customer's credit is used by each invoice of theirs as it is issued.
        if customer_credit_apply not in ISSUE_HOOKS:
            ISSUE_HOOKS.append(customer_credit_apply)
