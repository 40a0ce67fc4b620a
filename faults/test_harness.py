"""The harness itself: a production server on a private MariaDB and Redis answers,
and what the tests do to those instances stays with them."""

from billing_site.testing import PRODUCTION_ENV, http_call, serve


def test_a_production_server_runs_on_private_instances(tmp_path, mariadb, redis_server):
    env = {**PRODUCTION_ENV, "DATABASE_URL": mariadb.url, "REDIS_URL": redis_server.url}
    with serve(tmp_path, workers=2, **env) as server:
        status, body = http_call(
            f"{server.base}/checkPaymentStatus",
            {"orderID": 4499494, "billingNumber": 333333},
            server.token,
        )
        assert status == 200, body
        assert len(server.worker_pids()) == 2
        print(f"harness: 2 workers on MariaDB port {mariadb.port}, Redis port {redis_server.port}")
