"""Exponential backoff with jitter and a cap, for redoing a batch whose results failed to
publish.

A failed publish is almost always the broker (an outage, a leader election, a full
request queue), and every worker of the group meets it at once: a fixed pause would send
them all back together, an uncapped exponential would leave a healed cluster idle for
minutes. So the delay doubles per consecutive failure up to ``cap_s``, and each delay is
drawn from its upper half ("equal jitter"), which keeps a floor while spreading workers.
A success resets it.

The pause ends early when the worker is stopping (``running()`` turns false), so a SIGTERM
during an outage is not held up by a 30-second sleep; the batch then stays uncommitted.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# How often a pause checks whether the worker is stopping; a shutdown waits at most this.
_STOP_POLL_S = 0.1


@dataclass(slots=True)
class Backoff:
    initial_s: float
    cap_s: float
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        """Count one more consecutive failure and return the seconds to wait before the
        next attempt: uniform in [d/2, d] with d = min(cap, initial * 2**(failures-1))."""
        self.failures += 1
        ceiling = min(self.cap_s, self.initial_s * 2 ** min(self.failures - 1, 62))
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0


async def pause(seconds: float, running: Callable[[], bool]) -> None:
    """Sleep ``seconds``, or less if ``running()`` turns false meanwhile."""
    deadline = time.monotonic() + seconds
    while running() and (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(left, _STOP_POLL_S))
