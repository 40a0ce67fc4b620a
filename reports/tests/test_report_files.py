import datetime
from pathlib import Path

import pytest

from reports.files import ReportFile, output_directory_check
from reports.services import PeriodOutcome, report_generate
from reports.tests.factories import make_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    customer, _, _ = make_orders(count=1)
    return report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )


def test_a_placed_file_is_kept_whole_and_leaves_nothing_beside_it(tmp_path, report):
    file = ReportFile(tmp_path, "csv", {"bom": True})
    file.place(report, PeriodOutcome.CREATED)
    file.keep()
    assert [path.name for path in tmp_path.iterdir()] == [f"billing_report_{report.pk}.csv"]
    assert file.path.read_bytes().startswith(b"\xef\xbb\xbforder_id,service_id")
    assert file.path.stat().st_mode & 0o777 != 0o600  # an ordinary file, not a temporary's


def test_undo_takes_a_new_file_back(tmp_path, report):
    file = ReportFile(tmp_path, "json")
    file.place(report, PeriodOutcome.CREATED)
    file.undo()
    assert list(tmp_path.iterdir()) == []


def test_undo_puts_the_replaced_file_back(tmp_path, report):
    path = tmp_path / f"billing_report_{report.pk}.csv"
    path.write_bytes(b"the file of the report as it was")
    file = ReportFile(tmp_path, "csv")
    file.place(report, PeriodOutcome.REPLACED)
    assert path.read_bytes().startswith(b"order_id,")
    file.undo()
    assert path.read_bytes() == b"the file of the report as it was"
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name]


def test_a_kept_report_keeps_its_file(tmp_path, report):
    path = tmp_path / f"billing_report_{report.pk}.pdf"
    path.write_bytes(b"as it was")
    file = ReportFile(tmp_path, "pdf")
    file.place(report, PeriodOutcome.KEPT)
    assert file.path is None and path.read_bytes() == b"as it was"


def test_a_folder_another_run_makes_meanwhile_is_taken(tmp_path, monkeypatch):
    # Two runs at once: both find the folder missing, the other one makes it first.
    folder, file, exists = tmp_path / "out", tmp_path / "file", Path.exists
    monkeypatch.setattr(Path, "exists", lambda path: path not in (folder, file) and exists(path))
    folder.mkdir()
    output_directory_check(folder, create=True)
    file.write_text("")
    with pytest.raises(FileExistsError):  # a file made meanwhile is still no folder
        output_directory_check(file, create=True)


def test_the_output_directory_check(tmp_path):
    output_directory_check(tmp_path, create=False)
    missing = tmp_path / "a" / "b"
    output_directory_check(missing, create=False)  # could be made
    assert not missing.exists()
    output_directory_check(missing, create=True)
    assert missing.is_dir()
    (tmp_path / "file").write_text("")
    for create in (False, True):
        with pytest.raises(NotADirectoryError):
            output_directory_check(tmp_path / "file" / "sub", create=create)
        with pytest.raises(NotADirectoryError):
            output_directory_check(tmp_path / "file", create=create)
