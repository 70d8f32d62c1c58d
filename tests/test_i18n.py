"""How money and rates read everywhere the product writes them (optimizer.i18n)."""
from __future__ import annotations

import math

from optimizer import i18n


def test_money_signs_symbols_and_unknown_currencies():
    assert i18n.money(1234.5) == "¥1,234.50"
    assert i18n.money(-7385.4, "CNY") == "-¥7,385.40"
    assert i18n.money(110056.01, "USD", 0) == "$110,056"
    assert i18n.money(12.5, "XYZ") == "12.50 XYZ"
    assert i18n.money(None) == "–" and i18n.money(math.nan, "USD") == "–"


def test_whole_units_keep_the_cents_of_small_amounts():
    # a towing account that spent CA$0.12 did not spend nothing
    assert i18n.money(0.12, "CAD", 0) == "CA$0.12"
    assert i18n.money(-7.4, "USD", 0) == "-$7.40"
    assert i18n.money(0.0, "CNY", 0) == "¥0"
    assert i18n.money(10.4, "CNY", 0) == "¥10"
    assert i18n.money(93.2, "CNY", 0) == "¥93"


def test_percent_has_two_decimals_by_default():
    assert i18n.percent(0.139) == "13.90%" and i18n.percent(0.091668) == "9.17%"
    assert i18n.percent(None) == "–"


def test_a_keyword_of_no_known_business_line_is_named_in_both_languages():
    # the classifier's code for a keyword naming no line is "unknown": never shown as it is
    from optimizer.keywords.lexicon import line_label, line_labels
    from optimizer.keywords.stages import UNKNOWN_LINE
    assert line_label(UNKNOWN_LINE, "zh") == "未识别" and line_label(UNKNOWN_LINE, "en") == "Not recognised"
    assert line_labels(f"开锁、{UNKNOWN_LINE}", "zh") == "开锁、未识别"
    assert line_labels(f"开锁、{UNKNOWN_LINE}", "en") == "Lockout, Not recognised"


def test_every_off_target_kind_has_a_name_in_both_languages():
    # the jobs kind was read as the raw code: "off-jobs「jobs」" in the negatives table and CSV, and a
    # lexicon group "off:jobs" in the editor's list
    from optimizer.keywords.lexicon import CUE_KINDS, OFF_TARGET_KINDS
    for kind in OFF_TARGET_KINDS:
        for lang in ("zh", "en"):
            said = i18n.explain_cues(f"off-{kind}:jobs", lang)
            assert f"off-{kind}" not in said, said
    for group in CUE_KINDS:
        assert group in i18n.CUE_GROUP, group
    zh = {i18n.CUE_GROUP[g][0] for g in CUE_KINDS}
    assert len(zh) == len(CUE_KINDS)   # no two groups read alike
    assert "招聘" not in i18n.CUE_GROUP["off:training"][0] and "jobs" not in i18n.CUE_GROUP["off:training"][1]
