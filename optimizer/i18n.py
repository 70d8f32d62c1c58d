"""Every text the interface shows, in Chinese (first) and English.

``optimizer`` returns codes (platform ``baidu``, report ``search_term``, stage
``price``); the pages translate them here, so that one table holds the wording and
adding a language means adding a column.
"""
from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "app.title": ("搜索推广优化台", "Search Ads Optimizer"),
    "app.tagline": ("为本地生活服务商家管理百度、Google 和 Microsoft 搜索广告账户",
                    "Run Baidu, Google and Microsoft search accounts for local-service businesses"),
    "app.language": ("语言 / Language", "Language / 语言"),
    "nav.today": ("今日待办", "Today"),
    "nav.overview": ("账户概览", "Overview"),
    "nav.upload": ("上传报告", "Upload"),
    "sample.banner": ("当前显示的是**示例账户**（虚构的北京开锁商家，数据由程序生成）。上传你自己的报告后，这里会显示你的账户。",
                      "You are looking at the **sample account** (a fictional Beijing locksmith; generated "
                      "data). Upload your own reports and this page will show your account."),
    "sample.go_upload": ("去上传报告", "Upload reports"),
    "today.title": ("今日待办", "Today"),
    "today.caption": ("你能看到的每个工作区的每个账户一行，按涉及金额从高到低排：先处理最上面的。点账户名打开它的概览。"
                      "金额按各账户自己的币种，不换算。",
                      "One line per account of every workspace you can see, most money at stake first: start at the "
                      "top. Click an account to open its overview. Amounts are in each account's own currency, "
                      "not converted."),
    "today.filter_ws": ("工作区", "Workspaces"),
    "today.filter_platform": ("平台", "Platforms"),
    "today.filter_all": ("全部", "All"),
    "today.stale_only": ("只看数据过期的账户", "Only stale data"),
    "today.stale_help": ("最后数据日早于昨天（已过 {days} 天或更多）：昨天的报告还没上传。",
                         "The last data day is before yesterday ({days} days old or more): yesterday's report is "
                         "not uploaded yet."),
    "today.summary": ("{n} 个账户 · {ws} 个工作区 · 数据过期 {stale} 个 · 计算中 {preparing} 行",
                      "{n} accounts · {ws} workspaces · {stale} with stale data · {preparing} lines being prepared"),
    "today.preparing": ("{n} 行正在后台计算（计算中）：这些账户的数据或设置刚有变化，算好后这里显示它们的数字。",
                        "{n} lines are being prepared in the background: their data or settings just changed; their "
                        "figures show here once done."),
    "today.failed": ("{n} 行没能在后台算出：打开账户页面时会重新计算。", "{n} lines could not be prepared in the "
                     "background: their pages compute them when opened."),
    "today.refresh": ("刷新", "Refresh"),
    "today.none": ("你能看到的工作区里还没有数据。请先上传报告。", "The workspaces you can see hold no data yet. Upload reports first."),
    "today.no_match": ("没有符合筛选条件的账户。", "No account matches the filters."),
    "today.status_ready": ("已算好", "Ready"),
    "today.status_preparing": ("计算中", "Being prepared"),
    "today.status_failed": ("未算出", "Not prepared"),
    "today.all_accounts": ("（账户列表计算中）", "(account list being prepared)"),
    "col.today_money": ("涉及金额", "Money at stake"),
    "col.today_action": ("先做什么", "First action"),
    "col.today_workspace": ("工作区", "Workspace"),
    "col.today_account": ("账户", "Account"),
    "col.today_status": ("状态", "Status"),
    "col.today_last_day": ("最后数据日", "Last data day"),
    "col.today_days_old": ("已过天数", "Days old"),
    "col.today_spend": ("近 7 天消费", "Spend, last 7 days"),
    "col.today_spend_change": ("消费环比", "Spend vs prior 7 days"),
    "col.today_cpa": ("近 7 天转化成本", "CPA, last 7 days"),
    "col.today_cpa_change": ("转化成本环比", "CPA vs prior 7 days"),
    "col.today_vs_target": ("转化成本对比目标", "CPA vs target"),
    "col.today_vs_target_help": ("有目标的投放包在目标检查窗口内的转化成本，比它们按转化加权的目标成本高（+）或低（−）多少。",
                                 "The CPA of the bundles with a target over the target window, against their "
                                 "targets weighted by conversions: above (+) or below (−)."),
    "col.today_drift": ("成本异常", "Drift flags"),
    "col.today_severity": ("最高严重度", "Top severity"),
    "col.today_over_target": ("超目标投放包", "Bundles over target"),
    "col.today_landing_red": ("红色落地页", "Red landing pages"),
    "col.today_compensation": ("有风险的赔付", "Compensation at risk"),
    "overview.title": ("账户概览", "Account overview"),
    "overview.account": ("账户", "Account"),
    "overview.range": ("日期范围", "Date range"),
    "overview.cost": ("消费", "Spend"),
    "overview.clicks": ("点击", "Clicks"),
    "overview.conversions": ("转化", "Conversions"),
    "overview.cpa": ("转化成本", "Cost per conversion"),
    "overview.cvr": ("转化率", "Conversion rate"),
    "overview.cpc": ("平均点击价格", "Avg. CPC"),
    "overview.trend": ("每日消费与转化成本", "Daily spend and cost per conversion"),
    "overview.trend_metric": ("折线", "Line"),
    "overview.top_plans": ("消费最高的推广计划", "Top campaigns by spend"),
    "overview.no_daily": ("这些报告没有按日拆分，无法画出趋势。请下载“分日”报告。",
                          "These reports are not split by day, so there is no trend to draw. Download a daily report."),
    "overview.no_data": ("还没有数据。请先上传报告。", "No data yet. Upload reports first."),
    "overview.partial_day": ("百度的转化数据约晚一天到达，最后一天（{day}）的转化可能不完整。",
                             "Baidu conversions arrive about a day late: the last day ({day}) may be incomplete."),
    "overview.left_out": ("转化成本和转化率没有算 {day}：这一天的转化还没统计完。",
                          "Cost per conversion and conversion rate leave out {day}: its conversions are still arriving."),
    "overview.partial_short": ("转化未到齐", "conversions incomplete"),
    "col.campaign": ("推广计划", "Campaign"),
    "col.cost": ("消费", "Spend"),
    "col.clicks": ("点击", "Clicks"),
    "col.impressions": ("展现", "Impressions"),
    "col.conversions": ("转化", "Conversions"),
    "col.cpa": ("转化成本", "CPA"),
    "col.cvr": ("转化率", "CVR"),
    "col.cpa_shrunk": ("收缩后转化成本", "Shrunk CPA"),
    "col.cpa_shrunk_help": ("消费 ÷（点击 × 收缩后转化率）。转化少的计划，转化率先向同业务点的水平收缩（经验贝叶斯），"
                            "分包用的是这个数；“转化成本”是实际消费 ÷ 实际转化。",
                            "Cost ÷ (clicks × shrunk CVR). A campaign with few conversions has its conversion rate "
                            "shrunk toward its business line's first (empirical Bayes); bundles are formed on this "
                            "figure. 'CPA' is actual cost ÷ actual conversions."),
    "col.cvr_shrunk": ("收缩后转化率", "Shrunk CVR"),
    "col.cvr_shrunk_help": ("转化少的计划，转化率向同业务点的水平收缩后的值（经验贝叶斯）：一周运气好或不好不会把它放错包。",
                            "The conversion rate after a campaign with few conversions is shrunk toward its business "
                            "line's (empirical Bayes): a lucky or unlucky week does not put it in the wrong bundle."),
    "col.share": ("消费占比", "Share of spend"),
    "col.file": ("文件", "File"),
    "col.platform": ("平台", "Platform"),
    "col.report_type": ("报告类型", "Report"),
    "col.dates": ("日期", "Dates"),
    "col.rows": ("行数", "Rows"),
    "col.skipped": ("跳过", "Skipped"),
    "col.accounts": ("账户", "Accounts"),
    "col.account": ("账户", "Account"),
    "col.campaigns": ("计划", "Campaigns"),
    "col.keywords": ("关键词", "Keywords"),
    "col.encoding": ("编码", "Encoding"),
    "col.totals_check": ("合计校验", "Totals check"),
    "col.currency": ("币种", "Currency"),
    "upload.title": ("上传报告", "Upload reports"),
    "upload.help": ("可一次选择多个文件：百度营销（凤巢）关键词/搜索词/计划/单元报告、Google Ads 和 Microsoft Ads 下载的报告。"
                    "CSV、TSV、XLSX、XLS 均可，GBK、UTF-8、UTF-16 编码都能识别，不需要先用 Excel 另存。",
                    "Pick several files at once: Baidu keyword / search-term / campaign / ad group reports, Google Ads and "
                    "Microsoft Ads downloads. CSV, TSV, XLSX or XLS in GBK, UTF-8 or UTF-16: no need to re-save in Excel."),
    "upload.picker": ("选择报告文件", "Choose export files"),
    "upload.read": ("读取文件", "Read files"),
    "upload.reading": ("正在读取 {n} 个文件…", "Reading {n} file(s)…"),
    "upload.reading_one": ("正在读取 {file}（{i}/{n}）", "Reading {file} ({i}/{n})"),
    "upload.done": ("读取完成：{ok} 个成功，{bad} 个失败。", "Done: {ok} read, {bad} failed."),
    "upload.summary": ("已识别的文件", "What was recognised"),
    "upload.loaded": ("当前账户数据", "Loaded data"),
    "prep.running": ("正在为各页面预先计算（{account}：{step}）…… 页面现在打开也可以，只是第一次会慢一些",
                     "Preparing the pages in the background ({account}: {step})… you can open them now, the first may be slower"),
    "prep.done": ("各页面所需的分析已算好并保存：打开任何页面都不必再等待计算", "The pages' analyses are computed and kept: no page waits for them"),
    "prep.failed": ("后台预先计算未完成（{error}），各页面打开时会自己计算", "The background preparation did not finish ({error}); each page computes what it needs when opened"),
    "prep.rows": ("合并数据", "combining the data"),
    "prep.detection": ("识别行业", "detecting the trade"),
    "prep.keywords": ("关键词分组", "labelling keywords"),
    "prep.search_terms": ("搜索词分组", "labelling search terms"),
    "prep.evidence": ("投放包依据", "bundle evidence"),
    "prep.drift": ("成本漂移", "cost drift"),
    "prep.landing": ("落地页", "landing pages"),
    "prep.portfolio": ("今日待办", "the Today line"),
    "upload.loaded_caption": ("共 {rows:,} 行，来自 {files} 个文件。", "{rows:,} rows from {files} file(s)."),
    "upload.clear": ("清空已上传的数据", "Clear uploaded data"),
    "upload.cleared": ("已清空。概览页将重新显示示例账户。", "Cleared. The overview shows the sample account again."),
    "upload.failed": ("{file} 未能读取，已上传的数据没有任何改动：", "{file} was not read; nothing loaded before was changed:"),
    "upload.totals_ok": ("一致", "matches"),
    "upload.totals_mismatch": ("不一致", "mismatch"),
    "upload.totals_absent": ("无合计行", "no totals row"),
    "upload.map_title": ("手动指定列：{file}", "Map columns by hand: {file}"),
    "upload.map_help": ("这个文件的格式不认识。请告诉我们每一列是什么；保存后，同样表头的文件会自动按此读取。",
                        "This layout is not known. Say what each column holds; once saved, files with the same "
                        "header are read this way automatically."),
    "upload.map_header_row": ("表头在第几行（0 = 没有表头行）", "Header row (0 = no header line)"),
    "upload.map_headerless": ("这个文件没有表头行：各列按位置称为 #1、#2……。这种映射不保存：同样列数的另一个文件未必是同样的列。",
                              "This file has no header line: its columns are named by position, #1, #2, …. "
                              "Such a mapping is not saved: another file with as many columns need not hold the "
                              "same ones."),
    "upload.map_report_type": ("报告类型", "Report type"),
    "upload.map_field": ("“{field}”对应的列", "Column for '{field}'"),
    "upload.map_required": ("{label}（必填）", "{label} (required)"),
    "upload.map_one_of": ("{label}（与{others}至少填一项）", "{label} (this or {others} required)"),
    "upload.map_group_identity": ("每行是什么：日期、账户、计划、单元、关键词", "What each row is: date, account, campaign, ad group, keyword"),
    "upload.map_group_metrics": ("数据：展现、点击、消费、转化", "Figures: impressions, clicks, cost, conversions"),
    "upload.map_group_other": ("其他（选填）", "Other (optional)"),
    "upload.map_none": ("（无）", "(none)"),
    "upload.map_save": ("保存此映射，以后自动使用", "Save this mapping for next time"),
    "upload.map_apply": ("按此映射读取", "Read with this mapping"),
    "upload.map_used": ("已按保存的列映射读取 {file}。", "Read {file} with a saved column mapping."),
    "upload.preview": ("文件开头", "Start of the file"),
    "field.date": ("日期", "Date"),
    "field.account": ("账户", "Account"),
    "field.campaign": ("推广计划", "Campaign"),
    "field.ad_group": ("推广单元", "Ad group"),
    "field.keyword": ("关键词", "Keyword"),
    "field.search_term": ("搜索词", "Search term"),
    "field.match_type": ("匹配模式", "Match type"),
    "field.bid": ("出价", "Bid"),
    "field.final_url": ("访问URL", "Final URL"),
    "field.mobile_final_url": ("移动访问URL", "Mobile final URL"),
    "field.impressions": ("展现", "Impressions"),
    "field.clicks": ("点击", "Clicks"),
    "field.cost": ("消费", "Cost"),
    "field.conversions": ("转化", "Conversions"),
    "field.conv_phone": ("电话转化", "Phone conversions"),
    "field.conv_form": ("表单转化", "Form conversions"),
    "field.conv_chat": ("咨询转化", "Chat conversions"),
    "field.currency": ("币种", "Currency"),
}

TEXT.update({
    "nav.keywords": ("关键词分组", "Keywords"),
    "kw.title": ("关键词按业务点与决策阶段分组", "Keywords by business line and decision stage"),
    "kw.caption": ("每个关键词按词义归入业务点和搜索阶段（核心词、电话词、公司词、询价词、咨询词），并标出紧急需求和无效词。"
                   "“依据”一列说明命中了哪些词。",
                   "Each keyword is sorted into a business line and the searcher's stage (core, phone, company, price, "
                   "consult), with urgency and off-target flags. The 'cues' column shows which words decided it."),
    "kw.vertical_generic": ("没有匹配的行业词库：按通用规则分组，业务点取自账户结构（计划、单元名称或关键词共有的中心词），"
                            "可在“词库”里修改。只有对任何服务都无效的词才算无效词；账户自己的计划名称和有转化的关键词里的词不会算无效。",
                            "No built-in trade lexicon fits: keywords are grouped by the generic rules, business lines "
                            "from the account's structure (campaign and ad-group names, or the head words its keywords "
                            "share), editable under Lexicon. Only cues off target for any service count as off target; "
                            "words of the account's own campaign names and converting keywords never do."),
    "kw.vertical_evidence": ("识别依据：{reason}。", "Detected from: {reason}."),
    "kw.vertical": ("行业", "Vertical"),
    "kw.vertical_detected": ("自动识别：{name}", "Detected: {name}"),
    "kw.no_keywords": ("这个账户没有关键词报告。请上传关键词报告（分日或合计均可）。",
                       "This account has no keyword report. Upload one (daily or aggregated)."),
    "kw.filter_stage": ("阶段", "Stage"),
    "kw.filter_line": ("业务点", "Business line"),
    "kw.filter_urgency": ("紧急需求", "Urgency"),
    "kw.filter_off": ("无效词", "Off-target"),
    "kw.all": ("全部", "All"),
    "kw.only": ("只看是", "Only yes"),
    "kw.exclude": ("只看否", "Only no"),
    "kw.table": ("各阶段表现", "Performance by stage"),
    "kw.chart": ("各阶段消费与转化成本", "Spend and cost per conversion by stage"),
    "kw.keywords": ("关键词明细（{n:,} 个）", "Keywords ({n:,})"),
    "kw.tab_stage": ("阶段表现", "Stages"),
    "kw.tab_neg": ("否定关键词", "Negative keywords"),
    "kw.tab_fix": ("结构调整", "Structure fixes"),
    "kw.tab_lex": ("词库", "Lexicon"),
    "kw.neg_caption": ("以下搜索词属于自学、工具、培训招聘或不卖的产品等无效需求，按浪费的消费排序。建议加为否定关键词（有转化的请先核实）。",
                       "These search terms are DIY, tools, training and jobs, or products the business does not sell, "
                       "ranked by the money they cost. Add them as negative keywords (check the ones that converted)."),
    "kw.neg_none": ("搜索词报告中没有发现无效搜索词。", "No off-target search terms in the search-term report."),
    "kw.neg_no_report": ("上传搜索词报告后，这里会列出浪费钱的无效搜索词。", "Upload a search-term report to see the off-target terms that cost money."),
    "kw.neg_download": ("下载否定关键词（CSV）", "Download negative keywords (CSV)"),
    "kw.neg_held": ("{n} 个搜索词含有无效词，但没有列为否定词：它们自己有转化，或否定后会挡住一个有转化的关键词。请人工判断。",
                    "{n} search terms carry off-target words but are not offered as negatives: they converted "
                    "themselves, or negating them would block a keyword that converts. Judge them by hand."),
    "kw.neg_held_converted": ("这个搜索词本身有转化", "the search term itself converted"),
    "kw.neg_held_blocks": ("否定后会挡住有转化的关键词“{keyword}”", "negating it would block the converting keyword “{keyword}”"),
    "kw.neg_total": ("无效搜索词共花费 {cost}，占搜索词消费的 {share}。", "Off-target search terms cost {cost}, {share} of search-term spend."),
    "kw.fix_caption": ("这些关键词的业务点或阶段与所在单元的大多数关键词不同（例如询价词放在了核心词单元），建议移到对应的单元，以便用对应的创意。",
                       "These keywords differ in business line or stage from most of their ad group (e.g. a price word in a "
                       "core-word ad group). Move them so that they get the matching ad copy."),
    "kw.fix_none": ("没有发现放错单元的关键词。", "No keyword sits in the wrong ad group."),
    "kw.lex_caption": ("在这里增删识别用的词，结果会立即更新，并为这个账户保存。词库文件：{file}",
                       "Add or remove cue words here; results update at once and are kept for this account. "
                       "Bundled lexicon: {file}"),
    "kw.lex_language": ("语言", "Language"),
    "kw.lex_group": ("词类", "Cue group"),
    "kw.lex_line": ("业务点：{line}", "Business line: {line}"),
    "kw.lex_current": ("当前的词（点 × 删除）", "Current cues (click × to remove)"),
    "kw.lex_add": ("添加新词（多个用逗号、顿号或换行分隔）",
                   "Add cues (separate with commas or new lines; \"rodent control\" stays one cue)"),
    "kw.lex_new_line": ("新增业务点名称", "New business line"),
    "kw.lex_rename": ("重命名这个业务点（词随之保留）", "Rename this business line (its cues go with it)"),
    "kw.lex_drop": ("删除这个业务点", "Drop this business line"),
    "kw.lex_save": ("保存词库修改", "Save lexicon changes"),
    "kw.lex_saved": ("词库已保存，结果已更新。", "Lexicon saved; results updated."),
    "kw.lex_saved_cues": ("词库已保存，结果已更新：{changes}", "Lexicon saved; results updated: {changes}"),
    "kw.lex_change_added": ("「{group}」新增 {cues}", "added to {group}: {cues}"),
    "kw.lex_change_removed": ("「{group}」删除 {cues}", "removed from {group}: {cues}"),
    "kw.lex_change_renamed": ("业务点「{old}」改名为「{new}」", "business line {old} renamed {new}"),
    "kw.lex_change_dropped": ("删除业务点「{line}」", "business line {line} dropped"),
    "kw.lex_reset": ("恢复默认词库", "Restore the bundled lexicon"),
    "kw.vertical_missing": ("这个账户选用的行业词库 {code} 已不存在，改为自动识别。",
                            "The vertical chosen for this account, {code}, no longer exists; it is detected again."),
    "kw.save_title": ("保存为行业词库", "Save as a vertical"),
    "kw.save_caption": ("把这个账户现在的词库（{base}的词、账户结构得出的业务点和你的修改，中英文两种）存成一个新的行业，"
                        "供同行业的其他客户使用：保存后它出现在行业选项里，并像内置行业一样被自动识别。"
                        "业务点的名称会原样保存，保存前可在上面改好。",
                        "Save this account's lexicon as it is now (the {base} cues, the business lines from the "
                        "account's structure and your edits, Chinese and English) as a new vertical for other clients "
                        "of the same trade: it is then offered among the verticals and detected like the built-in "
                        "ones. Business lines keep their names: edit them above first."),
    "kw.save_code": ("代码（小写英文字母、数字、下划线，如 towing）", "Code (lower-case letters, digits, underscores, e.g. towing)"),
    "kw.save_name_zh": ("中文名称", "Chinese name"),
    "kw.save_name_en": ("英文名称", "English name"),
    "kw.save_overwrite": ("已有同一代码的行业词库时替换它", "Replace a saved vertical of the same code"),
    "kw.save_button": ("保存行业词库", "Save the vertical"),
    "kw.save_done": ("已保存行业词库“{name}”（{code}），现在可在行业选项中选用。",
                     "Saved the vertical “{name}” ({code}); it is now offered among the verticals."),
    "kw.save_exists": ("已有代码为 {code} 的行业词库（{name}），没有保存。要替换它，请勾选“替换”后再保存。",
                       "A saved vertical {code} ({name}) already exists; nothing was saved. To replace it, tick "
                       "“Replace” and save again."),
    "kw.saved_list": ("已保存的行业词库", "Saved verticals"),
    "kw.delete_pick": ("删除行业词库", "Delete a saved vertical"),
    "kw.delete_confirm": ("确认删除（选用它的账户改为自动识别）", "Confirm (accounts that chose it are detected again)"),
    "kw.delete_button": ("删除", "Delete"),
    "kw.deleted": ("已删除行业词库 {code}。", "Deleted the saved vertical {code}."),
    "lex.file_damaged": ("保存的行业词库 {code}（{language}）无法使用：{detail}。它不在行业选项中，请重新保存或删除它。",
                         "The saved vertical {code} ({language}) cannot be used: {detail}. It is not offered among the "
                         "verticals; save it again or delete it."),
    "vert.code_format": ("代码“{code}”不可用：须为 2–32 个小写英文字母、数字或下划线，以字母开头。",
                         "The code “{code}” cannot be used: 2–32 lower-case letters, digits or underscores, starting "
                         "with a letter."),
    "vert.code_builtin": ("“{code}”是内置行业的代码，请换一个。", "“{code}” is a built-in vertical's code; choose another."),
    "vert.name_missing": ("请填写中文名称和英文名称（各不超过 40 个字）。",
                          "Give a Chinese and an English name (40 characters at most each)."),
    "vert.name_builtin": ("名称“{name}”与内置行业重名，请换一个。", "The name “{name}” is a built-in vertical's; choose another."),
    "vert.name_taken": ("名称“{name}”已被行业词库 {other} 使用，请换一个。",
                        "The name “{name}” is taken by the saved vertical {other}; choose another."),
    "vert.not_yours": ("只有保存行业词库 {code} 的人或管理员可以替换或删除它。",
                       "Only whoever saved the vertical {code}, or an admin, may replace or delete it."),
    "col.stage": ("阶段", "Stage"),
    "col.business_line": ("业务点", "Line"),
    "col.vertical_code": ("代码", "Code"),
    "col.base_vertical": ("保存自", "Made from"),
    "col.urgency": ("紧急", "Urgent"),
    "col.off_target": ("无效", "Off-target"),
    "col.cues": ("依据", "Cues"),
    "col.keyword": ("关键词", "Keyword"),
    "col.search_term": ("搜索词", "Search term"),
    "col.ad_group": ("推广单元", "Ad group"),
    "col.ctr": ("点击率", "CTR"),
    "col.cvr_ci": ("转化率 95% 区间", "CVR 95% interval"),
    "col.reason": ("原因", "Reason"),
    "col.action": ("怎么做", "Action"),
    "col.triggered_by": ("触发关键词", "Triggered by"),
    "col.unit_line": ("单元主业务点", "Ad group's line"),
    "col.unit_stage": ("单元主阶段", "Ad group's stage"),
    "col.issue": ("问题", "Issue"),
})

TEXT.update({
    "nav.bundles": ("oCPC 投放包", "oCPC bundles"),
    "nav.bids": ("出价建议", "Bids"),
    "nav.drift": ("成本异常", "Cost drift"),
    "dr.title": ("成本异常监控", "Cost drift"),
    "dr.caption": ("逐日检验账户、业务点、投放包、计划和主要关键词的点击价格、转化率、转化成本和消费：哪里变了、从哪天起、有多确定、为什么。"
                   "按“已多花的钱”排序；百度最后一天转化未到齐，不参与判断。",
                   "Every day of the account, business lines, bundles, campaigns and top keywords is tested for changes "
                   "of CPC, CVR, CPA and spend: what moved, since when, how sure, and why. Ranked by the money at "
                   "stake; Baidu's last day (conversions still arriving) is left out."),
    "dr.settings": ("检验设置", "Test settings"),
    "dr.baseline_days": ("基线天数", "Baseline days"),
    "dr.baseline_help": ("序列开头用于估计星期效应和最少点击数的天数。", "First days of each series used for weekday factors and the click minimum."),
    "dr.min_days": ("变化前至少天数", "Days needed before a change"),
    "dr.min_clicks": ("每侧至少点击", "Clicks needed on each side"),
    "dr.min_clicks_help": ("变化日前、后各至少要有这么多点击才检验（所有指标）。点击价格、转化率都是按点击的平均，少于约 30 次时正态近似不成立。",
                           "Clicks needed before and after a change for it to be tested (every metric). CPC and CVR "
                           "are averages over clicks; below about 30 the normal approximation fails."),
    "dr.min_conversions": ("每侧至少预期转化", "Conversions expected on each side"),
    "dr.min_conversions_help": ("转化率、转化成本：按整段转化率推算，变化前、后各应有至少这么多次转化才检验"
                                "（按预期数而不是实际数：转化突然归零仍会报出）。",
                                "CVR and CPA: conversions expected before and after the change at the series' "
                                "overall conversion rate (expected, not observed: conversions that stop are still flagged)."),
    "dr.alpha": ("错误发现率（FDR）", "False discovery rate"),
    "dr.alpha_help": ("所有序列一起做 Benjamini–Hochberg 校正：标为异常的序列中，误报比例期望不超过该值。",
                      "Benjamini–Hochberg over every series: among flagged series, at most this share is expected to be false."),
    "dr.method": ("检测方式", "Detection"),
    "dr.method_help": ("逐日报警：每天数据到达后检验最近 28 天的每个可能变化日，证据越过门槛的那天报警，误报按下面的预算控制。"
                       "全程扫描：每次重读全部历史，为每个序列找一个最可能的变化日，用错误发现率控制误报。",
                       "Day by day: each day's data is tested against every candidate change day of the last 28 "
                       "days, and a flag is raised the morning the evidence crosses the threshold; false alarms "
                       "are held to the budget below. Whole-history scan: the whole history is re-read each time "
                       "for one most likely change day per series, false alarms held by the false discovery rate."),
    "dr.method_online": ("逐日报警", "Day by day"),
    "dr.method_scan": ("全程扫描", "Whole-history scan"),
    "dr.false_alarms": ("误报预算（每 1,000 个序列周）", "False alarms per 1,000 series-weeks"),
    "dr.false_alarms_help": ("没有变化的序列上平均每 1,000 个序列周允许的误报次数。默认 0.15：一个约 200 个序列的账户，"
                             "30 个账户合计约每周 1 次误报。数值越小误报越少，但真实变化报得越晚。",
                             "False alarms allowed on average per 1,000 weeks of series that do not change. Default "
                             "0.15: with about 200 series an account, about one false alarm a week across 30 "
                             "accounts. Lower means fewer false alarms but later flags for real changes."),
    "dr.levels": ("层级", "Levels"),
    "dr.metrics": ("指标", "Metrics"),
    "dr.tolerance": ("超目标容忍度", "Tolerance over target"),
    "dr.tolerance_help": ("实际转化成本超过目标的这个比例才标记。默认 20%：百度超成本赔付规则（2022-10-11 起，超过目标 1.2 倍）。来源：{source}",
                          "Flag CPA over target by more than this share. Default 20%: Baidu's over-cost rule (over 1.2 × target since 2022-10-11). Source: {source}"),
    "dr.target_days": ("与目标比较的天数", "Days compared with target"),
    "dr.high_days": ("严重：多花 ≥ 几天的消费", "High: money at stake ≥ days of spend"),
    "dr.medium_days": ("中等：多花 ≥ 几天的消费", "Medium: money at stake ≥ days of spend"),
    "dr.rule_set": ("赔付规则", "Compensation rules"),
    "dr.rule_auto": ("按窗口日期自动选择", "By the window's date"),
    "dr.partial": ("最后一天（{day}）转化未到齐，已排除。", "The last day ({day}) is partial (conversions still arriving) and is left out."),
    "dr.tested": ("检验了 {n} 条序列", "{n} series tested"),
    "dr.n_flags": ("异常", "Flags"),
    "dr.n_high": ("严重", "High"),
    "dr.money_plans": ("异常计划已多花", "Money at stake in flagged campaigns"),
    "dr.money_plans_help": ("每个异常计划只按它最大的一项异常计一次；账户、业务点、投放包、关键词层面是同一笔钱的不同视角，不重复相加。",
                            "Each flagged campaign counts once, with its largest flag; account, line, bundle and keyword "
                            "flags are views of the same money and are not added again."),
    "dr.n_learning": ("学习期投放包", "Bundles in learning"),
    "dr.n_learning_help": ("在数据最后一天仍处于学习期的投放包。学习期内的异常不计入异常数，只标为“学习期”（当前 {n} 条）。",
                           "Bundles still learning on the data's last day. Their flags are not counted as flags, "
                           "only marked 'learning' ({n} now)."),
    "dr.flags": ("异常（按已多花的钱排序）", "Flags, by money at stake"),
    "dr.promise": ("每条异常都有足够的依据：变化日前至少 {days} 天、后至少 3 天，前后各至少 {clicks} 次点击；"
                   "转化率、转化成本另需前后各至少 {conversions} 次预期转化（按整段转化率推算）。"
                   "依据不足的序列不报异常，列在页面底部“数据不足”里。",
                   "Every flag rests on enough evidence: at least {days} days before the change and 3 after, "
                   "{clicks} clicks before and after it; CVR and CPA flags also {conversions} conversions expected "
                   "before and after (at the series' overall conversion rate). Thinner series are not flagged but "
                   "listed under “too little data” at the bottom of the page."),
    "dr.promise_online_evidence": ("每条异常都有足够的基线：变化日前至少 {days} 天、{clicks} 次点击；转化率、转化成本另需变化前至少 "
                                   "{conversions} 次预期转化。变化后的天数和点击不设下限：证据越过门槛即报警。依据不足的序列不报异常，"
                                   "列在页面底部“数据不足”里。",
                                   "Every flag rests on enough baseline: at least {days} days and {clicks} clicks before "
                                   "the change; CVR and CPA flags also {conversions} conversions expected before it. "
                                   "There is no minimum after the change: a flag is raised as soon as the evidence "
                                   "crosses the threshold. Thinner series are not flagged but listed under “too little "
                                   "data” at the bottom of the page."),
    "dr.promise_online": ("报警的含义：每天数据到达后检验，证据越过门槛的那天早上报警（“报警日”）。"
                          "没有变化的序列平均每 1,000 个序列周误报 {budget} 次：本账户 {series} 个序列，约每周 {week:.2f} 次；"
                          "30 个账户（规模同本账户）合计约每周 {week30:.1f} 次。真实的变化一旦在数据中看得出来就会很快报警；"
                          "转化少的序列上，转化率的变化要多等几天才看得出。同一计划里和计划同一天、同方向的关键词异常归入计划，算一个事件。",
                          "What a flag promises: each day's data is tested as it arrives, and a flag is raised the "
                          "morning the evidence crosses the threshold (“alarm raised”). Series that do not change "
                          "give {budget} false alarms per 1,000 series-weeks on average: {series} series in this "
                          "account, about {week:.2f} a week; 30 such accounts, about {week30:.1f} a week together. "
                          "A real change is flagged soon after the data can show it at all; on series with few "
                          "conversions a CVR change takes some days more to show. Keyword flags of a plan that "
                          "moved the same way from the same day are folded under the plan: one event, one flag."),
    "dr.folded": ("归入此事件的关键词异常（{n}）", "Keyword flags folded under this event ({n})"),
    "dr.named_by": ("这一变化来自一个关键词：{keyword}", "This change comes from one keyword: {keyword}"),
    "dr.no_flags": ("没有发现显著的成本变化。", "No significant cost change found."),
    "dr.no_flags_untested": ("另有 {n} 个序列数据不足，没有检验（见页面底部）。",
                             " {n} more series had too little data and were not tested (see the bottom of the page)."),
    "dr.nothing_tested": ("数据不足，无法判断成本是否变化：{n} 个序列都没有达到检验所需的最少天数、点击或转化（见页面底部）。"
                          "这不是“一切正常”。",
                          "Too little data to judge whether costs changed: none of the {n} series reached the days, "
                          "clicks or conversions a test needs (see the bottom of the page). This is not an all-clear."),
    "dr.no_daily": ("成本异常需要按日的数据：上传分日的关键词或计划报告（百度：时间单位选“分日”；Google Ads：按“天”细分）。",
                    "Cost drift needs daily rows: upload a keyword or campaign report split by day (Baidu: time unit "
                    "'by day'; Google Ads: segment by Day)."),
    "dr.pick": ("点选一行查看详情。", "Select a row to see its details."),
    "dr.detail": ("详情", "Details"),
    "dr.chart_title": ("{metric}走势", "{metric} trend"),
    "dr.baseline": ("变化前", "Before"),
    "dr.after": ("变化后", "After"),
    "dr.change_day": ("变化日", "Change day"),
    "dr.target": ("目标", "Target"),
    "dr.daily": ("每日", "Daily"),
    "dr.waterfall": ("转化成本变化拆解：点击价格 vs 转化率", "CPA change: CPC part vs CVR part"),
    "dr.waterfall_spend": ("消费变化按来源拆解（实际日均消费；上表的变化前后已按星期几调整）",
                           "Spend change by contributor (actual daily spend; the table's before and after are "
                           "adjusted for the day of the week)"),
    "dr.mix": ("结构（消费在计划/关键词间转移）占 {mix}，各自表现变化占 {rate}。",
               "Mix (spend moving between campaigns/keywords) accounts for {mix}, rate changes inside them for {rate}."),
    "dr.contributors": ("主要来源", "Top contributors"),
    "dr.other": ("其他关键词", "Other keywords"),
    "dr.too_little": ("数据不足、未检验的序列（{n}）", "Series with too little data, not tested ({n})"),
    "dr.targets": ("投放包 vs 目标转化成本", "Bundles against their target CPA"),
    "dr.targets_none": ("上传带“目标转化成本”列的投放包对应表后，这里会比较各包的实际转化成本与目标。",
                        "Upload a bundle map with a target CPA column to compare each bundle with its target."),
    "dr.compensation": ("超成本赔付预估", "Over-cost compensation outlook"),
    "dr.compensation_help": ("规则多次调整，以下按所选规则估算，仅供参考，以平台结算为准。",
                             "The rules have changed several times; this is an estimate by the chosen rule set, not the platform's decision."),
    "dr.compensation_none": ("对应表中没有“学习期开始”日期，无法估算赔付窗口。",
                             "The bundle map has no learning-start dates, so there is no compensation window to assess."),
    "dr.map_source": ("投放包来源：{source}", "Bundles from: {source}"),
    "dr.map_sample": ("示例对应表", "the sample bundle map"),
    "dr.map_names": ("计划名称（如“包1-开锁”）", "campaign names (like 包1-开锁)"),
    "dr.map_none": ("无（上传投放包对应表后可检验投放包和目标）", "none (upload a bundle map to test bundles and targets)"),
    "bd.map_download": ("下载投放包对应表", "Download the bundle map"),
    "bd.adopt": ("采用为本账户的投放包对应表", "Keep as this account's bundle map"),
    "bd.adopt_help": ("在百度营销里按这个方案建好投放包后点这里：“成本异常监控”页就按这些投放包和目标转化成本检验。以后可在下方“现有投放包”重新上传对应表替换。",
                      "Click once the bundles are set up on the platform this way: the Cost drift page then checks "
                      "these bundles and target CPAs. Upload another map under Existing bundles to replace it."),
    "bd.adopt_caption": ("按上面的建议方案（含目标转化成本）生成对应表。", "A bundle map of the proposal above, with its target CPAs."),
    "bd.adopt_caption_edited": ("按你调整后的方案（含目标转化成本）生成对应表。", "A bundle map of your edited assignment, with its target CPAs."),
    "bd.adopted": ("已保存为本账户的投放包对应表。", "Kept as this account's bundle map."),
    "dr.map_proposed": ("“oCPC 投放包建议”页建议的分组（B1、B2…；尚无对应表，所以不检验目标成本）",
                        "the groups proposed on the oCPC bundles page (B1, B2 …; no map yet, so no target is checked)"),
    "dr.download": ("下载异常列表（CSV）", "Download flags (CSV)"),
    "col.level": ("层级", "Level"),
    "col.entity": ("对象", "Entity"),
    "col.metric": ("指标", "Metric"),
    "col.severity": ("严重度", "Severity"),
    "col.status": ("状态", "Status"),
    "col.start": ("变化日", "Since"),
    "col.start_range": ("变化日可能范围", "Change day between"),
    "col.start_range_help": ("数据无法区分的那些天（似然支持区间 1/32）；只有一天表示变化日很确定。",
                             "The days the data cannot tell apart from the change day (1/32 likelihood support "
                             "interval); a single day when the day is clear."),
    "col.alarm": ("报警日", "Alarm raised"),
    "col.alarm_help": ("逐日检验时第一次报出这条异常的那一天（只看到那天为止的数据）。",
                       "The morning this flag was first raised by the day-by-day test (seeing the data up to that day only)."),
    "col.folded": ("归入的关键词", "Folded keywords"),
    "col.folded_help": ("和计划同一天、同方向的关键词异常，已归入这条计划异常，不单列。",
                        "Keyword flags that moved the same way from the same day as this plan: folded under it, not listed apart."),
    "col.before": ("变化前", "Before"),
    "col.after": ("变化后", "After"),
    "col.change": ("变化", "Change"),
    "col.interval": ("95% 区间", "95% CI"),
    "col.money_at_stake": ("已多花", "Money at stake"),
    "col.days_of_spend": ("相当于几天消费", "Days of spend"),
    "col.note": ("说明", "Note"),
    "col.window": ("窗口", "Window"),
    "col.excess_cost": ("超出目标的花费", "Spent above target"),
    "col.threshold": ("标记线", "Flag line"),
    "col.sure": ("区间也超", "Sure"),
    "col.amount": ("预估赔付", "Estimated amount"),
    "col.rules": ("规则", "Rules"),
    "col.reasons": ("原因", "Reasons"),
    "col.contribution": ("贡献（已多花）", "Contribution (money)"),
    "col.money_mix": ("其中结构", "of which mix"),
    "col.money_rate": ("其中表现", "of which rate"),
    "nav.landing": ("落地页", "Landing pages"),
    "nav.changes": ("导出改动", "Export changes"),
    "nav.adcopy": ("创意", "Ad copy"),
    "ac.title": ("创意检查", "Ad copy check"),
    "ac.caption": ("每个单元的创意是否对上它的搜索阶段：电话词要有电话，询价词要有价格，公司词要有信任信息，紧急需求要说多快到；"
                   "不同阶段、不同业务点的创意是否雷同；同一单元几条创意谁更好。",
                   "Whether each unit's ads speak to its searchers' stage: phone words want the number, price words a "
                   "price, company words proof, urgent searches an arrival time; look-alike copy across stages and "
                   "lines; and which of a unit's ads wins."),
    "ac.no_ads": ("这个账户还没有创意数据。请上传百度“创意报告”（含创意标题、创意描述1、创意描述2）或 Google Ads 的“Ad report”。",
                  "This account has no ad copy yet. Upload a Baidu 创意报告 (创意标题, 创意描述1, 创意描述2) or a Google "
                  "Ads “Ad report”."),
    "ac.ads": ("创意", "Ads"),
    "ac.units": ("单元", "Units"),
    "ac.findings": ("问题", "Findings"),
    "ac.lookalike": ("雷同创意", "Look-alike pairs"),
    "ac.findings_table": ("发现的问题", "What we found"),
    "ac.no_findings": ("没有发现问题：每个单元的创意都对上了它的阶段和业务点，也没有雷同创意。",
                       "Nothing found: every unit's ads match its stage and line, and no copy repeats across stages or lines."),
    "ac.units_table": ("各单元（点选一行查看它的创意）", "Units (select a row to see its ads)"),
    "ac.unit_ads": ("这个单元的创意", "This unit's ads"),
    "ac.ctr_chart": ("点击率及 95% 区间", "CTR with 95% intervals"),
    "ac.test_note": ("同一单元的创意之间做卡方检验（p < 0.05 为显著）；某格期望次数不足 5 时只说“数据不足”，不判胜负。",
                     "A unit's ads are compared with a chi-square test (significant at p < 0.05); when an expected count "
                     "is under 5 the verdict is “not enough data”, not a winner."),
    "ac.threshold_note": ("雷同：标题加描述去掉标点后，字符相似度（rapidfuzz ratio）≥ {threshold}/100。",
                          "Look-alike: headline plus descriptions without punctuation, character similarity (rapidfuzz "
                          "ratio) ≥ {threshold}/100."),
    "ac.download": ("下载问题清单（CSV）", "Download the findings (CSV)"),
    "col.finding": ("问题", "Finding"),
    "col.headline": ("标题", "Headline"),
    "col.description": ("描述", "Description"),
    "col.ad_cues": ("创意卖点", "Message cues"),
    "col.urgent": ("紧急需求", "Urgent"),
    "col.ads": ("创意数", "Ads"),
    "col.ctr_test": ("点击率检验", "CTR test"),
    "col.cvr_test": ("转化率检验", "CVR test"),
    "report.build": ("生成 Excel 建议报告", "Build the Excel recommendations"),
    "report.download": ("下载 Excel 报告", "Download the Excel report"),
    "report.help": ("一个工作簿：摘要（先做什么、涉及多少钱）、关键词阶段、否定关键词、投放包、CPC 关键词、拆包、成本异常、落地页。",
                    "One workbook: a summary (what to do first, money at stake), keyword stages, negatives, bundles, "
                    "CPC keywords, splits, cost drift, landing pages."),
    "lp.title": ("落地页监控", "Landing pages"),
    "lp.caption": ("每个落地页的关键词、消费和转化率走势，链接变化、关键词与页面是否对应，以及页面检查：电话按钮是否在首屏、底部是否有拨打栏、信任要素。",
                   "Each landing page's keywords, spend and conversion-rate trend; URL changes; whether keywords match "
                   "their page; and a page check: call button on the first screen, a bottom call bar, trust signals."),
    "lp.settings": ("设置与上一次上传", "Settings and the previous upload"),
    "lp.previous_stored": ("与本工作区之前上传的哪份报告比较链接", "Compare URLs with an earlier upload of this workspace"),
    "lp.previous_none": ("不比较", "none"),
    "lp.previous": ("或上传一份更早下载的关键词报告（可多选）", "Or upload an earlier keyword report (several allowed)"),
    "lp.previous_bad": ("上一次的报告无法读取：{error}", "The previous report could not be read: {error}"),
    "lp.previous_other": ("上一次的报告里没有这个账户的数据。", "The previous report holds no data of this account."),
    "lp.pages": ("落地页", "Pages"),
    "lp.red": ("需立即处理", "Act now"),
    "lp.url_changes": ("链接问题", "URL findings"),
    "lp.mismatched": ("错配关键词", "Mismatched keywords"),
    "lp.drop_money": ("转化率下降已多花", "Money lost to CVR drops"),
    "lp.table": ("落地页一览（红色优先）", "Pages, worst first"),
    "lp.pick": ("点选一行查看该页面详情。", "Select a row to see the page."),
    "lp.no_pages": ("这些报告里没有落地页链接（需要带“访问URL”列的关键词报告）。",
                    "These reports hold no landing URLs (a keyword report with final URLs is needed)."),
    "lp.detail": ("页面详情", "Page details"),
    "lp.findings": ("发现的问题", "What we found"),
    "lp.no_findings": ("没有发现问题。", "Nothing to fix."),
    "lp.changes": ("与上次检查相比", "Since the last audit"),
    "lp.cvr_chart": ("每日转化率", "Daily conversion rate"),
    "lp.keywords_here": ("落到这个页面的其他业务关键词", "Keywords of another line landing here"),
    "lp.keywords_all": ("落到这个页面的全部 {n} 个关键词（按消费排序）", "All {n} keywords landing on this page, by spend"),
    "lp.keywords_moved": ("；上表的关键词数还包括报告期内到过这里、现已指向别的页面的 {n} 个",
                          "; the list above also counts {n} that landed here during the report and now point elsewhere"),
    "lp.keywords_all_help": ("按关键词当前的链接（有移动访问URL时用它）归到页面；消费、点击、转化为报告期内合计。",
                             "Each keyword counts on the page its current URL points to (its mobile URL when it has "
                             "one); spend, clicks and conversions are totals over the report."),
    "lp.lines_checked": ("页面是否提到关键词的业务", "Does the page mention its keywords' lines?"),
    "lp.line_mentioned": ("{line}：{n} 个关键词，占消费 {share}，页面提到了 {words}",
                          "{line}: {n} keywords, {share} of spend; the page mentions {words}"),
    "lp.line_missing": ("{line}：{n} 个关键词，占消费 {share}，页面没有提到",
                        "{line}: {n} keywords, {share} of spend; the page never mentions it"),
    "col.fits": ("页面对口", "Page fits"),
    "lp.audit": ("页面检查", "Page audit"),
    "lp.audit_help": ("逐个打开落地页（手机版），检查电话按钮、底部拨打栏、表单、在线客服、信任要素和页面大小。不会访问内网地址。",
                      "Opens each landing page as a phone would and checks call buttons, the bottom bar, forms, chat, "
                      "trust signals and weight. Private and local addresses are never fetched."),
    "lp.audit_run": ("检查全部落地页", "Audit every page"),
    "lp.audit_progress": ("正在检查 {done}/{total}", "Auditing {done}/{total}"),
    "lp.audit_done": ("已检查 {n} 个页面。", "{n} pages audited."),
    "lp.audit_offline": ("无法检查 {n} 个页面：这台服务器现在连不上互联网（解析不了任何域名，或网络不可达），这些结果没有保存。"
                         "联网后再检查，或在右边上传页面的 HTML。",
                         "Could not check {n} pages: this server cannot reach the internet right now (it resolves no "
                         "name, or the network is unreachable); those results were not kept. Check again once online, "
                         "or upload the page's HTML on the right."),
    "lp.upload_html": ("页面打不开？上传它的 HTML 文件", "Page not reachable? Upload its HTML"),
    "lp.upload_for": ("这个 HTML 属于哪个页面", "Which page is this HTML"),
    "lp.drift": ("链接变化与问题", "URL changes and issues"),
    "lp.drift_none": ("没有发现链接问题。", "No URL issue found."),
    "lp.mismatch": ("关键词与页面业务不一致", "Keywords whose page is about another line"),
    "lp.mismatch_none": ("所有关键词都落在对应业务的页面上。", "Every keyword lands on a page of its own line."),
    "ch.title": ("导出改动", "Export changes"),
    "ch.caption": ("把分析建议的改动（否定关键词、暂停只花钱的关键词、落地页链接修正、出价）做成各平台可直接导入的批量文件。先在表里取消不想做的改动，再下载。",
                   "The changes the analysis proposes — negative keywords, pauses of keywords that only waste money, "
                   "landing-URL fixes, bids — as bulk-edit files each platform imports. Untick what you do not want, "
                   "then download."),
    "ch.target": ("导入到", "Import into"),
    "ch.target_help": ("只提供本账户所属平台的导入格式：别的平台的文件导入后不会修改本账户的对象，而会按名称新增计划和关键词。",
                       "Only the importers of the account's own platform: another platform's file would not edit this "
                       "account's objects but add campaigns and keywords by name."),
    "ch.no_target": ("这个账户的平台没有可导入的批量文件格式。", "The account's platform has no bulk-edit format."),
    "ch.already": ("{n} 条改动已记入改动记录并已生效（最近一次 {day}），不再重复建议，其金额也不再计入。",
                   "{n} changes are in the change log as applied (latest {day}): not proposed again, and their money "
                   "is not counted again."),
    "ch.already_list": ("已做过的改动（{n} 条）", "Changes already made ({n})"),
    "ch.applied_on": ("生效日", "Applied on"),
    "ch.aside": ("暂不写入文件的改动（{n} 条）：先修落地页的关键词的出价、需要手工处理的改动",
                 "Changes not put in the files ({n}): bids of keywords whose page is being fixed, work by hand"),
    "ch.actions": ("改动类型", "Changes"),
    "ch.none": ("没有要做的改动。", "No change to make."),
    "ch.preview": ("改动预览（取消勾选的不会写入文件）", "Preview (unticked changes are left out of the files)"),
    "ch.use": ("写入", "Include"),
    "ch.where": ("计划 / 单元", "Campaign / ad group"),
    "ch.what": ("改什么", "Field"),
    "ch.field_negative": ("否定（{match}）", "Negative ({match})"),
    "ch.match_exact": ("精确", "exact"),
    "ch.match_phrase": ("短语", "phrase"),
    "ch.before": ("改前", "Before"),
    "ch.after": ("改后", "After"),
    "ch.reason": ("原因", "Why"),
    "ch.money": ("预计每月", "Per month (est.)"),
    "ch.money_help": ("预计每月（30 天）节省或多得的金额；链接补全等无法估算的留空。",
                      "Expected money saved or gained per 30 days; blank where it cannot be estimated (a mobile URL added)."),
    "ch.n_ticked": ("勾选的改动", "Changes ticked"),
    "ch.money_total": ("预计每月节省", "Expected saving per month"),
    "ch.gain_total": ("提价预计每月增收", "Expected gain per month from raised bids"),
    "ch.gain_help": ("提价带来的多出转化按目标转化成本计价：这会多花钱，不计入节省。",
                     "The extra conversions of raised bids, valued at the target CPA: this spends more, so it is not "
                     "added to the saving."),
    "ch.unestimated": ("无法估算金额", "Without an estimate"),
    "ch.files": ("下载文件", "Download the files"),
    "ch.readme": ("说明 README.txt", "README.txt"),
    "ch.zip": ("全部文件（zip）", "All files (zip)"),
    "ch.unwritable": ("{n} 条改动无法写入这种格式，见下表与 README（请手工修改）：",
                      "{n} changes cannot be written in this format — see below and the README (make them by hand):"),
    "ch.nothing_ticked": ("没有勾选任何改动。", "No change is ticked."),
    "ch.downloaded": ("已下载 {n} 条写入文件的改动（{time}）。", "{n} changes written in the files downloaded ({time})."),
    "ch.logged": ("这 {n} 条已记入改动记录：之后上传的新数据会显示每条改动的效果。",
                  "These {n} are logged in the change log: exports uploaded later show what each change did."),
    "ch.not_logged": ("另有 {n} 条勾选的改动不在下载的文件里（无法写入这种格式），未记入改动记录。",
                      "{n} more ticked changes are not in the files downloaded (this format cannot hold them) and are "
                      "not logged."),
    "ch.written": ("勾选的 {total} 条改动中，{n} 条写入文件，{unwritable} 条无法写入这种格式。下载时只记录写入文件的改动。",
                   "Of the {total} ticked changes, {n} are written in the files and {unwritable} cannot be written in "
                   "this format. A download logs only the changes written in it."),
    "ch.no_file": ("没有可以写入文件的改动：请按下表手工修改，或下载说明 README.txt。",
                   "No change can be written in a file: make them by hand (see below) or download the README.txt."),
    "col.page": ("落地页", "Page"),
    "col.reasons_short": ("原因", "Why"),
    "col.cvr_trend": ("转化率走势（周）", "CVR by week"),
    "col.drop": ("转化率变化", "CVR change"),
    "col.audited": ("已检查", "Audited"),
    "col.kind": ("类型", "Kind"),
    "col.old": ("原来", "Before"),
    "col.new": ("现在", "Now"),
    "col.date": ("日期", "Date"),
    "col.keyword_line": ("关键词业务", "Keyword's line"),
    "col.page_line": ("页面业务", "Page's line"),
    "col.n_keywords": ("关键词数", "Keywords"),
    "col.example": ("例子", "Example"),
    "nav.changelog": ("改动记录", "Change log"),
    "nav.workspaces": ("工作区", "Workspaces"),
    "nav.share": ("分享与调整记录", "Share & notes"),
    "nav.alerts": ("提醒", "Alerts"),
    "nav.client": ("投放报告", "Ads report"),
    "nav.client_preview": ("客户看板预览", "Client view preview"),
    "nav.signin": ("登录", "Sign in"),
    "nav.group_analysis": ("分析", "Analysis"),
    "nav.group_manage": ("管理", "Manage"),
    "role.admin": ("管理员", "admin"),
    "role.optimizer": ("优化师", "optimizer"),
    "role.analyst": ("分析师（只读）", "analyst (read-only)"),
    "role.read_only": ("你的角色只能查看和下载，不能修改。", "Your role can view and download, not change."),
    "local.banner": ("**本机模式**：还没有任何账号，所以不需要登录，打开这个地址的人都有管理员权限（`make run` 只监听本机）。"
                     "创建第一个管理员后就必须登录：\n\n`python -m optimizer users add 名字 --role admin`",
                     "**Local mode**: no account exists yet, so there is no sign-in and whoever opens this address is an "
                     "admin (`make run` listens on this computer only). Create the first admin and sign-in is required:"
                     "\n\n`python -m optimizer users add NAME --role admin`"),
    "signin.title": ("登录", "Sign in"),
    "signin.caption": ("搜索推广优化台 · 请用管理员给你的账号登录。客户请直接打开优化师发给你的分享链接。",
                       "Search Ads Optimizer · sign in with the account your admin gave you. Clients: open the "
                       "share link your optimizer sent you."),
    "signin.username": ("用户名", "Username"),
    "signin.password": ("密码", "Password"),
    "signin.go": ("登录", "Sign in"),
    "signin.sso": ("用公司账号登录（单点登录）", "Sign in with the company account (SSO)"),
    "signin.wrong": ("用户名或密码不对。", "Wrong username or password."),
    "signin.locked": ("错误次数太多，已暂时锁定，请在 {time} 之后再试（或请管理员解锁）。",
                      "Too many wrong attempts: locked until {time} (or ask an admin to unlock)."),
    "signin.expired": ("登录已过期，请重新登录。", "Your session has ended. Please sign in again."),
    "signin.sso_unknown": ("{email} 还没有本应用的账号，请联系管理员。", "{email} has no account here yet: ask an admin."),
    "signin.as": ("已登录：{name}（{role}）", "Signed in: {name} ({role})"),
    "signin.out": ("退出登录", "Sign out"),
    "signin.refresh_note": ("登录后这个浏览器会记住你（一个只有服务器能读的 cookie）：刷新或新开标签页不用重新登录；"
                            "会话 12 小时后、或闲置 2 小时后过期；“退出登录”会让这个浏览器退出。",
                            "Once signed in, this browser remembers you (a cookie only the server reads): a refresh or a "
                            "new tab stays signed in. Sessions end after 12 hours, or 2 hours unused; Sign out signs "
                            "this browser out."),
    "ws.picker": ("工作区（客户账户）", "Workspace (client account)"),
    "ws.sample_note": ("示例账户：虚构数据，用来熟悉功能。", "Sample account: made-up data to try things out."),
    "ws.sample_tag": ("示例", "sample"),
    "ws.local_user": ("本机用户", "local user"),
    "ws.none": ("还没有可以查看的工作区。", "No workspace you can see yet."),
    "ws.title": ("工作区", "Workspaces"),
    "ws.caption": ("每个客户账户一个工作区：上传的报告、词库修改、投放包决定和分享链接都保存在里面，刷新或重启都不会丢。"
                   "在左侧栏切换工作区。",
                   "One workspace per client account: its uploads, lexicon edits, bundle decisions and share links are "
                   "kept in the database and survive refreshes and restarts. Switch workspaces in the sidebar."),
    "ws.col_name": ("名称", "Name"),
    "ws.col_files": ("文件数", "Files"),
    "ws.col_created": ("创建时间", "Created"),
    "ws.col_current": ("当前", "Current"),
    "ws.pick_hint": ("在左侧栏的“工作区”里切换。", "Switch in the sidebar's workspace box."),
    "ws.create": ("新建工作区", "New workspace"),
    "ws.new_name": ("工作区名称", "Workspace name"),
    "ws.new_name_hint": ("客户名称，例如：北京安心开锁", "the client's name, e.g. Acme Towing"),
    "ws.create_go": ("新建工作区", "Create workspace"),
    "ws.create_failed": ("没能创建：{error}", "Could not create it: {error}"),
    "ws.created": ("已创建工作区「{name}」", "Workspace “{name}” created"),
    "ws.name_taken": ("已经有叫「{asked}」的工作区：文件放进了新工作区「{name}」。可以在“工作区”页删除或改用已有的工作区。",
                      "A workspace called “{asked}” already exists: the files went into a new workspace, “{name}”. "
                      "You can delete it on the Workspaces page and use the existing one."),
    "ws.default_name": ("我的账户 {date}", "My account {date}"),
    "ws.this": ("当前工作区：{name}", "This workspace: {name}"),
    "ws.export": ("导出（原始文件打包成 zip）", "Export (a zip of the original files)"),
    "ws.export_help": ("包含所有上传的原始文件、清单（校验值、上传人、时间）、投放包对应表、词库修改和调整记录。",
                       "Every original file, a manifest (checksums, who, when), bundle maps, lexicon edits and notes."),
    "ws.delete": ("删除这个工作区", "Delete this workspace"),
    "ws.delete_warning": ("会删除「{name}」的所有上传、词库修改、投放包决定、调整记录和分享链接，无法恢复。建议先导出。",
                          "Deletes every upload, lexicon edit, bundle decision, note and share link of “{name}”. "
                          "It cannot be undone: export it first."),
    "ws.delete_type": ("输入工作区的完整名称确认：{name}", "Type the workspace's exact name to confirm: {name}"),
    "ws.delete_go": ("永久删除", "Delete for good"),
    "ws.deleted": ("已删除「{name}」", "“{name}” deleted"),
    "ws.members": ("让其他优化师也能使用", "Give another optimizer access"),
    "ws.member_name": ("对方的用户名", "Their username"),
    "ws.member_add": ("授权", "Grant"),
    "ws.member_added": ("{name} 现在可以使用「{ws}」。", "{name} can now work in “{ws}”."),
    "upload.read_only": ("你在「{name}」里只能查看和下载，不能上传。", "You can view and download in “{name}”, not upload."),
    "upload.sample_new_ws": ("当前是示例账户。上传的文件会放进一个新的工作区（可以在下面起名；不填就用报告里的账户名）。",
                             "This is the sample account. Uploaded files go into a new workspace (name it below; left "
                             "empty, it takes the account name in the report)."),
    "upload.into": ("工作区：{name}", "Workspace: {name}"),
    "upload.workspace": ("工作区「{name}」", "workspace “{name}”"),
    "upload.account_ask": ("**{file}** 没有写明账户（Google Ads 网页下载的报告都不写）。这个工作区里已有同一平台的账户，请选择它属于哪一个，"
                           "以免把两个客户的数据加在一起。",
                           "**{file}** names no account (Google Ads web downloads never do). This workspace already "
                           "holds an account of the same platform: say which account the file belongs to, so that "
                           "two advertisers' data are never added together."),
    "upload.account_pick": ("这个文件属于", "This file belongs to"),
    "upload.account_existing": ("已有账户：{account}（文件里 {share} 的计划与它相同）",
                                "existing account: {account} ({share} of the file's campaigns are its campaigns)"),
    "upload.account_new": ("一个新账户", "a new account"),
    "upload.account_new_name": ("新账户的名称", "Name of the new account"),
    "upload.account_hint": ("建议依据：文件里的计划名称与已有账户相同的比例；一个都不同时默认是新账户。",
                            "Suggested from the share of the file's campaign names that an existing account has; "
                            "with none in common it is a new account by default."),
    "upload.account_go": ("保存这个文件", "Store this file"),
    "upload.account_need_name": ("请给新账户起个名字。", "Give the new account a name."),
    "upload.account_set": ("{file} 记在账户“{account}”下。", "{file} is filed under the account “{account}”."),
    "upload.duplicate": ("{file} 与已上传的 {earlier} 内容完全相同（{who} 于 {when} 上传），已跳过。",
                         "{file} is the same file as {earlier}, already uploaded by {who} at {when}: skipped."),
    "upload.delete": ("删除上传的文件", "Delete uploaded files"),
    "upload.delete_pick": ("要删除的文件", "Files to delete"),
    "upload.delete_pick_hint": ("勾选要删除的文件", "Tick the files to delete"),
    "upload.delete_confirm": ("将从「{name}」删除 {n} 个文件及其数据。", "Deletes {n} file(s) and their rows from “{name}”."),
    "upload.delete_every": ("这是工作区的全部文件：删除后工作区里没有任何数据。", "These are all the workspace's files: it will hold no data at all."),
    "upload.loss_rows": ("数据将减少 {rows} 行：", "{rows} rows of data will go:"),
    "upload.loss_none": ("这些文件的数据在其他文件里都还有：删除后数据不变。", "Every row of these files is also in another file: the data stays the same."),
    "upload.loss_account": ("{account}：少 {rows} 行，消费少 {cost}；{days} 天（共 {total} 天）不再有数据", "{account}: {rows} rows and {cost} of spend go; {days} of its {total} days are left without data"),
    "upload.loss_span": ("（{start} ~ {end}）", " ({start} to {end})"),
    "upload.loss_gone": ("{account}：整个账户将从工作区消失（{rows} 行，{total} 天，消费 {cost}）", "{account}: the whole account leaves the workspace ({rows} rows, {total} days, {cost} of spend)"),
    "upload.loss_gone_nodays": ("{account}：整个账户将从工作区消失（{rows} 行，都没有按天的数据，消费 {cost}）",
                                "{account}: the whole account leaves the workspace ({rows} rows, none of them by day, "
                                "{cost} of spend)"),
    "upload.loss_account_nodays": ("{account}：少 {rows} 行，消费少 {cost}；这些行没有按天的数据",
                                   "{account}: {rows} rows and {cost} of spend go; those rows are not by day"),
    "upload.loss_kept": ("它的{what}会保留，但在重新上传它的数据之前不会显示。", "Its {what} are kept, but not shown until its data is uploaded again."),
    "upload.kept_lexicon": ("词库设置", "lexicon settings"),
    "upload.kept_bundle_map": ("投放包对应表", "bundle map"),
    "upload.kept_audits": ("落地页检查结果", "landing-page audits"),
    "upload.delete_go": ("确认删除", "Delete"),
    "upload.cleared_ws": ("已从「{name}」删除 {n} 个文件。", "Deleted {n} file(s) from “{name}”."),
    "col.uploaded_by": ("上传人", "Uploaded by"),
    "col.uploaded_at": ("上传时间", "Uploaded at"),
    "share.title": ("分享与调整记录", "Share & notes"),
    "share.caption": ("给客户一个只读链接，在手机上就能看自己的账户：花费、线索、每条线索成本和你做的调整。",
                      "Give the client a read-only link to their own account, readable on a phone: spend, leads, "
                      "cost per lead and what you changed."),
    "share.local_warning": ("本机模式下任何能打开这个地址的人都能看到全部数据。把链接发给客户之前，请先创建管理员账号（见左侧栏）。",
                            "In local mode anyone who can open this address sees everything. Create an admin account "
                            "(see the sidebar) before sending links to clients."),
    "share.links": ("分享链接", "Share links"),
    "share.not_allowed": ("你的角色不能分享这个工作区。", "Your role cannot share this workspace."),
    "share.accounts": ("客户能看到的账户", "Accounts the client sees"),
    "share.accounts_pick": ("选择账户", "Choose accounts"),
    "share.accounts_help": ("这个工作区有不止一个账户。客户只会看到这里选中的账户，其它账户的数据不会出现在链接里。",
                            "This workspace holds more than one account. The client sees only the accounts chosen "
                            "here; no other account's data is in the link."),
    "share.accounts_none": ("请至少选择一个客户能看到的账户。", "Choose at least one account the client may see."),
    "share.accounts_all": ("全部账户", "all accounts"),
    "share.label": ("备注", "Label"),
    "share.label_hint": ("例如：给王老板", "e.g. for Mr Wang"),
    "share.expiry": ("有效期", "Expires after"),
    "share.days": ("{n} 天", "{n} days"),
    "share.allow_download": ("允许下载每日数据", "Allow downloading daily totals"),
    "share.show_changes": ("显示我们做了哪些改动、效果如何", "Show what we changed and what it did"),
    "share.show_changes_help": ("客户看板多出一节：所选时间里从本产品下载并记录的改动，以及之后的数字变化（有区间；看不出效果时就说看不出）。",
                                "The client view gets a section: the changes downloaded from this product and logged "
                                "in the period shown, and how the figures moved after them (with a range; 'no clear "
                                "effect yet' when that is all that can be said)."),
    "share.allow_help": ("客户可以下载每日花费、线索的 CSV；原始报告文件永远不会给客户。",
                         "The client can download a CSV of daily spend and leads; raw reports are never shared."),
    "share.create": ("生成链接", "Create link"),
    "share.created": ("链接已生成。请现在复制发给客户：它只显示这一次。", "Link created. Copy it now: it is shown only once."),
    "share.once": ("数据库里只保存链接的哈希值，之后无法再看到完整链接；丢了就撤销再生成一个。",
                   "Only a hash of it is stored: it cannot be shown again. If it is lost, revoke it and make another."),
    "share.loopback": ("这个地址（{host}）是本机：链接只能在这台电脑上打开，客户打不开。请设置环境变量 "
                       "OPTIMIZER_PUBLIC_URL 为客户能访问的应用地址（如 https://ads.example.com），重启应用后再生成链接；"
                       "或者从客户能访问的地址打开本页。",
                       "This address ({host}) is this computer: the link opens only here, a client cannot open it. "
                       "Set the environment variable OPTIMIZER_PUBLIC_URL to the address clients reach the app at "
                       "(e.g. https://ads.example.com), restart the app and make the link again; or open this page "
                       "at an address clients can reach."),
    "share.bad_public_url": ("环境变量 OPTIMIZER_PUBLIC_URL 的值“{value}”不是网址（应以 https:// 或 http:// 开头），"
                             "链接改用了本页的地址。",
                             "OPTIMIZER_PUBLIC_URL is set to '{value}', which is no web address (it should start "
                             "with https:// or http://): the link uses this page's address instead."),
    "share.copied": ("已复制，关闭", "Copied, close"),
    "share.state": ("状态", "State"),
    "share.state_active": ("有效", "active"),
    "share.state_expired": ("已过期", "expired"),
    "share.state_revoked": ("已撤销", "revoked"),
    "share.created_at": ("创建", "Created"),
    "share.expires_at": ("到期", "Expires"),
    "share.last_opened": ("最近打开", "Last opened"),
    "share.never": ("还没打开过", "never"),
    "share.revoke_pick": ("撤销哪个链接", "Link to revoke"),
    "share.revoke": ("撤销", "Revoke"),
    "share.revoked": ("已撤销，链接立即失效。", "Revoked: the link stops working now."),
    "share.none": ("还没有分享链接。", "No share links yet."),
    "share.refused_unknown": ("这个链接无效。请向你的优化师要一个新链接。", "This link is not valid. Ask your optimizer for a new one."),
    "share.refused_expired": ("这个链接已过期。请向你的优化师要一个新链接。", "This link has expired. Ask your optimizer for a new one."),
    "share.refused_revoked": ("这个链接已被撤销。请向你的优化师要一个新链接。",
                              "This link was revoked. Ask your optimizer for a new one."),
    "share.rate_limited": ("尝试次数太多，请在 {time} 之后再试。", "Too many attempts: try again after {time}."),
    "changes.title": ("改动记录", "Change log"),
    "changes.caption": ("从“导出改动”页下载的改动记在这里，下载那天算作生效日（可以改）。之后上传的报告会拿改动前后同样的星期几比较，"
                        "告诉你改动有没有用，并给出 95% 区间。",
                        "Changes downloaded on the Export changes page are logged here, the download day taken as "
                        "the day they were applied (you can correct it). Later uploads compare the same weekdays "
                        "before and after each change and say whether it helped, with a 95 % interval."),
    "changes.none": ("这个账户还没有记录的改动。在“导出改动”页下载改动文件时会自动记录。",
                     "No changes logged for this account yet. Downloading a file on the Export changes page logs them."),
    "changes.filter": ("改动类型", "Action"),
    "changes.summary": ("按天汇总", "By day"),
    "changes.detail": ("每一项改动", "Each change"),
    "changes.data_to": ("比较用到 {end} 的数据；改动后不足 {days} 天的还看不出效果。",
                        "Compared with the data up to {end}; a change with fewer than {days} days of data after it is too early to judge."),
    "changes.pick": ("看哪一项改动", "Change to look at"),
    "changes.chart_help": ("竖线是生效日（不参与比较）；实心点是参与比较的日子（前后同样的星期几），空心点没有参与。",
                           "The vertical line is the applied day (left out); filled dots are the days compared (the "
                           "same weekdays on each side), hollow ones are not."),
    "changes.applied_edit": ("实际生效日", "Applied on"),
    "changes.applied_save": ("保存生效日", "Save the applied day"),
    "changes.applied_saved": ("生效日已更新，效果已重新计算。", "Applied day saved; the effects were computed again."),
    "changes.delete": ("删除这条记录", "Remove this entry"),
    "changes.deleted": ("已删除。", "Removed."),
    "changes.delete_help": ("下载了但没有导入广告平台的改动可以删掉，免得算错效果。",
                            "Remove a change that was downloaded but never imported, so it is not judged."),
    "changes.read_only": ("你的角色只能查看改动记录。", "Your role can only view the change log."),
    "changes.stats_help": ("与改动前同样的星期几相比（前后各最多 4 周，生效日不算）；区间是 95% 区间，用的是成本异常的同一套统计。"
                           "区间整体在好的一边才算“有效”，整体在坏的一边算“变差”；暂停和屏蔽还要看计划的线索有没有因此减少。",
                           "The same weekdays before and after (up to 4 weeks each side, the applied day left out); "
                           "the interval is a 95 % interval from the Cost drift statistics. 'Helped' when it lies "
                           "wholly on the good side, 'hurt' when wholly on the bad side; a pause or a negative also "
                           "hurt when its plan lost conversions or got dearer."),
    "changes.col_applied": ("生效日", "Applied"),
    "changes.col_action": ("改动", "Action"),
    "changes.col_object": ("对象", "Object"),
    "changes.col_change": ("改了什么", "Change"),
    "changes.col_metric": ("看的指标", "Metric"),
    "changes.col_before": ("改动前", "Before"),
    "changes.col_after": ("改动后", "After"),
    "changes.col_effect": ("变化（95% 区间）", "Change (95 % interval)"),
    "changes.col_verdict": ("效果", "Verdict"),
    "changes.col_money": ("每 30 天省下", "Saved per 30 days"),
    "changes.col_also": ("另看", "Also"),
    "changes.col_days": ("比较天数（前/后）", "Days compared (before/after)"),
    "changes.col_by": ("下载人", "Downloaded by"),
    "changes.col_reason": ("原因", "Why"),
    "changes.verdict.helped": ("有效", "Helped"),
    "changes.verdict.hurt": ("变差", "Hurt"),
    "changes.verdict.no_clear_effect": ("还看不出效果", "No clear effect yet"),
    "changes.verdict.confounded": ("分不清效果", "Mixed with another change"),
    "changes.verdict.too_early": ("还太早", "Too early"),
    "changes.verdict.no_data": ("没有数据", "No data"),
    "changes.action.negative": ("否定关键词", "Negative keyword"),
    "changes.action.bid": ("出价", "Bid"),
    "changes.action.pause": ("暂停", "Pause"),
    "changes.action.url": ("落地页地址", "Landing URL"),
    "changes.metric.cpa": ("每次转化成本", "cost per conversion"),
    "changes.metric.cpc": ("点击价格", "cost per click"),
    "changes.metric.cvr": ("转化率", "conversion rate"),
    "changes.metric.cost": ("每天花费", "spend per day"),
    "changes.metric.cost_negative": ("这些搜索词每天的花费", "these search terms' spend per day"),
    "changes.metric.cost_pause": ("这些关键词每天的花费", "these keywords' spend per day"),
    "changes.metric.conversions": ("每天转化", "conversions per day"),
    "changes.what.bid_lower": ("降低了 {n} 个关键词的出价", "lowered the bid of {n} keyword(s)"),
    "changes.what.bid_raise": ("提高了 {n} 个关键词的出价", "raised the bid of {n} keyword(s)"),
    "changes.what.bid_": ("调整了 {n} 个关键词的出价", "changed the bid of {n} keyword(s)"),
    "changes.what.pause_": ("暂停了 {n} 个只花钱、很少带来线索的关键词",
                            "paused {n} keyword(s) that spent without bringing leads"),
    "changes.what.negative_": ("屏蔽了 {n} 个无关的搜索词", "blocked {n} unrelated search term(s)"),
    "changes.what.url_": ("修正了 {n} 个落地页地址", "fixed {n} landing-page address(es)"),
    "changes.moved": ("之后{metric}{dir} {pct}（区间 {lo} ~ {hi}）", "afterwards {metric} {dir} {pct} (range {lo} to {hi})"),
    "changes.moved_zero": ("之后{metric}降到 0", "afterwards {metric} fell to zero"),
    "changes.up": ("上升", "rose"),
    "changes.down": ("下降", "fell"),
    "changes.unclear": ("还看不出效果（{metric}变化 {pct}，区间 {lo} ~ {hi}，包含“没有变化”）",
                        "no clear effect yet ({metric} {pct}, range {lo} to {hi}, which includes no change)"),
    "changes.unclear_thin": ("还看不出效果（数据还太少）", "no clear effect yet (too little data so far)"),
    "changes.too_early": ("还看不出效果（改动后的数据还不到 {days} 天）", "too early to tell (under {days} days of data since)"),
    "changes.no_data": ("没有这些对象的数据，无法判断", "no data on these to judge by"),
    "changes.confounded": ("同期还做了{other}，两项改动的效果混在一起，分不清是哪一项起的作用",
                           "{other} changed in the same weeks, so the two effects are mixed and neither can be credited"),
    "changes.with.bid": ("同一关键词的出价调整", "the same keyword's bid"),
    "changes.with.url": ("同一关键词的落地页修正", "the same keyword's landing URL"),
    "changes.with.pause": ("同一关键词的暂停", "the same keyword's pause"),
    "changes.with.negative": ("所在计划对它带来的搜索词的否定", "a plan negative of a search term it brought"),
    "changes.hurt_guard": ("之后{metric}{dir} {pct}，但所在计划的线索减少或变贵了", "afterwards {metric} {dir} {pct}, but its campaign lost leads or got dearer"),
    "notes.title": ("调整记录（客户可见）", "Change notes (the client sees them)"),
    "notes.caption": ("写下你改了什么、为什么改，客户在看板上按日期看到。", "Write what you changed and why; the client sees them by date."),
    "notes.date": ("日期", "Date"),
    "notes.text": ("改了什么、为什么", "What changed and why"),
    "notes.hint": ("例如：暂停了“开锁多少钱”等询价词，它们花钱多但很少来电。",
                   "e.g. Paused price-question keywords: they spent a lot and brought few calls."),
    "notes.account": ("这条记录是关于哪个账户的", "Which account this note is about"),
    "notes.account_pick": ("选择账户", "Choose an account"),
    "notes.account_all": ("全部账户（只在不限账户的链接里显示）", "All accounts (shown only in links to every account)"),
    "notes.account_help": ("限定了账户的分享链接只显示关于这些账户的记录，客户看不到关于别的账户的记录。",
                           "A link limited to some accounts shows only the notes about them: a client never sees "
                           "the notes about another account."),
    "notes.account_none": ("请选择这条记录是关于哪个账户的。", "Choose which account this note is about."),
    "notes.about_all": ("全部账户", "all accounts"),
    "notes.add": ("添加记录", "Add note"),
    "notes.added": ("已添加。", "Added."),
    "notes.delete": ("删除", "Delete"),
    "alerts.title": ("提醒", "Alerts"),
    "alerts.caption": ("把每日待办摘要和需要立即处理的问题（严重的成本异常、落地页红灯）发到你常用的地方：邮箱、企业微信群、钉钉群、"
                       "飞书群，或任何接收 JSON 的地址。同一件事只发一次；发送失败会重试，并显示在下面的记录里。",
                       "Send the daily to-do digest and what needs you now (high-severity cost drift, red landing "
                       "pages) where you already are: e-mail, a WeCom, DingTalk or Feishu group, or any JSON "
                       "receiver. Each event goes out once; a failed send is retried and shown in the log below."),
    "alerts.how_sent": ("定时刷新（`python -m optimizer refresh`）重新计算后会发送；也可以用 cron 运行 "
                        "`python -m optimizer alerts send`。",
                        "Sent by the scheduled refresh (`python -m optimizer refresh`) after it recomputes, or by "
                        "cron with `python -m optimizer alerts send`."),
    "alerts.channels": ("渠道", "Channels"),
    "alerts.none": ("还没有渠道。在下面添加一个。", "No channel yet. Add one below."),
    "alerts.col_name": ("名称", "Name"),
    "alerts.col_kind": ("类型", "Kind"),
    "alerts.col_target": ("发往", "Sends to"),
    "alerts.col_secret": ("网址 / 密码（已隐藏）", "URL / password (hidden)"),
    "alerts.col_enabled": ("启用", "On"),
    "alerts.kind.email": ("邮件", "E-mail"),
    "alerts.kind.wecom": ("企业微信群机器人", "WeCom group robot"),
    "alerts.kind.dingtalk": ("钉钉群机器人", "DingTalk group robot"),
    "alerts.kind.feishu": ("飞书群机器人", "Feishu/Lark group bot"),
    "alerts.kind.webhook": ("通用 Webhook（JSON）", "Generic webhook (JSON)"),
    "alerts.add": ("添加渠道", "Add a channel"),
    "alerts.kind": ("类型", "Kind"),
    "alerts.name": ("名称", "Name"),
    "alerts.name_hint": ("例如：运营群", "e.g. Ops group"),
    "alerts.url": ("Webhook 地址", "Webhook URL"),
    "alerts.url_help": ("在群设置 → 群机器人 → 添加机器人后复制。地址里的 key / access_token 就是密码：保存后只显示最后 4 个字符。",
                        "Copied from the group's settings → robots → add a robot. Its key / access token is a "
                        "password: once saved, only its last 4 characters are shown."),
    "alerts.secret": ("签名密钥（可选）", "Signing secret (optional)"),
    "alerts.secret_help": ("钉钉的“加签”、飞书的“签名校验”密钥（SEC 开头的那串）；通用 Webhook 用它在 X-Optimizer-Signature "
                           "头里签名。",
                           "DingTalk's 加签 or Feishu's signature-check secret; for the generic webhook, the key of "
                           "the X-Optimizer-Signature header."),
    "alerts.clear_secret": ("去掉签名密钥", "Remove the signing secret"),
    "alerts.keep_secret": ("已保存 {hint}，留空则保持不变", "Saved as {hint}; leave empty to keep it"),
    "alerts.smtp_host": ("SMTP 服务器", "SMTP server"),
    "alerts.smtp_port": ("端口", "Port"),
    "alerts.smtp_security": ("加密方式", "Encryption"),
    "alerts.security.starttls": ("STARTTLS（通常端口 587）", "STARTTLS (usually port 587)"),
    "alerts.security.ssl": ("SSL/TLS（通常端口 465）", "SSL/TLS (usually port 465)"),
    "alerts.security.none": ("不加密（仅限内部中继）", "None (internal relays only)"),
    "alerts.smtp_user": ("用户名（可选）", "User (optional)"),
    "alerts.smtp_password": ("密码或授权码", "Password or app password"),
    "alerts.smtp_from": ("发件人", "From"),
    "alerts.smtp_to": ("收件人", "To"),
    "alerts.smtp_to_help": ("多个地址用逗号分隔。", "Separate several addresses with commas."),
    "alerts.save": ("保存", "Save"),
    "alerts.added": ("已添加渠道「{name}」。", "Channel “{name}” added."),
    "alerts.saved": ("已保存。", "Saved."),
    "alerts.edit": ("修改、测试或删除渠道", "Edit, test or remove a channel"),
    "alerts.pick": ("渠道", "Channel"),
    "alerts.enabled": ("启用", "On"),
    "alerts.test": ("发送测试消息", "Send a test message"),
    "alerts.test_ok": ("测试消息已发送到「{name}」。", "Test message sent to “{name}”."),
    "alerts.test_failed": ("测试消息没有发出去：{error}", "The test message was not sent: {error}"),
    "alerts.delete": ("删除这个渠道", "Remove this channel"),
    "alerts.deleted": ("已删除「{name}」。", "“{name}” removed."),
    "alerts.secret_unreadable": ("读不出这个渠道保存的网址或密码（密钥已更换或丢失）：请重新填写后保存。",
                                 "This channel's saved URL or password cannot be read (the key was changed or lost): "
                                 "type them again and save."),
    "alerts.prefs": ("什么时候提醒", "When to alert"),
    "alerts.digest_on": ("每天发送待办摘要", "Send the daily to-do digest"),
    "alerts.digest_time": ("摘要时间", "Digest time"),
    "alerts.timezone": ("时区", "Time zone"),
    "alerts.immediate": ("立即提醒", "Alert at once for"),
    "alerts.immediate_help": ("选中的级别一出现就发，不等每日摘要。", "Events of these levels are sent as soon as they "
                              "are found, without waiting for the digest."),
    "alerts.sev.red": ("落地页红灯", "Red landing pages"),
    "alerts.lang": ("消息语言", "Message language"),
    "alerts.prefs_saved": ("提醒设置已保存。", "Alert settings saved."),
    "alerts.log": ("最近的发送记录", "Recent sends"),
    "alerts.log_none": ("还没有发送过。", "Nothing sent yet."),
    "alerts.failed_note": ("{n} 条发送失败：下次运行时会自动重试。", "{n} failed to send: the next run retries them."),
    "alerts.col_time": ("时间", "Time"),
    "alerts.col_channel": ("渠道", "Channel"),
    "alerts.col_type": ("内容", "What"),
    "alerts.col_subject": ("事件", "Event"),
    "alerts.col_status": ("状态", "Status"),
    "alerts.col_attempts": ("尝试次数", "Tries"),
    "alerts.col_error": ("原因", "Why"),
    "alerts.type.digest": ("每日摘要", "Daily digest"),
    "alerts.type.alert": ("立即提醒", "Alert"),
    "alerts.type.test": ("测试消息", "Test"),
    "alerts.status.sent": ("✅ 已发送", "✅ Sent"),
    "alerts.status.failed": ("❌ 失败（会重试）", "❌ Failed (will retry)"),
    "alerts.status.pending": ("⏳ 发送中", "⏳ Sending"),
    "alerts.msg.digest_title": ("今日待办 · {day}", "Today's to-do · {day}"),
    "alerts.msg.digest_head": ("涉及金额最多的 {n} 个账户（共 {total} 个）：", "The {n} accounts with the most money at "
                               "stake (of {total}):"),
    "alerts.msg.at_stake": ("涉及金额 {money}", "{money} at stake"),
    "alerts.msg.fresh": ("数据截至 {day}（{n} 天前）", "data to {day} ({n} days old)"),
    "alerts.msg.spend": ("消费 {money}", "spend {money}"),
    "alerts.msg.cpa": ("转化成本 {money}", "CPA {money}"),
    "alerts.msg.vs_prev": ("（较上期 {change}）", " ({change} vs previous)"),
    "alerts.msg.vs_target": ("，目标 {money}", ", target {money}"),
    "alerts.msg.drift_events": ("成本异常 {n} 个", "{n} cost drift(s)"),
    "alerts.msg.bundles_over_target": ("超目标投放包 {n} 个", "{n} bundle(s) over target"),
    "alerts.msg.red_pages": ("落地页红灯 {n} 个", "{n} red landing page(s)"),
    "alerts.msg.compensation_at_risk": ("赔付有风险 {money}", "{money} of compensation at risk"),
    "alerts.msg.page_red": ("落地页需要立即处理：{url}（{reasons}）", "Landing page to fix now: {url} ({reasons})"),
    "alerts.msg.alert_title": ("需要立即处理：{n} 件", "To act on now: {n}"),
    "alerts.msg.more": ("还有 {n} 件，请打开搜索推广优化台查看。", "{n} more: open the Search Ads Optimizer."),
    "alerts.msg.footer": ("—— 搜索推广优化台", "— Search Ads Optimizer"),
    "alerts.msg.test_title": ("测试消息", "Test message"),
    "alerts.msg.test_body": ("这个渠道能收到搜索推广优化台的提醒。", "This channel receives the Search Ads Optimizer's alerts."),
    "client.closed_title": ("无法打开这个看板", "This dashboard cannot be opened"),
    "client.closed_help": ("链接由你的优化师提供，有有效期，也可以随时被撤销。", "Links come from your optimizer; they expire and can be revoked."),
    "client.preview_note": ("这是客户打开分享链接时看到的页面（预览）。", "This is what a client sees through a share link (preview)."),
    "client.preview_as": ("按哪个链接预览", "Preview as"),
    "client.preview_whole": ("不限账户的链接（整个工作区）", "A link to every account (the whole workspace)"),
    "client.preview_help": ("限定了账户的链接只显示这些账户的数据和关于它们的调整记录，标题是账户名，不是工作区名。",
                            "A link limited to some accounts shows only their data and the notes about them, under "
                            "the accounts' names, never the workspace's."),
    "client.subtitle": ("搜索推广投放报告 · 只读", "Search ads report · read-only"),
    "client.no_data": ("还没有数据。", "No data yet."),
    "client.account": ("账户", "Account"),
    "client.period": ("时间", "Period"),
    "client.period_7": ("最近 7 天", "Last 7 days"),
    "client.period_30": ("最近 30 天", "Last 30 days"),
    "client.period_all": ("全部", "All"),
    "client.range": ("{start} 至 {end}", "{start} to {end}"),
    "client.stale": ("数据只到 {end}，是 {days} 天前的：最近的投放情况还没有更新到这里。",
                     "The data ends on {end}, {days} days ago: recent days are not in it yet."),
    "client.spend": ("花费", "Spend"),
    "client.leads": ("线索", "Leads"),
    "client.cpl": ("每条线索成本", "Cost per lead"),
    "client.trend": ("每天花了多少、每条线索多少钱", "Daily spend and cost per lead"),
    "client.trend_help": ("蓝色柱子是每天的花费，红线是每条线索的成本（越低越好）。",
                          "Blue bars: spend per day. Red line: cost per lead (lower is better)."),
    "client.partial": ("{day} 的线索可能还没统计完。", "Leads of {day} may still be coming in."),
    "client.weeks": ("按周", "By week"),
    "client.cpl_left_out": ("每条线索成本没有算 {day}：这一天的线索还没统计完。",
                            "Cost per lead leaves {day} out: its leads are still coming in."),
    "client.week_to_date": ("{start} 起（已有 {days} 天）", "{start} · {days}/7 days in the data"),
    "client.week_short": ("{start} 起（仅 {days} 天）", "{start} · only {days}/7 days"),
    "client.week_incomplete": ("{day} 的线索可能还没统计完，这一周的每条线索成本没有算这一天。",
                               "Leads of {day} may still be coming in; this week's cost per lead leaves that day out."),
    "client.compare_days": ("最近一周的前 {days} 天，对比上周同样的 {days} 天",
                            "The latest week's first {days} days vs the same days a week earlier"),
    "client.compare_week": ("最近一整周，对比前一周", "The latest full week vs the week before"),
    "client.compare_change": ("变化", "Change"),
    "client.compare_left_out": ("{day} 的线索还没统计完，没有算进对比。",
                                "{day} is left out: its leads are still coming in."),
    "client.week": ("周（起）", "Week of"),
    "client.changes": ("本月我们做了哪些改动，效果如何", "What we changed this month and what it did"),
    "client.changes_period": ("所选时间里（{start} 至 {end}）做的改动，与改动前同样的星期几相比。",
                              "Changes made in the period shown ({start} to {end}), compared with the same weekdays "
                              "before them."),
    "client.no_changes": ("这段时间没有记录的改动。", "No changes logged in this period."),
    "client.notes": ("优化师做了哪些调整、为什么", "What your optimizer changed and why"),
    "client.no_notes": ("还没有调整记录。", "No notes yet."),
    "client.csv_date": ("日期", "date"),
    "client.download": ("下载每日数据（CSV）", "Download daily totals (CSV)"),
    "client.footer": ("只读页面 · 链接有效期至 {date}", "Read-only page · link valid until {date}"),
    "bd.title": ("oCPC 投放包建议", "oCPC bundle proposal"),
    "bd.caption": ("把转化成本、转化率相近且同一业务点的计划绑成一个包，成本才会收敛。小计划的转化率会向同业务点收缩（经验贝叶斯），"
                   "避免“运气好的一周”把它放错包。", "Campaigns of one business line with similar cost per conversion and "
                   "conversion rate are bound together so cost converges. Small campaigns' conversion rates are shrunk "
                   "toward their line's (empirical Bayes), so a lucky week does not put them in the wrong bundle."),
    "bd.window": ("统计天数", "Window (days)"),
    "bd.min_conv": ("每包最少转化数", "Min. conversions per bundle"),
    "bd.min_conv_help": ("官方未给出具体数字；业内常说窗口内 30 次（默认）、总计 20 次、或连续 3 天每天 10/30 次。下表逐包显示各口径是否达标。",
                         "The official rule names no number; practitioners quote 30 in the window (default), 20 in "
                         "total, or 10 / 30 a day for 3 days. The table shows each reading per bundle."),
    "bd.cpa_ratio": ("包内转化成本最大/最小", "Max/min CPA in a bundle"),
    "bd.cvr_ratio": ("包内转化率最大/最小", "Max/min CVR in a bundle"),
    "bd.max_target": ("可接受的最高转化成本（0 = 不限）", "Maximum acceptable CPA (0 = none)"),
    "bd.proposal": ("建议的投放包", "Proposed bundles"),
    "bd.chart": ("各计划的转化率与转化成本（颜色 = 建议的包，大小 = 转化数）", "Campaigns by CVR and CPA (colour = proposed bundle, size = conversions)"),
    "bd.whatif": ("调整方案：把计划移到别的包，看包的数字如何变化", "What if: move a campaign to another bundle and see the figures change"),
    "bd.whatif_result": ("调整后的投放包", "Bundles after your changes"),
    "bd.plans": ("计划明细（转化率已收缩，区间为 90%）", "Campaigns (shrunk CVR; 90% intervals)"),
    "bd.cpc": ("建议单独用 CPC 抢排名的关键词", "Keywords to keep on manual CPC"),
    "bd.cpc_none": ("没有需要单独出价的关键词。", "No keyword needs its own CPC campaign."),
    "bd.existing": ("现有投放包：建议拆包的计划", "Existing bundles: campaigns to split off"),
    "bd.existing_window": ("以下按最近 {days} 天（“统计天数”）合计，用来决定包怎么拆。某个包眼下是否超目标、是否还在学习期，"
                           "以“成本异常”页为准：那里按与目标比较的天数计算，并识别学习期。",
                           "Summed over the last {days} days (the window above), to decide how bundles split. Whether a "
                           "bundle is over its target right now, or still learning, is on the Cost drift page: it uses "
                           "the days compared with target and knows the learning period."),
    "bd.existing_none": ("没有从计划名称（如“包1-开锁”）中识别到现有投放包。可以上传对应表（列：推广计划, 投放包, 目标转化成本）。",
                         "No existing bundle found in campaign names (like '包1-开锁'). Upload a mapping (columns: campaign, "
                         "bundle, target_cpa)."),
    "bd.map_upload": ("现有投放包对应表（CSV）", "Current bundles (CSV)"),
    "bd.map_help": ("列：推广计划、投放包（必填），目标转化成本、学习期开始、目标修改次数、定向修改次数、转化类型变更（选填）。",
                    "Columns: campaign, bundle (required); target_cpa, learning_start, target_changes, "
                    "targeting_changes, conversion_type_changed (optional). Chinese headers work too."),
    "bd.no_daily": ("需要按日的计划或关键词报告才能建议投放包。", "Bundles need a daily campaign or keyword report."),
    "bd.map_unknown": ("对应表中这些计划在当前数据里找不到（名称是否一致？）：{plans}",
                       "These campaigns of the mapping are not in the loaded data (same names?): {plans}"),
    "bid.title": ("出价建议", "Bid recommendations"),
    "bid.caption": ("手动出价（CPC）的关键词：不在投放包里的计划的全部关键词，以及投放包页面建议单独出价抢排名的关键词。"
                    "出价 = 目标转化成本 × 收缩后的转化率（向所在单元和业务点收缩），每次最多调整设定的步长，不超出平台出价范围。"
                    "点击太少的关键词保持原价。",
                    "Keywords on manual CPC: every keyword of a campaign in no bundle, and the keywords the oCPC bundles "
                    "page keeps on CPC to fight for rank. Bid = target CPA × the conversion rate shrunk toward its ad "
                    "group and line, moved at most one step at a time and inside the platform's bid limits. Keywords "
                    "with too few clicks keep their bid."),
    "bid.no_daily": ("需要按日的关键词报告才能建议出价。", "Bid recommendations need a daily keyword report."),
    "bid.no_map": ("没有投放包对应表，计划名称里也没有投放包：所有计划的关键词都按手动出价处理。在“oCPC 投放包”页上传对应表后，只建议不在包里的计划。",
                   "No bundle map and no bundles in the campaign names: every campaign's keywords are taken as manual "
                   "CPC. Upload the map on the oCPC bundles page to limit this to campaigns outside bundles."),
    "bid.none": ("没有手动出价的关键词。", "No keyword is on manual CPC."),
    "bid.raise": ("提价", "Raise"),
    "bid.lower": ("降价", "Lower"),
    "bid.keep": ("保持", "Keep"),
    "bid.saving": ("预计每 30 天少花", "Expected saving / 30 days"),
    "bid.saving_help": ("降价的关键词这一步少花的超出目标部分：假设点击量不变；实付点击价格只有高于新出价时才降到新出价"
                        "（低于新出价时由其他出价者决定，不计节省）。",
                        "What this step of the lowered keywords removes from their cost above target: clicks "
                        "unchanged; the CPC paid comes down to the new bid only when it is above it (below the bid, "
                        "the other bidders set it: no saving counted)."),
    "bid.above_target": ("降价词现在每 30 天超出目标", "Lowered keywords above target now / 30 days"),
    "bid.above_target_help": ("降价的关键词现在的花费比“转化数 × 目标转化成本”多出的部分，不是这一步能省下的钱："
                              "出价要分几步降到可出价，实付价格低于出价时这一步还不省钱。超出最多的：{worst}。",
                              "What the lowered keywords spend now beyond their conversions × the target CPA — not what "
                              "this step saves: the bids come down to the target bid in several steps, and while the "
                              "CPC paid is below the bid a step saves nothing yet. Most above target: {worst}."),
    "bid.gain": ("提价预计每 30 天增收", "Bid raises: expected gain / 30 days"),
    "bid.gain_help": ("提价的关键词：按点击弹性 {elasticity}（出价高 20% 点击多约 {clicks}）多获的转化，按目标转化成本计价。",
                      "Raised keywords: the extra conversions at a click elasticity of {elasticity} (a 20% higher bid "
                      "brings about {clicks} more clicks), valued at the target CPA."),
    "bid.gain_note": ("提价是多花钱换更多转化：增收不是节省，不与“少花”相加。",
                      "Raising bids spends more for more conversions: a gain is not a saving and is not added to it."),
    "bid.whatif": ("调整目标：改目标转化成本和步长，看建议和金额如何变化", "What if: change the target CPA and the step, see the bids and money change"),
    "bid.step": ("每次最多调整（%）", "Largest step (%)"),
    "bid.account_target": ("账户目标转化成本（0 = 不设）", "Account target CPA (0 = none)"),
    "bid.account_target_help": ("投放包对应表里有目标的计划用包的目标；其余先看业务点目标，再看账户目标，都没有则用业务点近 30 天实际转化成本。",
                                "Campaigns of a bundle with a target in the map use it; the others use the line's "
                                "target, else the account's, else the line's actual CPA over 30 days."),
    "bid.line_targets": ("各业务点目标转化成本（空 = 不设）", "Target CPA per business line (blank = none)"),
    "bid.save": ("保存为本账户的目标", "Keep as this account's targets"),
    "bid.save_help": ("保存目标转化成本和每步幅度；之后本页、导出改动、工作簿、今日概览和后台计算都按它们出价。",
                      "Keeps the target CPAs and the step; from then on this page, Export changes, the workbook, "
                      "Today and the background preparation bid with them."),
    "bid.saved": ("已保存本账户的出价设置：每步最多 {step}；账户目标转化成本 {account}；业务点目标 {lines}。",
                  "Kept as this account's bid settings: at most {step} a step; account target CPA {account}; line "
                  "targets {lines}."),
    "bid.saved_none": ("不设", "none"),
    "bid.changed": ("与已保存的目标相比", "against the targets kept"),
    "bid.reasons": ("调价原因", "Why each bid changes"),
    "bid.table": ("每个关键词的建议（先看调价的，按金额排序）", "Each keyword's recommendation (changes first, by money)"),
    "col.decision": ("建议", "Recommendation"),
    "col.bid": ("当前出价", "Current bid"),
    "col.recommended_bid": ("建议出价", "Recommended bid"),
    "col.change_pct": ("出价变化", "Bid change"),
    "col.bid_money": ("预计 30 天金额", "Expected money (30 days)"),
    "col.above_target": ("现在每 30 天超出目标", "Above target now (30 days)"),
    "col.target_source": ("目标来源", "Target from"),
    "col.line_cpa": ("业务点近期转化成本", "Line's recent CPA"),
    "col.bid_target": ("目标转化成本", "Target CPA"),
    "col.keywords_n": ("关键词数", "Keywords"),
    "col.within_limits": ("差异在限内", "Within limits"),
    "col.target_cpa_current": ("当前目标转化成本", "Current target CPA"),
    "col.cpa_vs_target": ("实际比目标", "Actual vs target"),
    "col.over_target": ("超成本 20% 以上", "Over target by > 20%"),
    "col.bundle": ("投放包", "Bundle"),
    "col.kind": ("类型", "Kind"),
    "col.plans": ("计划", "Campaigns"),
    "col.target_cpa": ("建议目标转化成本", "Target CPA"),
    "col.cpa_ratio": ("成本差异", "CPA spread"),
    "col.cvr_ratio": ("转化率差异", "CVR spread"),
    "col.ready": ("数据达标", "Enough data"),
    "col.cpa_interval": ("转化成本区间", "CPA interval"),
    "col.thin": ("数据少", "Thin"),
    "col.conv_share": ("转化占比", "Share of conversions"),
    "col.split": ("建议拆包", "Split"),
    "col.q_value": ("q 值", "q-value"),
    "col.rest_cpa": ("包内其余转化成本", "Rest of bundle CPA"),
})

BUNDLE_KIND: dict[str, tuple[str, str]] = {
    "line": ("同业务点", "one line"), "mixed": ("跨业务点合并", "lines merged"),
    "not_ready": ("数据不足", "not enough data"), "none": ("无点击", "no clicks"),
}

STAGE: dict[str, tuple[str, str]] = {
    "core": ("核心词", "Core"),
    "phone": ("电话词", "Phone"),
    "company": ("公司词", "Company"),
    "price": ("询价词", "Price"),
    "consult": ("咨询词", "Consult"),
    "none": ("无效词", "Off-target"),
}

VERTICAL: dict[str, tuple[str, str]] = {
    "locksmith": ("开锁", "Locksmith"),
    "moving": ("搬家", "Moving"),
    "appliance_repair": ("家电维修", "Appliance repair"),
    "housekeeping": ("家政", "Housekeeping"),
    "plumbing": ("管道疏通", "Plumbing"),
    "generic": ("通用（其他本地服务）", "Generic local service"),
}

CUE_GROUP: dict[str, tuple[str, str]] = {
    "stage:phone": ("电话词", "Phone words"),
    "stage:price": ("询价词", "Price words"),
    "stage:company": ("公司词", "Company words"),
    "stage:consult": ("咨询词", "Consultation words"),
    "urgency": ("紧急需求", "Urgency"),
    "off:diy": ("无效：自学/视频", "Off-target: DIY"),
    "off:tools": ("无效：工具", "Off-target: tools"),
    "off:training": ("无效：培训/课程", "Off-target: training"),
    "off:jobs": ("无效：招聘/求职", "Off-target: jobs"),
    "off:product": ("无效：产品/其他", "Off-target: products and other"),
}

CUE_KIND: dict[str, tuple[str, str]] = {
    "line": ("业务点", "line"), "plan": ("业务点取自计划", "line of its campaign"), "phone": ("电话词", "phone"), "price": ("询价词", "price"),
    "company": ("公司词", "company"), "consult": ("咨询词", "consult"), "urgency": ("紧急", "urgency"),
    "off-diy": ("无效·自学", "off-target DIY"), "off-tools": ("无效·工具", "off-target tools"),
    "off-training": ("无效·培训", "off-target training"),
    "off-jobs": ("无效·招聘", "off-target jobs"),
    "off-product": ("无效·产品", "off-target product"),
}


def explain_cues(cues: str, lang: str = "zh") -> str:
    """``line:开锁; off-diy:自己`` → ``业务点「开锁」 无效·自学「自己」`` for people."""
    parts = []
    for item in filter(None, (c.strip() for c in str(cues).split(";"))):
        kind, _, cue = item.partition(":")
        parts.append(f"{code_name(CUE_KIND, kind, lang)}「{cue}」" if lang == "zh"
                     else f"{code_name(CUE_KIND, kind, lang)} '{cue}'")
    return "  ".join(parts)


#: Message cues of ad copy (:mod:`optimizer.adcopy.cues`).
AD_CUE: dict[str, tuple[str, str]] = {
    "phone": ("电话", "phone"), "price": ("价格", "price"), "trust": ("信任", "trust"),
    "speed": ("速度/到达", "speed"), "offer": ("优惠", "offer"), "insertion": ("关键词通配符", "keyword insertion"),
}

#: What a unit's ads lack, or repeat (:data:`optimizer.adcopy.analysis.FINDING_CODES`): short name.
AD_FINDING: dict[str, tuple[str, str]] = {
    "phone_missing": ("没提电话", "No phone"), "price_missing": ("没有价格", "No price"),
    "trust_missing": ("没有信任信息", "No proof"), "speed_missing": ("紧急需求没说多快到", "Urgent, no arrival time"),
    "line_missing": ("没提业务点", "Line not named"), "lookalike": ("创意雷同", "Look-alike copy"),
}

#: Ad tests between a unit's ads (:func:`optimizer.adcopy.analysis._test`).
AD_VERDICT: dict[str, tuple[str, str]] = {
    "winner": ("有显著更好的创意", "a winner"), "no_difference": ("无显著差异", "no significant difference"),
    "not_enough_data": ("数据不足", "not enough data"), "single_ad": ("只有一条创意", "one ad only"),
}


def adcopy_finding(row, lang: str = "zh") -> str:
    """One finding of :func:`optimizer.adcopy.analysis.analyse` as a sentence:
    ``电话词单元的 3 条创意都没有提电话``."""
    from optimizer.keywords.lexicon import line_label
    code, n = row["code"], int(row["ads"])
    stage = code_name(STAGE, row["stage"], lang)
    line = line_label(row["business_line"], lang)
    if code == "lookalike":
        other = f"{row['other_campaign']} / {row['other_ad_group']}"
        ostage, oline = code_name(STAGE, row["other_stage"], lang), line_label(row["other_business_line"], lang)
        sim = f"{float(row['similarity']):.0f}"
        return (f"与 {other}（{ostage}·{oline}）的创意几乎一样（相似度 {sim}/100）：不同阶段或业务点应有不同的创意"
                if lang == "zh" else
                f"Nearly the same copy as {other} ({ostage}, {oline}; similarity {sim}/100): each stage and line "
                "deserves its own copy")
    zh = {"phone_missing": f"{stage}单元的 {n} 条创意都没有提电话",
          "price_missing": f"{stage}单元的 {n} 条创意都没有价格信息（价格、收费透明、××元起）",
          "trust_missing": f"{stage}单元的 {n} 条创意都没有信任信息（公安备案、全市连锁、营业年限）",
          "speed_missing": f"这个单元的搜索是紧急需求，但 {n} 条创意都没说多快到（上门、30分钟、距您**m）",
          "line_missing": f"{n} 条创意都没有提到业务点“{line}”"}
    en = {"phone_missing": f"None of the {n} ads of this {stage.lower()} unit mentions the phone",
          "price_missing": f"None of the {n} ads of this {stage.lower()} unit gives a price (price, upfront fees, from $…)",
          "trust_missing": f"None of the {n} ads of this {stage.lower()} unit gives proof (licensed, insured, years)",
          "speed_missing": f"This unit's searches are urgent, but none of its {n} ads says how fast you arrive "
                           "(minutes, 24/7, open now)",
          "line_missing": f"None of the {n} ads names the business line '{line}'"}
    return (zh if lang == "zh" else en).get(code, code)


PLATFORM: dict[str, tuple[str, str]] = {
    "baidu": ("百度营销", "Baidu"),
    "google_ads": ("Google Ads", "Google Ads"),
    "microsoft_ads": ("Microsoft Ads", "Microsoft Ads"),
    "generic": ("其他", "Other"),
}

REPORT_TYPE: dict[str, tuple[str, str]] = {
    "keyword": ("关键词报告", "Keyword report"),
    "search_term": ("搜索词报告", "Search terms report"),
    "campaign": ("计划报告", "Campaign report"),
    "ad_group": ("单元报告", "Ad group report"),
    "ad": ("创意报告", "Ad report"),
    "location": ("地域报告", "Location report"),
    "device": ("设备报告", "Device report"),
    "time": ("分日趋势", "Time series"),
    "hour": ("分时报告", "Hour of day"),
    "demographic": ("人群报告", "Demographics"),
    "network": ("网络报告", "Networks"),
    "word": ("搜索词拆词", "Search words"),
    "keyword_list": ("关键词列表", "Keyword list"),
    "keyword_research": ("关键词调研", "Keyword research"),
    "account_structure": ("账户结构", "Account structure"),
    "asset": ("素材报告", "Asset report"),
    "other": ("其他报告", "Other report"),
}

LEVEL: dict[str, tuple[str, str]] = {
    "account": ("账户", "Account"),
    "line": ("业务点", "Business line"),
    "bundle": ("投放包", "Bundle"),
    "campaign": ("推广计划", "Campaign"),
    "keyword": ("关键词", "Keyword"),
}

METRIC: dict[str, tuple[str, str]] = {
    "cpa": ("转化成本", "CPA"),
    "cpc": ("点击价格", "CPC"),
    "cvr": ("转化率", "CVR"),
    "spend": ("日消费", "Daily spend"),
}

SEVERITY: dict[str, tuple[str, str]] = {
    "high": ("严重", "High"),
    "medium": ("中等", "Medium"),
    "low": ("轻微", "Low"),
    "saving": ("省钱", "Saving"),
}

DRIFT_STATUS: dict[str, tuple[str, str]] = {
    "flag": ("异常", "Flagged"),
    "learning": ("学习期", "Learning"),
    "no_change": ("无显著变化", "No change"),
    "too_little_data": ("数据不足", "Too little data"),
}

TARGET_STATUS: dict[str, tuple[str, str]] = {
    "over_target": ("超目标", "Over target"),
    "within_target": ("达标", "Within target"),
    "learning": ("学习期", "Learning"),
    "no_data": ("无数据", "No data"),
}

BID_DECISION: dict[str, tuple[str, str]] = {
    "raise": ("提价", "Raise"), "lower": ("降价", "Lower"),
    "keep_low_evidence": ("保持：证据不足", "Keep: too little evidence"),
    "keep_no_bid": ("保持：无关键词出价", "Keep: no keyword bid"),
    "keep_at_limit": ("保持：已到出价界限", "Keep: at the bid limit"),
    "keep_on_target": ("保持：已接近目标", "Keep: on target"),
    "position_goal": ("排名目标", "Position goal"),
}

BID_TARGET_SOURCE: dict[str, tuple[str, str]] = {
    "bundle_map": ("投放包对应表", "Bundle map"), "setting_line": ("业务点设置", "Line setting"),
    "setting_account": ("账户设置", "Account setting"), "line_recent": ("业务点近期实际", "Line's recent CPA"),
}

COMPENSATION_STATUS: dict[str, tuple[str, str]] = {
    "eligible": ("可能获赔", "Looks eligible"),
    "at_risk": ("有风险", "At risk"),
    "not_eligible": ("不符合", "Not eligible"),
    "not_over_cost": ("未超成本", "Not over cost"),
    "not_started": ("未开始", "Not started"),
}


PAGE_STATUS: dict[str, tuple[str, str]] = {
    "red": ("🔴 需立即处理", "🔴 Act now"),
    "amber": ("🟠 需要关注", "🟠 Look at it"),
    "green": ("🟢 正常", "🟢 Fine"),
    "grey": ("⚪ 未检查", "⚪ Not audited"),
}

#: the change table's actions and fields (optimizer.actions.changes), the bulk targets (optimizer.actions.formats)
CHANGE_ACTION: dict[str, tuple[str, str]] = {
    "negative": ("否定关键词", "Negative keyword"), "pause": ("暂停", "Pause"), "url": ("链接修正", "URL fix"),
    "bid": ("出价", "Bid"),
}
CHANGE_ACTIONS: dict[str, tuple[str, str]] = {
    "negatives": ("否定关键词", "Negative keywords"), "pauses": ("暂停只花钱的关键词", "Pause keywords that only waste money"),
    "urls": ("落地页链接修正", "Landing-URL fixes"), "bids": ("出价", "Bids"),
}
CHANGE_FIELD: dict[str, tuple[str, str]] = {
    "negative": ("否定（精确/短语）", "Negative (exact/phrase)"), "bid": ("出价", "Bid"), "status": ("状态", "Status"),
    "final_url": ("访问URL", "Final URL"), "mobile_final_url": ("移动访问URL", "Mobile URL"),
}
CHANGE_VALUE: dict[str, tuple[str, str]] = {
    "enabled": ("启用", "Enabled"), "paused": ("暂停", "Paused"), "exact": ("精确否定", "Exact negative"),
    "phrase": ("短语否定", "Phrase negative"),
}
#: why a change is set aside rather than written (optimizer.actions.changes.hold_back)
CHANGE_ASIDE: dict[str, tuple[str, str]] = {
    "url_first": ("出价暂缓：先修落地页", "Bid held: fix the page first"),
    "manual_mobile_url": ("需要手工填写移动访问URL", "Set the mobile URL by hand"),
}
BULK_TARGET: dict[str, tuple[str, str]] = {
    "google_editor": ("Google Ads Editor（UTF-16 制表符文件）", "Google Ads Editor (UTF-16 tab file)"),
    "google_web": ("Google Ads 网页版批量上传", "Google Ads web bulk upload"),
    "microsoft": ("Microsoft Advertising 批量文件", "Microsoft Advertising Bulk"),
    "baidu": ("百度（关键词 xlsx + 否定词列表）", "Baidu (keyword .xlsx + negative lists)"),
}

URL_DRIFT_KIND: dict[str, tuple[str, str]] = {
    "url_changed": ("链接已更改", "URL changed"),
    "url_removed": ("链接被删除", "URL removed"),
    "new_domain": ("换了新域名", "New domain"),
    "no_mobile_url": ("没有移动链接", "No mobile URL"),
    "http": ("未使用 https", "http, not https"),
    "tracking_dropped": ("跟踪参数丢失", "Tracking parameter dropped"),
    "tracking_changed": ("跟踪参数改变", "Tracking parameter changed"),
    "scattered_unit": ("单元关键词分散到多个页面", "Ad group spread over many pages"),
}


SKIP_REASON: dict[str, tuple[str, str]] = {
    "blank": ("空行", "blank"),
    "totals": ("合计行", "totals"),
    "footer": ("页脚", "footer"),
    "repeated_header": ("重复表头", "repeated header"),
    "account_line": ("账户名行", "account name line"),
}


def _pick(entry: tuple[str, str], lang: str) -> str:
    return entry[0] if lang == "zh" else entry[1]


def t(key: str, lang: str = "zh", **params: object) -> str:
    """The text ``key`` in ``lang``, with ``params`` filled in."""
    text = _pick(TEXT[key], lang)
    return text.format(**params) if params else text


def code_name(table: dict[str, tuple[str, str]], code: str | None, lang: str = "zh") -> str:
    """A code's display name from one of the code tables (the code itself when unknown)."""
    if code is None:
        return ""
    entry = table.get(code)
    return _pick(entry, lang) if entry else code


def account_name(account: str | None, lang: str = "zh") -> str:
    """An account's name; one the export does not name (Google Ads downloads often
    don't) reads ``未命名账户`` / ``unnamed account``."""
    return account or ("未命名账户" if lang == "zh" else "unnamed account")


def account_label(platform: str | None, account: str | None, currency: str | None, lang: str = "zh") -> str:
    """``百度营销 · 北京安心开锁 · CNY`` (see :func:`account_name`)."""
    return " · ".join(x for x in (code_name(PLATFORM, platform, lang), account_name(account, lang), currency) if x)


CURRENCY_SYMBOL = {"CNY": "¥", "USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "INR": "₹",
                   "HKD": "HK$", "TWD": "NT$"}


def money(value: float | None, currency: str | None = "CNY", decimals: int = 2) -> str:
    """``¥1,234.50``; ``–`` for None/NaN; an unknown currency code is written after.

    ``decimals=0`` (whole units, for headlines) keeps the cents of an amount under 10,
    which whole units would show as nothing (CA$0.12, not CA$0)."""
    if value is None or value != value:
        return "–"
    if decimals == 0 and 0 < abs(value) < 10:
        decimals = 2
    sym = CURRENCY_SYMBOL.get(currency or "", "")
    text = f"{value:,.{decimals}f}"
    if sym:
        return f"-{sym}{text[1:]}" if text.startswith("-") else f"{sym}{text}"
    return f"{text} {currency}" if currency else text


def percent(value: float | None, decimals: int = 2) -> str:
    """``3.45%`` for 0.0345; ``–`` for None/NaN."""
    if value is None or value != value:
        return "–"
    return f"{value * 100:.{decimals}f}%"


def signed_percent(v: float) -> str:
    """``−12%`` / ``+8%`` (a true minus sign)."""
    return f"{v:+.0%}".replace("-", "−")


def change_value_text(field: str, value, lang: str = "zh") -> str:
    """A change's before or after value as the reader reads it: a status or a negative's
    match type by its name (``enabled`` → 启用, ``exact`` → 精确否定), a bid or a URL as it
    is, ``–`` for none."""
    v = "" if value is None or value != value else str(value)
    if not v:
        return "–"
    return code_name(CHANGE_VALUE, v, lang) if field in ("status", "negative") else v


def change_field_text(field: str, after=None, lang: str = "zh") -> str:
    """What a change sets: its field's name; a negative's with its match type
    (否定（精确）), not a kind it is not."""
    if field == "negative" and after in ("exact", "phrase"):
        return t("ch.field_negative", lang, match=t(f"ch.match_{after}", lang))
    return code_name(CHANGE_FIELD, field, lang)


def day_text(day, lang: str = "zh") -> str:
    """``12 月 8 日`` / ``Dec 8`` (a date, or a Timestamp)."""
    return f"{day.month} 月 {day.day} 日" if lang == "zh" else f"{day:%b} {day.day}"


def change_effect_text(row, lang: str = "zh") -> str:
    """What a group of changes did, in plain words: a row of the change log's groups or
    of its effects (``optimizer.actions.changelog``: verdict, metric, change, ci_low,
    ci_high, thin). The same words on the Change log page, in the workbook and in the
    client view."""
    key = f"changes.metric.{row['metric']}"
    if row["metric"] == "cost" and f"{key}_{row.get('action')}" in TEXT:  # whose spend
        key = f"{key}_{row.get('action')}"
    verdict, metric = row["verdict"], t(key, lang)
    if verdict == "too_early":
        from optimizer.actions.changelog import MIN_DAYS_AFTER
        return t("changes.too_early", lang, days=MIN_DAYS_AFTER)
    if verdict == "no_data":
        return t("changes.no_data", lang)
    if verdict == "confounded":
        kinds = dict.fromkeys(w.split(":")[0] for w in str(row.get("confounded_with") or "").split(",") if w)
        other = ("、" if lang == "zh" else ", ").join(t(f"changes.with.{k}", lang) for k in kinds)
        return t("changes.confounded", lang, other=other or "–")
    change, lo, hi = row["change"], row["ci_low"], row["ci_high"]
    if verdict == "no_clear_effect":
        if row["thin"] or change != change:
            return t("changes.unclear_thin", lang)
        if lo != lo:
            return t("changes.unclear_thin", lang)
        return t("changes.unclear", lang, metric=metric, pct=signed_percent(change), lo=signed_percent(lo), hi=signed_percent(hi))
    if change == -1 and lo != lo:
        return t("changes.moved_zero", lang, metric=metric)
    word = t("changes.up" if change > 0 else "changes.down", lang)
    key = "changes.hurt_guard" if verdict == "hurt" and row.get("note") == "guard" else "changes.moved"
    return t(key, lang, metric=metric, dir=word, pct=f"{abs(change):.0%}", lo=signed_percent(lo), hi=signed_percent(hi))


def change_group_text(row, lang: str = "zh") -> str:
    """One line of the client view and the workbook: ``3 月 2 日 降低了 5 个关键词的出价 →
    之后每次转化成本下降 12%（区间 −20% ~ −3%）`` (a row of the change log's groups)."""
    day = row["applied_on"]
    when = f"{day.month} 月 {day.day} 日" if lang == "zh" else f"{day:%b} {day.day}"
    what = t(f"changes.what.{row['action']}_{row['direction'] if row['action'] == 'bid' else ''}", lang,
             n=int(row["n"]))
    return f"{when} {what} → {change_effect_text(row, lang)}"


_DRIFT_NOTES = (
    (r"^(\d+) days; (\d+) needed$", "只有 {0} 天数据，至少需要 {1} 天"),
    (r"^(\d+) clicks in the baseline; (\d+) needed$", "基线期只有 {0} 次点击，至少需要 {1} 次"),
    (r"^([\d.]+) conversions expected before the change, ([\d.]+) after; ([\d.]+) needed on each side$",
     "按整体转化率推算，变化前预计 {0} 次转化、变化后 {1} 次，每侧至少需要 {2} 次"),
    (r"^(\d+) clicks before the change, (\d+) after; ([\d.]+) needed on each side$",
     "变化前只有 {0} 次点击、变化后 {1} 次，每侧至少需要 {2} 次"),
    (r"^(\d+) clicks; ([\d.]+) needed before a change$", "只有 {0} 次点击，变化前至少需要 {1} 次"),
    (r"^too little evidence before every candidate day$", "最近每个可能的变化日之前的数据都不够"),
    (r"^no conversions reported$", "报告中没有转化数据"),
    (r"^no conversions$", "没有转化"),
    (r"^no clicks$", "没有点击"),
    (r"^no clicks on one side of every day$", "任何一天前后都有一侧没有点击"),
    (r"^quasi-binomial dispersion ([\d.]+)$", "准二项离散度 {0}"),
    (r"^click-weighted log CPC$", "按点击加权的对数点击价格"),
    (r"^CPC ([+-]\d+%), CVR ([+-]\d+%)$", "点击价格 {0}，转化率 {1}"),
    (r"^weekday-adjusted mean daily spend$", "按星期调整后的日均消费"),
    (r"^weekday-adjusted mean daily spend; baseline too short for weekday factors$",
     "日均消费（基线太短，未做星期调整）"),
)


def drift_note(note: str, lang: str = "zh") -> str:
    """The note of a drift test (``optimizer.drift.scan.detect``, written in English) in
    ``lang``; an unknown note is returned as it is."""
    import re
    if lang != "zh" or not note:
        return note
    for pattern, zh in _DRIFT_NOTES:
        m = re.match(pattern, note)
        if m:
            return zh.format(*m.groups())
    return note
