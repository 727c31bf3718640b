"""Document text shown through st.markdown without being read as markup."""
from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")


def markdown_text(text: str) -> str:
    """Plain text safe for st.markdown: special characters escaped, line breaks kept."""
    return "  \n".join(_MARKDOWN_SPECIAL.sub(r"\\\1", line) for line in text.splitlines())
