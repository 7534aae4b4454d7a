"""``workers.producer``: the result producer's options (its deliveries are proven against a
real broker in tests/integration/)."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from claimscrub.workers.runtime.producer import REQUEST_HEADROOM_BYTES, producer_options
from claimscrub.workers.settings import Settings


def test_the_result_producer_is_idempotent_with_acks_all_and_the_worker_security() -> None:
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS="a:9092,b:9092",
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
        KAFKA_SASL_USERNAME="svc",
        KAFKA_SASL_PASSWORD="secret",
        CLAIMSCRUB_MAX_RESULT_BYTES=200_000,
    )

    options = producer_options(settings)

    assert options["bootstrap_servers"] == "a:9092,b:9092"
    assert (options["acks"], options["enable_idempotence"]) == ("all", True)
    assert options["client_id"] == "claimscrub"
    assert options["max_request_size"] == 200_000 + REQUEST_HEADROOM_BYTES
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("svc", "secret")
    assert options["ssl_context"] is not None


async def test_aiokafka_accepts_every_option() -> None:
    producer = AIOKafkaProducer(**producer_options(Settings(KAFKA_BOOTSTRAP_SERVERS="a:1")))
    await producer.stop()
