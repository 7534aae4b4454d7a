"""``workers.runtime.pipeline.route`` without a broker: the topics, source position and
engine the routing, limits and metrics tests share, and an engine that fails."""

from __future__ import annotations

from datetime import datetime

from claimscrub.contracts import ClaimScrubbed, MessageSource, Submission
from claimscrub.scrubbers import default_engine
from claimscrub.workers.settings import Topics

TOPICS = Topics(submitted="s", passed="p", fix_suggested="f", hold="h", invalid="i")
SOURCE = MessageSource(topic="claims.submitted", partition=2, offset=41, key="k")
ENGINE = default_engine()


class Exploding:
    """An engine that fails as a careless rule might: quoting the patient."""

    def scrub(self, submission: Submission, scrubbed_at: datetime) -> ClaimScrubbed:
        raise KeyError(submission.document["patient"]["last_name"])
