"""The map page's kept rendering gives the st_folium component exactly what st_folium itself would send."""

from __future__ import annotations

import folium
import streamlit_folium

from layers import assets
from views import folium_view


def sample_map() -> folium.Map:
    m = folium.Map(location=(-6.2, 106.5))
    assets.use_local_assets(m)
    point = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [106.5, -6.2]}}
    folium.GeoJson({"type": "FeatureCollection", "features": [point]}).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def test_component_args_match_st_folium(monkeypatch):
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.update(kw))
    streamlit_folium.st_folium(sample_map(), key="map", height=620, use_container_width=True, returned_objects=[])
    kept = folium_view.component_args(sample_map())
    assert {k: kept[k] for k in ("header", "html", "id", "css_links", "js_links")} == {k: sent[k] for k in ("header", "html", "id", "css_links", "js_links")}
    assert kept["script"] == sent["script"] and "/app/static/vendor/leaflet/leaflet.js" in kept["js_links"]
    folium_view.show(kept, key="map", height=620)
    assert sent["key"] == streamlit_folium.generate_js_hash(kept["script"], "map", False) and sent["returned_objects"] == []
