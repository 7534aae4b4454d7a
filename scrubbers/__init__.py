"""Pure claim rules: reference data in, findings and fixes out. No I/O, no Kafka."""

from claimscrub.scrubbers.engine import Engine, FixBrokeContract
from claimscrub.scrubbers.rulebook import default_engine

__all__ = ["Engine", "FixBrokeContract", "default_engine"]
