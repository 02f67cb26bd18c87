"""Where an evidence event happened: the desa/kelurahan or kecamatan its place text names.

No evidence row gives a coordinate, so a place is drawn as the area whose name
it contains, at that precision, never as a point. Names are matched within the
program's own region, with :func:`geo.locate.normalize` (case, accents and
punctuation ignored) and spacing ignored too ("Rawabuntu" is BPS "Rawa Buntu");
the Kemendagri spelling counts as well ("Serua" is BPS "Sarua"). Marker words
("Kel.", "Desa", "Kec.") say which kind of area a name is; an unmarked name that
is both a kecamatan and a desa is read as the kecamatan, the coarser claim; a
name after "Kampung" or "Kali" is a hamlet or river, not an area. A desa name
shared by several desa is narrowed by a kecamatan the text names; if it stays
ambiguous it is not placed and is listed. An unmarked desa name outside every
kecamatan the text marks with "Kec." names something else and is dropped. A row whose precision is
``kecamatan`` is placed no finer than its kecamatan.
"""

from __future__ import annotations

import re

import pandas as pd

from geo.locate import normalize
from layers.catalog import Catalog
from layers.model import Precision

DESA, KECAMATAN = "desa", "kecamatan"
DESA_MARKERS = {"kel", "kelurahan", "desa", "ds"}
KECAMATAN_MARKERS = {"kec", "kecamatan"}
# A name after these is a hamlet or a river named like an area, not the area ("Kampung Babakan Pantai").
NOT_AREA_MARKERS = {"kampung", "kp", "kali", "sungai"}

PLACED_COLUMNS = ("evidence_id", "program_id", "level", "code", "name", "kode_kec", "kecamatan")
UNPLACED_COLUMNS = ("evidence_id", "program_id", "place", "precision", "problem", "candidates")
# Why a row is not drawn: named only at region level, a name shared by several areas, no known name.
REGION_ONLY, AMBIGUOUS, NOT_FOUND = "region", "ambiguous", "not_found"


def _areas(desa: pd.DataFrame, kecamatan: pd.DataFrame, crosswalk: pd.DataFrame | None) -> pd.DataFrame:
    """Every name variant of every area: level, code, kode_kec, kode_kab, name (BPS) and its squashed key."""
    kec = pd.DataFrame({"level": KECAMATAN, "code": kecamatan["kode_kec"], "kode_kec": kecamatan["kode_kec"],
                        "kode_kab": kecamatan["kode_kab"], "name": kecamatan["kecamatan"], "variant": kecamatan["kecamatan"]})  # fmt: skip
    des = pd.DataFrame({"level": DESA, "code": desa["kode_desa"], "kode_kec": desa["kode_kec"],
                        "kode_kab": desa["kode_kab"], "name": desa["desa"], "variant": desa["desa"]})  # fmt: skip
    frames = [kec, des]
    if crosswalk is not None:
        other = crosswalk.set_index("kode_bps")["nama_kemendagri"]
        for base in (kec, des):
            frames.append(base.assign(variant=base["code"].map(other)).dropna(subset=["variant"]))
    areas = pd.concat(frames, ignore_index=True)
    areas["key"] = areas["variant"].map(normalize).str.replace(" ", "", regex=False)
    return areas.drop_duplicates(["level", "code", "key"]).drop(columns="variant")


def _matcher(keys: pd.Series) -> re.Pattern:
    """One pattern finding any key as whole words with optional spaces between letters, longest first."""
    ordered = sorted(set(keys), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join("(" + " ?".join(map(re.escape, k)) + ")" for k in ordered) + r")\b"), ordered


def resolve_places(
    evidence: pd.DataFrame, catalog: Catalog, desa: pd.DataFrame, kecamatan: pd.DataFrame, crosswalk: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The areas each evidence row names (:data:`PLACED_COLUMNS`) and the rows not placed (:data:`UNPLACED_COLUMNS`).

    A row may name several areas (one placed row each). A row is listed as
    not placed when it is region-level (``wilayah``) or has no place, when a
    name it uses is ambiguous (``candidates`` lists the areas, e.g.
    "Caringin (Cisoka) / Caringin (Legok)"), or when no name of its region is
    found in it; a row can be both placed and listed (one name found, another
    ambiguous).
    """
    areas = _areas(desa, kecamatan, crosswalk)
    kec_names = dict(zip(kecamatan["kode_kec"], kecamatan["kecamatan"]))
    regions = {p.id: p.region for p in catalog.programs}
    matchers = {}
    for region, group in areas.groupby("kode_kab"):
        pattern, ordered = _matcher(group["key"])
        matchers[region] = (pattern, ordered, {k: g for k, g in group.groupby("key")})
    placed, unplaced = [], []
    for item in evidence[["evidence_id", "program_id", "place", "precision"]].itertuples(index=False):
        region = regions[item.program_id]
        text = normalize(item.place)
        if item.precision == Precision.REGION.value or not text or region not in matchers:
            unplaced.append((*item, REGION_ONLY, ""))
            continue
        pattern, ordered, by_key = matchers[region]
        kec_found, kec_marked, desa_names = set(), set(), []
        for match in pattern.finditer(text):
            key = ordered[match.lastindex - 1]
            before = text[: match.start()].split()
            marker = before[-1] if before else ""
            if marker in NOT_AREA_MARKERS:
                continue
            options = by_key[key]
            as_kec = options[options["level"] == KECAMATAN]
            as_desa = options[options["level"] == DESA]
            if not as_kec.empty and (marker in KECAMATAN_MARKERS or marker not in DESA_MARKERS or as_desa.empty):
                kec_found.update(as_kec["code"])
                kec_marked.update(as_kec["code"] if marker in KECAMATAN_MARKERS else ())
            elif not as_desa.empty:
                desa_names.append((as_desa, marker in DESA_MARKERS))
        rows, ambiguous = {}, []
        for options, marked in desa_names:
            if kec_marked and not marked and not options["kode_kec"].isin(kec_marked).any():
                continue
            narrowed = options[options["kode_kec"].isin(kec_found)]
            options = narrowed if len(narrowed) else options
            if options["code"].nunique() == 1:
                row = options.iloc[0]
                level, code = (KECAMATAN, row["kode_kec"]) if item.precision == Precision.KECAMATAN.value else (DESA, row["code"])
                name = kec_names[code] if level == KECAMATAN else row["name"]
                rows[code] = (item.evidence_id, item.program_id, level, code, name, row["kode_kec"], kec_names[row["kode_kec"]])
            else:
                ambiguous.append(" / ".join(f"{n} ({kec_names[k]})" for n, k in zip(options["name"], options["kode_kec"])))
        inside = {r[5] for r in rows.values()}
        for code in sorted(kec_found - inside):
            rows.setdefault(code, (item.evidence_id, item.program_id, KECAMATAN, code, kec_names[code], code, kec_names[code]))
        placed.extend(rows.values())
        if ambiguous:
            unplaced.append((*item, AMBIGUOUS, "; ".join(ambiguous)))
        elif not rows:
            unplaced.append((*item, NOT_FOUND, ""))
    return pd.DataFrame(placed, columns=list(PLACED_COLUMNS)), pd.DataFrame(unplaced, columns=list(UNPLACED_COLUMNS))


def kecamatan_named(text: str, kecamatan: pd.DataFrame) -> list[str]:
    """BPS codes of the kecamatan whose names ``text`` contains as whole words, in the order the text names them.

    Matching is :func:`resolve_places`'s (case, accents, punctuation and spacing
    ignored, longest name first, so "Sepatan Timur" is not read as "Sepatan").
    Pass one region's kecamatan (``kode_kec``, ``kecamatan``): names repeat
    across regions. Used for road corridors ("Jalan Raya Curug – Legok" names
    Curug and Legok); a name that is no kecamatan ("Serang") yields nothing.
    """
    keys = kecamatan["kecamatan"].map(normalize).str.replace(" ", "", regex=False)
    codes = dict(zip(keys, kecamatan["kode_kec"]))
    pattern, ordered = _matcher(keys)
    return list(dict.fromkeys(codes[ordered[m.lastindex - 1]] for m in pattern.finditer(normalize(text))))
