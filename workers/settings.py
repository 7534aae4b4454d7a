"""Worker configuration from the environment (12-factor), and its mapping to FastStream.

Every knob is an environment variable so the same image runs against the local broker, a
test broker with per-test topic names, and a managed cluster with SASL/TLS. Defaults match
docs/contract.md's topic names.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from claimscrub.contracts import Limits, Outcome

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_SASL: dict[SaslMechanism, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


RoutedOutcome = Outcome | Literal["invalid"]
BUNDLE_FILE = "bundle.json"  # what `claimscrub data import` writes into CLAIMSCRUB_DATA_DIR


@dataclass(frozen=True, slots=True)
class Topics:
    """The worker's topics: the one value every caller (worker, CLI, demo, docs, bench,
    tests) takes from ``Settings.topics()``."""

    submitted: str
    passed: str
    fix_suggested: str
    hold: str
    invalid: str

    def for_outcome(self, outcome: RoutedOutcome) -> str:
        if outcome == "pass":
            return self.passed
        if outcome == "fix_suggested":
            return self.fix_suggested
        return self.hold if outcome == "hold" else self.invalid

    @property
    def outcomes(self) -> dict[Outcome, str]:
        """The three outcome topics of a scrubbed claim."""
        return {"pass": self.passed, "fix_suggested": self.fix_suggested, "hold": self.hold}

    @property
    def results(self) -> list[str]:
        """Every topic the worker writes to: the three outcomes and the dead letter."""
        return [self.passed, self.fix_suggested, self.hold, self.invalid]

    def by_short_name(self, name: str) -> list[str]:
        """``results`` is all four result topics; other short names one topic each."""
        if name == "results":
            return self.results
        named = {
            "submitted": self.submitted,
            "pass": self.passed,
            "fix-suggested": self.fix_suggested,
            "hold": self.hold,
            "invalid": self.invalid,
        }
        return [named[name]] if name in named else [name]


class Settings(BaseSettings):
    """One worker's configuration; field names are the environment variable names."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    KAFKA_BOOTSTRAP_SERVERS: str = "localhost:9092"
    KAFKA_SECURITY_PROTOCOL: SecurityProtocol = "PLAINTEXT"
    KAFKA_SASL_MECHANISM: SaslMechanism = "PLAIN"
    KAFKA_SASL_USERNAME: str | None = None
    KAFKA_SASL_PASSWORD: SecretStr | None = None
    KAFKA_SSL_CAFILE: str | None = None
    KAFKA_SSL_CERTFILE: str | None = None
    KAFKA_SSL_KEYFILE: str | None = None

    CLAIMSCRUB_TOPIC_SUBMITTED: str = "claims.submitted"
    CLAIMSCRUB_TOPIC_PASS: str = "claims.scrub.pass"
    CLAIMSCRUB_TOPIC_FIX_SUGGESTED: str = "claims.scrub.fix-suggested"
    CLAIMSCRUB_TOPIC_HOLD: str = "claims.scrub.hold"
    CLAIMSCRUB_TOPIC_INVALID: str = "claims.scrub.invalid"
    CLAIMSCRUB_GROUP_ID: str = "claimscrub"
    CLAIMSCRUB_LOG_LEVEL: LogLevel = "INFO"
    CLAIMSCRUB_BATCH_MAX_RECORDS: int = Field(500, ge=1, le=10_000)
    # How long a poll gathers records: the consumer's fetch waits this long unless a backlog
    # fills it, and after an empty poll FastStream sleeps as long again, so it is latency
    # added to claims at a moderate rate (docs/performance.md: at 100 claims/s, p50 was
    # 261 ms with 200; with 10 it is 18 ms).
    CLAIMSCRUB_BATCH_TIMEOUT_MS: int = Field(10, ge=1, le=60_000)
    # Delivery (workers/runtime/app.py, docs/reliability.md): a batch whose results failed to
    # publish is redone after a backoff doubling from INITIAL to MAX; SIGTERM waits up to
    # SHUTDOWN_TIMEOUT for the batch in hand; a crashed worker's partitions move after
    # SESSION_TIMEOUT.
    CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S: float = Field(0.5, ge=0, le=60)
    CLAIMSCRUB_RETRY_BACKOFF_MAX_S: float = Field(30.0, ge=0, le=240)
    CLAIMSCRUB_SHUTDOWN_TIMEOUT_S: float = Field(20.0, gt=0, le=600)
    CLAIMSCRUB_SESSION_TIMEOUT_MS: int = Field(10_000, ge=1_000, le=300_000)
    # Size limits in bytes (value, or value plus key for results): a larger message is
    # dead-lettered; a larger result is replaced by a dead letter that fits.
    CLAIMSCRUB_MAX_MESSAGE_BYTES: int = Field(Limits().message_bytes, ge=1, le=100_000_000)
    CLAIMSCRUB_MAX_RESULT_BYTES: int = Field(Limits().result_bytes, ge=10_000, le=100_000_000)
    # Operations: /metrics, /healthz and /readyz on one port (0.0.0.0 so a container's
    # port mapping reaches it); OpenTelemetry tracing off unless asked for.
    CLAIMSCRUB_HTTP_HOST: str = "0.0.0.0"
    CLAIMSCRUB_HTTP_PORT: int = Field(9108, ge=1, le=65_535)
    CLAIMSCRUB_TRACING: bool = False
    # Reference data: a directory written by `claimscrub data import` (its bundle.json: a
    # newer quarter's CMS tables); unset, the bundle shipped with the package.
    CLAIMSCRUB_DATA_DIR: str | None = None

    @model_validator(mode="after")
    def _sasl_has_credentials(self) -> Settings:
        if self.KAFKA_SECURITY_PROTOCOL.startswith("SASL_") and not (
            self.KAFKA_SASL_USERNAME and self.KAFKA_SASL_PASSWORD
        ):
            msg = (
                f"KAFKA_SECURITY_PROTOCOL={self.KAFKA_SECURITY_PROTOCOL} needs "
                "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
            )
            raise ValueError(msg)
        return self

    def topics(self) -> Topics:
        return Topics(
            submitted=self.CLAIMSCRUB_TOPIC_SUBMITTED,
            passed=self.CLAIMSCRUB_TOPIC_PASS,
            fix_suggested=self.CLAIMSCRUB_TOPIC_FIX_SUGGESTED,
            hold=self.CLAIMSCRUB_TOPIC_HOLD,
            invalid=self.CLAIMSCRUB_TOPIC_INVALID,
        )

    def cms_bundle(self) -> Path | None:
        """The CMS bundle the engine loads: ``CLAIMSCRUB_DATA_DIR``'s, else the shipped one."""
        if self.CLAIMSCRUB_DATA_DIR is None:
            return None
        return Path(self.CLAIMSCRUB_DATA_DIR) / BUNDLE_FILE

    def limits(self) -> Limits:
        return Limits(
            message_bytes=self.CLAIMSCRUB_MAX_MESSAGE_BYTES,
            result_bytes=self.CLAIMSCRUB_MAX_RESULT_BYTES,
        )

    def with_topic_prefix(self, prefix: str) -> Settings:
        """These settings with every topic and the consumer group under ``prefix.``: for
        the demo, the bench and the tests, which must never touch a deployment's names."""
        names = (
            "CLAIMSCRUB_TOPIC_SUBMITTED",
            "CLAIMSCRUB_TOPIC_PASS",
            "CLAIMSCRUB_TOPIC_FIX_SUGGESTED",
            "CLAIMSCRUB_TOPIC_HOLD",
            "CLAIMSCRUB_TOPIC_INVALID",
            "CLAIMSCRUB_GROUP_ID",
        )
        return self.model_copy(update={name: f"{prefix}.{getattr(self, name)}" for name in names})

    def security(self) -> BaseSecurity | None:
        """The FastStream security object for ``KafkaBroker(security=...)``."""
        protocol = self.KAFKA_SECURITY_PROTOCOL
        context = self._ssl_context() if protocol in ("SSL", "SASL_SSL") else None
        if protocol == "PLAINTEXT":
            return None
        if protocol == "SSL":
            return BaseSecurity(ssl_context=context, use_ssl=True)
        # Both present: the validator refuses SASL without them.
        assert self.KAFKA_SASL_USERNAME is not None
        assert self.KAFKA_SASL_PASSWORD is not None
        return _SASL[self.KAFKA_SASL_MECHANISM](
            username=self.KAFKA_SASL_USERNAME,
            password=self.KAFKA_SASL_PASSWORD.get_secret_value(),
            ssl_context=context,
            use_ssl=protocol == "SASL_SSL",
        )

    def _ssl_context(self) -> ssl.SSLContext:
        # aiokafka refuses SSL protocols without a context; the system CAs apply when no
        # KAFKA_SSL_CAFILE is given, a client certificate only when both files are.
        context: ssl.SSLContext = create_ssl_context(
            cafile=self.KAFKA_SSL_CAFILE,
            certfile=self.KAFKA_SSL_CERTFILE,
            keyfile=self.KAFKA_SSL_KEYFILE,
        )
        return context
