"""資料の作成 (deck builder): charts chosen on any screen (「資料に追加」) or added here, in order,
downloaded as one .pptx deck for the 庁議 (executive meeting).

Each chosen chart keeps its own conditions (自治体, 年度, テーマ …) and is rebuilt from the current
warehouse; the chosen set is in this page's URL (``deck=``), so a bookmark rebuilds next
month's deck with the new data.
"""
from datetime import datetime

import streamlit as st

from cards import CardRef, CardSpec, Recipe, build, catalogue, describe_text, recipe_for
from cards.deck import DEFAULT_TITLE, deck_bytes
from exports.tables import export_filename
from ui import basket
from ui.cards import chart_alt
from ui.deck import PPTX, offer_pdf
from ui.downloads import JST
from ui.filter_bar import current_filters, sync_url
from ui.markdown import md
from vocab import ALL, GRADES, fy_label_long
from warehouse import Filters
from warehouse.filters import municipality_label
from warehouse.queries import filter_choices

ADD = "deck_add_"
PREVIEW_HEIGHT = 260
PREVIEW_SQUARE = 260  # fixed-size charts (the radar) are drawn as a smaller square


def explain_empty() -> None:
    st.info(
        "まだグラフが選ばれていません。\n\n"
        "- 各画面 (評価の推移・レーダー・財政効果 など) のグラフの下にある **「資料に追加」** を押すと、"
        "そのときの絞り込み条件のままここに入ります。\n"
        "- この下の **「グラフを追加」** で、画面を開かずに種類と条件を選んで加えることもできます。\n\n"
        "グラフを並べ替えたら「資料をダウンロード (.pptx)」で一つのスライド資料にできます。"
        "選んだ組み合わせはこのページの URL に入るので、ブックマークしておけば来月も同じ構成で最新のデータから作り直せます。",
        icon=":material/playlist_add:")


def safe_build(ref: CardRef) -> tuple[CardSpec | None, bool]:
    """(the card, whether it could be built at all); a failure is one item's problem, not the page's."""
    try:
        return build(ref), True
    except Exception:  # noqa: BLE001 - shown on the item; the other items still build
        return None, False


def chart_preview(chart, key: str, alt: str | None = None) -> None:
    """A small picture of the card's chart (the same chart the screen and the slide show);
    ``alt``: its text alternative for screen readers."""
    if isinstance(getattr(chart, "height", None), int):  # a fixed square keeps its shape, its legend below
        st.altair_chart(chart.properties(width=PREVIEW_SQUARE, height=PREVIEW_SQUARE), theme=None,
                        width="content", key=key, alt=alt)
    else:
        st.altair_chart(chart, theme=None, width="stretch", height=PREVIEW_HEIGHT, key=key, alt=alt)


def item_row(index: int, count: int, ref: CardRef, spec: CardSpec | None, ok: bool) -> None:
    recipe = recipe_for(ref.recipe)
    with st.container(border=True):
        text, picture = st.columns([2, 3])
        with text:
            st.markdown(f"##### {index + 1}\\. {md(spec.title if spec else recipe.title, inline=True)}")
            st.caption(md(f"{recipe.page} ／ {describe_text(ref)}"))
            if spec is not None:
                if spec.headline():
                    st.markdown(md(spec.headline()))
            elif ok:
                st.warning("いまのデータでは、この条件に合うものがありません。資料には入れません。",
                           icon=":material/search_off:")
            else:
                st.error("このグラフを作れませんでした。削除して、条件を変えて追加し直してください。",
                         icon=":material/error:")
            row = st.container(horizontal=True)
            row.button("上へ", key=f"deck_up_{index}", icon=":material/arrow_upward:", disabled=index == 0,
                       on_click=basket.move, args=(index, -1))
            row.button("下へ", key=f"deck_down_{index}", icon=":material/arrow_downward:",
                       disabled=index == count - 1, on_click=basket.move, args=(index, 1))
            row.button("削除", key=f"deck_remove_{index}", icon=":material/delete:",
                       on_click=basket.remove, args=(index,))
        with picture:
            if spec is not None:
                chart_preview(spec.chart, key=f"deck_preview_{index}", alt=chart_alt(spec, table_toggle=False))


def download(items: list[tuple[CardRef, CardSpec]]) -> None:
    with st.container(border=True):
        title = st.text_input("資料の表題", value=DEFAULT_TITLE, key="deck_title", max_chars=80)
        refs = [ref for ref, _ in items]
        now = datetime.now(JST)

        def pptx() -> bytes:
            return deck_bytes(refs, title=title, created=datetime.now(JST))

        st.download_button(
            "資料をダウンロード (.pptx)", data=pptx,
            file_name=export_filename(title.strip() or DEFAULT_TITLE, "pptx", now), mime=PPTX, type="primary",
            icon=":material/download:", key="deck_builder_download", disabled=not refs, on_click="ignore",
            help="押したときのデータでスライドを作ります (16:9)")
        if refs:
            offer_pdf(pptx, export_filename(title.strip() or DEFAULT_TITLE, "pdf", now), key="deck_builder_pdf", width="content")
        st.caption(f"表紙、グラフ {len(refs)} 枚 (各スライドに一言の要点とそのグラフの条件)、"
                   "出典とデータ品質の注記のスライドになります。")


# -- the add form ------------------------------------------------------------------------------

def _select(label: str, name: str, options: list, initial, *, fmt=str, disabled: bool = False):
    """A selectbox whose first choice is すべて; returns None for it (and when disabled)."""
    key = f"{ADD}{name}"
    choices = [ALL, *options]
    if st.session_state.get(key) not in choices:
        st.session_state[key] = initial if initial in options else ALL
    value = st.selectbox(label, choices, key=key, disabled=disabled,
                         format_func=lambda v: ALL if v == ALL else fmt(v),
                         help="このグラフには使われない条件です" if disabled else None)
    return None if value == ALL or disabled else value


def condition_inputs(recipe: Recipe, start: Filters) -> Filters:
    used = set(recipe.filters_used)
    a, b, c = st.columns(3)
    with a:
        town = _select("自治体", "municipality", list(filter_choices(None).municipalities), start.municipality,
                       fmt=lambda key: municipality_label(key) or key, disabled="municipality" not in used)
    choices = filter_choices(town)
    with b:
        year = _select("年度", "fiscal_year", list(choices.fiscal_years), start.fiscal_year, fmt=fy_label_long,
                       disabled="fiscal_year" not in used)
    with c:
        theme = _select("テーマ", "theme", list(choices.themes), start.theme, disabled="theme" not in used)
    d, e, f = st.columns(3)
    with d:
        department = _select("担当部署", "department", list(choices.departments), start.department,
                             disabled="department" not in used)
    with e:
        grade = _select("評価 (総合評価)", "grade", list(GRADES), start.grade, disabled="grade" not in used)
    with f:
        key = f"{ADD}search"
        if key not in st.session_state:
            st.session_state[key] = start.search or ""
        search = st.text_input("キーワード", key=key, disabled="search" not in used).strip()
    return Filters(town, year, theme, department, grade, search if search and "search" in used else None)


def option_inputs(recipe: Recipe, filters: Filters) -> dict:
    chosen: dict = {}
    for option in recipe.options:
        key = f"{ADD}{recipe.id}:{option.name}"
        if option.text:
            chosen[option.name] = st.text_input(option.label, key=key, help=option.help or None).strip() or None
            continue
        choices = list(option.choices(filters))
        values = [v for v, _ in choices]
        labels = dict(choices)
        if not values:
            st.caption(md(f"{option.label}: この条件では選べるものがありません。"))
            continue
        default = option.default(filters)
        if option.multiple:
            initial = default if isinstance(default, tuple) else ()
            current = st.session_state.get(key, [v for v in initial if v in values])
            st.session_state[key] = [v for v in current if v in values]
            chosen[option.name] = st.multiselect(
                option.label, values, key=key, format_func=lambda v, labels=labels: labels.get(v, v),
                max_selections=option.multiple, help=option.help or None,
                placeholder="すべて" if default is None else "選ばないと最初の組み合わせ")
        else:
            if st.session_state.get(key) not in values:
                st.session_state[key] = default if default in values else values[0]
            chosen[option.name] = st.selectbox(option.label, values, key=key, help=option.help or None,
                                               format_func=lambda v, labels=labels: labels.get(v, v))
    return chosen


def add_form(expanded: bool) -> None:
    with st.expander("グラフを追加", icon=":material/add_chart:", expanded=expanded):
        st.caption("画面を開かずに、グラフの種類と条件を選んで資料に加えます。条件の初期値はサイドバーの絞り込みです。")
        recipes = {r.id: r for r in catalogue()}
        recipe_id = st.selectbox("グラフの種類", list(recipes), key=f"{ADD}recipe",
                                 format_func=lambda i: f"{recipes[i].page} — {recipes[i].title}",
                                 help="各画面のグラフと同じものです")
        recipe = recipes[recipe_id]
        if recipe.description:
            st.caption(md(recipe.description))
        filters = condition_inputs(recipe, current_filters())
        options = option_inputs(recipe, filters)
        ref = CardRef.of(recipe.id, filters, options)
        spec, ok = safe_build(ref)
        if spec is None:
            st.warning("この条件ではグラフにするデータがありません。条件を変えてください。", icon=":material/search_off:")
        else:
            chart_preview(spec.chart, key="deck_add_preview", alt=chart_alt(spec, table_toggle=False))
        st.button("資料に追加", key=f"{ADD}submit", type="primary", icon=":material/playlist_add:",
                  disabled=spec is None, on_click=basket.add, args=(ref, spec.title if spec else None))


# -- the screen -------------------------------------------------------------------------------

def screen() -> None:
    st.title("資料の作成")
    st.caption("各画面の「資料に追加」で選んだグラフを並べて、一つのスライド資料 (.pptx) にします。"
               "選んだグラフはこのページの URL に入ります (ブックマークすると、来月も同じ構成で最新のデータから作れます)。")
    st.caption("サイドバーの絞り込みは、下の「グラフを追加」の条件の初期値にだけ使います。"
               "選んだグラフはそれぞれ追加したときの条件のままで、絞り込みを変えても変わりません。")
    skipped = basket.problems()
    if skipped:
        st.warning("URL の資料の指定のうち、読み込めなかったものを省きました:\n\n"
                   + "\n".join(f"- {md(p)}" for p in skipped), icon=":material/link_off:")
    refs = basket.items()
    if not refs:
        explain_empty()
    else:
        built = [(ref, *safe_build(ref)) for ref in refs]
        download([(ref, spec) for ref, spec, _ in built if spec is not None])
        st.markdown(f"#### 選んだグラフ ({len(refs)} 件)")
        for index, (ref, spec, ok) in enumerate(built):
            item_row(index, len(refs), ref, spec, ok)
        st.button("すべて削除", key="deck_clear", icon=":material/delete_sweep:", on_click=basket.clear)
    add_form(expanded=not refs)
    sync_url(current_filters(), **{basket.PARAM: basket.url_value()})


screen()
