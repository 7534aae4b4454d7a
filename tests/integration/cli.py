"""The ``claimscrub`` command as an operator runs it: the installed script, configured only
through the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pydantic import SecretStr

from claimscrub.workers.settings import Settings

CLAIMSCRUB = Path(sys.executable).with_name("claimscrub")


def command_env(settings: Settings, **extra: str) -> dict[str, str]:
    """This process's environment but its own Kafka and claimscrub variables, ``settings``
    as the variables ``Settings()`` reads back, then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "CLAIMSCRUB_"))}
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):
            env[name] = value.get_secret_value()
        elif value is not None:
            env[name] = str(value)
    return {**env, **extra}
