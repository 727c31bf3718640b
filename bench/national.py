"""National scale: ``python -m bench national --municipalities N``.

Generates N valid template workbooks (seeded; one per municipality of ``data/raw/
municipality_codes.csv``, repeating the list with numbered names when N is larger, so names
that several municipalities share — 府中市, 池田町 — occur as they do in Japan), each with a plan
hierarchy of about 60 initiatives, five years of grades and the four criteria, committee
ratings, 7 indicators, 20 money rows and 60 texts of realistic length. Then, on a copy of
data/raw with those workbooks:

1. a full ``python -m etl`` build in a subprocess (wall time, peak memory of the process),
   from scratch (empty extract cache), then again with the warm cache (nothing changed);
2. every page under AppTest, first run and warm rerun, with no filter and with one
   municipality (the first generated one), and whether it raised;
3. one more workbook imported through ``etl.upload.import_workbook`` (what the import page does).

``--etl-only`` skips step 2. It prints one table. The workbooks are cached under bench/results/national-<N>-<seed>/ (git-
ignored), so a second run measures the same input without generating it again.
"""
from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
YEARS = (2020, 2021, 2022, 2023, 2024)  # R2–R6, like 苫小牧市's plan
POLICIES = ("持続可能な行財政運営", "市民サービスの向上", "デジタル化の推進", "職員の人材育成")
TOPICS = ("窓口業務の委託", "電子申請の拡大", "公共施設の再編", "RPAの導入", "ふるさと納税の推進", "広告収入の確保",
          "ペーパーレス会議", "AI-OCRの活用", "キャッシュレス決済", "施設予約の電子化", "職員研修の充実",
          "テレワークの推進", "未利用地の売却", "指定管理者制度の導入", "債権管理の適正化")
DEPARTMENTS = ("政策企画課", "財政課", "情報政策課", "市民課", "職員課", "資産経営課", "納税課", "総務課")
THEMES = ("行財政運営", "行政サービス", "DX", "人材育成", "公共施設")
KINDS = ("経費削減", "売却収入", "貸付収入", "寄附", "広告料", "使用料・手数料")
SENTENCE = ("{topic}について、{dept}が中心となり関係課と協議を重ね、対象業務の洗い出しと手順の見直しを行った。"
            "その結果、処理時間が前年度比で{pct}%短縮され、市民からの問い合わせにも迅速に対応できるようになった。"
            "今後は対象を広げ、効果を検証しながら全庁に展開する。")


@dataclass(frozen=True)
class Town:
    name: str
    prefecture: str
    code5: str


def towns(count: int) -> list[Town]:
    """``count`` municipalities from the national code list (not prefectures), repeated with a
    suffix (第2 …) when the list is shorter than ``count``."""
    with (ROOT / "data" / "raw" / "municipality_codes.csv").open(encoding="utf-8-sig", newline="") as f:
        listed = [Town(r["municipality"], r["prefecture"], r["code5"]) for r in csv.DictReader(f)
                  if r["municipality"] != r["prefecture"]]
    out = []
    for n in range(count):
        base = listed[n % len(listed)]
        lap = n // len(listed)
        out.append(base if lap == 0 else Town(f"{base.name}第{lap + 1}", base.prefecture, ""))
    return out


def _grade(total: int) -> str:
    return "A" if total >= 10 else "B" if total >= 8 else "C" if total >= 6 else "D"


def _rows(rng: random.Random, town: Town) -> dict[str, list[dict]]:
    initiatives, evaluations, narratives, money = [], [], [], []
    codes = []
    for p, policy in enumerate(POLICIES, start=1):
        initiatives.append({"level": "施策", "code": str(p), "title": policy, "departments": ["政策企画課"],
                            "themes": [THEMES[p % len(THEMES)]], "start_fy": YEARS[0]})
        for k in range(1, 15):
            code = f"{p}-{k}"
            codes.append(code)
            topic = TOPICS[(p * 7 + k) % len(TOPICS)]
            ended = rng.random() < 0.15
            initiatives.append({"level": "取組項目", "code": code, "parent_code": str(p), "title": f"{topic}（{k}）",
                                "departments": rng.sample(DEPARTMENTS, rng.choice((1, 2))),
                                "themes": rng.sample(THEMES, 2), "start_fy": YEARS[0],
                                "end_fy": rng.choice(YEARS[2:]) if ended else None})
            for year in YEARS:
                scores = [rng.choice((1, 2, 2, 3, 3)) for _ in range(4)]
                for criterion, score in zip(("進捗度", "連携度", "効率性", "創造性"), scores):
                    evaluations.append({"number": code, "fiscal_year": year, "evaluator": "自己評価",
                                        "criterion": criterion, "score": score})
                evaluations.append({"number": code, "fiscal_year": year, "evaluator": "自己評価",
                                    "criterion": "総合評価", "grade": _grade(sum(scores))})
            evaluations.append({"number": code, "evaluator": "委員評価", "criterion": "委員評価",
                                "score": rng.choice((2, 3, 3, 4, 4, 5))})
    for n in range(60):
        code = codes[n % len(codes)]
        topic = TOPICS[n % len(TOPICS)]
        narratives.append({"number": code, "fiscal_year": YEARS[n % len(YEARS)], "section": ("取組内容", "効果", "課題")[n % 3],
                           "text": SENTENCE.format(topic=topic, dept=rng.choice(DEPARTMENTS), pct=rng.randint(5, 40))})
    for n in range(20):
        amount = rng.randint(10, 5000) * 10_000
        money.append({"number": codes[(n * 3) % len(codes)], "fiscal_year": YEARS[n % len(YEARS)],
                      "amount_yen": amount, "kind": rng.choice(KINDS),
                      "evidence": f"{TOPICS[n % len(TOPICS)]}により{amount // 10_000:,}万円の効果があった。"})
    indicators = []
    for no in range(1, 8):
        name = f"{TOPICS[no]}の指標"
        base = rng.randint(10, 80)
        indicators.append({"indicator_no": str(no), "name": name, "unit": "%", "fiscal_year": 2019,
                           "kind": "基準値", "value": base})
        for year in YEARS:
            indicators.append({"indicator_no": str(no), "name": name, "unit": "%", "fiscal_year": year,
                               "kind": "実績値", "value": base + rng.randint(-5, 15)})
        indicators.append({"indicator_no": str(no), "name": name, "unit": "%", "fiscal_year": YEARS[-1],
                           "kind": "目標値", "value": base + 20})
    plan = [{"municipality": town.name, "prefecture": town.prefecture, "title": f"{town.name}行財政改革プラン",
             "start_fy": YEARS[0], "end_fy": YEARS[-1], "document_id": document_id(town),
             # 人口: drawn last, so every other cell stays as before; the range follows the suffix (市/区 > 町 > 村)
             "population": int(rng.lognormvariate(*{"市": (11.2, 0.8), "区": (12.2, 0.6), "町": (9.4, 0.8)}
                                                     .get(town.name[-1:], (8.0, 0.7))))}]
    return {"計画": plan, "取組": initiatives, "評価": evaluations, "指標": indicators, "財政効果": money,
            "記述": narratives}


def document_id(town: Town) -> str:
    return f"national-{town.prefecture}-{town.name}"


def workbook(rng: random.Random, town: Town) -> bytes:
    from etl.workbook.layout import DATA_SHEETS
    from etl.workbook.writing import workbook_bytes

    rows = _rows(rng, town)
    # Other sheets' rows name their initiative by 番号; the template's field for it is "number".
    return workbook_bytes([(spec, rows.get(spec.name, [])) for spec in DATA_SHEETS])


def generate(count: int, seed: int) -> Path:
    folder = RESULTS / f"national-{count}-{seed}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    for n, town in enumerate(towns(count)):
        (folder / f"{n:04d}-{town.prefecture}-{town.name}.xlsx").write_bytes(workbook(rng, town))
    marker.write_text("ok")
    return folder


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build(raw: Path, target: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``python -m etl`` in its own process. Its CPU seconds
    go into ``_build.cpu_s`` (on a shared machine they vary less; the checking workers, children
    of multiprocessing's fork server, are not counted)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu = _cpu_children()
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "etl", "--quiet", "--raw", str(raw), "--out", str(target)],
                            cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"python -m etl failed:\n{result.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    _build.cpu_s = _cpu_children() - cpu
    return seconds, max(peak, before) / 1024


def _clear_query_caches() -> None:
    """Forget memoised query results, so a page's first run pays for its own queries."""
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("warehouse", "cards"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def page_times(pages: list[str], municipality: str | None, warm_runs: int = 3) -> dict[str, tuple[float, float, str]]:
    """Per page: (first run with cold query caches, median warm rerun, error or "") under AppTest."""
    import logging

    from streamlit.testing.v1 import AppTest

    from ui import access
    from warehouse.filters import PARAMS

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext" in bare mode
    # AppTest has no browser connection: time what an editor on this machine gets (every page).
    access.auth_configured = lambda: False
    access.direct_local_connection = lambda: True
    results = {}
    for page in pages:
        _clear_query_caches()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        if municipality:
            at.query_params[PARAMS["municipality"]] = municipality
        at.switch_page(page)
        started = time.perf_counter()
        at.run()
        first = time.perf_counter() - started
        warm = []
        for _ in range(warm_runs):
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
        error = "; ".join(str(e.message)[:80] for e in at.exception) if at.exception else ""
        results[page] = (first, statistics.median(warm), error)
    return results


def run(count: int, seed: int = 1, warm_runs: int = 3, etl_only: bool = False) -> dict:
    import os

    sys.path.insert(0, str(ROOT))
    from tests.pages.conftest import registered_pages

    started = time.perf_counter()
    books = generate(count, seed)
    generated = time.perf_counter() - started
    report: dict = {"municipalities": count, "generate_s": generated}
    with tempfile.TemporaryDirectory(prefix="gyokaku-national-") as work:
        raw = Path(work) / "raw"
        shutil.copytree(ROOT / "data" / "raw", raw)
        files = sorted(books.glob("*.xlsx"))
        extra = files[-1]  # imported through the page's function below, not built in
        for path in files[:-1]:
            shutil.copy2(path, raw / path.name)
        target = Path(work) / "warehouse.duckdb"
        report["build_s"], report["build_mb"] = _build(raw, target)
        report["build_cpu_s"] = _build.cpu_s
        report["rebuild_s"], _ = _build(raw, target)  # every extract from the cache
        report["rebuild_cpu_s"] = _build.cpu_s
        saved = {name: os.environ.get(name) for name in ("GYOKAKU_WAREHOUSE", "GYOKAKU_RAW")}
        os.environ["GYOKAKU_WAREHOUSE"], os.environ["GYOKAKU_RAW"] = str(target), str(raw)
        try:
            first_town = towns(1)[0].name
            pages = [] if etl_only else registered_pages()
            report["pages"] = {"すべて": page_times(pages, None, warm_runs),
                               first_town: page_times(pages, first_town, warm_runs)}
            from etl.upload import import_workbook

            started, cpu = time.perf_counter(), time.process_time()
            import_workbook(extra.read_bytes(), extra.name, raw, target)
            report["import_s"] = time.perf_counter() - started
            report["import_cpu_s"] = time.process_time() - cpu
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            _clear_query_caches()
    return report


def print_report(report: dict) -> None:
    print(f"\n全国規模: {report['municipalities']:,} 自治体のブック + 同梱の5文書")
    print(f"  ブックの生成 {report['generate_s']:.1f} 秒 (キャッシュ済みなら 0)")
    print(f"  python -m etl (全体の作成) {report['build_s']:.1f} 秒 (主プロセスの CPU {report['build_cpu_s']:.1f} 秒), "
          f"最大 {report['build_mb']:,.0f} MB")
    print(f"  python -m etl (キャッシュ済みで再作成) {report['rebuild_s']:.1f} 秒 (CPU {report['rebuild_cpu_s']:.1f} 秒)")
    print(f"  取り込み 1 件 (import_workbook) {report['import_s']:.1f} 秒 (CPU {report['import_cpu_s']:.1f} 秒)")
    print(f"\n{'画面':<28}{'絞り込み':<10}{'初回(秒)':>10}{'再実行(秒)':>12}  例外")
    for scope, pages in report["pages"].items():
        for page, (first, warm, error) in pages.items():
            print(f"{page:<28}{scope:<10}{first:>10.2f}{warm:>12.2f}  {error or '-'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench national",
                                     description="全国規模 (N 自治体のブック) での作成・画面・取り込みの時間")
    parser.add_argument("--municipalities", type=int, default=50, metavar="N", help="生成する自治体のブックの数")
    parser.add_argument("--seed", type=int, default=1, help="生成の乱数の種")
    parser.add_argument("--warm-runs", type=int, default=3, help="再実行の回数 (中央値を示す)")
    parser.add_argument("--etl-only", action="store_true", help="画面の計測を省き、作成と取り込みだけを測る")
    args = parser.parse_args(argv if argv is not None else [])
    report = run(args.municipalities, args.seed, args.warm_runs, args.etl_only)
    print_report(report)
    failed = [(scope, page) for scope, pages in report["pages"].items() for page, (_, _, e) in pages.items() if e]
    return 1 if failed else 0
