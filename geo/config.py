"""Where things are: the project's paths and the settings that move them.

Settings come from environment variables so that the set-up scripts, the app
and the tests agree without a config file:

``PETA_DATA_SOURCE``
    Directory holding the data (``boundaries/``, ``reference/`` and
    ``evidence/``) to install. Default: ``../shared/data`` beside the project.
``PETA_DATA_DIR``
    Where the installed (git-ignored) copies live. Default: ``data/``.
``PETA_STORE``
    The site register file. Default: ``data/store/sites.sqlite``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The regions this dashboard covers (BPS kode_kab); Kota Tangerang is context only.
TANGSEL = "3674"
KAB_TANGERANG = "3603"
KOTA_TANGERANG = "3671"
PROGRAM_REGIONS = (TANGSEL, KAB_TANGERANG)
ALL_REGIONS = (TANGSEL, KAB_TANGERANG, KOTA_TANGERANG)

# Metric CRS for distances, areas and simplification: UTM zone 48S.
METRIC_CRS = "EPSG:32748"


def data_source() -> Path:
    """Directory the set-up step installs third-party data from."""
    return Path(os.environ.get("PETA_DATA_SOURCE", PROJECT_ROOT.parent / "shared" / "data")).resolve()


def data_dir() -> Path:
    """Directory holding the installed data (``boundaries/``, ``reference/``)."""
    return Path(os.environ.get("PETA_DATA_DIR", PROJECT_ROOT / "data")).resolve()


def store_path() -> Path:
    """The embedded site register file."""
    return Path(os.environ.get("PETA_STORE", data_dir() / "store" / "sites.sqlite")).resolve()
