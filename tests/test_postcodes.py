"""Postcode normalisation and format checks, scalar and vectorised."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anchor_analysis.core.postcodes import (
    POSTCODE_PATTERN,
    is_valid_postcode,
    normalise_postcode,
    normalise_postcodes,
    valid_postcode_mask,
)

# The shapes of a normalised UK postcode: A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA (+ GIR 0AA).
FAMILY = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA")


@pytest.mark.parametrize("text, expected", [
    ("ls11ur", "LS1 1UR"),
    ("LS1  1UR", "LS1 1UR"),
    ("  ls1 1ur ", "LS1 1UR"),
    ("LS1\u00a01UR", "LS1 1UR"),  # a non-breaking space, as pasted from a web page
    ("ec1a1bb", "EC1A 1BB"),
    ("W1A0AX", "W1A 0AX"),
    ("gir0aa", "GIR 0AA"),
    ("LS2 9JT", "LS2 9JT"),
    ("n/a", "N/A"),
    ("unknown address", "UNKNOWN ADDRESS"),
])
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan"), pd.NA])
def test_blank_normalises_to_none(blank):
    assert normalise_postcode(blank) is None
    assert not is_valid_postcode(blank)


@pytest.mark.parametrize("text", ["LS1 1UR", "ls11ur", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH",
                                  "DN55 1PT", "GIR 0AA", "BD1 1AA", "YO1 7HH"])
def test_valid_postcodes(text):
    assert is_valid_postcode(text)


@pytest.mark.parametrize("text", ["LS1", "LS1 1U", "LS1 1UR1", "QS1 1UR", "LS1 1CR", "1LS 1UR", "L", "N/A",
                                  "LS1-1UR", "LS1 1ÜR"])
def test_invalid_postcodes(text):
    assert not is_valid_postcode(text)


def test_vectorised_matches_scalar_and_keeps_the_index():
    texts = pd.Series(["ls11ur", " LS2 9JT", "", None, "junk", "ec1a1bb"], index=[10, 11, 12, 13, 14, 15])
    normalised = normalise_postcodes(texts)
    assert list(normalised.index) == [10, 11, 12, 13, 14, 15]
    assert [None if pd.isna(v) else v for v in normalised] == [normalise_postcode(t) for t in texts]
    assert valid_postcode_mask(texts).tolist() == [is_valid_postcode(t) for t in texts]


def test_vectorised_handles_an_empty_column():
    assert normalise_postcodes(pd.Series([], dtype="str")).empty
    assert valid_postcode_mask(pd.Series([], dtype="str")).empty


@given(st.text(max_size=12))
def test_normalise_is_idempotent(text):
    once = normalise_postcode(text)
    assert normalise_postcode(once) == once


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 \t", max_size=10))
def test_valid_outputs_are_in_the_postcode_family(text):
    normalised = normalise_postcode(text)
    if is_valid_postcode(text):
        assert FAMILY.fullmatch(normalised)


@given(st.from_regex(POSTCODE_PATTERN, fullmatch=True), st.data())
def test_any_spelling_of_a_valid_postcode_normalises_to_it(postcode, data):
    compact = postcode.replace(" ", "")
    letters = [c.lower() if data.draw(st.booleans()) else c for c in compact]
    gaps = [data.draw(st.sampled_from(["", " ", "  ", "\t"])) for _ in range(len(compact) + 1)]
    messy = "".join(gap + letter for gap, letter in zip(gaps, [*letters, ""], strict=True))
    assert normalise_postcode(messy) == postcode
    assert is_valid_postcode(messy)


@given(st.lists(st.one_of(st.none(), st.text(max_size=9)), max_size=20))
def test_vectorised_agrees_with_scalar(texts):
    series = pd.Series(texts, dtype="object")
    vectorised = [None if pd.isna(v) else v for v in normalise_postcodes(series)]
    assert vectorised == [normalise_postcode(t) for t in texts]
    assert valid_postcode_mask(series).tolist() == [is_valid_postcode(t) for t in texts]


@pytest.mark.public_data
def test_every_postcode_in_the_public_lookup_is_valid(public_data_dir):
    path = public_data_dir / "postcodes" / "leeds_and_ls_postcodes_nspl_aug2024.csv.gz"
    postcodes = pd.read_csv(path, usecols=["postcode"], dtype="str")["postcode"]
    assert valid_postcode_mask(postcodes).all()
    assert (normalise_postcodes(postcodes) == postcodes).all()
