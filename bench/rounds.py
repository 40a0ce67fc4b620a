"""The benchmark's runs (``BENCH_RUNS`` rounds of every measurement on the same data):
their figures as medians and spreads, the machine's load, and the noise guard that
withholds PASS when the machine was too noisy to tell."""

import os
import statistics

# The bare view's req/s may move this much between rounds (max - min, as a share
# of the median) before a PASS stops meaning anything.
NOISE_LIMIT_PCT = 15


def load_average() -> list[float]:
    """The machine's load average over 1, 5 and 15 minutes."""
    return [round(value, 2) for value in os.getloadavg()]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def spread_pct(values: list) -> float | None:
    """(max - min) ÷ median, in percent; None for a single value (or a zero median
    under values that differ)."""
    if len(values) < 2:
        return None
    low, high, middle = min(values), max(values), statistics.median(values)
    if low == high:
        return 0.0
    return round((high - low) / abs(middle) * 100, 1) if middle else None


def combine(rounds: list):
    """``(medians, spreads)`` of the rounds' results, which share one shape of nested
    dicts. Medians keep that shape: a number is the median of the rounds' (a whole
    number the lower middle one, so counts, codes and indexes stay a run's own), a
    flag holds if it held in every round, a list is every round's items, anything
    else the rounds' common value, or every round's where they differ (as does a
    dict whose keys differ, such as workers by pid). Spreads hold the numbers' spreads
    (``spread_pct``) in the same shape, without what has none (a single round)."""
    first = rounds[0]
    if all(isinstance(each, dict) and each.keys() == first.keys() for each in rounds):
        medians, spreads = {}, {}
        for key in first:
            medians[key], spread = combine([each[key] for each in rounds])
            if spread not in (None, {}):
                spreads[key] = spread
        return medians, spreads
    if all(_is_number(each) for each in rounds):
        if all(isinstance(each, int) for each in rounds):
            return statistics.median_low(rounds), spread_pct(rounds)
        return round(statistics.median(rounds), 4), spread_pct(rounds)
    if all(isinstance(each, bool) for each in rounds):
        return all(rounds), None
    if all(isinstance(each, list) for each in rounds):
        return [item for each in rounds for item in each], None
    return (first if all(each == first for each in rounds) else list(rounds)), None


def load_text(loads: list) -> str:
    return ", ".join(f"{value:.2f}" for value in loads)


def machine_text(machine: dict) -> str:
    """The load averages of the suite and of each round, in one line."""
    rounds = "; ".join(
        f"run {number}: {load_text(run['before'])} → {load_text(run['after'])}"
        for number, run in enumerate(machine["runs"], 1)
    )
    suite = machine["suite"]
    return (
        f"load average (1, 5, 15 min) on {machine['cpus']} CPUs, before → after: "
        f"suite {load_text(suite['before'])} → {load_text(suite['after'])}; {rounds}"
    )


# What moves with the machine and not with the code: the bare view, and the
# database's own time for the same statements (the mariadb client, when it ran).
# The bare view alone missed a machine whose heavier work slowed by half between
# runs while the bare view's few instructions kept their pace.
REFERENCES = {
    "the bare view's req/s": ("gateway", "bare", "rps"),
    "the database's own time for the lookups": (
        "database_limits",
        "check_lookups",
        "per_lookup_us",
    ),
    "the database's own time for getAllBilling": ("database_limits", "all_billing", "seconds"),
}


def _spread_at(spreads: dict, path: tuple):
    for key in path:
        spreads = spreads.get(key, {}) if isinstance(spreads, dict) else {}
    return spreads if _is_number(spreads) else None


def judge_noise(evaluation: dict, spreads: dict, machine: dict) -> dict:
    """``evaluation`` with a verdict on the noise: when a reference's spread over the
    rounds (``REFERENCES``: the bare view's req/s, unknown counting as over; the
    database's own times where measured) is above ``NOISE_LIMIT_PCT``, every target
    that passed is NOISY instead, since the machine, not the code, may have made
    it pass; a FAIL stays a FAIL. A single round has no spread to judge."""
    runs = len(machine["runs"])
    references = {name: _spread_at(spreads, path) for name, path in REFERENCES.items()}
    spread = references["the bare view's req/s"]
    over = {
        name: value
        for name, value in references.items()
        if (value is not None and value > NOISE_LIMIT_PCT)
        or (value is None and name == "the bare view's req/s")
    }
    noisy = runs > 1 and bool(over)
    if runs == 1:
        text = "single run, spread unknown"
    elif noisy:
        shown = ", ".join(
            f"{name} {'unknown' if value is None else f'{value}%'}" for name, value in over.items()
        )
        text = (
            f"NOISY: the machine was noisy, the spread over {runs} runs of {shown} "
            f"(over {NOISE_LIMIT_PCT}%), so no target is reported as passing; "
            f"{machine_text(machine)}"
        )
    else:
        others = "".join(
            f"; {name}: {value}%"
            for name, value in references.items()
            if value is not None and name != "the bare view's req/s"
        )
        text = (
            f"The bare view's req/s spread over {runs} runs is {spread}%, within "
            f"{NOISE_LIMIT_PCT}%{others}"
        )
    targets = [
        {**target, "result": "NOISY"} if noisy and target["result"] == "PASS" else target
        for target in evaluation["targets"]
    ]
    noise = {
        "runs": runs,
        "bare_rps_spread_pct": spread,
        "reference_spreads_pct": references,
        "noisy": noisy,
        "text": text,
    }
    return {**evaluation, "targets": targets, "noise": noise}
