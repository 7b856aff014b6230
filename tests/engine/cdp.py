"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no
websocket library, no browser download): drives Debian's ``chromium`` headless for the
report tests. Messages are JSON texts separated by NUL bytes on file descriptors 3
(to the browser) and 4 (from it)."""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from typing import Any


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless chromium; :meth:`page` opens a tab and attaches a session to it."""

    def __init__(self, executable: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="gadesign-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # above 9, so that bash's "3<&N 4>&M" cannot overwrite one with the other
        low = (to_browser_r, from_browser_w)
        to_browser_r, from_browser_w = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in low)
        for fd in low:
            os.close(fd)
        args = [executable, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--mute-audio",
                f"--user-data-dir={self.profile}", "about:blank"]
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in args)
        self.proc = subprocess.Popen(["bash", "-c", f"exec {quoted} 3<&{to_browser_r} 4>&{from_browser_w}"],
                                     pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- protocol ------------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    err = self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""
                    raise RuntimeError(f"chromium closed the pipe: {err}")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        for i, ev in enumerate(self.events):
            if ev["method"] == method and (session is None or ev.get("sessionId") == session):
                return self.events.pop(i)
        while True:
            msg = self._read_message(deadline)
            if "method" in msg:
                if msg["method"] == method and (session is None or msg.get("sessionId") == session):
                    return msg
                self.events.append(msg)

    def page(self) -> "Page":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)


class Page:
    """One tab: navigate, evaluate JavaScript, read the network log, take screenshots."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session
        for domain in ("Page.enable", "Network.enable", "Runtime.enable"):
            self.send(domain)
        # count Content-Security-Policy violations from the first script on
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "window.__cspViolations=[];document.addEventListener('securitypolicyviolation',"
            "function(e){window.__cspViolations.push(e.blockedURI+' '+e.violatedDirective);});")})

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def goto(self, url: str) -> None:
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        self.send("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", self.session)

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"javascript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requests(self) -> list[str]:
        """URLs of every request the page made since the last navigation."""
        return [e["params"]["request"]["url"] for e in self.browser.events
                if e.get("sessionId") == self.session and e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, width: int, height: int | None = None, mobile: bool = False) -> bytes:
        import base64

        full = height is None
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height or 800,
                                                         "deviceScaleFactor": 1, "mobile": mobile})
        if full:
            h = int(self.js("document.documentElement.scrollHeight"))
            self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": min(h, 8000),
                                                             "deviceScaleFactor": 1, "mobile": mobile})
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        return base64.b64decode(data)
