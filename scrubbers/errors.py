"""The error every reference data loader raises, reviewed TOML and CMS files alike."""

from __future__ import annotations


class ReferenceDataError(ValueError):
    """A reference data file is malformed or names something the data does not know; the
    message names the file and the value (and, for CMS files, the line and column)."""
