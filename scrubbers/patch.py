"""The RFC 6902 patch from a submitted claim to its corrected version.

A fix changes a field or two, adds a JW line or removes one, so the walk goes down both
documents together and writes operations only where they differ: members by key, lists by
position after the equal head and tail are set aside, so an appended modifier is one ``add``
and a removed line one ``remove``. It is written here rather than with ``jsonpatch`` because
``JsonPatch.from_diff`` costs 75 µs even for two short lists and about 250 µs for a typical
fixed claim (docs/performance.md), more than all the rules of a round together; the tests
check every patch the engine makes by applying it with ``jsonpatch``.
"""

from __future__ import annotations

from typing import Any

Operation = dict[str, Any]


def claim_patch(before: Any, after: Any) -> list[Operation]:
    """Operations that turn ``before`` into ``after``, applied in order."""
    return _diff(before, after, "")


def _diff(before: Any, after: Any, path: str) -> list[Operation]:
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        return _object_diff(before, after, path)
    if isinstance(before, list) and isinstance(after, list):
        return _list_diff(before, after, path)
    return [{"op": "replace", "path": path, "value": after}]


def _object_diff(before: dict[str, Any], after: dict[str, Any], path: str) -> list[Operation]:
    operations: list[Operation] = []
    for key, value in before.items():
        member = _member(path, key)
        if key not in after:
            operations.append({"op": "remove", "path": member})
        else:
            operations.extend(_diff(value, after[key], member))
    for key, value in after.items():
        if key not in before:
            operations.append({"op": "add", "path": _member(path, key), "value": value})
    return operations


def _list_diff(before: list[Any], after: list[Any], path: str) -> list[Operation]:
    """Pairs the differing middles by position; the longer middle's rest is removed (from
    the back, so indices stay valid) or added."""
    head = _common_head(before, after)
    tail = _common_head(before[head:][::-1], after[head:][::-1])
    old, new = before[head : len(before) - tail], after[head : len(after) - tail]
    paired = min(len(old), len(new))
    operations = [
        operation
        for offset in range(paired)
        for operation in _diff(old[offset], new[offset], f"{path}/{head + offset}")
    ]
    operations.extend(
        {"op": "remove", "path": f"{path}/{head + offset}"}
        for offset in reversed(range(paired, len(old)))
    )
    operations.extend(
        {"op": "add", "path": f"{path}/{head + offset}", "value": new[offset]}
        for offset in range(paired, len(new))
    )
    return operations


def _common_head(first: list[Any], second: list[Any]) -> int:
    count = 0
    for left, right in zip(first, second, strict=False):
        if left != right:
            break
        count += 1
    return count


def _member(path: str, key: str) -> str:
    return f"{path}/{key.replace('~', '~0').replace('/', '~1')}"
