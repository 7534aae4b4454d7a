"""The claim patch: applied with ``jsonpatch`` (the reference implementation of RFC 6902) it
turns any document into any other, and for the edits fixes make it stays small."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
from hypothesis import given, settings
from hypothesis import strategies as st

from claimscrub.scrubbers.patch import claim_patch

scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["JW", "JZ", "a/b~c"])
keys = st.sampled_from(["units", "modifiers", "a/b", "~x", "drug", "number"])
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(documents, documents)
def test_the_patch_turns_one_document_into_the_other(before: Any, after: Any) -> None:
    kept = copy.deepcopy(before)
    patch = claim_patch(before, after)
    assert jsonpatch.apply_patch(before, patch) == after
    assert before == kept, "computing the patch must not touch the submitted document"


@settings(max_examples=300)
@given(st.lists(documents, min_size=1, max_size=6), st.data())
def test_an_edited_list_is_patched_where_it_changed(items: list[Any], data: st.DataObject) -> None:
    """Removing, inserting or replacing one element costs one operation, wherever it is."""
    index = data.draw(st.integers(0, len(items) - 1))
    edit = data.draw(st.sampled_from(["remove", "insert", "replace"]))
    edited = list(items)
    if edit == "remove":
        del edited[index]
    elif edit == "insert":
        edited.insert(index, "inserted")
    else:
        edited[index] = "replaced" if items[index] != "replaced" else "other"
    patch = claim_patch({"lines": items}, {"lines": edited})
    assert jsonpatch.apply_patch({"lines": items}, patch) == {"lines": edited}
    assert len(patch) == 1


def test_a_fix_on_one_line_and_a_new_waste_line_are_two_operations() -> None:
    administered = {"number": 1, "modifiers": [], "units": 30}
    before = {"claim_id": "C1", "lines": [administered]}
    after = {
        "claim_id": "C1",
        "lines": [
            {**administered, "modifiers": ["JZ"], "units": 300},
            {"number": 2, "modifiers": ["JW"], "units": 10},
        ],
    }
    assert claim_patch(before, after) == [
        {"op": "add", "path": "/lines/0/modifiers/0", "value": "JZ"},
        {"op": "replace", "path": "/lines/0/units", "value": 300},
        {"op": "add", "path": "/lines/1", "value": after["lines"][1]},
    ]
