"""Layers import only what they may: the read side loads no chart/UI/export code or Streamlit,
and drawing a page does not load python-pptx (the deck is built only when asked for)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys

from tests.conftest import ROOT

FORBIDDEN_FOR_WAREHOUSE = ("charts", "ui", "exports", "cards", "streamlit")


def _loaded_after_importing(modules: list[str]) -> set[str]:
    """Top-level package names in sys.modules after a fresh interpreter imports ``modules``."""
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}:\n    importlib.import_module(name)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def _imports_of(path) -> set[str]:
    """Modules a script imports at its top level (pages are scripts: importing them runs them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module != "__future__":
            names.add(node.module)
    return names


def test_warehouse_imports_no_chart_ui_export_code_or_streamlit():
    modules = sorted(f"warehouse.{p.stem}" for p in (ROOT / "warehouse").glob("*.py") if p.stem != "__init__")
    loaded = _loaded_after_importing(modules)
    assert "warehouse" in loaded and not loaded & set(FORBIDDEN_FOR_WAREHOUSE), loaded & set(FORBIDDEN_FOR_WAREHOUSE)


def test_drawing_a_page_does_not_load_python_pptx():
    scripts = [ROOT / "dashboard.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    modules = sorted(set().union(*(_imports_of(p) for p in scripts)))
    assert "cards" in modules and "ui.cards" in modules  # the page's whole import graph, not a stub
    loaded = _loaded_after_importing(modules)
    assert "streamlit" in loaded and "pptx" not in loaded
