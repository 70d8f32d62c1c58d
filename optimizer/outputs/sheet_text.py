"""Texts of the recommendations workbook, its CSVs and ``python -m optimizer analyze``,
in Chinese (first) and English.

Kept apart from :mod:`optimizer.i18n` (the interface's table) so that the two can be
edited independently; the code tables there (STAGE, LEVEL, METRIC, SEVERITY …) are
reused, not repeated. Keys: ``sheet.*`` sheet names (≤ 31 characters, none of
``[]:*?/\\``), ``col.*`` column headers, ``kind.*`` kinds of action, ``basis.*`` what
the money of an action is, ``act.*`` the one-line actions of the summary (``str.format``
templates), ``note.*`` notes, ``index.*`` the batch index, ``title.*`` the summary's
heading lines, ``cli.*`` the text ``python -m optimizer analyze`` prints (without
``--json``), ``error.*`` its one-line errors, ``usage.*`` its usage errors (why the
system refused a file is :func:`optimizer.errors.os_reason`).
"""
from __future__ import annotations

SHEET_TEXT: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ sheet names
    "sheet.summary": ("摘要", "Summary"),
    "sheet.keywords": ("关键词阶段", "Keyword stages"),
    "sheet.stages": ("阶段表现", "Stage table"),
    "sheet.structure": ("结构调整", "Structure fixes"),
    "sheet.negatives": ("否定关键词", "Negative keywords"),
    "sheet.bundles": ("投放包建议", "Proposed bundles"),
    "sheet.plans": ("计划明细", "Bundle campaigns"),
    "sheet.cpc_keywords": ("CPC关键词", "CPC keywords"),
    "sheet.bids": ("出价建议", "Bids"),
    "sheet.splits": ("拆包建议", "Split candidates"),
    "sheet.drift": ("成本异常", "Cost drift"),
    "sheet.targets": ("目标对比", "Against target"),
    "sheet.compensation": ("超成本赔付", "Compensation"),
    "sheet.landing": ("落地页", "Landing pages"),
    "sheet.url_changes": ("链接变化与问题", "URL changes"),
    "sheet.changes": ("改动记录", "Change log"),
    "sheet.adcopy": ("创意", "Ad copy"),
    "sheet.index": ("账户索引", "Accounts"),

    # ------------------------------------------------------------ summary heading
    "title.workbook": ("优化建议：{account}", "Recommendations: {account}"),
    "title.facts": ("{vertical} · {start} ~ {end} · 消费 {spend} · {rows} 行数据 · 生成于 {generated}",
                    "{vertical} · {start} to {end} · spend {spend} · {rows} rows · made {generated}"),
    "title.first": ("先做什么（按涉及金额排序）", "What to do first (by money at stake)"),
    "title.note": ("说明：{text}", "Note: {text}"),

    # ------------------------------------------------------------ column headers
    "col.rank": ("序号", "#"),
    "col.severity": ("优先级", "Priority"),
    "col.kind": ("类型", "Kind"),
    "col.action": ("建议操作", "Action"),
    "col.money_at_stake": ("涉及金额", "Money at stake"),
    "col.basis": ("金额含义", "What the money is"),
    "col.count": ("数量", "Count"),
    "col.sheet": ("详见", "See sheet"),
    "col.keyword": ("关键词", "Keyword"),
    "col.campaign": ("推广计划", "Campaign"),
    "col.ad_group": ("推广单元", "Ad group"),
    "col.business_line": ("业务点", "Business line"),
    "col.stage": ("阶段", "Stage"),
    "col.ad_finding": ("创意问题", "Ad copy finding"),
    "col.ad_headline": ("创意标题", "Ad headline"),
    "col.similarity": ("相似度", "Similarity"),
    "col.urgency": ("紧急", "Urgent"),
    "col.off_target": ("无效", "Off-target"),
    "col.cues": ("依据", "Cues"),
    "col.impressions": ("展现", "Impressions"),
    "col.clicks": ("点击", "Clicks"),
    "col.cost": ("消费", "Cost"),
    "col.conversions": ("转化", "Conversions"),
    "col.ctr": ("点击率", "CTR"),
    "col.cvr": ("转化率", "CVR"),
    "col.cvr_low": ("转化率下限", "CVR low"),
    "col.cvr_high": ("转化率上限", "CVR high"),
    "col.cpa": ("转化成本", "CPA"),
    "col.cpc": ("平均点击价格", "Avg. CPC"),
    "col.cost_share": ("消费占比", "Share of cost"),
    "col.keywords": ("关键词数", "Keywords"),
    "col.unit_line": ("单元主业务点", "Ad group's line"),
    "col.unit_stage": ("单元主阶段", "Ad group's stage"),
    "col.issue": ("问题", "Issue"),
    "col.search_term": ("搜索词", "Search term"),
    "col.negative_match": ("否定匹配方式", "Negative match type"),
    "col.reason": ("原因", "Reason"),
    "col.triggered_by": ("触发关键词", "Triggered by"),
    "col.plans": ("推广计划", "Campaigns"),
    "col.bundle": ("投放包", "Bundle"),
    "col.bundle_kind": ("类型", "Kind"),
    "col.business_lines": ("业务点", "Business lines"),
    "col.n_plans": ("计划数", "Number of campaigns"),
    "col.cpa_ratio": ("成本差异（倍）", "CPA spread (x)"),
    "col.cvr_ratio": ("转化率差异（倍）", "CVR spread (x)"),
    "col.target_cpa": ("目标转化成本", "Target CPA"),
    "col.conv_per_day": ("日均转化", "Conversions a day"),
    "col.within_limits": ("差异在限内", "Within limits"),
    "col.meets_threshold": ("数据达标", "Enough data"),
    "col.rule_total_30": ("窗口内≥30", "≥30 in window"),
    "col.rule_total_20": ("总计≥20", "≥20 in total"),
    "col.rule_daily_10x3": ("日均≥10", "≥10 a day"),
    "col.rule_daily_30x3": ("日均≥30", "≥30 a day"),
    "col.cvr_shrunk": ("收缩后转化率", "Shrunk CVR"),
    "col.match_type": ("匹配模式", "Match type"),
    "col.decision": ("建议", "Recommendation"),
    "col.target_source": ("目标来源", "Target from"),
    "col.target_bid": ("按目标可出价", "Bid at target"),
    "col.bid": ("当前出价", "Current bid"),
    "col.recommended_bid": ("建议出价", "Recommended bid"),
    "col.change_pct": ("出价变化", "Bid change"),
    "col.capped": ("受步长或界限限制", "Bounded by step or limit"),
    "col.bid_money": ("预计 30 天金额", "Expected money (30 days)"),
    "col.above_target": ("现在每 30 天超出目标", "Above target now (30 days)"),
    "col.money_basis": ("金额含义", "What the money is"),
    "col.cpa_shrunk": ("收缩后转化成本", "Shrunk CPA"),
    "col.cpa_low": ("转化成本下限", "CPA low"),
    "col.cpa_high": ("转化成本上限", "CPA high"),
    "col.thin": ("数据少", "Thin"),
    "col.conv_share": ("转化占比", "Share of conversions"),
    "col.click_share": ("点击占比", "Share of clicks"),
    "col.avg_position": ("平均排名", "Avg. position"),
    "col.impression_share": ("展现份额", "Impression share"),
    "col.rest_cpa": ("包内其余转化成本", "Rest of bundle CPA"),
    "col.rest_cvr": ("包内其余转化率", "Rest of bundle CVR"),
    "col.cpa_vs_rest": ("成本是其余的（倍）", "CPA vs rest (x)"),
    "col.p_value": ("p 值", "p value"),
    "col.q_value": ("q 值", "q value"),
    "col.z": ("检验统计量 z", "Test statistic z"),
    "col.driver": ("主要原因", "Driver"),
    "col.bundle_cpa": ("包转化成本", "Bundle CPA"),
    "col.split": ("建议拆出", "Split off"),
    "col.headline": ("结论", "Headline"),
    "col.explanation": ("原因拆解", "Explanation"),
    "col.level": ("层级", "Level"),
    "col.entity": ("对象", "Entity"),
    "col.metric": ("指标", "Metric"),
    "col.status": ("状态", "Status"),
    "col.start": ("变化日", "Since"),
    "col.start_low": ("变化日最早", "Change day from"),
    "col.start_high": ("变化日最晚", "Change day to"),
    "col.alarm": ("报警日", "Alarm raised"),
    "col.before": ("变化前", "Before"),
    "col.after": ("变化后", "After"),
    "col.change": ("变化", "Change"),
    "col.ci_low": ("95% 区间下限", "95% CI low"),
    "col.ci_high": ("95% 区间上限", "95% CI high"),
    "col.days_of_spend": ("相当于几天消费", "Days of spend"),
    "col.days_after": ("变化后天数", "Days since"),
    "col.applied_on": ("生效日", "Applied on"),
    "col.change_action": ("改动", "Action"),
    "col.object": ("对象", "Object"),
    "col.value_old": ("原值", "Old value"),
    "col.value_new": ("新值", "New value"),
    "col.verdict": ("效果", "Verdict"),
    "col.effect": ("改动效果", "What it did"),
    "col.money_30d": ("每 30 天省下", "Saved per 30 days"),
    "col.days_compared": ("比较天数（每侧）", "Days compared (each side)"),
    "col.group": ("所属投放包", "Bundle"),
    "col.folded_under": ("归入计划", "Folded under"),
    "col.named_by": ("由关键词引起", "Named by"),
    "col.cpa_before": ("变化前转化成本", "CPA before"),
    "col.cpa_after": ("变化后转化成本", "CPA after"),
    "col.cpc_change": ("点击价格变化", "CPC change"),
    "col.cvr_change": ("转化率变化", "CVR change"),
    "col.share_cpc": ("点击价格贡献", "CPC share"),
    "col.share_cvr": ("转化率贡献", "CVR share"),
    "col.mix_share": ("结构占比", "Mix share"),
    "col.rate_share": ("表现占比", "Rate share"),
    "col.money_mix": ("其中结构（金额）", "Money: mix"),
    "col.money_rate": ("其中表现（金额）", "Money: rate"),
    "col.top_contributor": ("最大来源", "Top contributor"),
    "col.top_contributor_money": ("最大来源金额", "Top contributor money"),
    "col.window_start": ("窗口开始", "Window start"),
    "col.window_end": ("窗口结束", "Window end"),
    "col.days": ("天数", "Days"),
    "col.cpa_vs_target": ("实际比目标", "Actual vs target"),
    "col.threshold": ("标记线", "Flag line"),
    "col.excess_cost": ("超出目标的花费", "Spent above target"),
    "col.sure": ("区间也超", "Sure"),
    "col.rules": ("规则", "Rules"),
    "col.days_observed": ("已观察天数", "Days observed"),
    "col.window_days": ("窗口天数", "Window days"),
    "col.window_complete": ("窗口已结束", "Window complete"),
    "col.trigger_cpa": ("赔付触发成本", "Trigger CPA"),
    "col.over_cost": ("已超成本", "Over cost"),
    "col.amount": ("预估赔付", "Estimated amount"),
    "col.reasons": ("原因", "Reasons"),
    "col.page": ("落地页", "Page"),
    "col.n_keywords": ("关键词数", "Keywords"),
    "col.drop_change": ("转化率下降", "CVR change"),
    "col.drop_start": ("下降起始日", "Drop since"),
    "col.drop_money": ("下降已多花", "Money lost to the drop"),
    "col.mismatched_keywords": ("业务不符的关键词", "Mismatched keywords"),
    "col.url_findings": ("链接问题", "URL findings"),
    # URL changes and issues
    "col.field": ("链接字段", "URL field"),
    "col.old": ("原链接", "Old URL"),
    "col.new": ("新链接", "New URL"),
    "col.date": ("日期", "Date"),
    "col.detail": ("说明", "Detail"),
    # batch index
    "col.folder": ("文件夹", "Folder"),
    "col.account": ("账户", "Account"),
    "col.platform": ("平台", "Platform"),
    "col.currency": ("币种", "Currency"),
    "col.rows": ("数据行数", "Rows"),
    "col.spend": ("消费", "Spend"),
    "col.top_action": ("首要操作", "Top action"),
    "col.actions": ("建议数", "Actions"),
    "col.path": ("工作簿", "Workbook"),
    "col.error": ("错误", "Error"),

    # ------------------------------------------------------------ values
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "neg.exact": ("精确否定", "Negative exact"),
    "neg.pause_keyword": ("暂停该关键词（账户自己投放的词，不必加否定）", "Pause the keyword (the account bids on it: no negative needed)"),
    "issue.line": ("业务点不符", "line differs"),
    "issue.stage": ("阶段不符", "stage differs"),
    "driver.cvr": ("转化率", "CVR"),
    "driver.cpc": ("点击价格", "CPC"),
    "status.ok": ("完成", "ok"),
    "status.error": ("失败", "error"),
    "status.skipped": ("已跳过", "skipped"),
    "landing.red": ("需立即处理", "Act now"),   # as the Landing pages page says it (i18n.PAGE_STATUS)
    "landing.amber": ("需要关注", "Look at it"),
    "landing.green": ("正常", "Fine"),
    "landing.grey": ("未检查", "Not audited"),
    "field.final_url": ("访问URL", "Final URL"),
    "field.mobile_final_url": ("移动访问URL", "Mobile URL"),
    "severity.info": ("提示", "Info"),

    # ------------------------------------------------------------ kinds of action
    "kind.negatives": ("否定关键词", "Negative keywords"),
    "kind.drift": ("成本异常", "Cost drift"),
    "kind.target": ("超目标", "Over target"),
    "kind.compensation": ("超成本赔付", "Compensation"),
    "kind.split": ("拆包", "Split bundle"),
    "kind.landing": ("落地页", "Landing page"),
    "kind.structure": ("结构调整", "Structure"),
    "kind.bundles": ("投放包", "oCPC bundles"),
    "kind.cpc": ("CPC 关键词", "CPC keywords"),
    "kind.bids": ("出价调整", "Bid changes"),
    "kind.changes": ("改动效果", "What changed and whether it helped"),

    # ------------------------------------------------------------ what the money is
    "basis.wasted": ("近 {days} 天浪费", "wasted in {days} days"),
    "basis.at_stake": ("变化以来多花", "extra cost since the change"),
    "basis.above_target": ("近 {days} 天超出目标", "above target in {days} days"),
    "basis.compensation": ("预估赔付", "estimated compensation"),
    "basis.above_bundle": ("近 {days} 天高于包内其余", "above the rest of the bundle in {days} days"),
    "basis.landing": ("转化率下降多花", "cost of the CVR drop"),
    "basis.bid_saving": ("预计每 30 天少花（超出目标部分）", "expected saving above target per 30 days"),
    "basis.bid_gain": ("预计每 30 天多获转化（按目标转化成本计）", "expected extra conversions at target CPA per 30 days"),
    "basis.none": ("", ""),

    # ------------------------------------------------------------ summary actions
    "act.negatives": ("添加 {n} 个否定关键词 — 近 {days} 天浪费 {money}",
                      "Add {n} negative keywords — {money} wasted in {days} days"),
    "act.negatives_pause": ("暂停 {n} 个与业务无关的自有关键词（搜索词就是账户自己的关键词，不加否定）— 近 {days} 天浪费 {money}",
                            "Pause {n} off-target keywords of the account's own (the search term is its own "
                            "keyword: no negative) — {money} wasted in {days} days"),
    "act.drift": ("{entity} {metric} {change}（自 {start} 起）— 已多花 {money}",
                  "{entity} {metric} {change} since {start} — {money} at stake"),
    "act.drift_saving": ("{entity} {metric} {change}（自 {start} 起）— 节省 {money}",
                         "{entity} {metric} {change} since {start} — {money} saved"),
    "act.target": ("{bundle} 近 {days} 天转化成本 {cpa}，超目标 {target} 的 {over} — 超出目标 {money}",
                   "{bundle}: CPA {cpa} over the last {days} days, {over} above its target of {target} — "
                   "{money} above target"),
    "act.compensation": ("{bundle} 超成本赔付：{status}，预估 {money}（{reasons}）",
                         "{bundle} over-cost compensation: {status}, about {money} ({reasons})"),
    "act.split": ("把 {campaign} 从投放包 {bundle} 拆出 — 转化成本是包内其余的 {ratio} 倍",
                  "Split {campaign} off bundle {bundle} — CPA {ratio}x the rest of the bundle"),
    "act.changes": ("改动效果：{text}", "What changed and whether it helped: {text}"),
    "act.landing": ("落地页 {page}：{reasons}", "Landing page {page}: {reasons}"),
    "act.structure": ("把 {n} 个关键词移到对应的单元（业务点或阶段与所在单元不符，涉及消费 {money}）",
                      "Move {n} keywords to matching ad groups (their line or stage differs from their ad group; "
                      "{money} of spend)"),
    "act.bundles_new": ("按建议把计划绑成 {k} 个 oCPC 投放包（{ready} 个数据达标，其余 {rest} 个先用 CPC 积累转化）",
                        "Bind the campaigns into {k} oCPC bundles as proposed ({ready} with enough data; keep the "
                        "other {rest} on CPC for now)"),
    "act.bundles_new_all": ("按建议把计划绑成 {k} 个 oCPC 投放包（都已达到 oCPC 的数据门槛）",
                            "Bind the campaigns into {k} oCPC bundles as proposed (all have enough data for oCPC)"),
    "act.bundles_new_none": ("按建议把计划分成 {k} 组：数据都还不够进入 oCPC，先用 CPC 积累转化",
                             "Group the campaigns into {k} bundles as proposed: none has enough data for oCPC yet, "
                             "keep them on CPC for now"),
    "act.bundles_compare": ("对照建议的 {k} 个投放包检查现有分包（{ready} 个数据达标）",
                            "Check your current bundles against the {k} proposed ones ({ready} with enough data)"),
    "act.cpc": ("给 {n} 个关键词单独建 CPC 计划抢排名（先核实排名）",
                "Give {n} keywords their own CPC campaign to win rank (check their rank first)"),
    "act.bids_lower": ("给 {n} 个手动出价关键词降价（每步最多 {step}）— 这一步预计每 30 天少花超出目标的 {money}；"
                       "它们现在每 30 天超出目标 {above}，要分几步降到可出价",
                       "Lower the bids of {n} manual-CPC keywords (at most {step} a step) — this step: expected {money} "
                       "less spent above target per 30 days; they spend {above} above target per 30 days now, to "
                       "be worked off in several steps"),
    "act.bids_raise": ("给 {n} 个手动出价关键词提价（每步最多 {step}）— 预计每 30 天多 {conv} 次转化，按目标计增收 {money}（会多花钱，不是节省）",
                       "Raise the bids of {n} manual-CPC keywords (at most {step} a step) — expected {conv} more "
                       "conversions per 30 days, {money} gained at target CPA (more spend, not a saving)"),

    # ------------------------------------------------------------ the change table's reasons (optimizer.actions.changes)
    "change.negative": ("搜索词“{term}”在计划“{campaign}”近 {days} 天花费 {cost}、{clicks} 次点击、没有转化，且与业务无关（{cues}）：在该计划添加精确否定。",
                        "The search term \"{term}\" cost {cost} in campaign \"{campaign}\" over {days} days ({clicks} "
                        "clicks, no conversion) and is off target ({cues}): add it as a campaign exact negative."),
    "change.pause_own": ("“{term}”与业务无关（{cues}），近 {days} 天花费 {cost} 没有转化，而它正是账户自己的关键词：否定只会和自己的出价冲突，暂停该关键词。",
                         "\"{term}\" is off target ({cues}) and cost {cost} over {days} days without a conversion, "
                         "yet it is one of the account's own keywords: a negative would fight its own bid, so pause "
                         "the keyword."),
    "change.pause_waste_line": ("近 {days} 天花费 {cost}、{clicks} 次点击、没有转化，已超过业务线转化成本 {target} 的 {multiple} 倍；其转化率 95% 区间上限 {high} 低于业务线的 {line_cvr}：暂停。",
                                "{cost} over {days} days, {clicks} clicks and no conversion — over {multiple}x its "
                                "line's CPA of {target}; the top of its 95% CVR interval, {high}, is below the "
                                "line's {line_cvr}: pause it."),
    "change.pause_waste_map": ("近 {days} 天花费 {cost}、{clicks} 次点击、没有转化，已超过投放包目标转化成本 {target} 的 {multiple} 倍；其转化率 95% 区间上限 {high} 低于业务线的 {line_cvr}：暂停。",
                               "{cost} over {days} days, {clicks} clicks and no conversion — over {multiple}x its "
                               "bundle's target CPA of {target}; the top of its 95% CVR interval, {high}, is below "
                               "the line's {line_cvr}: pause it."),
    "change.url_mobile": ("没有移动访问URL，手机点击落到电脑页 {pc}：填上同一页面其他关键词使用的移动页 {mobile}。",
                          "No mobile URL, so phone clicks land on the desktop page {pc}: set the mobile page the "
                          "account's other keywords of that page use, {mobile}."),
    "change.url_mobile_manual": ("没有移动访问URL，手机点击落到电脑页 {pc}；账户里没有同一页面的移动页可用：请手工填写移动访问URL。",
                                 "No mobile URL, so phone clicks land on the desktop page {pc}, and no keyword of that "
                                 "page has a mobile page to copy: set the mobile URL by hand."),
    "change.held_url_first": ("先修落地页：这个关键词的链接正在修正，它的转化率被错误的页面拉低了；出价等下一次导出、按修正后的转化率再调。",
                              "Fix the page first: this keyword's URL is being fixed and its conversion rate is "
                              "distorted by the wrong page; its bid is changed at the next export, at the rate "
                              "after the fix."),
    "change.url_back": ("链接由 {old} 改成了 {new}，原页面转化率 {cvr_old}，新页面 {cvr_new}：改回原页面。",
                        "The URL moved from {old} to {new}; the old page converted at {cvr_old}, the new one at "
                        "{cvr_new}: move it back."),
    "change.url_back_with": ("链接由 {old} 改成了 {new}，与同一天改动的另一个链接一起改回原页面。",
                             "The URL moved from {old} to {new} on the same day as the keyword's other URL: move it "
                             "back with that one."),

    # ------------------------------------------------------------ bulk-edit files (optimizer.actions.formats)
    "bulk.target.google_editor": ("Google Ads Editor 导入文件", "Google Ads Editor import file"),
    "bulk.target.google_web": ("Google Ads 网页版批量上传", "Google Ads web bulk upload"),
    "bulk.target.microsoft": ("Microsoft Advertising 批量文件", "Microsoft Advertising Bulk file"),
    "bulk.target.baidu": ("百度关键词文件与否定词列表", "Baidu keyword file and negative lists"),
    "bulk.readme.title": ("批量修改文件说明：{target}", "Bulk-edit files: {target}"),
    "bulk.readme.account": ("账户：{account} · 生成于 {generated}", "Account: {account} · made {generated}"),
    "bulk.readme.files": ("文件及导入方法：", "Files and how to import them:"),
    "bulk.readme.no_files": ("没有可以写入的改动。", "No change could be written."),
    "bulk.readme.assumed": ("假设与说明（依据本产品整理的各平台导入格式资料）：",
                            "What was assumed (from the import-format notes this product keeps):"),
    "bulk.readme.unwritable": ("未写入文件的改动：{n} 条（请手工处理）", "Changes not written: {n} (make them by hand)"),
    "bulk.readme.aside": ("暂不写入文件的改动：{n} 条（先修落地页的关键词的出价下次再调；其余请手工处理）",
                          "Changes set aside: {n} (bids of keywords whose page is being fixed wait for the next "
                          "export; make the others by hand)"),
    "bulk.aside.url_first": ("出价暂缓：先修落地页", "bid held: fix the page first"),
    "bulk.aside.manual_mobile_url": ("需要手工填写移动访问URL", "set the mobile URL by hand"),
    "bulk.file.google_editor": ("{rows} 条改动：否定关键词、暂停、出价和链接修改。",
                                "{rows} changes: negative keywords, pauses, bids and URL fixes."),
    "bulk.file.google_web": ("{rows} 条改动：新增否定关键词（Add）和修改关键词（Edit）。",
                             "{rows} changes: negative keywords added (Add) and keywords edited (Edit)."),
    "bulk.file.microsoft": ("{rows} 条改动（第一行是 Format Version 6.0）：否定关键词和按 Id 修改的关键词。",
                            "{rows} changes (the first row is Format Version 6.0): negative keywords and keywords "
                            "updated by their Id."),
    "bulk.file.baidu_keywords": ("{rows} 个关键词的暂停、出价或链接修改。",
                                 "{rows} keywords paused, re-bid or given a new URL."),
    "bulk.file.baidu_list_plan": ("计划“{plan}”的{list}列表：{total} 个词（已有 {existing} 个 + 新增 {rows} 个），每行一个。",
                                  "The {list} list of campaign \"{plan}\": {total} words ({existing} already there + "
                                  "{rows} new), one per line."),
    "bulk.file.baidu_list_unit": ("计划“{plan}”单元“{unit}”的{list}列表：{total} 个词（已有 {existing} 个 + 新增 {rows} 个），每行一个。",
                                  "The {list} list of ad group \"{unit}\" in \"{plan}\": {total} words ({existing} "
                                  "already there + {rows} new), one per line."),
    "bulk.how.google_editor": ("导入：Google Ads Editor → 账户 → 导入 → 从文件导入（Account > Import > From file），检查后再发布。",
                               "Import: Google Ads Editor, Account > Import > From file; review, then post."),
    "bulk.how.google_web": ("导入：Google Ads 网页版 → 工具 → 批量操作 → 上传（Tools > Bulk actions > Uploads），先预览再应用。",
                            "Import: Google Ads web, Tools > Bulk actions > Uploads; preview, then apply."),
    "bulk.how.microsoft": ("导入（菜单名称依官方帮助整理，本产品未在平台上验证，可能随版本变化）：Microsoft Advertising 网页版 → 工具（Tools）"
                           "→ 批量操作（Bulk operations）→ 上传（Upload），选这个文件，先看预览再应用；或 Microsoft "
                           "Advertising Editor → 导入（Import）→ 从文件导入，检查后再发布。",
                           "Import (menu names from the official help, not verified on the platform by this product; "
                           "they may change): Microsoft Advertising web, Tools > Bulk operations > Upload, pick this "
                           "file, preview, then apply; or Microsoft Advertising Editor, Import > from a file, review, "
                           "then post."),
    "bulk.how.baidu": ("导入（菜单名称本产品未在平台上验证，可能随版本变化）：百度营销客户端（原推广客户端）中打开账户的关键词列表，"
                       "用“导入”/“批量导入”选这个文件；或 百度营销网页版 搜索推广 → 批量操作/工具中的关键词批量上传。"
                       "空白单元格表示不修改；导入后先核对再上传到线上。",
                       "Import (menu names not verified on the platform by this product; they may change): in the "
                       "百度营销 desktop client (formerly 推广客户端) open the account's keyword list and use 导入 / "
                       "批量导入 (import) with this file; or in 百度营销 web, 搜索推广, the keyword batch upload under "
                       "批量操作 / tools. A blank cell means no change; check, then upload to the live account."),
    "bulk.how.paste": ("粘贴：打开该计划/单元的否定关键词设置，把这些词加到列表末尾（平台会用粘贴的内容替换整个列表，不要删掉已有的词）。",
                       "Paste: open the negative keyword setting of that campaign/ad group and add these words at the "
                       "end of its list (the platform replaces the whole list with what is pasted: keep the words "
                       "already there)."),
    "bulk.note.editor_encoding": ("文件为 UTF-16LE（带 BOM）、制表符分隔、CRLF 换行，与 Editor 自己导出的一致（来源 B）。",
                                  "The file is UTF-16LE with a BOM, tab-separated, CRLF — as Editor itself exports (B)."),
    "bulk.note.editor_utf8": ("文件为 UTF-8（带 BOM）、逗号分隔：关于 Editor 是否接受这种文件的说法不一（来源 C），若导入失败请改用 UTF-16 版本。",
                              "The file is UTF-8 with a BOM, comma-separated: reports conflict on whether Editor takes "
                              "it (C); if the import fails, use the UTF-16 file."),
    "bulk.note.editor_match": ("关键词按 计划 + 广告组 + 关键词 + 匹配类型 匹配；匹配不到的行会被新增，关键词写作不带 [ ] 或引号。",
                               "Keywords are matched by campaign + ad group + keyword + criterion type; a row that "
                               "matches nothing is added. Keywords are written without [ ] or quotes."),
    "bulk.note.no_removals": ("不写删除（Removed / Remove）：删除的写法未经验证。", "No removals are written: their spelling is unverified."),
    "bulk.note.web_id": ("修改行带上导出文件给出的 Keyword ID；没有 ID 时只按名称匹配——是否可行未有记录（来源 B）。",
                         "Edit rows carry the Keyword ID the export gave; without one they rely on names alone, "
                         "which is undocumented (B)."),
    "bulk.note.web_id_required": ("没有 Keyword ID 的修改行不写入（设置：修改必须带 ID）。",
                                  "Edit rows without a Keyword ID are not written (setting: edits need an ID)."),
    "bulk.note.web_utf8": ("文件为 UTF-8、逗号分隔，不带 BOM。", "The file is UTF-8, comma-separated, without a BOM."),
    "bulk.note.ms_update_names": ("修改关键词必须有它的 Id（只有 Microsoft 的导出文件才有）；修改行也写上计划、广告组名称和匹配方式，Parent Id 留空。",
                                  "Keyword updates need the keyword's Id (only a Microsoft export has it); update rows "
                                  "also carry the campaign and ad group names and the match type; Parent Id is left blank."),
    "bulk.note.baidu_labels_current": ("匹配模式按当前导出的写法（精确匹配 / 短语匹配 / 智能匹配）；其他匹配模式留空（不修改）。",
                                       "Match types as current exports write them (精确匹配 / 短语匹配 / 智能匹配); any "
                                       "other is left blank (no change)."),
    "bulk.note.baidu_labels_legacy": ("账户的导出是旧版写法（有“广泛”）：匹配模式写作 精确 / 广泛，短语留空（旧版短语分三种，无法确定是哪一种）。",
                                      "The account's export is of the legacy kind (it has 广泛): match types written "
                                      "精确 / 广泛, phrase left blank (the legacy export had three phrase kinds)."),
    "bulk.note.baidu_labels_mixed": ("账户的导出新旧写法混用：旧版写法（有“广泛”）的计划写作 精确 / 广泛、短语留空；其他计划写作 精确匹配 / 短语匹配 / 智能匹配。",
                                     "The account's export mixes generations: plans of the legacy kind (with 广泛) get "
                                     "精确 / 广泛 and phrase left blank; the others 精确匹配 / 短语匹配 / 智能匹配."),
    "bulk.note.baidu_limits": ("已检查长度：关键词 ≤ 40 字节、计划/单元名 ≤ 30 字节（汉字算 2 字节）、出价 0–999.99 元、链接 ≤ 1024 字节。",
                               "Limits checked: keyword ≤ 40 bytes, campaign/ad group names ≤ 30 bytes (a Chinese "
                               "character counts 2), bid in (0, 999.99], URLs ≤ 1024 bytes."),
    "bulk.note.baidu_lists": ("否定关键词没有文件列可导入：每个列表单独一个文本文件。导出文件里没有已有的否定词，上限（200 个）只按新增的词检查。",
                              "Negative keywords have no file column: each list is a text file to paste. The exports "
                              "do not carry the words already in a list, so the 200-word limit is checked on the new "
                              "words alone."),
    "bulk.note.baidu_lists_known": ("否定关键词没有文件列可导入：每个列表单独一个文本文件，包含已有的词和新增的词。",
                                    "Negative keywords have no file column: each list is a text file to paste, holding "
                                    "the words already there and the new ones."),
    "bulk.note.baidu_plan_limit": ("计划级否定列表的上限假定与单元相同（200 个词）。",
                                   "A campaign's negative list is assumed to have the ad group's limit (200 words)."),
    "bulk.note.baidu_list_full": ("有的列表已满 200 个词：超出的新词未写入，见下。",
                                  "Some lists reached 200 words: the new words past it are not written, see below."),
    "bulk.why.control": ("名称里有制表符或换行，无法写进单元格。", "A name holds a tab or line break, which no cell may hold."),
    "bulk.why.formula": ("名称以 = + - @ 开头：表格软件会当作公式，加上防护符号又会改掉名称，请手工修改。",
                         "A name starts with = + - @: a spreadsheet would run it, and neutralising it would change the "
                         "name; make this change by hand."),
    "bulk.why.negative_match": ("否定关键词只能是精确或短语（此处为 {match_type}）。",
                                "A negative keyword must be exact or phrase (this one is {match_type})."),
    "bulk.why.match_type": ("该格式没有匹配方式“{match_type}”。", "This format has no match type \"{match_type}\"."),
    "bulk.why.status": ("该格式只写暂停。", "This format writes pauses only."),
    "bulk.why.field": ("该格式不能修改“{field}”。", "This format cannot change \"{field}\"."),
    "bulk.why.no_id_web": ("导出文件没有 Keyword ID，而设置要求修改行带 ID。",
                           "The export gave no Keyword ID and the setting asks edit rows to carry one."),
    "bulk.why.no_id_microsoft": ("修改关键词需要它在 Microsoft Advertising 里的 Id，而这份导出没有 Id 列：请改用带 Id 的导出"
                                 "（Microsoft Advertising 的 API / 批量下载 Bulk download，或界面下载报告时加上 Keyword ID 列）"
                                 "重新上传，再导出改动。",
                                 "Updating a keyword needs its Microsoft Advertising Id, and this export has no Id "
                                 "column: upload an export with Ids (the Microsoft Advertising API / Bulk download, or "
                                 "the UI report with the Keyword ID column added), then export the changes again."),
    "bulk.why.name_bytes": ("名称“{name}”超过 {limit} 字节。", "The name \"{name}\" is over {limit} bytes."),
    "bulk.why.keyword_bytes": ("关键词超过 {limit} 字节。", "The keyword is over {limit} bytes."),
    "bulk.why.negative_bytes": ("否定词超过 {limit} 字节。", "The negative word is over {limit} bytes."),
    "bulk.why.bid_range": ("出价必须在 0 到 {max} 元之间。", "The bid must be above 0 and at most {max}."),
    "bulk.why.url_bytes": ("链接超过 {limit} 字节。", "The URL is over {limit} bytes."),
    "bulk.why.list_full": ("{list}列表已有 {limit} 个词，放不下。", "The {list} list already holds {limit} words."),
    "bulk.cli.wrote": ("已写入 {path}（{rows} 条改动）", "wrote {path} ({rows} changes)"),
    "bulk.cli.account": ("{account}：{n} 条改动，预计每月节省 {saving}", "{account}: {n} changes, about {saving} a month saved"),
    "bulk.cli.gain": ("；提价预计每月增收 {gain}（多获转化按目标转化成本计，会多花钱，不是节省）",
                      "; bid raises about {gain} a month gained (extra conversions at target CPA: more spend, not a "
                      "saving)"),
    "bulk.cli.unwritable": ("{n} 条改动无法写入文件，见 README.txt", "{n} changes could not be written: see README.txt"),
    "bulk.cli.none": ("没有要做的改动。", "No change to make."),
    "bulk.cli.aside": ("{n} 条改动暂不写入文件（先修落地页或需手工处理），见 README.txt",
                       "{n} changes set aside (fix the page first, or by hand): see README.txt"),
    "bulk.cli.skipped": ("{account}：跳过 — 不是{target}所属平台的账户（别的平台的文件导入后会新增对象，而不是修改）",
                         "{account}: skipped — not an account of {target}'s platform (another platform's file would "
                         "add objects on import, not edit them)"),
    "bulk.cli.no_account": ("导出文件中没有{target}所属平台的账户，未写入任何文件",
                            "no account of {target}'s platform in the exports: nothing written"),

    # ------------------------------------------------------------ notes
    "note.no_search_terms": ("没有搜索词报告：否定关键词需要搜索词报告。",
                             "No search-term report: negative keywords need one."),
    "note.no_daily": ("没有按日的数据：投放包和成本异常需要分日报告。",
                      "No daily rows: bundles and cost drift need a daily report."),
    "note.no_bundle_map": ("没有投放包对应表，也没有从计划名称识别到投放包：目标对比和超成本赔付已跳过。",
                           "No bundle map and no bundles in campaign names: targets and compensation were skipped."),
    "note.bundles_from_names": ("投放包从计划名称识别（如“包1-开锁”），没有目标转化成本。",
                                "Bundles read from campaign names (like 包1-开锁), without target CPAs."),
    "note.bundles_proposed": ("没有投放包对应表，计划名称里也没有投放包：成本异常按建议的投放包（B1、B2…）分组监控，"
                              "目标对比和超成本赔付已跳过。",
                              "No bundle map and no bundles in campaign names: cost drift watches the proposed bundles "
                              "(B1, B2 …) as groups; targets and compensation were skipped."),
    "note.bids_no_map": ("没有投放包对应表，计划名称里也没有投放包：出价建议把所有计划的关键词都当作手动出价（CPC）。",
                         "No bundle map and no bundles in the plan names: the bid recommendations take every "
                         "campaign's keywords as manual CPC."),
    "note.partial_day": ("百度最后一天（{day}）转化未到齐，成本异常检验未使用这一天。",
                         "Baidu's last day ({day}) is partial (conversions still arriving) and was left out of "
                         "the drift tests."),
    "note.landing_missing": ("落地页分析模块尚不可用（{detail}），落地页工作表已跳过。",
                             "The landing-page module is not available ({detail}); the landing sheet was skipped."),
    "note.landing_failed": ("落地页分析出错（{detail}），落地页工作表已跳过。",
                            "The landing-page analysis failed ({detail}); the landing sheet was skipped."),
    "note.explained": ("只拆解了涉及金额最大的 {n} 条异常（共 {total} 条）。",
                       "Only the {n} flags with the most money at stake were explained (of {total})."),
    "note.truncated": ("“{sheet}”超过 Excel 的行数上限，只写入了前 {n} 行（共 {total} 行）。",
                       "'{sheet}' exceeds Excel's row limit: only the first {n} of {total} rows were written."),
    "note.empty": ("（这一表是空的：没有发现需要处理的项目。）", "(This sheet is empty: nothing to act on was found.)"),
    "note.no_urls": ("报告里没有落地页网址：落地页分析需要带最终访问网址（或移动访问网址）的关键词报告。",
                     "The reports carry no landing-page URLs: landing pages need a keyword report with final "
                     "(or mobile) URLs."),
    "note.money": ("各条建议的金额口径不同（浪费、变化以来多花、超出目标等），可能部分重叠，不宜直接相加。",
                   "The money of each action is measured its own way (wasted, extra since a change, above "
                   "target …) and may overlap: do not add the lines up."),

    # ------------------------------------------------------------ python -m optimizer analyze (text)
    "cli.account": ("{label}（{vertical}），{start} ~ {end}，{rows} 行数据",
                    "{label} ({vertical}), {start} .. {end}, {rows} rows"),
    "cli.bids_account": ("{label}：{n} 个手动出价关键词（{start} ~ {end}）— 提价 {up}，降价 {down}，保持 {keep}，排名目标 {goal}；"
                         "预计每 30 天少花 {saving}；提价增收 {gain}（多获转化按目标计，会多花钱）；降价的关键词现在每 30 天超出目标 {above}",
                         "{label}: {n} manual-CPC keywords ({start} to {end}) — raise {up}, lower {down}, keep {keep}, "
                         "position goal {goal}; per 30 days expected {saving} saved; bid raises {gain} gained "
                         "(extra conversions at target CPA: more spend); the lowered keywords spend {above} above "
                         "target now"),
    "cli.bids_row": ("  [{decision}] {campaign} / {keyword}：{bid} → {recommended}  [{money}]  {reason}",
                     "  [{decision}] {campaign} / {keyword}: {bid} → {recommended}  [{money}]  {reason}"),
    "cli.more": ("  …… 另有 {n} 条建议，见工作簿", "  … {n} more in the workbook"),
    "cli.note": ("  说明：{text}", "  note: {text}"),
    "cli.batch_account": ("{folder}：{account} → {path}", "{folder}: {account} → {path}"),
    "cli.batch_first": ("  首要操作：{action}", "  first: {action}"),
    "cli.batch_index": ("账户索引：{path}", "index: {path}"),
    "refresh.recomputed": ("{workspace}：{account} 已重新计算（{pieces} 项结果，{seconds:.1f} 秒）",
                           "{workspace}: {account} recomputed ({pieces} results, {seconds:.1f} s)"),
    "refresh.audited": ("  落地页：核查并保存 {audited} 个，{unchecked} 个无法核查（没有网络或被拒绝）",
                        "  landing pages: {audited} audited and kept, {unchecked} could not be checked "
                        "(no network or refused)"),
    "refresh.failed": ("{workspace}：{account} 失败：{reason}", "{workspace}: {account} failed: {reason}"),
    "refresh.workspace_failed": ("工作区 {workspace} 失败：{reason}", "workspace {workspace} failed: {reason}"),
    "refresh.summary": ("重新计算 {recomputed} 个账户，{up_to_date} 个数据和设置都没变（已是最新），{failed} 个失败；"
                        "用时 {seconds:.1f} 秒（{engine}，{workers} 个工作进程）",
                        "{recomputed} accounts recomputed, {up_to_date} up to date (data and settings unchanged), "
                        "{failed} failed; {seconds:.1f} s ({engine}, {workers} workers)"),
    "refresh.no_workspace": ("没有名称或编号为 {name} 的工作区", "no workspace named or numbered {name}"),
    "refresh.store": ("无法打开数据库：{reason}", "cannot open the database: {reason}"),
    "refresh.engine": ("无法启动 {engine} 计算：{reason}", "cannot start the {engine} engine: {reason}"),

    # ------------------------------------------------------------ python -m optimizer analyze (errors)
    "error.cannot_read": ("无法读取 {file}：{reason}", "cannot read {file}: {reason}"),
    "error.cannot_write": ("无法写入 {file}：{reason}", "cannot write {file}: {reason}"),
    "error.no_exports": ("没有给出报告文件", "no export files given"),
    "error.no_rows": ("这些报告里没有任何账户的数据行", "the exports hold no account rows"),
    "error.folder_no_exports": ("{folder}：文件夹里没有报告文件（CSV、TSV、TXT、XLSX、XLS）",
                                "{folder}: no export files (CSV, TSV, TXT, XLSX, XLS) in the folder"),
    "skip.file": ("{file}：已跳过，{reason}", "{file}: skipped, {reason}"),
    "skip.not_export": ("不是报告文件（只读取 CSV、TSV、TXT、XLSX、XLS）",
                        "not an export file (only CSV, TSV, TXT, XLSX and XLS are read)"),
    "skip.not_in_folder": ("不在账户子文件夹里（批量模式下每个子文件夹是一个账户）",
                           "not in an account sub-folder (in batch mode each sub-folder is one account)"),
    "skip.foreign": ("这是一个 {what}，不是报告", "this is a {what}, not a report"),
    "skip.empty": ("文件是空的", "the file is empty"),
    "skip.unreadable": ("无法打开（{reason}）", "it cannot be opened ({reason})"),
    "error.not_a_folder": ("{path} 不是文件夹", "{path} is not a folder"),
    "error.out_suffix": ("--out {path}：工作簿的文件名须以 .xlsx 结尾",
                         "--out {path}: the workbook's file name must end in .xlsx"),
    "error.out_is_folder": ("--out {path} 是一个文件夹：请给出工作簿的文件名（以 .xlsx 结尾）",
                            "--out {path} is a folder: give the workbook's file name (ending in .xlsx)"),
    "error.not_a_dir": ("{option} {path} 已存在，但不是文件夹", "{option} {path} exists and is not a folder"),
    "error.no_parent": ("{option} {path}：文件夹 {parent} 不存在（不会自动创建，请先建好或检查路径）",
                        "{option} {path}: the folder {parent} does not exist (not created: create it first "
                        "or check the path)"),
    "usage.exports_and_batch": ("EXPORT 文件和 --batch FOLDER 只能给其中一个",
                                "give either EXPORT files or --batch FOLDER, not both"),
    "usage.batch_out": ("--batch 需要 --out 输出文件夹", "--batch needs --out OUT_FOLDER"),
    "usage.batch_map": ("--bundle-map 按账户给出：批量模式下请把 bundle_map.csv 放进各账户的文件夹",
                        "--bundle-map is per account: in batch mode put bundle_map.csv in each folder"),
    "usage.engine_batch": ("--engine 和 --workers 只用于 --batch 批量模式", "--engine and --workers are for --batch only"),
    "usage.scheduler_dask": ("--scheduler 需要 --engine dask", "--scheduler needs --engine dask"),
    "usage.no_exports": ("请至少给出一个 EXPORT 报告文件，或 --batch FOLDER",
                         "give at least one EXPORT file, or --batch FOLDER"),
}


def st(key: str, lang: str = "zh", **params: object) -> str:
    """The text ``key`` of :data:`SHEET_TEXT` in ``lang`` (``zh`` or ``en``), filled in."""
    zh, en = SHEET_TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**params) if params else text


__all__ = ["SHEET_TEXT", "st"]
