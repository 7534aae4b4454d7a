"""The shipped sources are CMS's files as downloaded, and the rows the other tests build
files from are real rows of them."""

from __future__ import annotations

import pytest

from tests.scrubbers.cms.files import REAL_ROWS, source


@pytest.mark.parametrize("name", sorted(REAL_ROWS))
def test_real_rows_are_copies(name: str) -> None:
    data = source(name)
    missing = [row for row in REAL_ROWS[name] if row not in data]
    assert missing == []


def test_the_asp_files_are_windows_1252_with_crlf_line_ends() -> None:
    pricing, crosswalk = (
        source("asp-2025-10/pricing.csv"),
        source("asp-2025-10/ndc-hcpcs-crosswalk.csv"),
    )
    assert b"\xa0" in pricing
    assert b"\x99" in crosswalk
    assert pricing.count(b"\r\n") == 987  # 8 preamble lines, the header, 978 rows
    assert pricing.count(b"\n") == 988  # and the line feed inside A9606's Notes cell
