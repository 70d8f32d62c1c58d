"""The sample accounts' ads (创意), with planted copy problems and their truth.

Every unit of the account gets ads written for its decision stage and business line
(Chinese: 3 ads of 创意标题 + 创意描述1 + 创意描述2; English: 2 responsive search ads of 3
headlines and 2 descriptions): phone units name the phone, price units a price, company
units proof (公安备案, 全市连锁, licensed), every stage but consultation how fast, and
every ad its line. Then, per account, five units get copy with one problem each
(:data:`PLANTED`), recorded in the truth as ``creative_problems``:

- ``phone_missing``: a phone-word unit whose ads never mention the phone;
- ``price_missing``: a price-word unit without any price;
- ``speed_missing``: an urgent unit (a quarter or more of its keywords urgent) whose ads
  never say how fast;
- ``line_missing``: a unit whose ads never name its business line;
- ``lookalike``: a price unit of another line given one extra ad that is a near copy of a
  phone unit's ad (the truth names every unit that carries the copied ad).

Performance: each unit's impressions, clicks, cost and conversions over the whole period
(the keyword report's sums) are split between its ads with a fixed random generator of
its own (seeded from the account's seed), so the keyword, search-term and plan files are
unchanged. Files: a Baidu 创意报告 with 时间单位：合计 (GBK, preamble, 合计 row) and a
Google Ads "Ad report" ("Excel CSV": UTF-16LE, TAB, title and range lines, ``Total:`` rows).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: (line word, line pitch[, second pitch]) per business line, by language.
_LINES = {
    "zh": {
        "开锁": ("开锁", "防盗门、房门、卷帘门都能开"),
        "换锁": ("换锁芯", "超C级锁芯现场更换,当面试锁"),
        "修锁": ("修锁", "门锁卡住、锁舌坏了当场修好"),
        "指纹锁": ("指纹锁", "指纹锁智能锁安装维修,品牌齐全"),
        "汽车开锁": ("汽车开锁", "各种车型开车门,不伤车漆"),
        "保险柜开锁": ("保险柜开锁", "保险柜保险箱开启,密码重置"),
        "配钥匙": ("配钥匙", "汽车钥匙匹配、遥控钥匙、门禁卡复制"),
    },
    "en": {
        "开锁": ("Lockout", "Home, car and office lockout help", "No damage to doors or frames"),
        "换锁": ("Rekey", "Rekey or change locks in one visit", "Old keys stop working today"),
        "修锁": ("Lock Repair", "Stuck or broken lock repair on site", "Jammed deadbolts turn smoothly again"),
        "指纹锁": ("Smart Lock", "Smart lock and keypad installs", "Keyless entry set up with your phone"),
        "汽车开锁": ("Car Lockout", "Car lockout for any make and model", "No scratches and no broken windows"),
        "保险柜开锁": ("Safe Opening", "Safe opening and combination reset", "Gun safes and wall safes opened"),
        "配钥匙": ("Key Cutting", "Key cutting, car key fobs and spares", "Transponder chips programmed on site"),
    },
}

#: Good copy per stage: Chinese (title, description 1, description 2) × 3 ads.
_ZH = {
    "core": [("{w}师傅上门,30分钟到", "{p}。", "就近派单,全天服务。"),
             ("专业{w},随叫随到", "师傅就近上门,{p}。", "服务好,口碑好。"),
             ("{{{w}}}快速上门", "{p},当天办好。", "附近师傅马上出发。")],
    "phone": [("{w}电话,一个电话上门", "{p}。", "拨打热线,师傅20分钟到。"),
              ("{w}热线24小时接听", "来电咨询,{p}。", "就近派单上门。"),
              ("{{{w}电话}}拨打即到", "{p},电话预约。", "全天接听,马上出发。")],
    "company": [("正规{w}公司,公安备案", "{p}。", "全市连锁,上门服务。"),
                ("{w}老店,全市连锁", "营业执照齐全,{p}。", "师傅持证上岗,就近上门。"),
                ("{{{w}公司}}正规备案", "{p},十年老店。", "全天上门服务。")],
    "price": [("{w}多少钱?明码标价", "{p},先报价后服务。", "收费透明,上门服务。"),
              ("{w}价格透明,30元起", "{p}。", "一口价无隐形收费,师傅上门。"),
              ("{{{w}价格}}收费标准", "{p},报价透明。", "就近师傅上门。")],
    "consult": [("{w}常见问题解答", "{p}。", "不懂就问,师傅在线解答。"),
                ("{w}需要注意什么", "{p},专业建议。", "服务流程一看就懂。"),
                ("{{{w}}}怎么选", "{p}。", "给您讲清楚再动手。")],
}
#: English responsive search ads: (headlines, descriptions) × 2 ads.
_EN = {
    "core": [(["{w} Service in Austin", "Local {w} Pros", "Arrive in 20 Minutes"], ["{p}.", "{q}, fast arrival."]),
             (["{{KeyWord:{w}}}", "Austin {w} Experts", "Fast Local Help"],
              ["{p}, done today.", "{q}. On the way in minutes."])],
    "phone": [(["Call for {w} Help", "{w} Hotline 24/7", "Tech On The Way"],
               ["{p}. Call now.", "{q}. A tech arrives in 20 minutes."]),
              (["{w}: Call Now", "Talk to a {w} Tech", "Open Now in Austin"], ["Call our {w} line: {p}.", "{q}. Dial now."])],
    "company": [(["Licensed {w} Company", "Family Owned Since 2009", "Fast Local Service"],
                 ["{p}.", "{q}. Licensed, bonded, insured."]),
                (["Trusted {w} Business", "Insured Local Pros", "Same-Day Visits"],
                 ["{p}, by a licensed team.", "{q}. Fast arrival."])],
    "price": [(["{w} Prices From $49", "Upfront Quotes", "Same-Day Service"], ["{p}. Upfront pricing.", "{q}. No hidden fees."]),
              (["{w} Cost Before We Start", "Flat Rate {w}", "Fast Local Techs"],
               ["{p}, quote first.", "{q}. Flat rates from $59."])],
    "consult": [(["{w} Questions Answered", "Ask a Local Pro", "Helpful Advice"], ["{p}.", "{q}: clear answers first."]),
                (["{w}: What to Know", "Guides from Our Team", "Honest Advice"],
                 ["{p}, explained simply.", "{q}. Learn your options."])],
}

#: The planted problems per language: code, plan, unit, ads (Chinese: (title, d1, d2);
#: English: (headlines, descriptions)); ``lookalike`` copies ``source`` (plan, unit, ad
#: index of the good copy) into the unit with a small edit.
PLANTED = {
    "zh": [
        ("phone_missing", "换锁-核心词", "电话词-通用", [
            ("换锁芯找安心师傅,半小时上门", "超C级锁芯,当面试锁满意再付。", "老师傅手艺好。"),
            ("锁芯升级防盗更安心", "B级换C级锁芯,当天上门安装。", "品牌锁芯可选。"),
            ("{换锁芯}上门安装", "旧锁芯免费回收,就近派单。", "换好试用再结账。")]),
        ("price_missing", "开锁-询价", "询价词-通用", [
            ("开锁找安心,正规备案", "防盗门保险门都能开,技术过硬。", "师傅持证上岗。"),
            ("开锁师傅经验丰富", "各类门锁无损开启。", "服务周到,口碑好。"),
            ("{开锁}专业无损", "开锁不伤门,开完再验。", "全城服务。")]),
        ("speed_missing", "汽车开锁", "公司词-通用", [
            ("正规汽车开锁公司,公安备案", "各种车型开车门,不伤车漆。", "十年老店,全市连锁。"),
            ("汽车开锁老店,资质齐全", "车门打不开、钥匙锁车里都能开。", "营业执照齐全。")]),
        ("line_missing", "配钥匙", "核心词-地域", [
            ("专业师傅,全城上门服务", "老师傅手艺好,价格实在。", "服务周到。"),
            ("{关键词}师傅就近上门", "全天服务,随叫随到。", "口碑好。"),
            ("本地师傅快速上门", "手艺好,服务好。", "满意再付款。")]),
        ("lookalike", "换锁-询价", "询价词-地域", ("开锁-电话词", "电话词-地域", 0, ("20分钟", "15分钟"))),
    ],
    "en": [
        ("phone_missing", "Rekey & Lock Change", "Call - Local", [
            (["Rekey Locks Today", "Local Rekey Experts", "Same-Day Rekey"],
             ["Rekey every lock in your home in one visit.", "New keys for every door, done right."]),
            (["Rekey Your Home", "Rekey After a Move", "Fast Rekey Service"],
             ["Moved in? Rekey all doors today.", "One key for every door."])]),
        ("price_missing", "Lockout - Price & Questions", "Price - General", [
            (["Lockout Help in Austin", "Open Door Experts", "Local Lockout Pros"],
             ["Locked out? Our locksmiths open any door without damage.", "Friendly local team, fast arrival."]),
            (["Locked Out? We Can Help", "Lockout Specialists", "Fast Lockout Service"],
             ["Damage-free lockout service at home or work.", "Local team nearby."])]),
        ("speed_missing", "Lockout - Call", "Call - General", [
            (["Call Our Lockout Team", "Lockout Phone Line", "Talk to a Locksmith"],
             ["Call us about any lockout and we will help.", "Friendly locksmiths answer every call."]),
            (["Lockout? Give Us a Call", "Lockout Help by Phone", "Call a Lockout Pro"],
             ["Phone our lockout team for help.", "Licensed locksmiths, honest work."])]),
        ("line_missing", "Safe Opening", "Core - General", [
            (["Austin Locksmith Pros", "Arrive in 20 Minutes", "Local Experts"],
             ["Trusted local locksmiths at your door fast.", "Serving all of Austin."]),
            (["Locksmith Near You", "Fast Local Locksmith", "Austin Experts"],
             ["Local locksmiths on the way in minutes.", "Friendly team."])]),
        ("lookalike", "Smart Locks", "Price - Local", ("Lockout - Call", "Call - Local", 0, ("20 minutes", "15 minutes"))),
    ],
}

#: Share of a unit's impressions per ad, and each ad's CTR / CVR multiplier.
_SPLIT = {"zh": (0.5, 0.3, 0.2), "en": (0.6, 0.4)}
_CTR = {"zh": (1.15, 0.95, 0.8), "en": (1.1, 0.9)}
_CVR = {"zh": (1.0, 1.1, 0.9), "en": (1.0, 1.0)}


def _units(acc) -> pd.DataFrame:
    """One row per unit of the account: plan, unit, line and stage (most frequent on-target
    of its keywords), urgency share, its first keyword's URLs and its period sums."""
    k = acc.keywords
    on = k.loc[k["off_target"] == 0]
    rows = []
    sums = acc.daily.groupby(["campaign", "ad_group"], observed=True)[
        ["impressions", "clicks", "cost", "conversions"]].sum()
    for (camp, unit), u in k.groupby(["campaign", "ad_group"], sort=True, observed=True):
        o = on.loc[(on["campaign"] == camp) & (on["ad_group"] == unit)]
        o = o if len(o) else u
        s = sums.loc[(camp, unit)] if (camp, unit) in sums.index else pd.Series(0, index=sums.columns)
        rows.append({"campaign": camp, "ad_group": unit, "business_line": o["business_line"].value_counts().index[0],
                     "stage": o["stage"].value_counts().index[0], "urgency": float(u["urgency"].mean()),
                     "final_url": u["final_url"].iloc[0], "mobile_final_url": u["mobile_final_url"].iloc[0],
                     **{c: float(s[c]) for c in ("impressions", "clicks", "cost", "conversions")}})
    return pd.DataFrame(rows)


def _good(language: str, line: str, stage: str) -> list:
    w, p, *rest = _LINES[language][line]
    if language == "zh":
        return [tuple(x.format(w=w, p=p) for x in ad) for ad in _ZH[stage]]
    q = rest[0]
    return [([h.format(w=w, p=p, q=q) for h in hs], [d.format(w=w, p=p, q=q) for d in ds]) for hs, ds in _EN[stage]]


def build(acc) -> tuple[pd.DataFrame, list[dict]]:
    """(ads, truth): one row per ad — campaign, ad_group, headlines (list), descriptions
    (list), final_url, mobile_final_url, impressions, clicks, cost, conversions — and the
    planted problems (``creative_problems`` entries of the truth)."""
    language = acc.config.language
    units = _units(acc)
    copy: dict[tuple[str, str], list] = {
        (r.campaign, r.ad_group): _good(language, r.business_line, r.stage) for r in units.itertuples()}
    truth = []
    account = acc.config.account
    for code, camp, unit, ads in PLANTED[language]:
        if (camp, unit) not in copy or (code == "lookalike" and (ads[0], ads[1]) not in copy):
            continue   # an account built with other plans than the bundled ones
        if code == "lookalike":
            src_camp, src_unit, idx, (old, new) = ads
            src = copy[(src_camp, src_unit)][idx]
            dup = tuple(x.replace(old, new) for x in src) if language == "zh" else \
                ([h.replace(old, new) for h in src[0]], [d.replace(old, new) for d in src[1]])
            copy[(camp, unit)] = copy[(camp, unit)] + [dup]
            holders = sorted(k for k, v in copy.items() if k != (camp, unit) and src in v)
            for hc, hu in holders:
                truth.append({"account": account, "code": code, "campaign": camp, "ad_group": unit,
                              "other_campaign": hc, "other_ad_group": hu})
        else:
            copy[(camp, unit)] = list(ads)
            truth.append({"account": account, "code": code, "campaign": camp, "ad_group": unit})
    rng = np.random.default_rng(np.random.SeedSequence([acc.config.seed, 21]))
    recs = []
    for r in units.itertuples():
        ads = copy[(r.campaign, r.ad_group)]
        n = len(ads)
        split = np.resize(np.array(_SPLIT[language]), n)
        split = split / split.sum()
        imp = rng.multinomial(int(r.impressions), split) if r.impressions > 0 else np.zeros(n, int)
        ctr = r.clicks / r.impressions if r.impressions > 0 else 0.0
        cvr = r.conversions / r.clicks if r.clicks > 0 else 0.0
        clicks = rng.binomial(imp, np.minimum(1.0, ctr * np.resize(np.array(_CTR[language]), n)))
        conv = rng.binomial(clicks, np.minimum(1.0, cvr * np.resize(np.array(_CVR[language]), n)))
        cpc = r.cost / r.clicks if r.clicks > 0 else 0.0
        for i, ad in enumerate(ads):
            heads, descs = ([ad[0]], [x for x in ad[1:] if x]) if language == "zh" else (list(ad[0]), list(ad[1]))
            recs.append({"campaign": r.campaign, "ad_group": r.ad_group, "headlines": heads, "descriptions": descs,
                         "final_url": r.final_url, "mobile_final_url": r.mobile_final_url,
                         "impressions": int(imp[i]), "clicks": int(clicks[i]), "cost": round(cpc * clicks[i], 2),
                         "conversions": int(conv[i])})
    return pd.DataFrame(recs), truth


def write_baidu_creative_report(acc, path: str | Path) -> int:
    """Write the account's ads as a Baidu 创意报告 over the whole period (时间单位：合计)."""
    from sample_data.generator import _CRLF, _baidu_total, _cents, _fmt_cents, _fmt_pct, _ratio_hundredths, _write_gbk
    ads, _ = build(acc)
    end, start = acc.config.end_date, acc.config.start_date
    pre = [f"数据生成时间：{end + pd.Timedelta(days=1):%Y-%m-%d} 09:12", "数据生成条件：",
           f"1. 时间范围：{start:%Y%m%d}-{end:%Y%m%d}", "2. 时间单位：合计", "3. 推广设备：移动设备，计算机",
           "4. 投放网络：全部", ""]
    cost = _cents(ads["cost"])
    imp, clk = ads["impressions"].to_numpy(), ads["clicks"].to_numpy()
    frame = pd.DataFrame({
        "账户": acc.config.account, "推广计划": ads["campaign"], "推广单元": ads["ad_group"],
        "创意标题": [h[0] for h in ads["headlines"]],
        "创意描述1": [d[0] if d else "" for d in ads["descriptions"]],
        "创意描述2": [d[1] if len(d) > 1 else "" for d in ads["descriptions"]],
        "访问URL": ads["final_url"], "移动访问URL": ads["mobile_final_url"],
        "展现": imp, "点击": clk, "消费": _fmt_cents(cost), "点击率": _fmt_pct(clk, imp, "0.00%"),
        "平均点击价格": _fmt_cents(_ratio_hundredths(cost, clk, 1)), "转化": ads["conversions"]})
    t_cost = int(cost.sum())
    total = _baidu_total(8, [str(int(imp.sum())), str(int(clk.sum())), _fmt_cents(np.array([t_cost]))[0],
                             _fmt_pct(np.array([clk.sum()]), np.array([imp.sum()]), "0.00%")[0],
                             _fmt_cents(_ratio_hundredths(np.array([t_cost]), np.array([clk.sum()]), 1))[0],
                             str(int(ads["conversions"].sum()))])
    body = frame.to_csv(index=False, lineterminator=_CRLF)
    _write_gbk(path, _CRLF.join(pre) + _CRLF + body + total)
    return len(frame)


_GOOGLE_AD_HEADER = ("Ad status", "Final URL", *(f"Headline {i}" for i in range(1, 16)),
                     *(f"Description {i}" for i in range(1, 5)), "Campaign", "Ad group", "Ad type",
                     "Impr.", "Clicks", "CTR", "Currency code", "Avg. CPC", "Cost", "Conversions")


def write_google_ad_report(acc, path: str | Path) -> int:
    """Write the account's ads as a Google Ads "Ad report" over the whole period."""
    from sample_data.generator import (_VOCABULARIES, _cents, _google_field, _google_metrics, _google_range,
                                       _write_utf16)
    ads, _ = build(acc)
    currency = _VOCABULARIES[(acc.config.vertical, acc.config.language)].currency
    cost = _cents(ads["cost"])
    order = _GOOGLE_AD_HEADER[-7:]
    metrics = _google_metrics(ads["impressions"].to_numpy(), ads["clicks"].to_numpy(), cost,
                              ads["conversions"].to_numpy(), currency, order)
    lines = []
    for i, r in enumerate(ads.itertuples()):
        heads = list(r.headlines) + [" --"] * (15 - len(r.headlines))
        descs = list(r.descriptions) + [" --"] * (4 - len(r.descriptions))
        cells = ["Enabled", r.final_url, *heads, *descs, r.campaign, r.ad_group, "Responsive search ad"]
        lines.append("\t".join([*(_google_field(str(c)) if c != " --" else c for c in cells),
                                *(str(m[i]) for m in metrics)]))
    tot = [str(c[0]) for c in _google_metrics(
        np.array([ads["impressions"].sum()]), np.array([ads["clicks"].sum()]), np.array([cost.sum()]),
        np.array([ads["conversions"].sum()]), currency, order)]
    for label in ("Total: Account", "Total: Search"):
        lines.append("\t".join([label] + [""] * (len(_GOOGLE_AD_HEADER) - 8) + tot))
    text = ("Ad report\n" + _google_range(acc.config.start_date, acc.config.end_date) + "\n"
            + "\t".join(_GOOGLE_AD_HEADER) + "\n" + "".join(line + "\n" for line in lines))
    _write_utf16(path, text)
    return len(ads)
