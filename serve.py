"""Start the dashboard with no outbound network call: ``python serve.py [streamlit options]``
runs ``streamlit run dashboard.py [streamlit options]`` (scripts/run.sh and deploy/ use it).

Streamlit 1.67 asks an outside host for the machine's external IP (checkip.amazonaws.com,
``streamlit.net_util.get_external_ip``) and finds its own address by connecting a UDP socket to
8.8.8.8 (``get_internal_ip``) in two places:
- the start-up banner, when the listening address is a wildcard (HOST=0.0.0.0) and the server
  is headless; ``browser.serverAddress`` in .streamlit/config.toml avoids that one;
- the websocket origin check, for every connection whose Origin differs from its Host (a page
  on another site opening our websocket). That check runs in the server's event loop, waits up
  to 2 s, and is retried after every failure, so a hostile page could also stall everyone.
No option turns the second off short of disabling the origin check (server.enableCORS = false),
which would let any site open a session. Instead both cached answers are filled in with the
loopback address before the server starts: the origin check already allows 127.0.0.1, so no
origin is newly allowed, and Streamlit never looks further.
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit import net_util

APP = Path(__file__).resolve().parent / "dashboard.py"
LOOPBACK = "127.0.0.1"


def pin_addresses() -> None:
    """Answer Streamlit's own-address questions without the network (see the module docstring)."""
    net_util._external_ip = LOOPBACK  # noqa: SLF001 - the module's cache, read before any look-up
    net_util._internal_ip = LOOPBACK  # noqa: SLF001


def main(argv: list[str]) -> None:
    pin_addresses()
    from streamlit.web import cli

    cli.main(["run", str(APP), *argv], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
