"""ui.markdown.md: data as markdown that renders exactly as its characters."""
from __future__ import annotations

import pytest

from ui.markdown import WORD_JOINER, md


@pytest.mark.parametrize("text, shown", [
    ("総合評価の分布 (年度別)。No.12 は 1.5 倍: 前年比", "総合評価の分布 (年度別)。No.12 は 1.5 倍: 前年比"),
    ("![x](http://a.invalid/x.png)", f"!\\[x\\](http{WORD_JOINER}://a.invalid/x.png)"),
    ("[リンク](https://a.invalid)", f"\\[リンク\\](https{WORD_JOINER}://a.invalid)"),
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
    ("<http://a.invalid>", f"\\<http{WORD_JOINER}://a.invalid\\>"),
    ("www.a.invalid / 連絡: kikaku@a.invalid", f"www{WORD_JOINER}.a.invalid / 連絡: kikaku{WORD_JOINER}@a.invalid"),
    (":red[赤] $x^2$ **太字** _斜体_ `code` ~~消~~ a|b &amp;",
     ":red\\[赤\\] \\$x^2\\$ \\*\\*太字\\*\\* \\_斜体\\_ \\`code\\` \\~\\~消\\~\\~ a\\|b \\&amp;"),
    ("# 見出し\n- 項目\n1. 番号\n  > 引用\n===", "\\# 見出し  \n\\- 項目  \n1\\. 番号  \n  \\> 引用  \n\\==="),
    ("C:\\data\\計画.xlsx", "C:\\\\data\\\\計画.xlsx"),
    ("komae_gyozaisei_r3.txt と _強調_ と a__b", "komae_gyozaisei_r3.txt と \\_強調\\_ と a\\_\\_b"),
    (None, ""),
])
def test_markdown_is_escaped_and_text_kept(text, shown):
    assert md(text) == shown


def test_inline_text_keeps_its_leading_number_on_the_first_line_only():
    assert md("3. 経常収支比率\n4. 次", inline=True) == "3. 経常収支比率  \n4\\. 次"
    assert f"#### {md('第1 #2', inline=True)}" == "#### 第1 \\#2"  # no closing sequence either
