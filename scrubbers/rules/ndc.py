"""NDC rules (RULES.md, "NDC"): shape, presence, and whether a drug pack lists it.

Applied to drug lines only (lines with a drug code); the shapes come from
``scrubbers.ndc.parse_ndc``.

Choices where RULES.md is silent:

- An NDC that is empty or only spaces is none: NDC.MISSING when the plan requires one,
  otherwise silence (never NDC.INVALID).
- NDC.UNKNOWN (info) is judged on every NDC whose 11 digits are known, including one
  NDC.FORMAT is about to rewrite: the product is the same before and after the rewrite.
- Every drug line is judged, waste lines included: the JW line goes to the payer with its
  own NDC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from claimscrub.scrubbers.context import ClaimContext, LineView
from claimscrub.scrubbers.findings import Flag, SetLineFields
from claimscrub.scrubbers.rule_ids import RuleId

_TEN_DIGIT_PATTERNS = frozenset({"4-4-2", "5-3-2", "5-4-1"})


def check(ctx: ClaimContext) -> Iterator[Flag]:
    for view in ctx.lines:
        if view.is_drug_line:
            yield from _judge(ctx, view)


def _judge(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    written = (view.line.drug.ndc or "").strip() if view.line.drug else ""
    code = view.line.hcpcs
    if not written:
        if ctx.plan.ndc_required:
            yield ctx.flag(
                RuleId.NDC_MISSING,
                view.number,
                f"{code}: {ctx.payer} requires an NDC on drug lines and this line has "
                "none; add the 11-digit NDC (5-4-2) from the vial or carton used.",
            )
        return
    parsed = view.ndc
    assert parsed is not None  # the context parses every non-empty NDC
    if parsed.shape == "invalid" or parsed.standard_form is None:
        yield ctx.flag(
            RuleId.NDC_INVALID,
            view.number,
            f"{code}: NDC {written} {_why_invalid(written)}; enter the 11-digit NDC as "
            "printed on the package, hyphenated 5-4-2 (LLLLL-PPPP-KK).",
        )
        return
    if parsed.shape == "convertible":
        raw = view.line.drug.ndc if view.line.drug else written
        yield _format(ctx, view, raw or written, parsed.standard_form)
    if view.by_ndc is None:
        yield ctx.flag(
            RuleId.NDC_UNKNOWN,
            view.number,
            f"{code}: NDC {parsed.standard_form} is in no drug pack and not in the CMS "
            "NDC-HCPCS crosswalk, so the drug is identified by its name, then its code; "
            "check the NDC against the package.",
        )


def _format(ctx: ClaimContext, view: LineView, written: str, standard: str) -> Flag:
    trimmed = written.strip()
    pattern = "-".join(str(len(part)) for part in trimmed.split("-"))
    if pattern in _TEN_DIGIT_PATTERNS:
        shape = f"written {pattern}"
    elif trimmed.replace("-", "") == standard.replace("-", "") and pattern in ("5-4-2", "11"):
        shape = "written with surrounding spaces"
    else:
        shape = "written with misplaced hyphens"
    spaces = " and surrounding spaces" if trimmed != written and "spaces" not in shape else ""
    return ctx.flag(
        RuleId.NDC_FORMAT,
        view.number,
        f"{_line_name(view)}: NDC {trimmed!r} is {shape}{spaces}; claims carry 11 digits "
        f"(5-4-2): {standard}.",
        SetLineFields(view.number, {}, {"ndc": standard}),
    )


def _why_invalid(written: str) -> str:
    digits = re.sub(r"\D", "", written)
    if re.search(r"[^\d-]", written):
        return "has characters other than digits and hyphens"
    if "-" not in written and len(digits) == 10:
        return "has 10 digits without hyphens, which is ambiguous (4-4-2, 5-3-2 or 5-4-1)"
    if len(digits) not in (10, 11):
        return f"has {len(digits)} digits, not 10 or 11"
    return "has hyphens in places that do not convert unambiguously to 5-4-2"


def _line_name(view: LineView) -> str:
    """The line's code, or its number while CODE.DRUG_MISMATCH recodes it (the code named
    would be the one going away)."""
    return f"line {view.number}" if view.code_is_wrong else view.line.hcpcs
