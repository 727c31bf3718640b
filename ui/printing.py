"""Browser printing: every page prints to A4 landscape (印刷 / PDF に保存 in the browser).

Streamlit lays the app out as a fixed-height scrolling box, so a plain print shows only the
first screenful; the stylesheet lets the content flow over as many pages as it needs, drops
what only works on screen (sidebar, header, buttons, downloads), keeps each card and each row
of side-by-side cards on one page, and keeps the colours. Since the sidebar is not printed, a line that
exists only on paper states the filters and the time of printing.
"""
from __future__ import annotations

from datetime import datetime
from html import escape

import streamlit as st

from ui.downloads import JST
from warehouse import Filters
from warehouse.filters import conditions_text

STYLE = """<style>
.print-only { display: none; }
@media print {
  @page { size: A4 landscape; margin: 10mm 12mm; }
  html, body, #root, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] {
    height: auto !important; min-height: 0 !important; overflow: visible !important; position: static !important;
  }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  .stButton, .stDownloadButton, .stPopover, .stPageLink, .stToast { display: none !important; }
  [data-testid="stMainBlockContainer"] { max-width: none !important; padding: 0 !important; }
  /* Chromium splits a flex row's columns onto different pages; an inline-flex row is one
     unbreakable box, so side-by-side cards print side by side, in their on-screen ratios. */
  [data-testid="stHorizontalBlock"] { display: inline-flex !important; width: 100% !important; }
  [data-testid="stVerticalBlock"][class*="border"], [data-testid="stVegaLiteChart"],
  [data-testid="stAlert"] { break-inside: avoid; }
  [data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg { max-width: 100% !important; height: auto !important; }
  h1, h2, h3, h4 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
  .print-only { display: block; font-size: 10pt; color: #333; border-bottom: 1px solid #999;
                margin-bottom: 4mm; padding-bottom: 2mm; }
}
</style>"""


def print_header(page_title: str, filters: Filters, printed: datetime) -> str:
    """The paper-only line: page, filters, time (pure, for tests)."""
    conditions = conditions_text(filters)
    return (f'<div class="print-only">行革ダッシュボード「{escape(page_title)}」　{escape(conditions)}'
            f'　印刷: {printed:%Y-%m-%d %H:%M}</div>')


def prepare_print(page_title: str, filters: Filters) -> None:
    st.html(STYLE + print_header(page_title, filters, datetime.now(JST)))
