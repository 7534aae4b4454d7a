"""What a rule returns: a finding, and for ``fix`` findings the correction that makes it go.

Corrections are small edits of the claim document addressed by line number, applied to the
claim as corrected so far: ``apply`` returns False when its target is gone, and the engine
then drops the fix and does not report it (RULES.md, "How the engine runs").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from claimscrub.contracts import Finding

Document = dict[str, Any]


class Fix(Protocol):
    def apply(self, document: Document) -> bool: ...


def _line_of(document: Document, number: int) -> dict[str, Any] | None:
    lines: list[dict[str, Any]] = document["lines"]
    return next((line for line in lines if line.get("number") == number), None)


@dataclass(frozen=True, slots=True)
class SetLineFields:
    """Set top-level fields of a line (``units``, ``charge``, ``hcpcs``) and, optionally,
    fields of its ``drug`` object."""

    line: int
    fields: Mapping[str, Any]
    drug_fields: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, document: Document) -> bool:
        target = _line_of(document, self.line)
        if target is None or (self.drug_fields and not isinstance(target.get("drug"), dict)):
            return False
        target.update(self.fields)
        if self.drug_fields:
            target["drug"].update(self.drug_fields)
        return True


@dataclass(frozen=True, slots=True)
class EditModifiers:
    """Remove modifiers (compared upper-case), drop repeats, or append one; reads the list
    as it is now, so several modifier fixes on one line compose."""

    line: int
    remove: frozenset[str] = frozenset()
    dedupe: bool = False
    add: str | None = None

    def apply(self, document: Document) -> bool:
        target = _line_of(document, self.line)
        if target is None:
            return False
        kept: list[Any] = []
        seen: set[str] = set()
        for modifier in target.get("modifiers", []):
            key = str(modifier).upper()
            if key in self.remove or (self.dedupe and key in seen):
                continue
            seen.add(key)
            kept.append(modifier)
        if self.add is not None and self.add not in seen:
            kept.append(self.add)
        target["modifiers"] = kept
        return True


@dataclass(frozen=True, slots=True)
class AddLine:
    """Append a line numbered one above the highest number present when it is applied.

    ``based_on`` is the line it copies from; if that line is gone the fix is dropped."""

    based_on: int
    build: Callable[[dict[str, Any]], dict[str, Any]]

    def apply(self, document: Document) -> bool:
        source = _line_of(document, self.based_on)
        if source is None:
            return False
        new_line = self.build(source)
        new_line["number"] = max(line["number"] for line in document["lines"]) + 1
        document["lines"].append(new_line)
        return True


@dataclass(frozen=True, slots=True)
class RemoveLine:
    line: int

    def apply(self, document: Document) -> bool:
        target = _line_of(document, self.line)
        if target is None:
            return False
        document["lines"].remove(target)
        return True


@dataclass(frozen=True, slots=True)
class Together:
    """Corrections that stand or fall with the first (a recoded waste line follows its
    administered line): the rest apply only when the first did."""

    first: Fix
    rest: Sequence[Fix]

    def apply(self, document: Document) -> bool:
        if not self.first.apply(document):
            return False
        for fix in self.rest:
            fix.apply(document)
        return True


@dataclass(frozen=True, slots=True)
class Flag:
    """A finding, with its correction when the finding is a ``fix``."""

    finding: Finding
    fix: Fix | None = None
