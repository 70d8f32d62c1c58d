"""Landing-page audit: fetch each landing URL (or read an uploaded HTML file) and say,
in words a small-business owner can read, what the page lacks for a local-service
searcher on a phone: a call button on the first screen, a call/form bar fixed at the
bottom, a form or chat, trust signals, a fast page; and what changed since last time.

No Streamlit here: pages call these functions and show the results.

Public API
----------
:func:`clean_url`
    strip ad-platform placeholders (``{keyword}``, ``{lpurl}``, ...) and tracking
    parameters (:data:`TRACKING_PARAMS`, :data:`TRACKING_PREFIXES`) before fetching.
:class:`AuditSettings`
    timeout, size cap, concurrency, private-address policy, user agent, redirects,
    first-screen size, browser use, thresholds (a slow page: over 3 s);
    :meth:`AuditSettings.from_env` adds the operator's ``OPTIMIZER_AUDIT_ALLOWED_HOSTS``.
:func:`audit_urls`
    audit many URLs, a few at a time, each distinct cleaned URL fetched once, with a
    ``progress(done, total)`` callback; one :class:`PageAudit` per URL given, in order.
:func:`audit_html`
    the same findings for an uploaded HTML file (no HTTP part).
:func:`line_words_found`
    which of the given business-line words (e.g. 换锁, 锁芯) the page contains.
:func:`compare`
    what changed between two audits of one page (drift).
:func:`to_json` / :func:`from_json`, :meth:`PageAudit.to_dict` / :meth:`PageAudit.from_dict`
    audits kept between sessions.
:func:`summary_rows`
    one flat row per audit, for a table.

How the first screen is judged
------------------------------
*Browser* (``first_screen_method == "browser"``): when ``/usr/bin/chromium`` exists,
Playwright is importable and ``use_browser`` is not ``"never"``, the HTML is rendered
in headless Chromium emulating a phone (``viewport_width`` × ``first_screen_px``,
390 × 844 by default, ``is_mobile``, so a page without a ``<meta name=viewport>`` is
laid out 980 px wide and scaled down exactly as on a phone). The browser never fetches
anything: JavaScript is disabled, the context is offline, every request is aborted by
a route handler, and its host resolver maps every name to "not found". So external
stylesheets, images without width/height and layout built by scripts are missing from
the rendering. A ``tel:`` link is on the first screen when its box (non-empty,
visible) intersects the first ``innerHeight`` CSS pixels at scroll 0 and it is not
inside the bottom bar (a call button in the bar is reported by ``bottom_bar_holds``;
"first screen" asks for one more, in the page itself or floating at the side, as the
domain notes recommend). ``first_tel_y`` is converted to phone pixels. A bottom bar is
an element whose computed ``position`` is ``fixed`` or ``sticky``, at least half the
viewport wide, whose box touches the bottom of the viewport. One browser is launched
per :func:`audit_urls` call and reused for every page.

*Heuristic* (``"heuristic"``), without a browser: the document is walked in order and
each element's vertical position is estimated at the phone width: text takes
``ceil(width / chars_per_line)`` lines (a CJK character counts 1, other characters
0.55, ``chars_per_line = (viewport_width - 32) / font_px``), lines are 24 px (h1 40,
h2 34, h3 30) plus 8 px after each block; images take their height attribute or
inline-style height scaled to the viewport width (180 px when unknown, the height of a
typical phone banner); form fields 44 px; iframes and videos their height or 200 px.
A ``tel:`` link is on the first screen when its estimated top is above
``first_screen_px``, or when it sits inside a ``position: fixed / sticky`` element at
the top or at the side (always visible); one inside the bottom bar counts for the bar
only, as with the browser. Fixed elements are found from inline styles and from ``<style>``
rules whose selectors match (``@media`` blocks are applied when they match the phone
width; external stylesheets are not fetched), and by class / id names common on
Chinese landing pages (``fixed-bottom``, ``footer-fixed``, ``bottom-bar``,
``call-bar``, ``dibu`` ...). Elements hidden by ``display: none`` are skipped.

What a bottom bar holds (``bottom_bar_holds``): ``tel`` (a tel: link), ``form`` (form
fields, or a button that says 预约 / 留言 / 报价 / quote / book ...), ``chat`` (a chat
widget link, or a button that says 在线咨询 / 客服 / 微信 / chat / WhatsApp ...).

Redirects and domains
---------------------
Redirects are followed by hand (at most ``max_redirects``); every hop is recorded in
``redirect_chain`` as ``(url, status)``, the last pair being the final response. A
redirect matters when the final site differs from the first (``cross_domain_redirect``:
the registrable domain — the last two labels, or three under ``com.cn``, ``co.uk`` and
the like — differs; ``http → https`` and ``www → m`` are normal) or when it lands on an
error status (``error == "http_error"``).

Fetching safely (SSRF)
----------------------
The fetcher runs on the operator's server, so a landing URL must not make it talk to
that server or its network. Only ``http`` and ``https`` are fetched. Connections are
made by a guarded network backend plugged into httpcore (the connection layer under
httpx): for every TCP connection — the first request, every redirect hop, every
reconnection — it resolves the host itself (``socket.getaddrinfo``, or
``settings.resolver``), refuses when ANY address is loopback, private, link-local,
multicast, reserved, unspecified, shared (100.64/10) or documentation-only (IPv6
included; IPv4-mapped, 6to4, NAT64 and Teredo addresses are judged by the IPv4 address
they embed), and then connects to exactly the checked address. The name is still used
for the Host header, TLS SNI and certificate verification, so HTTPS stays verified
while the address is pinned: no window for DNS rebinding between check and connect.
Environment proxies are ignored (``trust_env=False``): a proxy would connect on our
behalf to an unchecked address. Exceptions, for operators and tests: ``allow_private``
(allow everything) and ``allowed_hosts`` (names or ``name:port`` pairs exempt from the
address check — e.g. a staging server on the office network; the tests use it to let
the first hop reach a local server and check that a redirect to ``127.0.0.1`` or
``169.254.169.254`` is still refused).

No internet is not "no such domain": getaddrinfo answering "name not known"
(EAI_NONAME / EAI_NODATA) is ``dns_failed`` only when one of
``settings.probe_hosts`` (well-known names) resolves; if none does, or the lookup
itself failed (EAI_AGAIN, EAI_FAIL …), or connecting fails with ENETUNREACH /
ENETDOWN, the error is ``no_network``: the page could not be checked
(:data:`UNCHECKED_ERRORS`, ``PageAudit.checked`` is False), which says nothing about
the page.

Deadline: ``total_timeout`` bounds the whole exchange of one page — every hop's
connect, TLS handshake, request, headers and body. The guarded backend's connections
cut each operation's timeout to what is left of the page's deadline, so a server that
drips one byte just under ``timeout`` per read is stopped at ``total_timeout``
(error ``timeout``, detail ``"30 s"``; a phase's own ``timeout``, the server silent
that long, gives ``"10 s"``). DNS lookups are not cut (``getaddrinfo`` cannot be
interrupted): the system resolver's own timeout bounds them.

Residual risks: a page may still point the *visitor's* browser anywhere (we never
render with network access, so not ours); compressed responses are decoded chunk by
chunk before the size cap applies, so one network chunk (≤ 64 KiB) of a compression
bomb can expand in memory before the cap stops reading; any port is allowed on public
addresses; a public host of the operator's own (their public IP) is not recognised as
"theirs" unless it resolves to a private address.

Fingerprint (drift)
-------------------
``text_hash`` is a SHA-256 of the visible text, NFKC-normalised with all whitespace
removed (so re-indenting or re-wrapping the HTML does not change it);
``structure_hash`` of the title, h1–h3 headings, tel numbers, form fields and chat
widgets; ``fingerprint`` of both. How the first screen was judged does not enter the
fingerprint, so an audit with and without Chromium compares cleanly. Dynamic text
(dates, counters) does change the fingerprint.
"""
from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import importlib.util
import ipaddress
import json
import math
import os
import re
import socket
import ssl
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import urljoin, urlsplit, urlunsplit

# Dependency choices (see README): httpx for HTTP — well kept, timeouts per phase,
# streaming bodies (so the size cap stops reading), and its connection layer httpcore
# takes a pluggable network backend, which is what lets us pin the checked IP while
# keeping TLS verification by host name. beautifulsoup4 with lxml for HTML —
# tolerant of the broken markup landing-page builders emit, CSS selectors (soupsieve)
# to apply <style> rules, and a tree we can walk in document order for the
# first-screen estimate; selectolax is faster but its tree API is thinner, and pages
# here are few and small, so robustness wins over speed.
import httpcore
import httpx
from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag
from bs4.element import CData, Declaration, ProcessingInstruction

__all__ = [
    "AuditSettings", "ENV_ALLOWED_HOSTS", "HostLimiter", "PageAudit", "clean_url", "audit_urls", "audit_html",
    "line_words_found", "compare", "to_json", "from_json", "summary_rows",
    "is_blocked_ip", "Refused", "resolve_checked", "guarded_transport", "browser_available", "ERRORS", "FINDINGS", "CHANGES",
    "TRACKING_PARAMS", "TRACKING_PREFIXES", "TRUST_SIGNALS", "CHAT_VENDORS",
]

CHROMIUM = "/usr/bin/chromium"
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND"]
#: environment variable: hosts (``name`` or ``name:port``, comma-separated) exempt from
#: the private-address check, set by the operator (see :meth:`AuditSettings.from_env`)
ENV_ALLOWED_HOSTS = "OPTIMIZER_AUDIT_ALLOWED_HOSTS"
MOBILE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


# --------------------------------------------------------------------------- settings

class HostLimiter:
    """Politeness towards the sites audited: at most one request to a host every
    ``interval`` seconds, whichever thread (and whichever account's audit) asks. Every
    hop of a page (redirects included) waits for its host's turn. Thread-safe; one
    limiter is meant to be shared by every audit of a run (the scheduled refresh,
    :mod:`optimizer.refresh`, audits all its accounts' pages through one)."""

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if interval < 0:
            raise ValueError("a host's interval must not be negative")
        self.interval, self._clock, self._sleep = float(interval), clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str | None) -> float:
        """Wait for ``host``'s turn (names compared without case); returns the seconds waited."""
        key = (host or "").lower()
        with self._lock:  # the slot is taken now, the sleep happens outside the lock
            now = self._clock()
            start = max(now, self._next.get(key, now))
            self._next[key] = start + self.interval
        waited = start - now
        if waited > 0:
            self._sleep(waited)
        return waited


@dataclass
class AuditSettings:
    """How pages are fetched and judged.

    ``timeout``: seconds for each network phase (connect, each read); ``total_timeout``:
    seconds for one page, redirects included, enforced on every read and write (a
    server dripping bytes cannot hold a page longer). ``max_bytes``: stop reading the HTML
    beyond this (the page is then ``truncated`` with ``error == "too_large"``; findings
    are made on the part read). ``concurrency``: pages fetched at a time.
    ``allow_private``: allow loopback / private / link-local addresses (off by
    default). ``allowed_hosts``: names or ``name:port`` exempt from the address check.
    ``resolver``: ``(host, port) -> [ip, ...]`` replacing DNS (tests; custom DNS).
    ``probe_hosts``: well-known names resolved when a page's name is "not known", to
    tell a name that does not exist (``dns_failed``) from a server that cannot
    resolve any name (``no_network``: the page could not be checked).
    ``ca_bundle``: a PEM file of certificate authorities to trust instead of certifi's
    (HTTPS is always verified; an invalid certificate is the finding ``tls_error``).
    ``use_browser``: ``"auto"`` (Chromium when available), ``"never"``, ``"always"``
    (raise when Chromium cannot be used). ``first_screen_px`` × ``viewport_width``: the
    phone screen. Thresholds for findings: ``heavy_bytes``, ``many_scripts``,
    ``long_screens``, ``slow_seconds``. ``limiter``: a :class:`HostLimiter` pacing the
    requests to each host (none by default: the Landing pages page audits one account's
    few pages at a time).

    ``slow_seconds`` (3 s): a page whose HTML took longer than this to arrive (all
    redirects included, ``elapsed_ms``) gets the finding ``slow_page``. Three seconds
    because Google's mobile-speed study (DoubleClick, "The need for mobile speed",
    2016) found 53 % of mobile visits abandoned when a page takes longer than 3 s to
    load, and Google/SOASTA (2017) that the chance of a bounce rises by 32 % from 1 s
    to 3 s. We time the HTML only (no images, scripts or rendering), so a phone user
    waits at least this long: the finding never overstates. The fetch runs from the
    operator's server, not from a phone on a mobile network; a page slow from here
    is slow for the searcher too, a fast one may still be slow on a weak signal.

    :meth:`from_env` reads the operator's setting ``OPTIMIZER_AUDIT_ALLOWED_HOSTS``
    (comma-separated names or ``name:port``): the app and the command line both
    build their settings with it.
    """
    timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 2_000_000
    concurrency: int = 4
    allow_private: bool = False
    allowed_hosts: tuple[str, ...] = ()
    resolver: Callable[[str, int], list[str]] | None = None
    probe_hosts: tuple[str, ...] = ("www.baidu.com", "www.qq.com", "www.microsoft.com")
    ca_bundle: str | None = None
    user_agent: str = MOBILE_UA
    accept_language: str = "zh-CN,zh;q=0.9,en;q=0.8"
    max_redirects: int = 5
    first_screen_px: int = 844
    viewport_width: int = 390
    use_browser: str = "auto"
    chromium_path: str = CHROMIUM
    browser_timeout_ms: int = 10_000
    heavy_bytes: int = 500_000
    many_scripts: int = 15
    long_screens: float = 8.0
    slow_seconds: float = 3.0
    #: one request per host at a time interval (:class:`HostLimiter`); None: no pacing
    limiter: HostLimiter | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **kwargs: Any) -> "AuditSettings":
        """Settings with the operator's ``OPTIMIZER_AUDIT_ALLOWED_HOSTS`` (:data:`ENV_ALLOWED_HOSTS`)
        added to ``allowed_hosts``; ``kwargs`` set the other fields."""
        env = os.environ if environ is None else environ
        hosts = tuple(h.strip() for h in env.get(ENV_ALLOWED_HOSTS, "").split(",") if h.strip())
        given = tuple(kwargs.pop("allowed_hosts", ()))
        return cls(allowed_hosts=given + hosts, **kwargs)

    def __post_init__(self) -> None:
        if self.use_browser not in ("auto", "never", "always"):
            raise ValueError(f"use_browser must be auto, never or always, not {self.use_browser!r}")
        if self.concurrency < 1 or self.max_bytes < 1 or self.timeout <= 0 or self.slow_seconds <= 0:
            raise ValueError("concurrency, max_bytes, timeout and slow_seconds must be positive")
        self.allowed_hosts = tuple(h.lower() for h in self.allowed_hosts)


# --------------------------------------------------------------------------- messages

#: error code -> (Chinese, English). ``{detail}`` is filled from ``error_detail``.
ERRORS: dict[str, tuple[str, str]] = {
    "bad_url": ("网址无效，无法访问：{detail}", "The URL is not valid: {detail}"),
    "blocked_scheme": ("只检查 http/https 网址（{detail}）。", "Only http and https URLs are checked ({detail})."),
    "blocked_address": ("出于安全考虑，不访问内网、本机或保留地址（{detail}）。",
                        "Refused for safety: the address is internal, loopback or reserved ({detail})."),
    "dns_failed": ("域名解析失败，这个域名可能不存在或已过期（{detail}）。",
                   "The domain name does not resolve: it may not exist or may have expired ({detail})."),
    "no_network": ("无法检查 {detail}：这台服务器现在连不上互联网（解析不了任何域名，或网络不可达），这不说明页面有问题。"
                   "联网后再检查，或上传页面的 HTML。",
                   "Could not check {detail}: this server cannot reach the internet right now (it resolves no name, "
                   "or the network is unreachable); this says nothing about the page. Check again once online, or "
                   "upload the page's HTML."),
    "connection_failed": ("无法连接到网站服务器（{detail}）。", "Could not connect to the web server ({detail})."),
    "tls_error": ("网站的 HTTPS 证书有问题，访客的手机会显示安全警告（{detail}）。",
                  "The site's HTTPS certificate is not valid; visitors' phones will show a warning ({detail})."),
    "timeout": ("页面打开超时（{detail}）：到时还没有加载完，已停止等待。访客很可能等不及就离开了。",
                "The page timed out ({detail}): it had not finished loading, so we stopped waiting. "
                "Visitors are likely to leave before it loads."),
    "too_many_redirects": ("跳转次数过多或循环跳转（{detail}）。", "Too many redirects, or a redirect loop ({detail})."),
    "too_large": ("页面 HTML 超过 {detail}，只检查了前面部分。落地页这么大，手机上打开会很慢。",
                  "The page's HTML is over {detail}; only the first part was checked. A page this big loads slowly on phones."),
    "not_html": ("这个网址返回的不是网页（{detail}）。", "This URL does not return a web page ({detail})."),
    "http_error": ("页面打不开：服务器返回 {detail}。广告点击会白白花钱。",
                   "The page does not open: the server answers {detail}. Ad clicks are wasted."),
    "protocol_error": ("服务器的响应不完整或格式错误（{detail}）。", "The server's response is broken ({detail})."),
    "empty": ("文件是空的。", "The file is empty."),
    "analysis_failed": ("页面内容无法分析（{detail}）。", "The page could not be analysed ({detail})."),
}

#: what a not_html page's content type is called when the server gives none
UNKNOWN_TYPE = ("未知类型", "unknown type")


def detail_text(code: str, detail: str | None, lang: str = "zh") -> str:
    """The ``{detail}`` of an error's message in ``lang``: only what the user can act
    on. ``dns_failed`` names the host (never the resolver's own text, such as
    "[Errno -2] Name or service not known", which audits kept before said after a
    colon); a ``not_html`` page whose server gives no content type is of
    :data:`UNKNOWN_TYPE`; an empty ``bad_url`` is said to be empty."""
    if code == "dns_failed" and detail:
        return detail.split(": ", 1)[0]
    if code == "not_html" and (not detail or detail == "unknown"):
        return UNKNOWN_TYPE[0 if lang == "zh" else 1]
    if code == "bad_url" and (not detail or detail == "(empty)"):
        return "（空）" if lang == "zh" else "(empty)"
    return detail or code


#: errors that say nothing about the page (it could not be checked from here)
UNCHECKED_ERRORS = frozenset({"no_network"})

#: finding code -> (severity, Chinese, English). Templates use the finding's fields.
FINDINGS: dict[str, tuple[str, str, str]] = {
    "cross_domain_redirect": ("medium",
        "广告网址跳转到了另一个网站（{src} → {dst}）。平台可能判为网址不一致，访客也要多等一次跳转。",
        "The ad's URL redirects to another site ({src} → {dst}). The platform may see a mismatch, and visitors wait for an extra hop."),
    "meta_refresh": ("medium",
        "页面用 meta refresh 自动跳转到 {dst}，会多等一次加载。",
        "The page sends visitors on to {dst} with a meta refresh: one more load to wait for."),
    "no_tel": ("high",
        "页面上没有可以一键拨打的电话按钮（tel: 链接）。",
        "There is no tap-to-call button (tel: link) on the page."),
    "phone_not_clickable": ("high",
        "页面上写着电话 {numbers}，但不能点击拨打，手机访客要自己抄号码。",
        "The page shows the phone number {numbers} but it cannot be tapped to call."),
    "tel_not_first_screen": ("high",
        "首屏没有电话按钮：第一个电话按钮约在第 {screen} 屏（{y} 像素处，首屏高 {fs} 像素）。",
        "No call button on the first screen: the first one is on screen {screen} (about {y}px down; the first screen is {fs}px)."),
    "no_bottom_bar": ("medium",
        "没有固定在屏幕底部的电话/咨询栏，访客往下翻时找不到联系方式。",
        "No call or contact bar fixed to the bottom of the screen: visitors who scroll lose the way to reach you."),
    "bottom_bar_no_tel": ("medium",
        "底部固定栏里没有电话按钮（只有：{holds}）。",
        "The bar fixed at the bottom has no call button (only: {holds})."),
    "no_form": ("low",
        "没有留言/预约表单，不方便打电话的访客无法留下联系方式。",
        "No contact or booking form: visitors who cannot call have no way to leave their number."),
    "no_chat": ("low",
        "没有在线咨询（客服聊天）组件。",
        "No chat widget (online consultation)."),
    "no_trust_signals": ("medium",
        "没有找到让访客放心的内容，例如“公安备案”“全市连锁”“24小时”“上门服务”。",
        "No trust signals found, such as licensed, insured, 24/7 or mobile service."),
    "no_title": ("low", "页面没有标题（<title>）。", "The page has no title (<title>)."),
    "no_viewport": ("medium",
        "页面没有为手机设置 viewport，手机上会缩小显示、文字很小。",
        "The page does not set a mobile viewport: on phones it shows zoomed out, with tiny text."),
    "slow_page": ("medium",
        "页面用了 {seconds} 秒才打开（超过 {limit} 秒）。手机访客等待超过 3 秒，一半以上会离开。",
        "The page took {seconds} s to open (over {limit} s). More than half of phone visitors leave a page "
        "that takes over 3 s."),
    "heavy_page": ("medium",
        "页面 HTML 有 {kb} KB，手机网络下加载慢。",
        "The page's HTML is {kb} KB: slow to load on a mobile connection."),
    "many_scripts": ("low",
        "页面加载了 {n} 个脚本，会拖慢打开速度。",
        "The page loads {n} scripts, which slows it down."),
    "long_page": ("low",
        "页面约有 {screens} 屏长。本地服务的落地页宜短，重点放在首屏。",
        "The page is about {screens} screens long. Local-service pages work best short, with the essentials on the first screen."),
}

#: change code -> (Chinese, English), for :func:`compare`.
CHANGES: dict[str, tuple[str, str]] = {
    "fingerprint_changed": ("页面内容有变化（{what}）。", "The page changed ({what})."),
    "status_changed": ("状态码变了：{before} → {after}。", "The HTTP status changed: {before} → {after}."),
    "error_changed": ("检查结果变了：{before} → {after}。", "The fetch outcome changed: {before} → {after}."),
    "final_url_changed": ("最终打开的网址变了：{before} → {after}。", "The final URL changed: {before} → {after}."),
    "title_changed": ("标题变了：“{before}” → “{after}”。", "The title changed: '{before}' → '{after}'."),
    "tel_removed": ("电话按钮被去掉了：{numbers}。", "Call button removed: {numbers}."),
    "tel_added": ("新增电话按钮：{numbers}。", "Call button added: {numbers}."),
    "tel_first_screen_lost": ("首屏不再有电话按钮。", "The first screen no longer has a call button."),
    "tel_first_screen_gained": ("首屏现在有电话按钮了。", "The first screen now has a call button."),
    "bottom_bar_removed": ("底部固定的电话/咨询栏被去掉了。", "The bar fixed at the bottom was removed."),
    "bottom_bar_added": ("新增了底部固定的电话/咨询栏。", "A bar fixed at the bottom was added."),
    "form_removed": ("表单被去掉了。", "The form was removed."),
    "form_added": ("新增了表单。", "A form was added."),
    "chat_removed": ("在线咨询组件被去掉了：{names}。", "Chat widget removed: {names}."),
    "chat_added": ("新增在线咨询组件：{names}。", "Chat widget added: {names}."),
    "trust_removed": ("信任信号不见了：{names}。", "Trust signals gone: {names}."),
    "trust_added": ("新增信任信号：{names}。", "Trust signals added: {names}."),
}

_WHAT = {"text": ("文字", "text"), "structure": ("结构：标题/电话/表单/客服", "structure: headings, phones, forms, chat")}

# --------------------------------------------------------------------------- vocabularies

#: tracking parameters removed by :func:`clean_url` (case-insensitive), besides every
#: parameter starting with one of :data:`TRACKING_PREFIXES`.
TRACKING_PARAMS: frozenset[str] = frozenset({
    # Google Ads / Analytics
    "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "gad_source", "gad_campaignid", "srsltid", "_ga", "_gl",
    # Microsoft Advertising
    "msclkid",
    # Baidu 百度营销
    "bd_vid", "bd_bxst", "bdclkid",
    # 360 点睛
    "qhclickid",
    # Meta, TikTok, Twitter/X, LinkedIn, Yandex, Instagram
    "fbclid", "ttclid", "twclid", "li_fat_id", "yclid", "igshid",
    # Mailchimp, HubSpot, Matomo/Piwik
    "mc_cid", "mc_eid", "_hsenc", "_hsmi",
})
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hsa_")

#: trust signal label -> regular expression (case-insensitive) over the visible text.
TRUST_SIGNALS: dict[str, str] = {
    "公安备案": r"公安(?:局|机关)?备案|备案开锁|公安局登记",
    "全市连锁": r"全市连锁|全城连锁|连锁(?:店|机构|服务)",
    "24小时": r"24\s*小时|二十四小时|24\s*[hH](?![a-z])|全天候|7\s*[×xX*]\s*24",
    "上门": r"上门",
    "免费上门": r"免费上门|上门免费",
    "持证": r"持证|技师证|资格证|执业证",
    "正规": r"正规",
    "营业执照": r"营业执照|工商注册",
    "明码标价": r"明码标价|收费透明|先报价后|不满意不收费|透明收费",
    "快速到达": r"\d+\s*分钟(?:内)?(?:到达|上门|赶到)|快速上门|距您",
    "licensed": r"\blicen[cs]ed\b",
    "insured": r"\binsured\b|\bbonded\b",
    "24/7": r"24\s*/\s*7|\b24[- ]hours?\b|\bopen 24\b",
    "mobile locksmith": r"\bmobile locksmith|\bwe come to you\b",
    "no call-out fee": r"\bno call[- ]?out (?:fee|charge)|\bfree call[- ]?out\b",
    "upfront pricing": r"\bup-?front pric|\bno hidden (?:fees|charges)\b|\bfixed pric",
    "fast response": r"\b\d+[- ]?min(?:ute)?s?\b[^.]{0,20}\b(?:response|arrival|arrive)|\bfast response\b",
    "background checked": r"\b(?:dbs|background)[- ]checked\b",
    "reviews": r"★|\b\d(?:\.\d)? stars?\b|\breviews?\b",
}

#: chat widget name -> substrings (lower case) looked for in script sources, inline
#: scripts, iframe sources, link targets and onclick handlers.
CHAT_VENDORS: dict[str, tuple[str, ...]] = {
    "53KF": ("53kf.com", "53kf"),
    "百度商桥/爱番番": ("qiao.baidu.com", "aifanfan", "affimvip.baidu.com", "p.qiao.baidu"),
    "快商通": ("kuaishang",),
    "Live800": ("live800",),
    "美洽 Meiqia": ("meiqia",),
    "商务通": ("zoosnet",),
    "乐语": ("looyu",),
    "易聊": ("easyliao",),
    "智齿": ("sobot",),
    "Udesk": ("udesk",),
    "网易七鱼": ("qiyukf",),
    "企业微信客服": ("work.weixin.qq.com/kfid",),
    "WeChat": ("weixin://", "wechat://"),
    "WhatsApp": ("wa.me/", "api.whatsapp.com", "whatsapp://"),
    "Messenger": ("m.me/",),
    "tawk.to": ("tawk.to",),
    "Intercom": ("intercom.io", "intercomcdn", "widget.intercom"),
    "Crisp": ("crisp.chat",),
    "Tidio": ("tidio",),
    "LiveChat": ("livechatinc",),
    "Zendesk": ("zdassets.com", "zopim"),
    "Drift": ("driftt.com", "js.drift.com"),
    "HubSpot chat": ("usemessages.com",),
}

#: analytics / conversion-tracking code name -> substrings.
ANALYTICS: dict[str, tuple[str, ...]] = {
    "百度统计": ("hm.baidu.com",),
    "百度转化追踪": ("ocpc.baidu.com", "_agl", "dgjs.baidu.com"),
    "CNZZ/友盟": ("cnzz.com", "umeng.com"),
    "51LA": ("51.la",),
    "Google tag": ("googletagmanager.com", "google-analytics.com", "gtag("),
    "Microsoft UET": ("bat.bing.com",),
    "Meta pixel": ("connect.facebook.net",),
}

_FORM_CUES = re.compile(r"预约|留言|报价|表单|登记|提交|免费获取|获取报价|quote|book|contact form|request", re.I)
_CHAT_CUES = re.compile(r"在线咨询|在线客服|咨询|客服|聊天|微信|chat|whatsapp|wechat|message us", re.I)
_BAR_NAMES = re.compile(
    r"fixed[-_]?(?:bottom|foot(?:er)?|bar)|(?:bottom|foot(?:er)?)[-_]?fix(?:ed)?|call[-_]?bar|"
    r"bottom[-_]?(?:bar|nav|menu|call|tel)|foot[-_]?(?:bar|nav|menu)|tel[-_]?bar|"
    r"float[-_]?(?:bottom|foot)|dibu|tabbar|sticky[-_]?(?:bottom|footer|bar)", re.I)
_PHONE_TEXT = re.compile(
    r"(?<![\d])(?:1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|[48]00[-\s]?\d{3}[-\s]?\d{4}|0\d{2,3}-\d{7,8}|"
    r"\(?\d{3}\)?[-.\s]\d{3}[-.\s]\d{4}|0\d{3,4}\s\d{3}\s?\d{3,4})(?![\d])")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%7B[^%]*?%7D", re.I)
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "co", "ac", "or", "ne", "go"}

# --------------------------------------------------------------------------- URLs

def clean_url(url: str) -> str:
    """The URL to fetch: placeholders and tracking parameters removed, path kept.

    Removes every ``{...}`` placeholder (also URL-encoded, ``%7B...%7D``): Google's
    ``{lpurl}``, ``{keyword}``, ``{ignore}``, Baidu's ``{keywordid}``, ``{creative}``,
    Microsoft's ``{QueryString}`` ...; a query parameter whose value was only
    placeholders is dropped. Tracking parameters (:data:`TRACKING_PARAMS`, and names
    starting with :data:`TRACKING_PREFIXES` such as ``utm_``) are dropped; other
    parameters are kept as written, in order. The fragment is dropped (never sent to
    the server). A URL without a scheme gets ``http://`` (Baidu exports often write
    ``www.example.com/...``; a site on HTTPS redirects, which counts as normal) — also
    a host without a dot when it names a port (``localhost:8080/lp``, which a URL parser
    would read as the scheme ``localhost``), so that a page key cleans to itself.
    Returns ``""`` when nothing is left (e.g. a bare ``{lpurl}`` tracking template).
    """
    text = (url or "").strip()
    if not text:
        return ""
    text = _PLACEHOLDER.sub(lambda m: "\x00", text)  # mark where placeholders were
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        if text.startswith("//"):
            text = "http:" + text
        elif re.match(r"^(?:[\w.-]+\.[a-zA-Z]{2,}(?::\d+)?|(?!(?i:tel|sms|callto):)[\w-]+:\d{1,5})(?:[/?#]|$)", text.replace("\x00", "")):
            text = "http://" + text
    parts = urlsplit(text)
    path = parts.path.replace("\x00", "")
    query_items = []
    for pair in parts.query.split("&") if parts.query else []:
        if not pair:
            continue
        name, eq, value = pair.partition("=")
        name_clean = name.replace("\x00", "")
        if not name_clean:
            continue
        lname = name_clean.lower()
        if lname in TRACKING_PARAMS or lname.startswith(TRACKING_PREFIXES):
            continue
        if "\x00" in value and not value.replace("\x00", "").strip():
            continue  # value was nothing but placeholders
        query_items.append(name_clean + eq + value.replace("\x00", ""))
    netloc = parts.netloc.replace("\x00", "")
    if not parts.scheme and not netloc:
        rest = urlunsplit(("", "", path, "&".join(query_items), ""))
        return rest.strip()
    host = netloc.lower() if "@" not in netloc else netloc
    return urlunsplit((parts.scheme.lower(), host, path, "&".join(query_items), ""))


def _site(host: str | None) -> str:
    """Registrable domain, approximately: the last two labels, three under com.cn, co.uk ..."""
    host = (host or "").lower().strip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# --------------------------------------------------------------------------- SSRF guard

_EXTRA_BLOCKED = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10",
    "fec0::/10", "ff00::/8")]


def is_blocked_ip(address: str) -> bool:
    """True when ``address`` must not be fetched without ``allow_private``.

    Loopback, private, link-local, multicast, reserved, unspecified, shared (CGNAT),
    benchmarking and documentation ranges, in IPv4 and IPv6; an IPv6 address that
    embeds an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4
    ``2002::/16``, Teredo) is judged by the embedded address. Unparseable → blocked.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = None
        if ip.ipv4_mapped is not None:
            embedded = ip.ipv4_mapped
        elif ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour is not None:
            embedded = ip.sixtofour
        elif ip.teredo is not None:
            server, client = ip.teredo
            return is_blocked_ip(str(server)) or is_blocked_ip(str(client))
        if embedded is not None:
            return is_blocked_ip(str(embedded))
    if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global):
        return True
    return any(ip.version == n.version and ip in n for n in _EXTRA_BLOCKED)


class _Refused(Exception):
    """A fetch stopped on purpose: ``code`` is a key of :data:`ERRORS`."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


def _host_allowed(host: str, port: int, settings: AuditSettings) -> bool:
    host = host.lower().strip("[]")
    return host in settings.allowed_hosts or f"{host}:{port}" in settings.allowed_hosts


#: getaddrinfo's answers for "this name does not exist" (any other failure — EAI_AGAIN,
#: EAI_FAIL, EAI_SYSTEM … — says the lookup itself failed: the page could not be checked)
_NO_SUCH_NAME = {getattr(socket, n) for n in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY") if hasattr(socket, n)}
#: connect errors that mean this server has no route out, not that the site is down
_NO_ROUTE = {getattr(__import__("errno"), n) for n in ("ENETUNREACH", "ENETDOWN")}


def _resolves_any(settings: AuditSettings) -> bool:
    """Whether one of ``settings.probe_hosts`` resolves: a resolver that says "no such
    name" for these too cannot resolve anything (no network, no DNS server)."""
    for name in settings.probe_hosts:
        try:
            if settings.resolver is not None:
                found = list(settings.resolver(name, 443))
            else:
                found = socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            continue
        if found:
            return True
    return False


def _no_route(exc: BaseException) -> bool:
    """Whether an OSError among ``exc``'s causes says this server has no network route."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in _NO_ROUTE:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _resolve_checked(host: str, port: int, settings: AuditSettings) -> list[str]:
    """The addresses to connect to, all checked; raises :class:`_Refused`."""
    host = host.strip("[]")
    try:
        if settings.resolver is not None:
            addresses = list(settings.resolver(host, port))
        else:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(info[4][0] for info in infos))
    except UnicodeError as exc:
        raise _Refused("dns_failed", host) from exc
    except socket.gaierror as exc:
        if exc.errno in _NO_SUCH_NAME and _resolves_any(settings):
            raise _Refused("dns_failed", host) from exc
        raise _Refused("no_network", host) from exc
    if not addresses:
        raise _Refused("dns_failed", host)
    if not settings.allow_private and not _host_allowed(host, port, settings):
        bad = [a for a in addresses if is_blocked_ip(a)]
        if bad:
            shown = host if host == bad[0] else f"{host} → {bad[0]}"
            raise _Refused("blocked_address", shown)
    return addresses


#: the monotonic-clock deadline of the fetch running in this thread (set by :func:`_fetch`)
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("audit_deadline", default=None)


class _Overdue(httpcore.TimeoutException):
    """The page's total deadline (``AuditSettings.total_timeout``) passed during a network operation."""


def _within_deadline(op: Callable[..., Any], timeout: float | None, *args: Any, **kwargs: Any) -> Any:
    """Run one network operation (connect, TLS handshake, read, write) with its timeout cut
    to what is left of the fetch's total deadline, so no phase can outlast the page's
    ``total_timeout`` however the server paces its bytes (httpcore only knows per-phase
    timeouts). Raises :class:`_Overdue` when the deadline passes."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return op(*args, timeout=timeout, **kwargs)
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Overdue("total deadline passed")
    if timeout is not None and timeout <= left:
        return op(*args, timeout=timeout, **kwargs)
    try:
        return op(*args, timeout=left, **kwargs)
    except httpcore.TimeoutException as exc:
        raise _Overdue("total deadline passed") from exc


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _within_deadline(self._inner.read, timeout, max_bytes)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _within_deadline(self._inner.write, timeout, buffer)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _DeadlineStream(_within_deadline(self._inner.start_tls, timeout, ssl_context,
                                                server_hostname=server_hostname))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore network backend that resolves, checks and connects to the checked address.

    TLS (``start_tls``) is done by httpcore on the returned stream with the URL's host
    name as SNI and for certificate verification, so pinning the IP costs nothing in
    HTTPS security."""

    def __init__(self, settings: AuditSettings):
        self._settings = settings
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last: Exception | None = None
        for address in _resolve_checked(host, port, self._settings):
            try:
                return _DeadlineStream(_within_deadline(
                    self._inner.connect_tcp, timeout, address, port,
                    local_address=local_address, socket_options=socket_options))
            except httpcore.ConnectError as exc:  # try the next checked address
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover
        raise _Refused("blocked_scheme", "unix socket")

    def sleep(self, seconds: float) -> None:  # pragma: no cover
        self._inner.sleep(seconds)


class _Stream(httpx.SyncByteStream):
    def __init__(self, stream):
        self._stream = stream

    def __iter__(self):
        yield from self._stream

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


class _GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that uses :class:`_GuardedBackend`.

    (httpx 0.28 does not expose httpcore's ``network_backend``; this mirrors its
    default transport, HTTP/1.1 only, no proxies.)"""

    def __init__(self, settings: AuditSettings):
        self._pool = httpcore.ConnectionPool(
            ssl_context=(ssl.create_default_context(cafile=settings.ca_bundle) if settings.ca_bundle
                         else httpx.create_ssl_context(trust_env=False)),
            max_connections=settings.concurrency * 2,
            max_keepalive_connections=settings.concurrency, retries=0, http1=True, http2=False,
            network_backend=_GuardedBackend(settings))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        resp = self._pool.handle_request(req)
        return httpx.Response(status_code=resp.status, headers=resp.headers,
                              stream=_Stream(resp.stream), extensions=resp.extensions)

    def close(self) -> None:
        self._pool.close()


# The same guard for the server's other outgoing connections (the alerts' webhooks and
# SMTP hosts, :mod:`optimizer.notify`): one check, not a second copy of it.

#: a connection refused by the guard: ``code`` (``blocked_address``, ``dns_failed``,
#: ``no_network``) and ``detail`` (the host, never a URL's path or query)
Refused = _Refused


def resolve_checked(host: str, port: int, settings: AuditSettings) -> list[str]:
    """The addresses of ``host`` to connect to, every one checked as the audit checks
    its pages' (``settings.allowed_hosts`` / ``allow_private`` exempt); raises
    :class:`Refused`. Connect to one of these addresses, never to the name again."""
    return _resolve_checked(host, port, settings)


def guarded_transport(settings: AuditSettings) -> httpx.BaseTransport:
    """An httpx transport whose every connection is checked and pinned as the audit's
    (see "Fetching safely"); pair it with ``trust_env=False`` and no redirects."""
    return _GuardedTransport(settings)


def _client(settings: AuditSettings) -> httpx.Client:
    return httpx.Client(
        transport=_GuardedTransport(settings), trust_env=False, follow_redirects=False,
        timeout=httpx.Timeout(settings.timeout),
        headers={"User-Agent": settings.user_agent, "Accept-Language": settings.accept_language,
                 "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})


# --------------------------------------------------------------------------- fetching

@dataclass
class _Fetched:
    status: int | None = None
    chain: list = field(default_factory=list)
    final_url: str | None = None
    body: bytes = b""
    truncated: bool = False
    content_type: str | None = None
    charset: str | None = None
    error: str | None = None
    detail: str | None = None


def _classify(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, _Refused):
        return exc.code, exc.detail
    text = str(exc) or type(exc).__name__
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException)):
        return "timeout", type(exc).__name__
    if isinstance(exc, (httpx.UnsupportedProtocol, httpcore.UnsupportedProtocol, httpx.InvalidURL)):
        return "bad_url", text
    if isinstance(exc, (httpx.ConnectError, httpcore.ConnectError)):
        if _no_route(exc):
            return "no_network", ""
        if "ssl" in text.lower() or "certificate" in text.lower():
            return "tls_error", text[:200]
        return "connection_failed", text[:200]
    if isinstance(exc, (httpx.RemoteProtocolError, httpcore.RemoteProtocolError,
                        httpx.LocalProtocolError, httpcore.LocalProtocolError)):
        return "protocol_error", text[:200]
    return "connection_failed", text[:200]


def _fetch(url: str, settings: AuditSettings, client: httpx.Client) -> _Fetched:
    """GET ``url``, following redirects by hand; ``status`` is the last response received.

    The whole exchange — every hop's connect, TLS handshake, request, headers and body —
    ends by ``settings.total_timeout``: each network operation's timeout is cut to what
    is left (:func:`_within_deadline`), so a server dripping bytes just under the
    per-phase ``timeout`` is stopped at the deadline with the error ``timeout``."""
    deadline = time.monotonic() + settings.total_timeout
    token = _DEADLINE.set(deadline)
    try:
        return _fetch_hops(url, settings, client, deadline)
    finally:
        _DEADLINE.reset(token)


def _fetch_hops(url: str, settings: AuditSettings, client: httpx.Client, deadline: float) -> _Fetched:
    out = _Fetched()
    total = f"{settings.total_timeout:g} s"
    current = url
    for _hop in range(settings.max_redirects + 1):
        scheme = urlsplit(current).scheme.lower()
        if scheme not in ("http", "https"):
            out.error, out.detail = ("blocked_scheme", scheme or current) if scheme else ("bad_url", current)
            return out
        if settings.limiter is not None:
            settings.limiter.wait(urlsplit(current).hostname)
        try:
            with client.stream("GET", current) as resp:
                out.status = resp.status_code
                out.chain.append((current, resp.status_code))
                out.final_url = current
                location = resp.headers.get("location")
                if resp.status_code in (301, 302, 303, 307, 308) and location:
                    current = urljoin(current, location.strip())
                    continue
                if resp.status_code >= 400:
                    out.error, out.detail = "http_error", f"HTTP {resp.status_code}"
                    return out
                ctype = resp.headers.get("content-type", "")
                out.content_type = ctype.split(";")[0].strip().lower() or None
                m = re.search(r"charset=[\"']?([\w.:-]+)", ctype, re.I)
                out.charset = m.group(1) if m else None
                if out.content_type and not (
                        "html" in out.content_type or out.content_type in ("text/plain", "application/octet-stream")):
                    out.error, out.detail = "not_html", out.content_type
                    return out
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():  # as received, so the deadline is checked often
                    if time.monotonic() > deadline:
                        out.error, out.detail = "timeout", total
                        out.body = b"".join(chunks)
                        return out
                    if size + len(chunk) > settings.max_bytes:
                        chunks.append(chunk[: settings.max_bytes - size])
                        size = settings.max_bytes
                        out.truncated = True
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                out.body = b"".join(chunks)
                if out.truncated:
                    out.error, out.detail = "too_large", _size_text(settings.max_bytes)
                elif not out.content_type or out.content_type in ("text/plain", "application/octet-stream"):
                    head = out.body[:2048].lstrip().lower()
                    if not (head.startswith(b"<!doctype html") or b"<html" in head or b"<body" in head
                            or b"<head" in head):
                        out.error, out.detail = "not_html", out.content_type  # None: named in the message
                return out
        except Exception as exc:  # every failure becomes a code, never an exception
            out.error, out.detail = _classify(exc)
            if out.error == "no_network":
                out.detail = out.detail or urlsplit(current).hostname or current
            if out.error == "timeout":  # the total deadline, or one phase's own timeout
                out.detail = total if isinstance(exc, _Overdue) else f"{settings.timeout:g} s"
            if out.chain and out.chain[-1][0] != current:  # a redirect target failed: name it
                out.detail = f"{current}: {out.detail}"
            return out
        if time.monotonic() > deadline:
            out.error, out.detail = "timeout", f"{current}: {total}"
            return out
    out.error, out.detail = "too_many_redirects", f"> {settings.max_redirects}"
    return out


def _size_text(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} KB"


def _decode(body: bytes, charset: str | None) -> tuple[str, str]:
    """Text of an HTML body: BOM, then HTTP charset, then <meta> charset, then UTF-8, then GB18030."""
    aliases = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
               "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}
    candidates: list[str] = []
    if body.startswith(b"\xef\xbb\xbf"):
        candidates.append("utf-8-sig")
    elif body.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.append("utf-16")
    if charset:
        candidates.append(charset)
    m = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", body[:4096], re.I)
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        enc = aliases.get(enc.lower(), enc.lower())
        try:
            return body.decode(enc), enc
        except UnicodeDecodeError as exc:
            if exc.start >= len(body) - 4:  # cut in the middle of a character (size cap)
                return body[: exc.start].decode(enc), enc
        except LookupError:
            continue
    return body.decode("utf-8", "replace"), "utf-8"


# --------------------------------------------------------------------------- the audit

@dataclass
class PageAudit:
    """One audited page. Every field is JSON-friendly (see :meth:`to_dict`).

    ``error`` is None or a key of :data:`ERRORS` (``error_detail`` says more); with
    ``too_large`` the findings describe the part read. ``tel_on_first_screen`` is None
    when the page could not be analysed; ``first_screen_method`` is ``"browser"`` or
    ``"heuristic"`` (see the module docstring). ``findings`` are dicts ``{code,
    severity, zh, en}``, most severe first.
    """
    url: str
    fetched_url: str = ""
    source: str = "http"
    audited_at: str = ""
    status: int | None = None
    error: str | None = None
    error_detail: str | None = None
    redirect_chain: list = field(default_factory=list)
    final_url: str | None = None
    cross_domain_redirect: bool = False
    bytes: int = 0
    truncated: bool = False
    elapsed_ms: int = 0
    content_type: str | None = None
    encoding: str | None = None
    title: str = ""
    headings: list = field(default_factory=list)
    text_excerpt: str = ""
    text: str = ""
    first_screen_text: str = ""
    tel_links: list = field(default_factory=list)
    tel_details: list = field(default_factory=list)
    phones_in_text: list = field(default_factory=list)
    tel_on_first_screen: bool | None = None
    first_tel_y: int | None = None
    first_screen_method: str | None = None
    fixed_bottom_bar: bool = False
    bottom_bar_holds: list = field(default_factory=list)
    bottom_bar_method: str | None = None
    side_tel: bool = False
    has_form: bool = False
    n_forms: int = 0
    form_fields: list = field(default_factory=list)
    has_chat: bool = False
    chat_vendors: list = field(default_factory=list)
    analytics: list = field(default_factory=list)
    trust_signals: list = field(default_factory=list)
    has_viewport: bool = False
    meta_refresh: str | None = None
    n_scripts: int = 0
    page_weight: dict = field(default_factory=dict)
    est_height_px: int | None = None
    screens: float | None = None
    text_hash: str | None = None
    structure_hash: str | None = None
    fingerprint: str | None = None
    findings: list = field(default_factory=list)
    browser_error: str | None = None

    @property
    def ok(self) -> bool:
        """The page was read (possibly truncated) and analysed."""
        return self.fingerprint is not None

    @property
    def checked(self) -> bool:
        """Whether the audit says anything about the page: False when the server could
        not reach the internet (``no_network``), whatever the page is like."""
        return self.error not in UNCHECKED_ERRORS

    def error_message(self, lang: str = "zh") -> str | None:
        if self.error is None:
            return None
        zh, en = ERRORS.get(self.error, ("{detail}", "{detail}"))
        return (zh if lang == "zh" else en).format(detail=detail_text(self.error, self.error_detail, lang))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["redirect_chain"] = [list(p) for p in self.redirect_chain]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "PageAudit":
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in names}
        kwargs["redirect_chain"] = [tuple(p) for p in d.get("redirect_chain") or []]
        return cls(**kwargs)


def to_json(audits: Iterable[PageAudit]) -> str:
    """Audits as a JSON document (a list of objects), to keep between sessions."""
    return json.dumps([a.to_dict() for a in audits], ensure_ascii=False, indent=1)


def from_json(text: str) -> list[PageAudit]:
    """Audits read back from :func:`to_json`."""
    data = json.loads(text)
    if isinstance(data, dict):
        data = [data]
    return [PageAudit.from_dict(d) for d in data]


def _as_audit(a: PageAudit | dict) -> PageAudit:
    return a if isinstance(a, PageAudit) else PageAudit.from_dict(a)


# --------------------------------------------------------------------------- HTML analysis

_BLOCK = {"address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div",
          "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
          "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
          "table", "tr", "ul"}
_SKIP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "base"}
_LINE = {"h1": 40, "h2": 34, "h3": 30}
_INPUT_SKIP = {"hidden", "submit", "button", "image", "reset"}


def _decls(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            out[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return out


def _media_ok(prelude: str, width: int) -> bool:
    q = prelude.lower()
    if "print" in q and "screen" not in q and " all" not in q:
        return False
    if "landscape" in q:
        return False
    for kind, num, unit in re.findall(r"(min|max)-width\s*:\s*([\d.]+)\s*(px|em|rem)?", q):
        px = float(num) * (16 if unit in ("em", "rem") else 1)
        if (kind == "min" and width < px) or (kind == "max" and width > px):
            return False
    return True


def _css_rules(css: str, width: int) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) of a stylesheet, @media blocks kept when they match ``width``."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: list[tuple[str, dict[str, str]]] = []
    stack: list[Any] = []
    start = 0
    for m in re.finditer(r"[{}]", css):
        if m.group() == "{":
            prelude = css[start:m.start()].strip()
            low = prelude.lower()
            if low.startswith("@media"):
                kind: Any = "group" if _media_ok(prelude, width) else "skip"
            elif low.startswith(("@supports", "@layer", "@container", "@document")):
                kind = "group"
            elif low.startswith("@"):
                kind = "skip"
            else:
                kind = ("rule", prelude)
            stack.append(kind)
        elif stack:
            kind = stack.pop()
            if isinstance(kind, tuple) and "skip" not in stack:
                rules.append((kind[1], _decls(css[start:m.start()])))
        start = m.end()
    return rules


def _select(soup: BeautifulSoup, selector: str) -> list[Tag]:
    for attempt in (selector, re.sub(r"::?[a-zA-Z-]+(?!\()", "", selector)):
        try:
            return soup.select(attempt) if attempt.strip() else []
        except Exception:  # soupsieve rejects pseudo-classes it cannot evaluate
            continue
    return []


def _styles(soup: BeautifulSoup, width: int) -> dict[int, dict[str, str]]:
    """Merged declarations (position, top, bottom, left, right, display, visibility) per element id."""
    wanted = ("position", "top", "bottom", "left", "right", "display", "visibility")
    merged: dict[int, dict[str, str]] = {}
    n = 0
    for style in soup.find_all("style"):
        for selector, decls in _css_rules(style.get_text(), width):
            relevant = {k: v for k, v in decls.items() if k in wanted}
            if not relevant:
                continue
            n += 1
            if n > 600:
                break
            for sel in selector.split(","):
                for el in _select(soup, sel.strip()):
                    merged.setdefault(id(el), {}).update(relevant)
    for el in soup.find_all(style=True):
        relevant = {k: v for k, v in _decls(el.get("style", "")).items() if k in wanted}
        if relevant:
            merged.setdefault(id(el), {}).update(relevant)
    return merged


def _zeroish(value: str | None) -> bool:
    if value is None:
        return False
    m = re.match(r"^(-?[\d.]+)\s*(px|rem|em|%|vh)?$", value)
    return bool(m) and float(m.group(1)) <= 20


def _fixed_kind(el: Tag, decls: dict[str, str] | None) -> tuple[str, str] | None:
    """(where, how) for a fixed element: where in bottom/top/side; how in css/class-name."""
    if decls and decls.get("position") in ("fixed", "sticky"):
        top = decls.get("top", "auto")
        bottom = decls.get("bottom", "auto")
        if bottom != "auto" and top == "auto":
            return "bottom", "css"
        if top == "auto" and decls["position"] == "sticky":
            return None  # sticky without an offset does not stick
        if top != "auto" and _zeroish(top):
            return "top", "css"
        return "side", "css"  # floating buttons half-way down an edge
    names = " ".join(el.get("class") or []) + " " + (el.get("id") or "")
    if _BAR_NAMES.search(names):
        return "bottom", "class-name"
    return None


def _hidden(el: Tag, decls: dict[str, str] | None) -> bool:
    if el.has_attr("hidden") or (el.name == "input" and (el.get("type") or "").lower() == "hidden"):
        return True
    return bool(decls) and (decls.get("display") == "none" or decls.get("visibility") == "hidden")


def _units(text: str) -> float:
    u = 0.0
    for ch in text:
        if ch.isspace():
            u += 0.3
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            u += 1.0
        else:
            u += 0.55
    return u


def _px(value: Any) -> float | None:
    if value is None:
        return None
    m = re.match(r"^\s*([\d.]+)\s*(px)?\s*$", str(value))
    return float(m.group(1)) if m else None


def _img_height(el: Tag, width: int) -> float:
    style = _decls(el.get("style", ""))
    w = _px(el.get("width")) or _px(style.get("width"))
    h = _px(el.get("height")) or _px(style.get("height"))
    if h and w:
        return h * min(1.0, width / w) if w > 0 else h
    if h:
        return h
    if w:
        return min(w, width) * 0.5
    return 180.0


def _tel_number(href: str) -> str:
    num = href.split(":", 1)[1] if ":" in href else href
    num = num.split("?")[0].split(";")[0]
    return re.sub(r"[^\d+]", "", num)


def _tel_of(el: Tag) -> str | None:
    href = (el.get("href") or "").strip()
    if el.name == "a" and href.lower().startswith("tel:"):
        return _tel_number(href)
    onclick = el.get("onclick") or ""
    m = re.search(r"tel:\s*([+\d][\d\s()+-]{4,})", onclick, re.I)
    return re.sub(r"[^\d+]", "", m.group(1)) if m else None


def _holds(el: Tag) -> list[str]:
    """What a bar holds: tel / form / chat."""
    out = []
    tels = [t for t in el.find_all(True) if _tel_of(t)] + ([el] if _tel_of(el) else [])
    if tels:
        out.append("tel")
    text = el.get_text(" ", strip=True)
    fields = [f for f in el.find_all(["input", "textarea", "select"])
              if (f.get("type") or "text").lower() not in _INPUT_SKIP]
    if fields or el.find("form") or _FORM_CUES.search(text):
        out.append("form")
    blob = " ".join(str(t.get(a) or "") for t in el.find_all(True) for a in ("href", "onclick", "src")).lower()
    if any(p in blob for pats in CHAT_VENDORS.values() for p in pats) or _CHAT_CUES.search(text):
        out.append("chat")
    return out


def _sha(obj: Any) -> str:
    data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _analyse(audit: PageAudit, html: str, settings: AuditSettings) -> None:
    """Fill the page fields of ``audit`` from ``html`` (heuristic first screen)."""
    width, fs = settings.viewport_width, settings.first_screen_px
    soup = BeautifulSoup(html, "lxml")
    audit.title = _norm(soup.title.get_text()) if soup.title else ""
    audit.has_viewport = bool(soup.find("meta", attrs={"name": re.compile("^viewport$", re.I)}))
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.I)})
    if refresh:
        m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", refresh.get("content") or "", re.I)
        audit.meta_refresh = m.group(1).strip() if m else None

    # resources, chat widgets, analytics (before scripts are dropped from the tree)
    scripts = soup.find_all("script")
    external = [s for s in scripts if s.get("src")]
    blob_parts = [s.get("src") or s.get_text()[:20000] for s in scripts]
    for tag, attr in (("iframe", "src"), ("a", "href"), ("link", "href"), ("img", "src")):
        blob_parts += [t.get(attr) or "" for t in soup.find_all(tag)]
    blob_parts += [t.get("onclick") or "" for t in soup.find_all(onclick=True)]
    blob = "\n".join(blob_parts).lower()
    audit.chat_vendors = [n for n, pats in CHAT_VENDORS.items() if any(p in blob for p in pats)]
    audit.has_chat = bool(audit.chat_vendors)
    audit.analytics = [n for n, pats in ANALYTICS.items() if any(p in blob for p in pats)]
    audit.n_scripts = len(scripts)
    audit.page_weight = {
        "html_bytes": audit.bytes, "scripts": len(scripts), "external_scripts": len(external),
        "inline_script_bytes": sum(len(s.get_text().encode("utf-8")) for s in scripts if not s.get("src")),
        "stylesheets": len([l for l in soup.find_all("link") if "stylesheet" in (l.get("rel") or [])]),
        "style_blocks": len(soup.find_all("style")), "images": len(soup.find_all("img")),
        "iframes": len(soup.find_all("iframe")),
    }

    styles = _styles(soup, width)

    # forms
    forms = soup.find_all("form")
    sig = []
    for f in forms:
        fields = [f"{(i.get('type') or i.name).lower()}:{(i.get('name') or i.get('placeholder') or '').strip()}"
                  for i in f.find_all(["input", "textarea", "select"])
                  if (i.get("type") or "text").lower() not in _INPUT_SKIP]
        if fields:
            sig.append(sorted(fields))
    loose = [i for i in soup.find_all(["input", "textarea"]) if not i.find_parent("form")
             and (i.get("type") or "text").lower() not in _INPUT_SKIP
             and re.search(r"phone|mobile|tel|手机|电话|姓名|name|留言|message",
                           " ".join(str(i.get(a) or "") for a in ("type", "name", "placeholder", "id")), re.I)]
    if loose:
        sig.append(sorted(f"{(i.get('type') or i.name).lower()}:{(i.get('name') or i.get('placeholder') or '').strip()}"
                          for i in loose))
    audit.form_fields = sig
    audit.n_forms = len(sig)
    audit.has_form = bool(sig)

    # all tel links, wherever they are
    tel_nums = [n for n in (_tel_of(t) for t in soup.find_all(True)) if n]
    audit.tel_links = list(dict.fromkeys(tel_nums))

    for t in soup.find_all(list(_SKIP - {"head", "title"})):
        t.decompose()

    # walk in document order, estimating vertical positions
    cw = max(width - 32, 100)
    y = 0.0
    units = 0.0
    line_h = 24
    texts: list[str] = []
    fs_texts: list[str] = []
    details: list[dict] = []
    bars: list[tuple[Tag, str, str]] = []
    headings: list[list[str]] = []

    def flush() -> None:
        nonlocal y, units
        if units > 0:
            cpl = cw / (line_h / 1.5)
            y += math.ceil(units / cpl) * line_h + 8
            units = 0.0

    body = soup.body or soup
    stack: list[tuple[Any, bool, Any]] = [(body, False, None)]  # (node, exiting, fixed-where)
    while stack:
        node, exiting, fixed = stack.pop()
        if exiting:
            if node.name in _BLOCK and fixed is None:
                flush()
            if node.name in _LINE:
                line_h = 24
            continue
        if isinstance(node, NavigableString):
            if isinstance(node, (Comment, Doctype, Declaration, ProcessingInstruction, CData)):
                continue
            s = str(node)
            if not s.strip():
                continue
            texts.append(s)
            if fixed is not None or y + (units / (cw / (line_h / 1.5))) * line_h < fs:
                fs_texts.append(s)
            if fixed is None:
                units += _units(s.strip())
            continue
        if not isinstance(node, Tag) or node.name in _SKIP:
            continue
        decls = styles.get(id(node))
        if _hidden(node, decls):
            continue
        here = fixed
        if fixed is None:
            kind = _fixed_kind(node, decls)
            if kind is not None:
                here = kind[0]
                bars.append((node, kind[0], kind[1]))
        name = node.name
        if name in ("h1", "h2", "h3"):
            headings.append([name, _norm(node.get_text(" "))])
        if here is None:
            if name in _BLOCK:
                flush()
            if name in _LINE:
                line_h = _LINE[name]
            if name == "br":
                if units > 0:
                    flush()
                else:
                    y += line_h
            elif name == "hr":
                flush()
                y += 16
            elif name == "img":
                h = _img_height(node, width)
                if h <= 32:
                    units += 1.5
                else:
                    flush()
                    y += h
            elif name in ("input", "select", "textarea"):
                if (node.get("type") or "text").lower() != "hidden":
                    flush()
                    y += 80 if name == "textarea" else 44
            elif name in ("iframe", "video", "canvas", "embed", "object", "svg"):
                h = _px(node.get("height")) or _px(_decls(node.get("style", "")).get("height"))
                if h is None:
                    h = 24 if name == "svg" else 200
                if h > 32:
                    flush()
                y += h if h > 32 else 0
        num = _tel_of(node)
        if num:
            cpl = cw / (line_h / 1.5)
            at = y + math.floor(units / cpl) * line_h
            details.append({"number": num, "text": _norm(node.get_text(" "))[:60],
                            "y": None if here is not None else int(at), "fixed": here})
        stack.append((node, True, here))
        for child in reversed(list(node.children)):
            stack.append((child, False, here))
    flush()

    audit.headings = headings[:40]
    text = _norm(" ".join(texts))
    audit.text = text[:50_000]
    audit.text_excerpt = text[:300]
    audit.first_screen_text = _norm(" ".join(fs_texts))[:2000]
    audit.tel_details = details
    audit.est_height_px = int(y)
    audit.screens = round(y / fs, 1) if fs else None
    # the bottom bar is judged on its own (fixed_bottom_bar / bottom_bar_holds): a call
    # button "on the first screen" is one in the page's top part, or floating at the top
    # or the side
    on_fs = [d for d in details if d["fixed"] in ("top", "side") or (d["y"] is not None and d["y"] < fs)]
    flow = [d["y"] for d in details if d["y"] is not None]
    audit.tel_on_first_screen = bool(on_fs)
    audit.first_tel_y = min(flow) if flow else None
    audit.first_screen_method = "heuristic"
    bottom = [(el, how) for el, where, how in bars if where == "bottom"]
    # prefer a bar found from styles over one found by its class name, then one holding a tel
    bottom.sort(key=lambda p: (p[1] != "css", "tel" not in _holds(p[0])))
    if bottom:
        audit.fixed_bottom_bar = True
        audit.bottom_bar_holds = _holds(bottom[0][0])
        audit.bottom_bar_method = "css" if bottom[0][1] == "css" else "class-name"
    else:
        audit.fixed_bottom_bar, audit.bottom_bar_holds, audit.bottom_bar_method = False, [], None
    audit.side_tel = any(d["fixed"] == "side" for d in details)

    # trust signals and phone numbers written as text
    flat = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", " ".join(texts)))
    audit.trust_signals = [label for label, pat in TRUST_SIGNALS.items() if re.search(pat, flat, re.I)]
    phones = [re.sub(r"[^\d]", "", m) for m in _PHONE_TEXT.findall(flat)]
    audit.phones_in_text = list(dict.fromkeys(p for p in phones if len(p) >= 7))

    _fingerprint(audit)


def _fingerprint(audit: PageAudit) -> None:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", audit.text))
    structure = {"title": re.sub(r"\s+", "", audit.title),
                 "headings": [[h, re.sub(r"\s+", "", t)] for h, t in audit.headings],
                 "tel": sorted(audit.tel_links), "forms": sorted(audit.form_fields),
                 "chat": sorted(audit.chat_vendors)}
    audit.text_hash = _sha(text)
    audit.structure_hash = _sha(structure)
    audit.fingerprint = _sha(audit.text_hash + audit.structure_hash)


# --------------------------------------------------------------------------- browser

def browser_available(settings: AuditSettings | None = None) -> bool:
    """Chromium at ``settings.chromium_path`` and Playwright importable."""
    path = (settings or AuditSettings()).chromium_path
    return Path(path).exists() and importlib.util.find_spec("playwright") is not None


_MEASURE_JS = """
() => {
  const vh = window.innerHeight, vw = window.innerWidth;
  const visible = (el) => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  const isFixed = (el) => { const p = getComputedStyle(el).position; return p === 'fixed' || p === 'sticky'; };
  const isBar = (el) => { const r = el.getBoundingClientRect();
    return isFixed(el) && r.bottom >= vh - 4 && r.top >= vh * 0.5 && r.width >= vw * 0.5; };
  const tels = [...document.querySelectorAll('a[href^="tel:" i], [onclick*="tel:" i]')];
  const telInfo = tels.map(a => { const r = a.getBoundingClientRect(); let inBar = false;
    for (let e = a; e && e !== document.body; e = e.parentElement) if (isBar(e)) { inBar = true; break; }
    return {href: a.getAttribute('href') || a.getAttribute('onclick') || '', top: r.top, bottom: r.bottom,
            visible: visible(a), inBar}; });
  const fixed = [...document.querySelectorAll('body *')].filter(el => isFixed(el) && visible(el));
  const bars = [], sides = [];
  for (const el of fixed) {
    const r = el.getBoundingClientRect();
    if (isBar(el)) bars.push(el.outerHTML.slice(0, 20000));
    else if (r.width < vw * 0.5 && r.top < vh && r.bottom > 0) sides.push(el.outerHTML.slice(0, 20000));
  }
  const texts = []; const w = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  let n; while ((n = w.nextNode())) { const t = n.textContent.trim(); if (!t) continue;
    const range = document.createRange(); range.selectNodeContents(n); const b = range.getBoundingClientRect();
    if (b.height > 0 && b.top < vh && b.bottom > 0) texts.push(t); }
  return {vh, vw, tels: telInfo, bars, sides, fsText: texts.join(' ').slice(0, 4000),
          height: document.documentElement.scrollHeight};
}
"""


class _Renderer:
    """One headless Chromium for a batch of pages; no network, no JavaScript."""

    def __init__(self, settings: AuditSettings):
        self.settings = settings
        self._pw = self._browser = self._context = None
        self.error: str | None = None

    def _start(self) -> bool:
        if self._context is not None:
            return True
        if self.error is not None:
            return False
        try:
            from playwright.sync_api import sync_playwright
            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=self.settings.chromium_path,
                                                     args=BROWSER_FLAGS, headless=True)
            self._context = self._browser.new_context(
                viewport={"width": self.settings.viewport_width, "height": self.settings.first_screen_px},
                is_mobile=True, has_touch=True, device_scale_factor=1, java_script_enabled=False,
                offline=True, user_agent=self.settings.user_agent)
            self._context.route("**/*", lambda route: route.abort())
            return True
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {str(exc)[:200]}"
            self.close()
            return False

    def measure(self, html: str) -> dict | None:
        if not self._start():
            return None
        page = None
        try:
            page = self._context.new_page()
            page.set_content(html, wait_until="domcontentloaded", timeout=self.settings.browser_timeout_ms)
            return page.evaluate(_MEASURE_JS)
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {str(exc)[:200]}"
            return None
        finally:
            if page is not None:
                try:
                    page.close()
                except Exception:
                    pass

    def close(self) -> None:
        for obj, meth in ((self._context, "close"), (self._browser, "close"), (self._pw, "stop")):
            if obj is not None:
                try:
                    getattr(obj, meth)()
                except Exception:
                    pass
        self._pw = self._browser = self._context = None


def _apply_browser(audit: PageAudit, m: dict, settings: AuditSettings) -> None:
    vh = m["vh"] or settings.first_screen_px
    # without a viewport meta the page is laid out 980 px wide and scaled down: convert
    # CSS pixels to phone-screen pixels
    scale = settings.first_screen_px / vh
    vis = [t for t in m["tels"] if t["visible"] and not t["inBar"]]
    audit.tel_on_first_screen = any(t["top"] < vh and t["bottom"] > 0 for t in vis)
    audit.first_tel_y = int(min(t["top"] for t in vis) * scale) if vis else None
    audit.first_screen_method = "browser"
    audit.first_screen_text = _norm(m.get("fsText", ""))[:2000]
    audit.est_height_px = int(m["height"] * scale)
    audit.screens = round(m["height"] / vh, 1)
    if m["bars"]:
        holds = [_holds(BeautifulSoup(h, "lxml")) for h in m["bars"]]
        holds.sort(key=lambda h: "tel" not in h)
        audit.fixed_bottom_bar, audit.bottom_bar_holds, audit.bottom_bar_method = True, holds[0], "browser"
    elif audit.bottom_bar_method != "class-name":
        # a bar named like one but styled by an external stylesheet is invisible to the
        # offline browser: keep a class-name finding, drop the rest
        audit.fixed_bottom_bar, audit.bottom_bar_holds, audit.bottom_bar_method = False, [], None
    audit.side_tel = any("tel" in _holds(BeautifulSoup(h, "lxml")) for h in m["sides"])


# --------------------------------------------------------------------------- findings

def _finding(code: str, **fields: Any) -> dict:
    sev, zh, en = FINDINGS[code]
    return {"code": code, "severity": sev, "zh": zh.format(**fields), "en": en.format(**fields), **fields}


def _findings(audit: PageAudit, settings: AuditSettings) -> None:
    out: list[dict] = []
    if audit.error is not None:
        zh, en = ERRORS[audit.error]
        chain = ""
        if audit.error == "http_error" and len(audit.redirect_chain) > 1:
            chain = " (" + " → ".join(f"{u} [{s}]" for u, s in audit.redirect_chain) + ")"
        out.append({"code": audit.error, "severity": "high",
                    "zh": zh.format(detail=detail_text(audit.error, audit.error_detail, "zh") + chain),
                    "en": en.format(detail=detail_text(audit.error, audit.error_detail, "en") + chain)})
    if audit.cross_domain_redirect and audit.final_url:
        out.append(_finding("cross_domain_redirect", src=urlsplit(audit.fetched_url).hostname,
                            dst=urlsplit(audit.final_url).hostname))
    if audit.ok:
        if audit.meta_refresh:
            out.append(_finding("meta_refresh", dst=audit.meta_refresh))
        if not audit.tel_links:
            if audit.phones_in_text:
                out.append(_finding("phone_not_clickable", numbers="、".join(audit.phones_in_text[:3])))
            else:
                out.append(_finding("no_tel"))
        elif audit.tel_on_first_screen is False:
            y = audit.first_tel_y
            fs = settings.first_screen_px
            if y is None:
                y = audit.est_height_px or fs
            out.append(_finding("tel_not_first_screen", y=y, fs=fs, screen=int(y // fs) + 1))
        if not audit.fixed_bottom_bar:
            out.append(_finding("no_bottom_bar"))
        elif "tel" not in audit.bottom_bar_holds:
            out.append(_finding("bottom_bar_no_tel", holds="、".join(audit.bottom_bar_holds) or "—"))
        if not audit.trust_signals:
            out.append(_finding("no_trust_signals"))
        if not audit.has_viewport:
            out.append(_finding("no_viewport"))
        if audit.source == "http" and audit.elapsed_ms > settings.slow_seconds * 1000:
            out.append(_finding("slow_page", seconds=f"{audit.elapsed_ms / 1000:.1f}",
                                limit=f"{settings.slow_seconds:g}"))
        if audit.bytes > settings.heavy_bytes and audit.error != "too_large":
            out.append(_finding("heavy_page", kb=audit.bytes // 1000))
        if audit.n_scripts > settings.many_scripts:
            out.append(_finding("many_scripts", n=audit.n_scripts))
        if audit.screens is not None and audit.screens > settings.long_screens:
            out.append(_finding("long_page", screens=int(round(audit.screens))))
        if not audit.has_form:
            out.append(_finding("no_form"))
        if not audit.has_chat:
            out.append(_finding("no_chat"))
        if not audit.title:
            out.append(_finding("no_title"))
    rank = {"high": 0, "medium": 1, "low": 2}
    out.sort(key=lambda f: rank.get(f["severity"], 3))
    audit.findings = out


# --------------------------------------------------------------------------- entry points

def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _audit_one(url: str, cleaned: str, settings: AuditSettings, client: httpx.Client) -> tuple[PageAudit, str | None]:
    audit = PageAudit(url=url, fetched_url=cleaned, source="http", audited_at=_now())
    if not cleaned or not urlsplit(cleaned).netloc:
        audit.error, audit.error_detail = "bad_url", url or "(empty)"
        _findings(audit, settings)
        return audit, None
    start = time.monotonic()
    got = _fetch(cleaned, settings, client)
    audit.elapsed_ms = int((time.monotonic() - start) * 1000)
    audit.status, audit.redirect_chain, audit.final_url = got.status, got.chain, got.final_url
    audit.error, audit.error_detail = got.error, got.detail
    audit.bytes, audit.truncated, audit.content_type = len(got.body), got.truncated, got.content_type
    if got.final_url:
        audit.cross_domain_redirect = _site(urlsplit(cleaned).hostname) != _site(urlsplit(got.final_url).hostname)
    html = None
    if got.body and got.error in (None, "too_large"):
        html, audit.encoding = _decode(got.body, got.charset)
        try:
            _analyse(audit, html, settings)
        except Exception as exc:  # a page that breaks the parser is reported, not raised
            audit.error, audit.error_detail = "analysis_failed", f"{type(exc).__name__}: {exc}"[:200]
            html = None
    _findings(audit, settings)
    return audit, html


def _use_browser(settings: AuditSettings) -> bool:
    if settings.use_browser == "never":
        return False
    ok = browser_available(settings)
    if settings.use_browser == "always" and not ok:
        raise RuntimeError(f"use_browser='always' but Chromium ({settings.chromium_path}) or Playwright is missing")
    return ok


def _finish_with_browser(audit: PageAudit, html: str | None, renderer: _Renderer | None,
                         settings: AuditSettings) -> None:
    if renderer is None or html is None:
        return
    m = renderer.measure(html)
    if m is None:
        audit.browser_error = renderer.error
        if settings.use_browser == "always":
            raise RuntimeError(f"Chromium could not render the page: {renderer.error}")
        return
    _apply_browser(audit, m, settings)
    _findings(audit, settings)


def audit_urls(urls: Sequence[str], settings: AuditSettings | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[PageAudit]:
    """Audit landing pages; one :class:`PageAudit` per URL given, in the same order.

    Each distinct cleaned URL (:func:`clean_url`) is fetched once, ``settings.concurrency``
    at a time in threads; ``progress(done, total)`` is called in the caller's thread
    with ``(0, total)`` first and after each distinct page (total = distinct URLs).
    With Chromium (see the module docstring) one browser renders every page, in the
    caller's thread. Failures never raise: they are ``error`` codes on the audit
    (except ``use_browser="always"`` without a usable Chromium, a configuration error).
    """
    settings = settings or AuditSettings()
    cleaned = [clean_url(u) for u in urls]
    distinct = list(dict.fromkeys(cleaned))
    first_given = {c: u for u, c in reversed(list(zip(urls, cleaned)))}
    total = len(distinct)
    if progress:
        progress(0, total)
    renderer = _Renderer(settings) if _use_browser(settings) else None
    done: dict[str, PageAudit] = {}
    client = _client(settings)
    try:
        with ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="audit") as pool:
            futures = {pool.submit(_audit_one, first_given[c], c, settings, client): c for c in distinct}
            for n, fut in enumerate(as_completed(futures), 1):
                audit, html = fut.result()
                _finish_with_browser(audit, html, renderer, settings)
                done[futures[fut]] = audit
                if progress:
                    progress(n, total)
    finally:
        client.close()
        if renderer is not None:
            renderer.close()
    out = []
    for u, c in zip(urls, cleaned):
        a = done[c]
        out.append(a if a.url == u else dataclasses.replace(a, url=u))
    return out


def audit_html(html: bytes | str, url_or_name: str, settings: AuditSettings | None = None) -> PageAudit:
    """Audit an uploaded HTML file (a page that cannot be fetched): same findings, no HTTP part."""
    settings = settings or AuditSettings()
    audit = PageAudit(url=url_or_name, fetched_url=url_or_name, source="upload", audited_at=_now())
    body = html.encode("utf-8") if isinstance(html, str) else bytes(html)
    if not body.strip():
        audit.error, audit.error_detail = "empty", url_or_name
        _findings(audit, settings)
        return audit
    if len(body) > settings.max_bytes:
        body = body[: settings.max_bytes]
        audit.truncated, audit.error, audit.error_detail = True, "too_large", _size_text(settings.max_bytes)
    audit.bytes = len(body)
    if isinstance(html, str) and not audit.truncated:
        text, audit.encoding = html, "utf-8"
    else:
        text, audit.encoding = _decode(body, None)
    _analyse(audit, text, settings)
    _findings(audit, settings)
    renderer = _Renderer(settings) if _use_browser(settings) else None
    try:
        _finish_with_browser(audit, text, renderer, settings)
    finally:
        if renderer is not None:
            renderer.close()
    return audit


# --------------------------------------------------------------------------- words, drift, table

def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def line_words_found(audit: PageAudit | dict, words: Iterable[str], where: str = "page") -> list[str]:
    """The words (in the order given) that the page contains, case- and space-insensitive.

    ``where``: ``"page"`` (title, headings and visible text), ``"title"`` (title and
    h1–h3: the message match a searcher sees first) or ``"first_screen"``.
    """
    a = _as_audit(audit)
    heads = " ".join(t for _h, t in a.headings)
    hay = {"page": f"{a.title} {heads} {a.text}", "title": f"{a.title} {heads}",
           "first_screen": a.first_screen_text}[where]
    squashed = _squash(hay)
    return [w for w in dict.fromkeys(words) if w and _squash(w) in squashed]


def _change(code: str, before: Any = None, after: Any = None, **fields: Any) -> dict:
    zh, en = CHANGES[code]
    vals = {"before": before, "after": after, **fields}
    zf = {k: ("、".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in vals.items()}
    ef = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in vals.items()}
    if code == "fingerprint_changed":
        zf["what"] = "、".join(_WHAT[w][0] for w in fields["parts"])
        ef["what"] = "; ".join(_WHAT[w][1] for w in fields["parts"])
    return {"code": code, "zh": zh.format(**zf), "en": en.format(**ef), "before": before, "after": after,
            **fields}


def compare(previous: PageAudit | dict, current: PageAudit | dict) -> list[dict]:
    """What changed on a page between two audits: dicts ``{code, zh, en, before, after}``.

    Codes (:data:`CHANGES`): fingerprint_changed (which part: text and/or structure),
    status_changed, error_changed, final_url_changed, title_changed, tel_removed,
    tel_added, tel_first_screen_lost / gained, bottom_bar_removed / added,
    form_removed / added, chat_removed / added, trust_removed / added. Empty when
    nothing changed.
    """
    p, c = _as_audit(previous), _as_audit(current)
    out: list[dict] = []
    if p.fingerprint and c.fingerprint and p.fingerprint != c.fingerprint:
        parts = [k for k, a, b in (("text", p.text_hash, c.text_hash), ("structure", p.structure_hash, c.structure_hash))
                 if a != b]
        out.append(_change("fingerprint_changed", p.fingerprint, c.fingerprint, parts=parts))
    if p.status != c.status:
        out.append(_change("status_changed", p.status, c.status))
    if p.error != c.error:
        out.append(_change("error_changed", p.error or "ok", c.error or "ok"))
    if p.final_url != c.final_url and p.final_url and c.final_url:
        out.append(_change("final_url_changed", p.final_url, c.final_url))
    if not (p.ok and c.ok):
        return out
    if p.title != c.title:
        out.append(_change("title_changed", p.title, c.title))
    gone = [n for n in p.tel_links if n not in c.tel_links]
    new = [n for n in c.tel_links if n not in p.tel_links]
    if gone:
        out.append(_change("tel_removed", p.tel_links, c.tel_links, numbers=gone))
    if new:
        out.append(_change("tel_added", p.tel_links, c.tel_links, numbers=new))
    if p.tel_on_first_screen and c.tel_on_first_screen is False:
        out.append(_change("tel_first_screen_lost", True, False))
    if p.tel_on_first_screen is False and c.tel_on_first_screen:
        out.append(_change("tel_first_screen_gained", False, True))
    if p.fixed_bottom_bar and not c.fixed_bottom_bar:
        out.append(_change("bottom_bar_removed", p.bottom_bar_holds, []))
    if not p.fixed_bottom_bar and c.fixed_bottom_bar:
        out.append(_change("bottom_bar_added", [], c.bottom_bar_holds))
    if p.has_form and not c.has_form:
        out.append(_change("form_removed", True, False))
    if not p.has_form and c.has_form:
        out.append(_change("form_added", False, True))
    for code, before, after in (("chat", p.chat_vendors, c.chat_vendors), ("trust", p.trust_signals, c.trust_signals)):
        gone = [x for x in before if x not in after]
        new = [x for x in after if x not in before]
        if gone:
            out.append(_change(f"{code}_removed", before, after, names=gone))
        if new:
            out.append(_change(f"{code}_added", before, after, names=new))
    return out


def summary_rows(audits: Iterable[PageAudit | dict], lang: str = "zh") -> list[dict]:
    """One flat row per audit (for a table): URL, status, outcome, key checks, findings."""
    rows = []
    for a in map(_as_audit, audits):
        rows.append({
            "url": a.url, "final_url": a.final_url, "status": a.status,
            "error": a.error_message(lang), "tel": len(a.tel_links), "tel_first_screen": a.tel_on_first_screen,
            "method": a.first_screen_method, "bottom_bar": a.fixed_bottom_bar,
            "bar_holds": ",".join(a.bottom_bar_holds), "form": a.has_form, "chat": ",".join(a.chat_vendors),
            "trust": ",".join(a.trust_signals), "kb": round(a.bytes / 1000, 1), "scripts": a.n_scripts,
            "ms": a.elapsed_ms, "fingerprint": a.fingerprint,
            "findings": " ".join(f[lang] for f in a.findings),
        })
    return rows


# ---------------------------------------------------------------- keeping audits

class AuditStore:
    """The audits of each account's pages, kept in one JSON file beside the data
    (``{account: {page: [audit, …]}}``, oldest first, the last :attr:`KEEP` per page),
    so that the next audit can say what changed on a page since the last one."""

    KEEP = 5

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _load(self) -> dict:
        from optimizer.jsonfile import read_json
        return read_json(self.path, "audit store")

    def add(self, account: str, audits: Iterable[PageAudit], key=None) -> None:
        """Keep ``audits`` (under ``key(audit)``, default the audit's URL) for ``account``."""
        from optimizer.jsonfile import write_json
        data = self._load()
        pages = data.setdefault(account, {})
        for a in audits:
            k = key(a) if key else a.url
            history = pages.setdefault(k, [])
            history.append(a.to_dict())
            del history[:-self.KEEP]
        write_json(self.path, data)

    def history(self, account: str, page: str) -> list[PageAudit]:
        return [PageAudit.from_dict(d) for d in self._load().get(account, {}).get(page, [])]

    def latest(self, account: str) -> dict[str, PageAudit]:
        """The newest audit of each page of ``account``."""
        return {k: PageAudit.from_dict(v[-1]) for k, v in self._load().get(account, {}).items() if v}

    def previous(self, account: str) -> dict[str, PageAudit]:
        """The audit before the newest, for pages audited at least twice."""
        return {k: PageAudit.from_dict(v[-2]) for k, v in self._load().get(account, {}).items() if len(v) >= 2}
