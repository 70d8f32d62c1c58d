"""Share a workspace with its client: read-only links (create, list, revoke) and the
dated notes of what was changed and why, which the client view shows."""
import os
from datetime import date, timedelta
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.store import auth
from optimizer.model import dataset
from optimizer.errors import UserError

c = ui.ctx()
st.title(ui.t("share.title"))
st.caption(ui.t("share.caption"))
ws = ui.require_workspace()
st.caption(":material/folder_open: " + ui.t("upload.into", name=ws.name))
can_share = c.can("share", ws)
if c.local:
    st.warning(ui.t("share.local_warning"), icon=":material/lock_open:")

# ------------------------------------------------------------------ links
st.subheader(ui.t("share.links"))
if not can_share:
    st.info(ui.t("share.not_allowed"), icon=":material/visibility:")
else:
    accts = dataset.accounts(c.access.table(ws.id).table)
    keys = [(str(a["platform"]), str(a["account"]), str(a["currency"])) for _, a in accts.iterrows()]
    for warning in ui.other_account_warnings(ws, "share"):  # another client's export in this workspace: say it again
        st.warning(warning, icon=":material/person_alert:")
    with st.form("share_form", clear_on_submit=True):
        label = st.text_input(ui.t("share.label"), key="share_label", placeholder=ui.t("share.label_hint"))
        chosen = keys
        if len(keys) > 1:  # a client sees only the accounts chosen here, never one by default
            chosen = st.multiselect(ui.t("share.accounts"), keys, key="share_accounts", select_all=ui.select_all(),
                                    format_func=lambda k: i18n.account_label(*k, ui.lang()),
                                    placeholder=ui.t("share.accounts_pick"), help=ui.t("share.accounts_help"))
        cols = st.columns(2)
        days = cols[0].selectbox(ui.t("share.expiry"), [1, 7, 30, 90, 365], index=1, key="share_days",
                                 format_func=lambda d: ui.t("share.days", n=d))
        allow = cols[1].checkbox(ui.t("share.allow_download"), key="share_allow", help=ui.t("share.allow_help"))
        show_changes = cols[1].checkbox(ui.t("share.show_changes"), key="share_show_changes",
                                        help=ui.t("share.show_changes_help"))
        go = st.form_submit_button(ui.t("share.create"), type="primary", icon=":material/add_link:")
    if go and keys and not chosen:
        st.error(ui.t("share.accounts_none"), icon=":material/error:")
    elif go:
        link, token = c.access.create_share(ws.id, expires_in=timedelta(days=int(days)), label=label or None,
                                            allow_download=bool(allow), accounts=chosen or None,
                                            show_changes=bool(show_changes))
        st.session_state["share_new"] = (ws.id, link.id, token)
    new = st.session_state.get("share_new")
    if new and new[0] == ws.id:
        public = os.environ.get(auth.PUBLIC_URL_ENV)
        url, where = auth.share_url(new[2], st.context.url, public)
        with st.container(border=True):
            st.success(ui.t("share.created"), icon=":material/link:")
            st.code(url, language=None, wrap_lines=True)
            if where == "bad_setting":
                st.warning(ui.t("share.bad_public_url", value=public), icon=":material/error:")
                url, where = auth.share_url(new[2], st.context.url)
            if where == "loopback":
                st.warning(ui.t("share.loopback", host=urlsplit(url).hostname), icon=":material/wifi_off:")
            st.caption(ui.t("share.once"))
            if st.button(ui.t("share.copied"), key="share_dismiss"):
                st.session_state.pop("share_new", None)
                st.rerun()

    links = c.access.shares(ws.id)
    if links:
        now = c.store.now()
        state_word = {"active": ui.t("share.state_active"), "expired": ui.t("share.state_expired"),
                      "revoked": ui.t("share.state_revoked")}
        ui.dataframe(pd.DataFrame([{
            "label": link.label or "–", "state": state_word[link.state(now)],
            "created": ui.when(link.created_at), "expires": ui.when(link.expires_at),
            "opened": ui.when(link.last_opened_at) if link.last_opened_at else ui.t("share.never"),
            "download": link.allow_download, "changes": link.show_changes,
            "accounts": auth.link_title(ui.t("share.accounts_all"), link.accounts, ui.lang()),
        } for link in links]), hide_index=True, width="stretch", key="share_list", column_config={
            "accounts": ui.t("share.accounts"),
            "label": ui.t("share.label"), "state": ui.t("share.state"), "created": ui.t("share.created_at"),
            "expires": ui.t("share.expires_at"), "opened": ui.t("share.last_opened"),
            "download": st.column_config.CheckboxColumn(ui.t("share.allow_download")),
            "changes": st.column_config.CheckboxColumn(ui.t("share.show_changes"))})
        active = {link.id: link for link in links if link.state(now) == "active"}
        if active:
            cols = st.columns([3, 1], vertical_alignment="bottom")
            pick = cols[0].selectbox(ui.t("share.revoke_pick"), list(active), key="share_revoke_pick",
                                     format_func=lambda i: f"{active[i].label or '–'} · {ui.when(active[i].created_at)}")
            if cols[1].button(ui.t("share.revoke"), key="share_revoke", icon=":material/link_off:"):
                c.access.revoke_share(ws.id, pick)
                st.toast(ui.t("share.revoked"))
                st.rerun()
    else:
        st.caption(ui.t("share.none"))

# ------------------------------------------------------------------ notes
st.subheader(ui.t("notes.title"))
st.caption(ui.t("notes.caption"))
can_note = c.can("edit_lexicon", ws)
ALL = "*"  # a note about every account of the workspace
ws_keys = [(str(a["platform"]), str(a["account"]), str(a["currency"]))
           for _, a in dataset.accounts(c.access.table(ws.id).table).iterrows()]


def about(k) -> str:
    return ui.t("notes.account_all") if k == ALL else i18n.account_label(*k, ui.lang())


if can_note:
    if st.session_state.pop("note_clear", False):  # cleared once a note is added, kept when one is refused
        for k in ("note_date", "note_account", "note_text"):
            st.session_state.pop(k, None)
    with st.form("note_form"):
        day = st.date_input(ui.t("notes.date"), value=date.today(), key="note_date")
        # several accounts: the note says which one it is about (a client sees only its own)
        acct = ws_keys[0] if len(ws_keys) == 1 else None
        if len(ws_keys) > 1:
            acct = st.selectbox(ui.t("notes.account"), [*ws_keys, ALL], index=None, key="note_account",
                                format_func=about, placeholder=ui.t("notes.account_pick"),
                                help=ui.t("notes.account_help"))
        text = st.text_area(ui.t("notes.text"), key="note_text", placeholder=ui.t("notes.hint"), height=90)
        add = st.form_submit_button(ui.t("notes.add"), type="primary", icon=":material/edit_note:")
    if add and len(ws_keys) > 1 and acct is None:
        st.error(ui.t("notes.account_none"), icon=":material/error:")
    elif add:
        try:
            ui.add_note(ws, day, text, None if acct == ALL else acct)
        except UserError as err:  # empty or too long
            st.error(err.message(ui.lang()), icon=":material/error:")
        else:
            st.toast(ui.t("notes.added"))
            st.session_state["note_clear"] = True
            st.rerun()
notes = c.store.notes(ws.id)
if not notes:
    st.caption(ui.t("client.no_notes"))
for n in notes:
    with st.container(border=True):
        cols = st.columns([5, 1], vertical_alignment="center")
        whom = ui.t("notes.about_all") if n.account is None else i18n.account_label(*n.account, ui.lang())
        cols[0].markdown(f"**{n.note_date:%Y-%m-%d}** · {ui.plain_text(ui.who(n.author_name))} · "
                          f":material/person: {ui.plain_text(whom)}\n\n{ui.plain_text(n.text)}")
        if can_note and cols[1].button(ui.t("notes.delete"), key=f"note_del_{n.id}", icon=":material/delete:"):
            ui.delete_note(ws, n.id)
            st.rerun()
st.page_link("pages/client.py", label=ui.t("nav.client_preview"), icon=":material/smartphone:")
