"""Every relative link in README.md and docs/*.md points at a file or folder inside the
repository (never out of it, e.g. to a specification the reader does not have), and every
``#anchor`` into a Markdown file names one of its headings. Web links (http, https) are not
followed."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
# [text](target "title") and ![alt](target); the text may hold code spans and brackets.
_INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[^)]*)?\)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
_WEB = ("http", "https")


def _prose(text: str) -> str:
    """``text`` without code blocks and code spans, whose brackets are not links."""
    return _CODE_SPAN.sub("code", _FENCE.sub("", text))


def targets(text: str) -> list[str]:
    """Every link target in Markdown ``text``, as written. A code span becomes a word first:
    as link text it leaves the link whole, elsewhere its brackets are no link."""
    prose = _prose(text)
    found = [match.group(1) for match in _INLINE.finditer(prose)]
    found += [match.group(1) for match in _DEFINITION.finditer(prose)]
    return [target.strip("<>") for target in found]


def links(page: Path) -> list[str]:
    return targets(page.read_text(encoding="utf-8"))


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors for ``page``: lower case, punctuation dropped, spaces to
    hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for match in _HEADING.finditer(_FENCE.sub("", page.read_text(encoding="utf-8"))):
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))  # link -> its text
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def _problem(page: Path, target: str) -> str | None:
    parts = urlsplit(target)
    if parts.scheme:
        return None if parts.scheme in _WEB else f"{target}: only http(s) links may leave"
    path, anchor = unquote(parts.path), unquote(parts.fragment)
    if path.startswith("/"):
        return f"{target}: absolute path (write it relative to {page.name})"
    resolved = (page.parent / path).resolve() if path else page
    if not resolved.is_relative_to(ROOT):
        return f"{target}: points outside the repository"
    if not resolved.exists():
        return f"{target}: no such file in the repository"
    if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
        return f"{target}: {resolved.name} has no heading #{anchor}"
    return None


def test_the_pages_have_links_to_check() -> None:
    assert ROOT / "docs" / "contract.md" in PAGES
    assert sum(len(links(page)) for page in PAGES) >= 10


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_points_inside_the_repository(page: Path) -> None:
    problems = [p for target in links(page) if (p := _problem(page, target)) is not None]
    assert problems == []


def test_the_check_catches_links_out_of_the_repository() -> None:
    page = ROOT / "README.md"
    assert _problem(page, "../shared/reference/CONTRACT.md") is not None
    assert _problem(page, "docs/../../outside.md") is not None
    assert _problem(page, "docs/no-such-page.md") is not None
    assert _problem(page, "/etc/passwd") is not None
    assert _problem(page, "file:///etc/passwd") is not None
    assert _problem(page, "docs/contract.md#no-such-heading") is not None
    assert _problem(page, "docs/contract.md#topics-and-keys") is None
    assert _problem(page, "https://example.com/x") is None


def test_links_are_read_from_prose_not_code() -> None:
    sample = (
        "See [`docs/contract.md`](docs/contract.md \"the contract\") and [the rules][rules].\n\n"
        "[rules]: <docs/rules.md>\n\n"
        "```sh\necho '[not](a-link.md)'\n```\n"
        "and `[nor](this.md)` either; ![a picture](docs/x.png).\n"
    )
    assert targets(sample) == ["docs/contract.md", "docs/x.png", "docs/rules.md"]
