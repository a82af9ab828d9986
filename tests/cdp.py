"""A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe): no driver, no
websocket library. Enough to load a page at a given window size and record what a person's browser would show
in its console and network panels: console errors, uncaught exceptions, failed requests and every URL asked for.

Every host but 127.0.0.1 resolves to nothing (--host-resolver-rules), so a page that tries to reach another
host fails here as it would offline, and the attempt is still recorded (Network.requestWillBeSent)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BINARY = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


@dataclass
class PageLoad:
    """What loading one page produced."""

    url: str
    status: int | None = None
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "url: reason" (network errors and HTTP >= 400)
    console_errors: list[str] = field(default_factory=list)


class Chromium:
    """One browser process; each ``load`` opens a fresh tab, loads the URL, waits until the network is quiet."""

    def __init__(self, profile: Path):
        if BINARY is None:
            raise RuntimeError("no chromium binary on PATH")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def fds() -> None:  # the protocol pipe is fd 3 (commands in) and fd 4 (answers out)
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen([BINARY, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}",
                                         "about:blank"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=fds, pass_fds=(3, 4))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self._messages.put(json.loads(message))

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             events: list[dict[str, Any]] | None = None, timeout: float = 30) -> dict[str, Any]:
        """Send a command and wait for its answer; events that arrive meanwhile go to ``events``."""
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if events is not None and "method" in message:
                events.append(message)

    def load(self, url: str, width: int, height: int = 900, quiet: float = 0.6, timeout: float = 30,
             script: str | None = None) -> tuple[PageLoad, Any]:
        """Load ``url`` in a new tab at ``width`` x ``height``; return what happened and, when ``script`` is given,
        the value of that JavaScript expression evaluated once the network has been quiet for ``quiet`` s."""
        events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for domain in ("Network", "Runtime", "Log", "Page"):
                self.call(f"{domain}.enable", session=session, events=events)
            self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                             "deviceScaleFactor": 1, "mobile": width < 600},
                      session=session, events=events)
            self.call("Page.navigate", {"url": url}, session=session, events=events)
            deadline, loaded, last = time.monotonic() + timeout, False, time.monotonic()
            in_flight: set[str] = set()
            seen = 0
            while time.monotonic() < deadline:
                try:
                    events.append(self._messages.get(timeout=0.1))
                except queue.Empty:
                    pass
                for event in events[seen:]:
                    method, params = event.get("method"), event.get("params", {})
                    if method == "Network.requestWillBeSent":
                        in_flight.add(params["requestId"])
                    elif method in ("Network.loadingFinished", "Network.loadingFailed"):
                        in_flight.discard(params["requestId"])
                    elif method == "Page.loadEventFired":
                        loaded = True
                    if method and method.startswith("Network."):
                        last = time.monotonic()
                seen = len(events)
                if loaded and not in_flight and time.monotonic() - last > quiet:
                    break
            else:
                raise TimeoutError(f"{url} did not finish loading in {timeout} s")
            value = None
            if script is not None:
                value = self.call("Runtime.evaluate", {"expression": script, "returnByValue": True,
                                                       "awaitPromise": True}, session=session,
                                  events=events)["result"].get("value")
            return _summarise(url, [e for e in events if e.get("sessionId") in (None, session)]), value
        finally:
            self.call("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        try:
            self._send("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)


def _summarise(url: str, events: list[dict[str, Any]]) -> PageLoad:
    load = PageLoad(url)
    urls: dict[str, str] = {}
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
            load.requests.append(params["request"]["url"])
        elif method == "Network.responseReceived":
            status = int(params["response"]["status"])
            if params.get("type") == "Document" and load.status is None:
                load.status = status
            if status >= 400:
                load.failed.append(f"{params['response']['url']}: HTTP {status}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            load.failed.append(f"{urls.get(params['requestId'], '?')}: {params.get('errorText')}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            load.console_errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            load.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            load.console_errors.append(f"{params['entry'].get('url', '')}: {params['entry'].get('text')}")
    return load
