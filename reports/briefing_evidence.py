"""A briefing's "Yang terjadi di sini" (what happened here): the area's dated evidence, newest first.

For a kecamatan, the events whose place names that kecamatan or one of its
desa (:mod:`evidence.places`); for a whole region, every event about its
programs. Each says whether it counts as delivery of the promise and why not
(:func:`evidence.status.event_roles`).
"""

from __future__ import annotations

import pandas as pd

from layers.catalog import Catalog
from evidence.status import COUNTED, event_roles
from texts.catalog import REPORT_LABELS, translator

EVIDENCE_COLUMNS = ["event_date", "program", "program_name", "status", "counts", "claim", "place", "areas", "publisher", "url", "evidence_id"]


def area_evidence(
    area_codes: list[str], region: str, whole_region: bool, evidence: pd.DataFrame, placed: pd.DataFrame, catalog: Catalog, lang: str
) -> pd.DataFrame:
    """The area's events with :data:`EVIDENCE_COLUMNS`, newest first (undated last), worded in ``lang``.

    ``area_codes`` are the area's kecamatan codes; ``placed`` is the
    :func:`evidence.places.resolve_places` table of placed areas.
    ``areas`` lists the desa/kecamatan each event names inside the area.
    """
    t, words = translator(lang), REPORT_LABELS["en" if lang == "en" else "id"]
    programs = {p.id: p for p in catalog.programs}
    inside = placed[placed["kode_kec"].isin(area_codes)]
    if whole_region:
        chosen = evidence[[programs[p].region == region for p in evidence["program_id"]]]
    else:
        chosen = evidence[evidence["evidence_id"].isin(inside["evidence_id"])]
    roles = event_roles(chosen, catalog)
    names = inside.assign(label=[n if lv == "kecamatan" else f"{n} ({k})" for n, k, lv in zip(inside["name"], inside["kecamatan"], inside["level"])])
    areas = names.groupby("evidence_id")["label"].agg(", ".join)
    frame = pd.DataFrame({
        "event_date": chosen["event_date"],
        "program": chosen["program_id"],
        "program_name": [programs[p].name for p in chosen["program_id"]],
        "status": [words[f"ev_status_{s}"] for s in chosen["status"]],
        "counts": [words["ev_counts"] if r == COUNTED else t(f"ev_role_{r}") for r in roles],
        "claim": chosen["claim_en" if lang == "en" else "claim_id"],
        "place": chosen["place"],
        "areas": chosen["evidence_id"].map(areas).fillna(""),
        "publisher": chosen["publisher"],
        "url": chosen["url"],
        "evidence_id": chosen["evidence_id"],
    })  # fmt: skip
    dated = frame[frame["event_date"] != ""].sort_values(["event_date", "evidence_id"], ascending=False, kind="stable")
    return pd.concat([dated, frame[frame["event_date"] == ""]], ignore_index=True)[EVIDENCE_COLUMNS]
