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
from sample_data.creatives import write_baidu_creative_report, write_google_ad_report

#: The seed of the bundled Chinese account; the English account uses SEED + 1.
SEED = 20261124
#: Bundled file name → (account language, writer).
FILES: dict[str, tuple[str, Callable[[GeneratedAccount, Path], int]]] = {
    "baidu_keyword_report.csv": ("zh", write_baidu_keyword_report),
    "baidu_search_term_report.csv": ("zh", write_baidu_search_term_report),
    "baidu_plan_report.csv": ("zh", write_baidu_plan_report),
    "google_keyword_report.csv": ("en", write_google_keyword_report),
    "google_search_terms_report.csv": ("en", write_google_search_terms_report),
    "baidu_creative_report.csv": ("zh", write_baidu_creative_report),
    "google_ad_report.csv": ("en", write_google_ad_report),
}
TRUTH_FILE = "truth.json"
#: The optimizer's own bundle map for the Chinese account: its current oCPC bundles,
#: read by the bundles and cost-drift pages (not an export; ``optimizer.bundles.targets``).
BUNDLE_MAP_FILE = "bundle_map.csv"
BUNDLE_MAP_HEADER = ("推广计划", "投放包", "目标转化成本", "学习期开始", "目标修改次数", "定向修改次数", "转化类型变更")
#: plan, bundle, target CPA, learning start, target changes, targeting changes, conversion type changed.
#: Chosen to show every case: 包1 long past learning; 包2's compensation window
#: (11-17..19) too thin; 包3's window (11-15..17) over cost with the volume met; 包4
#: still learning with its window running; 包5 no learning date (target check only).
BUNDLE_MAP = (
    ("开锁-核心词", "包1 开锁核心", "60", "2026-09-05", "1", "0", "否"),
    ("开锁-电话词", "包1 开锁核心", "", "", "", "", ""),
    ("开锁-公司词", "包1 开锁核心", "", "", "", "", ""),
    ("开锁-询价", "包2 开锁询价", "100", "2026-11-17", "0", "0", "否"),
    ("开锁-咨询", "包2 开锁询价", "", "", "", "", ""),
    ("换锁-核心词", "包3 换锁", "110", "2026-11-15", "1", "0", "否"),
    ("指纹锁-安装维修", "包4 指纹锁", "100", "2026-11-22", "2", "0", "否"),
    ("指纹锁-品牌咨询", "包4 指纹锁", "", "", "", "", ""),
    ("汽车开锁", "包5 汽车保险柜", "90", "", "", "", ""),
    ("保险柜开锁", "包5 汽车保险柜", "", "", "", "", ""),
)


def write_bundle_map(path: Path) -> None:
    """The bundle map as the optimizer keeps it: UTF-8 with BOM (opens in Excel)."""
    import csv
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(BUNDLE_MAP_HEADER)
        w.writerows(BUNDLE_MAP)
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
    write_bundle_map(out / BUNDLE_MAP_FILE)
    written[BUNDLE_MAP_FILE] = out / BUNDLE_MAP_FILE
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
