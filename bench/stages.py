"""Benchmark: classify 1,000,000 distinct keywords by business line and stage.

Keywords are built deterministically from the sample account's and the evaluation
set's keywords, with city prefixes and stage/urgency modifiers (85% Chinese, 15%
English), so that every one is distinct and none is served from the per-keyword
de-duplication. Measured in a fresh process on one core (the classifier is single-
threaded Python over pyahocorasick and jieba): keywords per second and peak memory.
Reference in the same run: the bare Aho-Corasick scan of the same keywords with the
same automaton, i.e. the cost of finding the cues without deciding anything.
Target (issue 4): at least 50,000 keywords/s.

Usage: python -m bench.stages [--n N]
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from bench import _measure as measure

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"

CITIES_ZH = ["北京", "上海", "广州", "深圳", "天津", "重庆", "成都", "杭州", "武汉", "西安", "南京", "苏州", "郑州",
             "长沙", "沈阳", "青岛", "宁波", "东莞", "无锡", "佛山", "合肥", "大连", "福州", "厦门", "哈尔滨",
             "济南", "温州", "南宁", "长春", "泉州", "石家庄", "贵阳", "南昌", "金华", "常州", "惠州", "嘉兴"]
MODS_ZH = ["", "附近", "24小时", "电话", "多少钱", "公司", "师傅", "哪家好", "急", "上门", "价格", "怎么收费",
           "服务", "热线", "培训", "哪里有", "快速", "便宜", "夜间", "正规", "马上", "收费标准", "号码",
           "多久到", "靠谱吗"]
CITIES_EN = ["austin", "dallas", "houston", "denver", "seattle", "boston", "chicago", "miami", "phoenix", "atlanta",
             "london", "leeds", "bristol", "toronto", "sydney", "portland", "tampa", "orlando"]
MODS_EN = ["", "near me", "24 hour", "cost", "phone number", "company", "emergency", "cheap", "open now",
           "reviews", "price", "jobs"]
AREAS_EN = ["", "downtown", "north", "south", "east", "west", "area", "central"]


def keywords(n: int, seed: int = 7) -> list[str]:
    truth = json.loads((ROOT / "sample_data" / "truth.json").read_text(encoding="utf-8"))
    bases = {k["keyword"] for k in truth["keywords"]} | {k["search_term"] for k in truth["search_terms"]}
    import csv
    with (ROOT / "tests" / "eval" / "keywords_eval.csv").open(encoding="utf-8") as f:
        bases |= {r["keyword"] for r in csv.DictReader(f) if r["vertical"] == "locksmith"}
    zh = sorted(b for b in bases if any("\u4e00" <= c <= "\u9fff" for c in b))
    en = sorted(b for b in bases if b not in set(zh))
    rng = random.Random(seed)
    out: set[str] = set()
    n_en = n * 15 // 100
    cap_zh = len(CITIES_ZH) * len(zh) * len(MODS_ZH)
    cap_en = len(en) * len(MODS_EN) * len(CITIES_EN) * len(AREAS_EN)
    if n - n_en > 0.6 * cap_zh or n_en > 0.6 * cap_en:  # keep rejection sampling quick
        raise SystemExit(f"cannot make {n:,} distinct keywords from these parts ({cap_zh:,} zh, {cap_en:,} en)")
    while len(out) < n - n_en:
        out.add(rng.choice(CITIES_ZH) + rng.choice(zh) + rng.choice(MODS_ZH))
    en_out: set[str] = set()
    while len(en_out) < n_en:
        en_out.add(" ".join(x for x in (rng.choice(en), rng.choice(MODS_EN), rng.choice(CITIES_EN),
                                        rng.choice(AREAS_EN)) if x))
    words = sorted(out) + sorted(en_out)
    rng.shuffle(words)
    return words


SETUP = """
import os
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
from optimizer.keywords.stages import Classifier, _fold_en, _fold_zh, language_of
words = open(sys.argv[2], encoding="utf-8").read().split("\\n")
clf = Classifier("locksmith")
matchers = {lang: clf._matcher(lang) for lang in ("zh", "en")}
clf.classify(["学开锁", "locksmith near me"])  # load jieba's dictionary before timing
"""

BODY = """
if sys.argv[1] == "scan":
    found = 0
    for w in words:
        m = matchers[language_of(w)]
        for _ in m.automaton.iter(_fold_zh(w) if m.zh else _fold_en(w)):
            found += 1
    extra = {"rows": len(words), "hits": found}
else:
    out = clf.classify(words)
    extra = {"rows": len(out), "off_target": int(out["off_target"].sum())}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"keywords_{args.n}.txt"
    if not path.exists():
        path.write_text("\n".join(keywords(args.n)), encoding="utf-8")
    scan = measure.run(SETUP, BODY, "scan", str(path))
    full = measure.run(SETUP, BODY, "classify", str(path))
    print(f"keywords        {full['rows']:,} distinct (85% Chinese, 15% English), one core")
    print(f"bare AC scan    {scan['seconds']:6.2f} s   {scan['rows'] / scan['seconds']:>10,.0f} keywords/s   (reference)")
    print(f"classify        {full['seconds']:6.2f} s   {full['rows'] / full['seconds']:>10,.0f} keywords/s   "
          f"peak +{full['peak_mb']:.0f} MiB   (target >= 50,000/s)")
    print(f"off-target      {full['off_target']:,} keywords")


if __name__ == "__main__":
    main()
