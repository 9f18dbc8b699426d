"""Areas: browse the tree with its counts, add, rename and move an area, import a CSV all-or-nothing."""

import streamlit as st

from core import labels
from models.enums import AreaLevel
from services import areas as area_service
from services.errors import AppError, ValidationFailed
from services.permissions import Act
from webui import localize
from webui.db import reading, writing
from webui.form_notice import notice_next_run, show_notice, show_problems
from webui.guard import require
from webui.state import lang, t

actor = require(Act.AREA_MANAGE)

# session_state keys (UI choices and form inputs only)
KEY_CURRENT = "admin_areas.current"
KEY_ADD_CODE = "admin_areas.add_code"
KEY_ADD_NAME = "admin_areas.add_name"
KEY_ADD_LEVEL = "admin_areas.add_level"
KEY_RENAME_PICK = "admin_areas.rename_pick"
KEY_RENAME_NAME = "admin_areas.rename_name"
KEY_MOVE_PICK = "admin_areas.move_pick"
KEY_MOVE_PARENT = "admin_areas.move_parent"
KEY_UPLOAD_ROUND = "admin_areas.upload_round"  # a new uploader key after each import empties it
# Form generations: a successful save bumps the form's counter, so its widgets come back new and empty
# (a browser keeps what was typed into a widget it still has); a failed save keeps the input.
KEY_ADD_GEN = "admin_areas.add_gen"
KEY_RENAME_GEN = "admin_areas.rename_gen"
KEY_MOVE_GEN = "admin_areas.move_gen"
BROWSABLE = (AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.COMMUNE)
CHILD_LEVEL = {
    AreaLevel.PROVINCE: AreaLevel.COMMUNE,
    AreaLevel.DISTRICT: AreaLevel.COMMUNE,
    AreaLevel.COMMUNE: AreaLevel.VILLAGE,
}
CSV_COLUMNS = {"code": "admin_areas.code", "name": "admin_areas.name", "level": "admin_areas.level"}


def gen_key(key: str, counter: str) -> str:
    """The widget key of `key` in the current generation of its form."""
    return f"{key}.{st.session_state.get(counter, 0)}"


def done(where: str, message: str, *counters: str) -> None:
    """After a successful save: new, empty forms for `counters`, the message below the form that saved
    (`where`) and as a toast, a fresh run."""
    for counter in counters:
        st.session_state[counter] = st.session_state.get(counter, 0) + 1
    notice_next_run(where, message)
    st.rerun()


def area_picker():
    """The area being browsed (the admin's own area first) among the browsable ones; returns the areas
    by id and the current one."""
    with reading() as session:
        tree = area_service.list_subtree(session, actor=actor, levels=tuple(lv.value for lv in BROWSABLE))
    if not tree:  # an admin scoped to a single village: it is the only node to show
        with reading() as session:
            tree = area_service.list_children(session, actor=actor, parent_id=None)
    by_id = {a.id: a for a in tree}
    if st.session_state.get(KEY_CURRENT) not in by_id:
        st.session_state[KEY_CURRENT] = actor.area_id if actor.area_id in by_id else tree[0].id
    current_id = st.selectbox(
        t("admin_areas.current"),
        options=list(by_id),
        format_func=lambda i: (
            "· " * (by_id[i].depth - tree[0].depth)
            + (f"{by_id[i].name} ({by_id[i].code}) — " + t(labels.AREA_LEVEL[by_id[i].level]))
        ),
        key=KEY_CURRENT,
    )
    current = by_id[current_id]
    return by_id, current


def children_table(current):
    """The areas right under the current one with their counts; returns them."""
    with reading() as session:
        children = area_service.list_children_with_counts(session, actor=actor, parent_id=current.id)

    st.subheader(t("admin_areas.children", name=current.name))
    if children:
        st.dataframe(
            [
                {
                    t("admin_areas.col_code"): c.code,
                    t("admin_areas.col_name"): c.name,
                    t("admin_areas.col_level"): t(labels.AREA_LEVEL[c.level]),
                    t("admin_areas.col_children"): c.children,
                    t("admin_areas.col_households"): c.households,
                    t("admin_areas.col_residents"): c.residents,
                    t("admin_areas.col_guided"): c.residents_guided,
                }
                for c in children
            ],
            hide_index=True,
        )
    else:
        st.info(t("admin_areas.no_children"))
    return children


def add_tab(current, by_id) -> None:
    st.caption(t("admin_areas.add_help"))
    levels = [lv.value for lv in AreaLevel]
    with st.form(gen_key("add_area", KEY_ADD_GEN)):
        code = st.text_input(t("admin_areas.code"), key=gen_key(KEY_ADD_CODE, KEY_ADD_GEN))
        code_slot = st.empty()
        name = st.text_input(t("admin_areas.name"), key=gen_key(KEY_ADD_NAME, KEY_ADD_GEN))
        name_slot = st.empty()
        default_level = CHILD_LEVEL.get(current.level, AreaLevel.VILLAGE).value
        level = st.selectbox(
            t("admin_areas.level"),
            options=levels,
            index=levels.index(default_level),
            format_func=lambda lv: t(labels.AREA_LEVEL[lv]),
            key=gen_key(KEY_ADD_LEVEL, KEY_ADD_GEN),
        )
        level_slot = st.empty()
        parent_id = st.selectbox(
            t("admin_areas.parent"),
            options=list(by_id),
            index=list(by_id).index(current.id),
            format_func=lambda i: f"{by_id[i].name} ({by_id[i].code})",
            key=gen_key(f"admin_areas.add_parent.{current.id}", KEY_ADD_GEN),  # follows the browsed area
        )
        parent_slot = st.empty()
        add_clicked = st.form_submit_button(t("admin_areas.add_submit"), type="primary")
    show_notice("add")
    if add_clicked:
        try:
            with writing() as session:
                area_service.create_area(
                    session,
                    actor=actor,
                    code=code,
                    name=name,
                    level=level,
                    parent_code=by_id[parent_id].code,
                )
        except AppError as exc:
            slots = {"code": code_slot, "name": name_slot, "level": level_slot, "parent": parent_slot}
            show_problems(exc, slots)
        else:
            done("add", t("admin_areas.added", code=code.strip()), KEY_ADD_GEN)


def rename_tab(current, children) -> None:
    choices = {current.id: f"{current.name} ({current.code})"} | {
        c.id: f"{c.name} ({c.code})" for c in children
    }
    with st.form(gen_key("rename_area", KEY_RENAME_GEN)):
        rename_id = st.selectbox(
            t("admin_areas.rename_pick"),
            options=list(choices),
            format_func=choices.get,
            key=gen_key(KEY_RENAME_PICK, KEY_RENAME_GEN),
        )
        new_name = st.text_input(t("admin_areas.new_name"), key=gen_key(KEY_RENAME_NAME, KEY_RENAME_GEN))
        new_name_slot = st.empty()
        rename_clicked = st.form_submit_button(t("admin_areas.rename_submit"), type="primary")
    show_notice("rename")
    if rename_clicked:
        try:
            with writing() as session:
                stored = area_service.rename_area(session, actor=actor, area_id=rename_id, name=new_name)
        except AppError as exc:
            show_problems(exc, {"name": new_name_slot})
        else:
            done("rename", t("admin_areas.renamed", name=stored), KEY_RENAME_GEN)


def move_tab(children) -> None:
    if not children:
        st.info(t("admin_areas.nothing_to_move"))
    else:
        movable = {c.id: f"{c.name} ({c.code})" for c in children}
        with st.form(gen_key("move_area", KEY_MOVE_GEN)):
            move_id = st.selectbox(
                t("admin_areas.move_pick"),
                options=list(movable),
                format_func=movable.get,
                key=gen_key(KEY_MOVE_PICK, KEY_MOVE_GEN),
            )
            new_parent = st.text_input(
                t("admin_areas.new_parent"), key=gen_key(KEY_MOVE_PARENT, KEY_MOVE_GEN)
            )
            new_parent_slot = st.empty()
            move_clicked = st.form_submit_button(t("admin_areas.move_submit"), type="primary")
        if move_clicked:
            try:
                with writing() as session:
                    area_service.move_area(session, actor=actor, area_id=move_id, new_parent_code=new_parent)
            except AppError as exc:
                show_problems(exc, {"parent": new_parent_slot})
            else:
                done(
                    "move",
                    t("admin_areas.moved", area=movable[move_id], parent=new_parent.strip()),
                    KEY_MOVE_GEN,
                )
    show_notice("move")  # after the form, or alone once the last child has moved away


def import_tab() -> None:
    st.caption(t("admin_areas.import_help"))
    show_notice("import")
    round_no = st.session_state.get(KEY_UPLOAD_ROUND, 0)
    localize.uploader_texts(f"admin_areas.upload.{round_no}", ["csv"])
    upload = st.file_uploader(t("admin_areas.upload"), type=["csv"], key=f"admin_areas.upload.{round_no}")
    if upload is not None:
        data = upload.getvalue()
        try:
            with reading() as session:
                preview = area_service.import_areas_csv(session, actor=actor, data=data, dry_run=True)
        except ValidationFailed as exc:
            st.error(t("admin_areas.preview_bad", count=len(exc.problems)))
            st.dataframe(
                [
                    {
                        t("admin_areas.col_line"): p.line,
                        t("admin_areas.col_column"): p.field,
                        t("admin_areas.col_problem"): p.message(lang()),
                    }
                    for p in exc.problems
                ],
                hide_index=True,
            )
        except AppError as exc:
            st.error(exc.message(lang()))
        else:
            st.success(
                t(
                    "admin_areas.preview_ok",
                    created=preview.created,
                    renamed=preview.renamed,
                    unchanged=preview.unchanged,
                )
            )
            if preview.created_codes:
                st.caption(t("admin_areas.will_create", codes=", ".join(preview.created_codes[:50])))
            if st.button(
                t("admin_areas.import_submit"),
                type="primary",
                key="admin_areas.import_btn",
                disabled=not (preview.created or preview.renamed),
            ):
                try:
                    with writing() as session:
                        report = area_service.import_areas_csv(session, actor=actor, data=data)
                except AppError as exc:
                    st.error(exc.message(lang()))
                    if isinstance(exc, ValidationFailed):
                        for p in exc.problems:
                            st.error(f"{p.line}: {p.field}: {p.message(lang())}")
                else:
                    st.session_state[KEY_UPLOAD_ROUND] = round_no + 1
                    done(
                        "import",
                        t(
                            "admin_areas.imported",
                            created=report.created,
                            renamed=report.renamed,
                            unchanged=report.unchanged,
                        ),
                    )


def render() -> None:
    st.title(t("admin_areas.heading"))
    by_id, current = area_picker()
    children = children_table(current)
    tab_add, tab_rename, tab_move, tab_import = st.tabs(
        [t("admin_areas.add"), t("admin_areas.rename"), t("admin_areas.move"), t("admin_areas.import")]
    )
    with tab_add:
        add_tab(current, by_id)
    with tab_rename:
        rename_tab(current, children)
    with tab_move:
        move_tab(children)
    with tab_import:
        import_tab()


render()
