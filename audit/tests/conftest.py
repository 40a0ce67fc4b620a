import os

import pytest

from audit import spool as spool_module
from audit.services import spool

from .test_spool import MemoryStore


@pytest.fixture
def synced_spool(settings, tmp_path, monkeypatch):
    """The background writer with a spool of this test's (in ``tmp_path``): the
    list of the file syncs it makes."""
    settings.REQUEST_LOG_WRITER = "background"
    settings.REQUEST_LOG_SPOOL_DIR = str(tmp_path)
    synced = []
    real = os.fdatasync
    monkeypatch.setattr(spool_module.os, "fdatasync", lambda fd: synced.append(fd) or real(fd))
    spool.cache_clear()
    yield synced
    spool().store = MemoryStore()  # the thread would store into this test's tables
    spool.cache_clear()
