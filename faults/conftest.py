"""Fault tests (``make faults``): real gunicorn servers on a private MariaDB and a
private Redis, which the tests pause (SIGSTOP), kill and restart. Each case
prints what it counted."""

import pytest

from billing_site.faults import mariadb_available, private_mariadb, private_redis, redis_available

pytestmark = pytest.mark.faults


def pytest_collection_modifyitems(items):
    for item in items:
        if "/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.server)


@pytest.fixture
def mariadb(tmp_path):
    if not mariadb_available():
        pytest.skip("needs mariadbd and mariadb-install-db")
    with private_mariadb(tmp_path / "mariadb") as server:
        yield server


@pytest.fixture
def redis_server(tmp_path):
    if not redis_available():
        pytest.skip("needs redis-server")
    with private_redis(tmp_path / "redis") as server:
        yield server
