"""Errors the user must be able to act on.

An :class:`IngestError` names the file and, where it applies, the row (the 1-based
line of a CSV file or row of a sheet), the column and the offending value, and says
what was expected. Its text exists in Chinese and English (``message("zh")``);
``str(error)`` is the English text, for the command line and logs.
"""
from __future__ import annotations

import errno

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


#: what a file that is not a report is (:func:`optimizer.ingest.foreign_type`) -> (Chinese, English)
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


def os_reason(exc: OSError, lang: str = "en") -> str:
    """Why the system refused a file, in ``lang`` (:data:`OS_REASONS` for the common
    ``errno``; else the system's own text)."""
    words = OS_REASONS.get(errno.errorcode.get(exc.errno or 0, ""))
    if words is not None:
        return words[0 if lang == "zh" else 1]
    return str(exc.strerror or exc)


#: why the database cannot be used right now (:class:`optimizer.store.StoreUnavailable`'s
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
        text = template.format(file=self.file, row=self.row, column=self.column,
                               value=self.value, detail=detail).strip()
        if self.hint:
            zh_hint, en_hint = HINTS[self.hint][where]
            text += zh_hint if lang == "zh" else " " + en_hint
        return text

    def as_dict(self) -> dict[str, object]:
        """JSON-able form (command line ``--json``)."""
        return {"kind": self.kind, "file": self.file, "row": self.row, "column": self.column,
                "value": None if self.value is None else str(self.value),
                "message": self.message("en"), "message_zh": self.message("zh")}


def _rebuild(kind, file, row, column, value, detail_zh, detail_en, hint=None) -> IngestError:
    return IngestError(kind, file, row=row, column=column, value=value,
                       detail_zh=detail_zh, detail_en=detail_en, hint=hint)
