"""Data shown as text through Streamlit's markdown.

Everything a workbook, a document or the URL brings in is hostile: a title ``![x](http://…)``
would make every visitor's browser fetch that address wherever Streamlit renders markdown —
``st.markdown``, captions, titles, alerts, and the labels and ``help`` tooltips of widgets and
metrics. ``md`` turns such text into markdown that renders exactly as its characters.
(``st.text``, ``st.code``, tables, chart text and exported files show text as text already.)
"""
from __future__ import annotations

import re

# Every ASCII punctuation mark: CommonMark lets any of them be backslash-escaped, and together
# they are every character that can open markdown syntax (links, images, HTML, emphasis, code,
# lists, headings, tables), Streamlit's additions (:color[…] directives, $math$) and GFM
# autolinks (http://…, www.…, a@b.jp). Japanese text and full-width punctuation are untouched.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md(value: object) -> str:
    """``value`` as markdown that shows exactly its characters; line breaks stay line breaks."""
    if value is None:
        return ""
    return "  \n".join(_PUNCTUATION.sub(r"\\\1", line) for line in str(value).splitlines())
