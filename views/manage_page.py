"""The planners' data page: import sites, edit them, record promise statuses, undo.

Only shown to a logged-in planner; the store checks the planner again on every
write, so hiding the page is convenience, not the protection.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Callable

import pandas as pd
import streamlit as st
from shapely.geometry import Point
from streamlit_folium import st_folium

from geo import sources
from geo.errors import DataError
from geo.locate import parse_coordinates
from evidence.items import COLUMNS as EVIDENCE_COLUMNS, EvidenceItem, EvidenceStatus, check_evidence
from register import evidence_import, importer
from register.store import EVIDENCE_ITEM, UNDOABLE
from layers.model import Precision, ProgramStatus, SiteStatus
from layers.render import build_import_map
from texts.numbers import format_number
from texts.safe import markdown_text
from views import data, login
from views.state import Param

MAX_UPLOAD_MB = importer.MAX_BYTES // (1024 * 1024)
IMPORT_MAP_ROWS = 2000  # rows the import preview map draws
# The note and evidence the register writes for an undo (register.store.SQLStore.undo_last), shown in the UI language.
UNDO_NOTE = re.compile(r"^undo of batch (\d+)$")


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
        edit_section(t, lang, planner)
    with tab_status:
        status_section(t, lang, planner)
    with tab_evidence:
        evidence_section(t, lang, planner)
    with tab_history:
        history_section(t, lang, planner)


def _commit(tab: str, lang: str, action: Callable[[], str]) -> bool:
    """Run a store write and keep its outcome for the next run, to show in ``tab`` (where the planner acted).

    The store writes all or nothing; its refusals quote data, so they are shown as plain text.
    """
    try:
        message = action()
    except (DataError, PermissionError) as exc:
        text = exc.text(lang) if isinstance(exc, DataError) else str(exc)
        st.session_state[f"manage_outcome_{tab}"] = ("error", _lines(text))
        return False
    st.session_state[f"manage_outcome_{tab}"] = ("success", message)
    if tab == "import":
        st.session_state.pop("import_preview", None)
    return True


def _outcome(tab: str) -> None:
    """The confirmation or refusal of the planner's last action in this tab, once."""
    kind, message = st.session_state.pop(f"manage_outcome_{tab}", (None, None))
    if kind is not None:
        (st.success if kind == "success" else st.error)(message)


def _lines(text: str) -> str:
    """A message that quotes file or form content, shown literally, one Markdown line per line."""
    return "  \n".join(markdown_text(line) for line in text.splitlines())


def _uploaded(t: Callable[[str], str], lang: str, label: str, key: str, preview_key: str, read: Callable[[bytes], object],
              outcome: str | None = None) -> tuple[object, str] | None:
    """The preview of the file uploaded under ``key`` and the file's name; the file is read once and kept as ``preview_key``.

    None without a file, or when the file is refused (the refusal is shown once). ``outcome`` names the tab
    whose last confirmation or refusal shows under the uploader.
    """
    upload = st.file_uploader(label, key=key, max_upload_size=MAX_UPLOAD_MB)
    if outcome:
        _outcome(outcome)
    if upload is None:
        st.session_state.pop(preview_key, None)
        return None
    if st.session_state.get(f"{preview_key}_file") != (upload.name, upload.size):
        st.session_state[f"{preview_key}_file"] = (upload.name, upload.size)
        try:
            st.session_state[preview_key] = read(upload.getvalue())
        except DataError as exc:
            st.session_state.pop(preview_key, None)
            st.error(t("import_refused").format(problem=_lines(exc.text(lang))))
            return None
    preview = st.session_state.get(preview_key)
    return None if preview is None else (preview, upload.name)


def import_section(t: Callable[[str], str], lang: str, planner) -> None:
    st.caption(t("import_help").format(mb=MAX_UPLOAD_MB))
    uploaded = _uploaded(t, lang, t("import_file"), "import_file", "import_preview", importer.read_upload, outcome="import")
    if uploaded is None:
        return
    preview, file_name = uploaded
    store = data.store()
    checked = _checked(preview, store, t, lang)
    for problem in checked.file_problems:
        st.error(_lines(problem.text(lang)))
    rows = checked.rows
    shown = rows.assign(problems=[[p.text(lang) for p in problems] for problems in rows["problems"]])
    mapped = shown
    if len(shown) > IMPORT_MAP_ROWS:  # a map of a whole inventory would not load: rows with problems first
        st.caption(t("import_map_sample").format(n=format_number(IMPORT_MAP_ROWS, lang), total=format_number(len(shown), lang)))
        mapped = shown.sort_values("problems", key=lambda p: p.map(len) == 0, kind="stable").head(IMPORT_MAP_ROWS)
    fmap = build_import_map(rows=mapped, kecamatan=data.admin()["kecamatan_display"], t=t, attributions=list(sources.MAP_ATTRIBUTIONS))
    st_folium(fmap, key="import_map", height=420, use_container_width=True, returned_objects=[])
    # Problem texts quote the file: shown in a data grid, which renders them as plain text.
    st.dataframe(
        pd.DataFrame({
            t("import_row"): rows["row"], t("import_keep"): rows["keep"], t("name"): rows["name"],
            t("program"): _labels(rows["program"], lambda p: data.catalog().program(p).name),
            t("layer"): _labels(rows["layer"], lambda i: data.layers()[i].label(lang)),
            t("precision"): _labels(rows["precision"], lambda p: t(f"precision_{Precision(p).value}")),
            t("import_problems"): ["; ".join(p) for p in shown["problems"]],
        }),
        # Program names are long: narrow columns (full text on hover) keep the problems in view.
        column_config={t("program"): st.column_config.TextColumn(width="medium"), t("layer"): st.column_config.TextColumn(width="small")},
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
        _commit("import", lang, lambda: t("import_done").format(
            n=format_number(kept, lang), batch=importer.commit(checked, store, planner, date.today().isoformat(), note=file_name)))
        st.rerun()


def _checked(preview: importer.ImportPreview, store, t: Callable[[str], str], lang: str) -> importer.ImportPreview:
    """The preview checked against the register as it is now, with a progress bar; again only after either changed."""
    revision = store.revision()
    cached = st.session_state.get("import_checked")
    if cached is not None and cached[0] is preview and cached[1] == revision:
        return cached[2]
    bar = st.progress(0.0)

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=t("import_checking").format(done=format_number(done, lang), total=format_number(total, lang)))

    checked = importer.check_rows(preview, data.domain(), store.sites(include_retired=True), progress=report)
    bar.empty()
    st.session_state["import_checked"] = (preview, revision, checked)
    return checked


def _labels(values: pd.Series, label: Callable[[str], str]) -> list[str]:
    """Each id as its label; an id the catalog does not know stays as written (its problem says why)."""
    known = {}
    for value in values.unique():
        try:
            known[value] = label(value)
        except (KeyError, ValueError):
            known[value] = value
    return [known[v] for v in values]


def edit_section(t: Callable[[str], str], lang: str, planner) -> None:
    _outcome("edit")
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
    st.caption(t("edit_version").format(version=expected, updated=markdown_text(site.updated)))
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
            st.error(_lines(exc.text(lang)))
            return

        def _save() -> str:
            saved = store.update(site_id, changes, expected, note or evidence, planner)
            st.session_state["edit_loaded"] = (site_id, saved.version)
            return t("edit_done").format(version=saved.version)

        _commit("edit", lang, _save)
        st.rerun()
    if st.button(t("retire"), key="retire_site"):
        _commit("edit", lang, lambda: t("retire_done").format(
            name=markdown_text(store.retire(site_id, expected, t("retired_by_planner"), planner).name)))
        st.rerun()
    st.dataframe(_site_history(store.history(site_id), t), hide_index=True, width="stretch")


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


def status_section(t: Callable[[str], str], lang: str, planner) -> None:
    _outcome("status")
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

        def _record() -> str:
            store.record_program_status(program, ProgramStatus(status), evidence, note, when.isoformat(), planner)
            return t("status_done").format(program=markdown_text(catalog.program(program).name))

        _commit("status", lang, _record)
        st.rerun()


def history_section(t: Callable[[str], str], lang: str, planner) -> None:
    _outcome("history")
    store = data.store()
    batches = store.batches(50)
    st.dataframe(_batch_table(batches, t), hide_index=True, width="stretch")
    latest = next((b for b in batches if b["kind"] in UNDOABLE and b["undone_by"] is None), None)
    if latest is None:
        st.caption(t("undo_nothing"))
        return
    what = _describe(latest, t)
    st.write(t("undo_latest").format(what=what))
    # Undoing a colleague's step needs a choice made for that very batch (a newer one asks again).
    others = latest["who"] != planner.username and st.checkbox(
        t("undo_others").format(who=markdown_text(latest["who"])), key=f"undo_others_{latest['batch']}"
    )
    if st.button(t("undo_last"), key="undo_last"):

        def _undo() -> str:
            store.undo_last(planner, expected_batch=latest["batch"], others=others)  # that very batch, or a refusal
            return t("undo_done").format(what=what)

        if _commit("history", lang, _undo):
            st.session_state.pop("edit_loaded", None)  # the edit form reloads the version the undo made
        st.rerun()


def _when(at: str) -> str:
    """A batch time as people read it (the register keeps Western Indonesian Time)."""
    return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M WIB") if "T" in at else at


def _note(note: str | None, t: Callable[[str], str]) -> str:
    undo = UNDO_NOTE.match(note or "")
    return t("undo_of").format(batch=undo.group(1)) if undo else note or ""


def _describe(batch: dict, t: Callable[[str], str]) -> str:
    """One batch in words: kind, note, planner and time (data quoted as plain text)."""
    note = _note(batch["note"], t)
    return t("batch_described").format(
        kind=t(f"batch_{batch['kind']}"), note=f" “{markdown_text(note)}”" if note else "",
        who=markdown_text(batch["who"]), at=_when(batch["at"]),
    )


def _batch_table(batches: list[dict], t: Callable[[str], str]) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_batch"): [b["batch"] for b in batches],
        t("col_kind"): [t(f"batch_{b['kind']}") for b in batches],
        t("col_who"): [b["who"] for b in batches],
        t("col_at"): [_when(b["at"]) for b in batches],
        t("col_note"): [_note(b["note"], t) for b in batches],
        t("col_sites"): [b["sites"] for b in batches],
        t("col_undone_by"): [b["undone_by"] or "" for b in batches],
    })  # fmt: skip


def _change_value(field: str, value: str | None, t: Callable[[str], str]) -> str:
    """A stored value of a history row as people read it."""
    if value is None:
        return ""
    vocabulary = {"status": "status_", "precision": "precision_", "retired": "retired_", "site": "site_"}
    return t(vocabulary[field] + value) if field in vocabulary else value


def _site_history(rows: list[dict], t: Callable[[str], str]) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_batch"): [r["batch"] for r in rows],
        t("col_kind"): [t(f"batch_{r['kind']}") for r in rows],
        t("col_field"): [t(f"field_{r['field']}") for r in rows],
        t("col_old"): [_change_value(r["field"], r["old"], t) for r in rows],
        t("col_new"): [_change_value(r["field"], r["new"], t) for r in rows],
        t("col_evidence"): [_note(r["evidence"], t) for r in rows],
        t("col_who"): [r["who"] for r in rows],
        t("col_at"): [_when(r["at"]) for r in rows],
    })  # fmt: skip
# --- evidence: add, edit, retire, import (the checks are evidence.items.check_evidence; the store re-checks) ---

EVIDENCE_MAX_CHARS = 2000  # per field: far above a paraphrase of at most 25 words or a long source URL
PLANNER_PREFIX = "ev-p"  # planners' ids never clash with the research file's ev-NNN


def evidence_section(t: Callable[[str], str], lang: str, planner) -> None:
    _outcome("evidence")
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
        "status": st.selectbox(t("evidence_status"), statuses, index=index(statuses, values.get("status", "")),
                               format_func=lambda s: t(f"ev_status_{s}")),
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
        _commit("evidence", lang, lambda: t("evidence_added").format(
            id=markdown_text(item.evidence_id), batch=store.add_evidence([item], data.catalog(), planner, note=item.evidence_id)))  # fmt: skip
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
            return t("evidence_saved").format(id=markdown_text(evidence_id), version=saved["version"])

        _commit("evidence", lang, _save)
        st.rerun()
    if st.button(t("evidence_retire"), key="evidence_retire"):
        _commit("evidence", lang, lambda: t("evidence_retired").format(
            id=markdown_text(store.retire_evidence(evidence_id, expected, t("retired_by_planner"), planner)["evidence_id"])))  # fmt: skip
        st.rerun()
    st.dataframe(_evidence_history(store.evidence_history(evidence_id), t), hide_index=True, width="stretch")


def _evidence_history(rows: list[dict], t: Callable[[str], str]) -> pd.DataFrame:
    """An evidence item's history as people read it (fields named as in the evidence CSV)."""

    def shown(field: str, value: str | None) -> str:
        if value is None:
            return ""
        return t(f"site_{value}") if field == EVIDENCE_ITEM else t(f"retired_{value}") if field == "retired" else value

    return pd.DataFrame({
        t("col_batch"): [r["batch"] for r in rows],
        t("col_kind"): [t(f"batch_{r['kind']}") for r in rows],
        t("col_field"): [r["field"] for r in rows],
        t("col_old"): [shown(r["field"], r["old"]) for r in rows],
        t("col_new"): [shown(r["field"], r["new"]) for r in rows],
        t("col_evidence"): [_note(r["reason"], t) for r in rows],
        t("col_who"): [r["who"] for r in rows],
        t("col_at"): [_when(r["at"]) for r in rows],
    })  # fmt: skip


def _evidence_import(t: Callable[[str], str], lang: str, planner) -> None:
    st.caption(t("evidence_import_help").format(mb=MAX_UPLOAD_MB))
    read = lambda data: evidence_import.read_evidence_upload(data, lang)  # noqa: E731
    uploaded = _uploaded(t, lang, t("evidence_import_file"), "evidence_file", "evidence_preview", read)
    if uploaded is None:
        return
    preview, file_name = uploaded
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
            batch = evidence_import.commit_evidence(checked, store, catalog, planner, note=file_name)
            st.session_state.pop("evidence_preview", None)
            return t("evidence_import_done").format(n=kept, batch=batch)

        _commit("evidence", lang, _store)
        st.rerun()
