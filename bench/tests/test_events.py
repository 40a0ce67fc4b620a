"""The outbox-cost server's stand-in for ``event_emit`` takes what the real one
takes: a call it refused would fail every settlement of that load."""

import inspect
import sys

import pytest

from bench.events import drop_every_event


@pytest.fixture
def restored():
    modules = {
        name: module.event_emit
        for name, module in list(sys.modules.items())
        if hasattr(module, "event_emit")
    }
    yield
    for name, real in modules.items():
        sys.modules[name].event_emit = real


def test_the_dropped_event_emit_takes_the_real_ones_arguments(restored):
    from events import services
    from invoices import events as invoice_events

    real = services.event_emit
    drop_every_event()
    dropped = invoice_events.event_emit
    assert dropped is not real
    assert inspect.signature(dropped).parameters.keys() == inspect.signature(real).parameters.keys()
    assert dropped(type="invoice.paid", data={}, customer_id=1, subject=object()) is None
