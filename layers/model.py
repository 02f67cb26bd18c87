"""The data model: programs, layers, sites, precision and status vocabularies.

Programs come from the two seed documents (see :mod:`layers.catalog`), layers
say how a kind of site is drawn (:mod:`layers.registry`), and sites say where a
program is delivered and how precisely that place is known
(:mod:`register.store`). Location precision follows the World Bank's Mapping for
Results: a site known only to its kecamatan is never given a point.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Precision(str, Enum):
    """How precisely a site's location is known, from best to worst."""

    EXACT = "titik"  # surveyed or published coordinates
    DESA = "desa"  # known to the desa/kelurahan only
    KECAMATAN = "kecamatan"  # known to the kecamatan only
    REGION = "wilayah"  # known to the kabupaten/kota only

    @property
    def rank(self) -> int:
        return list(Precision).index(self)


class SiteStatus(str, Enum):
    """Where a site stands; the first value is what a seed site starts with."""

    PLANNED = "direncanakan"
    IN_PROGRESS = "dalam_pembangunan"
    BUILT = "selesai"
    CANCELLED = "dibatalkan"


class ProgramStatus(str, Enum):
    """Promise-tracker vocabulary (Tempo's "Janji Jokowi"); every program starts unproven."""

    NO_EVIDENCE = "belum_ada_bukti"
    IN_PROGRESS = "dalam_proses"
    FULFILLED = "terpenuhi"
    FAILED = "gagal"


class Placement(str, Enum):
    """What a seed document says about where a program's sites are."""

    NAMED_KECAMATAN = "kecamatan"  # one site in each kecamatan the text names
    EVERY_KECAMATAN = "setiap_kecamatan"  # one site in every kecamatan of the region
    REGION = "wilayah"  # a named place that cannot be resolved below the region


@dataclass(frozen=True)
class Document:
    """A seed program document."""

    id: str
    region: str  # BPS kode_kab
    file: str
    title: str
    publisher: str
    year: int
    url: str = ""
    published: str = ""  # ISO date of publication where the document gives one (the year stays for citations)


@dataclass(frozen=True)
class Misi:
    document: str
    no: int
    name: str


@dataclass(frozen=True)
class Sasaran:
    document: str
    misi: int
    no: int
    name: str


@dataclass(frozen=True)
class Program:
    """One program item of a seed document, nested items included."""

    id: str
    document: str
    region: str
    no: str
    name: str
    quote: str
    line: int
    kind: str = "program"
    misi: int | None = None
    sasaran: int | None = None
    parent: str = ""
    target_qty: float | None = None
    target_unit: str = ""
    target_text: str = ""
    cost_idr: int | None = None
    cost_unit: str = ""
    kecamatan: tuple[str, ...] = ()
    place_text: str = ""
    places: tuple[str, ...] = ()  # named places the text lists (e.g. road corridors), each verbatim
    opd: tuple[str, ...] = ()
    layer: str = ""
    placement: Placement | None = None
    note: str = ""


@dataclass(frozen=True)
class Layer:
    """How one kind of program site is drawn and what area it serves."""

    id: str
    label_id: str
    label_en: str
    geometry: str  # "point", "line" or "area"
    color: str
    icon: str  # Font Awesome 6 solid icon name, shown in the legend and popups
    radius_m: int  # default service radius; 0 where coverage makes no sense
    programs: tuple[str, ...] = ()
    kind: str = "program"  # "program" or "reference" (context data, not promises)
    source: str = ""  # reference layers: installed file under data/reference
    incomplete: bool = False
    # True only where knowing a site's desa is an honest location for this kind of
    # site (many small items delivered per neighbourhood): such a site counts as located.
    desa_locates: bool = False

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass
class Site:
    """A place where a program is (to be) delivered.

    Exactly one of ``geometry`` (for :attr:`Precision.EXACT`) or ``admin_code``
    (BPS code of the desa, kecamatan or kabupaten/kota) locates it.
    """

    id: str
    program: str
    layer: str
    name: str
    precision: Precision
    status: SiteStatus = SiteStatus.PLANNED
    admin_code: str = ""
    geometry: object | None = None  # shapely geometry in EPSG:4326
    source: str = ""
    evidence_url: str = ""
    updated: str = ""  # ISO date of the last change
    version: int = 1  # bumped by every change; a save names the version it started from
    retired: bool = False  # withdrawn from the register's views; kept with its history
