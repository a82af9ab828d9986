"""A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages ending
in NUL on file descriptors 3 and 4), with the standard library only. A page records every request it makes,
every failed request or 4xx/5xx answer, every console error and uncaught exception, so a test can assert that a
page made no request to another host and logged no error, and read what its scripts drew."""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio"]


class BrowserError(RuntimeError):
    pass


@dataclass
class Page:
    browser: "Browser"
    session: str
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # failed loads and 4xx/5xx answers
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    loaded: bool = False

    def handle(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            self.failures.append(f"{params.get('errorText')} ({params.get('requestId')})")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            self.failures.append(f"{params['response']['status']} {params['response']['url']}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}")
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

    def other_hosts(self, root: str) -> list[str]:
        """Requests to anywhere but the server under test (data: and blob: URLs stay in the page)."""
        own = urlsplit(root).netloc
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).netloc != own]


class Browser:
    """One headless Chromium; `open` gives a page in a new tab, loaded."""

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
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = self.pages.setdefault(session, Page(self, session))
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
