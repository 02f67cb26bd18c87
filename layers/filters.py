"""Filtering the site table by what users pick: region, kecamatan, layer, misi/sasaran, status, precision."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class SiteFilter:
    """A selection of sites; an empty tuple means "no restriction" on that field.

    ``misi`` holds ``"<document>:<misi>"`` keys and ``sasaran``
    ``"<document>:<misi>:<sasaran>"`` keys, since numbering restarts per document.
    """

    regions: tuple[str, ...] = ()
    kecamatan: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    misi: tuple[str, ...] = ()
    sasaran: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Boolean mask of the rows of a :func:`layers.sites.site_frame` table that pass."""
        keep = pd.Series(True, index=frame.index)
        for values, column in (
            (self.regions, "region"),
            (self.kecamatan, "kode_kec"),
            (self.layers, "layer"),
            (self.statuses, "status"),
            (self.precisions, "precision"),
        ):
            if values:
                keep &= frame[column].isin(values)
        if self.misi:
            keep &= misi_key(frame).isin(self.misi)
        if self.sasaran:
            keep &= (misi_key(frame) + ":" + frame["sasaran"].astype("Int64").astype("string")).isin(self.sasaran)
        return keep

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows that pass (a new frame; copied on write, as pandas does)."""
        keep = self.mask(frame)
        # When every row passes, a shallow copy: taking all rows copied every column (100,000 sites on each rerun).
        return frame.copy(deep=False) if keep.all() else frame[keep]


def misi_key(frame: pd.DataFrame) -> pd.Series:
    """``"<document>:<misi>"`` per row (missing where the document has no misi)."""
    return frame["document"] + ":" + frame["misi"].astype("Int64").astype("string")
