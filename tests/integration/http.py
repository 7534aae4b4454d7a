"""A plain HTTP client for the worker's endpoint (stdlib, in a thread: no extra test
dependency)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Any


async def get(url: str, timeout_s: float = 5.0) -> tuple[int, bytes]:
    """(status, body); a refused connection is status 0."""

    def fetch() -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            return 0, b""

    return await asyncio.to_thread(fetch)


async def get_json(url: str) -> tuple[int, dict[str, Any]]:
    status, body = await get(url)
    return status, json.loads(body) if body else {}


async def wait_for_status(url: str, status: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while (got := (await get(url))[0]) != status:
        if time.monotonic() > deadline:
            msg = f"{url} answered {got}, not {status}, for {timeout_s} s"
            raise TimeoutError(msg)
        await asyncio.sleep(0.2)
