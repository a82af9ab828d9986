"""The one headless-Chromium driver of the browser tests and `make screenshots`, and the pytest fixtures that share
it (registered in conftest.py as a plugin).

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages ending in NUL on
file descriptors 3 and 4) with the standard library only: no driver binary, no websocket library. A page records
what a person's browser would show in its console and network panels: every URL asked for, every failed request
or 4xx/5xx answer, every console error and uncaught exception, so a test can assert that a page made no request to
another host and logged no error, and read what its scripts drew. Every host but 127.0.0.1 resolves to nothing
(--host-resolver-rules), so a page that tries to reach another host fails here as it would offline, and the
attempt is still recorded.

Fixtures: `server` (one `evrdf serve` on the session's build) and `browser` (one Chromium), both started once per
session. The tests skip only where the chromium binary is absent (an optional program, which `make test`
installs)."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import live_server

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
# the widths every page kind is checked at: a desktop window and a phone (an iPhone 12-14 viewport)
WIDTHS = [pytest.param((1280, 900), id="desktop"), pytest.param((390, 844), id="mobile")]
NEEDS_CHROMIUM = [pytest.mark.live,
                  pytest.mark.skipif(CHROMIUM is None,
                                     reason="the chromium binary is not installed (`make test` installs it)")]


class BrowserError(RuntimeError):
    pass


@dataclass
class Page:
    """One tab: what it asked for and what went wrong, as the DevTools events report it."""

    browser: "Browser"
    session: str
    target: str
    url: str  # the page's own URL (the last one the tab navigated to)
    frame: str = ""  # the tab's main frame
    status: int | None = None  # the HTTP status of the page itself
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "url: reason" (network errors and HTTP >= 400)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    loaded: bool = False
    in_flight: dict[str, str] = field(default_factory=dict)  # request id -> url, until it finishes or fails
    last_network: float = field(default_factory=time.monotonic)

    def handle(self, method: str, params: dict[str, Any]) -> None:
        if method.startswith("Network."):
            self.last_network = time.monotonic()
        if method == "Network.requestWillBeSent":
            if params.get("type") == "Document" and params.get("frameId") == self.frame \
                    and params["requestId"] == params.get("loaderId"):  # the tab goes to another page (or redirect)
                self.in_flight.clear()  # the old page's requests end with it, reported or not
                self.url, self.status, self.loaded = params["request"]["url"], None, False
            self.requests.append(params["request"]["url"])
            self.in_flight[params["requestId"]] = params["request"]["url"]
        elif method == "Network.loadingFinished":
            self.in_flight.pop(params["requestId"], None)
        elif method == "Network.loadingFailed":
            url = self.in_flight.pop(params["requestId"], "?")
            if not params.get("canceled"):
                self.failures.append(f"{url}: {params.get('errorText')}")
        elif method == "Network.responseReceived":
            status = int(params["response"]["status"])
            if params.get("type") == "Document" and params.get("frameId") == self.frame and self.status is None:
                self.status = status
            if status >= 400:
                self.failures.append(f"{params['response']['url']}: HTTP {status}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"{params['entry'].get('url', '')}: {params['entry'].get('text')}")
        elif method == "Page.loadEventFired":
            self.loaded = True

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """Poll until the expression is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression}; errors: {self.errors}; "
                                   f"failures: {self.failures}")
            self.browser.pump(0.1)

    def settle(self, quiet: float = 0.6, timeout: float = 30) -> "Page":
        """Wait until the page has loaded and the network has been quiet for ``quiet`` s (its scripts' own
        fetches done), so that what it asked for is all recorded."""
        deadline = time.monotonic() + timeout
        while not (self.loaded and not self.in_flight and time.monotonic() - self.last_network > quiet):
            if time.monotonic() > deadline:
                raise BrowserError(f"{self.url} did not finish loading in {timeout} s; waiting for "
                                   f"{sorted(self.in_flight.values())[:5]}")
            self.browser.pump(0.1)
        return self

    def other_hosts(self, root: str) -> list[str]:
        """Requests to anywhere but the server under test (data: and blob: URLs stay in the page)."""
        own = urlsplit(root).netloc
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).netloc != own]

    def problems(self, root: str, expected_status: int = 200) -> list[str]:
        """What a person would see go wrong: failed requests, console errors, requests to other hosts. A page
        expected to answer 404 (the not-found page) may report its own 404, once, in both lists."""
        own = f"{self.url}: HTTP {expected_status}"
        failed = [f for f in self.failures if not (expected_status >= 400 and f == own)]
        errors = [e for e in self.errors
                  if not (expected_status >= 400 and e.startswith(self.url + ": Failed to load resource"))]
        return ([f"failed request {f}" for f in failed] + [f"console error {e}" for e in errors]
                + [f"request to another host: {u}" for u in self.other_hosts(root)])

    def screenshot(self, path: Path, width: int, height: int, scale: float = 1.0, top: str | None = None) -> None:
        """A PNG of ``height`` CSS pixels of the page (less if the page is shorter), from its top or from the top
        of the element ``top`` (a CSS selector), ``scale`` image pixels per CSS pixel."""
        start = 0.0 if top is None else max(0.0, float(self.evaluate(
            f"document.querySelector({json.dumps(top)}).getBoundingClientRect().top + scrollY - 8")))
        tall = int(self.evaluate("document.documentElement.scrollHeight"))
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": start, "width": width, "height": min(tall - start, height),
                               "scale": scale})
        path.write_bytes(base64.b64decode(shot["data"]))


class Browser:
    """One headless Chromium. `open` gives a page in a new tab, loaded; the tab opened before it is closed (a
    test drives one page at a time, and idle tabs would keep drawing on the machine's few cores)."""

    def __init__(self, profile: Path):
        if CHROMIUM is None:
            raise BrowserError("chromium is not installed")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds() -> None:  # the child's fd 3 reads our messages, fd 4 writes its answers
            # moved above 4 first (either pipe end may itself be 3 or 4), then onto 3 and 4, inheritable; every
            # other descriptor of ours is close-on-exec (PEP 446)
            read, write = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(read, 3)
            os.dup2(write, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
                                         "about:blank"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=fds, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self.pages: dict[str, Page] = {}

    def close(self) -> None:
        try:
            self.send("Browser.close", {}, timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._to_child)
        os.close(self._from_child)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, method: str, params: dict[str, Any], session: str | None = None,
             timeout: float = 30) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while ident not in self._replies:
            if time.monotonic() > deadline:
                raise BrowserError(f"no answer to {method} within {timeout} s")
            self.pump(0.2)
        reply = self._replies.pop(ident)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def pump(self, wait: float) -> None:
        """Read what Chromium has sent (up to `wait` seconds), dispatching events to their pages."""
        ready, _, _ = select.select([self._from_child], [], [], wait)
        if not ready:
            return
        chunk = os.read(self._from_child, 1 << 20)
        if not chunk:
            raise BrowserError("chromium closed the pipe")
        self._buffer += chunk
        while b"\0" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\0", 1)
            message = json.loads(raw)
            if "id" in message:
                self._replies[message["id"]] = message
            elif message.get("sessionId") in self.pages:
                self.pages[message["sessionId"]].handle(message["method"], message.get("params", {}))

    def open(self, url: str, width: int = 1280, height: int = 900, timeout: float = 30) -> Page:
        """A new tab at ``width`` x ``height`` (a phone's when narrower than 600 px), once ``url`` has loaded."""
        for old in list(self.pages.values()):
            self.pages.pop(old.session)
            self.send("Target.closeTarget", {"targetId": old.target})
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = self.pages.setdefault(session, Page(self, session, target, url))
        page.frame = page.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=width < 600)
        page.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not page.loaded:
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not load within {timeout} s")
            self.pump(0.2)
        return page


@pytest.fixture(scope="session")
def server(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`evrdf serve` on the session's store, on a free loopback port."""
    with live_server(settings.store, ready="/context.jsonld") as live:
        yield live.root


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with Browser(tmp_path_factory.mktemp("chromium") / "profile") as chromium:
        yield chromium


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def clean(page: Page, root: str, script: str = "/static/") -> None:
    """The page loaded ``script`` from this host, asked no other host for anything, and nothing failed."""
    assert any(url.startswith(root + script) for url in page.requests)  # the recorder saw the page's requests
    assert page.problems(root) == []
