"""The planners' data page: import sites, edit them, record promise statuses, undo.

Only shown to a logged-in planner; the store checks the planner again on every
write, so hiding the page is convenience, not the protection.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

import pandas as pd
import streamlit as st
from shapely.geometry import Point
from streamlit_folium import st_folium

from geo import sources
from geo.errors import DataError
from geo.locate import parse_coordinates
from layers.evidence import COLUMNS as EVIDENCE_COLUMNS, EvidenceItem, EvidenceStatus, check_evidence
from register import evidence_import, importer
from layers.model import Precision, ProgramStatus, SiteStatus
from layers.render import build_import_map
from views import data, login
from texts.safe import markdown_text
from views.state import Param

MAX_UPLOAD_MB = importer.MAX_BYTES // (1024 * 1024)


def params() -> list[Param]:
    """No URL parameters: data management is not shared by link."""
    return []


def render(t: Callable[[str], str], lang: str) -> None:
    planner = login.planner()
    st.subheader(t("manage_title"))
    if planner is None:
        st.info(t("manage_login_needed"))
        return
    tab_import, tab_edit, tab_status, tab_evidence, tab_history = st.tabs(
        [t("tab_import"), t("tab_edit"), t("tab_status"), t("tab_evidence"), t("tab_history")]
    )
    with tab_import:
        import_section(t, lang, planner)
    with tab_edit:
        edit_section(t, planner)
    with tab_status:
        status_section(t, planner)
    with tab_evidence:
        evidence_section(t, lang, planner)
    with tab_history:
        history_section(t, planner)


def _commit(action) -> None:
    """Run a store write and keep its outcome for the next run; the store writes all or nothing."""
    try:
        message = action()
    except (DataError, PermissionError) as exc:
        st.session_state["manage_error"] = str(exc)
    else:
        st.session_state["manage_ok"] = message
        st.session_state.pop("import_preview", None)


def _outcome() -> None:
    for key, show in (("manage_ok", st.success), ("manage_error", st.error)):
        message = st.session_state.pop(key, None)
        if message:
            show(message)


def import_section(t: Callable[[str], str], lang: str, planner) -> None:
    st.caption(t("import_help").format(mb=MAX_UPLOAD_MB))
    upload = st.file_uploader(t("import_file"), key="import_file", max_upload_size=MAX_UPLOAD_MB)
    _outcome()
    if upload is None:
        st.session_state.pop("import_preview", None)
        return
    if st.session_state.get("import_name") != (upload.name, upload.size):
        st.session_state["import_name"] = (upload.name, upload.size)
        try:
            st.session_state["import_preview"] = importer.read_upload(upload.getvalue())
        except DataError as exc:
            st.session_state.pop("import_preview", None)
            st.error(t("import_refused").format(problem=exc))
            return
    preview = st.session_state.get("import_preview")
    if preview is None:
        return
    store = data.store()
    checked = importer.check_rows(preview, data.catalog(), data.layers(), data.admin()["desa"], store.sites(include_retired=True))
    for problem in checked.file_problems:
        st.error(problem)
    rows = checked.rows
    fmap = build_import_map(rows=rows, kecamatan=data.admin()["kecamatan_display"], t=t, attributions=list(sources.MAP_ATTRIBUTIONS))
    st_folium(fmap, key="import_map", height=420, use_container_width=True, returned_objects=[])
    # Problem texts quote the file: shown in a data grid, which renders them as plain text.
    st.dataframe(
        pd.DataFrame({
            t("import_row"): rows["row"], t("import_keep"): rows["keep"], t("name"): rows["name"], t("program"): rows["program"],
            t("layer"): rows["layer"], t("precision"): rows["precision"], t("import_problems"): ["; ".join(p) for p in rows["problems"]],
        }),
        hide_index=True, width="stretch",
    )
    for fix, candidates in importer.fix_candidates(checked).items():
        if st.button(t(f"fix_{fix}").format(rows=", ".join(map(str, candidates))), key=f"fix_{fix}"):
            st.session_state["import_preview"] = importer.apply_fix(preview, fix, candidates)
            st.rerun()
    dropped = st.multiselect(t("import_drop"), list(rows["row"]), default=list(rows.loc[~rows["keep"], "row"]), key="import_drop",
                             placeholder=t("none"))
    if sorted(dropped) != sorted(rows.loc[~rows["keep"], "row"]):
        st.session_state["import_preview"] = importer.drop_rows(preview, dropped)
        st.rerun()
    kept = int(rows["keep"].sum())
    blocking = int(sum(1 for keep, problems in zip(rows["keep"], rows["problems"]) if keep and problems))
    st.write(t("import_summary").format(kept=kept, total=len(rows), blocking=blocking))
    if st.button(t("import_commit"), type="primary", disabled=blocking > 0 or kept == 0 or bool(checked.file_problems), key="import_commit"):
        _commit(lambda: t("import_done").format(n=kept, batch=importer.commit(checked, store, planner, date.today().isoformat(), note=upload.name)))
        st.rerun()


def edit_section(t: Callable[[str], str], planner) -> None:
    _outcome()
    store = data.store()
    sites = {s.id: s for s in store.sites()}
    if not sites:
        st.info(t("no_sites"))
        return
    site_id = st.selectbox(t("site"), list(sites), format_func=lambda i: f"{sites[i].name} ({i})", key="edit_site")
    site = sites[site_id]
    # The version the planner loaded is the one a save must match: a newer one means someone else saved first.
    loaded = st.session_state.get("edit_loaded")
    if loaded is None or loaded[0] != site_id or st.button(t("reload"), key="edit_reload"):
        st.session_state["edit_loaded"] = loaded = (site_id, site.version)
    expected = loaded[1]
    st.caption(t("edit_version").format(version=expected, updated=site.updated))
    with st.form("edit_form"):
        status = st.selectbox(t("status"), [s.value for s in SiteStatus], index=list(SiteStatus).index(site.status),
                              format_func=lambda s: t(f"status_{s}"))
        evidence = st.text_input(t("evidence_url"), value=site.evidence_url)
        precision = st.selectbox(t("precision"), [p.value for p in Precision], index=list(Precision).index(site.precision),
                                 format_func=lambda p: t(f"precision_{p}"))
        place = st.text_input(t("edit_place"), value=_place_text(site), help=t("edit_place_help"))
        note = st.text_input(t("edit_evidence_note"))
        save = st.form_submit_button(t("save"), type="primary")
    if save:
        try:
            changes = _changes(site, status, evidence, precision, place)
        except DataError as exc:
            st.error(str(exc))
            return

        def _save() -> str:
            saved = store.update(site_id, changes, expected, note or evidence, planner)
            st.session_state["edit_loaded"] = (site_id, saved.version)
            return t("edit_done").format(version=saved.version)

        _commit(_save)
        st.rerun()
    if st.button(t("retire"), key="retire_site"):
        _commit(lambda: t("retire_done").format(name=store.retire(site_id, expected, t("retired_by_planner"), planner).name))
        st.rerun()
    st.dataframe(pd.DataFrame(store.history(site_id)), hide_index=True, width="stretch")


def _place_text(site) -> str:
    if site.precision is Precision.EXACT and site.geometry is not None:
        return f"{site.geometry.y:.6f}, {site.geometry.x:.6f}"
    return site.admin_code


def _changes(site, status: str, evidence: str, precision: str, place: str) -> dict:
    """Only the fields that differ; the place is coordinates for an exact site, else a BPS code."""
    changes = {}
    if status != site.status.value:
        changes["status"] = status
    if evidence != site.evidence_url:
        changes["evidence_url"] = evidence
    if precision != site.precision.value:
        changes["precision"] = precision
    if place != _place_text(site) or "precision" in changes:
        if precision == Precision.EXACT.value:
            lat, lon = parse_coordinates(place)
            changes.update(geometry=Point(lon, lat), admin_code="")
        else:
            changes.update(admin_code=place.strip(), geometry=None)
    return changes


def status_section(t: Callable[[str], str], planner) -> None:
    _outcome()
    catalog = data.catalog()
    with st.form("status_form"):
        program = st.selectbox(t("program"), [p.id for p in catalog.programs], format_func=lambda p: f"{p} \u2014 {catalog.program(p).name}")
        status = st.selectbox(t("status"), [s.value for s in ProgramStatus], format_func=lambda s: t(f"promise_{s}"))
        evidence = st.text_input(t("evidence_url"))
        note = st.text_input(t("note"))
        when = st.date_input(t("date"), value=date.today())
        save = st.form_submit_button(t("save"), type="primary")
    if save:
        store = data.store()
        _commit(lambda: store.record_program_status(program, ProgramStatus(status), evidence, note, when.isoformat(), planner) or t("status_done"))
        st.rerun()


def history_section(t: Callable[[str], str], planner) -> None:
    _outcome()
    store = data.store()
    batches = store.batches(20)
    st.dataframe(pd.DataFrame(batches), hide_index=True, width="stretch")
    if batches and st.button(t("undo_last"), key="undo_last"):
        _commit(lambda: t("undo_done").format(what=store.undo_last(planner)))
        st.rerun()


# --- evidence: add, edit, retire, import (the checks are layers.evidence.check_evidence; the store re-checks) ---

EVIDENCE_MAX_CHARS = 2000  # per field: far above a paraphrase of at most 25 words or a long source URL
PLANNER_PREFIX = "ev-p"  # planners' ids never clash with the research file's ev-NNN


def _evidence_commit(action: Callable[[], str], lang: str) -> None:
    """Run an evidence write and keep its outcome for this tab's next run (the shared messages land in the first tab)."""
    try:
        st.session_state["evidence_ok"] = action()
    except DataError as exc:
        st.session_state["evidence_error"] = exc.text(lang)
    except PermissionError as exc:
        st.session_state["evidence_error"] = str(exc)


def _evidence_outcome() -> None:
    for key, show in (("evidence_ok", st.success), ("evidence_error", st.error)):
        message = st.session_state.pop(key, None)
        if message:
            show(markdown_text(message))  # they quote ids and values a planner typed


def evidence_section(t: Callable[[str], str], lang: str, planner) -> None:
    _evidence_outcome()
    st.caption(t("evidence_help"))
    task = st.radio(t("evidence_task"), ["edit", "add", "import"], format_func=lambda k: t(f"evidence_task_{k}"),
                    horizontal=True, key="evidence_task")  # fmt: skip
    if task == "edit":
        _evidence_edit(t, lang, planner)
    elif task == "add":
        _evidence_add(t, lang, planner)
    else:
        _evidence_import(t, lang, planner)


def _next_planner_id(records: list[dict]) -> str:
    """The first free ``ev-pNNN`` after the planners' highest one."""
    numbers = [int(r["evidence_id"][len(PLANNER_PREFIX):]) for r in records
               if r["evidence_id"].startswith(PLANNER_PREFIX) and r["evidence_id"][len(PLANNER_PREFIX):].isdigit()]  # fmt: skip
    return f"{PLANNER_PREFIX}{max(numbers, default=0) + 1:03d}"


def _evidence_fields(t: Callable[[str], str], values: dict) -> dict:
    """Inputs for every evidence field but the id, filled with ``values``; returns what the planner entered."""
    catalog = data.catalog()
    programs = [p.id for p in catalog.programs]
    statuses = [s.value for s in EvidenceStatus]
    precisions = [p.value for p in Precision]

    def index(options: list[str], value: str) -> int:
        return options.index(value) if value in options else 0

    text = dict(max_chars=EVIDENCE_MAX_CHARS)
    return {
        "program_id": st.selectbox(t("program"), programs, index=index(programs, values.get("program_id", "")),
                                   format_func=lambda p: f"{p} \u2014 {catalog.program(p).name}"),
        "event_date": st.text_input(t("evidence_date"), value=values.get("event_date", ""), help=t("evidence_date_help"), **text),
        "status": st.selectbox(t("evidence_status"), statuses, index=index(statuses, values.get("status", ""))),
        "claim_id": st.text_area(t("evidence_claim_id"), value=values.get("claim_id", ""), **text),
        "claim_en": st.text_area(t("evidence_claim_en"), value=values.get("claim_en", ""), **text),
        "place": st.text_input(t("evidence_place"), value=values.get("place", ""), **text),
        "precision": st.selectbox(t("evidence_precision"), precisions, index=index(precisions, values.get("precision", "")),
                                  format_func=lambda p: t(f"precision_{p}"), help=t("evidence_precision_help")),
        "quantity": st.text_input(t("evidence_quantity"), value=values.get("quantity", ""), **text),
        "url": st.text_input(t("evidence_source_url"), value=values.get("url", ""), **text),
        "publisher": st.text_input(t("evidence_publisher"), value=values.get("publisher", ""), **text),
        "note": st.text_area(t("note"), value=values.get("note", ""), **text),
    }  # fmt: skip


def _evidence_problems(item: EvidenceItem, lang: str) -> bool:
    """Show what :func:`check_evidence` finds, in the reader's language; True if anything was found."""
    problems = check_evidence(item, data.catalog())
    for problem in problems:
        st.error(markdown_text(f"{item.evidence_id}: {problem.text(lang)}"))
    return bool(problems)


def _evidence_add(t: Callable[[str], str], lang: str, planner) -> None:
    store = data.store()
    with st.form("evidence_add_form"):
        evidence_id = st.text_input(t("evidence_id"), value=_next_planner_id(store.evidence(include_retired=True)),
                                    help=t("evidence_id_help"), max_chars=EVIDENCE_MAX_CHARS)  # fmt: skip
        values = _evidence_fields(t, {})
        save = st.form_submit_button(t("save"), type="primary", key="evidence_add_save")
    if save:
        item = EvidenceItem(evidence_id.strip(), **{k: v.strip() for k, v in values.items()})
        if _evidence_problems(item, lang):
            return
        _evidence_commit(lambda: t("evidence_added").format(id=item.evidence_id,
                                                   batch=store.add_evidence([item], data.catalog(), planner, note=item.evidence_id)), lang)  # fmt: skip
        st.rerun()


def _evidence_edit(t: Callable[[str], str], lang: str, planner) -> None:
    store = data.store()
    records = {r["evidence_id"]: r for r in store.evidence()}
    if not records:
        st.info(t("evidence_none"))
        return
    evidence_id = st.selectbox(t("evidence_item"), list(records), key="evidence_edit_item",
                               format_func=lambda i: f"{i} \u2014 {records[i]['program_id']} \u2014 {records[i]['event_date'] or '?'}")  # fmt: skip
    record = records[evidence_id]
    # As for sites: a save must match the version the planner loaded, so a colleague's newer save is never overwritten.
    loaded = st.session_state.get("evidence_loaded")
    if loaded is None or loaded[0] != evidence_id or st.button(t("reload"), key="evidence_reload"):
        st.session_state["evidence_loaded"] = loaded = (evidence_id, record["version"])
    expected = loaded[1]
    st.caption(markdown_text(t("evidence_version").format(version=expected, who=record["recorded_by"], at=record["recorded_at"][:16].replace("T", " "))))
    with st.form("evidence_edit_form"):
        values = _evidence_fields(t, record)
        reason = st.text_input(t("evidence_reason"), max_chars=EVIDENCE_MAX_CHARS)
        save = st.form_submit_button(t("save"), type="primary", key="evidence_edit_save")
    if save:
        changes = {k: v.strip() for k, v in values.items() if v.strip() != record[k]}
        if not changes:
            st.info(t("evidence_unchanged"))
            return
        if _evidence_problems(EvidenceItem(**{c: record[c] for c in EVIDENCE_COLUMNS} | changes), lang):
            return

        def _save() -> str:
            saved = store.update_evidence(evidence_id, changes, expected, reason, data.catalog(), planner)
            st.session_state["evidence_loaded"] = (evidence_id, saved["version"])
            return t("evidence_saved").format(id=evidence_id, version=saved["version"])

        _evidence_commit(_save, lang)
        st.rerun()
    if st.button(t("evidence_retire"), key="evidence_retire"):
        _evidence_commit(lambda: t("evidence_retired").format(
            id=store.retire_evidence(evidence_id, expected, t("retired_by_planner"), planner)["evidence_id"]), lang)  # fmt: skip
        st.rerun()
    st.dataframe(pd.DataFrame(store.evidence_history(evidence_id)), hide_index=True, width="stretch")


def _evidence_import(t: Callable[[str], str], lang: str, planner) -> None:
    st.caption(t("evidence_import_help").format(mb=MAX_UPLOAD_MB))
    upload = st.file_uploader(t("evidence_import_file"), key="evidence_file", max_upload_size=MAX_UPLOAD_MB)
    if upload is None:
        st.session_state.pop("evidence_preview", None)
        return
    if st.session_state.get("evidence_upload") != (upload.name, upload.size):
        st.session_state["evidence_upload"] = (upload.name, upload.size)
        try:
            st.session_state["evidence_preview"] = evidence_import.read_evidence_upload(upload.getvalue(), lang)
        except DataError as exc:
            st.session_state.pop("evidence_preview", None)
            st.error(markdown_text(t("import_refused").format(problem=exc.text(lang))))
            return
    preview = st.session_state.get("evidence_preview")
    if preview is None:
        return
    store, catalog = data.store(), data.catalog()
    checked = evidence_import.check_evidence_rows(preview, catalog, store.evidence(include_retired=True), lang)
    for problem in checked.file_problems:
        st.error(markdown_text(problem))
    rows = checked.rows
    # Problem texts quote the file: shown in a data grid, which renders them as plain text.
    st.dataframe(
        pd.DataFrame({
            t("import_row"): rows["row"], t("import_keep"): rows["keep"], "evidence_id": rows["evidence_id"],
            "program_id": rows["program_id"], "event_date": rows["event_date"], "status": rows["status"],
            t("import_problems"): ["; ".join(p) for p in rows["problems"]],
        }),
        hide_index=True, width="stretch",
    )  # fmt: skip
    dropped = st.multiselect(t("import_drop"), list(rows["row"]), default=list(rows.loc[~rows["keep"], "row"]),
                             key="evidence_drop", placeholder=t("none"))  # fmt: skip
    if sorted(dropped) != sorted(rows.loc[~rows["keep"], "row"]):
        st.session_state["evidence_preview"] = importer.drop_rows(preview, dropped)
        st.rerun()
    kept = int(rows["keep"].sum())
    blocking = int(sum(1 for keep, problems in zip(rows["keep"], rows["problems"]) if keep and problems))
    st.write(t("import_summary").format(kept=kept, total=len(rows), blocking=blocking))
    disabled = blocking > 0 or kept == 0 or bool(checked.file_problems)
    if st.button(t("import_commit"), type="primary", disabled=disabled, key="evidence_commit"):

        def _store() -> str:
            batch = evidence_import.commit_evidence(checked, store, catalog, planner, note=upload.name)
            st.session_state.pop("evidence_preview", None)
            return t("evidence_import_done").format(n=kept, batch=batch)

        _evidence_commit(_store, lang)
        st.rerun()
