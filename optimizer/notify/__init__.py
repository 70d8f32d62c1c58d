"""Alerts where optimizers already are: e-mail and the group robots of 企业微信 (WeCom),
钉钉 (DingTalk) and 飞书 (Feishu/Lark), and a generic JSON webhook.

Takes: each user's channels and preferences (kept by
:mod:`optimizer.store.alerts_store`), a table of portfolio rows (one per workspace and
account, :data:`messages.PORTFOLIO_COLUMNS`) and a table of events
(:data:`messages.EVENT_COLUMNS`: high-severity drift flags, red landing pages).
Gives: a daily digest (the portfolio's top rows by money at stake) and immediate
alerts, in the user's language, sent to each channel in the body its platform's robot
API expects; the sent/failed log (an event goes to a channel once; a failed send is
retried, recorded and shown, and tried again by the next run).

Modules: :mod:`.sealing` (secrets sealed with Fernet, shown masked),
:mod:`.channels` (kinds, checking what a user typed, the platforms' bodies and
signatures, sending through the landing audit's SSRF guard), :mod:`.messages`
(digest and alert texts, event keys), :mod:`.dispatch` (:func:`send_alerts`, the test
message, ``python -m optimizer alerts``).
"""
