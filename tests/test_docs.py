"""README promises, checked: its two set-up commands exist, CI runs the test command, and
every screen it shows has a screenshot."""
from __future__ import annotations

import os
import re

from etl.load import PUBLIC_VIEWS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_blocks() -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", README, flags=re.S)]


def test_readme_gives_the_run_and_test_commands_first():
    blocks = _command_blocks()
    assert blocks[:2] == ["./scripts/run.sh", "./scripts/test.sh"]
    for script in ("scripts/run.sh", "scripts/test.sh", "scripts/install.sh", ".ci/run"):
        assert os.access(ROOT / script, os.X_OK), script


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test.sh" in ci
    test_script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "install.sh --browser" in test_script and "pytest" in test_script


def test_run_command_builds_a_missing_or_stale_warehouse_before_starting():
    run = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert run.index("-m etl --if-stale") < run.index("streamlit run dashboard.py")
    assert "gatherUsageStats false" in run


def test_every_screenshot_in_the_readme_exists_and_every_page_has_one():
    shown = re.findall(r"!\[[^\]]*\]\((docs/screenshots/[\w.]+)\)", README)
    pages = re.findall(r'st\.Page\("app_pages/(\w+)\.py"', (ROOT / "dashboard.py").read_text(encoding="utf-8"))
    assert {f"docs/screenshots/{p}.png" for p in pages} <= set(shown)  # plus e.g. presentation mode
    for path in shown:
        assert (ROOT / path).stat().st_size > 10_000, path


def test_warehouse_is_a_build_output_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "data/warehouse.duckdb" in ignored


# ---------------------------------------------------------------- docs/warehouse.md: the contract

CONTRACT = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
_PLANNED_HEADING = "## 予定 (planned)"
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|(?:\s*`([^`]+)`\s*\|)?")


def _contract_parts() -> tuple[str, str]:
    current, planned = CONTRACT.split(_PLANNED_HEADING, 1)
    return current, planned


def documented_views() -> dict[str, list[tuple[str, str]]]:
    """``### `view``` sections of the current part: view -> [(column, type)] in table order."""
    current = _contract_parts()[0].split("## 語彙", 1)[0]
    views: dict[str, list[tuple[str, str]]] = {}
    for section in re.split(r"^### ", current, flags=re.M)[1:]:
        name = re.match(r"`(\w+)`", section).group(1)
        views[name] = [(m.group(1), m.group(2)) for line in section.splitlines() if (m := _ROW.match(line))]
    return views


def documented_vocabularies() -> dict[str, set[str]]:
    """The 語彙 table: ``view.column`` -> documented values."""
    section = _contract_parts()[0].split("## 語彙", 1)[1]
    vocab: dict[str, set[str]] = {}
    for line in section.splitlines():
        if m := _ROW.match(line):
            vocab.setdefault(m.group(1), set()).add(m.group(2))
    return vocab


def planned_columns() -> set[tuple[str, str]]:
    return {(m.group(1), m.group(2)) for line in _contract_parts()[1].splitlines() if (m := _ROW.match(line))}


def _public_views(con) -> set[str]:
    return {r[0] for r in con.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def test_contract_parser_reads_every_section():
    views = documented_views()
    assert set(views) == set(PUBLIC_VIEWS) and all(len(columns) >= 3 for columns in views.values()), views
    assert ("categories", "VARCHAR[]") in views["initiatives"] and "initiative_municipalities" in views
    assert {"self", "committee"} == documented_vocabularies()["evaluations.evaluator"]


def test_every_documented_view_and_column_exists_with_its_type(warehouse):
    for view, documented in documented_views().items():
        actual = [(name, type_) for name, type_, *_ in warehouse.sql(f"DESCRIBE {view}").fetchall()]
        assert actual == documented, f"docs/warehouse.md の {view} が倉庫と違います: 倉庫 {actual}"


def test_every_public_view_is_documented(warehouse):
    assert _public_views(warehouse) == set(documented_views())


def test_planned_columns_are_not_yet_built(warehouse):
    """A planned column that now exists must move to the current part (and its view's table)."""
    views = _public_views(warehouse)
    built = {(view, c[0]) for view in views for c in warehouse.sql(f"DESCRIBE {view}").fetchall()}
    planned = planned_columns()
    assert not planned & built, "実装済みの列を docs/warehouse.md の「現在のビュー」に移してください"
    assert not {view for view, _ in planned} & (views - set(documented_views()))


def test_every_vocabulary_value_in_the_warehouse_is_documented(warehouse):
    vocabularies = documented_vocabularies()
    assert {"initiatives.level", "evaluations.criterion", "indicators.kind", "fiscal_effects.source",
            "data_quality.kind"} <= set(vocabularies)
    for qualified, documented in vocabularies.items():
        view, column = qualified.split(".")
        found = {r[0] for r in warehouse.sql(
            f"SELECT DISTINCT {column} FROM {view} WHERE {column} IS NOT NULL").fetchall()}
        assert found <= documented, f"{qualified}: 未記載の値 {sorted(found - documented)}"


def test_every_relative_link_in_the_docs_resolves_inside_the_clone():
    """A fresh clone has only the repository: no link may point outside it (e.g. ../shared/DESIGN.md)."""
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert {"architecture.md", "warehouse.md"} <= {d.name for d in documents}
    for document in documents:
        text = document.read_text(encoding="utf-8")
        prose = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)  # examples in code are not links
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", prose):
            if "://" in target:
                continue
            resolved = (document.parent / target).resolve()
            assert resolved.is_relative_to(ROOT) and resolved.exists(), f"{document.name}: {target}"
        assert "../shared" not in text, document.name


def test_readme_names_what_the_install_script_installs_and_the_python_version():
    install = (ROOT / "scripts" / "install.sh").read_text(encoding="utf-8")
    debian = {p for group in re.findall(r"packages\+?=\(([^)]*)\)", install) for p in group.split()}
    assert {"fonts-noto-cjk", "chromium", "libreoffice-impress", "poppler-utils", "python3-venv"} <= debian
    for package in debian:
        assert f"`{package}`" in README, package
    minimum = re.search(r"sys\.version_info < \((\d+), (\d+)\)", install).groups()
    assert f"{minimum[0]}.{minimum[1]} 以上" in README
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for name in ("streamlit", "duckdb", "polars", "playwright"):
        assert name in requirements and name.lower() in README.lower(), name


# ---------------------------------------------------------------- docs/architecture.md: names that exist

ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
_PACKAGES = r"(?:etl|warehouse|cards|charts|exports|ui|bench|rowwise)"


def _resolves(dotted: str) -> bool:
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_module_file_and_name_the_architecture_names_exists():
    """Modules move (issue 19's refactor): a stale name in the newcomer's map fails here."""
    prose = re.sub(r"```.*?```", "", ARCHITECTURE, flags=re.S)
    code = " ".join(re.findall(r"`([^`\n]+)`", prose))
    files = {f for f in re.findall(r"[\w./-]+\.py\b", code) if "<" not in f and "*" not in f}
    assert {"dashboard.py", "etl/load.py", "etl/model.py"} <= files
    for file in files:
        assert (ROOT / file).is_file(), f"docs/architecture.md: {file} がありません"
    names = set(re.findall(rf"(?<![\w/.]){_PACKAGES}(?:\.\w+)+", code.replace(".py", "")))
    assert "ui.messages.guarded" in names
    for name in names:
        assert _resolves(name), f"docs/architecture.md: {name} がありません"


def test_every_markdown_table_row_has_its_headers_cell_count():
    """GitHub splits a table cell at every unescaped 「|」, even inside `code`: a stray one shifts columns."""
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        header = None
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.startswith("|"):
                header = None
                continue
            cells = len(re.findall(r"(?<!\\)\|", line))
            header = header or cells
            assert cells == header, f"{document.name}:{number}: 表の列数が見出しと違います"
