"""Report documents written to disk (``generate_reports --format``): each file
lands whole or not at all, together with its report's transaction."""

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path

from .api.documents import report_document_parts, report_filename
from .models import BillingReport
from .services import PeriodOutcome, report_for_period


def output_directory_check(directory: Path, *, create: bool) -> None:
    """Raise ``OSError`` unless files can be written in ``directory``. A missing
    one is made when ``create``, else the nearest folder it would be made in is
    checked. One that exists is tried with a file (which also finds a read-only
    file system)."""
    if not directory.exists():
        if create:
            # Another run may make it between the two calls (cron runs at once).
            directory.mkdir(parents=True, exist_ok=True)
        else:
            parent = directory.parent
            while not parent.exists():
                parent = parent.parent
            if not parent.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(parent))
            if not os.access(parent, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, "Permission denied", str(parent))
            return
    if not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(directory))
    with tempfile.TemporaryFile(dir=directory):
        pass


class ReportFile:
    """A report's file in ``directory``, written inside the report's transaction
    (``place`` is ``services.report_for_period``'s ``then``): written beside its
    place, then moved into it, the file it replaces kept aside. After the commit,
    ``keep``; when the transaction failed, ``undo`` puts the previous file back,
    so no report is left with another report's file, or none."""

    def __init__(self, directory: Path, output_format: str, renderer_context: dict | None = None):
        self.directory = directory
        self.format = output_format
        self.context = renderer_context
        self.path: Path | None = None  # the file placed, once it is
        self._previous: Path | None = None

    def path_of(self, report: BillingReport) -> Path:
        return self.directory / report_filename(report, self.format)

    def place(self, report: BillingReport, outcome: PeriodOutcome) -> None:
        """Write the report's file; a report kept as it was keeps its file if it has one."""
        path = self.path_of(report)
        if outcome == PeriodOutcome.KEPT and path.exists():
            return
        temporary = self._write_beside(path, report)
        try:
            if path.exists():
                self._previous = path.with_name(f".{path.name}.previous")
                _copy(path, self._previous)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            self.keep()
            raise
        self.path = path

    def keep(self) -> None:
        if self._previous is not None:
            self._previous.unlink(missing_ok=True)
            self._previous = None

    def undo(self) -> None:
        if self.path is None:
            return
        if self._previous is not None:
            os.replace(self._previous, self.path)
            self._previous = None
        else:
            self.path.unlink(missing_ok=True)
        self.path = None

    def _write_beside(self, path: Path, report: BillingReport) -> Path:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept past the block on success
            dir=self.directory, prefix=f".{path.name}.", suffix=".part", delete=False
        )
        temporary = Path(handle.name)
        try:
            with handle:
                for part in report_document_parts(report, self.format, self.context):
                    handle.write(part)
                handle.flush()
                os.fsync(handle.fileno())  # whole on disk before it takes the name
            # As an ordinary new file would be (a temporary one is the owner's only).
            temporary.chmod(0o666 & ~_umask())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary


def report_for_period_with_file(
    *, customer, start_date, end_date, replace: bool, file: ReportFile | None
) -> tuple[BillingReport, PeriodOutcome]:
    """``services.report_for_period`` with the report's file, when ``file``, written
    in its transaction: on failure the file is put back as it was, else kept.
    What a run of ``generate_reports`` does for each customer, in the command or
    on a worker."""
    try:
        report, outcome = report_for_period(
            customer=customer,
            start_date=start_date,
            end_date=end_date,
            replace=replace,
            then=file.place if file else None,
        )
    except BaseException:
        if file:
            file.undo()
        raise
    if file:
        file.keep()
    return report, outcome


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _copy(source: Path, target: Path) -> None:
    """``target`` as a second name of ``source`` (a copy where links are not had)."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        shutil.copy2(source, target)
