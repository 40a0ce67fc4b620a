"""Runs of the benchmark combined into medians and spreads, and the noise guard,
on results made up here (no server, no database)."""

import datetime

from bench.rounds import combine, judge_noise, spread_pct
from bench.run import evaluate, render


def load(rps, non_2xx=0.0, **extra):
    return {
        "rps": rps,
        "latency_us": {"p50": 2000, "p99": 9000},
        "non_2xx_share": non_2xx,
        "requests": int(rps * 3),
        **extra,
    }


def made_up_run(bare=2000.0, check=900.0, update_non_2xx=0.0, pdf_status=200, pid=101):
    """One run's results, in the shape ``measure_round`` returns."""
    started = datetime.datetime(2026, 12, 6, 15, int(bare) % 60, tzinfo=datetime.UTC)
    return {
        "gateway": {
            "bare": load(bare),
            "plain": load(400.0),
            "update": load(600.0, update_non_2xx, settled=600, first_index=1, started_at=started),
            "check": load(check),
        },
        "gateway_log_rows_when_load_ended": 2300,
        "gateway_log_rows": 2420,
        "gateway_log_rows_complete": True,
        "check_without_request_log": load(930.0),
        "update_without_outbox": load(700.0, first_index=601, started_at=started),
        "events": {
            "relay_tasks_queued": 600,
            "events": 1200,
            "delivered": 1200,
            "bad_signatures": 0,
            "deliveries_succeeded": 1200,
            "seconds": 20.0,
            "events_per_second": 60.0,
            "complete": True,
        },
        "reports": {
            label: {
                "id": 7,
                "orders": orders,
                "lines": orders * 3,
                "seconds": seconds,
                "samples_s": [seconds, seconds + 0.1],
                "queries": 8,
                "queries_each": [8, 8],
            }
            for label, orders, seconds in (("tenth", 1000, 0.1), ("all", 10000, 1.0))
        },
        "get_all_billing": {
            "status": 200,
            "first_byte_s": 0.03,
            "last_byte_s": 2.0,
            "bytes": 1000,
            "rows": 20000,
            "complete": True,
            "expected_rows": 20000,
            "worker_peak_mib": 90.5,
            "workers_peak_mib": {pid: 90.5, pid + 1: 60.0},
        },
        "downloads": {
            name: {
                "status": pdf_status if name == "pdf_20000" else 200,
                "last_byte_s": seconds,
                "bytes": 5000,
                "samples_s": [seconds] * repeat,
                "lines": lines,
            }
            for name, seconds, repeat, lines in (
                ("csv_all", 3.0, 1, 30000),
                ("pdf_all", 11.0, 1, 30000),
                ("pdf_5000", 0.1, 7, 5001),
                ("pdf_20000", 0.4, 7, 20001),
            )
        },
    }


def machine(runs):
    return {
        "cpus": 2,
        "suite": {"before": [0.5, 0.4, 0.3], "after": [2.5, 1.9, 1.1]},
        "runs": [{"before": [1.0, 0.8, 0.5], "after": [2.0, 1.5, 0.9]}] * runs,
    }


def judged(runs):
    medians, spreads = combine(runs)
    evaluation = judge_noise(evaluate(medians, runs), spreads, machine(len(runs)))
    report = {**evaluation, "results": medians, "spreads": spreads, "runs": runs}
    return {**report, "machine": machine(len(runs)), "warnings": []}


def results_of(report):
    return {target["target"]: target["result"] for target in report["targets"]}


def test_the_spread_is_the_range_over_the_median_in_percent():
    assert spread_pct([90.0, 100.0, 120.0]) == 30.0
    assert spread_pct([5, 5]) == 0.0
    assert spread_pct([7.5]) is None  # one run: no spread
    assert spread_pct([0.0, 0.0, 0.01]) is None  # a zero median: no share of it


def test_numbers_are_medians_with_spreads_in_the_same_shape():
    runs = [
        {"a": {"rps": 100.0, "count": 10, "ok": True, "tag": "x", "at": 1.5, "list": [1]}},
        {"a": {"rps": 120.0, "count": 13, "ok": False, "tag": "x", "at": 2.5, "list": [2]}},
        {"a": {"rps": 90.0, "count": 11, "ok": True, "tag": "x", "at": 3.5, "list": [3]}},
        {"a": {"rps": 110.0, "count": 12, "ok": True, "tag": "x", "at": 4.5, "list": [4]}},
    ]
    medians, spreads = combine(runs)
    assert medians == {
        # floats: the median; whole numbers: the lower middle one, a run's own
        "a": {"rps": 105.0, "count": 11, "ok": False, "tag": "x", "at": 3.0, "list": [1, 2, 3, 4]}
    }
    # (max - min) / the median, 11.5 for the counts
    assert spreads == {"a": {"rps": 28.6, "count": 26.1, "at": 100.0}}


def test_what_differs_between_runs_and_is_no_number_is_kept_from_every_run():
    # Text that differs, and the workers' peaks keyed by pid (other pids each run).
    runs = [{"who": "a", "pids": {1: 5.0}}, {"who": "b", "pids": {2: 6.0}}]
    medians, spreads = combine(runs)
    assert medians == {"who": ["a", "b"], "pids": [{1: 5.0}, {2: 6.0}]}
    assert spreads == {}


def test_a_single_run_is_its_own_median_without_spreads():
    run = made_up_run()
    medians, spreads = combine([run])
    assert medians == run
    assert spreads == {}


def test_a_quiet_machine_reports_pass_on_the_medians():
    report = judged([made_up_run(bare=2000.0), made_up_run(bare=2100.0), made_up_run(1950.0)])
    assert report["noise"]["noisy"] is False
    assert report["noise"]["bare_rps_spread_pct"] == 7.5
    assert report["ratios"]["check_vs_bare"] == 0.45  # 900 / the median 2000
    assert set(results_of(report).values()) == {"PASS"}


def test_a_noisy_machine_reports_noisy_instead_of_pass_and_still_fails():
    # The bare view moved by 25 % between runs; checkPaymentStatus fails its target.
    runs = [made_up_run(bare=2000.0, check=300.0), made_up_run(bare=2500.0, check=300.0)]
    report = judged(runs)
    noise = report["noise"]
    assert noise["noisy"] is True
    assert noise["bare_rps_spread_pct"] == 22.2
    assert "the machine was noisy" in noise["text"]
    assert "22.2%" in noise["text"]
    assert "run 2: 1.00, 0.80, 0.50 → 2.00, 1.50, 0.90" in noise["text"]
    results = results_of(report)
    assert results["checkPaymentStatus req/s ≥ 0.4 x bare (a)"] == "FAIL"
    assert results["getAllBilling worker peak ≤ 100 MiB in every run"] == "NOISY"
    assert set(results.values()) == {"NOISY", "FAIL"}
    assert "| NOISY |" in render(report)


def with_database_limits(run, per_lookup_us, all_billing_s):
    run["database_limits"] = {
        "check_lookups": {"lookups": 5000, "seconds": 1.5, "per_lookup_us": per_lookup_us},
        "all_billing": {"statements": 402, "rows": 20000, "seconds": all_billing_s},
    }
    return run


def test_the_databases_own_time_moving_is_noise_though_the_bare_view_held():
    # The bare view held its pace (2.5 %) while the same statements, run by the
    # mariadb client, took half as long again in one run: the machine moved.
    quiet = [with_database_limits(made_up_run(bare=b), 300.0, 2.0) for b in (2000.0, 2050.0)]
    assert judged(quiet)["noise"]["noisy"] is False
    assert "; the database's own time for getAllBilling: 0.0%" in judged(quiet)["noise"]["text"]
    runs = [
        with_database_limits(made_up_run(bare=2000.0), 300.0, 2.0),
        with_database_limits(made_up_run(bare=2050.0), 310.0, 3.0),
    ]
    report = judged(runs)
    assert report["noise"]["noisy"] is True
    assert "the database's own time for getAllBilling 40.0%" in report["noise"]["text"]
    assert "lookups" not in report["noise"]["text"].split("(over")[0]  # 3.3 %: within
    assert set(results_of(report).values()) == {"NOISY"}


def test_a_single_run_has_no_spread_and_reports_as_it_did():
    report = judged([made_up_run()])
    assert report["noise"] == {
        "runs": 1,
        "bare_rps_spread_pct": None,
        "reference_spreads_pct": {
            "the bare view's req/s": None,
            "the database's own time for the lookups": None,
            "the database's own time for getAllBilling": None,
        },
        "noisy": False,
        "text": "single run, spread unknown",
    }
    assert set(results_of(report).values()) == {"PASS"}
    text = render(report)
    assert "single run, spread unknown" in text
    assert "| (a) bare Django view | 2000.0 | 2.0 | 9.0 | 0.00% |" in text


def test_one_bad_run_fails_though_the_median_is_sound():
    runs = [made_up_run(), made_up_run(update_non_2xx=0.4, pdf_status=500), made_up_run()]
    medians, _ = combine(runs)
    assert medians["gateway"]["update"]["non_2xx_share"] == 0.0
    results = results_of(judged(runs))
    assert results["every load run answers 2xx"] == "FAIL"
    assert results["PDF of 20,001 lines ≤ 0.5 s"] == "FAIL"
    assert results["report of 10,000 orders ≤ 1.5 s"] == "PASS"


def test_get_all_billing_must_hold_its_limits_in_every_run():
    runs = [made_up_run(), made_up_run(), made_up_run()]
    runs[2]["get_all_billing"].update(last_byte_s=25.2, first_byte_s=0.3, worker_peak_mib=130.0)
    results = results_of(judged(runs))
    assert results["getAllBilling (all rows) ≤ 2.5 s in every run"] == "FAIL"
    assert results["getAllBilling first byte ≤ 0.1 s in every run"] == "FAIL"
    assert results["getAllBilling worker peak ≤ 100 MiB in every run"] == "FAIL"
    assert results["checkPaymentStatus req/s ≥ 0.4 x bare (a)"] == "PASS"


def test_update_and_the_request_log_have_targets_of_their_own():
    run = made_up_run()
    run["gateway"]["update"]["rps"] = 400.0  # 0.2 x bare
    run["check_without_request_log"]["rps"] = 1000.0  # the log costs 10 %
    results = results_of(judged([run]))
    assert (
        results["updatePaymentStatus req/s ≥ 0.25 x bare (a), each settling an invoice"] == "FAIL"
    )
    assert results["request log costs ≤ 5% of checkPaymentStatus req/s"] == "FAIL"


def test_the_table_shows_medians_spreads_and_load_averages():
    runs = [made_up_run(bare=2000.0, pid=101), made_up_run(bare=2200.0, pid=201)]
    runs[1]["get_all_billing"]["last_byte_s"] = 2.4
    text = render(judged(runs))
    assert "| (a) bare Django view | 2100.0 (9.5%) | 2.0 (0.0%) | 9.0 (0.0%) |" in text
    assert "last byte 2.2 s (18.2%)" in text
    assert "| run 2 | 1.00, 0.80, 0.50 | 2.00, 1.50, 0.90 |" in text
    assert "| suite | 0.50, 0.40, 0.30 | 2.50, 1.90, 1.10 |" in text
    assert "2 runs on the same data: each figure is their median" in text
    assert "spread over 2 runs is 9.5%, within 15%." in text
