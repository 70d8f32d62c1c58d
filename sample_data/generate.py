"""Write the bundled sample files: ``python -m sample_data.generate [--out DIR]``.

The Chinese locksmith account becomes Baidu exports, the English one Google Ads
exports, and ``truth.json`` records what was planted in both. Running it twice
gives identical bytes.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from sample_data.generator import (
    AccountConfig,
    GeneratedAccount,
    generate_account,
    write_baidu_keyword_report,
    write_baidu_plan_report,
    write_baidu_search_term_report,
    write_google_keyword_report,
    write_google_search_terms_report,
    write_truth,
)

#: The seed of the bundled Chinese account; the English account uses SEED + 1.
SEED = 20261124
#: Bundled file name → (account language, writer).
FILES: dict[str, tuple[str, Callable[[GeneratedAccount, Path], int]]] = {
    "baidu_keyword_report.csv": ("zh", write_baidu_keyword_report),
    "baidu_search_term_report.csv": ("zh", write_baidu_search_term_report),
    "baidu_plan_report.csv": ("zh", write_baidu_plan_report),
    "google_keyword_report.csv": ("en", write_google_keyword_report),
    "google_search_terms_report.csv": ("en", write_google_search_terms_report),
}
TRUTH_FILE = "truth.json"
DEFAULT_OUT = Path(__file__).resolve().parent


def bundled_accounts() -> dict[str, GeneratedAccount]:
    """The two bundled accounts, by language."""
    return {
        "zh": generate_account(AccountConfig(seed=SEED, language="zh")),
        "en": generate_account(AccountConfig(seed=SEED + 1, language="en")),
    }


def write_bundle(out: Path) -> dict[str, Path]:
    """Generate both accounts and write every bundled file into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    accounts = bundled_accounts()
    written = {}
    for name, (language, writer) in FILES.items():
        writer(accounts[language], out / name)
        written[name] = out / name
    write_truth([accounts["zh"], accounts["en"]], out / TRUTH_FILE)
    written[TRUTH_FILE] = out / TRUTH_FILE
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory to write into (default: the sample_data package)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    for name, path in write_bundle(args.out).items():
        print(f"{path.stat().st_size:>12,d}  {name}")
    print(f"written to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
