"""What a chart card is, how it is addressed, and the registry of recipes.

- :class:`CardSpec`: everything a card shows (title, chart, table, note, takeaway, sources).
- :class:`CardRef`: the address of a card outside its page — a recipe id, the shared filters
  and the page's own choices (options). Hashable, so it is a cache key and a basket entry.
- :class:`Recipe`: builds a :class:`CardSpec` from a ref, or None when there is nothing to show.

Pure: no Streamlit. Recipes read the warehouse through ``warehouse`` and draw with ``charts``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Union

import polars as pl

from exports.slide_content import PageChart
from warehouse.filters import Filters

OptionValue = Union[str, tuple[str, ...]]
Options = Mapping[str, OptionValue]


@dataclass(frozen=True)
class CardRef:
    """A chart card addressed outside its page: recipe id, filters, the page's own choices.

    ``options`` is a sorted tuple of (name, value) pairs; a value is a string or a tuple of
    strings (e.g. the radar's profiles). Use :meth:`of` to build one from a mapping.
    """

    recipe: str
    filters: Filters = Filters()
    options: tuple[tuple[str, OptionValue], ...] = ()

    @classmethod
    def of(cls, recipe: str, filters: Filters | None = None, options: Options | None = None) -> "CardRef":
        cleaned: dict[str, OptionValue] = {}
        for name, value in (options or {}).items():
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                value = tuple(str(v) for v in value)
                if not value:
                    continue
            else:
                value = str(value)
            cleaned[str(name)] = value
        return cls(recipe, filters or Filters(), tuple(sorted(cleaned.items())))

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.options).get(name, default)


@dataclass(frozen=True, eq=False)
class CardSpec:
    """One chart card: what the page draws and what a slide shows.

    ``document_ids`` are the source documents (None: the documents of the filtered
    municipality, or all). ``ref`` is the address that rebuilds this card (set by
    :func:`cards.build`).
    """

    title: str
    chart: Any
    table: pl.DataFrame
    note: str = ""
    takeaway: str = ""
    document_ids: tuple[str, ...] | None = None
    ref: CardRef | None = None

    @functools.cached_property
    def vega_lite(self) -> str:
        """The chart as Vega-Lite JSON, converted (and checked against the schema by Altair)
        once per card: ``st.altair_chart`` does both on every script run, which was half of
        a chart page's server time."""
        return self.chart.to_json()

    def page_chart(self) -> PageChart:
        """The card as raw material for the page deck (「庁議資料を作成」)."""
        return PageChart(self.title, self.chart, self.table, self.takeaway, self.note)

    def headline(self) -> str:
        """The one line a slide states: the takeaway, else the note's first sentence."""
        return self.takeaway or self.note.split("。")[0]


@dataclass(frozen=True)
class Option:
    """One of a recipe's own choices.

    ``choices(filters)`` lists (value, label) pairs for the add form and for validation;
    ``default(filters)`` is used when a ref has no valid value. ``multiple`` > 0 makes the
    value a tuple of at most that many values; ``text`` a free text (no choices).
    ``valid(filters, value)`` overrides the membership check (e.g. for values that may lie
    outside today's choices, like the radar's profiles).
    """

    name: str
    label: str
    choices: Callable[[Filters], Sequence[tuple[str, str]]] = lambda filters: ()
    default: Callable[[Filters], OptionValue | None] = lambda filters: None
    multiple: int = 0
    text: bool = False
    valid: Callable[[Filters, str], bool] | None = None
    label_for: Callable[[str], str] | None = None
    help: str = ""

    def clean(self, filters: Filters, value: Any) -> OptionValue | None:
        """The value if valid (lists cut to ``multiple``), else the default."""
        if self.text:
            return str(value)[:200] if isinstance(value, str) and value.strip() else self.default(filters)
        if self.multiple:
            values = value if isinstance(value, (list, tuple)) else ()
            kept = tuple(dict.fromkeys(v for v in values if isinstance(v, str) and self._ok(filters, v)))
            return kept[: self.multiple] or self.default(filters)
        return value if isinstance(value, str) and self._ok(filters, value) else self.default(filters)

    def _ok(self, filters: Filters, value: str) -> bool:
        if self.valid is not None:
            return self.valid(filters, value)
        return value in {v for v, _ in self.choices(filters)}

    def describe(self, filters: Filters, value: OptionValue | None) -> str | None:
        """The chosen value in words (its label), or None when there is nothing to say."""
        if value in (None, "", ()):
            return None
        if self.text:
            return f"「{value}」"
        if self.label_for is not None:
            label = self.label_for
        else:
            labels = dict(self.choices(filters))
            label = lambda v: labels.get(v, v)  # noqa: E731
        values = value if isinstance(value, tuple) else (value,)
        return "、".join(label(v) for v in values)


@dataclass(frozen=True)
class Recipe:
    """How to build one kind of chart card. ``page`` is the screen it comes from (for the
    catalogue), ``title`` the card's usual title."""

    id: str
    page: str
    title: str
    build: Callable[[Filters, Mapping[str, Any]], CardSpec | None]
    options: tuple[Option, ...] = ()
    description: str = ""
    filters_used: tuple[str, ...] = field(default=("municipality", "fiscal_year", "theme", "department",
                                                    "grade", "search", "category"))

    def resolve(self, ref: CardRef) -> CardRef:
        """``ref`` with only the filters this card uses (so its conditions say what it shows),
        every option valid or defaulted, unknown options dropped."""
        unused = {f.name: None for f in fields(Filters) if f.name not in self.filters_used}
        filters = replace(ref.filters, **unused)
        given = dict(ref.options)
        return CardRef.of(self.id, filters, {o.name: o.clean(filters, given.get(o.name)) for o in self.options})

    def describe_options(self, ref: CardRef) -> list[tuple[str, str]]:
        given = dict(ref.options)
        rows = []
        for option in self.options:
            text = option.describe(ref.filters, given.get(option.name))
            if text:
                rows.append((option.label, text))
        return rows


RECIPES: dict[str, Recipe] = {}


def recipe(id: str, *, page: str, title: str, options: Sequence[Option] = (), description: str = "",
           filters_used: Sequence[str] | None = None) -> Callable:
    """Register the decorated ``build(filters, options) -> CardSpec | None`` as recipe ``id``."""

    def register(build: Callable[[Filters, Mapping[str, Any]], CardSpec | None]):
        extra = {"filters_used": tuple(filters_used)} if filters_used is not None else {}
        RECIPES[id] = Recipe(id, page, title, build, tuple(options), description, **extra)
        return build

    return register


def attach(spec: CardSpec | None, ref: CardRef) -> CardSpec | None:
    return None if spec is None else replace(spec, ref=ref)
