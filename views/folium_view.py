"""A folium map shown from a kept rendering: the page caches what the component receives, not the folium object.

``st_folium`` renders the folium object and renames its elements on every call (about 1 s for a map carrying
100,000 points), and a folium object rendered twice comes out with its layers added twice. So a page renders
a map once, with :func:`component_args` inside a cache keyed on what the map shows, and :func:`show` hands
the kept arguments to the same component ``st_folium`` uses (streamlit-folium 0.27.4, pinned), static:
nothing is returned to the script, as with ``st_folium(..., returned_objects=[])``.
"""

from __future__ import annotations

import folium
import streamlit_folium
from folium.elements import JSCSSMixin


def component_args(fmap: folium.Map) -> dict:
    """What the st_folium component needs to draw ``fmap`` (rendered here, once)."""
    # One render fills the figure's header and html (st_folium renders the whole figure, then the map again: the
    # same output, at twice the cost, since every rendered element is compiled as a Jinja template).
    fmap.render()
    # Read before the script: generating the script renames the map's elements.
    html, header = streamlit_folium._get_html(fmap), streamlit_folium._get_header(fmap)
    elements = [fmap]
    links: dict[str, list[str]] = {"css": [], "js": []}
    while elements:
        element = elements.pop(0)
        if isinstance(element, JSCSSMixin):
            links["css"] += [href for _, href in element.default_css]
            links["js"] += [src for _, src in element.default_js]
        elements += list(getattr(element, "_children", {}).values())
    return {
        "script": streamlit_folium._get_map_string(fmap), "header": header, "html": html, "id": streamlit_folium.get_full_id(fmap),
        "css_links": list(dict.fromkeys(links["css"])), "js_links": list(dict.fromkeys(links["js"])),
    }


def show(args: dict, key: str, height: int, returned_objects: tuple[str, ...] = ()) -> dict:
    """Draw a map from :func:`component_args`, the container's width wide; return what the browser sent of
    ``returned_objects`` (as ``st_folium``: e.g. ``last_clicked``, None until the first click)."""
    return streamlit_folium._component_func(
        **args, key=streamlit_folium.generate_js_hash(args["script"], key, False), height=height, width=None,
        returned_objects=list(returned_objects), default=dict.fromkeys(returned_objects), zoom=None, center=None,
        feature_group=None, return_on_hover=False, layer_control=None, pixelated=False, wrap_longitude=False,
    )  # fmt: skip
