#!/usr/bin/env python
import os
import sys


def main():
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):  # unset or empty
        os.environ["DJANGO_SETTINGS_MODULE"] = "billing_site.settings.local"
    # Commands (migrations, report runs, seeding) wait on the database as long as
    # DATABASE_COMMAND_TIMEOUT_SECONDS says; runserver serves requests, which wait
    # DATABASE_TIMEOUT_SECONDS (billing_site/settings/env.py::database_timeout).
    if sys.argv[1:2] == ["runserver"]:
        os.environ.pop("BILLING_COMMAND_PROCESS", None)
    else:
        os.environ["BILLING_COMMAND_PROCESS"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
