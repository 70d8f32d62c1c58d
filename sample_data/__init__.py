"""Deterministic sample accounts with planted ground truth.

See :mod:`sample_data.generator` for the model and the truth it records, and
``python -m sample_data.generate`` for the bundled files.
"""
from sample_data.generator import (
    BUSINESS_LINES,
    STAGES,
    AccountConfig,
    DriftSpec,
    GeneratedAccount,
    PlanSpec,
    UrlChangeSpec,
    big_baidu_config,
    generate_account,
    truth_document,
    write_baidu_keyword_report,
    write_baidu_plan_report,
    write_baidu_search_term_report,
    write_google_keyword_report,
    write_google_search_terms_report,
    write_truth,
)

__all__ = [
    "BUSINESS_LINES",
    "STAGES",
    "AccountConfig",
    "DriftSpec",
    "GeneratedAccount",
    "PlanSpec",
    "UrlChangeSpec",
    "big_baidu_config",
    "generate_account",
    "truth_document",
    "write_baidu_keyword_report",
    "write_baidu_plan_report",
    "write_baidu_search_term_report",
    "write_google_keyword_report",
    "write_google_search_terms_report",
    "write_truth",
]
