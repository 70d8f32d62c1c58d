"""Workspaces (one per client account): pick one, create one, export one, delete one."""
import pandas as pd
import streamlit as st

import ui
from optimizer.errors import UserError

c = ui.ctx()
lang = ui.lang()
st.title(ui.t("ws.title"))
st.caption(ui.t("ws.caption"))

visible = c.access.workspaces()
if visible:
    ui.dataframe(pd.DataFrame([{
        "name": w.name + ("  · " + ui.t("ws.sample_tag") if c.is_sample(w) else ""),
        "files": len(c.access.uploads(w.id)),
        "created": ui.when(w.created_at),
        "current": c.ws is not None and w.id == c.ws.id,
    } for w in visible]), hide_index=True, width="stretch", key="ws_list", column_config={
        "name": ui.t("ws.col_name"), "files": ui.t("ws.col_files"), "created": ui.t("ws.col_created"),
        "current": st.column_config.CheckboxColumn(ui.t("ws.col_current"))})
    st.caption(ui.t("ws.pick_hint"))
else:
    st.info(ui.t("ws.none"), icon=":material/folder_off:")

if c.can("create_workspace"):
    st.subheader(ui.t("ws.create"))
    with st.form("ws_create_form", clear_on_submit=True):
        name = st.text_input(ui.t("ws.new_name"), key="ws_new_name", placeholder=ui.t("ws.new_name_hint"))
        go = st.form_submit_button(ui.t("ws.create_go"), type="primary", icon=":material/create_new_folder:")
    if go:
        try:
            made = c.access.create_workspace(name)
        except UserError as err:  # no name, too long, taken
            st.error(ui.t("ws.create_failed", error=err.message(lang)), icon=":material/error:")
        else:
            ui.choose_next(made.id)
            st.toast(ui.t("ws.created", name=made.name))
            st.rerun()

ws = c.ws
if ws is None:
    st.stop()
st.subheader(ui.t("ws.this", name=ws.name))
if c.can("download", ws):
    st.download_button(ui.t("ws.export"), lambda: c.access.export_zip(ws.id), file_name=f"workspace_{ws.id}.zip",
                       mime="application/zip", key="ws_export", icon=":material/archive:",
                       help=ui.t("ws.export_help"))
if c.can("delete", ws):
    with st.expander(ui.t("ws.delete"), icon=":material/delete_forever:"):
        st.warning(ui.t("ws.delete_warning", name=ws.name), icon=":material/warning:")
        typed = st.text_input(ui.t("ws.delete_type", name=ws.name), key=f"ws_delete_name_{ws.id}")
        if st.button(ui.t("ws.delete_go"), key="ws_delete", type="primary", disabled=typed != ws.name,
                     icon=":material/delete_forever:"):
            try:
                c.access.delete_workspace(ws.id, typed)
            except UserError as err:  # the name typed is not the workspace's
                st.error(err.message(lang), icon=":material/error:")
            else:
                st.session_state.pop(ui.K_WS, None)
                st.query_params.pop("ws", None)
                st.toast(ui.t("ws.deleted", name=ws.name))
                st.rerun()
if c.can("share", ws) and c.user is not None and not c.local:
    with st.expander(ui.t("ws.members"), icon=":material/group_add:"):
        who = st.text_input(ui.t("ws.member_name"), key="ws_member_name")
        if st.button(ui.t("ws.member_add"), key="ws_member_add") and who.strip():
            try:
                c.access.add_member(ws.id, who)
            except UserError as err:  # no such user, or no username at all
                st.error(err.message(lang), icon=":material/error:")
            else:
                st.success(ui.t("ws.member_added", name=who.strip(), ws=ws.name))
