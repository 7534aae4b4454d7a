"""workers.pipeline.route, workers.inputs and workers.settings: pure, no broker."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest
from faststream.security import BaseSecurity, SASLScram512
from pydantic import ValidationError

from claimscrub.workers.commands.claim_files import InputError, claim_key, read_records
from claimscrub.workers.runtime.pipeline import route
from claimscrub.workers.settings import Settings
from tests.claims import NOW
from tests.golden import golden_claims
from tests.workers.routing import ENGINE, SOURCE, TOPICS, Exploding

GOLDEN = golden_claims()


def test_a_valid_claim_is_routed_by_its_outcome_and_keyed_by_claim_id() -> None:
    claim = GOLDEN["nat-medicare-clean"]
    routed = route(orjson.dumps(claim), SOURCE, ENGINE, NOW, topics=TOPICS, raw_key=b"k")
    document = orjson.loads(routed.value)
    assert routed.topic == TOPICS.for_outcome(document["outcome"])
    assert routed.key == claim["claim_id"].encode()
    assert (routed.claim_id, routed.revision) == (claim["claim_id"], claim["revision"])
    assert document["schema"] == "claim.scrubbed/v1"


def test_the_same_bytes_give_the_same_result_event_id() -> None:
    raw = orjson.dumps(GOLDEN["nat-medicare-jz-missing"])
    first, again = (route(raw, SOURCE, ENGINE, NOW, topics=TOPICS) for _ in range(2))
    assert orjson.loads(first.value)["event_id"] == orjson.loads(again.value)["event_id"]


def test_non_utf8_bytes_become_a_base64_dead_letter_with_the_original_key() -> None:
    routed = route(b"\xff\xfe", SOURCE, ENGINE, NOW, topics=TOPICS, raw_key=b"\x00key")
    document = orjson.loads(routed.value)
    assert (routed.topic, routed.key, routed.outcome) == ("i", b"\x00key", "invalid")
    assert base64.b64decode(document["raw"]) == b"\xff\xfe"
    assert document["raw_encoding"] == "base64"
    assert document["source"] == SOURCE.model_dump()


def test_an_engine_exception_becomes_a_dead_letter_without_its_message() -> None:
    claim = GOLDEN["nat-medicare-clean"]
    routed = route(orjson.dumps(claim), SOURCE, Exploding(), NOW, topics=TOPICS, raw_key=b"k")
    document = orjson.loads(routed.value)
    (error,) = document["errors"]
    assert routed.topic == "i"
    assert routed.claim_id == claim["claim_id"]
    assert error["message"].startswith("engine error: KeyError; trace id ")
    assert claim["patient"]["last_name"] not in error["message"]
    assert document["raw"] == orjson.dumps(claim).decode()


def test_json_file_with_a_list_gives_one_record_per_claim(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_bytes(orjson.dumps([GOLDEN["nat-medicare-clean"], {"schema": "x"}]))
    records = read_records(str(path))
    assert [orjson.loads(r) for r in records] == [GOLDEN["nat-medicare-clean"], {"schema": "x"}]


def test_jsonl_keeps_a_broken_line_as_a_record(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_bytes(orjson.dumps(GOLDEN["nat-crohns"]) + b"\n{broken\n\n")
    assert read_records(str(path))[1] == b"{broken"
    assert len(read_records(str(path))) == 2


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_records(str(tmp_path / "absent.json"))


def test_claim_key_is_the_claim_id_when_there_is_one() -> None:
    assert claim_key(b'{"claim_id": "CLM-1"}') == b"CLM-1"
    assert claim_key(b"{not json") is None
    assert claim_key(b'["CLM-1"]') is None


def test_security_maps_to_faststream_objects() -> None:
    assert Settings(KAFKA_SECURITY_PROTOCOL="PLAINTEXT").security() is None
    ssl = Settings(KAFKA_SECURITY_PROTOCOL="SSL").security()
    assert isinstance(ssl, BaseSecurity)
    assert ssl.use_ssl
    assert ssl.ssl_context is not None
    scram = Settings(
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
        KAFKA_SASL_USERNAME="svc",
        KAFKA_SASL_PASSWORD="secret",
    ).security()
    assert isinstance(scram, SASLScram512)
    assert (scram.username, scram.password, scram.use_ssl) == ("svc", "secret", True)


def test_sasl_without_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME"):
        Settings(KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT")


def test_the_password_does_not_show_in_the_settings_repr() -> None:
    settings = Settings(
        KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT", KAFKA_SASL_USERNAME="u", KAFKA_SASL_PASSWORD="pw"
    )
    assert "pw" not in repr(settings)
