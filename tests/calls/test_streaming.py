from __future__ import annotations

import pytest

from calls.streaming import RangeNotSatisfiable, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=0-1,5-9", None),  # multi-range: the whole file is sent instead
        ("items=0-5", None),
        ("bytes=-", None),
    ],
)
def test_parse_range_for_a_1000_byte_file(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-2", "bytes=-0"])
def test_unsatisfiable_ranges_are_reported(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)
