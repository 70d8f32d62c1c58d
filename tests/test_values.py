"""The cell parsers: exact on every valid form, never crash on anything else, and the
vectorised parsers agree with the scalar specification."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.reading.values import (ValueParseError, parse_date, parse_number, parse_period, to_number,
                              to_periods)


@pytest.mark.parametrize("text,expected", [
    ("1234", 1234.0), ("1,234", 1234.0), ("1,234.50", 1234.5), ("¥12.30", 12.3), ("￥12.30", 12.3),
    ("$1,234.56", 1234.56), ("US$34.15", 34.15), ("3.45%", 0.0345), ("100.00%", 1.0),
    ("200.00%", 2.0), ("< 10%", 0.10), ("> 90%", 0.90), ("-5", -5.0), ("-¥5", -5.0),
    ('="12"', 12.0), ("0.00", 0.0), (".5", 0.5), ("1e3", 1000.0), (12, 12.0), (1.5, 1.5),
])
def test_parse_number_valid(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", " --", "--", "-", "/", None, "N/A"])
def test_null_tokens_are_nan_not_zero(text):
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize("text", ["abc", "1,2", "12,34.5", "1.2.3", "¥", "%", "1 234", "12abc", True])
def test_parse_number_rejects(text):
    with pytest.raises(ValueParseError):
        parse_number(text)


@given(st.text(max_size=20))
@settings(max_examples=400, deadline=None)
def test_parse_number_never_crashes(text):
    try:
        parse_number(text)
    except ValueParseError:
        pass


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(money, st.sampled_from(["", "¥", "￥", "$", "US$"]), st.booleans())
@settings(max_examples=300, deadline=None)
def test_parse_number_exact_on_formatted_money(value, prefix, thousands):
    text = f"{prefix}{value:,.2f}" if thousands else f"{prefix}{value:.2f}"
    assert parse_number(text) == float(f"{value:.2f}")


@given(st.lists(st.one_of(st.text(max_size=8), money.map(lambda d: f"{d:,.2f}"),
                          st.sampled_from(["inf", "-inf", "1e999", "Infinity", "nan", "1e5", "-0"])), max_size=30))
@settings(max_examples=200, deadline=None)
def test_vector_parser_agrees_with_scalar(cells):
    s = pd.Series(cells, dtype="str")
    values, bad = to_number(s)
    for i, c in enumerate(cells):
        try:
            want = parse_number(c)
        except ValueParseError:
            assert i in set(bad)
            continue
        assert i not in set(bad)
        got = values.iloc[i]
        assert (math.isnan(want) and math.isnan(got)) or got == pytest.approx(want)


@pytest.mark.parametrize("text", ["2026-11-01", "2026/11/1", "20261101", "Nov 1, 2026", "November 1, 2026",
                                  "1 Nov 2026", "Sun, 1 Nov 2026", '="2026-11-01"', "2026年11月1日",
                                  "11/1/2026", "2026-11-01 00:00"])
def test_parse_date_forms(text):
    assert parse_date(text) == dt.date(2026, 11, 1)


def test_day_first_when_forced():
    assert parse_date("1/11/2026", day_first=True) == dt.date(2026, 11, 1)
    s = pd.Series(["13/11/2026", "1/11/2026"], dtype="str")
    start, _, bad = to_periods(s)
    assert not len(bad) and start.iloc[1] == pd.Timestamp("2026-11-01")


def test_periods():
    assert parse_period("2026-10-01至2026-10-31") == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert parse_period('="2026-07-18至2026-07-24"') == (dt.date(2026, 7, 18), dt.date(2026, 7, 24))
    assert parse_period("August 8, 2020 - August 14, 2020") == (dt.date(2020, 8, 8), dt.date(2020, 8, 14))
    assert parse_period("2026-06-26 00:00至01:00") == (dt.date(2026, 6, 26), dt.date(2026, 6, 26))


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "Foo 1, 2026", "yesterday", "12345"])
def test_parse_date_rejects(text):
    with pytest.raises(ValueParseError):
        parse_date(text)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%b %d, %Y", "%B %d, %Y", "%d %b %Y",
                        "%a, %d %b %Y", "%m/%d/%Y"]))
@settings(max_examples=400, deadline=None)
def test_parse_date_exact_on_valid_input(day, fmt):
    assert parse_date(day.strftime(fmt)) == day


@given(st.text(max_size=25))
@settings(max_examples=400, deadline=None)
def test_parse_period_never_crashes(text):
    try:
        parse_period(text)
    except ValueParseError:
        pass
