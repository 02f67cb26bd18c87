"""The kecamatan briefing as a printable A4 PDF, with a static map drawn offline.

The map is drawn here from the project's own boundaries and sites (matplotlib,
no tile server), and is readable in black and white: the area has a heavy
outline, sites known only to their kecamatan or desa are hatched in different
directions, and exact points use marker shapes per status, numbered as in the
site table. Text uses DejaVu Sans from matplotlib's own files, so Indonesian
text, typographic quotes and dashes render on a machine without system fonts.
"""

from __future__ import annotations

import copy
import functools
import io
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.fonts import FontFace, SubsetMap, TTFFont
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from PIL import Image

from geo.config import METRIC_CRS
from reports.briefing import LEVEL_KECAMATAN, MAP_MARGIN, Briefing, label, open_targets, region_programs_note, sites_here
from layers.model import Precision, ProgramStatus, SiteStatus
from layers.progress import status_label
from reports.briefing_supply import supply_sources
from texts.catalog import translator
from urllib.parse import urlsplit

from texts.numbers import format_number, format_partial_date

FONT = "DejaVu"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}

PAGE_WIDTH_MM = 180  # A4 (210 mm) less 15 mm margins
MAP_HEIGHT_MM = 130
MAP_DPI = 200

HEADINGS = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))

# Marker per site status: shape and fill differ, so they survive a B&W printer.
STATUS_MARKERS = {
    SiteStatus.PLANNED.value: {"marker": "o", "facecolor": "white"},
    SiteStatus.IN_PROGRESS.value: {"marker": "^", "facecolor": "#888888"},
    SiteStatus.BUILT.value: {"marker": "o", "facecolor": "black"},
    SiteStatus.CANCELLED.value: {"marker": "X", "facecolor": "white"},
}
HATCH = {Precision.KECAMATAN.value: "///", Precision.DESA.value: "\\\\\\\\"}
LINESTYLE = {Precision.KECAMATAN.value: "--", Precision.DESA.value: ":"}


def briefing_map_png(
    briefing: Briefing, width_mm: float = PAGE_WIDTH_MM, height_mm: float = MAP_HEIGHT_MM, dpi: int = MAP_DPI
) -> bytes:
    """The area, its neighbours and its sites as a PNG, drawn without any base map."""
    buffer = io.BytesIO()
    _map_figure(briefing, width_mm, height_mm, dpi).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _map_pixels(briefing: Briefing) -> Image.Image:
    """The map of :func:`briefing_map_png` as pixels: the PDF takes them as they are (a PNG it would only decode again)."""
    canvas = FigureCanvasAgg(_map_figure(briefing, PAGE_WIDTH_MM, MAP_HEIGHT_MM, MAP_DPI))
    canvas.draw()
    return Image.fromarray(np.asarray(canvas.buffer_rgba()))


def _map_figure(briefing: Briefing, width_mm: float, height_mm: float, dpi: int) -> Figure:
    lang = briefing.lang
    units = briefing.map_units.to_crs(METRIC_CRS)
    sites = briefing.sites.to_crs(METRIC_CRS)
    selected = units[units["selected"]]
    figure = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=dpi)
    ax = figure.add_axes((0.01, 0.14, 0.98, 0.85))
    ax.set_axis_off()
    with matplotlib.rc_context({"hatch.linewidth": 0.6, "hatch.color": "#444444"}):
        units[~units["selected"]].plot(ax=ax, facecolor="#eeeeee", edgecolor="#9e9e9e", linewidth=0.5)
        selected.plot(ax=ax, facecolor="white", edgecolor="#555555", linewidth=0.6)
        handles = [
            Patch(facecolor="white", edgecolor="black", linewidth=1.8, label=label("legend_area", lang, name=briefing.name)),
            Patch(facecolor="#eeeeee", edgecolor="#9e9e9e", linewidth=0.5, label=label("legend_neighbour", lang)),
        ]
        for precision, key in ((Precision.KECAMATAN.value, "legend_kecamatan_sites"), (Precision.DESA.value, "legend_desa_sites")):
            areas = sites[sites["precision"] == precision]
            if areas.empty:
                continue
            # Several sites in one unit share one hatched shape; the table lists them.
            shapes = areas.drop_duplicates(subset="geometry")
            style = {"facecolor": "none", "edgecolor": "#444444", "hatch": HATCH[precision], "linestyle": LINESTYLE[precision]}
            shapes.plot(ax=ax, linewidth=0.8, **style)
            handles.append(Patch(linewidth=0.8, label=label(key, lang, n=len(areas)), **style))
        selected.dissolve().boundary.plot(ax=ax, color="black", linewidth=1.8)
    _draw_points(ax, sites, handles, lang)
    _set_extent(ax, selected, width_mm, height_mm)
    _label_units(ax, units, briefing.level)
    _scale_bar(ax)
    _north_arrow(ax, lang)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False, fontsize=7, handlelength=2.5)
    return figure


def _draw_points(ax, sites, handles: list, lang: str) -> None:
    """Exact sites as status markers, and the map numbers of exact and desa sites."""
    exact = sites[sites["precision"] == Precision.EXACT.value]
    for status, style in STATUS_MARKERS.items():
        points = exact[exact["status"] == status]
        if points.empty:
            continue
        anchors = points.geometry.representative_point()  # the point itself, or a point on a surveyed shape
        ax.scatter(anchors.x, anchors.y, s=36, edgecolors="black", linewidths=0.9, zorder=5, **style)
        handles.append(
            Line2D([], [], linestyle="none", markersize=6, markeredgecolor="black", markerfacecolor=style["facecolor"],
                   marker=style["marker"], label=label(f"status_{status}", lang))
        )
    listed = sites.head(SITE_ROWS)  # the sites the PDF lists (see _sites): only their numbers are drawn
    numbered = listed[listed["map_no"].notna()]
    for no, geometry in zip(numbered["map_no"], numbered.geometry):
        anchor = geometry.representative_point()
        ax.annotate(
            str(no), (anchor.x, anchor.y), xytext=(4, 4), textcoords="offset points", fontsize=7, fontweight="bold",
            zorder=6, path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        )


def _set_extent(ax, selected, width_mm: float, height_mm: float) -> None:
    """Frame the area with a margin, widened to the axes' proportions so the map fills its box."""
    minx, miny, maxx, maxy = selected.total_bounds
    margin = MAP_MARGIN * max(maxx - minx, maxy - miny)
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    box = ax.get_position(original=True)
    aspect = (box.width * width_mm) / (box.height * height_mm)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w, half_h = (maxx - minx) / 2, (maxy - miny) / 2
    if half_w / half_h < aspect:
        half_w = half_h * aspect
    else:
        half_h = half_w / aspect
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")


def _label_units(ax, units, level: str) -> None:
    """Kecamatan names that orient the reader without covering sites.

    A kecamatan map names the neighbours (the area itself is named in the
    legend, and its middle is where sites cluster); a region map names the
    region's own kecamatan.
    """
    on_region_map = level != LEVEL_KECAMATAN
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inset_x, inset_y = 0.06 * (x1 - x0), 0.04 * (y1 - y0)
    for name, chosen, geometry in zip(units["kecamatan"], units["selected"], units.geometry):
        point = geometry.representative_point()
        # A name anchored near the frame would be cut in half by it.
        inside = x0 + inset_x < point.x < x1 - inset_x and y0 + inset_y < point.y < y1 - inset_y
        if chosen != on_region_map or not inside:
            continue
        ax.text(
            point.x, point.y, name, ha="center", va="center", zorder=4,
            fontsize=5.5 if on_region_map else 8, fontstyle="normal" if on_region_map else "italic",
            color="black" if on_region_map else "#616161",
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
        )


def _scale_bar(ax) -> None:
    """A two-segment black/white scale bar about a fifth of the map wide, bottom left."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    target = (x1 - x0) / 5
    length = max(n * 10**e for e in range(1, 6) for n in (1, 2, 5) if n * 10**e <= target)
    x, y, height = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0), 0.012 * (y1 - y0)
    for i, fill in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x + i * length / 2, y), length / 2, height, facecolor=fill, edgecolor="black", linewidth=0.6, zorder=7))
    text = f"{length // 1000} km" if length >= 1000 else f"{length} m"  # whole km from 1 km up, so no decimal sign
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    ax.text(x + length, y + 2.2 * height, text, ha="right", fontsize=7, zorder=7, path_effects=halo)
    ax.text(x, y + 2.2 * height, "0", ha="left", fontsize=7, zorder=7, path_effects=halo)


def _north_arrow(ax, lang: str) -> None:
    """A north arrow in the top right corner (UTM grid north, close enough at this scale)."""
    ax.annotate(
        label("legend_north", lang), xy=(0.96, 0.97), xytext=(0.96, 0.87), xycoords="axes fraction",
        ha="center", va="center", fontsize=9, fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
    )


@functools.cache
def _parsed_fonts() -> dict:
    """The DejaVu fonts as fpdf2 parses them (their glyph widths take a good part of a second), once per process."""
    parser = FPDF()
    for style, file in FONT_FILES.items():
        parser.add_font(FONT, style, FONT_DIR / file)
    return parser.fonts


def _own_font(parsed: TTFFont) -> TTFFont:
    """A document's copy of a parsed font: the glyph widths and ids are shared (fpdf2 writes them only when parsing,
    and deep-copying them took a fifth of a second per document); the glyphs used, the missing ones and the font
    file (output subsets it in place) are the document's own."""
    font = copy.copy(parsed)
    font.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False, lazy=True)
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    return font


class _Pdf(FPDF):
    """A4 portrait with the DejaVu fonts and a footer naming the briefing and the page.

    ``ruler`` is a scratch document with the same page and fonts, never output:
    :func:`_section` and :func:`_closing` try their layout on it, which is far
    cheaper than fpdf2's ``offset_rendering`` (a deep copy of the document each time).
    """

    def __init__(self, footer: str, lang: str, ruler: FPDF | None = None):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text, self.lang = footer, lang
        self.ruler = ruler or self
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.fonts.update({key: _own_font(parsed) for key, parsed in _parsed_fonts().items()})

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        page = label("page", self.lang, page=self.page_no(), pages="{nb}")
        self.cell(0, 5, f"{self.footer_text} \u00b7 {page}", align="C")


def briefing_pdf(briefing: Briefing) -> bytes:
    """The briefing as an A4 PDF: facts, map, program and site tables, open targets, sources."""
    lang = briefing.lang
    heading = f"{label(f'level_{briefing.level}', lang)} {briefing.name}" if briefing.level == LEVEL_KECAMATAN else briefing.name
    generated = format_partial_date(briefing.generated, lang)
    footer = f"{label('report_title', lang)}: {heading} \u00b7 {label('generated', lang)} {generated}"
    pdf = _Pdf(footer, lang, ruler=_Pdf(footer, lang))
    pdf.ruler.add_page()
    pdf.set_title(f"{label('report_title', lang)}: {heading}")
    pdf.add_page()
    _paragraph(pdf, label("report_title", lang).upper())
    _paragraph(pdf, heading, size=18, style="B", height=10)
    lines = [briefing.region_name] if briefing.level == LEVEL_KECAMATAN else []
    lines += [f"{label('document', lang)}: {briefing.document}", f"{label('generated', lang)}: {generated}"]
    _paragraph(pdf, "\n".join(lines))
    pdf.ln(2)
    _facts(pdf, briefing)
    pdf.ln(2)
    pdf.image(_map_pixels(briefing), w=PAGE_WIDTH_MM, h=MAP_HEIGHT_MM)
    note = label("map_note", lang)
    if len(briefing.region_sites):
        note += " " + label("map_unplaced", lang, n=len(briefing.region_sites))
    _paragraph(pdf, note, size=7, style="I", height=3.5)
    _programs(pdf, briefing)
    _places(pdf, briefing)
    _sites(pdf, briefing)
    _not_located(pdf, briefing)
    _region_programs(pdf, briefing)
    _region_sites(pdf, briefing)
    _evidence(pdf, briefing)
    if briefing.coverage is not None:
        _section(pdf, label("coverage_title", lang))
        rows = [[_cell(v, lang) for v in row] for row in briefing.coverage.itertuples(index=False)]
        _table(pdf, [[str(c) for c in briefing.coverage.columns], *rows])
    _supply(pdf, briefing)
    _closing(pdf, briefing)
    return bytes(pdf.output())


def _closing(pdf: _Pdf, briefing: Briefing) -> None:
    """The status summary and the sources, kept together so that no last page carries only a few lines of sources."""
    trial = pdf.ruler
    trial.add_page()
    trial.set_y(pdf.get_y())
    page = trial.page
    _status_summary(trial, briefing)
    _sources(trial, briefing)
    if trial.page > page or trial.get_y() > trial.page_break_trigger:
        pdf.add_page()
    _status_summary(pdf, briefing)
    _sources(pdf, briefing)



def _supply(pdf: FPDF, briefing: Briefing) -> None:
    """Existing facilities per kecamatan of the area, each column with its source and year (:mod:`reports.briefing_supply`)."""
    if briefing.supply is None:
        return
    t = translator(briefing.lang)
    _section(pdf, t("briefing_supply_title"), f"{t('briefing_supply_note')} {supply_sources(briefing.lang)}")
    shown = briefing.supply.drop(columns="kode_kec")
    _table(pdf, [[str(c) for c in shown.columns], *([_cell(v, briefing.lang) for v in row] for row in shown.itertuples(index=False))])


def _cell(value, lang: str) -> str:
    """A table cell as text: numbers in the report's number format, missing values blank."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, lang)
    return str(value)


def _paragraph(pdf: FPDF, text: str, size: float = 9, style: str = "", height: float = 4.5) -> None:
    """Left-aligned text across the page (justified text spreads long URLs and sources badly)."""
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


# Room for a section's first content below its heading: with less left on the page, the section starts a new one.
KEEP_WITH_HEADING_MM = 30


def _section(pdf: _Pdf, title: str, note: str = "") -> None:
    """A section heading and optional note, on a new page unless :data:`KEEP_WITH_HEADING_MM` of the section's
    content fits below them (a heading is never left at the foot of a page)."""
    if pdf.will_page_break(_heading_height(pdf.ruler, title, note) + KEEP_WITH_HEADING_MM):
        pdf.add_page()
    _heading(pdf, title, note)


def _heading_height(ruler: FPDF, title: str, note: str) -> float:
    """How far :func:`_heading` moves down the page, measured on ``ruler``: setting its font writes to the page."""
    height = 4 + _paragraph_height(ruler, title, size=11, style="B", height=6) + 1
    return height + (_paragraph_height(ruler, note, size=8, style="I", height=4) if note else 0)


def _paragraph_height(ruler: FPDF, text: str, size: float, style: str, height: float) -> float:
    ruler.set_font(FONT, style, size)
    ruler.set_x(ruler.l_margin)
    return ruler.multi_cell(0, height, text, align="L", dry_run=True, output=MethodReturnValue.HEIGHT)


def _heading(pdf: FPDF, title: str, note: str) -> None:
    pdf.ln(4)
    _paragraph(pdf, title, size=11, style="B", height=6)
    if note:
        _paragraph(pdf, note, size=8, style="I", height=4)
    pdf.ln(1)


def _table(pdf: FPDF, rows: list[list[str]], widths: tuple[float, ...] | None = None) -> None:
    """A bordered table in 8 pt, first row as grey bold headings repeated on each page."""
    pdf.set_font(FONT, size=8)
    with pdf.table(width=PAGE_WIDTH_MM, col_widths=widths, headings_style=HEADINGS, line_height=4, text_align="LEFT",
                   v_align="TOP", padding=1) as table:  # fmt: skip
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)


def _facts(pdf: FPDF, briefing: Briefing) -> None:
    """The headline figures: population (year, confidence, source), programs and sites here, open regional targets."""
    lang = briefing.lang
    if briefing.population is None:
        population = label("population_none", lang)
    else:
        detail = label("population_detail", lang, year=briefing.population_year, confidence=briefing.population_confidence)
        population = f"{format_number(briefing.population, lang)}\n({detail})"
    live, built = sites_here(briefing)
    _table(pdf, [
        [label(k, lang) for k in ("population", "programs_here", "sites_here", "targets_open")],
        [
            population,
            format_number(len(briefing.programs), lang),
            label("sites_here_value", lang, n=format_number(live, lang), built=format_number(built, lang)),
            open_targets(briefing)[0],
        ],
    ])  # fmt: skip
    if briefing.population_source:
        _paragraph(pdf, f"{label('population_source', lang)}: {briefing.population_source}", size=6.5, style="I", height=3)


def _programs(pdf: FPDF, briefing: Briefing) -> None:
    """Programs with a site here: promise status (with date and evidence once recorded), share here, progress region-wide."""
    lang = briefing.lang
    _section(pdf, label("programs_title", lang, name=briefing.name))
    if briefing.programs.empty:
        _paragraph(pdf, label("programs_none", lang, name=briefing.name))
        return
    rows = [[label(k, lang) for k in ("col_program", "col_status", "col_here", "col_progress")]]
    for p in briefing.programs.itertuples(index=False):
        # Until a planner records a status the evidence is the document, cited under Sources.
        # The full link is in the XLSX and on the promise page; the host names the publisher here.
        evidence = urlsplit(p.evidence).netloc.removeprefix("www.") or p.evidence
        status = "\n".join([status_label(p.status, lang), format_partial_date(p.updated, lang, short=True), evidence] if p.updated else [status_label(p.status, lang)])
        rows.append([f"{p.name} ({p.program})", status, p.share_text, p.progress_text])
    _table(pdf, rows, (70, 35, 28, 47))


SITE_ROWS = 30  # sites listed (and numbered on the map); the XLSX lists every one


def _sites(pdf: FPDF, briefing: Briefing) -> None:
    """The area's sites counted per layer and status, then the first :data:`SITE_ROWS`, numbered as on the map
    (kecamatan-level ones are the hatched area); the rest are in the XLSX, so a page stays a page at 10,000 sites."""
    lang = briefing.lang
    sites = briefing.sites
    if sites.empty:
        return
    _section(pdf, label("sites_title", lang))
    counts = pd.crosstab(sites["layer_label"], sites["status"])
    statuses = [s.value for s in SiteStatus if s.value in counts.columns]
    rows = [[label("col_layer", lang), *(label(f"status_{s}", lang) for s in statuses), label("col_total", lang)]]
    rows += [[layer, *(format_number(int(v), lang) for v in counts.loc[layer, statuses]), format_number(int(counts.loc[layer].sum()), lang)]
             for layer in counts.index]
    _table(pdf, rows)
    listed = sites.head(SITE_ROWS)
    if len(sites) > len(listed):
        _paragraph(pdf, label("sites_first_rows", lang, n=format_number(len(listed), lang), total=format_number(len(sites), lang)),
                   size=8, style="I", height=4)
    pdf.ln(1)
    map_no = listed["map_no"].map(lambda no: _cell(no, lang)).replace("", label("map_hatched", lang))
    precision = listed["precision"].map(lambda p: label(f"precision_{p}", lang))
    status = listed["status"].map(lambda p: label(f"status_{p}", lang))
    rows = [[label(k, lang) for k in ("col_map_no", "col_site", "col_layer", "col_precision", "col_site_status", "col_updated")]]
    updated = listed["updated"].map(lambda d: format_partial_date(d, lang, short=True))
    rows += [list(r) for r in zip(map_no, listed["name"], listed["layer_label"], precision, status, updated)]
    _table(pdf, rows, (11, 58, 29, 33, 27, 22))


def _not_located(pdf: FPDF, briefing: Briefing) -> None:
    """Region-wide site targets without a place yet, with a note that they are not this kecamatan's alone."""
    lang = briefing.lang
    region = briefing.region_name
    if briefing.not_located.empty:
        _section(pdf, label("not_located_title", lang, region=region), open_targets(briefing)[1])
        return
    note_key = "not_located_note" if briefing.level == LEVEL_KECAMATAN else "not_located_note_region"
    _section(pdf, label("not_located_title", lang, region=region), label(note_key, lang, region=region, name=briefing.name))
    rows = [[label(k, lang) for k in ("col_program", "col_target", "col_located", "col_known_area", "col_not_located")]]
    for p in briefing.not_located.itertuples(index=False):
        target = f"{format_number(p.target_sites, lang)} {p.target_unit}".strip()
        counts = (format_number(v, lang) for v in (p.located, p.known_area, p.not_located))
        rows.append([f"{p.name} ({p.program})", target, *counts])
    _table(pdf, rows, (80, 30, 22, 26, 22))


def _places(pdf: FPDF, briefing: Briefing) -> None:
    """Road corridors a program names that name this area's kecamatan (matched by name, never drawn)."""
    lang = briefing.lang
    if briefing.places is None or briefing.places.empty:
        return
    _section(pdf, label("places_title", lang, name=briefing.name), label("places_note", lang))
    rows = [[label(k, lang) for k in ("col_program", "col_places", "col_status", "col_progress")]]
    for p in briefing.places.itertuples(index=False):
        rows.append([f"{p.name} ({p.program})", p.places, status_label(p.status, lang), p.progress_text])
    _table(pdf, rows, (62, 48, 27, 43))


def _region_programs(pdf: FPDF, briefing: Briefing) -> None:
    """Programs with a stated target that apply to the whole region, this area included; the others counted."""
    lang = briefing.lang
    if briefing.region_programs is None:
        return
    region = briefing.region_name
    _section(pdf, label("region_programs_title", lang, region=region), region_programs_note(briefing))
    if briefing.region_programs.empty:
        _paragraph(pdf, label("region_programs_none", lang, region=region))
        return
    rows = [[label(k, lang) for k in ("col_program", "col_status", "col_progress")]]
    for p in briefing.region_programs.itertuples(index=False):
        rows.append([f"{p.name} ({p.program})", status_label(p.status, lang), p.progress_text])
    _table(pdf, rows, (85, 30, 65))


def _region_sites(pdf: FPDF, briefing: Briefing) -> None:
    """Sites the document places only in the kabupaten/kota (not drawn on the map)."""
    lang = briefing.lang
    if briefing.region_sites.empty:
        return
    _section(pdf, label("region_sites_title", lang, region=briefing.region_name), label("region_sites_note", lang))
    rows = [[label(k, lang) for k in ("col_site", "col_program", "col_site_status")]]
    for s in briefing.region_sites.itertuples(index=False):
        rows.append([s.name, s.program, label(f"status_{s.status}", lang)])
    _table(pdf, rows, (120, 30, 30))


def _evidence(pdf: FPDF, briefing: Briefing) -> None:
    """ "Yang terjadi di sini": the area's dated evidence, newest first (links are in the XLSX and on each promise page)."""
    lang = briefing.lang
    if briefing.evidence is None:
        return
    note = "evidence_note" if briefing.level == LEVEL_KECAMATAN else "evidence_note_region"
    _section(pdf, label("evidence_title", lang), label(note, lang, name=briefing.name))
    if briefing.evidence.empty:
        _paragraph(pdf, label("evidence_none", lang, name=briefing.name))
        return
    rows = [[label(k, lang) for k in ("col_event_date", "col_program", "col_status", "col_counts", "col_claim", "col_place", "col_publisher")]]
    for e in briefing.evidence.itertuples(index=False):
        rows.append([format_partial_date(e.event_date, lang, short=True) or "\u2014", e.program, e.status, e.counts, e.claim, e.areas or e.place, f"{e.publisher} ({e.evidence_id})"])
    _table(pdf, rows, (17, 18, 17, 22, 58, 26, 22))


def _status_summary(pdf: FPDF, briefing: Briefing) -> None:
    """How many of the document's programs stand at each tracker status."""
    lang = briefing.lang
    _section(pdf, label("status_title", lang), label("status_note", lang))
    counts = briefing.status_counts.iloc[0]
    _table(pdf, [
        [status_label(s, lang) for s in ProgramStatus] + [label("col_total", lang)],
        [format_number(int(counts[s.value]), lang) for s in ProgramStatus] + [format_number(int(counts["total"]), lang)],
    ])  # fmt: skip


def _sources(pdf: FPDF, briefing: Briefing) -> None:
    """The document, the data attributions and the register, one bullet each."""
    lang = briefing.lang
    _section(pdf, label("sources_title", lang))
    # The population's full source is on page 1; ATTRIBUTIONS credits it in short here.
    for item in (*briefing.attributions, label("sources_store", lang, date=format_partial_date(briefing.generated, lang))):
        _paragraph(pdf, f"\u2022 {item}", size=7.5, height=3.6)
