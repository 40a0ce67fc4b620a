"""Logout under a production server with four workers and a private Redis: the
revoked access token is refused by every worker within PERMISSIONS_LOCAL_SECONDS;
with Redis stopped, the deny-list's check is never a 500."""

import time
from collections import Counter

from billing_site.testing import PRODUCTION_ENV, http_call, serve

CHECK = {"orderID": 4499494, "billingNumber": 333333}


def test_a_logged_out_token_is_refused_everywhere_and_redis_down_is_no_500(tmp_path, redis_server):
    env = {
        **PRODUCTION_ENV,
        "REDIS_URL": redis_server.url,
        "REDIS_BREAKER_SECONDS": "2",
    }
    with serve(tmp_path, workers=4, **env) as server:

        def pair():
            status, body = http_call(
                f"{server.base}/api/auth/token/", {"username": "admin", "password": "password"}
            )
            assert status == 200, body
            return body

        def statuses(token, n=40):
            return Counter(
                http_call(f"{server.base}/checkPaymentStatus", CHECK, token)[0] for _ in range(n)
            )

        out, kept = pair(), pair()
        assert statuses(out["access"]) == {200: 40}  # every worker verified and kept it
        status, _ = http_call(
            f"{server.base}/api/auth/logout/", {"refresh": out["refresh"]}, out["access"]
        )
        assert status == 200
        soon = statuses(out["access"])
        time.sleep(1.2)  # PERMISSIONS_LOCAL_SECONDS
        later = statuses(out["access"])
        print(f"logout: at once {dict(soon)}, after 1.2 s {dict(later)}")
        assert later == {401: 40}
        assert statuses(kept["access"]) == {200: 40}

        redis_server.stop()
        down_out, down_kept = statuses(out["access"]), statuses(kept["access"])
        print(f"redis stopped: logged-out token {dict(down_out)}, other {dict(down_kept)}")
        assert 500 not in down_out and 500 not in down_kept
        assert set(down_out) <= {401, 503}  # each worker remembers a revoked token
