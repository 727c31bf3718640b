"""レーダー (radar profiles): the four self-evaluation criteria (進捗度・連携度・効率性・創造性, 0–3)
of an initiative (取組項目 / 実践項目) or the average of a テーマ (theme), 担当部署 (department) or
自治体 (municipality), up to four profiles overlaid, for the plan period (総括) or one 年度.
The same numbers are shown as a table and as grouped bars beside the radar."""
import streamlit as st

from cards import recipe_card
from charts.radar import MAX_PROFILES
from ui.cards import chart_card
from ui.filter_bar import current_filters, sync_url
from ui.markdown import md
from ui.messages import empty
from ui.tables import data_table
from vocab import fy_label_long
from warehouse import Filters, radar
from warehouse.radar import SUMMARY_YEAR, Profile, RadarOptions

STATE = "radar_profiles"  # list of MAX_PROFILES Profile | None, survives page switches
NONE = "none"
SLOTS = range(1, MAX_PROFILES + 1)


def _keys(slot: int) -> tuple[str, str, str]:
    return f"radar_kind_{slot}", f"radar_target_{slot}", f"radar_year_{slot}"


def _search_key(slot: int) -> str:
    return f"radar_search_{slot}"


def stored(filters: Filters, options: RadarOptions) -> list[Profile | None]:
    if STATE not in st.session_state:
        from_url = [Profile.from_param(st.query_params.get(f"r{slot}")) for slot in SLOTS]
        if any(from_url):
            st.session_state[STATE] = from_url
        else:
            st.session_state[STATE] = _padded(radar.default_profiles(options, filters.fiscal_year))
    return st.session_state[STATE]


def _padded(profiles: list[Profile]) -> list[Profile | None]:
    return (list(profiles) + [None] * MAX_PROFILES)[:MAX_PROFILES]


def _write_slot(slot: int, profile: Profile | None, options: RadarOptions) -> None:
    kind_key, target_key, year_key = _keys(slot)
    choice = radar.kind_choice(profile, options) if profile else None
    st.session_state[kind_key] = choice or NONE
    if profile and choice:
        st.session_state[target_key] = profile.key
        st.session_state[year_key] = SUMMARY_YEAR if profile.year is None else profile.year


def _preset(profiles: list[Profile]) -> None:
    """Button callback: replace the profiles (runs before the widgets are drawn)."""
    options = radar.radar_options(current_filters())
    st.session_state[STATE] = _padded(profiles)
    for slot, profile in zip(SLOTS, st.session_state[STATE]):
        _write_slot(slot, profile, options)


def _valid(key: str, choices: list) -> None:
    if st.session_state.get(key) not in choices:
        st.session_state[key] = choices[0]


def pick_target(slot: int, choice: str, filters: Filters, place) -> str | None:
    """The 対象 selectbox. A long list (national scale: tens of thousands of initiatives) is cut to
    ``TARGET_LIMIT`` choices, with a search field to find the rest; the current choice stays listed."""
    _, target_key, _ = _keys(slot)
    current = st.session_state.get(target_key)
    everything = radar.find_targets(filters, choice, None, current)
    text = None
    if everything.total > radar.TARGET_LIMIT:
        text = place.text_input(f"対象 {slot} を探す", key=_search_key(slot), placeholder="名前・番号の一部",
                                help=f"選択肢が多いため、探した名前に合うものを最大 {radar.TARGET_LIMIT:,} 件表示します").strip()
    targets = radar.find_targets(filters, choice, text or None, current) if text else everything
    if not targets.keys:
        place.caption(f"「{md(text or '', inline=True)}」に合う対象はありません。")
        return None
    _valid(target_key, list(targets.keys))
    target = place.selectbox(f"対象 {slot}", targets.keys, key=target_key,
                             format_func=lambda k: targets.labels.get(k, k))
    if targets.matches > radar.TARGET_LIMIT:
        place.caption(f"{'合う' if text else '全'} {targets.matches:,} 件のうち {radar.TARGET_LIMIT:,} 件を表示しています。"
                      "名前や番号で探して絞り込んでください。")
    elif text:
        place.caption(f"「{md(text, inline=True)}」に合う {targets.matches:,} 件 (全 {targets.total:,} 件)")
    return target


def profile_row(slot: int, current: Profile | None, options: RadarOptions, kinds: dict[str, str],
                filters: Filters) -> Profile | None:
    kind_key, target_key, year_key = _keys(slot)
    if kind_key not in st.session_state:  # first visit, or widgets cleaned up after a page switch
        _write_slot(slot, current, options)
    kind_choices = [NONE, *kinds]
    _valid(kind_key, kind_choices)
    a, b, c = st.columns([2, 5, 2])
    choice = a.selectbox(f"種類 {slot}", kind_choices, key=kind_key,
                         format_func=lambda v: "(表示しない)" if v == NONE else kinds[v])
    if choice == NONE:
        b.empty()
        return None
    target = pick_target(slot, choice, filters, b)
    if target is None:
        return None
    kind = "item" if choice.startswith("item:") else choice
    years = [SUMMARY_YEAR if y is None else y for y in radar.profile_years(kind, target)] or [SUMMARY_YEAR]
    _valid(year_key, years)
    year = c.selectbox(f"年度 {slot}", years, key=year_key,
                       format_func=lambda y: "総括 (計画期間)" if y == SUMMARY_YEAR else fy_label_long(y))
    return Profile(kind, target, None if year == SUMMARY_YEAR else year)


def screen() -> None:
    filters = current_filters()
    st.title("レーダー")
    st.caption("自己評価の4観点 (進捗度・連携度・効率性・創造性, 各0–3) を最大4件まで重ねて比べます。"
               "サイドバーの絞り込みは「対象」の選択肢を絞ります。テーマ・担当部署・自治体の平均は、"
               "その中のいちばん細かい階層 (苫小牧市では実践項目) の全取組の平均です。")
    options = radar.radar_options(filters)
    if options.is_empty():
        empty("観点別スコア (進捗度・連携度・効率性・創造性) のある取組")
        return
    profiles = stored(filters, options)
    kinds = radar.kind_choices(options)

    with st.container(border=True):
        st.markdown("#### 比べる対象")
        chosen = [profile_row(slot, profiles[slot - 1], options, kinds, filters) for slot in SLOTS]
        st.session_state[STATE] = chosen
        first = next((p for p in chosen if p), None)
        row = st.container(horizontal=True)
        row.button("1件目を年度別に並べる", icon=":material/timeline:", disabled=first is None, key="radar_across_years",
                   on_click=_preset, args=(radar.across_years(first) if first else [],),
                   help="1件目の対象を、総括と最新の年度 (最大4件) で重ねます")
        row.button("最初の組み合わせに戻す", icon=":material/restart_alt:", key="radar_reset",
                   on_click=_preset, args=(radar.default_profiles(options, filters.fiscal_year),),
                   help="最初の取組と、そのテーマ平均・自治体平均")
    sync_url(filters, **{f"r{slot}": p.to_param() for slot, p in zip(SLOTS, chosen) if p})

    picked = {"profiles": [p.to_param() for p in chosen if p]}
    # No profile chosen means none (a card without profiles would draw the default ones).
    profile = recipe_card("radar.profile", filters, picked) if picked["profiles"] else None
    bars = recipe_card("radar.bars", filters, picked) if picked["profiles"] else None
    if profile is None or bars is None:
        empty("選んだ対象の観点別スコア")
        return
    left, right = st.columns(2)
    with left:
        chart_card(profile, key="radar_chart")
    with right:
        chart_card(bars, key="radar_bars")
    with st.container(border=True):
        st.markdown("#### 数値")
        data_table(profile.table, column_config={
            "対象": st.column_config.TextColumn(width="large"),
            **{c: st.column_config.NumberColumn(format="%.2f", width="small")
               for c in ("進捗度", "連携度", "効率性", "創造性")},
            "合計": st.column_config.NumberColumn(format="%.2f", width="small", help="4観点の合計 (0–12)"),
            "件数": st.column_config.NumberColumn(width="small", help="平均した取組の数"),
        })
        st.caption("件数は平均した取組の数 (取組・実践項目は1)。")


screen()
