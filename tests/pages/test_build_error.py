"""A failed ``python -m etl`` with a valid previous warehouse: the dashboard runs on the previous
warehouse, tells editors in a banner on every page (``build_error_banner``), and データ品質 shows
them the whole message; after a successful build neither appears. (The pages' conftest makes
every AppTest session a local editor.)"""
from __future__ import annotations

import shutil

import pytest

from etl.build_status import clear_failure, record_failure

MESSAGE = ("ブック 1 件にエラーが 1 件あるため、倉庫を作り直しませんでした:\n"
           "evil![x](http://attacker.invalid/b.png).xlsx:取組!3: 取組名が空欄です。")


@pytest.fixture
def failed_build(built_warehouse, tmp_path, monkeypatch):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(target))
    record_failure(target, "ブック取り込み", MESSAGE, tmp_path / "raw")
    return target


def banners(at) -> list[str]:
    return [e.value for e in at.error if "前回の倉庫の作成に失敗しました" in e.value]


def test_every_page_names_the_failed_build_and_still_shows_the_data(app, failed_build):
    at = app("app_pages/overview.py")
    assert not at.exception
    [banner] = banners(at)
    assert "ブック取り込み" in banner and "以前の倉庫のデータを表示しています" in banner
    assert "ブック 1 件にエラーが 1 件あるため、倉庫を作り直しませんでした" in banner
    assert "「データ品質」の画面" in banner
    assert any("苫小牧市" in m.value for m in at.markdown)  # the previous warehouse's documents


def test_the_quality_page_shows_the_whole_message_as_text(app, failed_build):
    at = app("app_pages/quality.py")
    assert not at.exception
    assert "#### 前回の倉庫の作成の失敗" in [m.value for m in at.markdown]
    assert [c.value for c in at.code] == [MESSAGE]  # st.code: never markdown


def test_nothing_is_shown_after_a_successful_build(app, failed_build):
    clear_failure(failed_build)
    at = app("app_pages/quality.py")
    assert not at.exception
    assert banners(at) == [] and MESSAGE not in [c.value for c in at.code]
    assert "#### 前回の倉庫の作成の失敗" not in [m.value for m in at.markdown]


def test_a_viewer_sees_the_data_without_the_build_error(app, failed_build, monkeypatch):
    import ui.access

    monkeypatch.setattr(ui.access, "may_edit", lambda: False)
    at = app("app_pages/quality.py")
    assert not at.exception
    assert banners(at) == [] and MESSAGE not in [c.value for c in at.code]
