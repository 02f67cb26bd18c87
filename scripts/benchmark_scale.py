"""Benchmark the dashboard at inventory scale: 10,000 and 100,000 synthetic exact points against the floor.

Run: .venv/bin/python scripts/benchmark_scale.py [--quick] [--sizes 10000 100000] [--sessions 25]

Every figure is measured in the same run, next to:
- the floor: a bare Streamlit app with one empty st_folium map (Leaflet served locally, like the app);
- a FastMarkerCluster baseline: a bare app with folium's FastMarkerCluster of the same points.

The synthetic points (:mod:`register.synthetic`: ids ``synthetic-...``, named "Titik sintetis", source saying
so) live only in temporary registers under a temporary folder, with a temporary planner account; the real
register and secrets are never opened. Times are wall clock on this machine, which other work may share: compare
the ratios within one run. ``--quick`` (1,000 points, 3 sessions, one browser run each) checks the script in
seconds to a minute; its figures say nothing about the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file, the project root is not on the path

from streamlit.testing.v1 import AppTest  # noqa: E402

from geo.config import data_dir  # noqa: E402
from geo.errors import DataError  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
POINTS_PAINTED = ".marker-cluster, path.leaflet-interactive[d*='a7,7']"  # a cluster, or a site's own circle
FILTERS = [("f_layer", ["spku"]), ("f_layer", []), ("f_region", ["3674"]), ("f_region", []), ("f_metric", "per_10k")]
AREA = "3674060"  # Pondok Aren: the briefing timed alone

FLOOR_APP = """
import sys; sys.path.insert(0, {root!r})
import folium, streamlit as st
from streamlit_folium import st_folium
from layers import assets
m = folium.Map(location=(-6.22, 106.55), zoom_start=10)
assets.use_local_assets(m)
st_folium(m, key="map", height=620, use_container_width=True, returned_objects=[])
"""

FAST_CLUSTER_APP = """
import sys; sys.path.insert(0, {root!r})
import folium, numpy as np, streamlit as st
from folium.plugins import FastMarkerCluster
from streamlit_folium import st_folium
from layers import assets
m = folium.Map(location=(-6.22, 106.55), zoom_start=10)
assets.use_local_assets(m)
xy = np.load({points!r})
# Plain markers: the default callback's AwesomeMarkers icons come from a CDN.
callback = "function (row) {{ return L.marker(new L.LatLng(row[0], row[1])); }}"
assets.use_local_cluster(FastMarkerCluster(xy[:, ::-1].round(6).tolist(), callback=callback)).add_to(m)
st_folium(m, key="map", height=620, use_container_width=True, returned_objects=[])
"""


# -- set-up ---------------------------------------------------------------------------------------------------------

def planner(folder: Path):
    """A planner account in a temporary secrets file (the real one is never read)."""
    os.environ["PETA_SECRETS"] = str(folder / "secrets.toml")
    os.environ["PETA_AUTH_DB"] = str(folder / "logins.sqlite")
    from register import auth

    auth.add_planner("benchmark", "benchmark-password-1")
    return auth.login("benchmark", "benchmark-password-1")


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def store_points(path: Path, n: int, domain, actor) -> tuple[float, object]:
    """Store ``n`` synthetic points through the store API (one batch); returns seconds and the points."""
    from register.auth import require_planner
    from register.store import SQLiteSiteStore
    from register.synthetic import synthetic_sites

    sites = synthetic_sites(domain, n)
    seconds, _ = timed(SQLiteSiteStore(path, require_planner, domain).add, sites, actor)
    return seconds, [(s.geometry.x, s.geometry.y) for s in sites]


def import_points(path: Path, n: int, domain, actor) -> str:
    """Seconds to read, check and store an ``n``-row CSV as a planner's upload would (or why it is refused)."""
    from register import importer
    from register.auth import require_planner
    from register.store import SQLiteSiteStore
    from register.synthetic import synthetic_csv

    data = synthetic_csv(domain, n, seed=1)
    store = SQLiteSiteStore(path, require_planner, domain)
    started = time.perf_counter()
    try:
        preview = importer.check_rows(importer.read_upload(data), domain, store.sites(include_retired=True))
        importer.commit(preview, store, actor, "2026-12-01", "benchmark")
    except DataError as exc:
        return "refused: " + exc.text("en")[:80]
    return f"{time.perf_counter() - started:.1f} s"


# -- server side (AppTest) ------------------------------------------------------------------------------------------

def app_test(path: Path, script: Path = ROOT / "app.py", **params) -> AppTest:
    os.environ["PETA_STORE"] = str(path)
    at = AppTest.from_file(str(script), default_timeout=900)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def payload(at: AppTest) -> int:
    """Bytes of the st_folium component's arguments: the map as the browser receives it on this rerun."""
    return sum(len(c.proto.json_args.encode("utf-8")) for c in at.get("component_instance"))


def run(at: AppTest) -> float:
    seconds, _ = timed(at.run)
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return seconds


def map_page(path: Path) -> dict:
    """First run, payload of the default view, and filter-change reruns (new views and views seen before)."""
    at = app_test(path)
    first = run(at)
    size = payload(at)
    new, seen = [], []
    for key, value in FILTERS:
        widget = at.selectbox(key=key) if key == "f_metric" else at.multiselect(key=key)
        widget.set_value(value)
        (seen if value in ([],) else new).append(run(at))
    return {"first": first, "payload": size, "new": statistics.median(new), "seen": statistics.median(seen)}


def pages(path: Path) -> dict:
    """Near-me (a radius not asked before, 2.5 km, and the 3 km view again), coverage (first view of the street-light
    layer) and the tracker (first view)."""
    near = app_test(path, hal="dekat", lat="-6.2745", lon="106.718", r="3")
    run(near)
    near.slider(key="n_r").set_value(2.5)
    new = run(near)
    near.slider(key="n_r").set_value(3.0)
    return {"near_new": new, "near": run(near), "coverage": run(app_test(path, hal="cakupan", lap="pju")), "tracker": run(app_test(path, hal="janji"))}


def briefings(path: Path, batch: bool) -> dict:
    from register.auth import require_planner
    from register.rules import load_domain
    from register.store import SQLiteSiteStore
    from reports.briefing import kecamatan_briefing, load_briefing_inputs
    from reports.briefing_pdf import briefing_pdf

    store = SQLiteSiteStore(path, require_planner, load_domain(data_dir()))
    inputs = load_briefing_inputs(store)
    one, _ = timed(lambda: briefing_pdf(kecamatan_briefing(AREA, inputs)))
    out = {"pdf": one}
    if batch:
        with tempfile.TemporaryDirectory() as folder:
            out["pdfs36"], _ = timed(subprocess.run, [sys.executable, str(ROOT / "scripts" / "briefings.py"), "--out", folder, "--store", str(path)],
                                     check=True, capture_output=True)
    return out


# -- browser side ---------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(script: Path, store: Path, log: Path):
    port = free_port()
    env = {**os.environ, "PETA_STORE": str(store)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.headless", "true"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    if time.time() > deadline:
                        raise RuntimeError(f"{script.name} did not start: see {log}")
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


async def _paint(browser, url: str, selectors: tuple[str, ...]) -> float:
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        started = time.perf_counter()
        await page.goto(url, timeout=300_000, wait_until="commit")
        frame = page.frame_locator(MAP_FRAME)
        for selector in selectors:
            await frame.locator(selector).first.wait_for(timeout=180_000)
        return time.perf_counter() - started
    finally:
        await page.close()


async def _paints(url: str, selectors: tuple[str, ...], runs: int, sessions: int) -> tuple[float, float, int]:
    """Median first paint of ``runs`` navigations one after another (after one warm-up) or, with ``sessions``,
    the p50 of that many at once and how many failed."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await _paint(browser, url, selectors)
        if sessions:
            times = await asyncio.gather(*(_paint(browser, url, selectors) for _ in range(sessions)), return_exceptions=True)
            done = [t for t in times if isinstance(t, float)]
            result = (statistics.median(done) if done else float("nan"), sessions - len(done))
        else:
            result = (statistics.median([await _paint(browser, url, selectors) for _ in range(runs)]), 0)
        await browser.close()
    return result


def paint(script: Path, store: Path, log: Path, selectors: tuple[str, ...], runs: int, sessions: int = 0) -> tuple[float, int]:
    with server(script, store, log) as url:
        return asyncio.run(_paints(url, selectors, runs, sessions))


# -- report ---------------------------------------------------------------------------------------------------------

def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def secs(n: float) -> str:
    return f"{n:.2f} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 points, 3 sessions, one browser run: checks the script, not the targets")
    parser.add_argument("--sizes", type=int, nargs="+", help="point counts (default 10000 100000)")
    parser.add_argument("--sessions", type=int, help="concurrent browser sessions (default 25; 0 skips them)")
    parser.add_argument("--runs", type=int, help="browser navigations timed per view (default 3)")
    args = parser.parse_args()
    sizes = args.sizes or ([1000] if args.quick else [10_000, 100_000])
    sessions = args.sessions if args.sessions is not None else (3 if args.quick else 25)
    runs = args.runs or (1 if args.quick else 3)

    import numpy as np

    from register.rules import load_domain

    domain = load_domain(data_dir())
    rows = Rows()
    with tempfile.TemporaryDirectory(prefix="peta-scale-") as tmp:
        tmp = Path(tmp)
        actor = planner(tmp)
        (tmp / "static").symlink_to(ROOT / "static")  # Streamlit serves static/ beside the script: the bare apps use the app's Leaflet
        floor_app = tmp / "floor_app.py"
        floor_app.write_text(FLOOR_APP.format(root=str(ROOT)))
        seeded = tmp / "seeded.sqlite"

        floor = (floor_app, seeded, tmp / "floor.log", (".leaflet-container",), runs)
        floor_s, _ = paint(*floor)
        floor_payload = payload(_ran(app_test(seeded, floor_app)))
        rows.append(("floor: bare app, one empty st_folium map: first paint / payload", f"{secs(floor_s)} / {mb(floor_payload)}", ""))

        default = map_page(seeded)
        app = (ROOT / "app.py", seeded, tmp / "seeded.log", ("path.leaflet-interactive",), runs)
        seeded_s, _ = paint(*app)
        rows.append(("seeded register: default view first paint", f"{secs(seeded_s)} ({seeded_s / floor_s:.1f}x floor)",
                     f"<= 1.8x floor: {verdict(seeded_s <= 1.8 * floor_s)}"))
        rows.append(("seeded register: payload / filter change (new view, seen view)",
                     f"{mb(default['payload'])} / {secs(default['new'])}, {secs(default['seen'])}", ""))

        for n in sizes:
            label = f"{n:,}".replace(",", ".") + " points"
            path = tmp / f"sites-{n}.sqlite"
            store_s, xy = store_points(path, n, domain, actor)
            points = tmp / f"points-{n}.npy"
            np.save(points, np.array(xy))
            cluster_app = tmp / f"fast_cluster_{n}.py"
            cluster_app.write_text(FAST_CLUSTER_APP.format(root=str(ROOT), points=str(points)))
            big = n >= 100_000
            rows.append((f"{label}: storing them (store API, one batch)", secs(store_s), f"<= 10 s: {verdict(store_s <= 10)}" if big else ""))
            imported = import_points(tmp / f"import-{n}.sqlite", n, domain, actor)
            ok = imported.endswith(" s") and float(imported[:-2]) <= 60
            rows.append((f"{label}: importing a {n}-row CSV (read, check, store)", imported, f"<= 60 s: {verdict(ok)}" if big else ""))

            m = map_page(path)
            baseline_payload = payload(_ran(app_test(path, cluster_app)))
            rows.append((f"{label}: map payload per rerun (FastMarkerCluster of the same points)",
                         f"{mb(m['payload'])} ({mb(baseline_payload)})", f"<= 2 MB: {verdict(m['payload'] <= 2e6)}" if big else ""))
            rows.append((f"{label}: filter-change rerun, new view / view seen before (median)", f"{secs(m['new'])} / {secs(m['seen'])}",
                         f"<= 0.5 s: {verdict(m['new'] <= 0.5)} (new), {verdict(m['seen'] <= 0.5)} (seen)" if big else ""))
            app_s, _ = paint(ROOT / "app.py", path, tmp / f"app-{n}.log", ("path.leaflet-interactive", POINTS_PAINTED), runs)
            fast_s, _ = paint(cluster_app, path, tmp / f"fast-{n}.log", (".marker-cluster",), runs)
            rows.append((f"{label}: first paint with the points drawn (FastMarkerCluster)",
                         f"{secs(app_s)} = {app_s / floor_s:.1f}x floor ({secs(fast_s)} = {fast_s / floor_s:.1f}x)",
                         f"<= 1.5x floor: {verdict(app_s <= 1.5 * floor_s)}" if big else ""))
            p = pages(path)
            rows.append((f"{label}: near-me rerun, a new radius (2.5 km) / a view seen before (3 km)", f"{secs(p['near_new'])} / {secs(p['near'])}",
                         f"<= 0.3 s: {verdict(p['near_new'] <= 0.3)} (new), {verdict(p['near'] <= 0.3)} (seen)" if big else ""))
            rows.append((f"{label}: coverage page, first view of the layer / tracker, first view", f"{secs(p['coverage'])} / {secs(p['tracker'])}", ""))
            b = briefings(path, batch=not big)
            if "pdfs36" in b:
                rows.append((f"{label}: briefing PDF, Pondok Aren / all 36", f"{secs(b['pdf'])} / {secs(b['pdfs36'])}",
                             f"<= 20 s (36): {verdict(b['pdfs36'] <= 20)}" if n == 10_000 else ""))
            else:
                rows.append((f"{label}: briefing PDF, Pondok Aren", secs(b["pdf"]), ""))
            print(f"... {label} done", file=sys.stderr, flush=True)

        if sessions:
            floor_p50, floor_failed = paint(*floor, sessions)
            app_p50, app_failed = paint(*app, sessions)
            rows.append((f"{sessions} sessions at once, p50 first paint: app default view (floor)",
                         f"{secs(app_p50)} = {app_p50 / floor_p50:.1f}x floor's ({secs(floor_p50)}); failed: {app_failed} ({floor_failed})",
                         f"<= 2x floor's: {verdict(app_p50 <= 2 * floor_p50 and not app_failed)}"))

    print(f"\nScale benchmark ({'quick' if args.quick else 'full'}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end)\n")
    print("| what | measured | target |")
    print("|---|---|---|")
    for what, measured, target in rows:
        print(f"| {what} | {measured} | {target} |")


class Rows(list):
    """The table's rows (what, measured, target and verdict), each also printed as it comes (a long run can be read early)."""

    def append(self, row: tuple[str, str, str]) -> None:
        super().append(row)
        print("| " + " | ".join(row) + " |", file=sys.stderr, flush=True)


def _ran(at: AppTest) -> AppTest:
    run(at)
    return at


if __name__ == "__main__":
    main()
