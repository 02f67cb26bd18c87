"""Benchmark the map page: payload of the default view and the time a filter change takes.

Run: .venv/bin/python scripts/benchmark_map.py [--runs N] [--browser]

Payload is the st_folium component's arguments as the browser receives them
(the generated Leaflet script, header and asset links). Times are wall-clock
reruns of the whole script in AppTest (data cached, as in a live session), and
with --browser the time from navigation to painted Leaflet paths in chromium.
It uses a temporary site register, so the real one is never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.testing.v1 import AppTest  # noqa: E402

from geo.config import PROJECT_ROOT  # noqa: E402

FILTERS = [("f_layer", ["spku"]), ("f_layer", []), ("f_region", ["3674"]), ("f_region", []), ("f_metric", "per_10k")]


def payload(at: AppTest) -> int:
    [component] = at.get("component_instance")
    return len(component.proto.json_args.encode("utf-8"))


def rerun_times(runs: int) -> tuple[float, list[float], int, int, int]:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    default_size = payload(at)
    desa_at = at.checkbox(key="f_desa").check().run()
    desa_size = payload(desa_at)
    at.checkbox(key="f_desa").uncheck().run()
    supply_size = payload(at.checkbox(key="f_supply").check().run())
    at.checkbox(key="f_supply").uncheck().run()
    times = []
    for _ in range(runs):
        for key, value in FILTERS:
            widget = at.selectbox(key=key) if key == "f_metric" else at.multiselect(key=key)
            start = time.perf_counter()
            widget.set_value(value).run()
            times.append(time.perf_counter() - start)
        at.selectbox(key="f_metric").set_value("sites").run()
    return cold, times, default_size, desa_size, supply_size


def first_paint(url: str) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        start = time.perf_counter()
        page.goto(url)
        page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator("path.leaflet-interactive").first.wait_for(timeout=120_000)
        elapsed = time.perf_counter() - start
        browser.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also time first paint in /usr/bin/chromium (needs a running app URL)")
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PETA_STORE"] = str(Path(tmp) / "sites.sqlite")
        cold, times, default_size, desa_size, supply_size = rerun_times(args.runs)
    print(f"default view payload: {default_size / 1024:.0f} KiB (with desa boundaries: {desa_size / 1024:.0f} KiB, "
          f"with existing facilities: {supply_size / 1024:.0f} KiB)")
    print(f"first run (loading, simplifying, seeding): {cold:.2f} s")
    print(f"filter change rerun over {len(times)} changes: median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    if args.browser:
        print(f"browser first paint of the map: {first_paint(args.url):.2f} s")
    print(json.dumps({"payload_kib": round(default_size / 1024), "desa_payload_kib": round(desa_size / 1024),
                      "supply_payload_kib": round(supply_size / 1024),
                      "filter_median_s": round(statistics.median(times), 2), "filter_max_s": round(max(times), 2)}))


if __name__ == "__main__":
    main()
