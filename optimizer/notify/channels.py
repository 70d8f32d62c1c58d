"""Alert channels: what each kind holds, checking what a user typed, the body each
platform's robot API expects, and sending one message — every connection through the
landing audit's SSRF guard (:func:`optimizer.landing.audit.resolve_checked`,
:func:`optimizer.landing.audit.guarded_transport`).

Kinds (:data:`KINDS`) and what they send
    ``email``: SMTP (host, port, ``starttls`` | ``ssl`` | ``none``, optional user and
    password, from, to); a plain-text UTF-8 message, the title as subject.
    ``wecom`` (企业微信群机器人): ``POST`` the webhook URL
    (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``) with
    ``{"msgtype": "markdown", "markdown": {"content": …}}``, the content cut to 4,096
    bytes (the API's limit); success is ``errcode`` 0.
    ``dingtalk`` (钉钉自定义机器人): ``POST`` the webhook URL
    (``https://oapi.dingtalk.com/robot/send?access_token=…``) with
    ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; with a 加签
    secret, ``&timestamp=<ms>&sign=<s>`` is added, ``s`` = URL-encoded base64 of
    HMAC-SHA256(key = secret, message = ``"<ms>\\n<secret>"``) (:func:`dingtalk_sign`);
    success is ``errcode`` 0.
    ``feishu`` (飞书自定义机器人): ``POST`` the webhook URL
    (``https://open.feishu.cn/open-apis/bot/v2/hook/…``) with an interactive card
    ``{"msg_type": "interactive", "card": {"header": …, "elements": [{"tag": "div",
    "text": {"tag": "lark_md", "content": …}}]}}``; with a signature secret,
    ``"timestamp": "<s>"`` and ``"sign"`` = base64 of HMAC-SHA256(key =
    ``"<s>\\n<secret>"``, message = empty) (:func:`feishu_sign`) are added to the body;
    success is ``code`` (or the older ``StatusCode``) 0.
    ``webhook``: ``POST`` JSON ``{"kind", "title", "text", "markdown", "items",
    "lang", "sent_at"}``; with a secret, header ``X-Optimizer-Signature:
    sha256=<hex HMAC-SHA256(secret, body)>``; any 2xx is success.

Safety
    A webhook's host and an SMTP host are resolved and every address checked as the
    audit checks landing pages (no loopback, private, link-local, reserved … address)
    and the connection pinned to the checked address (HTTPS and SMTP TLS still verify
    the host name). Internal receivers are allowed by the operator's
    ``$OPTIMIZER_ALERTS_ALLOWED_HOSTS`` (comma-separated ``name`` or ``name:port``,
    e.g. ``127.0.0.1:8025``). No redirect is followed, environment proxies are
    ignored. An error recorded never holds a URL (its token is the credential) or a
    password: a code of :data:`ERRORS` and a short detail.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from optimizer.errors import UserError
from optimizer.landing import audit
from optimizer.notify.sealing import mask

KINDS = ("email", "wecom", "dingtalk", "feishu", "webhook")
#: kinds that post to a webhook URL
WEBHOOK_KINDS = ("wecom", "dingtalk", "feishu", "webhook")
#: kinds whose robot takes a signing secret
SIGNED_KINDS = ("dingtalk", "feishu", "webhook")
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORT = {"starttls": 587, "ssl": 465, "none": 25}
ALLOWED_HOSTS_ENV = "OPTIMIZER_ALERTS_ALLOWED_HOSTS"
WECOM_MAX_BYTES = 4096
#: failures worth trying again (within a run, with backoff, and on the next run)
RETRYABLE = {"timeout", "connection_failed", "no_network", "http_status", "rejected", "smtp_error", "protocol_error"}
#: send failures: code -> (Chinese, English); ``{detail}`` is filled in
ERRORS: dict[str, tuple[str, str]] = {
    "blocked_address": ("出于安全考虑，不向内网、本机或保留地址发送（{detail}）。内部接收端请由运维加入 "
                        "OPTIMIZER_ALERTS_ALLOWED_HOSTS。",
                        "Refused for safety: internal, loopback or reserved address ({detail}). An internal receiver "
                        "must be allowed by the operator in OPTIMIZER_ALERTS_ALLOWED_HOSTS."),
    "dns_failed": ("域名解析失败（{detail}）。", "The host name does not resolve ({detail})."),
    "no_network": ("服务器现在连不上网络（{detail}）。", "This server cannot reach the network right now ({detail})."),
    "timeout": ("连接超时（{detail}）。", "Timed out ({detail})."),
    "connection_failed": ("无法连接（{detail}）。", "Could not connect ({detail})."),
    "tls_error": ("TLS/证书错误（{detail}）。", "TLS or certificate error ({detail})."),
    "protocol_error": ("对方的响应格式错误（{detail}）。", "The receiver's answer is broken ({detail})."),
    "http_status": ("接收端返回 {detail}。", "The receiver answered {detail}."),
    "http_refused": ("接收端拒绝了请求：{detail}（检查网址是否正确、机器人是否还在群里）。",
                     "The receiver refused the request: {detail} (check the URL, and that the robot is still in the "
                     "group)."),
    "rejected": ("机器人拒绝了消息：{detail}（检查加签密钥、关键词或 IP 白名单等安全设置）。",
                 "The robot rejected the message: {detail} (check its signing secret, keywords or IP allow-list)."),
    "auth_failed": ("SMTP 登录失败（{detail}）：检查用户名和密码（很多邮箱要用授权码）。",
                    "SMTP sign-in failed ({detail}): check the user and password (many providers need an app "
                    "password)."),
    "smtp_error": ("邮件服务器拒绝了发送（{detail}）。", "The mail server refused the message ({detail})."),
    "secret_unreadable": ("读不出这个渠道保存的网址或密码（密钥已更换或丢失），请重新填写后保存。",
                          "This channel's saved URL or password cannot be read (the key was changed or lost): type "
                          "them again and save."),
}


class SendFailed(Exception):
    """A message could not be delivered: ``code`` (a key of :data:`ERRORS`) and a short
    ``detail`` that holds no secret."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE

    def as_text(self) -> str:
        """``code: detail``, as the log keeps it."""
        return f"{self.code}: {self.detail}" if self.detail else self.code


def error_text(stored: str | None, lang: str = "zh") -> str:
    """A log row's error (``code: detail``) in ``lang``."""
    if not stored:
        return ""
    code, _, detail = stored.partition(": ")
    entry = ERRORS.get(code)
    if entry is None:
        return stored
    return (entry[0] if lang == "zh" else entry[1]).format(detail=detail or "–")


@dataclass(frozen=True)
class Message:
    """One message to send: ``kind`` (digest | alert | test), a ``title``, the same
    content as ``markdown`` (the robots) and ``text`` (e-mail), ``items`` (one dict per
    event or digest row, for the JSON webhook), ``lang`` and ``urgent`` (an alert)."""

    kind: str
    title: str
    markdown: str
    text: str
    items: list = field(default_factory=list)
    lang: str = "zh"
    urgent: bool = False


# ====================================================================== what a user typed

_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
MAX_NAME = 100


def _url_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check_channel(kind: str, name: str, fields: dict[str, Any], old_secrets: dict[str, str] | None = None
                  ) -> tuple[str, dict, dict, dict]:
    """(name, config, secrets, hint) of a channel from what the user typed. ``fields``:
    for e-mail ``host``, ``port``, ``security``, ``username``, ``password``, ``sender``,
    ``recipients`` (a list or a comma/semicolon/newline-separated text); for a webhook
    ``url`` and ``secret``. A secret left empty keeps ``old_secrets``' (editing a channel
    never shows them); ``clear_secret`` True drops the signing secret. Raises
    :class:`UserError` naming the field."""
    if kind not in KINDS:
        raise ValueError(f"unknown channel kind {kind!r}")
    old = old_secrets or {}
    name = (name or "").strip()
    if not name:
        raise UserError("alert_name_empty")
    if len(name) > MAX_NAME:
        raise UserError("alert_name_too_long", limit=MAX_NAME, length=len(name))
    if kind == "email":
        host = str(fields.get("host") or "").strip().lower()
        if not host or re.search(r"[/\s@]", host):
            raise UserError("alert_smtp_host", value=host)
        security = fields.get("security") or "starttls"
        if security not in SECURITY:
            raise ValueError(f"unknown SMTP security {security!r}")
        try:
            port = int(fields.get("port") or DEFAULT_PORT[security])
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536:
            raise UserError("alert_smtp_port", value=str(fields.get("port")))
        sender = str(fields.get("sender") or "").strip()
        if not _EMAIL.fullmatch(parseaddr(sender)[1] or "-"):
            raise UserError("alert_email_address", value=sender)
        raw = fields.get("recipients") or []
        recipients = [r.strip() for r in (re.split(r"[,;\n]", raw) if isinstance(raw, str) else raw) if r.strip()]
        bad = [r for r in recipients if not _EMAIL.fullmatch(parseaddr(r)[1] or "-")]
        if not recipients or bad:
            raise UserError("alert_email_address", value=(bad or [""])[0])
        username = str(fields.get("username") or "").strip()
        password = str(fields.get("password") or "") or old.get("password", "")
        secrets = {"password": password} if password else {}
        config = {"host": host, "port": port, "security": security, "username": username, "sender": sender,
                  "recipients": recipients}
        return name, config, secrets, ({"password": mask(password) or "••••"} if password else {})
    url = str(fields.get("url") or "").strip() or old.get("url", "")
    if not url:
        raise UserError("alert_url_missing")
    if not _url_ok(url):
        raise UserError("alert_url_invalid")
    secret = str(fields.get("secret") or "").strip() or ("" if fields.get("clear_secret") else old.get("secret", ""))
    secrets = {"url": url}
    hint = {"url": mask(url)}
    if secret and kind in SIGNED_KINDS:
        secrets["secret"] = secret
        hint["secret"] = mask(secret)
    return name, {"host": urlsplit(url).hostname}, secrets, hint


def allowed_hosts(environ: dict | None = None) -> tuple[str, ...]:
    """The operator's internal receivers (``$OPTIMIZER_ALERTS_ALLOWED_HOSTS``)."""
    env = os.environ if environ is None else environ
    return tuple(h.strip().lower() for h in env.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip())


def guard_settings(environ: dict | None = None, **kwargs: Any) -> audit.AuditSettings:
    """The audit's settings used for alerts: its address checks, the operator's allowed
    internal receivers, 10 s per network phase and 20 s per message."""
    given = tuple(kwargs.pop("allowed_hosts", ()))
    kwargs.setdefault("timeout", 10.0)
    kwargs.setdefault("total_timeout", 20.0)
    return audit.AuditSettings(allowed_hosts=given + allowed_hosts(environ), **kwargs)


# ====================================================================== bodies and signatures

def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>"))
    (the caller URL-encodes it into the query)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg=empty))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode("utf-8"), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def clip_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (never inside a character), with … when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode("utf-8", "ignore") + "…"


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def request_for(kind: str, secrets: dict[str, str], msg: Message, timestamp: float
                ) -> tuple[str, bytes, dict[str, str]]:
    """(URL, JSON body, headers) of a webhook kind's request for ``msg`` at ``timestamp``
    (seconds since the epoch)."""
    url, secret = secrets["url"], secrets.get("secret", "")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if kind == "wecom":
        body: dict = {"msgtype": "markdown", "markdown": {"content": clip_bytes(msg.markdown, WECOM_MAX_BYTES)}}
    elif kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": msg.title, "text": msg.markdown}}
        if secret:
            ms = int(timestamp * 1000)
            url = _with_query(url, {"timestamp": str(ms), "sign": dingtalk_sign(secret, ms)})
    elif kind == "feishu":
        body = {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": msg.title}, "template": "red" if msg.urgent else "blue"},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": msg.markdown}}]}}
        if secret:
            s = int(timestamp)
            body = {"timestamp": str(s), "sign": feishu_sign(secret, s), **body}
    elif kind == "webhook":
        body = {"kind": msg.kind, "title": msg.title, "text": msg.text, "markdown": msg.markdown, "items": msg.items,
                "lang": msg.lang, "sent_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))}
    else:
        raise ValueError(f"not a webhook kind: {kind!r}")
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    if kind == "webhook" and secret:
        headers["X-Optimizer-Signature"] = "sha256=" + hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()
    return url, data, headers


def email_for(config: dict, msg: Message, timestamp: float) -> EmailMessage:
    em = EmailMessage()
    em["Subject"] = msg.title
    em["From"] = config["sender"]
    em["To"] = ", ".join(config["recipients"])
    em["Date"] = formatdate(timestamp, localtime=False)
    em["Message-ID"] = make_msgid(domain=(parseaddr(config["sender"])[1].rpartition("@")[2] or None))
    em.set_content(msg.text, charset="utf-8")
    return em


# ====================================================================== sending

def _robot_answer(kind: str, response: httpx.Response) -> None:
    """Raise :class:`SendFailed` unless the receiver's answer says it took the message."""
    status = response.status_code
    if not 200 <= status < 300:
        retry = status >= 500 or status == 429
        raise SendFailed("http_status" if retry else "http_refused", f"HTTP {status}")
    if kind == "webhook":
        return
    try:
        answer = response.json()
    except ValueError as exc:
        raise SendFailed("protocol_error", "not JSON") from exc
    if not isinstance(answer, dict):
        raise SendFailed("protocol_error", "not a JSON object")
    if kind in ("wecom", "dingtalk"):
        code, text = answer.get("errcode"), answer.get("errmsg")
    else:  # feishu: {"code": 0, "msg": "success"}, older {"StatusCode": 0, "StatusMessage": "success"}
        code = answer.get("code", answer.get("StatusCode"))
        text = answer.get("msg", answer.get("StatusMessage"))
    if code != 0:
        raise SendFailed("rejected", f"{code} {str(text or '')[:120]}".strip())


def _post(kind: str, secrets: dict[str, str], msg: Message, settings: audit.AuditSettings, timestamp: float) -> None:
    url, data, headers = request_for(kind, secrets, msg, timestamp)
    try:
        with httpx.Client(transport=audit.guarded_transport(settings), trust_env=False, follow_redirects=False,
                          timeout=httpx.Timeout(settings.timeout)) as client:
            response = client.post(url, content=data, headers=headers)
            response.read()
    except audit.Refused as exc:
        raise SendFailed(exc.code, exc.detail) from None
    except httpx.TimeoutException as exc:
        raise SendFailed("timeout", type(exc).__name__) from None
    except httpx.ConnectError as exc:
        text = str(exc).lower()
        code = "tls_error" if "ssl" in text or "certificate" in text else "connection_failed"
        raise SendFailed(code, type(exc).__name__) from None
    except (httpx.HTTPError, OSError) as exc:  # never str(exc): httpx may name the URL, and its token
        raise SendFailed("connection_failed", type(exc).__name__) from None
    _robot_answer(kind, response)


class _PinnedSMTP(smtplib.SMTP):
    """SMTP connected to an address checked beforehand (the host name kept for EHLO's
    peer and STARTTLS's certificate check)."""

    def __init__(self, host: str, port: int, address: str, timeout: float, **kw: Any) -> None:
        self._address = address
        super().__init__(host, port, timeout=timeout, **kw)

    def _get_socket(self, host, port, timeout):
        return socket.create_connection((self._address, port), timeout, self.source_address)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, address: str, timeout: float, **kw: Any) -> None:
        self._address = address
        super().__init__(host, port, timeout=timeout, **kw)

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((self._address, port), timeout, self.source_address)
        return self.context.wrap_socket(sock, server_hostname=self._host)


def _send_email(config: dict, secrets: dict[str, str], msg: Message, settings: audit.AuditSettings,
                timestamp: float) -> None:
    host, port, security = config["host"], int(config["port"]), config["security"]
    try:
        addresses = audit.resolve_checked(host, port, settings)
    except audit.Refused as exc:
        raise SendFailed(exc.code, exc.detail) from None
    context = ssl.create_default_context(cafile=settings.ca_bundle) if settings.ca_bundle else \
        ssl.create_default_context()
    email = email_for(config, msg, timestamp)
    last: SendFailed | None = None
    for address in addresses:
        try:
            cls = _PinnedSMTPSSL if security == "ssl" else _PinnedSMTP
            kw = {"context": context} if security == "ssl" else {}
            with cls(host, port, address, settings.timeout, **kw) as smtp:
                if security == "starttls":
                    smtp.starttls(context=context)
                if config.get("username"):
                    smtp.login(config["username"], secrets.get("password", ""))
                smtp.send_message(email)
            return
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed("auth_failed", str(exc.smtp_code)) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SendFailed("tls_error", str(exc)[:120]) from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed("smtp_error", f"{exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')[:120]}"
                             if isinstance(exc.smtp_error, bytes) else str(exc.smtp_code)) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed("smtp_error", ", ".join(exc.recipients)[:120]) from None
        except ssl.SSLError as exc:
            raise SendFailed("tls_error", exc.reason or type(exc).__name__) from None
        except (socket.timeout, TimeoutError):
            last = SendFailed("timeout", f"{host}:{port}")
        except (smtplib.SMTPException, OSError) as exc:
            last = SendFailed("connection_failed", f"{host}:{port} {type(exc).__name__}")
    assert last is not None
    raise last


def deliver(kind: str, config: dict, secrets: dict[str, str], msg: Message, settings: audit.AuditSettings,
            timestamp: float | None = None) -> None:
    """Send ``msg`` once on a channel; raises :class:`SendFailed`."""
    ts = time.time() if timestamp is None else timestamp
    if kind == "email":
        _send_email(config, secrets, msg, settings, ts)
    else:
        _post(kind, secrets, msg, settings, ts)
