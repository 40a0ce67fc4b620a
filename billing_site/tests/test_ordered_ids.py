"""Request and event ids sort in the order they were made: across milliseconds,
within one, and when the clock steps back."""

import itertools
import os
import re
import threading
import time

import pytest

from billing_site import ordered_ids
from billing_site.ordered_ids import OrderedIds
from events.models import new_event_id


@pytest.fixture
def clock(monkeypatch):
    """The milliseconds ``time.time_ns`` gives, set by the test."""
    now = [1_700_000_000_000]
    monkeypatch.setattr(ordered_ids.time, "time_ns", lambda: now[0] * 1_000_000)
    return now


def test_ids_begin_with_the_milliseconds_and_sort_across_them(clock):
    ids = OrderedIds(random_bits=80)
    made = []
    times = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000]
    for clock[0] in times:
        made.append(ids())
    assert all(re.fullmatch(r"[0-9a-f]{32}", one) for one in made)
    assert [int(one[:12], 16) for one in made] == times
    assert made == sorted(made)


def test_ids_of_one_millisecond_sort_in_the_order_they_were_made(clock):
    ids = OrderedIds(random_bits=48)
    made = [ids() for _ in range(2000)]
    assert made == sorted(made) and len(set(made)) == 2000
    assert made[0][:12] == f"{clock[0]:012x}"


def test_ids_keep_their_order_when_the_clock_steps_back(clock):
    ids = OrderedIds(random_bits=48)
    before = ids()
    clock[0] -= 5_000
    after = ids()
    # A step up from the last id, random so that the next id is not guessable from it.
    assert 1 <= int(after, 16) - int(before, 16) <= 1 << 24
    made = [int(ids(), 16) for _ in range(50)]
    steps = [later - earlier for earlier, later in itertools.pairwise(made)]
    assert min(steps) >= 1 and len(set(steps)) > 40


def test_threads_making_ids_at_once_get_distinct_ones(clock):
    ids = OrderedIds(random_bits=48)
    made: list[str] = []

    def make():
        made.extend(ids() for _ in range(500))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 2000


def test_event_ids_made_in_one_millisecond_sort_in_the_order_they_were_made(clock):
    made = [new_event_id() for _ in range(100)]
    assert all(re.fullmatch(r"evt_[0-9a-f]{24}", one) for one in made)
    assert made == sorted(made)


def test_a_child_forked_while_its_parent_makes_an_id_makes_its_own():
    ids = OrderedIds(random_bits=48)
    with ids._lock:  # as if another thread were making an id when the process forked
        child = os.fork()
        if child == 0:
            os._exit(0 if re.fullmatch(r"[0-9a-f]{24}", ids()) else 1)
    deadline = time.monotonic() + 10
    while (done := os.waitpid(child, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if done[0] == 0:
        os.kill(child, 9)
        os.waitpid(child, 0)
    assert done[0] == child and os.waitstatus_to_exitcode(done[1]) == 0
