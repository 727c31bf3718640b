"""``python -m etl --help`` and every sub-command's ``--help`` describe each option in Japanese."""
from __future__ import annotations

import re

import pytest

from etl.__main__ import COMMAND_HELP, COMMANDS, main

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SECTIONS = ("positional arguments:", "options:")


def help_text(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stopped:
        main([*argv, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


def described_entries(text: str) -> dict[str, str]:
    """Argument → its help, from argparse's layout: the help follows the argument on its line
    after two or more spaces, or on the next, more deeply indented line(s)."""
    entries: dict[str, str] = {}
    current = None
    section = False
    for line in text.splitlines():
        if line in SECTIONS:
            section, current = True, None
        elif not line.strip():
            section, current = False, None
        elif section and re.match(r"  \S", line):
            name, _, rest = line.strip().partition("  ")
            current = name
            entries[current] = rest.strip()
        elif section and current and line.startswith("   "):
            entries[current] = (entries[current] + " " + line.strip()).strip()
    return entries


@pytest.mark.parametrize("command", [[], *[[name] for name in COMMANDS]], ids=lambda c: c[0] if c else "etl")
def test_every_option_has_a_japanese_description(command, capsys):
    text = help_text(command, capsys)
    entries = described_entries(text)
    assert "-h, --help" in entries and len(entries) >= 2, text
    for argument, meaning in entries.items():
        assert JAPANESE.search(meaning), f"python -m etl {' '.join(command)} --help: 「{argument}」に説明がありません"
    description = text.split("\n\n")[1]  # the paragraph after the usage lines
    assert JAPANESE.search(description), description


def test_main_help_lists_every_sub_command_with_what_it_does(capsys):
    text = help_text([], capsys)
    assert set(COMMAND_HELP) == set(COMMANDS), "COMMAND_HELP にサブコマンドの説明を加えてください"
    for name, (_, meaning) in COMMAND_HELP.items():
        assert f"python -m etl {name}" in text and meaning in text and JAPANESE.search(meaning), name
    assert "--raw DIR" in text and "既定: data/raw" in text
