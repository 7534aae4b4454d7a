"""Drug administration and the visits beside it (RULES.md, "Administration";
``MOD.EM_WITHOUT_25`` and ``CODE.EM_NOT_PAYABLE`` of its "Modifiers" and "Code and drug"
tables).

Every code set is data (``code_sets.toml``): the drug administration codes (96360-96379,
96401-96549), the E/M codes (99202-99215), the minimal E/M visit 99211, the E/M section that
is no administration (99202-99499), the drug codes whose administration is billed separately
(J0000-J6999, J9000-J9999, Q5101-Q5999) and the POS where it is billed on the same claim
(11, 49). Whether a plan pays 99211 with a drug administration is plan data
(``denies_minimal_em_with_drug_administration``: Medicare and Medicare Advantage do not).
A range holds only codes of its own shape: ``9636F`` is in no range of five-digit codes.

Choices where RULES.md is silent:

- ADMIN.MISSING is reported on each administered line it concerns (an info per drug), and
  judges the line's code as billed, also while CODE.DRUG_MISMATCH questions it: whatever the
  right code, the drug was given and its administration is a service of its own. Any line
  of the date with a five-digit CPT code outside 99202-99499 counts as the administration
  (RULES.md), whatever its modifiers or units.
- MOD.EM_WITHOUT_25 is one finding per E/M line, naming every drug administration line of its
  date. Modifier 25 is matched as the modifiers are compared (upper-case, exactly two
  characters): ``-25`` or `` 25`` is not 25 (MOD.INVALID reports it, and this message says
  how to write it).
- CODE.EM_NOT_PAYABLE is one finding per 99211 line, naming every drug administration line
  of its date. On the other plans (the medicaid and commercial defaults) a 99211 beside a
  drug administration gets no finding at all: MOD.EM_WITHOUT_25 excludes 99211, and RULES.md
  says nothing else of it.
- Both visit rules pair lines by service date alone, whatever the place of service (the
  claim has one rendering provider), and 25 counts only on the E/M line itself: 25 on the
  drug line is MOD.NOT_FOR_DRUG_LINE's concern and does not unbundle the visit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache, lru_cache

from claimscrub.scrubbers.context import ClaimContext, LineView
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.rule_ids import RuleId

MODIFIER_25 = "25"


def check(ctx: ClaimContext) -> Iterator[Flag]:
    by_date: dict[date, list[LineView]] = {}
    for view in ctx.lines:  # in number order
        by_date.setdefault(view.line.service_date, []).append(view)
    yield from _admin_missing(ctx, by_date)
    for day, views in by_date.items():
        administrations = [view for view in views if _is_drug_administration(ctx, view)]
        if administrations:
            yield from _visits_beside(ctx, day, views, administrations)


def in_ranges(code: str, ranges: Iterable[str]) -> bool:
    """Whether ``code`` falls in one of ``ranges`` (``"96360-96379"``, inclusive), each
    holding only codes of its own shape (five digits, or a letter and four digits)."""
    shape = _shape(code)
    if shape is None:
        return False
    for written in ranges:
        first_shape, first, last = _bounds(written)
        if shape == first_shape and first <= code <= last:
            return True
    return False


@cache
def _bounds(written: str) -> tuple[str | None, str, str]:
    """A range's shape and ends, parsed once (this runs for every line of every claim)."""
    first, last = written.split("-")
    return _shape(first), first, last


@lru_cache(maxsize=4096)
def _shape(code: str) -> str | None:
    if len(code) != 5 or not code.isascii():
        return None
    if code.isdigit():
        return "digits"
    if code[0].isalpha() and code[1:].isdigit():
        return "letter"
    return None


def _is_drug_administration(ctx: ClaimContext, view: LineView) -> bool:
    return in_ranges(view.line.hcpcs, ctx.reference.code_sets.drug_administration_codes)


def _admin_missing(ctx: ClaimContext, by_date: dict[date, list[LineView]]) -> Iterator[Flag]:
    sets = ctx.reference.code_sets
    pos = ctx.claim.place_of_service
    if pos not in sets.administration_pos:
        return
    known = ctx.reference.pos_codes.get(pos)
    where = f"{pos} ({known.name})" if known else pos
    for view in ctx.lines:
        code, day = view.line.hcpcs, view.line.service_date
        if not view.is_administered_line or not in_ranges(
            code, sets.separately_administered_drug_codes
        ):
            continue
        if any(_is_procedure(ctx, other) for other in by_date[day]):
            continue
        yield ctx.flag(
            RuleId.ADMIN_MISSING,
            view.number,
            f"{code} on {day} at place of service {where}: no administration is billed on "
            "that date. The drug and its administration are billed separately (an infusion "
            "or injection code such as 96365 or 96372, or a procedure that delivers the drug "
            "such as 64615 or 20610); add the administration line if this practice gave the "
            "drug.",
        )


def _is_procedure(ctx: ClaimContext, view: LineView) -> bool:
    """A CPT code (five digits) other than an E/M code 99202-99499 (RULES.md, ADMIN.MISSING)."""
    code = view.line.hcpcs
    em_section = ctx.reference.code_sets.em_section_codes
    return _shape(code) == "digits" and not in_ranges(code, em_section)


def _visits_beside(
    ctx: ClaimContext, day: date, views: list[LineView], administrations: list[LineView]
) -> Iterator[Flag]:
    sets = ctx.reference.code_sets
    given = _listed(administrations)
    for view in views:
        code = view.line.hcpcs
        if code in sets.minimal_em_codes:
            if ctx.plan.denies_minimal_em_with_drug_administration:
                yield ctx.flag(
                    RuleId.CODE_EM_NOT_PAYABLE,
                    view.number,
                    f"{code} on {day} is not paid by {ctx.payer} on the date of "
                    f"{given}, whatever its modifiers: Medicare does not pay {code} with drug "
                    "administration services. Remove the visit, unless it was billed in error "
                    "for another service; then correct its code.",
                )
        elif in_ranges(code, sets.em_codes) and MODIFIER_25 not in view.modifiers:
            yield ctx.flag(
                RuleId.MOD_EM_WITHOUT_25,
                view.number,
                f"{code} on {day} has no modifier 25 and is billed with {given} on the same "
                f"date{_miswritten_25(view)}: the payer bundles the visit into the "
                "administration. If a significant, separately identifiable E/M service is "
                "documented, add 25 to this line; otherwise remove the visit.",
            )


def _listed(views: list[LineView]) -> str:
    """``drug administration 96365 (line 2)``, or ``drug administrations 96365 (line 2) and
    96372 (line 4)``."""
    named = [f"{view.line.hcpcs} (line {view.number})" for view in views]
    if len(named) == 1:
        return f"drug administration {named[0]}"
    return f"drug administrations {', '.join(named[:-1])} and {named[-1]}"


def _miswritten_25(view: LineView) -> str:
    """`` (its '-25' is not a valid modifier: write it as 25)`` when the line has 25 written
    with spaces or hyphens."""
    for written in view.line.modifiers:
        if written != MODIFIER_25 and written.replace(" ", "").replace("-", "") == MODIFIER_25:
            return f" (its '{written}' is not a valid modifier: write it as 25)"
    return ""
