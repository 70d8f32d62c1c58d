"""Deterministic sample accounts for a local-service advertiser, with planted truth.

The generator builds a paid-search account of a locksmith (the reference vertical)
the way optimizers structure one, simulates it day by day, and writes the exports
users upload: Baidu 凤巢 keyword, search-term and plan reports (GBK, Chinese
preamble, ``合计`` row) and Google Ads keyword and search-terms reports ("Excel CSV":
UTF-16LE with BOM, TAB, title and date lines, ``Total:`` rows). Everything is
numpy/pandas, seeded, and vectorised: the same :class:`AccountConfig` always gives
the same bytes, and a million-row Baidu report is written in seconds.

The account model
-----------------
* **Business lines** (业务点, identifiers shared by both languages): 开锁, 换锁, 修锁,
  指纹锁 (smart, electronic, keypad and fingerprint locks), 汽车开锁, 保险柜开锁, 配钥匙.
* **Plans** (推广计划 / campaigns, :class:`PlanSpec`) belong to one business line and
  hold keywords of one or more **decision stages**: ``core`` (the service itself),
  ``phone`` (looking for a number), ``company`` (looking for a business), ``price``
  and ``consult`` (still asking questions). Off-target keywords have stage ``none``.
  Units (推广单元 / ad groups) split a plan by stage and by scope: ``核心词-通用``
  holds core words without a place name, ``核心词-地域`` those with one
  (``Core - General`` / ``Core - Local`` in English).
* **Keywords** are built from templates per (line, stage), optionally prefixed by a
  district (北京, 朝阳区, 望京, 回龙观 … / austin, round rock …). Their labels are
  known by construction and follow these conventions, which a classifier is scored
  against:

  - stage precedence when several cues appear: phone > price > company > consult >
    core. A plain situation with no question (钥匙锁屋里了) is core; a how/why
    question with no DIY word, or a …吗 / 会不会 / 要多久 question, is consult
    (防盗门锁芯怎么换, "do locksmiths need a license"); "how much" is price.
  - ``urgency`` (0/1) is independent of stage: 附近, 24小时, 上门, 急, 马上, 夜间 /
    near me, 24 hour, emergency, open now.
  - ``off_target`` (stage ``none``): DIY (教程, 视频, 图解, 自己…, "how to pick a
    lock"), tools (开锁工具), training and jobs (开锁培训, 学开锁, 招聘, 加盟,
    "locksmith course"), and buying a product the service does not sell (批发,
    网购, "smart lock for sale").
  - business line: a keyword naming two lines takes the first named (开锁换锁公司 →
    开锁, company), except that a smart lock wins over repair (指纹锁维修 → 指纹锁)
    and making or programming a car key is 配钥匙; a keyword naming no line is 开锁.
* **True plan groups**: plans of one business line with the same true CPA and CVR
  (e.g. the 开锁 core, phone and company plans at CPA ¥60 / CVR 14%). This is what an
  oCPC bundle analysis should recover.

The daily model
---------------
For keyword *k* of plan *p* on day *d*::

    impressions ~ Poisson(λ_k · weekday_d · demand_pd · Gamma(3, 1/3))
    clicks      ~ Binomial(impressions, ctr_k)
    cost        = clicks · cpc_p · m_k · cpc_drift_pd · cpc_noise_pd · price noise
    conversions ~ Binomial(clicks, cvr_p · v_k · cvr_drift_pd)

``λ_k`` is heavy-tailed (log-normal quantiles with a steep head: a few head words
carry most volume, most long-tail words show on a few days only, so the keyword
report has about 0.21 rows per keyword and day); weekends are about 12% busier. The
keyword multipliers ``m_k`` and ``v_k`` are normalised per plan so that the
click-weighted plan CPC and CVR are exactly the plan's base values, hence the plan's
expected CPA is ``target_cpa`` before drifts (off-target keywords convert at about a
tenth of their plan's rate, phone words above it). Conversions are split into phone, form
and chat (phone the largest); ``conversions == conv_phone + conv_form + conv_chat``
on every row. When ``last_day_partial`` (Baidu), each conversion of the last day is
kept with probability one half: Baidu's conversion data arrives a day late.

Drifts (:class:`DriftSpec`) multiply a plan's CPC or CVR from a start day, abruptly
or linearly over ``ramp_days``. A URL change (:class:`UrlChangeSpec`) moves one
unit's keywords to a new landing page on a known day (performance is unchanged).
Some keywords of one line point to another line's page (URL mismatch), a few price
words sit in a core unit (structure fault), and a few keywords have no mobile URL.

Search terms: over the last 30 days each keyword-day with clicks is split into 1–4
search terms: the keyword itself, variations (a district, an urgency word, a stage
word such as 电话 / 多少钱), and on most smart/broad keywords (and some phrase ones)
an off-target term of the same line (开锁培训班, "locksmith course") that takes clicks
and money while the conversions go to the other terms. The split is exact:
search-term sums equal the keyword-day sums they came from.

Formats
-------
Baidu files follow shared/formats.md: GBK, CRLF, the 7-line preamble (``5. 投放物料``
in the search-term report only), a ``合计`` row with ``--`` text cells. Google files
imitate the real "Excel CSV" downloads: UTF-16LE with BOM, TAB, LF, a title and an
en-US date-range line, fields with a comma or a quote quoted (``"1,234"``; the
phrase keyword ``"car lockout"`` gets three quotes on each side), ``" --"`` for a CTR
without impressions and, as in the real exports, ``0`` for the Avg. CPC without
clicks and ``0.00`` for the Cost / conv. without conversions.

The truth document (``truth.json``, :func:`truth_document`)
-----------------------------------------------------------
``seed``
    the seed of the first account.
``generated_by``
    the generator name and version.
``accounts``
    per account: ``name``, ``platform`` (``baidu`` / ``google_ads``), ``language``,
    ``vertical``, ``currency``, ``seed``, ``date_start``, ``date_end``,
    ``partial_last_day`` (a date or null), ``n_keywords``, ``n_plans``.
``keywords``
    one entry per keyword: ``account``, ``keyword`` (plain text, no match
    punctuation), ``campaign``, ``ad_group``, ``business_line``, ``stage``,
    ``urgency`` (0/1), ``off_target`` (0/1).
``search_terms``
    one entry per distinct search term of an account: ``account``,
    ``search_term`` and the same four labels.
``plan_groups``
    ``{campaign: group_id}`` (campaign names are unique across the accounts).
``plan_targets``
    ``{group_id: {account, business_line, cpa, cvr, cpc, campaigns}}``: the true
    CPA and CVR shared by the group's plans before any drift.
``drifts``
    ``[{account, campaign, metric, start, change, shape, ramp_days}]``.
``url_changes``
    ``[{account, campaign, ad_group, date, old_url, new_url, old_mobile_url,
    new_mobile_url}]``; ``date`` is the first day on the new page.
``url_mismatches``
    ``[{account, keyword, campaign, ad_group, business_line, url, mobile_url,
    url_business_line}]``: keywords whose landing page belongs to another line.
``structure_faults``
    ``[{account, kind, keyword, campaign, ad_group, stage, unit_stage}]``; ``kind``
    is ``stage_outside_its_unit`` (a price word in a core unit).
``partial_last_day``
    ``{account: date or null}``: the day whose conversions are about half.

Dates are ISO strings. Labels use the identifiers in :data:`BUSINESS_LINES` and
:data:`STAGES`.
"""
from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from statistics import NormalDist
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

GENERATED_BY = "sample_data.generator 1.0"

#: Business-line identifiers, shared by the Chinese and the English account.
BUSINESS_LINES: tuple[str, ...] = ("开锁", "换锁", "修锁", "指纹锁", "汽车开锁", "保险柜开锁", "配钥匙")
#: Decision stages; ``none`` marks off-target keywords and search terms.
STAGES: tuple[str, ...] = ("core", "phone", "company", "price", "consult", "none")
#: Which stage wins when a text carries cues of several (first wins).
STAGE_PRECEDENCE: tuple[str, ...] = ("phone", "price", "company", "consult", "core")

Language = Literal["zh", "en"]
Metric = Literal["cpc", "cvr"]
Shape = Literal["abrupt", "gradual"]

# Weekly seasonality, Monday first: weekends are about 12% above the weekday level.
_WEEKDAY_FACTORS = np.array([0.96, 0.95, 0.95, 0.97, 1.01, 1.09, 1.07])
_WEEKDAY_FACTORS = _WEEKDAY_FACTORS / _WEEKDAY_FACTORS.mean()
# Keyword-day overdispersion of impressions (Gamma shape; mean 1).
_GAMMA_SHAPE = 3.0
# Keyword volume weights are exp(slope · z) of normal quantiles z, clipped so that the
# distribution is the same at any size: a flat long tail (slope 1) and a steep head
# (slope 5.6 above the knee, i.e. the top ~12% of a plan's keywords).
_VOLUME_TAIL_SLOPE = 1.0
_VOLUME_HEAD_SLOPE = 5.6
_VOLUME_KNEE = 1.2
_VOLUME_Z_CLIP = (-3.0, 2.6)
# Expected Baidu keyword-report rows per keyword and day (calibrated on zh accounts of
# 2,000 keywords and more), and the most keywords the zh templates can make; both are
# used by :func:`big_baidu_config`.
_ROWS_PER_KEYWORD_DAY = 0.208
_MAX_ZH_KEYWORDS = 13_700
# Share of conversions by type: phone, form, chat.
_CONVERSION_MIX = (0.6, 0.25, 0.15)
# Match-type mix (exact, phrase, smart/broad) of head words, local words, off-target words.
_MATCH_MIX = {"head": (0.30, 0.45, 0.25), "local": (0.40, 0.45, 0.15), "off": (0.10, 0.35, 0.55)}
_BASE_CTR = {"exact": 0.07, "phrase": 0.05, "smart": 0.035, "broad": 0.035}
_STAGE_CTR = {"core": 1.0, "phone": 1.2, "company": 1.1, "price": 0.9, "consult": 0.7, "none": 0.6}
_STAGE_CVR = {"core": 1.0, "phone": 1.25, "company": 1.05, "price": 0.75, "consult": 0.55, "none": 0.12}
_DEFAULT_STAGE_WEIGHTS = {"core": 0.40, "phone": 0.12, "company": 0.12, "price": 0.18, "consult": 0.18}
_SEARCH_TERM_DAYS = 30
# Chance that a keyword of this match type also triggers an off-target search term.
_OFF_TARGET_TERM_PROBABILITY = {"smart": 0.8, "broad": 0.8, "phrase": 0.3}


# ---------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Vocabulary:
    """Templates and names of one vertical in one language.

    ``bases[line][stage]`` lists base phrases; a trailing ``*`` marks a core phrase
    that search-term variations may extend (开锁师傅 → 开锁师傅电话).
    """

    language: Language
    bases: Mapping[str, Mapping[str, tuple[str, ...]]]
    areas: tuple[str, ...]
    urgency_cues: tuple[str, ...]
    #: search-term variations of a suffixable core keyword: (template, new stage)
    stage_variants: tuple[tuple[str, str], ...]
    #: search-term variations that add urgency to a suffixable keyword
    urgency_variants: tuple[str, ...]
    unit_stage_names: Mapping[str, str]
    unit_scope_names: tuple[str, str]
    page_slugs: Mapping[str, str]
    pc_url: str
    mobile_url: str | None
    account: str
    currency: str

    def unit_name(self, stage: str, local: bool) -> str:
        """The unit (ad group) of a stage: ``核心词-通用`` / ``Core - Local``."""
        sep = "-" if self.language == "zh" else " - "
        return f"{self.unit_stage_names[stage]}{sep}{self.unit_scope_names[int(local)]}"

    def area_forms(self, text: str, stage: str) -> tuple[bool, ...]:
        """How a place name may be added: ``(True,)`` in front only, ``(True, False)``
        in front or behind, ``()`` not at all."""
        if self.language == "zh":
            return (True,)
        if text.startswith("how ") or "near me" in text or "open now" in text:
            return ()
        return (False,) if stage == "consult" else (True, False)

    def with_area(self, text: str, stage: str, area: str, area_first: bool) -> str:
        """``text`` with a place name: 朝阳开锁, "austin locksmith", "locksmith austin",
        "do locksmiths need a license in austin"."""
        if self.language == "zh":
            return area + text
        if stage == "consult":
            return f"{text} in {area}"
        return f"{area} {text}" if area_first else f"{text} {area}"

    def urgency(self, text: str) -> int:
        """1 when the text carries an urgency / nearness cue."""
        return int(any(cue in text for cue in self.urgency_cues))


_ZH_BASES: dict[str, dict[str, tuple[str, ...]]] = {
    "开锁": {
        "core": ("开锁*", "开锁师傅*", "开锁服务*", "专业开锁*", "开门锁", "开防盗门*", "防盗门开锁*",
                 "家庭开锁*", "开锁换锁*", "钥匙锁屋里了", "钥匙丢了开门", "门打不开了", "锁匠*",
                 "找开锁的", "上门开锁", "24小时开锁", "急开锁", "紧急开锁", "附近开锁", "马上开锁",
                 "夜间开锁", "附近开锁师傅", "24小时上门开锁", "开锁师傅上门", "夜间上门开锁"),
        "phone": ("开锁电话", "开锁热线", "开锁师傅电话", "开锁公司电话", "开锁电话号码", "开锁服务电话",
                  "开锁联系方式", "24小时开锁电话", "附近开锁电话", "上门开锁电话", "开锁换锁电话",
                  "开锁师傅联系方式"),
        "company": ("开锁公司", "开锁店", "开锁服务部", "开锁换锁公司", "开锁服务公司", "正规开锁公司",
                    "开锁铺", "附近开锁店", "附近开锁公司", "24小时开锁公司", "开锁公司哪家好", "开锁换锁店"),
        "price": ("开锁多少钱", "开锁价格", "开锁收费标准", "开锁费用", "开锁一般多少钱", "开锁收费",
                  "开防盗门多少钱", "开锁公司收费标准", "开锁价格表", "上门开锁多少钱", "上门开锁收费",
                  "24小时开锁收费标准", "开锁要多少钱", "开锁师傅收费"),
        "consult": ("开锁需要什么证件", "开锁需要身份证吗", "钥匙锁屋里了怎么办", "门打不开了怎么办",
                    "开锁会不会破坏锁", "开锁要多久", "开锁师傅可靠吗", "开锁需要登记吗", "防盗门打不开怎么办",
                    "开锁会留下痕迹吗", "开锁需要房产证吗", "租房开锁需要什么手续"),
        "none": ("开锁教程", "开锁视频", "开锁图解", "怎么自己开锁", "自己开锁方法", "开锁工具",
                 "开锁工具套装", "开锁培训", "学开锁", "开锁培训班", "开锁招聘", "开锁加盟", "开锁技术培训",
                 "开锁器", "锡纸开锁教程", "开锁师傅招聘", "开锁工具批发"),
    },
    "换锁": {
        "core": ("换锁*", "换锁芯*", "换锁师傅*", "防盗门换锁*", "锁芯更换*", "更换门锁*", "换门锁*",
                 "换防盗门锁芯*", "换锁服务*", "换超B级锁芯*", "换锁开锁", "上门换锁", "24小时换锁",
                 "附近换锁", "急换锁芯", "上门换锁芯"),
        "phone": ("换锁电话", "换锁师傅电话", "换锁芯电话", "换锁热线", "换锁公司电话", "附近换锁电话",
                  "上门换锁电话"),
        "company": ("换锁公司", "换锁店", "换锁芯公司", "附近换锁店", "换锁服务部", "正规换锁公司"),
        "price": ("换锁价格", "换锁多少钱", "换锁芯多少钱", "换锁芯价格", "换锁收费标准", "换锁费用",
                  "上门换锁多少钱", "换个锁芯多少钱", "防盗门换锁芯多少钱", "换锁芯一般多少钱",
                  "换超B级锁芯多少钱"),
        "consult": ("防盗门锁芯怎么换", "锁芯哪个牌子好", "超B级锁芯是什么", "换锁芯需要多久", "换锁芯有必要吗",
                    "锁芯怎么选", "租房可以换锁吗", "换锁要带什么证件", "新房要不要换锁芯", "锁芯A级和B级哪个好"),
        "none": ("换锁芯教程", "自己换锁芯", "换锁芯视频", "锁芯批发", "锁芯网购", "自己怎么换锁芯",
                 "换锁芯图解", "锁芯厂家"),
    },
    "修锁": {
        "core": ("修锁*", "修门锁*", "门锁维修*", "防盗门锁维修*", "门锁坏了", "修锁师傅*", "维修门锁*",
                 "上门修锁", "附近修锁", "防盗门维修*", "锁舌维修*"),
        "phone": ("修锁电话", "门锁维修电话", "修锁师傅电话", "上门修锁电话"),
        "company": ("修锁店", "门锁维修公司", "修锁铺", "附近修锁店"),
        "price": ("修锁多少钱", "门锁维修价格", "修锁收费标准", "防盗门维修多少钱", "上门修锁多少钱"),
        "consult": ("门锁坏了怎么办", "锁舌不回弹怎么办", "钥匙拧不动怎么回事", "门锁卡住了怎么办",
                    "防盗门锁坏了能修吗"),
        "none": ("修锁教程", "门锁维修视频", "修锁培训", "自己修门锁", "门锁维修图解"),
    },
    "指纹锁": {
        "core": ("指纹锁*", "指纹锁安装*", "智能锁安装*", "密码锁安装*", "电子锁安装*", "指纹锁维修*",
                 "智能门锁*", "安装指纹锁*", "指纹锁打不开", "智能锁开锁", "密码锁忘记密码", "上门安装指纹锁",
                 "指纹锁上门维修", "附近指纹锁安装", "指纹锁没电了"),
        "phone": ("指纹锁售后电话", "指纹锁维修电话", "智能锁安装电话", "指纹锁客服电话", "密码锁维修电话"),
        "company": ("指纹锁专卖店", "智能锁安装公司", "指纹锁维修店", "指纹锁公司"),
        "price": ("指纹锁价格", "指纹锁多少钱", "智能锁安装多少钱", "指纹锁安装费用", "密码锁价格",
                  "指纹锁一般多少钱", "智能锁价格", "电子锁多少钱"),
        "consult": ("指纹锁哪个牌子好", "智能锁哪个牌子好", "指纹锁怎么选", "指纹锁安全吗", "密码锁好用吗",
                    "智能锁有必要装吗", "指纹锁会不会被破解", "电子锁没电了怎么办", "指纹锁和密码锁哪个好"),
        "none": ("指纹锁批发", "指纹锁厂家", "指纹锁淘宝", "指纹锁安装教程", "智能锁安装视频", "指纹锁代理加盟",
                 "自己安装指纹锁", "指纹锁贴牌"),
    },
    "汽车开锁": {
        "core": ("汽车开锁*", "开车门*", "汽车开锁师傅*", "车钥匙锁车里了", "车门打不开", "开车锁*",
                 "汽车开锁服务*", "开汽车门*", "上门汽车开锁", "24小时汽车开锁", "附近汽车开锁", "紧急开车门"),
        "phone": ("汽车开锁电话", "开车门电话", "汽车开锁热线", "24小时汽车开锁电话"),
        "company": ("汽车开锁公司", "汽车开锁店", "附近汽车开锁店"),
        "price": ("汽车开锁多少钱", "汽车开锁价格", "开车门多少钱", "汽车开锁收费标准", "上门开车门多少钱"),
        "consult": ("车钥匙锁车里了怎么办", "汽车开锁会损坏车吗", "汽车开锁需要什么证件", "汽车开锁要多久",
                    "车门打不开怎么办"),
        "none": ("汽车开锁工具", "汽车开锁教程", "汽车开锁视频", "自己开车门方法", "汽车开锁培训"),
    },
    "保险柜开锁": {
        "core": ("保险柜开锁*", "开保险柜*", "保险箱开锁*", "保险柜打不开", "保险柜密码忘了", "保险柜维修*",
                 "上门开保险柜", "急开保险柜", "保险柜开锁师傅*"),
        "phone": ("保险柜开锁电话", "开保险柜电话", "保险柜维修电话"),
        "company": ("保险柜开锁公司", "保险柜维修店"),
        "price": ("保险柜开锁多少钱", "开保险柜价格", "保险柜开锁收费", "保险箱开锁多少钱"),
        "consult": ("保险柜密码忘了怎么办", "保险柜打不开怎么办", "保险柜开锁需要什么证明", "保险柜开锁会损坏吗"),
        "none": ("保险柜开锁教程", "保险柜开锁视频", "保险柜批发", "保险柜网购", "保险柜开锁工具"),
    },
    "配钥匙": {
        "core": ("配钥匙*", "配车钥匙*", "汽车钥匙匹配*", "配遥控钥匙*", "车钥匙编程", "配汽车钥匙*",
                 "配钥匙师傅*", "上门配钥匙", "配芯片钥匙*", "附近配钥匙", "配防盗门钥匙*", "24小时配车钥匙"),
        "phone": ("配钥匙电话", "配车钥匙电话", "汽车钥匙匹配电话"),
        "company": ("配钥匙店", "配车钥匙店", "配钥匙的店", "附近配钥匙店", "汽车钥匙匹配店"),
        "price": ("配钥匙多少钱", "配车钥匙多少钱", "配钥匙价格", "汽车钥匙匹配价格", "配遥控钥匙多少钱"),
        "consult": ("配车钥匙需要什么证件", "配钥匙要多久", "配车钥匙需要带车吗", "配钥匙需要原钥匙吗"),
        "none": ("配钥匙机", "配钥匙机器", "配钥匙教程", "学配钥匙", "钥匙胚批发", "配钥匙加盟"),
    },
}

_ZH_AREAS: tuple[str, ...] = (
    "北京", "朝阳", "朝阳区", "海淀", "海淀区", "东城", "东城区", "西城", "西城区", "丰台", "丰台区",
    "石景山", "通州", "通州区", "昌平", "昌平区", "大兴", "大兴区", "顺义", "顺义区", "房山", "房山区",
    "门头沟", "怀柔", "密云", "平谷", "延庆", "望京", "回龙观", "天通苑", "亦庄", "中关村", "国贸",
    "双井", "五道口", "西二旗", "上地", "酒仙桥", "三里屯", "亚运村", "北苑", "立水桥", "牡丹园",
    "公主坟", "五棵松", "宋家庄", "方庄", "劲松", "潘家园", "十里堡", "管庄", "常营", "草房", "青年路",
    "团结湖", "东坝", "清河", "西三旗", "霍营", "沙河", "良乡", "黄村", "旧宫", "马驹桥", "梨园", "果园",
    "安贞", "和平里", "德胜门", "西直门", "东直门", "崇文门", "前门", "鼓楼", "马甸", "北太平庄",
    "学院路", "万寿路", "八角", "鲁谷", "苹果园", "古城", "卢沟桥", "六里桥", "丽泽", "大红门", "木樨园",
    "角门", "马家堡", "洋桥", "蒲黄榆", "天坛", "广渠门", "双桥", "九棵树", "土桥", "次渠", "天宫院",
    "西红门", "瀛海", "科丰桥", "看丹", "花乡", "新发地", "石佛营", "甜水园", "十里河", "大望路", "四惠",
    "百子湾", "垡头", "小红门", "南磨房", "太阳宫", "西坝河", "左家庄", "芍药居", "惠新西街",
    "北沙滩", "奥林匹克公园", "森林公园", "来广营", "孙河", "天竺", "后沙峪", "马坡", "南法信", "牛栏山",
    "北七家", "东小口", "史各庄", "阳坊", "南口", "生命科学园", "朱辛庄", "巩华城", "龙泽", "育新", "永丰",
    "西北旺", "苏家坨", "温泉", "香山", "颐和园", "万柳", "紫竹院", "甘家口", "白石桥", "魏公村", "知春路",
    "大钟寺", "蓟门桥", "北下关",
)

_EN_BASES: dict[str, dict[str, tuple[str, ...]]] = {
    "开锁": {
        "core": ("locksmith*", "locksmith service*", "locksmiths*", "residential locksmith*", "house lockout*",
                 "locked out of house", "locked out of apartment", "home lockout service*",
                 "door unlock service*", "mobile locksmith*", "local locksmith*", "lockout service*",
                 "locksmith near me", "24 hour locksmith", "emergency locksmith", "locksmith open now",
                 "emergency lockout service", "24 hour lockout service", "locksmith near me open now",
                 "emergency house lockout"),
        "phone": ("locksmith phone number", "locksmith number", "call a locksmith", "locksmith contact number",
                  "locksmith near me phone number", "emergency locksmith number", "24 hour locksmith phone number",
                  "lockout service phone number"),
        "company": ("locksmith company", "locksmith shop", "locksmith business", "locksmith companies",
                    "locksmith shop near me", "best locksmith company", "24 hour locksmith company",
                    "lockout company"),
        "price": ("locksmith cost", "locksmith prices", "how much does a locksmith charge", "lockout service cost",
                  "locksmith rates", "how much is a locksmith", "emergency locksmith cost", "cheap locksmith",
                  "locksmith price", "house lockout cost"),
        "consult": ("do locksmiths need a license", "can a locksmith open any door", "what does a locksmith do",
                    "how long does a locksmith take", "will a locksmith damage my door",
                    "is a locksmith or my landlord responsible for lockouts", "are locksmiths trustworthy",
                    "do i need id for a locksmith"),
        "none": ("how to pick a lock", "lock picking tutorial", "how to unlock a door without a key",
                 "locksmith tools", "lock pick set", "locksmith jobs", "locksmith course", "locksmith training",
                 "become a locksmith", "locksmith salary", "locksmith school", "diy lockout tools"),
    },
    "换锁": {
        "core": ("rekey*", "rekey locks*", "lock change*", "change locks*", "lock replacement*",
                 "replace door lock*", "rekey house*", "rekeying service*", "lock change service*",
                 "deadbolt replacement*", "rekey locks near me", "lock change near me", "emergency lock change",
                 "24 hour lock replacement"),
        "phone": ("rekey service phone number", "lock change phone number", "lock replacement number"),
        "company": ("rekey company", "lock change company", "lock replacement company", "rekey shop"),
        "price": ("rekey cost", "lock change price", "cost to rekey a house", "lock replacement cost",
                  "how much to change locks", "rekey price", "how much to rekey a house", "lock change cost near me"),
        "consult": ("should i rekey or replace locks", "do i need to rekey after moving", "can any lock be rekeyed",
                    "how long does it take to rekey a lock", "is rekeying worth it", "what does rekeying a lock mean"),
        "none": ("how to rekey a lock", "rekey kit", "diy lock change", "how to change a door lock",
                 "lock change tutorial", "rekeying tools"),
    },
    "指纹锁": {
        "core": ("smart lock installation*", "keypad lock installation*", "fingerprint door lock*",
                 "smart lock installer*", "electronic lock installation*", "smart lock repair*",
                 "keyless entry installation*", "smart door lock installation*", "smart lock installation near me",
                 "smart lock repair near me", "smart lock not working"),
        "phone": ("smart lock installer phone number", "smart lock repair number",
                  "keypad lock installer phone number"),
        "company": ("smart lock installation company", "smart lock installer company", "keypad lock company"),
        "price": ("smart lock installation cost", "keypad lock installation price", "fingerprint lock price",
                  "how much to install a smart lock", "smart lock installation price"),
        "consult": ("best smart lock brand", "are smart locks secure", "which smart lock is best",
                    "do smart locks work without wifi", "can smart locks be hacked", "what is the best keypad lock"),
        "none": ("buy smart lock", "smart lock amazon", "smart lock for sale", "how to install a smart lock",
                 "smart lock wholesale", "smart lock installation video"),
    },
    "汽车开锁": {
        "core": ("car lockout*", "car locksmith*", "auto locksmith*", "car lockout service*", "car door unlock*",
                 "keys locked in car", "locked keys in car", "locked out of car", "car lockout near me",
                 "emergency car lockout", "24 hour car locksmith", "car locksmith near me", "auto locksmith open now"),
        "phone": ("car lockout phone number", "car locksmith number", "auto locksmith phone number"),
        "company": ("car locksmith company", "auto locksmith shop", "car lockout company"),
        "price": ("car lockout cost", "car locksmith prices", "car lockout service price", "auto locksmith cost",
                  "how much is a car lockout"),
        "consult": ("will a car locksmith damage my car", "do car locksmiths need proof of ownership",
                    "how long does a car lockout take", "can a car locksmith open any car"),
        "none": ("car lockout kit", "car door opening tool", "car lockout tool kit", "auto locksmith training",
                 "auto locksmith jobs"),
    },
    "保险柜开锁": {
        "core": ("safe opening*", "safe locksmith*", "safe cracking service*", "open a locked safe",
                 "safe lockout*", "gun safe opening*", "safe locksmith near me", "emergency safe opening"),
        "phone": ("safe locksmith phone number", "safe opening phone number"),
        "company": ("safe locksmith company", "safe opening company"),
        "price": ("safe opening cost", "safe locksmith price", "how much to open a safe"),
        "consult": ("can a locksmith open a safe", "forgot safe combination what to do",
                    "will opening a safe damage it", "how long does it take to open a safe"),
        "none": ("safe for sale", "how to crack a safe", "buy a gun safe", "safe cracking tools"),
    },
    "配钥匙": {
        "core": ("key cutting*", "key copy*", "duplicate key*", "car key programming*", "car key replacement*",
                 "key fob programming*", "transponder key programming*", "spare car key*", "key duplication*",
                 "key cutting near me", "car key replacement near me", "key copy near me",
                 "24 hour car key replacement", "emergency car key replacement"),
        "phone": ("car key replacement phone number", "key cutting phone number", "car key programming number"),
        "company": ("key cutting shop", "car key replacement company", "key duplication shop"),
        "price": ("key cutting price", "car key replacement cost", "key fob programming cost", "how much to copy a key",
                  "car key programming price", "duplicate key cost"),
        "consult": ("can you copy a car key without the original", "how long does car key programming take",
                    "can any key be duplicated", "do i need my title for a car key replacement"),
        "none": ("key cutting machine", "key programming tool", "key blanks wholesale", "how to program a key fob",
                 "key duplicator for sale"),
    },
}

_EN_AREAS: tuple[str, ...] = (
    "austin", "round rock", "cedar park", "pflugerville", "georgetown", "leander", "south austin", "north austin",
    "kyle", "buda", "hutto", "manor", "lakeway", "bee cave", "westlake", "mueller", "downtown austin",
    "east austin", "travis county", "san marcos",
)

_VOCABULARIES: dict[tuple[str, Language], _Vocabulary] = {
    ("locksmith", "zh"): _Vocabulary(
        language="zh",
        bases=_ZH_BASES,
        areas=_ZH_AREAS,
        urgency_cues=("附近", "24小时", "上门", "急", "马上", "夜间"),
        stage_variants=(("{}电话", "phone"), ("{}多少钱", "price"), ("{}价格", "price"), ("{}电话号码", "phone")),
        urgency_variants=("附近{}", "24小时{}"),
        unit_stage_names={"core": "核心词", "phone": "电话词", "company": "公司词", "price": "询价词",
                          "consult": "咨询词"},
        unit_scope_names=("通用", "地域"),
        page_slugs={"开锁": "kaisuo", "换锁": "huansuo", "修锁": "xiusuo", "指纹锁": "zhiwensuo",
                    "汽车开锁": "qichekaisuo", "保险柜开锁": "baoxianguikaisuo", "配钥匙": "peiyaoshi"},
        pc_url="https://www.example-kaisuo.cn/{}.html",
        mobile_url="https://m.example-kaisuo.cn/{}.html",
        account="北京安心开锁",
        currency="CNY",
    ),
    ("locksmith", "en"): _Vocabulary(
        language="en",
        bases=_EN_BASES,
        areas=_EN_AREAS,
        urgency_cues=("near me", "24 hour", "emergency", "open now"),
        stage_variants=(("{} cost", "price"), ("{} prices", "price"), ("{} phone number", "phone")),
        urgency_variants=("{} near me", "emergency {}"),
        unit_stage_names={"core": "Core", "phone": "Call", "company": "Company", "price": "Price",
                          "consult": "Questions"},
        unit_scope_names=("General", "Local"),
        page_slugs={"开锁": "lockout", "换锁": "rekey", "修锁": "lock-repair", "指纹锁": "smart-locks",
                    "汽车开锁": "car-lockout", "保险柜开锁": "safe-opening", "配钥匙": "key-cutting"},
        pc_url="https://www.example-locksmith.com/{}",
        mobile_url=None,
        account="Austin Rapid Locksmith",
        currency="USD",
    ),
}
_DEFAULT_N_KEYWORDS: dict[Language, int] = {"zh": 2000, "en": 400}


# ---------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanSpec:
    """One plan (推广计划 / campaign) of the account.

    ``true_group`` names the plans that share a true CPA and CVR: plans of one group
    must have the same ``business_line``, ``target_cpa`` and ``target_cvr``.
    ``daily_spend`` is the plan's average daily cost at ``volume_scale`` 1 and
    ``keyword_share`` its share of the account's keywords.
    """

    campaign: str
    business_line: str
    stages: tuple[str, ...]
    true_group: str
    target_cpa: float
    target_cvr: float
    daily_spend: float
    keyword_share: float

    @property
    def base_cpc(self) -> float:
        """The plan's click-weighted CPC before drifts (CPA × CVR)."""
        return self.target_cpa * self.target_cvr


@dataclass(frozen=True)
class DriftSpec:
    """A planted change of one plan's CPC or CVR.

    ``change`` is relative: +0.35 raises CPC by 35%; for ``cvr`` a negative change
    lowers CVR, so CPA rises. ``abrupt`` applies the full change from ``start``;
    ``gradual`` ramps linearly: on day ``start + i`` the factor is
    ``1 + change * min(1, (i + 1) / ramp_days)``.
    """

    campaign: str
    metric: Metric
    start: date
    change: float
    shape: Shape = "abrupt"
    ramp_days: int = 7


@dataclass(frozen=True)
class UrlChangeSpec:
    """One unit's keywords move to a new landing page on ``date`` (its first day).

    The new page is the old one with ``suffix`` before the extension
    (``huansuo.html`` → ``huansuo-v2.html``), on the PC and the mobile URL.
    """

    campaign: str
    ad_group: str
    date: date
    suffix: str = "-v2"


@dataclass(frozen=True)
class AccountConfig:
    """Everything that defines a generated account; equal configs give equal bytes.

    Fields left as ``None`` take the vertical's default for the language (see
    :meth:`resolved`): the plan set, the drifts, the URL change, the account name,
    ``n_keywords`` (2000 zh, 400 en), ``last_day_partial`` (True for the Chinese /
    Baidu account) and ``volume_scale`` (``n_keywords`` / default, so that per-keyword
    volumes, and hence report rows per keyword-day, stay the same at any size). Pass
    an empty tuple for ``drifts`` or ``url_changes`` to plant none. The default
    drifts and URL change need ``days`` ≥ 46.
    """

    seed: int = 20261124
    vertical: str = "locksmith"
    language: Language = "zh"
    account: str | None = None
    days: int = 90
    end_date: date = date(2026, 11, 24)
    n_keywords: int | None = None
    plans: tuple[PlanSpec, ...] | None = None
    drifts: tuple[DriftSpec, ...] | None = None
    url_changes: tuple[UrlChangeSpec, ...] | None = None
    last_day_partial: bool | None = None
    volume_scale: float | None = None
    off_target_share: float = 0.065
    urgency_share: float = 0.12
    n_url_mismatches: int = 6
    n_structure_faults: int = 5
    missing_mobile_url_share: float = 0.01

    def __post_init__(self) -> None:
        for name in ("plans", "drifts", "url_changes"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def platform(self) -> str:
        """``baidu`` for the Chinese account, ``google_ads`` for the English one."""
        return "baidu" if self.language == "zh" else "google_ads"

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    def resolved(self) -> AccountConfig:
        """A copy with every ``None`` replaced by the default, validated."""
        if (self.vertical, self.language) not in _VOCABULARIES:
            raise ValueError(f"unknown vertical/language {self.vertical!r}/{self.language!r}; "
                             f"known: {sorted(_VOCABULARIES)}")
        vocab = _VOCABULARIES[(self.vertical, self.language)]
        n_keywords = self.n_keywords or _DEFAULT_N_KEYWORDS[self.language]
        cfg = replace(
            self,
            account=self.account or vocab.account,
            n_keywords=n_keywords,
            plans=self.plans if self.plans is not None else _default_plans(self.language),
            drifts=self.drifts if self.drifts is not None else _default_drifts(self.language, self.end_date),
            url_changes=(self.url_changes if self.url_changes is not None
                         else _default_url_changes(self.language, self.end_date)),
            last_day_partial=self.last_day_partial if self.last_day_partial is not None else self.language == "zh",
            volume_scale=(self.volume_scale if self.volume_scale is not None
                          else n_keywords / _DEFAULT_N_KEYWORDS[self.language]),
        )
        cfg._validate()
        return cfg

    def _validate(self) -> None:
        if self.days < 2:
            raise ValueError(f"days must be at least 2, got {self.days}")
        if not 0 <= self.off_target_share < 0.5 or not 0 <= self.urgency_share < 0.5:
            raise ValueError("off_target_share and urgency_share must be in [0, 0.5)")
        assert self.plans is not None and self.drifts is not None and self.url_changes is not None
        names = [p.campaign for p in self.plans]
        if len(set(names)) != len(names):
            raise ValueError(f"plan names must be unique: {names}")
        groups: dict[str, PlanSpec] = {}
        for p in self.plans:
            if p.business_line not in BUSINESS_LINES:
                raise ValueError(f"plan {p.campaign!r}: unknown business line {p.business_line!r}")
            if not p.stages or any(s not in _DEFAULT_STAGE_WEIGHTS for s in p.stages):
                raise ValueError(f"plan {p.campaign!r}: stages must be among {list(_DEFAULT_STAGE_WEIGHTS)}")
            first = groups.setdefault(p.true_group, p)
            if (first.business_line, first.target_cpa, first.target_cvr) != \
                    (p.business_line, p.target_cpa, p.target_cvr):
                raise ValueError(f"plans {first.campaign!r} and {p.campaign!r} share group {p.true_group!r} "
                                 "but differ in business line, target CPA or target CVR")
        for d in self.drifts:
            if d.campaign not in names:
                raise ValueError(f"drift on unknown plan {d.campaign!r}")
            if not self.start_date < d.start <= self.end_date:
                raise ValueError(f"drift on {d.campaign!r} starts {d.start}, outside "
                                 f"({self.start_date}, {self.end_date}]")
            if d.metric not in ("cpc", "cvr") or d.shape not in ("abrupt", "gradual") or d.ramp_days < 1:
                raise ValueError(f"bad drift {d}")
        for u in self.url_changes:
            if u.campaign not in names:
                raise ValueError(f"URL change on unknown plan {u.campaign!r}")
            if not self.start_date < u.date <= self.end_date:
                raise ValueError(f"URL change of {u.campaign!r}/{u.ad_group!r} on {u.date} is outside the range")


def _default_plans(language: Language) -> tuple[PlanSpec, ...]:
    allstages = ("core", "phone", "company", "price", "consult")
    if language == "zh":
        return (
            PlanSpec("开锁-核心词", "开锁", ("core",), "开锁-A", 60, 0.14, 1400, 0.16),
            PlanSpec("开锁-电话词", "开锁", ("phone",), "开锁-A", 60, 0.14, 900, 0.09),
            PlanSpec("开锁-公司词", "开锁", ("company",), "开锁-A", 60, 0.14, 450, 0.07),
            PlanSpec("开锁-询价", "开锁", ("price",), "开锁-B", 120, 0.07, 700, 0.09),
            PlanSpec("开锁-咨询", "开锁", ("consult",), "开锁-B", 120, 0.07, 360, 0.07),
            PlanSpec("换锁-核心词", "换锁", ("core", "phone", "company"), "换锁-A", 90, 0.10, 1500, 0.10),
            PlanSpec("换锁-询价", "换锁", ("price", "consult"), "换锁-B", 160, 0.05, 480, 0.07),
            PlanSpec("指纹锁-安装维修", "指纹锁", ("core", "phone", "company"), "指纹锁-A", 110, 0.08, 500, 0.06),
            PlanSpec("指纹锁-品牌咨询", "指纹锁", ("consult", "price"), "指纹锁-B", 200, 0.04, 520, 0.06),
            PlanSpec("汽车开锁", "汽车开锁", allstages, "汽车开锁-A", 80, 0.12, 650, 0.08),
            PlanSpec("保险柜开锁", "保险柜开锁", allstages, "保险柜开锁-A", 150, 0.06, 300, 0.05),
            PlanSpec("修锁", "修锁", allstages, "修锁-A", 100, 0.09, 380, 0.05),
            PlanSpec("配钥匙", "配钥匙", allstages, "配钥匙-A", 50, 0.10, 260, 0.05),
        )
    return (
        PlanSpec("Lockout - Core", "开锁", ("core", "company"), "en-开锁-A", 45, 0.15, 280, 0.20),
        PlanSpec("Lockout - Call", "开锁", ("phone",), "en-开锁-A", 45, 0.15, 170, 0.10),
        PlanSpec("Lockout - Price & Questions", "开锁", ("price", "consult"), "en-开锁-B", 85, 0.075, 130, 0.13),
        PlanSpec("Rekey & Lock Change", "换锁", allstages, "en-换锁-A", 70, 0.10, 160, 0.16),
        PlanSpec("Smart Locks", "指纹锁", allstages, "en-指纹锁-A", 120, 0.06, 100, 0.10),
        PlanSpec("Car Lockout", "汽车开锁", allstages, "en-汽车开锁-A", 55, 0.13, 170, 0.12),
        PlanSpec("Car Keys & Key Cutting", "配钥匙", allstages, "en-配钥匙-A", 65, 0.10, 130, 0.12),
        PlanSpec("Safe Opening", "保险柜开锁", allstages, "en-保险柜开锁-A", 110, 0.07, 60, 0.07),
    )


def _default_drifts(language: Language, end: date) -> tuple[DriftSpec, ...]:
    if language == "zh":
        return (
            DriftSpec("开锁-电话词", "cpc", end - timedelta(days=35), 0.40, "abrupt"),
            DriftSpec("换锁-核心词", "cvr", end - timedelta(days=23), -0.35, "abrupt"),
            DriftSpec("开锁-询价", "cpc", end - timedelta(days=28), 0.30, "gradual", 7),
        )
    return (DriftSpec("Lockout - Call", "cpc", end - timedelta(days=25), 0.35, "abrupt"),)


def _default_url_changes(language: Language, end: date) -> tuple[UrlChangeSpec, ...]:
    if language == "zh":
        return (UrlChangeSpec("换锁-询价", "询价词-通用", end - timedelta(days=14)),)
    return (UrlChangeSpec("Rekey & Lock Change", "Price - General", end - timedelta(days=14)),)


def big_baidu_config(rows: int = 1_000_000, seed: int = 20261124) -> AccountConfig:
    """A Chinese (Baidu) account whose keyword report has about ``rows`` data rows (±10%).

    A year of days with as many keywords as the calibrated rows-per-keyword-day ratio
    asks for, but at least 2,000 keywords (fewer days instead) and at most what the
    templates can make (more days instead: 1,000,000 rows is 365 days of ~13,200
    keywords). Plan volumes grow with the keyword count, and the default drifts and
    URL change are planted.
    """
    if rows < 20_000:
        raise ValueError(f"rows must be at least 20,000 (46 days of 2,000 keywords), got {rows}")
    n_keywords = min(max(round(rows / (365 * _ROWS_PER_KEYWORD_DAY)), _DEFAULT_N_KEYWORDS["zh"]), _MAX_ZH_KEYWORDS)
    days = round(rows / (n_keywords * _ROWS_PER_KEYWORD_DAY))
    return AccountConfig(seed=seed, language="zh", days=days, n_keywords=n_keywords)


# ---------------------------------------------------------------------------------
# The generated account
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeneratedAccount:
    """A simulated account and the truth planted in it.

    ``config``: the resolved configuration (no field left ``None``).

    ``daily``: one row per keyword and day with impressions > 0, sorted by date,
    plan, unit, keyword. Columns: ``date`` (datetime64), ``account``, ``campaign``,
    ``ad_group``, ``keyword`` (plain text), ``keyword_id`` (int64), ``match_type``
    (``exact`` / ``phrase`` / ``smart`` for Baidu, ``broad`` instead of ``smart`` for
    Google), ``bid``, ``final_url``, ``mobile_final_url`` (empty string when
    missing), ``impressions``, ``clicks``, ``cost`` (rounded to 0.01),
    ``conversions``, ``conv_phone``, ``conv_form``, ``conv_chat`` (counts int64).
    Text columns are categorical.

    ``keywords``: one row per keyword with its true labels: ``keyword``,
    ``campaign``, ``ad_group``, ``business_line``, ``stage``, ``urgency``,
    ``off_target``, plus ``keyword_id``, ``match_type``, ``bid``, ``final_url``,
    ``mobile_final_url`` (the URLs of the first day).

    ``plans``: ``campaign``, ``business_line``, ``true_group``, ``base_cpc``,
    ``base_cvr``, ``target_cpa``, ``daily_spend`` (at the account's volume scale).

    ``search_terms``: search term × day over the last 30 days: ``date``,
    ``account``, ``campaign``, ``ad_group``, ``keyword``, ``keyword_id``,
    ``match_type`` (the keyword's), ``search_term``, ``term_match_type``
    (``exact``, ``exact_close``, ``phrase``, ``phrase_close``, ``smart`` or
    ``broad``), ``added``
    (the term is a keyword of the same unit), ``impressions``, ``clicks``,
    ``cost``, ``conversions`` and the term's labels ``business_line``, ``stage``,
    ``urgency``, ``off_target``. Only terms with impressions > 0.

    ``truth``: the JSON-able truth document of this account (see the module doc).
    """

    config: AccountConfig
    daily: pd.DataFrame
    keywords: pd.DataFrame
    plans: pd.DataFrame
    search_terms: pd.DataFrame
    truth: dict = field(repr=False)


@dataclass(frozen=True)
class _Keywords:
    """The keyword table and the per-keyword simulation parameters (aligned arrays)."""

    table: pd.DataFrame
    plan_idx: np.ndarray
    volume: np.ndarray      # expected impressions per day at weekday factor 1
    ctr: np.ndarray
    cpc_mult: np.ndarray
    cvr_mult: np.ndarray
    url_change_day: np.ndarray  # day index of the first day on the new URL; days when none
    new_final_url: np.ndarray
    new_mobile_url: np.ndarray
    suffixable: np.ndarray
    has_area: np.ndarray
    structure_faults: list[dict]
    url_mismatches: list[dict]


def generate_account(cfg: AccountConfig) -> GeneratedAccount:
    """Build, simulate and label one account; deterministic in ``cfg``."""
    cfg = cfg.resolved()
    vocab = _VOCABULARIES[(cfg.vertical, cfg.language)]
    seeds = np.random.SeedSequence(cfg.seed).spawn(3)
    plans = _plan_table(cfg)
    kw = _build_keywords(cfg, vocab, plans, np.random.default_rng(seeds[0]))
    daily = _simulate(cfg, kw, plans, np.random.default_rng(seeds[1]))
    search_terms = _search_terms(cfg, vocab, kw, daily, np.random.default_rng(seeds[2]))
    truth = _account_truth(cfg, kw, plans, search_terms)
    acc = GeneratedAccount(cfg, daily, kw.table, plans, search_terms, truth)
    from sample_data.creatives import build
    truth["creative_problems"] = build(acc)[1]
    return acc


def _plan_table(cfg: AccountConfig) -> pd.DataFrame:
    assert cfg.plans is not None and cfg.volume_scale is not None
    return pd.DataFrame({
        "campaign": [p.campaign for p in cfg.plans],
        "business_line": [p.business_line for p in cfg.plans],
        "true_group": [p.true_group for p in cfg.plans],
        "base_cpc": [round(p.base_cpc, 4) for p in cfg.plans],
        "base_cvr": [p.target_cvr for p in cfg.plans],
        "target_cpa": [float(p.target_cpa) for p in cfg.plans],
        "daily_spend": [p.daily_spend * cfg.volume_scale for p in cfg.plans],
    })


def _split_count(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    parts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[: total - parts.sum()]] += 1
    return parts.tolist()


class _Candidate(NamedTuple):
    """A keyword that a (line, stage) template can make."""

    text: str
    suffixable: bool
    has_area: bool
    popularity: float  # 1 for the first template of the cell, falling to 0 for the last


class _Pool:
    """Candidate keywords of one (line, stage), consumed without repetition.

    Head words (no place name) come first in a shuffled order, then local words.
    Urgent and calm candidates are kept apart so that the urgency share can be set.
    """

    def __init__(self, vocab: _Vocabulary, line: str, stage: str, rng: np.random.Generator) -> None:
        found: dict[bool, tuple[list[_Candidate], list[_Candidate]]] = {False: ([], []), True: ([], [])}
        raws = vocab.bases[line][stage]
        for pos, raw in enumerate(raws):
            base, suffixable = raw.rstrip("*"), raw.endswith("*")
            popularity = 1.0 - pos / len(raws)
            heads, local = found[bool(vocab.urgency(base))]
            heads.append(_Candidate(base, suffixable, False, popularity))
            for area in vocab.areas:
                for area_first in vocab.area_forms(base, stage):
                    local.append(_Candidate(vocab.with_area(base, stage, area, area_first), suffixable, True,
                                            popularity))
        self._queues = {urgent: deque([heads[i] for i in rng.permutation(len(heads))]
                                      + [local[i] for i in rng.permutation(len(local))])
                        for urgent, (heads, local) in found.items()}
        self._label = f"{line}/{stage}"

    def has_urgent(self) -> bool:
        return bool(self._queues[True])

    def take(self, n: int, urgent_share: float, used: set[str]) -> list[_Candidate]:
        """``n`` unused candidates, about ``urgent_share`` of them urgent (fewer when
        the templates run out of urgent ones)."""
        out = self._take(round(urgent_share * n), self._queues[True], used, required=False)
        return out + self._take(n - len(out), self._queues[False], used, required=True)

    def _take(self, n: int, queue: deque[_Candidate], used: set[str], required: bool) -> list[_Candidate]:
        out: list[_Candidate] = []
        while len(out) < n and queue:
            candidate = queue.popleft()
            if candidate.text not in used:
                used.add(candidate.text)
                out.append(candidate)
        if required and len(out) < n:
            raise ValueError(f"not enough distinct {self._label} keywords for this n_keywords; "
                             "lower n_keywords or add templates")
        return out


def _build_keywords(cfg: AccountConfig, vocab: _Vocabulary, plans: pd.DataFrame,
                    rng: np.random.Generator) -> _Keywords:
    assert cfg.plans is not None and cfg.n_keywords is not None and cfg.url_changes is not None
    pools: dict[tuple[str, str], _Pool] = {}

    def pool(line: str, stage: str) -> _Pool:
        if (line, stage) not in pools:
            pools[(line, stage)] = _Pool(vocab, line, stage, rng)
        return pools[(line, stage)]

    plan_counts = _split_count(cfg.n_keywords, [p.keyword_share for p in cfg.plans])
    line_totals: dict[str, int] = {}
    for p, n in zip(cfg.plans, plan_counts, strict=True):
        line_totals[p.business_line] = line_totals.get(p.business_line, 0) + n
    # The host plan of a line receives its off-target words (and, for the first line,
    # the misplaced price words): its first plan with core words, else its first plan.
    hosts: dict[str, int] = {}
    for i, p in enumerate(cfg.plans):
        if p.business_line not in hosts or ("core" in p.stages
                                            and "core" not in cfg.plans[hosts[p.business_line]].stages):
            hosts[p.business_line] = i
    n_off = {line: round(cfg.off_target_share * n) for line, n in line_totals.items()}
    fault_line = cfg.plans[0].business_line
    n_faults = cfg.n_structure_faults

    on_target_counts = list(plan_counts)
    for line, i in hosts.items():
        on_target_counts[i] -= n_off[line] + (n_faults if line == fault_line else 0)
    if min(on_target_counts) < len(max((p.stages for p in cfg.plans), key=len)):
        raise ValueError(f"n_keywords={cfg.n_keywords} is too small for {len(cfg.plans)} plans")
    cells = []  # (plan index, stage, count)
    for i, p in enumerate(cfg.plans):
        counts = _split_count(on_target_counts[i], [_DEFAULT_STAGE_WEIGHTS[s] for s in p.stages])
        cells += [(i, s, c) for s, c in zip(p.stages, counts, strict=True)]
    eligible = sum(c for i, s, c in cells if pool(cfg.plans[i].business_line, s).has_urgent())
    urgent_rate = min(0.5, cfg.urgency_share * cfg.n_keywords / max(eligible, 1))

    used: set[str] = set()
    rows: list[dict] = []

    plan_specs = cfg.plans

    def add(i: int, stage: str, unit_stage: str, candidates: list[_Candidate]) -> None:
        p = plan_specs[i]
        for c in candidates:
            rows.append({
                "keyword": c.text, "plan_idx": i, "campaign": p.campaign,
                "ad_group": vocab.unit_name(unit_stage, c.has_area),
                "business_line": p.business_line, "stage": stage,
                "urgency": vocab.urgency(c.text), "off_target": int(stage == "none"),
                "suffixable": c.suffixable, "has_area": c.has_area,
                "popularity": c.popularity + 0.3 * (stage == p.stages[0]),
                "unit_rank": 2 * p.stages.index(unit_stage) + int(c.has_area),
            })

    for i, stage, count in cells:
        add(i, stage, stage, pool(cfg.plans[i].business_line, stage).take(count, urgent_rate, used))
    for line, i in hosts.items():
        add(i, "none", cfg.plans[i].stages[0], pool(line, "none").take(n_off[line], urgent_rate, used))
    fault_host = hosts[fault_line]
    fault_start = len(rows)
    add(fault_host, "price", cfg.plans[fault_host].stages[0], pool(fault_line, "price").take(n_faults, 0.0, used))
    fault_rows = range(fault_start, len(rows))

    kw = pd.DataFrame(rows)
    # Keyword order inside the account: by plan, unit (stage order, general before
    # local), then creation order.
    kw["_row"] = np.arange(len(kw))
    kw = kw.sort_values(["plan_idx", "unit_rank", "_row"], kind="stable").reset_index(drop=True)
    faults = np.flatnonzero(kw["_row"].isin(fault_rows).to_numpy())
    n = len(kw)

    # Match types.
    kind = np.where(kw["off_target"].to_numpy() == 1, "off", np.where(kw["has_area"].to_numpy(), "local", "head"))
    broad = "smart" if vocab.language == "zh" else "broad"
    u = rng.random(n)
    match = np.empty(n, dtype=object)
    for k, (p_exact, p_phrase, _) in _MATCH_MIX.items():
        sel = kind == k
        match[sel] = np.where(u[sel] < p_exact, "exact", np.where(u[sel] < p_exact + p_phrase, "phrase", broad))
    kw["match_type"] = match

    # Volumes, CTR, CPC and CVR multipliers, normalised per plan.
    plan_idx = kw["plan_idx"].to_numpy()
    stage = kw["stage"].to_numpy()
    # Volume rank inside a plan: head words first, earlier templates and the plan's
    # first stage before the others, with some luck.
    score = (np.where(kw["has_area"].to_numpy(), 0.0, 1.0) + 2.0 * kw["popularity"].to_numpy()
             + 0.3 * rng.random(n) - 0.3 * kw["off_target"].to_numpy())
    volume_weight = np.empty(n)
    for i in range(len(cfg.plans)):
        idx = np.flatnonzero(plan_idx == i)
        order = idx[np.argsort(-score[idx], kind="stable")]
        volume_weight[order] = _heavy_tail_weights(len(idx))
    ctr = np.clip(np.array([_BASE_CTR[m] for m in match]) * np.array([_STAGE_CTR[s] for s in stage])
                  * rng.lognormal(0.0, 0.35, n), 0.005, 0.3)
    cpc_mult = rng.lognormal(0.0, 0.25, n) * np.where(kw["has_area"].to_numpy(), 1.0, 1.15)
    cvr_mult = (np.array([_STAGE_CVR[s] for s in stage]) * np.where(kw["urgency"].to_numpy() == 1, 1.2, 1.0)
                * rng.lognormal(0.0, 0.25, n))
    base_cpc = plans["base_cpc"].to_numpy()
    daily_spend = plans["daily_spend"].to_numpy()
    volume = np.empty(n)
    for i in range(len(cfg.plans)):
        idx = plan_idx == i
        share = volume_weight[idx] / volume_weight[idx].sum()
        cpc_mult[idx] /= (share * cpc_mult[idx]).sum()
        cvr_mult[idx] /= (share * cvr_mult[idx]).sum()
        clicks_per_day = daily_spend[i] / base_cpc[i]
        volume[idx] = clicks_per_day * share / ctr[idx]

    # Bids (max CPC) sit well above the price paid (even after a +40% drift), to 0.1.
    kw["bid"] = np.round(base_cpc[plan_idx] * cpc_mult * rng.uniform(1.5, 2.1, n), 1)

    # Landing pages: the line's page, a few mismatches, a few missing mobile URLs.
    line = kw["business_line"].to_numpy()
    pc = np.array([vocab.pc_url.format(vocab.page_slugs[x]) for x in line], dtype=object)
    mobile = np.array([vocab.mobile_url.format(vocab.page_slugs[x]) if vocab.mobile_url else "" for x in line],
                      dtype=object)
    change_day = np.full(n, cfg.days)
    new_pc, new_mobile = pc.copy(), mobile.copy()
    changing = np.zeros(n, dtype=bool)
    for change in cfg.url_changes:
        sel = ((kw["campaign"] == change.campaign) & (kw["ad_group"] == change.ad_group)).to_numpy()
        if not sel.any():
            raise ValueError(f"URL change: no unit {change.campaign!r}/{change.ad_group!r} in this account")
        changing |= sel
        change_day[sel] = (change.date - cfg.start_date).days
        new_pc[sel] = [_with_suffix(x, change.suffix) for x in pc[sel]]
        new_mobile[sel] = [_with_suffix(x, change.suffix) if x else "" for x in mobile[sel]]

    mismatches: list[dict] = []
    lines_present = [x for x in BUSINESS_LINES if x in set(line)]
    if cfg.n_url_mismatches and len(lines_present) >= 2:
        wrong_line, right_line = lines_present[1], lines_present[0]
        candidates = np.flatnonzero((line == wrong_line) & (stage != "none") & ~changing)
        chosen = np.sort(rng.choice(candidates, size=min(cfg.n_url_mismatches, len(candidates)), replace=False))
        for j in chosen:
            pc[j] = new_pc[j] = vocab.pc_url.format(vocab.page_slugs[right_line])
            if vocab.mobile_url:
                mobile[j] = new_mobile[j] = vocab.mobile_url.format(vocab.page_slugs[right_line])
            mismatches.append({
                "account": cfg.account, "keyword": kw.at[j, "keyword"], "campaign": kw.at[j, "campaign"],
                "ad_group": kw.at[j, "ad_group"], "business_line": wrong_line, "url": pc[j],
                "mobile_url": mobile[j] or None, "url_business_line": right_line,
            })
    if vocab.mobile_url and cfg.missing_mobile_url_share > 0:
        mismatched = kw["keyword"].isin([m["keyword"] for m in mismatches]).to_numpy()
        candidates = np.flatnonzero(~changing & ~mismatched)
        n_missing = min(round(cfg.missing_mobile_url_share * n), len(candidates))
        chosen = rng.choice(candidates, size=n_missing, replace=False)
        mobile[chosen] = new_mobile[chosen] = ""
    kw["final_url"] = pc
    kw["mobile_final_url"] = mobile

    # Keyword ids: unique, deterministic, shuffled.
    ids = 100_000_000_000 + np.cumsum(rng.integers(1, 40_000, n))
    kw["keyword_id"] = ids[rng.permutation(n)]

    faults_out = [{
        "account": cfg.account, "kind": "stage_outside_its_unit", "keyword": kw.at[j, "keyword"],
        "campaign": kw.at[j, "campaign"], "ad_group": kw.at[j, "ad_group"], "stage": kw.at[j, "stage"],
        "unit_stage": cfg.plans[kw.at[j, "plan_idx"]].stages[0],
    } for j in faults]

    table = kw[["keyword", "keyword_id", "campaign", "ad_group", "match_type", "business_line", "stage",
                "urgency", "off_target", "bid", "final_url", "mobile_final_url"]].copy()
    for col in ("urgency", "off_target", "keyword_id"):
        table[col] = table[col].astype("int64")
    return _Keywords(
        table=table, plan_idx=plan_idx, volume=volume, ctr=ctr, cpc_mult=cpc_mult, cvr_mult=cvr_mult,
        url_change_day=change_day, new_final_url=new_pc, new_mobile_url=new_mobile,
        suffixable=kw["suffixable"].to_numpy(dtype=bool),
        has_area=kw["has_area"].to_numpy(dtype=bool), structure_faults=faults_out, url_mismatches=mismatches,
    )


def _heavy_tail_weights(n: int) -> np.ndarray:
    """``n`` volume weights, largest first (see ``_VOLUME_*``)."""
    inv = NormalDist().inv_cdf
    z = np.clip([inv(1.0 - (i + 0.5) / n) for i in range(n)], *_VOLUME_Z_CLIP)
    knee = _VOLUME_KNEE
    return np.exp(np.where(z <= knee, _VOLUME_TAIL_SLOPE * z,
                           _VOLUME_TAIL_SLOPE * knee + _VOLUME_HEAD_SLOPE * (z - knee)))


def _with_suffix(url: str, suffix: str) -> str:
    stem, dot, ext = url.rpartition(".")
    return f"{stem}{suffix}.{ext}" if dot and "/" not in ext else url + suffix


# ---------------------------------------------------------------------------------
# Daily simulation
# ---------------------------------------------------------------------------------
def _drift_factors(cfg: AccountConfig, n_plans: int, metric: str) -> np.ndarray:
    """(plans × days) multipliers of ``metric`` from the planted drifts."""
    assert cfg.drifts is not None and cfg.plans is not None
    factors = np.ones((n_plans, cfg.days))
    names = [p.campaign for p in cfg.plans]
    day = np.arange(cfg.days)
    for d in cfg.drifts:
        if d.metric != metric:
            continue
        since = day - (d.start - cfg.start_date).days
        ramp = np.ones(cfg.days) if d.shape == "abrupt" else np.minimum(1.0, (since + 1) / d.ramp_days)
        factors[names.index(d.campaign)] *= np.where(since >= 0, 1.0 + d.change * ramp, 1.0)
    return factors


def _simulate(cfg: AccountConfig, kw: _Keywords, plans: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n_plans, days = len(plans), cfg.days
    dates = pd.date_range(cfg.start_date, periods=days, freq="D", unit="ns")
    weekday = _WEEKDAY_FACTORS[dates.day_of_week.to_numpy()]
    demand = rng.lognormal(0.0, 0.07, (n_plans, days))
    cpc_noise = rng.lognormal(0.0, 0.03, (n_plans, days))
    cpc_drift = _drift_factors(cfg, n_plans, "cpc")
    cvr_drift = _drift_factors(cfg, n_plans, "cvr")

    # (days × keywords) grid; only cells with impressions survive.
    lam = (weekday[:, None] * demand.T[:, kw.plan_idx]) * kw.volume[None, :]
    lam *= rng.gamma(_GAMMA_SHAPE, 1.0 / _GAMMA_SHAPE, lam.shape)
    grid = rng.poisson(lam)
    del lam
    d_i, k_i = np.nonzero(grid)
    impressions = grid[d_i, k_i].astype(np.int64)
    del grid
    p_i = kw.plan_idx[k_i]

    clicks = rng.binomial(impressions, kw.ctr[k_i])
    cpc = plans["base_cpc"].to_numpy()[p_i] * kw.cpc_mult[k_i] * cpc_drift[p_i, d_i] * cpc_noise[p_i, d_i]
    price_noise = np.exp(rng.normal(0.0, 0.12, len(k_i)) / np.sqrt(np.maximum(clicks, 1)))
    cost_cents = np.rint(clicks * cpc * price_noise * 100).astype(np.int64)
    cvr = np.clip(plans["base_cvr"].to_numpy()[p_i] * kw.cvr_mult[k_i] * cvr_drift[p_i, d_i], 0.0, 0.9)
    conversions = rng.binomial(clicks, cvr)
    p_phone, p_form, _ = _CONVERSION_MIX
    conv_phone = rng.binomial(conversions, p_phone)
    conv_form = rng.binomial(conversions - conv_phone, p_form / (1.0 - p_phone))
    conv_chat = conversions - conv_phone - conv_form
    if cfg.last_day_partial:
        last = d_i == days - 1
        for arr in (conv_phone, conv_form, conv_chat):
            arr[last] = rng.binomial(arr[last], 0.5)
        conversions = conv_phone + conv_form + conv_chat

    table = kw.table
    on_new = d_i >= kw.url_change_day[k_i]
    final_url = np.where(on_new, kw.new_final_url[k_i], table["final_url"].to_numpy(dtype=object)[k_i])
    mobile_url = np.where(on_new, kw.new_mobile_url[k_i], table["mobile_final_url"].to_numpy(dtype=object)[k_i])
    # Rows come out of np.nonzero sorted by day, then keyword (the table is in plan/unit order).
    return pd.DataFrame({
        "date": dates[d_i],
        "account": pd.Categorical.from_codes(np.zeros(len(k_i), dtype=np.int32), [cfg.account]),
        "campaign": _categorical(table["campaign"], k_i),
        "ad_group": _categorical(table["ad_group"], k_i),
        "keyword": _categorical(table["keyword"], k_i),
        "keyword_id": table["keyword_id"].to_numpy()[k_i],
        "match_type": _categorical(table["match_type"], k_i),
        "bid": table["bid"].to_numpy()[k_i],
        "final_url": pd.Categorical(final_url),
        "mobile_final_url": pd.Categorical(mobile_url),
        "impressions": impressions,
        "clicks": clicks.astype(np.int64),
        "cost": cost_cents / 100.0,
        "conversions": conversions.astype(np.int64),
        "conv_phone": conv_phone.astype(np.int64),
        "conv_form": conv_form.astype(np.int64),
        "conv_chat": conv_chat.astype(np.int64),
    })


def _categorical(values: pd.Series, index: np.ndarray) -> pd.Categorical:
    """``values[index]`` as a categorical, without materialising the strings."""
    codes, uniques = pd.factorize(values, sort=False)
    return pd.Categorical.from_codes(codes[index].astype(np.int32), pd.Index(uniques, dtype=object))


# ---------------------------------------------------------------------------------
# Search terms
# ---------------------------------------------------------------------------------
_SLOTS = 4


def _search_terms(cfg: AccountConfig, vocab: _Vocabulary, kw: _Keywords, daily: pd.DataFrame,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Split each keyword-day with clicks of the last 30 days into 1–4 search terms."""
    table = kw.table
    n = len(table)
    broad = "smart" if vocab.language == "zh" else "broad"
    labels: dict[str, tuple[str, str, int, int]] = {}

    def label(text: str, line: str, stage: str, off: int) -> str:
        entry = (line, stage, vocab.urgency(text), off)
        if labels.setdefault(text, entry) != entry:
            raise RuntimeError(f"templates give {text!r} two label sets: {labels[text]} and {entry}")
        return text

    for row in table.itertuples(index=False):
        label(row.keyword, row.business_line, row.stage, row.off_target)

    unit_keywords: dict[tuple[str, str], set[str]] = {}
    for row in table.itertuples(index=False):
        unit_keywords.setdefault((row.campaign, row.ad_group), set()).add(row.keyword)

    slot_text = np.full((n, _SLOTS), "", dtype=object)
    slot_match = np.full((n, _SLOTS), "", dtype=object)
    slot_weight = np.zeros((n, _SLOTS))
    slot_off = np.zeros((n, _SLOTS), dtype=bool)
    off_lists = {line: [b.rstrip("*") for b in stages["none"]] for line, stages in vocab.bases.items()}
    n_variants = {"exact": ([0, 1], [0.65, 0.35]), "phrase": ([0, 1, 2], [0.25, 0.4, 0.35]),
                  broad: ([0, 1, 2], [0.1, 0.45, 0.45])}
    for j, row in enumerate(table.itertuples(index=False)):
        text, line, stage, match = row.keyword, row.business_line, row.stage, row.match_type
        options: list[tuple[str, str]] = []
        forms = vocab.area_forms(text, stage)
        if not kw.has_area[j] and forms:
            for a in rng.choice(len(vocab.areas), size=2, replace=False):
                form = forms[int(rng.integers(len(forms)))]
                options.append((vocab.with_area(text, stage, vocab.areas[a], form), stage))
        if kw.suffixable[j] and stage == "core":
            if not row.urgency and not kw.has_area[j]:
                options += [(t.format(text), stage) for t in vocab.urgency_variants]
            options += [(t.format(text), _stronger_stage(stage, s)) for t, s in vocab.stage_variants]
        options = [o for o in dict.fromkeys(options) if o[0] != text]
        sizes, probs = n_variants[match]
        k = min(int(rng.choice(sizes, p=probs)), len(options))
        chosen = [options[i] for i in sorted(rng.choice(len(options), size=k, replace=False))] if k else []
        slot_text[j, 0], slot_match[j, 0], slot_weight[j, 0] = text, match, 1.0
        for s, (t, st) in enumerate(chosen, start=1):
            slot_text[j, s] = label(t, line, st, int(stage == "none"))
            slot_match[j, s] = "exact_close" if match == "exact" else match
            slot_weight[j, s] = rng.uniform(0.2, 0.6)
        if stage != "none" and rng.random() < _OFF_TARGET_TERM_PROBABILITY.get(match, 0.0):
            s = 1 + len(chosen)
            t = off_lists[line][rng.integers(len(off_lists[line]))]
            slot_text[j, s] = label(t, line, "none", 1)
            slot_match[j, s] = "phrase_close" if match == "phrase" else match
            slot_weight[j, s], slot_off[j, s] = rng.uniform(0.2, 0.5), True

    # Keyword-days of the window with clicks.
    first_day = pd.Timestamp(_search_term_start(cfg))
    rows = np.flatnonzero((daily["date"] >= first_day).to_numpy() & (daily["clicks"] > 0).to_numpy())
    k_i = pd.Index(table["keyword_id"]).get_indexer(daily["keyword_id"].to_numpy()[rows])
    clicks = daily["clicks"].to_numpy()[rows]
    impressions = daily["impressions"].to_numpy()[rows]
    cost = np.rint(daily["cost"].to_numpy()[rows] * 100).astype(np.int64)
    conversions = daily["conversions"].to_numpy()[rows]

    w = slot_weight[k_i]
    w = w / w.sum(axis=1, keepdims=True)
    t_clicks = rng.multinomial(clicks, w)
    t_impr = t_clicks + rng.multinomial(impressions - clicks, w)
    # Cost follows clicks; the rounding remainder goes to the slot with most clicks.
    t_cost = (cost[:, None] * t_clicks) // np.maximum(clicks, 1)[:, None]
    t_cost[np.arange(len(rows)), t_clicks.argmax(axis=1)] += cost - t_cost.sum(axis=1)
    # Conversions go to on-target terms; off-target terms only get what their clicks force.
    on_clicks = np.where(slot_off[k_i], 0, t_clicks)
    conv_on = np.minimum(conversions, on_clicks.sum(axis=1))
    t_conv = (_split_by_capacity(rng, conv_on, on_clicks)
              + _split_by_capacity(rng, conversions - conv_on, t_clicks - on_clicks))

    r_i, s_i = np.nonzero(t_impr)
    src, kk = rows[r_i], k_i[r_i]
    term = slot_text[kk, s_i]
    term_labels = [labels[t] for t in term]
    campaigns, units = table["campaign"].to_numpy()[kk], table["ad_group"].to_numpy()[kk]
    added = np.array([t in unit_keywords[(c, g)] for t, c, g in zip(term, campaigns, units, strict=True)], dtype=bool)
    return pd.DataFrame({
        "date": daily["date"].to_numpy()[src],
        "account": daily["account"].to_numpy()[src],
        "campaign": campaigns,
        "ad_group": units,
        "keyword": table["keyword"].to_numpy()[kk],
        "keyword_id": table["keyword_id"].to_numpy()[kk],
        "match_type": table["match_type"].to_numpy()[kk],
        "search_term": term,
        "term_match_type": slot_match[kk, s_i],
        "added": added,
        "impressions": t_impr[r_i, s_i].astype(np.int64),
        "clicks": t_clicks[r_i, s_i].astype(np.int64),
        "cost": t_cost[r_i, s_i] / 100.0,
        "conversions": t_conv[r_i, s_i].astype(np.int64),
        "business_line": [x[0] for x in term_labels],
        "stage": [x[1] for x in term_labels],
        "urgency": np.array([x[2] for x in term_labels], dtype=np.int64),
        "off_target": np.array([x[3] for x in term_labels], dtype=np.int64),
    })


def _stronger_stage(a: str, b: str) -> str:
    """The stage that wins when a text carries the cues of both (:data:`STAGE_PRECEDENCE`)."""
    return min(a, b, key=STAGE_PRECEDENCE.index)


def _search_term_start(cfg: AccountConfig) -> date:
    """The first day of the search-term window (the last 30 days)."""
    return cfg.end_date - timedelta(days=min(_SEARCH_TERM_DAYS, cfg.days) - 1)


def _split_by_capacity(rng: np.random.Generator, n: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Deal ``n[r]`` items over the columns of ``capacity[r]`` without exceeding any cell.

    Sequential hypergeometric draws: the result is a uniformly random subset of the
    row's capacity units, so it is proportional to capacity in expectation.
    """
    out = np.zeros_like(capacity)
    remaining = capacity.sum(axis=1)
    left = n.copy()
    for s in range(capacity.shape[1]):
        good = capacity[:, s]
        x = rng.hypergeometric(good, remaining - good, left)
        out[:, s] = x
        left -= x
        remaining -= good
    return out


# ---------------------------------------------------------------------------------
# Truth
# ---------------------------------------------------------------------------------
def _account_truth(cfg: AccountConfig, kw: _Keywords, plans: pd.DataFrame,
                   search_terms: pd.DataFrame) -> dict:
    assert cfg.drifts is not None and cfg.url_changes is not None
    acc = cfg.account
    table = kw.table
    label_cols = ["business_line", "stage", "urgency", "off_target"]
    keywords = [{"account": acc, **rec} for rec in
                table[["keyword", "campaign", "ad_group", *label_cols]].to_dict("records")]
    terms = (search_terms[["search_term", *label_cols]].drop_duplicates("search_term")
             .sort_values("search_term", kind="stable"))
    url_changes = []
    for change in cfg.url_changes:
        unit = table[(table["campaign"] == change.campaign) & (table["ad_group"] == change.ad_group)]
        old_url, old_mobile = unit["final_url"].iloc[0], unit["mobile_final_url"].iloc[0]
        url_changes.append({
            "account": acc, "campaign": change.campaign, "ad_group": change.ad_group,
            "date": change.date.isoformat(), "old_url": old_url, "new_url": _with_suffix(old_url, change.suffix),
            "old_mobile_url": old_mobile or None,
            "new_mobile_url": _with_suffix(old_mobile, change.suffix) if old_mobile else None,
        })
    groups = plans.groupby("true_group", sort=False)
    return {
        "seed": cfg.seed,
        "generated_by": GENERATED_BY,
        "accounts": [{
            "name": acc, "platform": cfg.platform, "language": cfg.language, "vertical": cfg.vertical,
            "currency": _VOCABULARIES[(cfg.vertical, cfg.language)].currency, "seed": cfg.seed,
            "date_start": cfg.start_date.isoformat(), "date_end": cfg.end_date.isoformat(),
            "partial_last_day": cfg.end_date.isoformat() if cfg.last_day_partial else None,
            "n_keywords": len(table), "n_plans": len(plans),
        }],
        "keywords": _jsonable(keywords),
        "search_terms": _jsonable([{"account": acc, **rec} for rec in terms.to_dict("records")]),
        "plan_groups": dict(zip(plans["campaign"], plans["true_group"], strict=True)),
        "plan_targets": {g: {
            "account": acc, "business_line": rows["business_line"].iloc[0],
            "cpa": float(rows["target_cpa"].iloc[0]), "cvr": float(rows["base_cvr"].iloc[0]),
            "cpc": float(rows["base_cpc"].iloc[0]), "campaigns": rows["campaign"].tolist(),
        } for g, rows in groups},
        "drifts": [{"account": acc, "campaign": d.campaign, "metric": d.metric, "start": d.start.isoformat(),
                    "change": d.change, "shape": d.shape, "ramp_days": d.ramp_days} for d in cfg.drifts],
        "url_changes": url_changes,
        "url_mismatches": kw.url_mismatches,
        "structure_faults": kw.structure_faults,
        "partial_last_day": {acc: cfg.end_date.isoformat() if cfg.last_day_partial else None},
    }


def _jsonable(records: list[dict]) -> list[dict]:
    """numpy scalars → Python scalars, so that ``json`` accepts the records."""
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in records]


def truth_document(accounts: GeneratedAccount | Sequence[GeneratedAccount]) -> dict:
    """The truth of one or several accounts merged into one document (see the module doc).

    Lists are concatenated (each entry names its ``account``), mappings merged;
    ``seed`` is the first account's.
    """
    accs = [accounts] if isinstance(accounts, GeneratedAccount) else list(accounts)
    if not accs:
        raise ValueError("no accounts")
    doc: dict = {"seed": accs[0].truth["seed"], "generated_by": GENERATED_BY}
    for key in ("accounts", "keywords", "search_terms", "plan_groups", "plan_targets", "drifts", "url_changes",
                "url_mismatches", "structure_faults", "partial_last_day", "creative_problems"):
        parts = [a.truth[key] for a in accs]
        if isinstance(parts[0], dict):
            merged: dict = {}
            for part in parts:
                clash = merged.keys() & part.keys()
                if clash:
                    raise ValueError(f"accounts share {key} entries {sorted(clash)}; names must be unique")
                merged.update(part)
            doc[key] = merged
        else:
            doc[key] = [x for part in parts for x in part]
    return doc


def write_truth(accounts: GeneratedAccount | Sequence[GeneratedAccount], path: str | Path) -> None:
    """Write :func:`truth_document` as pretty UTF-8 JSON (non-ASCII kept)."""
    text = json.dumps(truth_document(accounts), ensure_ascii=False, indent=2) + "\n"
    Path(path).write_bytes(text.encode("utf-8"))


# ---------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------
_BAIDU_MATCH = {"exact": "精确匹配", "phrase": "短语匹配", "smart": "智能匹配", "broad": "智能匹配"}
_GOOGLE_MATCH = {"exact": "Exact match", "phrase": "Phrase match", "smart": "Broad match", "broad": "Broad match",
                 "exact_close": "Exact match (close variant)", "phrase_close": "Phrase match (close variant)"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_TWO_DIGITS = np.array([f"{i:02d}" for i in range(100)], dtype=object)
_CRLF = "\r\n"


def _cents(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(values, dtype=float) * 100).astype(np.int64)


def _fmt_cents(cents: np.ndarray) -> np.ndarray:
    """Integer hundredths → ``"123.45"`` strings (object array)."""
    cents = np.asarray(cents, dtype=np.int64)
    return (cents // 100).astype(str).astype(object) + "." + _TWO_DIGITS[cents % 100]


def _ratio_hundredths(num: np.ndarray, den: np.ndarray, scale: int) -> np.ndarray:
    """round(num / den × scale), half up, in integers; 0 where den is 0."""
    num, den = np.asarray(num, dtype=np.int64), np.asarray(den, dtype=np.int64)
    safe = np.maximum(den, 1)
    return np.where(den > 0, (2 * num * scale + safe) // (2 * safe), 0)


def _fmt_pct(num: np.ndarray, den: np.ndarray, undefined: str) -> np.ndarray:
    """``"3.45%"``; ``undefined`` where den is 0."""
    out = _fmt_cents(_ratio_hundredths(num, den, 10_000)) + "%"
    return np.where(np.asarray(den) > 0, out, undefined)


def _date_strings(dates: pd.Series) -> pd.Categorical:
    codes, uniques = pd.factorize(dates, sort=True)
    return pd.Categorical.from_codes(codes, pd.DatetimeIndex(uniques).strftime("%Y-%m-%d"))


def _baidu_preamble(acc: GeneratedAccount, start: date, material: bool) -> str:
    end = acc.config.end_date
    span = f"{start:%Y%m%d}" if start == end else f"{start:%Y%m%d}-{end:%Y%m%d}"
    lines = [f"数据生成时间：{end + timedelta(days=1):%Y-%m-%d} 09:12", "数据生成条件：", f"1. 时间范围：{span}",
             "2. 时间单位：分日", "3. 推广设备：移动设备，计算机", "4. 投放网络：全部"]
    if material:
        lines.append("5. 投放物料：全部")
    return _CRLF.join([*lines, ""]) + _CRLF


def _baidu_total(n_text: int, values: Sequence[str]) -> str:
    return ",".join(["合计"] + ["--"] * (n_text - 1) + list(values)) + _CRLF


def _write_gbk(path: str | Path, text: str) -> None:
    Path(path).write_bytes(text.encode("gbk"))


def write_baidu_keyword_report(acc: GeneratedAccount, path: str | Path) -> int:
    """Write ``acc.daily`` as a Baidu 凤巢 keyword report (分日); return the data-row count.

    GBK, CRLF, comma; the preamble of formats.md; ``匹配模式`` in Chinese; ``消费``,
    ``出价`` and ``平均点击价格`` with two decimals, ``点击率`` like ``3.45%``; a final
    ``合计`` row with ``--`` in the text cells and the column sums.
    """
    d = acc.daily
    impressions, clicks = d["impressions"].to_numpy(), d["clicks"].to_numpy()
    cost = _cents(d["cost"])
    frame = pd.DataFrame({
        "日期": _date_strings(d["date"]),
        "账户": d["account"], "推广计划": d["campaign"], "推广单元": d["ad_group"], "关键词": d["keyword"],
        "关键词ID": d["keyword_id"], "匹配模式": d["match_type"].map(_BAIDU_MATCH),
        "出价": _fmt_cents(_cents(d["bid"])), "访问URL": d["final_url"], "移动访问URL": d["mobile_final_url"],
        "展现": impressions, "点击": clicks, "消费": _fmt_cents(cost),
        "点击率": _fmt_pct(clicks, impressions, "0.00%"),
        "平均点击价格": _fmt_cents(_ratio_hundredths(cost, clicks, 1)),
        "转化": d["conversions"], "电话转化": d["conv_phone"], "网页转化": d["conv_form"], "商桥转化": d["conv_chat"],
    })
    sums = {c: int(frame[c].sum()) for c in ("展现", "点击", "转化", "电话转化", "网页转化", "商桥转化")}
    total_cost = int(cost.sum())
    total = _baidu_total(10, [
        str(sums["展现"]), str(sums["点击"]), _fmt_cents(np.array([total_cost]))[0],
        _fmt_pct(np.array([sums["点击"]]), np.array([sums["展现"]]), "0.00%")[0],
        _fmt_cents(_ratio_hundredths(np.array([total_cost]), np.array([sums["点击"]]), 1))[0],
        str(sums["转化"]), str(sums["电话转化"]), str(sums["网页转化"]), str(sums["商桥转化"]),
    ])
    body = frame.to_csv(index=False, lineterminator=_CRLF)
    _write_gbk(path, _baidu_preamble(acc, acc.config.start_date, material=False) + body + total)
    return len(frame)


def write_baidu_search_term_report(acc: GeneratedAccount, path: str | Path) -> int:
    """Write the last 30 days of ``acc.search_terms`` as a Baidu search-term report.

    Only terms with clicks > 0 (as Baidu exports them), one row per term, unit and
    day; ``当前单元的添加状态`` is 已添加 / 未添加; GBK with a ``合计`` row. Returns
    the data-row count.
    """
    st = acc.search_terms[acc.search_terms["clicks"] > 0]
    impressions, clicks = st["impressions"].to_numpy(), st["clicks"].to_numpy()
    cost = _cents(st["cost"])
    frame = pd.DataFrame({
        "日期": _date_strings(st["date"]), "推广计划": st["campaign"], "推广单元": st["ad_group"],
        "关键词": st["keyword"], "搜索词": st["search_term"],
        "当前单元的添加状态": np.where(st["added"].to_numpy(), "已添加", "未添加"),
        "展现": impressions, "点击": clicks, "消费": _fmt_cents(cost),
        "点击率": _fmt_pct(clicks, impressions, "0.00%"), "总转化量": st["conversions"],
    })
    n_impr, n_clicks, total_cost = int(impressions.sum()), int(clicks.sum()), int(cost.sum())
    total = _baidu_total(6, [
        str(n_impr), str(n_clicks), _fmt_cents(np.array([total_cost]))[0],
        _fmt_pct(np.array([n_clicks]), np.array([n_impr]), "0.00%")[0], str(int(st["conversions"].sum())),
    ])
    body = frame.to_csv(index=False, lineterminator=_CRLF)
    _write_gbk(path, _baidu_preamble(acc, _search_term_start(acc.config), material=True) + body + total)
    return len(frame)


def _plan_days(daily: pd.DataFrame) -> pd.DataFrame:
    """Per plan and day sums of ``daily`` (cost in integer cents), in date then plan order."""
    frame = daily[["date", "campaign", "impressions", "clicks", "conv_form", "conv_chat", "conv_phone",
                   "conversions"]].copy()
    frame["cost_cents"] = _cents(daily["cost"])
    return frame.groupby(["date", "campaign"], sort=False, observed=True).sum().reset_index()


def write_baidu_plan_report(acc: GeneratedAccount, path: str | Path) -> int:
    """Write the Baidu plan (推广计划) report: one row per plan and day, derived from
    ``acc.daily`` so that it sums exactly to the keyword report. Returns the row count."""
    pd_ = _plan_days(acc.daily)
    impressions, clicks, cost = (pd_[c].to_numpy() for c in ("impressions", "clicks", "cost_cents"))
    frame = pd.DataFrame({
        "日期": _date_strings(pd_["date"]), "推广计划": pd_["campaign"], "账户": acc.config.account,
        "展现": impressions, "点击": clicks, "消费": _fmt_cents(cost),
        "点击率": _fmt_pct(clicks, impressions, "0.00%"),
        "平均点击价格": _fmt_cents(_ratio_hundredths(cost, clicks, 1)),
        "网页转化": pd_["conv_form"], "商桥转化": pd_["conv_chat"], "电话转化": pd_["conv_phone"],
    })
    n_impr, n_clicks, total_cost = int(impressions.sum()), int(clicks.sum()), int(cost.sum())
    total = _baidu_total(3, [
        str(n_impr), str(n_clicks), _fmt_cents(np.array([total_cost]))[0],
        _fmt_pct(np.array([n_clicks]), np.array([n_impr]), "0.00%")[0],
        _fmt_cents(_ratio_hundredths(np.array([total_cost]), np.array([n_clicks]), 1))[0],
        str(int(pd_["conv_form"].sum())), str(int(pd_["conv_chat"].sum())), str(int(pd_["conv_phone"].sum())),
    ])
    body = frame.to_csv(index=False, lineterminator=_CRLF)
    _write_gbk(path, _baidu_preamble(acc, acc.config.start_date, material=False) + body + total)
    return len(frame)


def _google_field(value: str) -> str:
    """Google quotes a field that holds a comma or a quote, doubling the quotes."""
    if any(ch in value for ch in ',"\t\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _google_fields(values: pd.Series | pd.Categorical | np.ndarray) -> np.ndarray:
    """``_google_field`` applied through the distinct values (cheap on categoricals)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return np.array([_google_field(str(u)) for u in uniques], dtype=object)[codes]


def _google_count(values: np.ndarray, decimals: bool = False) -> np.ndarray:
    """Counts as Google writes them: ``"1,234"`` (quoted) from 1000 on; ``7.00`` when
    ``decimals`` (conversions)."""
    values = np.asarray(values, dtype=np.int64)
    out = values.astype(str).astype(object)
    if decimals:
        out = out + ".00"
    big = values >= 1000
    out[big] = [f'"{v:,}{".00" if decimals else ""}"' for v in values[big]]
    return out


def _google_range(start: date, end: date) -> str:
    return f"{_MONTHS[start.month - 1]} {start.day}, {start.year} - {_MONTHS[end.month - 1]} {end.day}, {end.year}"


def _google_metrics(impressions: np.ndarray, clicks: np.ndarray, cost: np.ndarray, conversions: np.ndarray,
                    currency: str, order: Sequence[str]) -> list[np.ndarray]:
    """The metric columns of a Google report, as strings, in ``order``."""
    n = len(impressions)
    cols = {
        "Impr.": _google_count(impressions),
        "Clicks": _google_count(clicks),
        "CTR": _fmt_pct(clicks, impressions, " --"),
        "Currency code": np.full(n, currency, dtype=object),
        "Avg. CPC": np.where(clicks > 0, _fmt_cents(_ratio_hundredths(cost, clicks, 1)), "0"),
        "Cost": _fmt_cents(cost),
        "Conversions": _google_count(conversions, decimals=True),
        "Conv. rate": _fmt_pct(conversions, clicks, "0.00%"),
        "Cost / conv.": _fmt_cents(_ratio_hundredths(cost, conversions, 1)),
    }
    return [np.asarray(cols[c], dtype=object) for c in order]


def _tab_lines(columns: Sequence[np.ndarray]) -> str:
    line = columns[0]
    for col in columns[1:]:
        line = line + "\t" + col
    return "".join(line + "\n")


def _write_utf16(path: str | Path, text: str) -> None:
    Path(path).write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


def _google_keyword_text(keywords: np.ndarray, match: np.ndarray) -> np.ndarray:
    """Keyword text with match punctuation: ``[x]`` exact, ``"x"`` phrase, bare broad."""
    return np.where(match == "exact", "[" + keywords + "]", np.where(match == "phrase", '"' + keywords + '"',
                                                                      keywords))


_GOOGLE_KEYWORD_HEADER = ("Day", "Keyword status", "Keyword", "Match type", "Campaign", "Ad group", "Status",
                          "Final URL", "Impr.", "Clicks", "CTR", "Currency code", "Avg. CPC", "Cost", "Conversions",
                          "Conv. rate", "Cost / conv.")
_GOOGLE_TERMS_HEADER = ("Search term", "Match type", "Added/Excluded", "Campaign", "Ad group", "Keyword", "Clicks",
                        "Impr.", "CTR", "Currency code", "Avg. CPC", "Cost", "Conversions", "Cost / conv.")


def write_google_keyword_report(acc: GeneratedAccount, path: str | Path) -> int:
    """Write ``acc.daily`` as a Google Ads "Search keyword report" segmented by Day.

    The "Excel CSV" variant: UTF-16LE with BOM, TAB, LF; title and date-range lines;
    keywords with match punctuation (phrase keywords come out as ``\"\"\"x\"\"\"``),
    counts from 1000 on with thousands separators and quoted, ``" --"`` for an
    undefined CTR; totals rows ``Total: Filtered keywords``, ``Total: Account`` and
    ``Total: Search`` (all equal to the sums of the rows), label in the Keyword
    column. Returns the data-row count.
    """
    d = acc.daily
    currency = _VOCABULARIES[(acc.config.vertical, acc.config.language)].currency
    n = len(d)
    impressions, clicks, conversions = (d[c].to_numpy() for c in ("impressions", "clicks", "conversions"))
    cost = _cents(d["cost"])
    keyword_text = _google_keyword_text(d["keyword"].to_numpy(dtype=object), d["match_type"].to_numpy(dtype=object))
    metric_order = _GOOGLE_KEYWORD_HEADER[8:]
    columns = [
        np.asarray(_date_strings(d["date"]), dtype=object),
        np.full(n, "Enabled", dtype=object),
        _google_fields(keyword_text),
        np.asarray(d["match_type"].map(_GOOGLE_MATCH), dtype=object),
        _google_fields(d["campaign"]),
        _google_fields(d["ad_group"]),
        np.full(n, "Eligible", dtype=object),
        _google_fields(d["final_url"]),
        *_google_metrics(impressions, clicks, cost, conversions, currency, metric_order),
    ]
    total_metrics = [c[0] for c in _google_metrics(
        np.array([impressions.sum()]), np.array([clicks.sum()]), np.array([cost.sum()]),
        np.array([conversions.sum()]), currency, metric_order)]
    totals = [
        ["", " --", "Total: Filtered keywords", " --", " --", " --", " --", "", *total_metrics],
        ["", "", "Total: Account", "", "", "", "", "", *total_metrics],
        ["", "", "Total: Search", "", "", "", "", "", *total_metrics],
    ]
    text = ("Search keyword report\n" + _google_range(acc.config.start_date, acc.config.end_date) + "\n"
            + "\t".join(_GOOGLE_KEYWORD_HEADER) + "\n" + (_tab_lines(columns) if n else "")
            + "".join("\t".join(row) + "\n" for row in totals))
    _write_utf16(path, text)
    return n


def write_google_search_terms_report(acc: GeneratedAccount, path: str | Path) -> int:
    """Write the last 30 days of ``acc.search_terms`` as a Google "Search terms report".

    Aggregated over the period (no Day column), one row per search term, match
    type, ad group and keyword, most clicked first; UTF-16LE BOM, TAB. Totals:
    ``Total: Search terms`` (the rows), ``Total: Other search terms`` (impressions of
    keyword-days without clicks, which have no search-term rows), ``Total: Account``
    and ``Total: Search`` (the whole account over the period). Returns the data-row
    count.
    """
    currency = _VOCABULARIES[(acc.config.vertical, acc.config.language)].currency
    st = acc.search_terms.copy()
    st["cost_cents"] = _cents(st["cost"])
    keys = ["search_term", "term_match_type", "added", "campaign", "ad_group", "keyword", "match_type"]
    agg = (st.groupby(keys, sort=False)[["impressions", "clicks", "cost_cents", "conversions"]].sum()
           .reset_index().sort_values(["clicks", "impressions"], ascending=False, kind="stable"))
    n = len(agg)
    impressions, clicks, cost, conversions = (agg[c].to_numpy() for c in
                                              ("impressions", "clicks", "cost_cents", "conversions"))
    metric_order = _GOOGLE_TERMS_HEADER[6:]
    columns = [
        _google_fields(agg["search_term"]),
        np.asarray(agg["term_match_type"].map(_GOOGLE_MATCH), dtype=object),
        np.where(agg["added"].to_numpy(), "Added", "None").astype(object),
        _google_fields(agg["campaign"]),
        _google_fields(agg["ad_group"]),
        _google_fields(_google_keyword_text(agg["keyword"].to_numpy(dtype=object),
                                            agg["match_type"].to_numpy(dtype=object))),
        *_google_metrics(impressions, clicks, cost, conversions, currency, metric_order),
    ]
    start = _search_term_start(acc.config)
    window = acc.daily[acc.daily["date"] >= pd.Timestamp(start)]
    account = [int(window["impressions"].sum()), int(window["clicks"].sum()), int(_cents(window["cost"]).sum()),
               int(window["conversions"].sum())]
    listed = [int(x.sum()) for x in (impressions, clicks, cost, conversions)]
    totals = []
    for label, (impr, clk, cst, conv) in (
            ("Total: Search terms", listed),
            ("Total: Other search terms", [a - b for a, b in zip(account, listed, strict=True)]),
            ("Total: Account", account), ("Total: Search", account)):
        metrics = _google_metrics(np.array([impr]), np.array([clk]), np.array([cst]), np.array([conv]), currency,
                                  metric_order)
        totals.append([label, "", "", "", "", "", *(c[0] for c in metrics)])
    text = ("Search terms report\n" + _google_range(start, acc.config.end_date) + "\n"
            + "\t".join(_GOOGLE_TERMS_HEADER) + "\n" + (_tab_lines(columns) if n else "")
            + "".join("\t".join(row) + "\n" for row in totals))
    _write_utf16(path, text)
    return n
