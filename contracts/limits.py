"""How large a message and a result may be: the limits and their defaults, in one place
(``CLAIMSCRUB_MAX_MESSAGE_BYTES`` and ``CLAIMSCRUB_MAX_RESULT_BYTES`` override them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits in bytes, and their defaults (the one place they are written): a larger
    message is dead-lettered; a larger result (value plus key) is replaced by a dead letter
    that fits. The result limit is below the broker's default ``message.max.bytes``
    (1,048,588 per record batch) with room for the key, headers and the batch overhead."""

    message_bytes: int = 1_000_000
    result_bytes: int = 1_000_000
