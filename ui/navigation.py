"""The sidebar's page links, drawn by us instead of by ``st.navigation``.

Streamlit's own grouped navigation nests each section's ``<li>`` items in a ``<div>`` inside
the ``<ul>``, which screen readers cannot announce as a list (axe ``list``/``listitem``, 12
serious violations on every page). ``dashboard.py`` therefore calls
``st.navigation(pages, position="hidden")`` and this module draws one ``st.page_link`` per page
of exactly the mapping it passed, so a page a role may not open is neither routed nor linked.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import streamlit as st

KEY = "sidebar-nav"  # the container's CSS class is st-key-sidebar-nav (tests find links there)


def render_navigation(pages: Mapping[str, Sequence]) -> None:
    """One plain-text section label (not a heading: the page's h1 leads the outline) and the
    section's links, in the order given."""
    with st.sidebar.container(key=KEY, gap="small"):
        for section, section_pages in pages.items():
            if not section_pages:
                continue
            st.markdown(f"**{section}**")
            for page in section_pages:
                st.page_link(page, label=page.title, icon=page.icon or None, width="stretch")
