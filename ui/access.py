"""Who may change the data (placeholder until login and roles land).

The real module (login via ``st.login``, roles 閲覧 / 編集) replaces this file; pages already
call its API: ``may_edit()`` to decide what to show, ``require_edit()`` in the code path of
every action that changes data, so a hidden button is never the only guard.
"""
from __future__ import annotations

import streamlit as st


def may_edit() -> bool:
    """Whether this session may import, undo and delete (placeholder: everyone may)."""
    return True


def require_edit() -> None:
    """Stop the script run with a Japanese message when the session may not edit."""
    if not may_edit():
        st.error("この操作には編集の権限が必要です。", icon=":material/lock:")
        st.stop()
