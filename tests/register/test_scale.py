"""The register at inventory scale: bulk writes linear in the number of sites, large imports, several app servers.

Synthetic sites (:mod:`register.synthetic`, labelled synthetic) live only in
the temporary registers of ``any_store``. Times are compared with each other
in the same run, never with a wall clock.
"""

from __future__ import annotations

import time

from register.synthetic import synthetic_sites


def test_bulk_store_grows_linearly_not_quadratically(any_store, planner, domain):
    small = synthetic_sites(domain, 10_000, "tsl-4-2-10")
    large = synthetic_sites(domain, 40_000, "tsl-4-2-13", seed=1)
    started = time.perf_counter()
    any_store.add(small, planner)
    small_s = time.perf_counter() - started
    started = time.perf_counter()
    any_store.add(large, planner)
    large_s = time.perf_counter() - started
    # Four times the sites: about 4x the time when linear, 16x when quadratic (as ids.count once made it).
    assert large_s / small_s < 8, f"10k sites {small_s:.2f} s, 40k sites {large_s:.2f} s"
    assert any_store.revision() == 2 and len(any_store.sites()) == 50_000
