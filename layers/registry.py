"""The layer registry: one definition per kind of mapped site.

Definitions live in ``data/catalog/layers.toml`` (committed). Program layers
are fed by catalog programs; reference layers are context data from
``data/reference`` (OpenStreetMap extracts), labelled incomplete where their
provenance says so.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from geo.errors import DataError
from layers.catalog import Catalog
from layers.model import Layer

LAYERS_PATH = Path(__file__).resolve().parent.parent / "data" / "catalog" / "layers.toml"
GEOMETRY_KINDS = ("point", "line", "area")


def parse_layers(text: str, catalog: Catalog, origin: str = "layers.toml") -> dict[str, Layer]:
    """Parse layer definitions and check them against the catalog; keyed by id, in file order."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{origin}: not valid TOML: {exc}") from exc
    layers: dict[str, Layer] = {}
    program_ids = {p.id for p in catalog.programs}
    for i, row in enumerate(raw.get("layer", []), start=1):
        where = f"{origin} layer #{i} ({row.get('id', 'no id')})"
        try:
            layer = Layer(**{**row, "programs": tuple(row.get("programs", ()))})
        except TypeError as exc:
            raise DataError(f"{where}: {exc}") from exc
        if layer.id in layers:
            raise DataError(f"{where}: id repeated")
        if layer.geometry not in GEOMETRY_KINDS:
            raise DataError(f"{where}: geometry {layer.geometry!r} is not one of {GEOMETRY_KINDS}")
        unknown = sorted(set(layer.programs) - program_ids)
        if unknown:
            raise DataError(f"{where}: unknown program(s) {unknown}")
        layers[layer.id] = layer
    for p in catalog.programs:
        if p.layer and p.layer not in layers:
            raise DataError(f"catalog program {p.id}: layer {p.layer!r} is not defined in {origin}")
    # Both files name the link; a program moved in one file only would be drawn under one layer and listed under another.
    for layer in layers.values():
        fed = {p.id for p in catalog.programs if p.layer == layer.id}
        if set(layer.programs) != fed:
            raise DataError(
                f"{origin} layer {layer.id}: programs {sorted(layer.programs)} differ from the catalog's {sorted(fed)}"
            )
    return layers


@cache
def load_layers(catalog: Catalog, path: Path = LAYERS_PATH) -> dict[str, Layer]:
    """Load the committed layer registry (cached)."""
    return parse_layers(Path(path).read_text(encoding="utf-8"), catalog, Path(path).name)


def program_layers(layers: dict[str, Layer]) -> dict[str, Layer]:
    """Only the layers fed by programs."""
    return {k: v for k, v in layers.items() if v.kind == "program"}


def reference_layers(layers: dict[str, Layer]) -> dict[str, Layer]:
    """Only the context layers from reference data."""
    return {k: v for k, v in layers.items() if v.kind == "reference"}
