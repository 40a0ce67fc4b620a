"""Email backends for tests: Django's locmem backend, slowed down, counting
how many sends were in flight at once (threads share ``mail.outbox``)."""

import threading
import time

from django.core.mail.backends.locmem import EmailBackend


class SlowBackend(EmailBackend):
    seconds = 0.5
    lock = threading.Lock()
    in_flight = 0
    most_in_flight = 0

    @classmethod
    def reset(cls) -> None:
        cls.in_flight = cls.most_in_flight = 0

    def send_messages(self, messages):
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        try:
            time.sleep(cls.seconds)
            with cls.lock:
                return super().send_messages(messages)
        finally:
            with cls.lock:
                cls.in_flight -= 1
