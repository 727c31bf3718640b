"""Page-wide accessibility settings Streamlit has no option for (JIS X 8341-3 / WCAG 2.1 AA).

- ``lang="ja"``: Streamlit serves ``<html lang="en">`` and 1.67 has no setting for it, so screen
  readers would read the Japanese text with an English voice. A one-line script sets it on the
  page's own document (st.html with JavaScript runs there, not in an iframe); patching the
  installed package's index.html would be lost on every reinstall.
- A card's ダウンロード menu (st.popover) is drawn at the end of the page: the focus moves into
  it when it opens and back to its button when it closes, so Tab reaches the files.
- A visible focus ring (2.4.7) on everything reachable by Tab, also where Streamlit's own
  styles remove the outline.
- Touch targets of at least 44 px for buttons and the sidebar's page links (tablets).
"""
from __future__ import annotations

import streamlit as st

FOCUS_COLOR = "#1F4E79"  # the theme's primary colour: 8.7:1 on white, 7.6:1 on the sidebar grey

STYLE = f"""<style>
:focus-visible, [data-testid="stSidebar"] a:focus-visible, button:focus-visible {{
  outline: 3px solid {FOCUS_COLOR} !important; outline-offset: 2px !important;
}}
.stButton button, .stDownloadButton button, [data-testid="stPopover"] button,
[data-testid="stPageLink"] a, [data-testid="stBaseButton-segmented_control"],
[data-testid="stBaseButton-segmented_controlActive"] {{ min-height: 44px; }}
/* Code in a caption (command names on the import page) takes the caption's colour: Streamlit's
   green code colour, faded like the caption, was 3.0:1. */
[data-testid="stCaptionContainer"] code {{ color: inherit; }}
/* Wide tables scroll inside their frame, never the page (tablets). */
[data-testid="stMainBlockContainer"] {{ min-width: 0; }}
</style>"""

SCRIPT = """<script>
if (document.documentElement.lang !== "ja") { document.documentElement.lang = "ja"; }
if (!window.gyokakuA11y) {
  window.gyokakuA11y = true;
  // A popover's menu (a card's ダウンロード) is drawn at the end of the page, so Tab from its
  // button would skip it: move the focus into the menu when it opens and back when it closes.
  let trigger = null, menu = null;
  new MutationObserver(() => {
    const body = document.querySelector('[data-testid="stPopoverBody"]');
    if (body && body !== menu) {
      const first = body.querySelector('button:not([disabled]), a[href], input');
      if (first) { menu = body; trigger = document.activeElement; first.focus(); }
    } else if (!body && menu) {
      menu = null;
      if (trigger && trigger.isConnected && document.activeElement === document.body) trigger.focus();
    }
  }).observe(document.body, {childList: true, subtree: true});
}
</script>"""


def apply() -> None:
    """Once per script run, before the page draws anything."""
    st.html(STYLE)
    st.html(SCRIPT, unsafe_allow_javascript=True)
