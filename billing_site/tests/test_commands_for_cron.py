"""The management commands as a cron job runs them: real processes, their exit
status, stdout and stderr. Every error is one line on stderr and a non-zero exit
(1, or 2 for a wrong option), never a traceback; -v 0 prints nothing."""

import argparse
import os
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import get_commands, load_command_class

from billing_site.faults import free_port
from billing_site.testing import ROOT

COMMANDS = [
    "generate_reports",
    "issue_recurring_bills",
    "purge_request_logs",
    "request_log_spool",
    "purge_idempotency_keys",
    "seed_demo",
    "send_due_webhooks",
    "send_due_emails",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated SQLite database with the demo data, and the environment of the
    processes that use it."""
    folder = tmp_path_factory.mktemp("cron")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billing_site.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'billing.sqlite3'}",
        "SECRET_KEY": "cron-test-" + "x9" * 30,
        "REQUEST_LOG_SPOOL_DIR": str(folder / "spool"),
        "LOG_LEVEL": "WARNING",
    }
    for command in (["migrate", "-v", "0"], ["seed_demo", "-v", "0"]):
        done = manage(env, *command, timeout=300)
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return folder, env


def manage(env, *args, timeout=120, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, ROOT / "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def demo_period(folder) -> tuple[str, str, str]:
    """The demo report's (id, start, end): the one of a whole month, not billed."""
    with sqlite3.connect(folder / "billing.sqlite3") as db:
        return db.execute(
            "SELECT id, start_date, end_date FROM reports_billingreport"
            " WHERE invoice_id IS NULL ORDER BY id"
        ).fetchone()


@pytest.mark.parametrize(
    "args,status,error",
    [
        (
            ["generate_reports", "--month", "2023-01", "--customer", "999999"],
            1,
            "CommandError: Customer with ID 999999 not found",
        ),
        (
            ["generate_reports", "--start", "2023-01-01", "--end", "2024-06-01"],
            1,
            "CommandError: A report may span at most 366 days (2023-01-01 to 2024-06-01)",
        ),
        (
            [
                "generate_reports",
                "--month",
                "2023-02",
                "--format",
                "csv",
                "--output-dir",
                "{file}/x",
            ],
            1,
            "CommandError: --output-dir {file}/x: Not a directory",
        ),
        (
            ["generate_reports", "--customer", "x"],
            2,
            "manage.py generate_reports: error: argument --customer: invalid int value: 'x' "
            "(see --help)",
        ),
        (
            ["purge_request_logs", "--older-than", "0"],
            1,
            "CommandError: --older-than 0 deletes every request log row: add --yes to do so",
        ),
        (
            ["purge_request_logs"],
            2,
            "manage.py purge_request_logs: error: the following arguments are required: "
            "--older-than (see --help)",
        ),
        (
            ["seed_demo", "--force"],
            2,
            "manage.py seed_demo: error: unrecognized arguments: --force (see --help)",
        ),
    ],
)
def test_an_error_is_one_line_on_stderr_and_a_nonzero_exit(site, args, status, error):
    folder, env = site
    (folder / "a-file").write_text("")
    args = [arg.replace("{file}", str(folder / "a-file")) for arg in args]
    done = manage(env, *args)
    assert done.returncode == status
    assert done.stderr.splitlines() == [error.replace("{file}", str(folder / "a-file"))]
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    "args",
    [["generate_reports", "--month", "2023-01"], ["purge_request_logs", "--older-than", "9"]],
)
def test_a_database_out_of_reach_is_one_line(site, args):
    _, env = site
    unreachable = {**env, "DATABASE_URL": f"mysql://root@127.0.0.1:{free_port()}/billing"}
    done = manage(unreachable, *args)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("CommandError: OperationalError: (2002, ") and "Traceback" not in line


def test_verbosity_0_prints_nothing(site):
    folder, env = site
    _, start, end = demo_period(folder)
    for args in (
        ["generate_reports", "--start", start, "--end", end, "--format", "csv"],
        ["generate_reports", "--start", start, "--end", end, "--force", "--dry-run"],
        ["purge_request_logs", "--older-than", "90"],
        ["request_log_spool", "--store"],
        ["purge_idempotency_keys"],
        ["seed_demo"],
    ):
        done = manage(env, *args, "-v", "0", cwd=folder)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", ""), args


def test_two_forced_runs_at_once_leave_one_report_and_its_file(site):
    folder, env = site
    report_id, start, end = demo_period(folder)
    out = folder / "forced"
    args = ["generate_reports", "--start", start, "--end", end, "--force", "--format", "pdf"]
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", *args, "--output-dir", str(out)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        assert (run.returncode, stderr) == (0, ""), stderr + stdout
        assert "0 report(s) generated, 1 replaced, 0 kept; 1 file(s) written." in stdout
    with sqlite3.connect(folder / "billing.sqlite3") as db:
        reports = db.execute(
            "SELECT id FROM reports_billingreport WHERE start_date = ? AND end_date = ?",
            (start, end),
        ).fetchall()
    assert reports == [(report_id,)]  # replaced in place, twice
    assert [path.name for path in out.iterdir()] == [f"billing_report_{report_id}.pdf"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_help(name):
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    for option in parser._actions:
        assert option.help and option.help != argparse.SUPPRESS, (name, option.option_strings)
