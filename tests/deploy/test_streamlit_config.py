"""The effective Streamlit configuration that scripts/run.sh and deploy/ start with."""
from __future__ import annotations

import json
import subprocess
import sys

from etl.workbook.limits import MAX_FILE_BYTES
from tests.conftest import ROOT

_READ = """
import json
from streamlit import config
config.get_config_options(force_reparse=True)
print(json.dumps({name: config.get_option(name) for name in
                  ("server.maxUploadSize", "server.address", "browser.serverAddress",
                   "browser.gatherUsageStats", "server.enableCORS", "server.enableXsrfProtection")}))
"""


def effective_config() -> dict:
    """As Streamlit reads it when started from the repository (.streamlit/config.toml), in a
    fresh process so no test's set_option leaks in."""
    out = subprocess.run([sys.executable, "-c", _READ], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=60).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_upload_limit_is_the_template_limit_not_streamlits_200_mb():
    # maxUploadSize is in MB (Streamlit multiplies by 1024 * 1024, as limits.py does).
    assert effective_config()["server.maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES == 10 * 1024 * 1024


def test_listens_on_loopback_and_keeps_the_origin_checks():
    config = effective_config()
    assert config["server.address"] == "127.0.0.1"
    # Set by hand so the start-up banner needs no address look-up (see serve.py).
    assert config["browser.serverAddress"] == "localhost"
    assert config["browser.gatherUsageStats"] is False
    # The no-outbound fix must not be bought by switching the websocket origin check off.
    assert config["server.enableCORS"] is True and config["server.enableXsrfProtection"] is True
