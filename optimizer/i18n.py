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
    "nav.overview": ("账户概览", "Overview"),
    "nav.upload": ("上传报告", "Upload"),
    "sample.banner": ("当前显示的是**示例账户**（虚构的北京开锁商家，数据由程序生成）。上传你自己的报告后，这里会显示你的账户。",
                      "You are looking at the **sample account** (a fictional Beijing locksmith; generated "
                      "data). Upload your own reports and this page will show your account."),
    "sample.go_upload": ("去上传报告", "Upload reports"),
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
    "overview.top_plans": ("消费最高的推广计划", "Top plans by spend"),
    "overview.no_daily": ("这些报告没有按日拆分，无法画出趋势。请下载“分日”报告。",
                          "These reports are not split by day, so there is no trend to draw. Download a daily report."),
    "overview.no_data": ("还没有数据。请先上传报告。", "No data yet. Upload reports first."),
    "overview.partial_day": ("百度的转化数据约晚一天到达，最后一天（{day}）的转化可能不完整。",
                             "Baidu conversions arrive about a day late: the last day ({day}) may be incomplete."),
    "overview.partial_short": ("转化未到齐", "conversions incomplete"),
    "col.campaign": ("推广计划", "Plan"),
    "col.cost": ("消费", "Spend"),
    "col.clicks": ("点击", "Clicks"),
    "col.impressions": ("展现", "Impressions"),
    "col.conversions": ("转化", "Conversions"),
    "col.cpa": ("转化成本", "CPA"),
    "col.cvr": ("转化率", "CVR"),
    "col.share": ("消费占比", "Share of spend"),
    "col.file": ("文件", "File"),
    "col.platform": ("平台", "Platform"),
    "col.report_type": ("报告类型", "Report"),
    "col.dates": ("日期", "Dates"),
    "col.rows": ("行数", "Rows"),
    "col.skipped": ("跳过", "Skipped"),
    "col.accounts": ("账户", "Accounts"),
    "col.campaigns": ("计划", "Plans"),
    "col.keywords": ("关键词", "Keywords"),
    "col.encoding": ("编码", "Encoding"),
    "col.totals_check": ("合计校验", "Totals check"),
    "col.currency": ("币种", "Currency"),
    "upload.title": ("上传报告", "Upload reports"),
    "upload.help": ("可一次选择多个文件：百度营销（凤巢）关键词/搜索词/计划/单元报告、Google Ads 和 Microsoft Ads 下载的报告。"
                    "CSV、TSV、XLSX、XLS 均可，GBK、UTF-8、UTF-16 编码都能识别，不需要先用 Excel 另存。",
                    "Pick several files at once: Baidu keyword / search-term / plan / unit reports, Google Ads and "
                    "Microsoft Ads downloads. CSV, TSV, XLSX or XLS in GBK, UTF-8 or UTF-16: no need to re-save in Excel."),
    "upload.picker": ("选择报告文件", "Choose export files"),
    "upload.read": ("读取文件", "Read files"),
    "upload.reading": ("正在读取 {n} 个文件…", "Reading {n} file(s)…"),
    "upload.reading_one": ("正在读取 {file}（{i}/{n}）", "Reading {file} ({i}/{n})"),
    "upload.done": ("读取完成：{ok} 个成功，{bad} 个失败。", "Done: {ok} read, {bad} failed."),
    "upload.summary": ("已识别的文件", "What was recognised"),
    "upload.loaded": ("当前账户数据", "Loaded data"),
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
    "upload.map_header_row": ("表头在第几行", "Header row"),
    "upload.map_report_type": ("报告类型", "Report type"),
    "upload.map_field": ("“{field}”对应的列", "Column for '{field}'"),
    "upload.map_none": ("（无）", "(none)"),
    "upload.map_save": ("保存此映射，以后自动使用", "Save this mapping for next time"),
    "upload.map_apply": ("按此映射读取", "Read with this mapping"),
    "upload.map_used": ("已按保存的列映射读取 {file}。", "Read {file} with a saved column mapping."),
    "upload.preview": ("文件开头", "Start of the file"),
    "field.date": ("日期", "Date"),
    "field.account": ("账户", "Account"),
    "field.campaign": ("推广计划", "Plan / campaign"),
    "field.ad_group": ("推广单元", "Unit / ad group"),
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


CURRENCY_SYMBOL = {"CNY": "¥", "USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "INR": "₹",
                   "HKD": "HK$", "TWD": "NT$"}


def money(value: float | None, currency: str | None = "CNY", decimals: int = 2) -> str:
    """``¥1,234.50``; ``–`` for None/NaN; an unknown currency code is written after."""
    if value is None or value != value:
        return "–"
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
