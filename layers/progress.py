"""The promise tracker: every program's status, evidence and progress.

Statuses come from the store (:meth:`register.store.SiteStore.program_statuses`),
never from code: until a planner records one, a program is "belum ada bukti"
and its evidence is the document it comes from, as in Tempo's "Janji Jokowi".

Progress is counted from sites only where the target is a number of sites on a
point layer (4 SMP, 14 posko, or one per kecamatan the text names or covers),
with the definitions of :mod:`layers.targets` (a site known only to its
kecamatan is never "located").
Other stated quantities (50.000 anak, 166,2 km) are quoted, since sites cannot
measure them, and programs without a target say so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from geo.errors import DataError
from layers.catalog import Catalog
from layers import targets
from layers.model import Layer, ProgramStatus
from layers.seed import source_text
from texts.catalog import PROGRESS_PHRASES as PHRASES, VOCABULARY
from texts.numbers import format_number
from texts.safe import http_url

KIND_SITES, KIND_QUANTITY, KIND_NONE = "sites", "quantity", "none"

COLUMNS = [
    "id", "document", "region", "misi", "sasaran", "no", "name", "parent", "kind", "layer",
    "status", "evidence", "updated", "note",
    "target_qty", "target_unit", "target_text", "target_sites",
    "active", "located", "known_area", "built", "cancelled", "not_located",
    "progress_kind", "progress_text", "progress_share",
]  # fmt: skip



def status_label(status: str, lang: str = "id") -> str:
    """The tracker's wording for a :class:`layers.model.ProgramStatus` value."""
    return VOCABULARY["en" if lang == "en" else "id"][f"promise_{ProgramStatus(status).value}"]


def program_progress(
    catalog: Catalog,
    layers: dict[str, Layer],
    sites: pd.DataFrame,
    statuses: dict[str, dict],
    kecamatan: pd.DataFrame,
    lang: str = "id",
) -> pd.DataFrame:
    """One row per catalog program, in catalog order, with the :data:`COLUMNS`.

    ``sites`` is a :func:`layers.sites.site_frame` table, ``statuses`` the
    store's :meth:`program_statuses` and ``kecamatan`` the boundary table (its
    ``kode_kab`` counts the kecamatan of each region). The counts follow
    :mod:`layers.targets`: ``active`` sites are those not cancelled,
    ``located`` those at a point (or desa where the layer allows it),
    ``known_area`` those known only to an area, ``built`` the active ones
    with status "selesai", ``not_located`` the remaining target and
    ``progress_share`` built over the site target (NaN without one).
    """
    missing = {"program", "status", "precision", "layer"} - set(sites.columns)
    if missing:
        raise DataError(f"The site table lacks column(s) {sorted(missing)}; pass layers.sites.site_frame output")
    program_ids = {p.id for p in catalog.programs}
    unknown = sorted(set(statuses) - program_ids)
    if unknown:
        raise DataError(f"The store has statuses for programs that are not in the catalog: {', '.join(unknown)}")
    words = PHRASES["en" if lang == "en" else "id"]
    per_region = targets.kecamatan_per_region(kecamatan)
    ids = [p.id for p in catalog.programs]
    counts = targets.program_counts(sites, layers).reindex(ids, fill_value=0).to_dict("index")

    rows = []
    for p in catalog.programs:
        record = statuses.get(p.id)
        n = counts[p.id]
        target = targets.site_target(p, layers, per_region)
        if target is not None:
            kind = KIND_SITES
            text = words["sites"].format(
                located=format_number(n["located"], lang), target=format_number(target, lang),
                known=_known_text(n, words, lang), built=format_number(n["built"], lang),
            )  # fmt: skip
            text += words["cancelled"].format(n=format_number(n["cancelled"], lang)) if n["cancelled"] else ""
        elif p.target_qty or p.target_text:
            kind = KIND_QUANTITY
            # A count with its unit where the catalog has one, else the document's own words.
            if p.target_qty:
                stated = f"{format_number(p.target_qty, lang)} {p.target_unit}".strip()
            else:
                stated = f"\u201c{p.target_text}\u201d"
            text = words["quantity"].format(target=stated, report=_report(record, words))
        else:
            kind = KIND_NONE
            registered = words["registered"].format(located=format_number(n["active"], lang), built=format_number(n["built"], lang))
            text = (registered if n["active"] else "") + words["none"]
        rows.append(
            {
                "id": p.id,
                "document": p.document,
                "region": p.region,
                "misi": p.misi,
                "sasaran": p.sasaran,
                "no": p.no,
                "name": p.name,
                "parent": p.parent,
                "kind": p.kind,
                "layer": p.layer,
                "status": ProgramStatus(record["status"] if record else ProgramStatus.NO_EVIDENCE).value,
                "evidence": record["evidence_url"] if record and record["evidence_url"] else source_text(p, catalog),
                "updated": record["date"] if record else "",
                "note": record["note"] if record else "",
                "target_qty": p.target_qty,
                "target_unit": p.target_unit,
                "target_text": p.target_text,
                "target_sites": target,
                "active": n["active"],
                "located": n["located"],
                "known_area": n["known_area"],
                "built": n["built"],
                "cancelled": n["cancelled"],
                "not_located": targets.remaining(target, n["located"]),
                "progress_kind": kind,
                "progress_text": text,
                "progress_share": targets.progress_share(n["built"], target),
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"misi": "Int64", "sasaran": "Int64", "target_sites": "Int64", "target_qty": "Float64"})


def _known_text(counts: dict, words: dict[str, str], lang: str) -> str:
    """" (4 known only to their kecamatan)": the active sites not located, per area they are known to."""
    parts = [
        words[column].format(n=format_number(counts[column], lang)) for column in targets.KNOWN_COLUMNS if counts[column]
    ]
    return words["known"].format(parts=", ".join(parts)) if parts else ""


def _report(record: dict | None, words: dict[str, str]) -> str:
    """What the latest status record says about a stated quantity's progress."""
    if record is None:
        return words["no_report"]
    if record["note"]:
        return words["note"].format(date=record["date"], note=record["note"])
    return words["see_evidence"].format(date=record["date"])


def _count_statuses(progress: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    order = [s.value for s in ProgramStatus]
    # Categorical keys keep catalog order (Tangsel first) instead of sorting by name.
    keyed = [pd.Categorical(progress[k], categories=progress[k].unique()) for k in keys]
    table = pd.crosstab(keyed, progress["status"], rownames=keys, dropna=False).reindex(columns=order, fill_value=0)
    table = table[table.sum(axis=1) > 0]  # crosstab's full product of keys adds empty combinations
    table["total"] = table.sum(axis=1)
    table = table.reset_index().rename_axis(columns=None)
    return table.astype({k: progress[k].dtype for k in keys})


def status_counts(progress: pd.DataFrame) -> pd.DataFrame:
    """Programs per status for each document: ``document``, one column per status (tracker order), ``total``."""
    return _count_statuses(progress, ["document"])


def misi_status_counts(progress: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Programs per status for each misi, for the summary chart.

    Columns ``document``, ``misi``, ``misi_name``, one per status, ``total``. A
    document without misi (the Kabupaten flagships) is one row named after the document.
    """
    keyed = progress.assign(misi=progress["misi"].fillna(0))  # crosstab drops missing keys
    table = _count_statuses(keyed, ["document", "misi"])
    table["misi_name"] = [
        catalog.misi_name(d, m) if m else catalog.document(d).title for d, m in zip(table["document"], table["misi"])
    ]
    table["misi"] = table["misi"].astype("Int64").mask(table["misi"] == 0)
    return table[["document", "misi", "misi_name", *[s.value for s in ProgramStatus], "total"]]


# Tracker orderings (see :func:`sort_progress`); the first is the documents' own order.
SORTS = ("catalog", "status", "progress", "updated", "name")


def program_places(catalog: Catalog, sites: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The kecamatan (BPS codes) of each program: where it has a site, or that its text names.

    Cancelled sites count too: the promise was made for that place. Programs
    with neither get an empty set.
    """
    located = sites.dropna(subset=["kode_kec"]).groupby("program")["kode_kec"].agg(frozenset) if len(sites) else {}
    return {p.id: frozenset(p.kecamatan) | located.get(p.id, frozenset()) for p in catalog.programs}


@dataclass(frozen=True)
class ProgressFilter:
    """A selection of tracker rows; an empty tuple (or text) means "no restriction" on that field.

    ``misi`` holds ``"<document>:<misi>"`` keys and ``sasaran``
    ``"<document>:<misi>:<sasaran>"`` keys, as :class:`layers.filters.SiteFilter`.
    ``kecamatan`` keeps programs with a site in, or naming, one of the codes
    (:func:`program_places`). ``text`` keeps programs whose id, number, name,
    target, note or verbatim quote contains every word (case-insensitive).
    """

    regions: tuple[str, ...] = ()
    misi: tuple[str, ...] = ()
    sasaran: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    kecamatan: tuple[str, ...] = ()
    text: str = ""

    def mask(self, progress: pd.DataFrame, catalog: Catalog, sites: pd.DataFrame) -> pd.Series:
        """Boolean mask of the :func:`program_progress` rows that pass."""
        keep = pd.Series(True, index=progress.index)
        if self.regions:
            keep &= progress["region"].isin(self.regions)
        if self.statuses:
            keep &= progress["status"].isin(self.statuses)
        misi = progress["document"] + ":" + progress["misi"].astype("string")
        if self.misi:
            keep &= misi.isin(self.misi).fillna(False).astype(bool)
        if self.sasaran:
            keep &= (misi + ":" + progress["sasaran"].astype("string")).isin(self.sasaran).fillna(False).astype(bool)
        if self.kecamatan:
            places = program_places(catalog, sites)
            wanted = set(self.kecamatan)
            keep &= progress["id"].map(lambda pid: bool(places.get(pid, frozenset()) & wanted)).astype(bool)
        words = self.text.casefold().split()
        if words:
            quotes = {p.id: p.quote for p in catalog.programs}
            haystack = [
                " ".join(str(v) for v in (pid, no, name, target, note, quotes.get(pid, ""))).casefold()
                for pid, no, name, target, note in zip(
                    progress["id"], progress["no"], progress["name"], progress["target_text"].fillna(""), progress["note"]
                )
            ]
            keep &= pd.Series([all(w in h for w in words) for h in haystack], index=progress.index)
        return keep

    def apply(self, progress: pd.DataFrame, catalog: Catalog, sites: pd.DataFrame) -> pd.DataFrame:
        """The rows that pass."""
        return progress[self.mask(progress, catalog, sites)]

    def hidden_region_wide(self, progress: pd.DataFrame, catalog: Catalog, sites: pd.DataFrame) -> int:
        """How many rows the kecamatan filter alone hides because they have no place at all (region-wide programs).

        Such a program names no kecamatan and has no site yet, so no
        kecamatan can select it, although it applies to every kecamatan of
        its region. 0 without a kecamatan filter.
        """
        if not self.kecamatan:
            return 0
        places = program_places(catalog, sites)
        unplaced = progress["id"].map(lambda pid: not places.get(pid)).astype(bool)
        return int((replace(self, kecamatan=()).mask(progress, catalog, sites) & unplaced).sum())


def sort_progress(progress: pd.DataFrame, by: str) -> pd.DataFrame:
    """Tracker rows in one of the :data:`SORTS` orders; ties keep catalog order.

    "status" goes from unproven to failed (the tracker's order), "progress"
    from the largest built share down (rows without a site target last),
    "updated" from the latest record down (never-recorded rows last), "name"
    alphabetically.
    """
    if by not in SORTS:
        raise ValueError(f"sort {by!r} is not one of {', '.join(SORTS)}")
    if by == "catalog":
        return progress
    if by == "status":
        order = {s.value: i for i, s in enumerate(ProgramStatus)}
        return progress.sort_values("status", key=lambda s: s.map(order), kind="stable")
    if by == "progress":
        return progress.sort_values("progress_share", ascending=False, na_position="last", kind="stable")
    if by == "updated":
        return progress.sort_values("updated", key=lambda s: s.where(s != ""), ascending=False, na_position="last", kind="stable")
    return progress.sort_values("name", key=lambda s: s.str.casefold(), kind="stable")


def evidence_link(evidence: str) -> str | None:
    """The evidence as a link where it is an http(s) URL; None where it is a citation of the document."""
    return http_url(evidence)
