"""Streamlit building blocks shared by the pages: filter bar, cards, downloads, messages.

Pages describe screens; these helpers keep them short. No SQL here (that is ``warehouse``).
"""
