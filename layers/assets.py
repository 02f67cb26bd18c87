"""The map's front-end files, served by the app itself so the map renders offline.

Folium points at CDNs by default; with no internet the map does not render at
all. Set-up installs the packages in ``assets/package.json`` from the npm
registry and :func:`install` copies the files the map uses into
``static/vendor`` (git-ignored), which Streamlit serves at ``/app/static``.
:func:`use_local_assets` then points folium at those copies.

Run as ``python -m layers.assets`` after ``npm ci --prefix assets``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import folium
from folium.plugins import LocateControl

from geo.config import PROJECT_ROOT
from geo.errors import DataError, run_command

NODE_MODULES = PROJECT_ROOT / "assets" / "node_modules"
VENDOR_DIR = PROJECT_ROOT / "static" / "vendor"
VENDOR_URL = "/app/static/vendor"

# (folder under node_modules, folder under static/vendor)
COPIES = (
    ("leaflet/dist", "leaflet"),
    ("@fortawesome/fontawesome-free/css", "fontawesome/css"),
    ("@fortawesome/fontawesome-free/webfonts", "fontawesome/webfonts"),
    ("leaflet.locatecontrol/dist", "locatecontrol"),
    ("leaflet.markercluster/dist", "markercluster"),
    ("supercluster/dist", "supercluster"),
)

JS = (("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js"),)
CSS = (
    ("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css"),
    ("fontawesome_css", f"{VENDOR_URL}/fontawesome/css/all.min.css"),
)
ICON_IMAGE_PATH = f"{VENDOR_URL}/leaflet/images/"
LOCATE_JS = (("locate_js", f"{VENDOR_URL}/locatecontrol/L.Control.Locate.min.js"),)
LOCATE_CSS = (("locate_css", f"{VENDOR_URL}/locatecontrol/L.Control.Locate.min.css"),)
SUPERCLUSTER_JS = (("supercluster_js", f"{VENDOR_URL}/supercluster/supercluster.min.js"),)
CLUSTER_JS = (("markercluster_js", f"{VENDOR_URL}/markercluster/leaflet.markercluster.js"),)
CLUSTER_CSS = (
    ("markercluster_css", f"{VENDOR_URL}/markercluster/MarkerCluster.css"),
    ("markercluster_default_css", f"{VENDOR_URL}/markercluster/MarkerCluster.Default.css"),
)


def install(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR_DIR) -> list[Path]:
    """Copy the map's files from ``node_modules`` into ``vendor``; return the folders written."""
    missing = [src for src, _ in COPIES if not (node_modules / src).is_dir()]
    if missing:
        raise DataError(f"{node_modules} lacks {', '.join(missing)}: run `npm ci --prefix assets` first")
    written = []
    for src, dest in COPIES:
        target = vendor / dest
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(node_modules / src, target, ignore=shutil.ignore_patterns("*.map", "*.esm.js", "*.d.ts", "*mapbox*"))
        written.append(target)
    return written


def use_local_assets(m: folium.Map) -> folium.Map:
    """Load Leaflet and icons from the app's static files instead of CDNs."""
    m.default_js = list(JS)
    m.default_css = list(CSS)
    return m


def locate_control(**options) -> LocateControl:
    """Folium's geolocation button, loading its plugin from the app's static files."""
    control = LocateControl(**options)
    control.default_js = list(LOCATE_JS)
    control.default_css = list(LOCATE_CSS)
    return control


def use_local_cluster(element):
    """Point a folium element that needs Leaflet.markercluster (e.g. ``FastMarkerCluster``) at the app's copy."""
    element.default_js = list(CLUSTER_JS)
    element.default_css = list(CLUSTER_CSS)
    return element


def main() -> int:
    return run_command(lambda: f"Installed map assets into {', '.join(str(p) for p in install())}", "Asset installation failed")


if __name__ == "__main__":
    sys.exit(main())
