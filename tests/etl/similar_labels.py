"""Hand-labelled relevance for 「類似の取組」 (tests/etl/test_similarity.py).

Twenty initiatives from four documents, each with the initiatives a reform office would call
"the same kind of reform", judged from the documents' titles and texts before looking at the
algorithm's output (the RPA trio excepted, which the issue names). Short keys: T = 苫小牧市
(tomakomai-sokaku-r6), K = 狛江市 (komae-gyokaku-r3), M = 前橋市 (maebashi-wg-r3), D = 東京都の
DX事例 (tokyo-dx-2024), G = 小金井市 (koganei-kaizen-r3).
"""
from __future__ import annotations

PREFIX = {"T": "tomakomai-sokaku-r6/実践項目:", "TG": "tomakomai-sokaku-r6/取組項目:",
          "K": "komae-gyokaku-r3/取組項目:", "M": "maebashi-wg-r3/WG:", "D": "tokyo-dx-2024/DX事例:",
          "G": "koganei-kaizen-r3/改善取組:"}


def _id(short: str) -> str:
    kind, number = short.split(" ")
    return PREFIX[kind] + number


_LABELS = {
    # RPA / AI: 「RPAの導入」, 「AI・RPA等の先進技術の導入」, 「BPR（RPA）推進WG」
    "TG 15": "K 06, M 8, T 47, T 48, T 49, T 50, TG 16, T N14",
    "K 06": "TG 15, TG 16, T 47, T 48, T 49, T 50, T 51, T 52, T N14, M 8, D 43, D 41",
    "M 8": "TG 15, T 47, T 48, T 49, T 50, K 06, K 04, D 52",
    # ふるさと納税・寄附
    "T N1": "K 33, T 2, T 1, TG 1",
    "K 33": "T N1, T 2, T 1, TG 1",
    # 広告料・ネーミングライツ
    "T 3": "K 32, TG 1, K 34",
    "K 32": "T 3, TG 1, K 33, K 34, K 35",
    # 施設予約・予約システム
    "T N17": "M 7, D 51, D 47, K 09",
    "M 7": "T N17, D 51, D 47",
    # 電子申請・オンライン手続
    "K 09": "M 1, D 52, D 1, T 16, D 8, D 49, D 44, T N17",
    "M 1": "K 09, D 52, D 1, D 8, T 16, D 44, D 49",
    # マイナンバーカード
    "K 10": "M 2, K 11, D 44",
    "M 2": "K 10, K 11, D 44",
    # 文書管理・ペーパーレス
    "T 54": "K 63, TG 17, M 3, K 08, D 21",
    "K 08": "TG 17, T 54, D 21, M 3, T 53, T 56, K 09",
    # WEB会議・多様な働き方
    "K 51": "G 2020:8, K 07, K 50, M 5, T 66, T 53",
    "K 50": "M 5, T 66, K 49, K 51, T N21, M 10, D 5",
    # キャッシュレス
    "T 19": "T 20, T 21, TG 8, K 27, D 44",
    # 公共施設マネジメント
    "TG 11": "T 26, K 14, K 15, K 16, K 19, T 27, TG 13",
    # 民間委託
    "K 21": "TG 12, TG 13, T 30, T 33, T 34, T 35, T 36, T 37, T 38, T 39, T 40, T 43, T 44, T 45,"
            " T 58, T N10, T N11, K 20, T 4",
}

RELEVANT: dict[str, set[str]] = {_id(q): {_id(r.strip()) for r in rel.split(",")} for q, rel in _LABELS.items()}
