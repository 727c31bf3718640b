"""Data shown as text through Streamlit's markdown (``md``; ``markdown_text`` is its old name).

Everything a workbook, a document or the URL brings in is hostile: a title ``![x](http://…)``
would make every visitor's browser fetch that address wherever Streamlit renders markdown —
``st.markdown``, captions, titles, alerts, and the labels and ``help`` tooltips of widgets and
metrics. ``md`` turns such text into markdown that renders exactly as its characters.
(``st.text``, ``st.code``, tables, chart text and exported files show text as text already.)
"""
from __future__ import annotations

import re

# Characters that open markdown wherever they stand: escape, emphasis, code, links and images
# (with Streamlit's :color[…] directives, which need a bracket too), HTML and autolinks in <…>,
# tables, strikethrough, $math$, entities, headings (and a heading's closing #).
_ANYWHERE = re.compile(r"([\\`*\[\]<>|~$&#])")
# An underscore between two letters or digits (file_name.txt) cannot emphasise: left as it is.
_UNDERSCORE = re.compile(r"_")
# …and those that open a block only at the start of a line: headings, quotes, lists, rules,
# setext underlines, numbered lists.
_LINE_START = re.compile(r"^(\s*)([+=-]|\d+(?=[.)]))")
# GFM turns bare addresses into links (http://…, www.…, a@b.jp) by searching the text *after*
# escapes are resolved (mdast-util-gfm-autolink-literal), so no backslash stops it: an invisible
# WORD JOINER inside the pattern does, and the text still reads the same.
_AUTOLINK = re.compile(r"(?i)(?<=http)(?=://)|(?<=https)(?=://)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def _underscore(match: re.Match) -> str:
    text, at = match.string, match.start()
    inside_word = 0 < at < len(text) - 1 and text[at - 1].isalnum() and text[at + 1].isalnum()
    return "_" if inside_word else "\\_"


def _line(text: str, block_start: bool) -> str:
    text = _ANYWHERE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(_underscore, text)
    if block_start:
        text = _LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2).isdigit()
                                                         else m.group(2) + "\\"), text, count=1)
    return _AUTOLINK.sub(WORD_JOINER, text)


def md(value: object, inline: bool = False) -> str:
    """``value`` as markdown that shows exactly its characters; line breaks stay line breaks.
    Parentheses, full stops, colons and hyphens inside a line need no escape once brackets and
    the autolink patterns are escaped, so ordinary Japanese text passes unchanged.
    ``inline``: the text follows other text on its first line (``f"#### {md(title, inline=True)}"``),
    where 「3. 経常収支比率」 cannot start a list, so its first line keeps its leading 「3.」."""
    if value is None:
        return ""
    lines = str(value).splitlines()
    return "  \n".join(_line(line, not (inline and number == 0)) for number, line in enumerate(lines))


markdown_text = md  # the name pages used before every data string went through ``md``
