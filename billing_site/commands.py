"""The base of the project's management commands, which cron jobs run."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError


def one_line(text: str) -> str:
    return " ".join(str(text).split())


class CronCommand(BaseCommand):
    """A command a cron job can trust. An error is one line on stderr and a non-zero
    exit status: 1 for what went wrong (a ``CommandError``; a database or file
    system failure becomes one, unless ``--traceback`` asks where it came from), 2
    for a wrong option. What it prints follows ``-v``: 0 nothing, 1 its summary
    (the default), 2 each item it handles, 3 with details (``say``)."""

    verbosity = 1

    def create_parser(self, prog_name, subcommand, **kwargs):
        # An option is written in full: "--force" is not taken for "--force-color".
        kwargs.setdefault("allow_abbrev", False)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if parser.called_from_command_line:
            # argparse prints the whole usage before its message; a line is enough.
            def error(message):
                parser.exit(2, f"{parser.prog}: error: {one_line(message)} (see --help)\n")

            parser.error = error
        return parser

    def execute(self, *args, **options):
        self.verbosity = options.get("verbosity", 1)
        try:
            return super().execute(*args, **options)
        except (DatabaseError, OSError) as error:
            if options.get("traceback"):
                raise
            raise CommandError(one_line(f"{type(error).__name__}: {error}")) from error

    def say(self, message: str, *, level: int = 1, style=None) -> None:
        """Print ``message`` when ``-v`` is ``level`` or more."""
        if self.verbosity >= level:
            self.stdout.write(style(message) if style else message)
