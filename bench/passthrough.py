"""The yardstick: consume and republish with aiokafka alone, no validation, no rules.

Same delivery discipline as the worker (batches, idempotent producer with acks=all, commit
after every send of the batch is acknowledged), so the ratio measures our work, not a
weaker guarantee. Run as ``python -m claimscrub.bench.passthrough IN OUT GROUP`` with
``KAFKA_BOOTSTRAP_SERVERS`` set; it runs until terminated.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def passthrough(source: str, target: str, group: str) -> None:
    servers = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await consumer.start()
    await producer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            records = [record for batch in batches.values() for record in batch]
            if not records:
                continue
            sent = [await producer.send(target, r.value, key=r.key) for r in records]
            await asyncio.gather(*sent)
            await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


if __name__ == "__main__":
    asyncio.run(passthrough(*sys.argv[1:4]))
