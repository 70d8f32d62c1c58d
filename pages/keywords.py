"""Keywords by business line and decision stage: how each stage performs, the search
terms to negate, keywords in the wrong unit, and the lexicon that decides it all."""
import zlib

import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.keywords.lexicon import (ALL_VERTICALS, CUE_KINDS, GENERIC, LexiconEdits, LexiconFileError, catalog, file_of,
                               known_verticals, split_cues, vertical_name)
from optimizer.store.database import Conflict, NotFound
from optimizer.keywords.verticals import VerticalNameError, save_from_classifier
from optimizer.outputs.sheet_text import st as sheet_text
from optimizer.outputs.workbook import frame_csv
from optimizer.keywords.stages import filter_keywords, main_language, stage_table

lang = ui.lang()
accounts, is_sample = ui.current_accounts()
ui.page_header("kw.title", "kw.caption", is_sample)
top = st.columns([3, 2])
acct, model = ui.pick_account(accounts, "kw_account", top[0])
ctx = ui.account_context(acct, model)
currency, sym, akey, edits_json = ctx.currency, ctx.symbol, ctx.key, ctx.edits_json
store = ui.lexicon_store()
# the built-in verticals, generic, then the saved ones (names read now, with this run's saved verticals)
labels = {"auto": ui.t("kw.vertical_detected", name=vertical_name(ctx.detected, lang)),
          **{v: vertical_name(v, lang) for v in known_verticals()}}
choice = top[1].selectbox(
    ui.t("kw.vertical"), list(labels), key=ui.wkey(f"kw_vertical_{akey}", default=ctx.saved_vertical or "auto"),
    format_func=labels.get, disabled=not store.writable)
if store.writable and (None if choice == "auto" else choice) != ctx.saved_vertical:
    store.set_vertical(akey, None if choice == "auto" else choice)
    st.rerun()
vertical = ctx.vertical
edits = store.edits(akey)
if ctx.missing_vertical:
    st.warning(ui.t("kw.vertical_missing", code=ctx.missing_vertical), icon=":material/warning:")
for problem in catalog().problems:  # a damaged saved vertical is named, and not offered
    st.warning(problem.message(lang), icon=":material/warning:")
clf = ctx.classifier()
if vertical == GENERIC:
    st.info(ui.t("kw.vertical_generic"), icon=":material/category:")
if choice == "auto" and ctx.evidence is not None:
    st.caption(ui.t("kw.vertical_evidence", reason=ctx.evidence.reason(lang)))

perf = model.keywords(clf)
search = model.search_terms(clf)

tab_stage, tab_neg, tab_fix, tab_lex = st.tabs([ui.t("kw.tab_stage"), ui.t("kw.tab_neg"), ui.t("kw.tab_fix"),
                                                ui.t("kw.tab_lex")])
stage_names = {s: ui.name_of(i18n.STAGE, s) for s in i18n.STAGE}

with tab_stage:
    if perf.empty:
        st.info(ui.t("kw.no_keywords"))
    else:
        f = st.columns(4)
        stages = f[0].multiselect(ui.t("kw.filter_stage"), list(i18n.STAGE), key=ui.wkey("kw_f_stage"), select_all=ui.select_all(),
                                  format_func=stage_names.get, placeholder=ui.t("kw.all"))
        lines = f[1].multiselect(ui.t("kw.filter_line"), sorted(perf["business_line"].unique()),
                                 key=ui.wkey("kw_f_line"), select_all=ui.select_all(), format_func=ui.line, placeholder=ui.t("kw.all"))
        flag = {"all": None, "yes": 1, "no": 0}
        flag_name = {"all": ui.t("kw.all"), "yes": ui.t("kw.only"), "no": ui.t("kw.exclude")}
        urg = f[2].selectbox(ui.t("kw.filter_urgency"), list(flag), key=ui.wkey("kw_f_urg"),
                             format_func=flag_name.get)
        off = f[3].selectbox(ui.t("kw.filter_off"), list(flag), key=ui.wkey("kw_f_off"),
                             format_func=flag_name.get)
        view = filter_keywords(perf, stages, lines, flag[urg], flag[off])

        st.subheader(ui.t("kw.chart"))
        st.plotly_chart(ui.stage_chart(stage_table(view, by=("stage",)), currency), width="stretch",
                        key="kw_chart")

        st.subheader(ui.t("kw.table"))
        by_line = stage_table(view)
        shown = ui.with_lines(by_line, "business_line").assign(
            stage=by_line["stage"].map(stage_names),
            cvr_ci=[f"{lo:.1%} – {hi:.1%}" if lo == lo else "–" for lo, hi in zip(by_line["cvr_low"], by_line["cvr_high"])])
        ui.dataframe(
            shown[["stage", "business_line", "keywords", "cost", "cost_share", "clicks", "ctr", "conversions", "cvr",
                   "cvr_ci", "cpa"]],
            hide_index=True, width="stretch", key="kw_stage_table",
            column_config={
                "stage": ui.t("col.stage"), "business_line": ui.t("col.business_line"),
                "keywords": st.column_config.NumberColumn(ui.t("col.keywords"), format="%,d"),
                "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
                "cost_share": ui.percent_column(ui.t("col.share"), progress=True),
                "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,d"),
                "ctr": ui.percent_column(ui.t("col.ctr")),
                "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
                "cvr": ui.percent_column(ui.t("col.cvr")),
                "cvr_ci": ui.t("col.cvr_ci"),
                "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f")})

        st.subheader(ui.t("kw.keywords", n=len(view)))
        ui.dataframe(
            ui.with_lines(view, "business_line").assign(stage=view["stage"].map(stage_names),
                        cues=view["cues"].map(lambda c: i18n.explain_cues(c, lang)))
            .sort_values("cost", ascending=False)[
                ["keyword", "business_line", "stage", "urgency", "off_target", "cost", "clicks", "conversions",
                 "campaign", "ad_group", "cues"]],
            hide_index=True, width="stretch", height=420, key="kw_keyword_table",
            column_config={
                "keyword": st.column_config.TextColumn(ui.t("col.keyword")),
                "business_line": ui.t("col.business_line"), "stage": ui.t("col.stage"),
                "urgency": st.column_config.CheckboxColumn(ui.t("col.urgency")),
                "off_target": st.column_config.CheckboxColumn(ui.t("col.off_target")),
                "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
                "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,d"),
                "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
                "campaign": ui.t("col.campaign"), "ad_group": ui.t("col.ad_group"), "cues": ui.t("col.cues")})

with tab_neg:
    if search.empty:
        st.info(ui.t("kw.neg_no_report"))
    else:
        neg = model.negatives(clf)
        held = model.held_negatives(clf)
        if len(held):  # off target by its words, yet it converts or shields a converting keyword: never negated
            st.warning(ui.t("kw.neg_held", n=len(held)), icon=":material/shield:")
            ui.dataframe(held.assign(why=[ui.t("kw.neg_held_converted") if c == "converted" else
                                          ui.t("kw.neg_held_blocks", keyword=k)
                                          for c, k in zip(held["conflict"], held["blocked_keyword"])])[
                ["search_term", "why", "cost", "conversions"]],
                hide_index=True, width="stretch", key="kw_neg_held", column_config={
                    "search_term": ui.t("col.search_term"), "why": ui.t("col.reason"),
                    "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
                    "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f")})
        if neg.empty:
            st.success(ui.t("kw.neg_none"))
        else:
            total = search["cost"].sum()
            st.markdown(ui.t("kw.neg_total", cost=i18n.money(neg["cost"].sum(), currency),
                             share=i18n.percent(neg["cost"].sum() / total if total else None, 1)))
            st.caption(ui.t("kw.neg_caption"))
            ui.dataframe(neg.assign(reason=neg["reason"].map(lambda c: i18n.explain_cues(c, lang)),
                                    negative_match=neg["negative_match"].map(lambda c: sheet_text(f"neg.{c}", lang))),
                         hide_index=True, width="stretch", key="kw_neg_table", column_config={
                "search_term": st.column_config.TextColumn(ui.t("col.search_term")),
                "negative_match": ui.t("col.action"),
                "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
                "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,d"),
                "impressions": st.column_config.NumberColumn(ui.t("col.impressions"), format="%,d"),
                "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
                "reason": ui.t("col.reason"), "keywords": ui.t("col.triggered_by"),
                "campaigns": ui.t("col.campaign")})
            # the workbook's negatives sheet as CSV: money to the cent, counts whole
            st.download_button(ui.t("kw.neg_download"),
                               frame_csv("negatives", neg, lang, currency),
                               file_name=ui.download_name("negative_keywords", acct, "csv"),
                               mime="text/csv", icon=":material/download:", key="kw_neg_download")

with tab_fix:
    fixes = model.structure(clf)
    st.caption(ui.t("kw.fix_caption"))
    if fixes.empty:
        st.success(ui.t("kw.fix_none"))
    else:
        ui.dataframe(
            ui.with_lines(fixes, "business_line", "unit_line").assign(stage=fixes["stage"].map(stage_names),
                                                                      unit_stage=fixes["unit_stage"].map(stage_names)),
            hide_index=True, width="stretch", key="kw_fix_table", column_config={
                "campaign": ui.t("col.campaign"), "ad_group": ui.t("col.ad_group"), "keyword": ui.t("col.keyword"),
                "business_line": ui.t("col.business_line"), "stage": ui.t("col.stage"),
                "unit_line": ui.t("col.unit_line"), "unit_stage": ui.t("col.unit_stage"),
                "issue": ui.t("col.issue"),
                "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
                "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f")})

with tab_lex:
    # the editor opens on the account's own language (an English account's words are in the English list)
    account_lang = main_language(perf["keyword"]) if len(perf) else lang
    lex_lang = st.radio(ui.t("kw.lex_language"), ["zh", "en"], horizontal=True, key=f"kw_lex_lang_{akey}",
                        index=0 if account_lang == "zh" else 1,
                        format_func=lambda c: "中文" if c == "zh" else "English")
    st.caption(ui.t("kw.lex_caption", file=file_of(vertical, lex_lang).name if vertical in ALL_VERTICALS
                    else f"{vertical}.{lex_lang}.toml · {vertical_name(vertical, lang)}"))
    lex = clf.lexicon(lex_lang)
    groups = [f"line:{name}" for name in lex.lines] + list(CUE_KINDS)
    group_key = ui.wkey("kw_lex_group")
    if st.session_state.get(group_key) not in (None, *groups):  # a line renamed or dropped: its group is gone
        st.session_state[group_key] = st.session_state.pop("kw_lex_group_next", groups[0])
    group = st.selectbox(ui.t("kw.lex_group"), groups, key=group_key,
                         format_func=lambda g: ui.t("kw.lex_line", line=ui.line(g[5:])) if g.startswith("line:")
                         else ui.name_of(i18n.CUE_GROUP, g))
    current = list(lex.cues(group))
    if not store.writable:  # a read-only role sees the cues and cannot change them
        st.caption(":material/visibility: " + ui.t("role.read_only"))
        st.markdown("、".join(current) or "–")
        st.stop()
    flash = st.session_state.pop("kw_lex_flash", None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    version = zlib.crc32(edits_json.encode())  # a saved edit gives fresh widgets showing the new cues
    is_line = group.startswith("line:")
    with st.form(key=f"kw_lex_form_{lex_lang}_{group}_{version}"):
        kept = st.multiselect(ui.t("kw.lex_current"), current, default=current, select_all=ui.select_all(),
                              key=f"kw_lex_kept_{lex_lang}_{group}_{version}",
                              placeholder="")
        added = st.text_input(ui.t("kw.lex_add"), key=f"kw_lex_add_{lex_lang}_{group}_{version}")
        if is_line:
            renamed = st.text_input(ui.t("kw.lex_rename"), value=group[5:],
                                    key=f"kw_lex_rename_{lex_lang}_{group}_{version}")
            dropped = st.checkbox(ui.t("kw.lex_drop"), key=f"kw_lex_drop_{lex_lang}_{group}_{version}")
        else:
            renamed, dropped = "", False
        new_line = st.text_input(ui.t("kw.lex_new_line"), key=f"kw_lex_newline_{lex_lang}_{group}_{version}")
        save = st.form_submit_button(ui.t("kw.lex_save"), type="primary")
    if save:
        change = edits.get(lex_lang, LexiconEdits())
        said = []

        def group_name(g: str) -> str:
            return ui.line(g[5:]) if g.startswith("line:") else ui.name_of(i18n.CUE_GROUP, g)

        gone = [cue for cue in current if cue not in kept]
        for cue in gone:
            change = change.remove(group, cue)
        if gone:
            said.append(ui.t("kw.lex_change_removed", group=group_name(group), cues="、".join(gone)))
        target = f"line:{new_line.strip()}" if new_line.strip() else group
        typed = split_cues(added)
        for cue in typed:
            change = change.add(target, cue)
        if typed:
            said.append(ui.t("kw.lex_change_added", group=group_name(target), cues="、".join(typed)))
        if is_line and dropped:
            change = change.drop_line(group[5:])
            said.append(ui.t("kw.lex_change_dropped", line=group_name(group)))
        elif is_line and renamed.strip() and renamed.strip() != group[5:]:
            change = change.rename_line(group[5:], renamed.strip())
            st.session_state["kw_lex_group_next"] = f"line:{renamed.strip()}"
            said.append(ui.t("kw.lex_change_renamed", old=group_name(group), new=renamed.strip()))
        store.set_edits(akey, lex_lang, change)
        st.session_state["kw_lex_flash"] = (ui.t("kw.lex_saved_cues", changes="；".join(said) if lang == "zh"
                                                 else "; ".join(said)) if said else ui.t("kw.lex_saved"))
        st.rerun()
    if lex_lang in edits and st.button(ui.t("kw.lex_reset"), key=f"kw_lex_reset_{lex_lang}"):
        store.set_edits(akey, lex_lang, LexiconEdits())
        st.rerun()

    # ------------------------------------------------------------ save this lexicon as a vertical
    access = ui.ctx().access
    if access.may_save_verticals():
        st.divider()
        st.subheader(ui.t("kw.save_title"))
        flash = st.session_state.pop("kw_vertical_flash", None)
        if flash:
            st.success(flash, icon=":material/check_circle:")
        st.caption(ui.t("kw.save_caption", base=vertical_name(vertical, lang)))
        with st.form(key="kw_save_vertical"):
            cols = st.columns(3)
            code = cols[0].text_input(ui.t("kw.save_code"), key="kw_save_code", max_chars=32)
            name_zh = cols[1].text_input(ui.t("kw.save_name_zh"), key="kw_save_name_zh", max_chars=40)
            name_en = cols[2].text_input(ui.t("kw.save_name_en"), key="kw_save_name_en", max_chars=40)
            overwrite = st.checkbox(ui.t("kw.save_overwrite"), key="kw_save_overwrite")
            submit = st.form_submit_button(ui.t("kw.save_button"), icon=":material/bookmark_add:")
        if submit:
            try:
                saved = save_from_classifier(clf, code, name_zh, name_en)
                access.save_vertical(saved, overwrite=overwrite)
            except (VerticalNameError, LexiconFileError) as exc:
                st.error(exc.message(lang), icon=":material/error:")
            except Conflict:
                st.warning(ui.t("kw.save_exists", code=code.strip(), name=vertical_name(code.strip(), lang)),
                           icon=":material/warning:")
            else:
                st.session_state["kw_vertical_flash"] = ui.t("kw.save_done", code=saved.code, name=saved.name(lang))
                st.rerun()
        if catalog().verticals:
            with st.expander(ui.t("kw.saved_list")):
                ui.dataframe(pd.DataFrame(
                    [{"code": v.code, "name": v.name(lang), "base": vertical_name(v.base, lang)}
                     for v in catalog().verticals]),
                    hide_index=True, width="stretch", key="kw_saved_verticals",
                    column_config={"code": ui.t("col.vertical_code"), "name": ui.t("kw.vertical"),
                                   "base": ui.t("col.base_vertical")})
                names = {v.code: f"{v.name(lang)} ({v.code})" for v in catalog().verticals}
                gone = st.selectbox(ui.t("kw.delete_pick"), list(names), key="kw_delete_pick", format_func=names.get)
                sure = st.checkbox(ui.t("kw.delete_confirm"), key="kw_delete_confirm")
                if st.button(ui.t("kw.delete_button"), key="kw_delete_vertical", disabled=not sure,
                             icon=":material/delete:"):
                    try:
                        access.delete_vertical(gone)
                    except VerticalNameError as exc:
                        st.error(exc.message(lang), icon=":material/error:")
                    except NotFound:
                        st.rerun()
                    else:
                        st.session_state["kw_vertical_flash"] = ui.t("kw.deleted", code=gone)
                        st.rerun()
