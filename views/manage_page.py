"""The planners' data page: import sites, edit them, record promise statuses, undo.

Only shown to a logged-in planner; the store checks the planner again on every
write, so hiding the page is convenience, not the protection.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Callable

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from shapely.geometry import Point
from streamlit_folium import st_folium

from geo import sources
from geo.errors import DataError
from geo.locate import parse_coordinates
from evidence.items import COLUMNS as EVIDENCE_COLUMNS, EvidenceItem, EvidenceStatus, check_evidence
from register import evidence_import, importer
from register.seed import CORRECTION_NOTE, seed_differences
from register.store import EVIDENCE_ITEM, UNDOABLE
from layers.model import Precision, ProgramStatus, SiteStatus
from layers.seed import seed_sites
from layers.render import IMPORT_DROPPED, IMPORT_OK, IMPORT_PROBLEM, ClusterPoints, build_import_map, point_table
from texts.numbers import format_number
from texts.safe import csv_bytes, html_text, markdown_text
from views import data, login
from views.state import Param

MAX_UPLOAD_MB = importer.MAX_BYTES // (1024 * 1024)
IMPORT_MAP_ROWS = 2000  # rows the import preview map draws one by one; more are clustered
PAGE_ROWS = 500  # rows of the import table sent at a time
DROP_CHOICES = 500  # rows the drop list offers; past that they are typed as ranges
LISTED_ROWS = 20  # row numbers a fix button names
RANGE = re.compile(r"(\d+)(?:[-\u2013](\d+))?")  # "12" or "12-40" (also with an en dash)
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
        for key in ("import_checked", "import_memo", "import_drop_shown"):  # a whole file's rows: not kept once it is gone
            st.session_state.pop(key, None)
        return
    preview, file_name = uploaded
    store = data.store()
    checked = _checked(preview, store, t, lang)
    for problem in checked.file_problems:
        st.error(_lines(problem.text(lang)))
    rows = checked.rows
    has_problem = rows["problems"].map(bool).to_numpy()
    fmap, clustered = _remembered(checked, ("map", lang), lambda: _import_map(rows, has_problem, t, lang))
    if clustered:
        st.caption(t("import_map_clustered").format(n=format_number(clustered, lang)))
    st_folium(fmap, key="import_map", height=420, use_container_width=True, returned_objects=[])
    _import_table(rows, has_problem, t, lang)
    fixes = _remembered(checked, ("fixes",), lambda: importer.fix_candidates(checked))
    for fix, candidates in fixes.items():
        if st.button(t(f"fix_{fix}").format(rows=_row_list(candidates, t, lang)), key=f"fix_{fix}"):
            st.session_state["import_preview"] = importer.apply_fix(preview, fix, candidates)
            st.rerun()
    kept = rows["keep"].to_numpy(dtype=bool)
    blocking = int((kept & has_problem).sum())
    _drop_rows(preview, rows, has_problem, blocking, t, lang)
    st.write(t("import_summary").format(kept=format_number(int(kept.sum()), lang), total=format_number(len(rows), lang),
                                        blocking=format_number(blocking, lang)))  # fmt: skip
    if st.button(t("import_commit"), type="primary", disabled=blocking > 0 or not kept.any() or bool(checked.file_problems), key="import_commit"):
        _commit("import", lang, lambda: t("import_done").format(
            n=format_number(int(kept.sum()), lang), batch=importer.commit(checked, store, planner, date.today().isoformat(), note=file_name)))
        st.rerun()


def _remembered(checked: importer.ImportPreview, what: tuple, build: Callable[[], object]) -> object:
    """``build()`` once per checked preview: the map and the fixes of a 100,000-row file take seconds to make."""
    memo = st.session_state.get("import_memo")
    if memo is None or memo[0] is not checked:
        memo = st.session_state["import_memo"] = (checked, {})
    if what not in memo[1]:
        memo[1][what] = build()
    return memo[1][what]


def _problem_texts(problems: pd.Series, lang: str) -> list[list[str]]:
    """Each row's problems in the UI language: made only for the rows shown (a text takes some 0.2 ms)."""
    return [[p.text(lang) for p in row] for row in problems]


def _joined(problems: pd.Series, lang: str) -> list[str]:
    return ["; ".join(texts) for texts in _problem_texts(problems, lang)]


def _row_list(rows: list[int], t: Callable[[str], str], lang: str) -> str:
    """Row numbers as a button names them: the first :data:`LISTED_ROWS`, then how many more."""
    listed = ", ".join(map(str, rows[:LISTED_ROWS]))
    return listed if len(rows) <= LISTED_ROWS else t("import_rows_more").format(rows=listed, n=format_number(len(rows) - LISTED_ROWS, lang))


def _import_map(rows: gpd.GeoDataFrame, has_problem: np.ndarray, t: Callable[[str], str], lang: str) -> tuple[folium.Map, int]:
    """The preview map, and how many of its rows are clustered.

    A file of at most :data:`IMPORT_MAP_ROWS` drawable rows is drawn a dot per row. In a bigger one the rows
    that need no attention are clustered (:class:`layers.render.ClusterPoints`, in the colour of their state);
    rows with problems and dropped rows stay dots with their problems as long as there are at most
    :data:`IMPORT_MAP_ROWS` of them, else they are clustered too (their problems are in the table and its download).
    """
    drawn = ~(rows.geometry.isna() | rows.geometry.is_empty).to_numpy()
    kept = rows["keep"].to_numpy(dtype=bool)
    attention = drawn & (has_problem | ~kept)
    single = drawn if drawn.sum() <= IMPORT_MAP_ROWS else attention if attention.sum() <= IMPORT_MAP_ROWS else np.zeros(len(rows), bool)
    shown = rows[single]
    fmap = build_import_map(rows=shown.assign(problems=_problem_texts(shown["problems"], lang)), kecamatan=data.admin()["kecamatan_display"],
                            t=t, attributions=list(sources.MAP_ATTRIBUTIONS))  # fmt: skip
    rest = drawn & ~single
    if rest.any():
        precision = {p.value: t(f"precision_{p.value}") for p in Precision}
        columns = {"nama": lambda f: f["name"], "presisi": lambda f: f["precision"].map(precision), "baris": lambda f: f["row"].astype(str)}
        aliases = [html_text(t(k)) for k in ("name", "precision", "import_row")]
        for color, part in ((IMPORT_OK, rest & kept & ~has_problem), (IMPORT_PROBLEM, rest & kept & has_problem), (IMPORT_DROPPED, rest & ~kept)):
            if part.any():
                folium.FeatureGroup().add_child(ClusterPoints(point_table(rows[part], columns, aliases), color, lang)).add_to(fmap)
        minx, miny, maxx, maxy = rows[drawn].total_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]], max_zoom=14)
    return fmap, int(rest.sum())


def _import_table(rows: gpd.GeoDataFrame, has_problem: np.ndarray, t: Callable[[str], str], lang: str) -> None:
    """The rows as a table, a page at a time; a big file's opens on its rows with problems, all of them downloadable."""
    listed = rows
    if len(rows) > PAGE_ROWS and has_problem.any():
        view = st.radio(t("import_show"), ["problems", "all"], horizontal=True, key="import_show",
                        format_func=lambda v: t(f"import_show_{v}").format(n=format_number(int(has_problem.sum()) if v == "problems" else len(rows), lang)))  # fmt: skip
        listed = rows[has_problem] if view == "problems" else rows
    pages = -(-len(listed) // PAGE_ROWS)
    if pages > 1:
        key = f"import_page_{len(listed)}"  # a new page count starts again at page 1
        page = st.number_input(t("import_page").format(pages=format_number(pages, lang)), min_value=1, max_value=pages, step=1, key=key)
        first, total = (page - 1) * PAGE_ROWS, len(listed)
        listed = listed.iloc[first : first + PAGE_ROWS]
        st.caption(t("import_page_rows").format(first=format_number(first + 1, lang), last=format_number(first + len(listed), lang),
                                                total=format_number(total, lang)))  # fmt: skip
    # Problem texts quote the file: shown in a data grid, which renders them as plain text.
    st.dataframe(
        pd.DataFrame({
            t("import_row"): listed["row"], t("import_keep"): listed["keep"], t("name"): listed["name"],
            t("program"): _labels(listed["program"], lambda p: data.catalog().program(p).name),
            t("layer"): _labels(listed["layer"], lambda i: data.layers()[i].label(lang)),
            t("precision"): _labels(listed["precision"], lambda p: t(f"precision_{Precision(p).value}")),
            t("import_problems"): _joined(listed["problems"], lang),
        }),
        # Program names are long: narrow columns (full text on hover) keep the problems in view.
        column_config={t("program"): st.column_config.TextColumn(width="medium"), t("layer"): st.column_config.TextColumn(width="small")},
        hide_index=True, width="stretch",
    )  # fmt: skip
    if has_problem.any():
        st.download_button(t("import_problems_csv"), lambda: problem_csv(rows[has_problem], t, lang), "masalah-impor.csv", "text/csv",
                           key="import_problems_csv", on_click="ignore")  # fmt: skip


def problem_csv(rows: gpd.GeoDataFrame, t: Callable[[str], str], lang: str) -> bytes:
    """Every row with a problem as CSV (row, name, problems; :func:`texts.safe.csv_bytes`), made when it is downloaded."""
    return csv_bytes(pd.DataFrame({t("import_row"): rows["row"], t("name"): rows["name"], t("import_problems"): _joined(rows["problems"], lang)}))


def _drop_rows(preview: importer.ImportPreview, rows: gpd.GeoDataFrame, has_problem: np.ndarray, blocking: int,
               t: Callable[[str], str], lang: str) -> None:  # fmt: skip
    """Choose the rows not to store: every kept row with a problem at once, or rows by number.

    A small file offers every row; a big one only its rows with problems and those dropped already, and past
    :data:`DROP_CHOICES` of those the rows are typed as numbers and ranges ("5, 9-12").
    """
    dropped = rows.loc[~rows["keep"].astype(bool), "row"].tolist()
    if blocking and st.button(t("import_drop_problems").format(n=format_number(blocking, lang)), key="import_drop_problems"):
        _set_dropped(preview, sorted(set(dropped) | set(rows.loc[has_problem, "row"])))
    options = rows["row"].tolist() if len(rows) <= DROP_CHOICES else sorted(set(rows.loc[has_problem, "row"]) | set(dropped))
    typed = len(options) > DROP_CHOICES
    key = "import_drop_rows" if typed else "import_drop"
    if st.session_state.get("import_drop_shown") != (key, dropped):  # the preview changed (a new file, a fix, the button above)
        st.session_state[key] = _ranges(dropped) if typed else dropped
        st.session_state["import_drop_shown"] = (key, dropped)
    if not typed:
        chosen = sorted(st.multiselect(t("import_drop"), options, key=key, placeholder=t("none")))
    else:
        text = st.text_input(t("import_drop"), key=key, help=t("import_drop_rows_help"))
        try:
            chosen = _parse_ranges(text, set(rows["row"]))
        except ValueError as exc:
            st.error(t("import_drop_rows_bad").format(part=markdown_text(str(exc))))
            return
    if chosen != dropped:
        _set_dropped(preview, chosen)


def _set_dropped(preview: importer.ImportPreview, rows: list[int]) -> None:
    st.session_state["import_preview"] = importer.drop_rows(preview, rows)
    st.rerun()


def _ranges(rows: list[int]) -> str:
    """Sorted row numbers as ranges: [1, 2, 3, 7] -> "1-3, 7"."""
    parts, start = [], None
    for i, row in enumerate(rows):
        if start is None:
            start = row
        if i + 1 == len(rows) or rows[i + 1] != row + 1:
            parts.append(str(start) if start == row else f"{start}-{row}")
            start = None
    return ", ".join(parts)


def _parse_ranges(text: str, known: set[int]) -> list[int]:
    """Row numbers from "5, 9-12" (commas, semicolons or spaces between parts); ValueError naming a part that is not one."""
    chosen: set[int] = set()
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        bounds = RANGE.fullmatch(part)
        if bounds is None:
            raise ValueError(part)
        first, last = int(bounds.group(1)), int(bounds.group(2) or bounds.group(1))
        if first > last or first not in known or last not in known:
            raise ValueError(part)
        chosen.update(range(first, last + 1))
    return sorted(chosen)


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
    _seeds_left(sites, t, lang)
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
    st.dataframe(_site_history(store.history(site_id), t, lang), hide_index=True, width="stretch")


def _seeds_left(sites: dict, t: Callable[[str], str], lang: str) -> None:
    """Seed sites the documents now describe otherwise but a planner had changed, so the seeding left them as they are."""
    left = seed_differences(seed_sites(data.catalog(), data.admin()["kecamatan"]), sites.values())
    if left:
        items = [t("seed_left_item").format(name=markdown_text(sites[i].name), id=markdown_text(i), field=t(f"field_{field}"),
                                            stored=markdown_text(_change_value(field, stored, t, lang)),
                                            documented=markdown_text(_change_value(field, documented, t, lang)))
                 for i, field, stored, documented in left]  # fmt: skip
        st.warning(t("seed_left") + "".join(f"\n- {item}" for item in items))


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
    """A note the register writes itself (an undo, a seed correction) in the UI language; a planner's as written."""
    if note == CORRECTION_NOTE:
        return t("seed_corrected")
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


def _change_value(field: str, value: str | None, t: Callable[[str], str], lang: str) -> str:
    """A stored value of a history row as people read it."""
    if value is None:
        return ""
    if field == "layer":
        return _labels(pd.Series([value]), lambda i: data.layers()[i].label(lang))[0]
    vocabulary = {"status": "status_", "precision": "precision_", "retired": "retired_", "site": "site_"}
    return t(vocabulary[field] + value) if field in vocabulary else value


def _site_history(rows: list[dict], t: Callable[[str], str], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_batch"): [r["batch"] for r in rows],
        t("col_kind"): [t(f"batch_{r['kind']}") for r in rows],
        t("col_field"): [t(f"field_{r['field']}") for r in rows],
        t("col_old"): [_change_value(r["field"], r["old"], t, lang) for r in rows],
        t("col_new"): [_change_value(r["field"], r["new"], t, lang) for r in rows],
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
            return t("evidence_import_done").format(n=format_number(kept, lang), batch=batch)

        _commit("evidence", lang, _store)
        st.rerun()
