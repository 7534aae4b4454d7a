"""workers.backoff: delays double per consecutive failure within [d/2, d], stop at the cap,
start over after a success; a pause ends early when the worker stops."""

from __future__ import annotations

import random
import time

from claimscrub.workers.runtime.backoff import Backoff, pause


def test_delays_double_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(initial_s=0.5, cap_s=30.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    ceilings = [min(30.0, 0.5 * 2**n) for n in range(12)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert max(delays) <= 30.0
    assert backoff.failures == 12


def test_workers_failing_together_do_not_retry_together() -> None:
    delays = {round(Backoff(1.0, 30.0).next_delay(), 6) for _ in range(20)}
    assert len(delays) > 1


def test_a_success_starts_over() -> None:
    backoff = Backoff(initial_s=1.0, cap_s=60.0)
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert 0.5 <= backoff.next_delay() <= 1.0


def test_a_long_outage_does_not_overflow() -> None:
    backoff = Backoff(initial_s=0.5, cap_s=30.0, failures=10_000)
    assert 15.0 <= backoff.next_delay() <= 30.0


async def test_a_pause_ends_when_the_worker_stops() -> None:
    calls = iter([True, True, False])
    started = time.monotonic()
    await pause(30.0, lambda: next(calls))
    assert time.monotonic() - started < 1.0


async def test_a_pause_lasts_its_time_while_running() -> None:
    started = time.monotonic()
    await pause(0.25, lambda: True)
    assert 0.25 <= time.monotonic() - started < 1.0
