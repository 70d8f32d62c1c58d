"""Errors the user must be able to act on.

An :class:`IngestError` names the file and, where it applies, the row (the 1-based
line of a CSV file or row of a sheet), the column and the offending value, and says
what was expected. Its text exists in Chinese and English (``message("zh")``);
``str(error)`` is the English text, for the command line and logs.

A :class:`UserError` is every other refusal of what a user typed or gave (a
workspace's name, a username, a change note, a bundle map, a damaged saved record):
a code of :data:`USER_ERRORS` and its fields, shown with ``message(lang)``.
"""
from __future__ import annotations

import errno
import unicodedata

#: error kind -> (Chinese template, English template). Templates use the error's
#: fields: {file}, {row}, {column}, {value}, {detail}.
MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("文件 {file} 是空的（0 字节或只有空行），没有可读取的数据。",
              "{file} is empty (no bytes, or only blank lines): there is nothing to read."),
    "no_rows": ("{file} 只有表头，没有数据行。{detail}", "{file} has a header but no data rows. {detail}"),
    "too_large": ("文件 {file} 有 {detail}，超过了上传上限。可以按日期分几次下载，或在设置里调高上限。",
                  "{file} is {detail}, over the upload limit. Download it in smaller date ranges, "
                  "or raise the limit in the settings."),
    "encoding": ("无法识别 {file} 的文字编码（已尝试 UTF-8、UTF-16、GB18030/GBK、Windows-1252）。{detail}",
                 "Could not decode {file} (tried UTF-8, UTF-16, GB18030/GBK and Windows-1252). {detail}"),
    "no_header": ("在 {file} 中找不到表头行。{detail}",
                  "No header row found in {file}. {detail}"),
    "headerless": ("{file} 没有表头行。{detail}", "{file} has no header line. {detail}"),
    "unknown_format": ("{file} 不像百度、Google Ads 或 Microsoft Ads 的报告。{detail}",
                       "{file} does not look like a Baidu, Google Ads or Microsoft Ads report. {detail}"),
    "missing_column": ("{file} 缺少必需的列。{detail}",
                       "{file} is missing the required column '{column}'. {detail}"),
    "non_numeric": ("{file} 第 {row} 行“{column}”列的值“{value}”不是数字。{detail}",
                    "{file}, row {row}, column '{column}': '{value}' is not a number. {detail}"),
    "bad_date": ("{file} 第 {row} 行“{column}”列的值“{value}”不是日期。{detail}",
                 "{file}, row {row}, column '{column}': '{value}' is not a date. {detail}"),
    "malformed": ("{file} 第 {row} 行的格式有误：{detail}",
                  "{file}, row {row} is malformed: {detail}"),
    "corrupt": ("{file} 已损坏或不完整，无法打开。{detail}",
                "{file} is damaged or incomplete and cannot be opened. {detail}"),
    "unexpected": ("{file} 未能处理，没有保存（{detail}）。同时上传的其它文件不受影响；请重试，如果仍然如此，请把这个文件发给维护者。",
                   "{file} could not be processed and was not stored ({detail}). The other files of the upload are "
                   "not affected; try again, and if it happens again, send this file to the maintainers."),
    "over_limit": ("{file} 超出了读取上限：{detail}为免读取过久或占满内存，没有读取，已上传的数据没有改动。"
                   "可以按日期或账户分几次下载；确实需要时，可调高括号中的设置（optimizer.reading.ingest.Settings）。",
                   "{file} is over a reading limit: {detail} It was not read, so that it cannot take too long or "
                   "fill the memory, and nothing stored changed. Download it in parts (by dates or accounts); if "
                   "really needed, raise the setting named in brackets (optimizer.reading.ingest.Settings)."),
    "formula": ("{file} 中有公式没有计算结果（保存它的程序没有计算公式），读出来会是空白，因此没有读取：{detail}"
                "请在 Excel 或 WPS 中打开并保存一次（让公式算出值），或把这些单元格改成数值后再上传。",
                "{file} holds formulas without a computed value (the program that saved it did not calculate "
                "them): read, they would be blanks, so the file was not read: {detail} Open and save it once in "
                "Excel or WPS (so the formulas get their values), or replace these cells with numbers, and upload "
                "it again."),
    "line_too_long": ("{file} 的第一行超过 256 KiB 还没有结束，不是报告的表头（报告的表头只有几百个字符）。{detail}",
                      "{file}: its first line runs past 256 KiB without ending: that is not a report's header "
                      "(a header is a few hundred characters). {detail}"),
    "mixed_encoding": ("{file} 混用了两种文字编码：{detail}可能是两个文件被拼在了一起。请分别上传原始文件，"
                       "或用同一种编码（如 UTF-8）另存后再上传。",
                       "{file} mixes two text encodings: {detail} Two files pasted together? Upload the "
                       "original files one by one, or save it again in one encoding (e.g. UTF-8)."),
    "not_a_report": ("{file}：这是一个 {detail}，不是报告。请上传从百度营销、Google Ads 或 Microsoft Ads 下载的报告"
                     "（CSV、TSV、TXT 或 Excel）。",
                     "{file}: This is a {detail}, not a report. Upload a report downloaded from Baidu, Google Ads "
                     "or Microsoft Ads (CSV, TSV, TXT or Excel)."),
    "unreadable": ("无法打开 {file}。{detail}", "{file} cannot be opened. {detail}"),
    "unsupported": ("不支持 {file} 的文件类型。{detail}",
                    "{file} is of a type that is not supported. {detail}"),
    "mapping": ("列映射有误（{file}）：{detail}", "The column mapping for {file} is wrong: {detail}"),
    "mixup": ("{file} 和已载入的 {value} 看起来是两个不同账户的数据，没有合并，也没有保存。{detail}",
              "{file} and {value}, already loaded, look like the data of two different accounts: nothing was "
              "merged or stored. {detail}"),
}


#: the last sentence of a message, which depends on where it is shown: hint -> where ->
#: (Chinese, English). Where: ``below`` the mapping form on the upload page, ``reselect``
#: on the upload page once the file is no longer selected, ``elsewhere`` the command
#: line and batch mode. Hints: ``mapping`` how to map the columns of a file whose
#: layout is not known (:attr:`IngestError.mappable`); ``account`` how to give a file
#: that names no account another account (a likely mix-up of two accounts).
HINTS: dict[str, dict[str, tuple[str, str]]] = {
    "mapping": {
        "below": ("请在下面为每一列指定含义。", "Say what each column holds below."),
        "reselect": ("再次选择这个文件，即可为每一列指定含义。", "Select the file again to say what each column holds."),
        "elsewhere": ("可以在网页的“上传报告”页为每一列指定含义。",
                      "You can say what each column holds on the app's Upload page."),
    },
    "account": {
        "below": ("如果它属于另一个客户，请重新选择这个文件，并在上传时为它选择另一个账户。",
                  "If it is another client's, select the file again and choose another account for it."),
        "reselect": ("如果它属于另一个客户，请重新选择这个文件，并在上传时为它选择另一个账户。",
                     "If it is another client's, select the file again and choose another account for it."),
        "elsewhere": ("如果它属于另一个客户，请用 --account 账户名 为它指定另一个账户。",
                      "If it is another client's, give it another account with --account NAME."),
    },
}


#: what a file that is not a report is (:func:`optimizer.reading.ingest.foreign_type`) -> (Chinese, English)
FOREIGN_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("PDF 文件", "PDF file"),
    "png": ("PNG 图片", "PNG image"),
    "jpeg": ("JPEG 图片", "JPEG image"),
    "gif": ("GIF 图片", "GIF image"),
    "webp": ("WebP 图片", "WebP image"),
    "word": ("Word 文档", "Word document"),
    "powerpoint": ("PowerPoint 演示文稿", "PowerPoint presentation"),
    "zip": ("ZIP 压缩包", "ZIP archive"),
}


#: errno name -> (Chinese, English) of the system's common refusals to open or write a file
OS_REASONS: dict[str, tuple[str, str]] = {
    "ENOENT": ("文件或文件夹不存在", "No such file or directory"),
    "EACCES": ("没有权限", "Permission denied"),
    "EPERM": ("不允许这个操作", "Operation not permitted"),
    "EISDIR": ("这是一个文件夹，不是文件", "Is a directory"),
    "ENOTDIR": ("路径中有一段不是文件夹", "Not a directory"),
    "ENOSPC": ("磁盘空间不足", "No space left on device"),
    "EROFS": ("磁盘是只读的", "Read-only file system"),
    "ENAMETOOLONG": ("文件名太长", "File name too long"),
    "EEXIST": ("已经存在", "File exists"),
}


#: longest echoed value (a cell, a line, a column name) in a message, in characters
ECHO_CHARS = 80
#: longest file name in a message
NAME_CHARS = 120
#: longest extra sentence (detail) of a message: a safety net over the clipped pieces in it
DETAIL_CHARS = 1500


def clip(value: object, limit: int = ECHO_CHARS) -> str:
    """``value`` as text fit to echo in a message: line breaks as spaces, control and
    invisible format characters (NUL, ESC, bidi overrides, zero-width) as ``\\uXXXX``
    escapes — never acted on by a terminal or a browser — and cut to ``limit``
    characters with ``…``."""
    text = str(value)
    out: list[str] = []
    used = 0
    for i, ch in enumerate(text):
        piece = " " if ch in "\t\r\n" else (
            f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch)
        if used + len(piece) > limit - 1 and (used + len(piece) > limit or i < len(text) - 1):
            out.append("…")
            break
        out.append(piece)
        used += len(piece)
    return "".join(out)


def safe_name(name: object, limit: int = NAME_CHARS) -> str:
    """A file name as shown in a message: without control characters and bidi or other
    invisible format characters (a right-to-left override would show
    ``report\u202evsc.exe`` as ``reportexe.csv``), cut to ``limit`` characters."""
    text = "".join(ch for ch in str(name) if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    text = text.strip() or "file"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def os_reason(exc: OSError, lang: str = "en") -> str:
    """Why the system refused a file, in ``lang`` (:data:`OS_REASONS` for the common
    ``errno``; else the system's own text)."""
    words = OS_REASONS.get(errno.errorcode.get(exc.errno or 0, ""))
    if words is not None:
        return words[0 if lang == "zh" else 1]
    return str(exc.strerror or exc)


#: why the database cannot be used right now (:class:`optimizer.store.database.StoreUnavailable`'s
#: ``code``) -> (Chinese, English). Templates use {where} (the data folder, or the
#: database's address without its password), {seconds} (the busy timeout) and {detail}.
STORE_MESSAGES: dict[str, tuple[str, str]] = {
    "busy": ("数据库正忙，请稍后再试：另一个操作占用数据库已超过 {seconds} 秒。刚才的操作没有完成，已保存的数据没有变化。",
             "The database is busy: please try again in a moment (another operation has held it for over "
             "{seconds} s). What you just did was not done; nothing stored changed."),
    "disk_full": ("磁盘已满：保存数据的磁盘（{where}）没有剩余空间，刚才的操作没有保存，已保存的数据没有变化。"
                  "请清理磁盘空间后再试。",
                  "The disk is full: there is no space left where the data is kept ({where}). Nothing was "
                  "saved and the data already stored is unchanged. Free some disk space and try again."),
    "read_only": ("数据文件夹 {where} 是只读的（或没有写入权限），无法打开或保存数据。请让这个文件夹可写，"
                  "或用 OPTIMIZER_DATA_DIR（命令行：--data-dir）指定一个可写的文件夹，然后重新打开。",
                  "The data folder {where} is read-only (or not writable), so the data cannot be opened or "
                  "saved. Make it writable, or point OPTIMIZER_DATA_DIR (command line: --data-dir) at a "
                  "writable folder, then open the app again."),
    "io_error": ("读写数据库时磁盘出错（{where}：{detail}）。刚才的操作没有完成，已保存的数据没有变化。",
                 "The disk failed while the database was read or written ({where}: {detail}). What you just "
                 "did was not done; nothing stored changed."),
    "cannot_open": ("无法打开数据库 {where}（{detail}）。", "The database {where} cannot be opened ({detail})."),
    "unreachable": ("连不上数据库 {where}：请检查数据库服务器是否在运行，以及 OPTIMIZER_DATABASE_URL 是否正确。",
                    "Cannot reach the database {where}: check that the database server is running and that "
                    "OPTIMIZER_DATABASE_URL is right."),
}


#: user error code -> (Chinese, English). Templates use the error's fields.
USER_ERRORS: dict[str, tuple[str, str]] = {
    # workspaces (optimizer.store.database)
    "workspace_name_empty": ("工作区需要一个名称，例如客户的名称。", "A workspace needs a name, such as the client's."),
    "workspace_name_too_long": ("工作区名称最多 {limit} 个字符，这个有 {length} 个。",
                                "A workspace name has at most {limit} characters; this one has {length}."),
    "workspace_exists": ("已经有一个叫「{name}」的工作区，请换一个名称。",
                         "A workspace named “{name}” already exists: choose another name."),
    "workspace_confirm": ("要删除，请输入工作区的完整名称「{name}」。",
                          "Type the workspace's exact name (“{name}”) to delete it."),
    # users (optimizer.store.auth)
    "user_exists": ("已经有一个叫「{name}」的用户。", "A user named “{name}” already exists."),
    "no_user": ("没有叫「{name}」的用户。请核对对方的用户名，或请管理员先为对方创建账号。",
                "There is no user named “{name}”. Check their username, or ask an admin to create their account first."),
    "bad_username": ("用户名由 1 到 64 个字母、数字或 . _ - @ 组成，不能有空格。",
                     "A username has 1 to 64 letters, digits or . _ - @, and no spaces."),
    # change notes (optimizer.store.database)
    "note_empty": ("调整记录是空的：写下改了什么、为什么改。", "The note is empty: write what changed and why."),
    "note_too_long": ("调整记录最多 {limit} 个字符，这条有 {length} 个。",
                      "A note has at most {limit} characters; this one has {length}."),
    "note_date": ("调整记录的日期必须是一个日历日期。", "A note's date must be a calendar date."),
    # alert channels and preferences (optimizer.notify)
    "alert_name_empty": ("提醒渠道需要一个名称，例如“运营群”。", "An alert channel needs a name, such as “Ops group”."),
    "alert_name_too_long": ("渠道名称最多 {limit} 个字符，这个有 {length} 个。",
                            "A channel name has at most {limit} characters; this one has {length}."),
    "alert_url_missing": ("请填写机器人的 Webhook 地址（在群设置 → 群机器人里复制）。",
                          "Enter the robot's webhook URL (copy it from the group's settings → robots)."),
    "alert_url_invalid": ("Webhook 地址应以 https:// 或 http:// 开头，并带有域名。",
                          "A webhook URL starts with https:// or http:// and has a host name."),
    "alert_smtp_host": ("SMTP 服务器应是一个主机名，例如 smtp.qq.com（不带 http://、路径或端口）：“{value}”。",
                        "The SMTP server is a host name such as smtp.example.com (no http://, path or port): "
                        "'{value}'."),
    "alert_smtp_port": ("SMTP 端口应是 1 到 65535 之间的数字：“{value}”。",
                        "The SMTP port is a number from 1 to 65535: '{value}'."),
    "alert_email_address": ("“{value}”不是有效的邮箱地址（发件人一个，收件人至少一个，用逗号分隔）。",
                            "'{value}' is not a valid e-mail address (one sender; one or more recipients, "
                            "comma-separated)."),
    "alert_digest_time": ("每日摘要时间应像 09:00 这样：“{value}”。", "The digest time is like 09:00: '{value}'."),
    "alert_timezone": ("不认识的时区“{value}”，例如 Asia/Shanghai。", "Unknown time zone '{value}', e.g. Asia/Shanghai."),
    # bundle maps (optimizer.bundles.targets.read_bundle_sheet)
    "bundle_map_encoding": ("投放包对应表 {file} 不是文本 CSV 文件（无法识别它的文字编码）。请另存为 CSV（UTF-8 或 GBK）再上传。",
                            "{file}: not a text CSV file (its bytes decode in no supported encoding). Save it as CSV "
                            "(UTF-8 or GBK) and upload it again."),
    "bundle_map_unreadable": ("投放包对应表 {file} 第 {row} 行无法按 CSV 读取（例如有不成对的引号或过长的单元格）。",
                              "{file}, row {row} cannot be read as CSV (an unmatched quote or an over-long cell, "
                              "for example)."),
    "bundle_map_columns": ("投放包对应表 {file} 需要“推广计划”（plan）列和“投放包”（bundle）列；文件里的列是：{found}。",
                           "{file}: needs a plan column (plan / 推广计划) and a bundle column (bundle / 投放包); "
                           "found {found}."),
    "bundle_map_plan_twice": ("{file} 第 {row} 行：计划“{plan}”已经在投放包“{before}”里，这里又写在“{bundle}”；"
                              "一个计划只能属于一个投放包。",
                              "{file}, row {row}: plan '{plan}' is already in bundle '{before}', here in '{bundle}'; "
                              "a plan belongs to one bundle."),
    "bundle_map_not_amount": ("{file} 第 {row} 行“{column}”列的值“{value}”不是金额：应是大于 0 的数，例如 80 或 ¥80.00。",
                              "{file}, row {row}, column '{column}': '{value}' is not an amount such as 80 or ¥80.00."),
    "bundle_map_not_date": ("{file} 第 {row} 行“{column}”列的值“{value}”不是日期：应像 2026-11-03 这样。",
                            "{file}, row {row}, column '{column}': '{value}' is not a date such as 2026-11-03."),
    "bundle_map_not_count": ("{file} 第 {row} 行“{column}”列的值“{value}”不是次数：应是 0 或正整数。",
                             "{file}, row {row}, column '{column}': '{value}' is not a whole number."),
    "bundle_map_not_yes_no": ("{file} 第 {row} 行“{column}”列的值“{value}”应是“是”或“否”。",
                              "{file}, row {row}, column '{column}': '{value}' is not 是/否 or yes/no."),
    "bundle_map_two_values": ("{file} 第 {row} 行“{column}”列：投放包“{bundle}”在前面的行里是“{before}”，这里是“{value}”；"
                              "同一个投放包只能有一个值。",
                              "{file}, row {row}, column '{column}': bundle '{bundle}' already has {before} on an "
                              "earlier row, here {value}."),
    # damaged records (optimizer.store.database)
    "audits_damaged": ("保存的落地页检查记录已损坏，无法读取：下面按没有检查过显示。重新检查后会保存新的记录。",
                       "The saved landing-page audits are damaged and cannot be read: the pages are shown as not "
                       "audited. Audit them again to keep new ones."),
}


class UserError(Exception):
    """A refusal the user can act on: ``code`` (a key of :data:`USER_ERRORS`) and
    ``fields`` (what the message names). ``str(error)`` is the English text; show
    ``message(lang)``. Subclasses add the families callers catch (ValueError,
    :class:`optimizer.store.database.Conflict`, …)."""

    def __init__(self, code: str, **fields: object) -> None:
        if code not in USER_ERRORS:
            raise KeyError(code)
        self.code = code
        self.fields = fields
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        zh, en = USER_ERRORS[self.code]
        # what the user gave is echoed cut short and with invisible characters shown (a
        # 100,000-NUL file must not make a 100,000-character message), names made safe
        fields = {k: safe_name(v) if k == "file" else clip(v) if isinstance(v, str) else v
                  for k, v in self.fields.items()}
        return (zh if lang == "zh" else en).format(**fields)

    def as_dict(self) -> dict[str, object]:
        """JSON-able form (command line ``--json``)."""
        return {"code": self.code, **{k: str(v) for k, v in self.fields.items()},
                "message": self.message("en"), "message_zh": self.message("zh")}

    def __reduce__(self):
        return (_rebuild_user_error, (type(self), self.code, self.fields))


class InvalidInput(UserError, ValueError):
    """A value the user gave that cannot be taken (a name, a note, a bundle map)."""


def _rebuild_user_error(cls, code, fields) -> UserError:
    return cls(code, **fields)


class IngestError(ValueError):
    """An export that cannot be read, with everything the user needs to fix it.

    Attributes: ``kind`` (a key of :data:`MESSAGES`), ``file``, ``row`` (1-based line
    or sheet row, or None), ``column`` (header as in the file, or None), ``value``
    (the offending cell text, or None), ``detail_zh`` / ``detail_en`` (one more
    sentence: what was found, what was expected).
    """

    def __init__(self, kind: str, file: str, *, row: int | None = None,
                 column: str | None = None, value: object = None,
                 detail_zh: str = "", detail_en: str = "", hint: str | None = None) -> None:
        if kind not in MESSAGES:
            raise KeyError(kind)
        self.kind = kind
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.detail_zh = detail_zh
        self.detail_en = detail_en
        self.hint = "mapping" if self.mappable else hint
        super().__init__(self.message("en"))

    @property
    def mappable(self) -> bool:
        """Whether mapping the columns by hand can fix this (the table is there, its layout is not known)."""
        return self.kind in ("unknown_format", "missing_column", "headerless")

    def __reduce__(self):
        return (_rebuild, (self.kind, self.file, self.row, self.column, self.value,
                           self.detail_zh, self.detail_en, self.hint))

    def message(self, lang: str = "zh", where: str = "elsewhere") -> str:
        """The message in ``lang`` (``zh`` or ``en``), ending with its hint (how to map
        the columns of a :attr:`mappable` error, …) as it reads ``where`` it is shown
        (see :data:`HINTS`)."""
        zh, en = MESSAGES[self.kind]
        template, detail = (zh, self.detail_zh) if lang == "zh" else (en, self.detail_en)
        if len(detail) > DETAIL_CHARS:
            detail = detail[: DETAIL_CHARS - 1] + "…"
        text = template.format(file=safe_name(self.file), row=self.row,
                               column=None if self.column is None else clip(self.column),
                               value=None if self.value is None else clip(self.value), detail=detail).strip()
        if self.hint:
            zh_hint, en_hint = HINTS[self.hint][where]
            text += zh_hint if lang == "zh" else " " + en_hint
        return text

    def as_dict(self) -> dict[str, object]:
        """JSON-able form (command line ``--json``)."""
        return {"kind": self.kind, "file": safe_name(self.file), "row": self.row, "column": self.column,
                "value": None if self.value is None else clip(self.value, 400),
                "message": self.message("en"), "message_zh": self.message("zh")}


def unexpected(file: str, exc: BaseException) -> IngestError:
    """The ``unexpected`` error of one file of an upload: anything that failed while it
    was read or stored that is not an :class:`IngestError` (the error's type and its
    first words, clipped), so that it is that file's error and not the page's."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return IngestError("unexpected", file, detail_zh=clip(text, 160), detail_en=clip(text, 160))


def _rebuild(kind, file, row, column, value, detail_zh, detail_en, hint=None) -> IngestError:
    return IngestError(kind, file, row=row, column=column, value=value,
                       detail_zh=detail_zh, detail_en=detail_en, hint=hint)
