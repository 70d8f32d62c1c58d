"""Header vocabularies of the exports, and how a header row reveals its platform and report.

Each canonical field (see :mod:`optimizer.reading.schema`) lists the header names the
platforms use for it, from ../shared/formats.md and formats-observed.md: Baidu's
current and older names (``推广计划`` / ``推广计划名称``, ``展现`` / ``展现量``), Google
Ads report-editor, legacy AdWords and Overview-card labels, and Microsoft
Advertising's API (PascalCase) and UI labels. Names are compared after
:func:`normalize` (case, spaces, full-width punctuation folded).

Ratios the platforms print (CTR, average CPC, CPA, conversion rate) are recognised
as part of a header but never read: the product recomputes them from the additive
metrics, so an export's rounding never leaks into the figures.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

#: canonical field -> header names, most specific first. The first name a header
#: row contains wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "时间", "day", "date", "timeperiod", "time period", "gregoriandate",
             "gregorian date", "week", "month"),
    "account": ("账户", "账户名称", "账户名", "account", "account name", "accountname"),
    "campaign": ("推广计划", "推广计划名称", "计划名称", "计划", "方案", "campaign",
                 "campaign name", "campaignname"),
    "ad_group": ("推广单元", "推广单元名称", "单元名称", "单元", "推广组", "ad group",
                 "ad group name", "adgroupname", "adgroup"),
    "keyword": ("关键词", "关键词名称", "关键词/营销要点/知识问答", "关键词/营销要点", "keyword",
                "search keyword", "keyword text"),
    "keyword_id": ("关键词id", "关键词/营销要点id", "keyword id", "keywordid"),
    "search_term": ("搜索词", "search term", "search terms", "search query", "searchquery",
                    "query", "search"),
    "match_type": ("匹配模式", "关键词匹配模式", "match type", "search keyword match type",
                   "bidmatchtype", "bid match type", "触发模式", "search term match type",
                   "deliveredmatchtype", "delivered match type"),
    "device": ("device", "devicetype", "device type", "设备", "推广设备"),
    "status": ("关键词状态", "状态", "keyword status", "keyword state", "status",
               "campaign status", "ad group status", "criterion status", "keywordstatus",
               "创意状态", "ad status"),
    "final_url": ("访问url", "关键词访问url", "pc访问url", "计算机访问url", "final url", "finalurl",
                  "landing page", "destination url"),
    "mobile_final_url": ("移动访问url", "关键词移动访问url", "mobile final url", "mobilefinalurl"),
    "currency": ("currency code", "currencycode", "currency", "货币"),
    "bid": ("出价", "关键词出价", "max. cpc", "max cpc", "default max. cpc", "currentmaxcpc",
            "current max cpc", "current maximum cpc", "keyword max cpc"),
    "impressions": ("展现", "展现量", "展示次数", "展示数", "impr.", "impressions", "impr"),
    "clicks": ("点击", "点击量", "点击次数", "点击数", "clicks"),
    "cost": ("消费", "消费额", "总费用", "消耗", "花费", "cost", "spend"),
    "conversions": ("转化", "总转化量", "转化数", "转化量", "conversions", "conv.",
                    "all conv."),
    "conv_phone": ("电话转化", "电话拨通", "电话接通"),
    "conv_form": ("网页转化", "表单提交", "表单转化"),
    "conv_chat": ("商桥转化", "咨询转化", "在线咨询"),
    "avg_position": ("平均排名", "avg. position", "averageposition", "average position",
                     "avg position"),
    "impression_share": ("search impr. share", "impression share", "search impression share",
                         "impressionsharepercent"),
    "quality_score": ("移动质量度", "质量度", "计算机质量度", "quality score", "qual. score",
                      "qualityscore"),
}

#: An ad's copy spread over several columns, read in this order and joined one per line
#: into one canonical field (ad reports only, :func:`ad_text_columns`): Baidu's 创意报告 /
#: creative list (创意标题, 创意描述1, 创意描述2) and Google Ads' ad report (expanded text
#: ads: Headline 1–3, Description / Description 1–2; responsive search ads: Headline
#: 1–15, Description 1–4).
AD_TEXT: dict[str, tuple[str, ...]] = {
    "ad_headline": ("创意标题", "标题", "ad title", "headline",
                    *(f"headline {i}" for i in range(1, 16))),
    "ad_description": ("创意描述1", "创意描述2", "创意描述", "描述1", "描述2", "ad description", "description",
                       *(f"description {i}" for i in range(1, 5)),
                       "description line 1", "description line 2"),
}

#: Device-split metric columns of older Baidu keyword reports, summed when the
#: report has no overall column: field -> (pc header, mobile header).
DEVICE_SPLIT: dict[str, tuple[str, str]] = {
    "impressions": ("计算机展现", "移动展现"),
    "clicks": ("计算机点击", "移动点击"),
    "cost": ("计算机消费", "移动消费"),
    "conversions": ("计算机转化", "移动转化"),
}

#: Headers we recognise but do not map (ratios, platform-specific extras).
KNOWN_UNMAPPED = (
    "点击率", "平均点击价格", "千次展现消费", "平均转化价格", "转化成本", "转化率", "上方位展现",
    "上方位点击", "上方位消费", "上方首位展现", "当前单元的添加状态", "账户添加状态", "账户id",
    "推广单元id", "推广计划id", "启用/暂停", "标记", "精确匹配扩展(地域词扩展)触发", "高级精确匹配触发",
    "小时", "省", "市", "创意标题", "创意描述1", "创意描述2", "显示url", "平均点击价格(元)",
    "创意id", "移动显示url", "创意默认访问url", "创意移动访问url", "设备偏好", "创意设备偏好",
    *(f"headline {i}" for i in range(1, 16)), *(f"description {i}" for i in range(1, 5)),
    "headline", "description", "path 1", "path 2", "ad strength", "ad id", "final mobile url",
    "ctr", "avg. cpc", "avg. cost", "cost / conv.", "conv. rate", "interactions",
    "interaction rate", "avg. cpm", "added/excluded", "campaign type", "status reasons",
    "search top is", "search exact match is", "search lost top is (rank)", "click share",
    "impr. (top) %", "impr. (abs. top) %", "budget", "budget name", "budget type",
    "bid strategy type", "optimization score", "view-through conv.", "labels",
    "averagecpc", "costperconversion", "ctr", "conversionrate", "cpa", "avg. cpc",
    "keyword difficulty", "volume", "intent", "trend", "serp features", "cpc (usd)",
    "start hour", "age range", "gender", "percent of known total", "location name",
    "network", "word", "top containing queries", "location", "country/territory",
    "ad", "ad type", "asset", "asset type", "most specific location target",
    "ad distribution", "top impression rate", "absolute top impression rate",
    "topimpressionratepercent", "absolutetopimpressionratepercent", "adistribution",
)

#: Ratios the platforms print that are derived from additive metrics (CTR, average
#: CPC and cost, CPM, cost per conversion, conversion rate). They are recognised
#: but not read: the product recomputes them, so an export's rounding never leaks
#: into the figures, and a million-row file is not held in memory twice over.
RATIOS = frozenset((  # already in normalize()d form
    "点击率", "平均点击价格", "千次展现消费", "平均转化价格", "转化成本", "转化率", "平均点击价格(元)",
    "ctr", "avg. cpc", "avg. cost", "avg. cpm", "cost / conv.", "conv. rate", "interaction rate",
    "averagecpc", "costperconversion", "conversionrate", "cpa", "conversion rate"))

#: Header cells whose presence marks a platform: platform -> names.
PLATFORM_MARKERS: dict[str, tuple[str, ...]] = {
    "baidu": ("推广计划", "推广计划名称", "推广单元", "推广单元名称", "展现", "展现量", "消费",
              "平均点击价格", "网页转化", "商桥转化", "电话转化", "计算机质量度", "移动质量度",
              "关键词/营销要点/知识问答", "当前单元的添加状态", "账户添加状态", "访问url",
              "移动访问url"),
    "google_ads": ("impr.", "cost / conv.", "conv. rate", "currency code", "max. cpc",
                   "avg. cpc", "interactions", "keyword status", "added/excluded",
                   "search impr. share", "criterion status", "search keyword",
                   # Overview-page card downloads
                   "start hour", "age range", "percent of known total", "location name",
                   "top containing queries"),
    "microsoft_ads": ("timeperiod", "accountname", "campaignname", "adgroupname",
                      "bidmatchtype", "spend", "gregorian date", "gregoriandate",
                      "currentmaxcpc", "deliveredmatchtype", "averagecpc", "bid match type",
                      "costperconversion"),
}

_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "　": " "})


def normalize(name: object) -> str:
    """Fold a header cell for comparison: NFKC, case, full-width punctuation, spaces."""
    text = unicodedata.normalize("NFKC", str(name)).translate(_FULLWIDTH)
    text = text.strip().strip('"').strip().lower()
    return re.sub(r"\s+", " ", text)


_LOOKUP: dict[str, str] = {}
for _field, _names in SYNONYMS.items():
    for _n in _names:
        _LOOKUP.setdefault(normalize(_n), _field)
_SPLIT_NAMES = {normalize(n) for pair in DEVICE_SPLIT.values() for n in pair}
_KNOWN = set(_LOOKUP) | _SPLIT_NAMES | {normalize(n) for n in KNOWN_UNMAPPED}


def ad_text_columns(headers: list[str]) -> dict[str, tuple[str, ...]]:
    """The raw headers holding an ad's copy (:data:`AD_TEXT`): canonical field -> the
    file's headers in reading order (a field the file lacks is left out)."""
    norm = {normalize(h): h for h in reversed(headers)}
    out: dict[str, tuple[str, ...]] = {}
    for field_, names in AD_TEXT.items():
        cols = tuple(norm[normalize(n)] for n in names if normalize(n) in norm)
        if cols:
            out[field_] = cols
    return out


def is_ratio(name: object) -> bool:
    """Whether a header is a printed ratio the product recomputes (see :data:`RATIOS`)."""
    return normalize(name) in RATIOS


def is_known(name: object) -> bool:
    """Whether a header cell is a name some export uses."""
    return normalize(name) in _KNOWN


def known_count(cells: list[str]) -> int:
    """How many distinct known header names a row holds (header detection score)."""
    return len({normalize(c) for c in cells if normalize(c) in _KNOWN})


@dataclass(frozen=True)
class ColumnMap:
    """Which raw header maps to which canonical field.

    ``fields``: canonical field -> raw header name as in the file.
    ``split``: canonical metric -> (pc header, mobile header) summed into it.
    ``unmapped``: raw headers not used (kept as extra columns).
    """

    fields: dict[str, str]
    split: dict[str, tuple[str, str]]
    unmapped: tuple[str, ...]


#: Google's ``Interactions``: read as clicks when a report has no ``Clicks`` column (the
#: search-terms report of formats.md): for search ads an interaction is a click.
INTERACTIONS = "interactions"


def map_columns(headers: list[str]) -> ColumnMap:
    """Map a header row onto canonical fields, each field to its most specific name.

    When a field has several candidate headers (``匹配模式`` and ``触发模式``), the one
    listed first in :data:`SYNONYMS` wins; a header maps to at most one field. A report
    with ``Interactions`` and no clicks column has its interactions read as clicks
    (see :func:`interactions_as_clicks`).
    """
    norm = {normalize(h): h for h in reversed(headers)}
    fields: dict[str, str] = {}
    used: set[str] = set()
    for field, names in SYNONYMS.items():
        for n in names:
            key = normalize(n)
            if key in norm and norm[key] not in used:
                fields[field] = norm[key]
                used.add(norm[key])
                break
    split: dict[str, tuple[str, str]] = {}
    for field, (pc, mob) in DEVICE_SPLIT.items():
        if field not in fields and normalize(pc) in norm and normalize(mob) in norm:
            split[field] = (norm[normalize(pc)], norm[normalize(mob)])
            used.update(split[field])
    if "clicks" not in fields and "clicks" not in split and INTERACTIONS in norm and norm[INTERACTIONS] not in used:
        fields["clicks"] = norm[INTERACTIONS]  # Google's search-terms report: no Clicks column
        used.add(norm[INTERACTIONS])
    unmapped = tuple(h for h in headers if h not in used)
    return ColumnMap(fields, split, unmapped)


def interactions_as_clicks(cmap: ColumnMap) -> bool:
    """Whether the mapping reads Google's ``Interactions`` column as clicks."""
    return normalize(cmap.fields.get("clicks", "")) == INTERACTIONS


#: Money written with a locale currency prefix (``US$34.15``): Google's Overview cards;
#: Baidu and Microsoft write bare numbers.
GOOGLE_MONEY_RE = re.compile(r"^\s*(US|CA|A|NZ|HK|NT|R|MX)\$\s?\d")


def detect_platform(headers: list[str], preamble: list[str], sample: list[str] = ()) -> str:
    """``baidu``, ``google_ads``, ``microsoft_ads`` or ``generic`` from header and preamble.

    ``sample``: a few cell texts of the first data rows; Google's locale money
    (``US$34.15``) in them marks a Google card download whose headers are plain
    (``Device, Cost, Impressions, Clicks``).
    """
    pre = " ".join(preamble)
    if re.search(r"report name\s*:|report time\s*:|report aggregation\s*:", pre, re.I):
        return "microsoft_ads"
    if "数据生成时间" in pre or "时间单位" in pre or "推广设备" in pre:
        return "baidu"
    cells = {normalize(h) for h in headers}
    scores = {p: len(cells & {normalize(m) for m in marks}) for p, marks in PLATFORM_MARKERS.items()}
    best = max(scores, key=lambda p: scores[p])
    if scores[best] == 0:
        english = all(re.fullmatch(r"[ -~]*", h or "") for h in headers)
        if english and any(GOOGLE_MONEY_RE.match(str(v)) for v in sample):
            return "google_ads"
        return "generic"
    if best == "baidu" and scores["baidu"] < 2:
        return "generic"
    return best


_GOOGLE_TITLES = {
    "search keyword report": "keyword", "keyword report": "keyword",
    "keywords report": "keyword", "search terms report": "search_term",
    "search term report": "search_term", "campaign report": "campaign",
    "campaigns report": "campaign", "ad group report": "ad_group", "ad report": "ad",
    "ads report": "ad", "location report": "location", "user locations report": "location",
    "asset association report": "asset", "asset report": "asset", "device report": "device",
}


def report_type_from_title(title: str) -> str | None:
    """Google's title line to a report type (``Search keyword report`` → ``keyword``)."""
    t = normalize(title)
    t = re.sub(r"\s*\(.*\)\s*$", "", t)  # legacy "Keyword report (Jun 14, 2016)"
    if t in _GOOGLE_TITLES:
        return _GOOGLE_TITLES[t]
    if t.endswith(" report"):
        return re.sub(r"[^a-z0-9]+", "_", t[: -len(" report")]).strip("_") or None
    return None


def detect_report_type(cmap: ColumnMap, headers: list[str], title: str | None) -> str:
    """The report type from the mapped columns (and Google's title line when present)."""
    from_title = report_type_from_title(title) if title else None
    if from_title:
        return from_title
    f = cmap.fields
    cells = {normalize(h) for h in headers}
    if "推广计划每日预算" in cells or ("创意标题" in cells and "关键词名称" in cells):
        return "account_structure"
    if ("创意标题" in cells or "headline 1" in cells or "ad title" in cells) and \
            "keyword" not in f and "search_term" not in f:
        return "ad"   # Baidu 创意报告 / creative list, Google ad report without its title line
    if "search_term" in f:
        return "search_term"
    if "keyword" in f:
        if {"keyword difficulty", "volume"} & cells:
            return "keyword_research"
        if "date" not in f and "启用/暂停" in cells:
            return "keyword_list"
        return "keyword"
    if {"word", "top containing queries"} <= cells:
        return "word"
    if "ad_group" in f:
        return "ad_group"
    if "campaign" in f:
        return "campaign"
    for marker, kind in (("location name", "location"), ("省", "location"),
                         ("start hour", "hour"), ("小时", "hour"),
                         ("age range", "demographic"), ("network", "network")):
        if marker in cells:
            return kind
    if "device" in f:
        return "device"
    if "date" in f:
        return "time"
    return "other"


#: Fields a report type cannot do without: report type -> list of alternatives,
#: each an any-of group.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "keyword": (("keyword",), ("clicks", "impressions"), ("cost",)),
    "search_term": (("search_term",), ("clicks", "impressions")),
    "campaign": (("campaign",), ("clicks", "impressions"), ("cost",)),
    "ad_group": (("ad_group",), ("clicks", "impressions"), ("cost",)),
    "keyword_list": (("keyword",),),
    "account_structure": (("keyword",),),
    "ad": (("ad_group",),),   # and the copy itself: ingest checks :func:`ad_text_columns`
}


def missing_fields(report_type: str, cmap: ColumnMap) -> list[str]:
    """The required fields (first of each missing any-of group) the mapping lacks."""
    have = set(cmap.fields) | set(cmap.split)
    return [group[0] for group in REQUIRED.get(report_type, ())
            if not any(g in have for g in group)]


def nearest_names(field: str, headers: list[str], n: int = 3) -> list[str]:
    """Headers in the file that look most like a name of ``field`` (for error messages)."""
    names = [normalize(x) for x in SYNONYMS.get(field, ())]
    scored: dict[str, float] = {}
    for h in headers:
        nh = normalize(h)
        best = max((difflib.SequenceMatcher(None, nh, x).ratio() for x in names), default=0.0)
        if any(x in nh or nh in x for x in names if nh):
            best = max(best, 0.8)
        if best >= 0.4:
            scored[h] = best
    return sorted(scored, key=lambda h: -scored[h])[:n]


def known_names(field: str) -> tuple[str, ...]:
    """The header names an export may use for ``field`` (for messages and docs)."""
    return SYNONYMS.get(field, ())
