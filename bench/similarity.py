"""「類似の取組」 at scale: ``python -m bench similarity --initiatives 100000``.

Generates N initiatives (seeded; titles and narratives of realistic length composed from reform
vocabulary, so n-grams repeat across municipalities as they do in real plans) and times
``etl.similarity.similar`` on them: wall time, CPU time and the process's peak memory growth.
"""
from __future__ import annotations

import argparse
import random
import resource
import time

SUBJECTS = ("窓口業務", "電子申請", "公共施設", "RPA", "AI-OCR", "ふるさと納税", "広告収入", "ペーパーレス", "キャッシュレス決済",
            "施設予約", "職員研修", "テレワーク", "未利用地", "指定管理者制度", "債権管理", "文書管理", "マイナンバーカード", "オープンデータ",
            "子育て支援", "防災情報", "ごみ分別", "地域公共交通", "健康ポイント", "庁内ネットワーク", "会議録作成", "給与事務", "入札事務")
ACTIONS = ("の導入", "の推進", "の見直し", "の拡充", "の効率化", "の民間委託", "のデジタル化", "の集約化", "の検討", "の活用")
PHRASES = ("関係課と協議を重ね", "対象業務を洗い出し", "手順を標準化し", "職員向けの説明会を開催し", "試行を経て本格導入し",
           "市民アンケートの結果を踏まえ", "他自治体の事例を参考に", "委託事業者と調整し", "システム改修を行い", "利用者の声を反映し")
RESULTS = ("処理時間が短縮された", "年間の経費が削減された", "問い合わせ件数が減少した", "利用者数が増加した", "職員の負担が軽減された",
           "窓口の待ち時間が短くなった", "紙の使用量が減った", "収入が増加した")


def generate(count: int, seed: int = 1):
    from etl.similarity import SimilarityInput

    rng = random.Random(seed)
    items = []
    for n in range(count):
        subject = rng.choice(SUBJECTS)
        title = f"{subject}{rng.choice(ACTIONS)}"
        narratives = [f"{subject}について{rng.choice(PHRASES)}、{rng.choice(PHRASES)}た。その結果、{rng.choice(RESULTS)}。"
                      f"今後は{rng.choice(SUBJECTS)}との連携を進める。" for _ in range(rng.randint(1, 3))]
        items.append(SimilarityInput(f"bench-{n // 60:04d}/{n % 60}", title, narratives))
    return items


def run(count: int, seed: int = 1) -> dict:
    from etl.similarity import similar

    items = generate(count, seed)
    chars = sum(len(i.text()) for i in items)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    rows = similar(items)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"initiatives": count, "characters": chars, "rows": len(rows), "wall_s": wall, "cpu_s": cpu,
            "peak_mb": peak / 1024, "growth_mb": (peak - before) / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench similarity",
                                     description="「類似の取組」の計算時間とメモリ (生成した取組で)")
    parser.add_argument("--initiatives", type=int, nargs="+", default=[10_000, 100_000], metavar="N",
                        help="生成する取組の数 (複数可)")
    args = parser.parse_args(argv if argv is not None else [])
    print(f"{'取組数':>10}{'文字数':>14}{'行数':>12}{'時間(秒)':>10}{'CPU(秒)':>10}{'最大メモリ(MB)':>16}")
    for count in args.initiatives:
        r = run(count)
        print(f"{r['initiatives']:>10,}{r['characters']:>14,}{r['rows']:>12,}{r['wall_s']:>10.1f}{r['cpu_s']:>10.1f}"
              f"{r['peak_mb']:>16,.0f}")
    return 0
