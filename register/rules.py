"""The register's domain, in one place: what a site and a program status may be.

Every write to the register (:mod:`register.store`: ``add``, ``seed``,
``update``, ``retire``, ``record_program_status``) and every import row
(:mod:`register.importer`) is checked here:

* the program is in the catalog and has a layer; the site's layer is that
  program layer;
* a point, line or area lies in the program's region and has the layer's
  geometry kind; an admin-level site carries a BPS code of its precision's
  length that exists in the program's region, and no geometry;
* every text is within its length limit and holds no control or bidi
  character (:func:`texts.safe.has_control`); ids and names are one line;
* links are ``http(s)`` (:func:`texts.safe.http_url`);
* a change carries evidence, and a promise status past "no evidence yet" a link.

A problem is a :class:`Problem` (a :class:`geo.errors.DataError` with a message
id, shown in the reader's language by ``text(lang)``). The domain itself (the
catalog's programs, the program layers and the desa polygons that say which
region a place lies in) is a :class:`Domain`, which :func:`register.open.open_store`
builds from the installed data and gives to the store.
"""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo import boundaries
from geo.boundaries import REGION_NAMES
from geo.errors import DataError
from geo.validate import MAX_LISTED
from layers.catalog import Catalog, load_catalog
from layers.model import Layer, Precision, Program, ProgramStatus, Site, SiteStatus
from layers.registry import load_layers, program_layers
from texts.catalog import message
from texts.numbers import format_number
from texts.safe import has_control, http_url

# Longest text each field may hold (characters; the longest seed name is 267). A site name is a place name, not a
# document: a 1 MB name once went into every visitor's map payload.
MAX_LENGTH = {
    "id": 80, "program": 40, "layer": 40, "name": 300, "admin_code": 10, "source": 500, "evidence_url": 2000,
    "evidence": 1000, "note": 1000,
}  # fmt: skip
SINGLE_LINE = ("id", "program", "layer", "name", "admin_code", "evidence_url")
# Coordinates a single site's geometry may have (a long river line fits; a pasted survey does not).
MAX_VERTICES = 10_000
# Digits of the BPS code that locates a site of each admin precision.
ADMIN_DIGITS = {Precision.DESA: 10, Precision.KECAMATAN: 7, Precision.REGION: 4}
# Layer geometry kind -> the shapely types it accepts.
GEOMETRY_TYPES = {"point": ("Point",), "line": ("LineString", "MultiLineString"), "area": ("Polygon", "MultiPolygon")}
QUOTED = 60  # characters of a refused value quoted in a message


class Problem(DataError):
    """A refusal with a message id, about one field (``field``; '' for the whole record).

    Parameters that are problems themselves (a column label, a nested reason)
    and lists of problems are shown in the same language as the message.
    """

    def __init__(self, key: str, field: str = "", **params: object):
        self.field = field
        super().__init__(render(key, "id", params), key=key, **params)

    def text(self, lang: str = "id") -> str:
        return render(self.key, lang, self.params)


def render(key: str, lang: str, params: Mapping[str, object]) -> str:
    """Message ``key`` in ``lang``: problem parameters and numbers in ``lang`` too, lists one per line (at most ``MAX_LISTED``)."""

    def shown(value: object) -> object:
        if isinstance(value, DataError):
            return value.text(lang)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format_number(value, lang)
        if isinstance(value, list):
            lines = [shown(v) for v in value[:MAX_LISTED]]
            if len(value) > MAX_LISTED:
                lines.append(message("register.more", lang, n=len(value) - MAX_LISTED))
            return "".join(f"\n  {line}" for line in lines)
        return value

    return message(key, lang, **{k: shown(v) for k, v in params.items()})


def clipped(text: str) -> str:
    """Text from a file or a form as a message shows it: cut to ``QUOTED`` characters."""
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


def quoted(value: object) -> str:
    """A refused value as quoted in a message: its ``repr``, clipped."""
    return clipped(repr(value))


def field_label(field: str) -> Problem:
    """A site field's name as people read it in messages ("nama" / "name")."""
    return Problem(f"register.field_{field}")


@dataclass(frozen=True)
class Domain:
    """What the register may hold: the catalog's programs, the program layers and the desa of the three regions.

    ``desa`` has the columns ``kode_desa``, ``kode_kec``, ``kode_kab`` and a
    geometry (EPSG:4326), as :func:`geo.boundaries.load_desa` returns it;
    ``codes`` are its desa, kecamatan and kabupaten/kota BPS codes. Build one
    with :func:`domain_of` or :func:`load_domain`.
    """

    programs: Mapping[str, Program]
    layers: Mapping[str, Layer]
    desa: gpd.GeoDataFrame
    codes: frozenset[str]

    def regions(self, geometries: Iterable[object]) -> list[str | None]:
        """The BPS kode_kab of the first desa each geometry touches; None outside all three regions (or no geometry).

        One spatial-index query for all of them, so a batch of any size costs one pass.
        """
        geometries = np.fromiter(geometries, dtype=object)
        shaped = np.fromiter((isinstance(g, BaseGeometry) for g in geometries), bool, len(geometries))
        usable = np.flatnonzero(shaped)
        usable = usable[~shapely.is_empty(geometries[usable]) & shapely.is_valid(geometries[usable])]
        found = np.full(len(geometries), None, dtype=object)
        if len(usable):
            hits, tree = self.desa.sindex.query(geometries[usable], predicate="intersects")
            first = np.unique(hits, return_index=True)[1]  # the first desa found for each geometry
            found[usable[hits[first]]] = self.desa["kode_kab"].to_numpy()[tree[first]]
        return found.tolist()

    def code_region(self, code: str) -> str | None:
        """The kode_kab of a known desa, kecamatan or kabupaten/kota BPS code; None if the boundaries have no such area."""
        return code[:4] if code in self.codes else None


def domain_of(catalog: Catalog, layers: Mapping[str, Layer], desa: gpd.GeoDataFrame) -> Domain:
    """The domain from a loaded catalog, layer registry and desa layer."""
    programs = {p.id: p for p in catalog.programs}
    codes = frozenset(desa["kode_desa"]) | frozenset(desa["kode_kec"]) | frozenset(desa["kode_kab"])
    return Domain(programs, program_layers(dict(layers)), desa[["kode_desa", "kode_kec", "kode_kab", "geometry"]], codes)


def load_domain(root: Path | str | None = None) -> Domain:
    """The domain from the committed catalog and the installed boundaries (``root``: default data folder)."""
    catalog = load_catalog()
    return domain_of(catalog, load_layers(catalog), boundaries.load_desa(root, boundaries.load_kecamatan(root)))


# --- the checks ------------------------------------------------------------------------------------


def text_problems(field: str, value: object, required: bool = False) -> list[Problem]:
    """A text field: a string, not empty if ``required``, within its length, one line where it must be, no control character."""
    if not isinstance(value, str):
        return [Problem("register.not_text", field, field_label=field_label(field), value=quoted(value))]
    if len(value) <= MAX_LENGTH[field] and value.isprintable() and (value.strip() or not required):
        return []  # the common case, decided in C: printable text holds neither control characters nor line breaks
    if required and not value.strip():
        return [Problem("register.empty", field, field_label=field_label(field))]
    problems = []
    if len(value) > MAX_LENGTH[field]:
        problems.append(Problem("register.too_long", field, field_label=field_label(field), length=len(value), limit=MAX_LENGTH[field]))
    if has_control(value) or (field in SINGLE_LINE and any(c in value for c in "\t\n\u2028\u2029")):
        problems.append(Problem("register.control", field, field_label=field_label(field)))
    return problems


def url_problems(field: str, value: object) -> list[Problem]:
    """An optional link: empty, or an ``http(s)`` URL (checked after its text rules)."""
    problems = text_problems(field, value)
    if not problems and value.strip() and http_url(value) is None:
        problems.append(Problem("register.not_http", field, field_label=field_label(field), value=quoted(value)))
    return problems


@functools.cache
def _values(choices: type[Enum]) -> frozenset[str]:
    """The values of an enum (asked for every row of an import)."""
    return frozenset(c.value for c in choices)


def choice_problems(field: str, value: object, choices: type[Enum], typed: bool = False) -> list[Problem]:
    """A vocabulary field: one of the enum ``choices`` (or, unless ``typed``, its value as text)."""
    if isinstance(value, choices) or (not typed and isinstance(value, str) and value in _values(choices)):
        return []
    return [Problem("register.bad_choice", field, field_label=field_label(field), value=quoted(value),
                    choices=", ".join(c.value for c in choices))]  # fmt: skip


def program_problems(program_id: str, layer_id: str, domain: Domain) -> list[Problem]:
    """The program is in the catalog and mapped to a program layer, and the site is on that layer."""
    program = domain.programs.get(program_id)
    if not program_id:
        return [Problem("register.empty", "program", field_label=field_label("program"))]
    if program is None:
        return [Problem("register.unknown_program", "program", program=quoted(program_id))]
    if not program.layer:
        return [Problem("register.program_without_layer", "program", program=program_id)]
    if layer_id not in domain.layers:
        return [Problem("register.unknown_layer", "layer", layer=quoted(layer_id))]
    if layer_id != program.layer:
        return [Problem("register.layer_mismatch", "layer", layer=quoted(layer_id), program=program_id, expected=program.layer)]
    return []


def location_problems(
    program_id: str, layer_id: str, precision: Precision, geometry: object, admin_code: str, region: str | None, domain: Domain
) -> list[Problem]:
    """How a site is located matches its precision, its layer's geometry kind and its program's region.

    ``region`` is ``domain.regions([geometry])[0]`` (given, so an import finds
    the regions of all its rows at once). A problem about being outside the
    three regions has the key ``register.outside``.
    """
    if precision is Precision.EXACT:
        if not isinstance(geometry, BaseGeometry) or geometry.is_empty:
            return [Problem("register.exact_needs_geometry", "geometry")]
        if not geometry.is_valid:
            return [Problem("register.invalid_geometry", "geometry", reason=explain_validity(geometry))]
        vertices = int(shapely.get_num_coordinates(geometry))
        if vertices > MAX_VERTICES:
            return [Problem("register.too_many_vertices", "geometry", count=vertices, limit=MAX_VERTICES)]
        problems = [Problem("register.exact_with_code", "admin_code")] if admin_code else []
        layer = domain.layers.get(layer_id)
        if layer is not None and layer.geometry in GEOMETRY_TYPES and geometry.geom_type not in GEOMETRY_TYPES[layer.geometry]:
            problems.append(Problem("register.geometry_kind", "geometry", found=geometry.geom_type, layer=layer_id,
                                    kind=Problem(f"register.kind_{layer.geometry}")))  # fmt: skip
        if region is None:
            where = geometry.representative_point()
            return problems + [Problem("register.outside", "geometry", lat=f"{where.y:.5f}", lon=f"{where.x:.5f}",
                                       regions=", ".join(REGION_NAMES.values()))]  # fmt: skip
    else:
        if geometry is not None:
            return [Problem("register.admin_with_geometry", "geometry", precision=precision.value)]
        digits = ADMIN_DIGITS[precision]
        if not (isinstance(admin_code, str) and admin_code.isdigit() and len(admin_code) == digits):
            return [Problem("register.code_digits", "admin_code", precision=precision.value, digits=digits, code=quoted(admin_code))]
        region = domain.code_region(admin_code)
        if region is None:
            return [Problem("register.unknown_code", "admin_code", code=admin_code, regions=", ".join(REGION_NAMES.values()))]
        problems = []
    program = domain.programs.get(program_id)
    if program is not None and program.region != region:
        problems.append(Problem("register.other_region", "geometry" if precision is Precision.EXACT else "admin_code",
                                region=REGION_NAMES[region], program=program_id, home=REGION_NAMES[program.region]))  # fmt: skip
    return problems


def site_problems(site: Site, domain: Domain) -> list[Problem]:
    """Everything wrong with a site as the register would store it (none: it may be stored)."""
    return sites_problems([site], domain)[0]


def sites_problems(sites: list[Site], domain: Domain) -> list[list[Problem]]:
    """:func:`site_problems` of each site, finding the regions of all exact ones in one spatial query."""
    exact = [s.geometry if s.precision is Precision.EXACT else None for s in sites]
    return [_site_problems(s, domain, region) for s, region in zip(sites, domain.regions(exact))]


def _site_problems(site: Site, domain: Domain, region: str | None) -> list[Problem]:
    """:func:`site_problems` given the site's region (``Domain.regions`` of its geometry)."""
    problems = text_problems("id", site.id, required=True)
    if not problems and site.id != site.id.strip():
        problems.append(Problem("register.id_spaces", "id"))
    problems += text_problems("name", site.name, required=True) + text_problems("source", site.source)
    problems += url_problems("evidence_url", site.evidence_url)
    problems += choice_problems("status", site.status, SiteStatus, typed=True)
    located = text_problems("admin_code", site.admin_code)
    precision = choice_problems("precision", site.precision, Precision, typed=True)
    if precision:
        problems += precision
    elif site.geometry is not None and not isinstance(site.geometry, BaseGeometry):
        problems.append(Problem("register.not_geometry", "geometry", value=quoted(site.geometry)))
    elif not located:
        located = text_problems("program", site.program) + text_problems("layer", site.layer)
        located = located or program_problems(site.program, site.layer, domain)
        located += location_problems(site.program, site.layer, site.precision, site.geometry, site.admin_code, region, domain)
    return problems + located


def evidence_problems(evidence: object) -> list[Problem]:
    """The evidence of a change (a link or a note saying where it comes from): present and within its limits."""
    return text_problems("evidence", evidence, required=True)


def program_status_problems(program_id: object, status: object, evidence_url: object, note: object, date: object,
                            domain: Domain) -> list[Problem]:  # fmt: skip
    """A promise status record: a catalog program, a known status with an ``http(s)`` link past the default, an ISO date."""
    problems = text_problems("program", program_id, required=True)
    if not problems and program_id not in domain.programs:
        problems.append(Problem("register.unknown_program", "program", program=quoted(program_id)))
    problems += url_problems("evidence_url", evidence_url) + text_problems("note", note)
    chosen = choice_problems("status", status, ProgramStatus)
    problems += chosen
    if not chosen and ProgramStatus(status) is not ProgramStatus.NO_EVIDENCE and isinstance(evidence_url, str) and not evidence_url.strip():
        problems.append(Problem("register.status_needs_evidence", "evidence_url", status=ProgramStatus(status).value))
    try:
        datetime.date.fromisoformat(date)
    except (TypeError, ValueError):
        problems.append(Problem("register.bad_date", "date", value=quoted(date)))
    return problems
