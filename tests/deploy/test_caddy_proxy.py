"""deploy/Caddyfile in front of the dashboard, in Chromium: TLS, HTTP/2, the websocket, compressed
and long-cached static files — what a municipality's server would serve."""
from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import wait_for_app
from tests.conftest import new_page

DRAWN = '[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]'


@pytest.fixture
def proxied_page(browser):
    # Caddy's internal CA is not in this browser's trust store (an office installs its root).
    page = new_page(browser, ignore_https_errors=True)
    yield page
    page.context.close()


def test_a_page_loads_through_caddy_over_tls_and_http2(stack, proxied_page):
    page = proxied_page
    sockets, static = [], []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("response", lambda r: static.append(r) if "/static/js/" in r.url else None)

    page.goto(f"{stack.proxied}/trends")
    wait_for_app(page)
    page.wait_for_selector(DRAWN)  # drawn from the server's answer over the websocket
    assert page.locator("h1").first.inner_text().startswith("評価の推移")

    assert sockets == [f"wss://localhost:{stack.https_port}/_stcore/stream"]
    protocol = page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol")
    assert protocol == "h2"

    assert static, "no Streamlit bundle was loaded"
    for response in static:
        headers = response.all_headers()
        assert response.status == 200, response.url
        assert "max-age=31536000" in headers["cache-control"] and "immutable" in headers["cache-control"]
        if len(response.body()) > 1024:  # Caddy leaves a few hundred bytes as they are
            assert headers.get("content-encoding") in {"zstd", "gzip"}, (response.url, headers)
        assert "server" not in headers
    # What the link carried against what the browser unpacked: compressed to well under half.
    sizes = page.evaluate("""performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/static/js/'))
        .reduce((s, e) => [s[0] + e.encodedBodySize, s[1] + e.decodedBodySize], [0, 0])""")
    assert 0 < sizes[0] < sizes[1] * 0.4, sizes


def test_a_second_visit_takes_the_bundle_from_the_cache(stack, proxied_page):
    page = proxied_page
    bundle = """performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/static/js/')).map(e => [e.name, e.transferSize])"""
    page.goto(f"{stack.proxied}/explorer")
    wait_for_app(page)
    page.wait_for_selector(DRAWN)
    first = dict(page.evaluate(bundle))
    page.reload()
    wait_for_app(page)
    page.wait_for_selector(DRAWN)
    again = dict(page.evaluate(bundle))
    # Resource timing: a file taken from the HTTP cache has transferSize 0 (nothing on the link,
    # not even a revalidation).
    assert first and sum(first.values()) > 0 and set(again) == set(first)
    assert {name: size for name, size in again.items() if size} == {}


def test_caddy_serves_the_static_files_itself(stack):
    """Straight from the installed package (STREAMLIT_STATIC), not through Streamlit's Python:
    the same file comes with Caddy's validator, not the one Streamlit computes."""
    direct_html = urllib.request.urlopen(f"{stack.direct}/", timeout=10).read().decode()
    bundle = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', direct_html).group(1)
    with urllib.request.urlopen(f"{stack.direct}/{bundle}", timeout=10) as response:
        streamlit_tag, body = response.headers["ETag"], response.read()
    with urllib.request.urlopen(f"{stack.proxied}/{bundle}", context=_unverified(), timeout=10) as response:
        assert response.read() == body
        assert response.headers["ETag"] and response.headers["ETag"] != streamlit_tag
        assert "immutable" in response.headers["Cache-Control"]


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def test_plain_http_is_redirected_to_https(stack):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"http://localhost:{stack.http_port}/explorer", timeout=10)
    assert redirect.value.code in {301, 308}
    assert redirect.value.headers["Location"].startswith("https://localhost")


def test_downloads_are_not_recompressed(stack):
    """Only text is compressed: an image (like the xlsx/pptx/png downloads, already deflated) is not."""
    request = urllib.request.Request(f"{stack.proxied}/favicon.png", headers={"Accept-Encoding": "zstd, gzip"})
    with urllib.request.urlopen(request, context=_unverified(), timeout=10) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers.get("Content-Encoding") is None
