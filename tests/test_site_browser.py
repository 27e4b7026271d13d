"""The rendered report, checked in a real browser (headless Chromium over the DevTools protocol).

Builds the site (``tees_analysis.report.site.build_site``) into a temporary folder, serves it with
``http.server`` on 127.0.0.1, loads every page in headless Chromium, at desktop width (1280 x 900)
and at phone width (390 x 844, mobile emulation), and checks, after load and script evaluation:
the reconstructed-data banner is visible, every image decoded (``naturalWidth > 0``), every
relative link and source resolves to a served file (HTTP 200), nothing is loaded from another
origin, no script error or failed resource was logged, the audit page's table has one row per row
of ``reports/audit.csv``; accessibility: no ``serious`` or ``critical`` violation found by
axe-core at desktop width (WCAG 2.1 A and AA, best practice) nor, at phone width, by the rules
whose answer depends on the layout (contrast, scrolling regions, touch-target size); every chart
has an accessible name of its own (not a generic "Figure n of m"); at phone width nothing widens
the page beyond the screen except inside a sideways-scrolling container; no page shows a Python
artefact (``NaN``, ``<NA>``, ``inf``, a
tuple, a traceback, a warning, an ``In [n]:`` prompt), printed notes are in the prose font and
wrap between words; every page shows the release's version and date; the index opens
with main points lifted from the notebooks, each linking to its notebook's main points.
Screenshots of every page (desktop, the first screen at phone width, and each page's first
figure) are saved under ``reports/screenshots/``.

Needs ``/usr/bin/chromium`` or ``chromium`` on PATH (Debian: ``apt-get install -y chromium``);
skipped with that reason where it is absent. axe-core is installed by ``python3 tasks.py setup``
(into ``.venv/share/axe-core/``); without it the accessibility test fails saying so. Installs
nothing itself; every wait is bounded.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from site_project import build, make_project

from tees_analysis.report import site

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "reports" / "screenshots"
AUDIT_CSV = site.AUDIT_CSV


def find_chromium() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = find_chromium()
START_TIMEOUT = 30  # seconds for Chromium to open its DevTools port
LOAD_TIMEOUT = 20  # seconds for one page to fire its load event
CALL_TIMEOUT = 20  # seconds for any one DevTools command
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_TIMEOUT = 60  # seconds for one axe-core run on one page
# Where `python3 tasks.py setup` puts axe-core (the active environment's, else the project's .venv).
AXE_PATHS = [
    Path(sys.prefix) / "share" / "axe-core" / "axe.min.js",
    ROOT / ".venv" / "share" / "axe-core" / "axe.min.js",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium not found (/usr/bin/chromium or chromium on PATH); "
        "install it with `apt-get install -y chromium` to run the browser test",
    ),
]

# Runs in the page after its load event: waits (bounded) for images, then reports what the
# assertions need. Relative URLs are reported as written in the page.
PAGE_CHECK = """
(async () => {
  const deadline = Date.now() + 10000;
  const images = Array.from(document.images);
  while (Date.now() < deadline && !images.every((img) => img.complete)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const byId = (fragment) => {
    let decoded = fragment;
    try { decoded = decodeURIComponent(fragment); } catch (e) {}
    return document.getElementById(fragment) || document.getElementById(decoded)
      || document.getElementsByName(decoded).length > 0;
  };
  const banner = document.getElementById("reconstructed-banner");
  const box = banner ? banner.getBoundingClientRect() : null;
  const style = banner ? getComputedStyle(banner) : null;
  const table = document.getElementById("audit-table");
  const attr = (selector, name) =>
    Array.from(document.querySelectorAll(selector)).map((e) => e.getAttribute(name));
  return {
    title: document.title,
    readyState: document.readyState,
    banner: banner && {
      text: banner.innerText, width: box.width, height: box.height,
      display: style.display, visibility: style.visibility, opacity: style.opacity,
    },
    images: images.map((img) => ({
      src: (img.getAttribute("src") || "").slice(0, 60), complete: img.complete,
      naturalWidth: img.naturalWidth, alt: img.alt,
    })),
    hrefs: attr("a[href]", "href"),
    resources: attr("[src]", "src").concat(attr("link[href]", "href")),
    missingFragments: attr('a[href^="#"]', "href")
      .map((h) => h.slice(1)).filter((h) => h.length > 0 && !byId(h)),
    navLinks: attr("nav.tees-nav a[href]", "href"),
    outputImages: document.querySelectorAll(".jp-OutputArea-output img").length,
    auditRows: table ? table.tBodies[0].rows.length : null,
    headline: (document.getElementById("audit-headline") || {}).innerText || null,
    text: document.body.innerText,
    charts: Array.from(document.querySelectorAll("figure.tees-chart svg")).map(accessibleName),
    outputImageAlts: Array.from(document.querySelectorAll(".jp-OutputArea-output img"))
      .map((img) => img.alt),
    printedNotes: Array.from(document.querySelectorAll(".jp-OutputArea-output pre")).map((e) => {
      const style = getComputedStyle(e);
      return [style.fontFamily, style.wordBreak, style.overflowWrap];
    }),
    hasMainPoints: document.getElementById("main-points") !== null,
    mainPointLinks: attr("#main-points-list a[href]", "href"),
    mainPointsNone: document.getElementById("main-points-none") !== null,
    mainPointsTop: (() => {
      const heading = document.getElementById("Main-points");
      return heading ? heading.getBoundingClientRect().top + window.scrollY : null;
    })(),
  };
})()
"""

# An element's accessible name as assistive technology computes it for role="img" (enough for
# the charts: aria-labelledby, then aria-label, then an SVG <title> child).
ACCESSIBLE_NAME = """
const accessibleName = (elem) => {
  const ids = (elem.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
  const labelled = ids.map((id) => document.getElementById(id))
    .filter(Boolean).map((e) => e.textContent.trim()).join(" ").trim();
  if (labelled) { return labelled; }
  const label = (elem.getAttribute("aria-label") || "").trim();
  if (label) { return label; }
  const title = Array.from(elem.children).find((c) => c.tagName.toLowerCase() === "title");
  return title ? title.textContent.trim() : "";
};
"""
PAGE_CHECK = PAGE_CHECK.replace("(async () => {", "(async () => {\n" + ACCESSIBLE_NAME, 1)

# At phone width: the page's own width, and every visible element that reaches beyond the
# screen without a sideways-scrolling container (overflow-x auto or scroll) around it.
PHONE_CHECK = """
(() => {
  const width = window.innerWidth;
  const scrolls = (elem) => ["auto", "scroll"].includes(getComputedStyle(elem).overflowX);
  const inScroller = (elem) => {
    for (let p = elem.parentElement; p && p !== document.body && p !== document.documentElement;
         p = p.parentElement) {
      if (scrolls(p)) { return true; }
    }
    return false;
  };
  const describe = (elem) => elem.tagName.toLowerCase()
    + (elem.id ? "#" + elem.id : "")
    + (typeof elem.className === "string" && elem.className.trim()
       ? "." + elem.className.trim().split(/\\s+/).join(".") : "");
  const wide = [];
  for (const elem of document.body.querySelectorAll("*")) {
    const box = elem.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) { continue; }
    if (inScroller(elem)) { continue; }
    if (wide.some((w) => w.elem.contains(elem))) { continue; }
    wide.push({elem, right: Math.round(box.right)});
  }
  return {
    innerWidth: width,
    scrollWidth: document.documentElement.scrollWidth,
    wide: wide.slice(0, 10).map((w) => describe(w.elem) + " (right edge " + w.right + " px)"),
    wideCount: wide.length,
    mainPointsTop: (() => {
      const heading = document.getElementById("Main-points");
      return heading ? heading.getBoundingClientRect().top + window.scrollY : null;
    })(),
  };
})()
"""

# axe-core's serious and critical violations on the page, compactly (rule, impact, targets).
# At desktop width: the rules of WCAG 2.0 and 2.1 levels A and AA and axe's best practices (not
# AAA, not the experimental rules): half the time of every rule, on pages of a thousand table
# cells. At phone width the page is the same document (the same elements, names, roles and
# attributes; the site's narrow-screen CSS only resizes, and shows the sideways-scroll cues), so
# the rules whose result depends on what is drawn are run again there: contrast (text over what
# it overlaps, the cues), regions that scroll only on a narrow screen (focusable?), and the size
# of touch targets (WCAG 2.2). Every rule at both widths took twice the time for the same
# answers.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_LAYOUT_RULES = ["color-contrast", "scrollable-region-focusable", "target-size"]
AXE_RUN = """
(async () => {
  const results = await axe.run(document, {
    resultTypes: ["violations"],
    runOnly: RUN_ONLY,
  });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id, impact: v.impact, count: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
})()
"""
AXE_DESKTOP = AXE_RUN.replace("RUN_ONLY", json.dumps({"type": "tag", "values": AXE_TAGS}))
AXE_PHONE = AXE_RUN.replace("RUN_ONLY", json.dumps({"type": "rule", "values": AXE_LAYOUT_RULES}))

# What no page may show: Python's artefacts instead of words (an empty value, an infinite
# number, a tuple, a traceback, a warning).
ARTEFACTS = {
    "<NA>": re.compile(r"<NA>"),
    "NaN": re.compile(r"\bNaN\b"),
    "inf": re.compile(r"(?<![\w.])-?inf\b", re.IGNORECASE),
    "a Python tuple": re.compile(r"\('[^']*',\)|\(\w[^()]*,\)"),
    "a traceback": re.compile(r"Traceback"),
    "a warning": re.compile(r"\b\w+Warning\b"),
    "a prompt": re.compile(r"\b(In|Out)\s?\[\d*\]:"),
    "a Python object": re.compile(r"<[\w.]+ (object )?at 0x[0-9a-fA-F]+>|<Figure size [^>]*>"),
}
GENERIC_ALT = re.compile(
    r"^(|figure|image|chart|plot|graph|No description has been provided for this image|"
    r"Figure \d+ of \d+ in .*)$",
    re.IGNORECASE,
)

# After the screen size changes: back to the top, then two frames so that layout is done.
SETTLE = """
new Promise((resolve) => {
  window.scrollTo(0, 0);
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(window.innerWidth)));
})
"""

FIRST_FIGURE_BOX = """
(() => {
  const img = document.querySelector("figure.tees-chart, .jp-OutputArea-output img");
  if (!img) { return null; }
  img.scrollIntoView();
  const r = img.getBoundingClientRect();
  return {x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height};
})()
"""


class DevTools:
    """A minimal, blocking Chrome DevTools protocol client on one page target."""

    def __init__(self, ws_url: str):
        import websocket  # websocket-client, installed with jupyter

        self.ws = websocket.create_connection(ws_url, timeout=CALL_TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def _receive(self, deadline: float) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from Chromium in time")
        self.ws.settimeout(remaining)
        return json.loads(self.ws.recv())

    def call(self, method: str, timeout: float = CALL_TIMEOUT, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method} failed: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for message in self.events:
                if message["method"] == event:
                    return message
            message = self._receive(deadline)
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str, timeout: float = CALL_TIMEOUT):
        result = self.call(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def load(self, url: str) -> list[dict]:
        """Navigate, wait for the load event; return the errors the page logged."""
        self.events.clear()
        result = self.call("Page.navigate", url=url)
        assert "errorText" not in result, f"{url} did not load: {result['errorText']}"
        self.wait_for("Page.loadEventFired", LOAD_TIMEOUT)
        return self.errors()

    def errors(self) -> list[dict]:
        found = []
        for message in self.events:
            if message["method"] == "Runtime.exceptionThrown":
                found.append(message["params"]["exceptionDetails"])
            elif message["method"] == "Log.entryAdded":
                entry = message["params"]["entry"]
                if entry.get("level") == "error":
                    found.append(entry)
        return found

    def screenshot(self, path: Path, clip: dict | None = None) -> None:
        params: dict = {"format": "png"}
        if clip:
            params.update(clip={**clip, "scale": 1}, captureBeyondViewport=True)
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self.ws.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the base class names its argument `format`
        pass


def read_json(url: str, timeout: float = 5) -> object:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A browser may drop a connection it no longer needs; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()  # the whole file, as a browser would
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def is_relative(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("/", "#")))


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = {"a": "href", "img": "src", "link": "href", "script": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    written = site.build_site(out)
    print(f"site built in {time.perf_counter() - start:.1f} s")
    return out, written


@pytest.fixture(scope="module")
def pages(built) -> list[str]:
    out, written = built
    return [p.relative_to(out).as_posix() for p in written if p.suffix == ".html"]


@contextlib.contextmanager
def serve(folder: Path):
    """A static web server of ``folder`` on 127.0.0.1; yields its address."""
    httpd = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=folder))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(built):
    out, _ = built
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    profile = Path(tempfile.mkdtemp(prefix="tees-chromium-"))
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={VIEWPORT['width']},{VIEWPORT['height']}",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    # A session of its own, so that Chromium and all its helper processes stop together.
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    devtools = None
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT
        while not (port_file.is_file() and port_file.read_text().strip()):
            if proc.poll() is not None:
                pytest.fail(f"Chromium exited with {proc.returncode}: {proc.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Chromium did not open its DevTools port in {START_TIMEOUT} s")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = read_json(f"http://127.0.0.1:{port}/json/list")
        page = next(t for t in targets if t.get("type") == "page")
        devtools = DevTools(page["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "Log"):
            devtools.call(f"{domain}.enable")
        set_viewport(devtools, VIEWPORT, mobile=False)
        yield devtools
    finally:
        if devtools is not None:
            devtools.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        proc.stderr.close()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


def find_axe() -> Path | None:
    return next((path for path in AXE_PATHS if path.is_file()), None)


def set_viewport(browser: DevTools, size: dict, mobile: bool) -> None:
    browser.call("Emulation.setDeviceMetricsOverride", deviceScaleFactor=1, mobile=mobile, **size)


def run_axe(browser: DevTools, axe_source: str) -> list[dict]:
    """axe-core injected into the loaded page, then run with the desktop rules."""
    browser.evaluate(axe_source, timeout=AXE_TIMEOUT)
    return browser.evaluate(AXE_DESKTOP, timeout=AXE_TIMEOUT)


@pytest.fixture(scope="module")
def checked(browser, server, pages, screenshots) -> dict[str, dict]:
    """Every page loaded in Chromium at desktop width, then narrowed to phone width, with what
    PAGE_CHECK and PHONE_CHECK found and axe-core's serious and critical violations at each
    width (None where axe-core is not installed); screenshots saved."""
    axe = find_axe()
    axe_source = axe.read_text(encoding="utf-8") if axe else None
    results = {}
    start = time.perf_counter()
    for name in pages:
        errors = browser.load(server + name)
        report = browser.evaluate(PAGE_CHECK)
        report["errors"] = errors
        stem = Path(name).stem
        browser.screenshot(screenshots / f"{stem}.png")
        report["axe"] = {"desktop": run_axe(browser, axe_source) if axe_source else None}
        box = browser.evaluate(FIRST_FIGURE_BOX)
        if box and box["width"] > 0:
            browser.screenshot(screenshots / f"{stem}-figure.png", clip=box)
        # The same page on a phone: the screen narrowed under it, as when a reader turns a
        # tablet (the document is the one just checked, so it is not loaded a second time).
        set_viewport(browser, PHONE, mobile=True)
        try:
            browser.evaluate(SETTLE)
            phone = browser.evaluate(PHONE_CHECK)
            browser.screenshot(screenshots / f"{stem}-phone.png")
            report["axe"]["phone"] = (
                browser.evaluate(AXE_PHONE, timeout=AXE_TIMEOUT) if axe_source else None
            )
            phone["errors"] = browser.errors()
        finally:
            set_viewport(browser, VIEWPORT, mobile=False)
        report["phone"] = phone
        results[name] = report
    seconds = time.perf_counter() - start
    print(f"{len(pages)} pages checked at two widths in {seconds:.1f} s (axe: {axe})")
    return results


def audit_rows() -> list[dict[str, str]] | None:
    if not AUDIT_CSV.is_file():
        return None
    with AUDIT_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_site_has_every_page(pages):
    notebooks = [f"{p.stem}.html" for p in site.notebooks()]
    assert notebooks, "no notebooks/NN_*.ipynb found"
    others = ["audit.html", "methods.html", "codebook.html", "assumptions.html"]
    expected = ["index.html", *notebooks, *others]
    assert pages == expected


def test_every_page_loads_without_errors(checked):
    for name, report in checked.items():
        assert report["readyState"] == "complete", name
        assert report["title"], f"{name} has no title"
        assert not report["errors"], f"{name} logged errors: {report['errors']}"
        assert not report["phone"]["errors"], f"{name} (phone) logged: {report['phone']['errors']}"


def test_every_page_shows_the_reconstructed_data_banner(checked):
    for name, report in checked.items():
        banner = report["banner"]
        assert banner, f"{name} has no reconstructed-data banner"
        assert banner["width"] > 0 and banner["height"] > 0, f"{name}: banner not visible"
        assert banner["display"] != "none" and banner["visibility"] == "visible", name
        assert float(banner["opacity"]) > 0, name
        text = banner["text"].lower()
        assert "reconstructed from the figures" in text, f"{name}: {banner['text']!r}"
        assert "not the partnerships' case records" in text, f"{name}: {banner['text']!r}"


def test_every_figure_image_loads(checked):
    total = 0
    for name, report in checked.items():
        for image in report["images"]:
            assert image["complete"] and image["naturalWidth"] > 0, f"{name}: {image}"
            assert image["alt"], f"{name}: image without alt text: {image}"
        total += len(report["images"]) + len(report["charts"])
    notebook_pngs = sum(
        1
        for path in site.notebooks()
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    )
    assert total >= notebook_pngs, f"{total} images shown, notebooks hold {notebook_pngs} PNGs"


def test_no_serious_or_critical_accessibility_violations(checked):
    if any(report["axe"]["desktop"] is None for report in checked.values()):
        pytest.fail(
            "axe-core is not installed (looked for "
            + ", ".join(str(p) for p in AXE_PATHS)
            + "); install it with `python3 tasks.py setup`, which downloads it from the npm "
            "registry (no Node needed)"
        )
    found = [
        f"{name} at {width} width: {v['id']} ({v['impact']}, {v['count']} elements), "
        f"first: {'; '.join(v['targets'])}"
        for name, report in checked.items()
        for width, violations in report["axe"].items()
        for v in violations
    ]
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_nothing_widens_the_page_at_phone_width(checked):
    found = []
    for name, report in checked.items():
        phone = report["phone"]
        if phone["scrollWidth"] > phone["innerWidth"] + 1:
            found.append(
                f"{name}: the page is {phone['scrollWidth']} px wide on a "
                f"{phone['innerWidth']} px screen"
            )
        if phone["wide"]:
            found.append(
                f"{name}: {phone['wideCount']} elements reach beyond the screen outside a "
                "sideways-scrolling container: " + ", ".join(phone["wide"])
            )
    assert not found, "at phone width:\n" + "\n".join(found)


def test_no_page_shows_python_artefacts(checked):
    found = []
    for name, report in checked.items():
        text = report["text"]
        for what, pattern in ARTEFACTS.items():
            matches = list(pattern.finditer(text))
            if matches:
                first = matches[0]
                context = " ".join(text[max(0, first.start() - 50) : first.end() + 50].split())
                found.append(f"{name}: {what} ({len(matches)}x), first in: ...{context}...")
    assert not found, "pages show Python artefacts:\n" + "\n".join(found)


def test_printed_notes_use_the_prose_font_and_wrap_between_words(checked):
    found = []
    for name, report in checked.items():
        for family, word_break, overflow_wrap in report["printedNotes"]:
            if "mono" in family.lower() or word_break != "normal" or overflow_wrap != "normal":
                found.append(f"{name}: {family} / word-break {word_break} / {overflow_wrap}")
    assert not found, "printed notes in a code font or split inside words:\n" + "\n".join(found)


def test_every_chart_has_an_accessible_name_of_its_own(checked):
    found = []
    for name, report in checked.items():
        for n, label in enumerate(report["charts"] + report["outputImageAlts"], start=1):
            if GENERIC_ALT.match(" ".join(label.split())):
                found.append(f"{name}: chart or image {n} is named {label!r}")
    assert not found, "charts without a name of their own:\n" + "\n".join(found)


def release_facts() -> tuple[str, str]:
    """The version (pyproject.toml) and release date (CITATION.cff) as pages should show them."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    match = re.search(r"^date-released:\s*[\"']?(\d{4}-\d{2}-\d{2})", cff, flags=re.MULTILINE)
    assert match, "CITATION.cff has no date-released"
    released = dt.date.fromisoformat(match.group(1))
    return version["version"], f"{released.day} {released:%B %Y}"


def test_every_page_shows_the_version_and_release_date(checked):
    version, released = release_facts()
    for name, report in checked.items():
        assert f"Version {version}" in report["text"], f"{name} does not show the version"
        assert released in report["text"], f"{name} does not show the release date {released}"


def test_index_opens_with_main_points_from_the_notebooks(checked):
    index = checked["index.html"]
    assert index["mainPointsTop"] is not None, "the index has no Main points heading"
    assert index["mainPointsTop"] < VIEWPORT["height"], "Main points is below the first screen"
    assert index["phone"]["mainPointsTop"] < PHONE["height"], (
        "Main points is below the first screen at phone width"
    )
    assert not index["mainPointsNone"], (
        "the index lifts no main points: no notebook has a `main-points` cell whose output "
        "metadata says how many of its bullets the index lifts ({'tees': {'index': k}})"
    )
    targets = [link for link in index["mainPointLinks"] if link.endswith("#main-points")]
    assert targets, "no main point links to its notebook's main points"
    for link in targets:
        page = link.partition("#")[0]
        assert page in checked and checked[page]["hasMainPoints"], f"{link}: no such anchor"


def test_no_broken_internal_links(checked, server):
    status: dict[str, int] = {}
    broken = []
    for name, report in checked.items():
        broken += [f"{name}: #{fragment} has no target" for fragment in report["missingFragments"]]
        for url in report["hrefs"] + report["resources"]:
            if url.startswith("data:") or not is_relative(url):
                continue
            target = urldefrag(urljoin(server + name, url)).url
            if target not in status:
                status[target] = http_status(target)
            if status[target] != 200:
                broken.append(f"{name}: {url} -> HTTP {status[target]}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_nothing_is_loaded_from_another_origin(checked):
    for name, report in checked.items():
        remote = [
            u for u in report["resources"] if not u.startswith("data:") and urlsplit(u).netloc
        ]
        assert not remote, f"{name} loads {remote}: the site must open offline"


def test_navigation_and_index_link_every_page(checked, pages):
    for name, report in checked.items():
        assert report["navLinks"] == pages, f"{name}: navigation bar differs"
    assert set(pages) <= set(checked["index.html"]["hrefs"])


def test_audit_table_and_headline(checked):
    rows = audit_rows()
    if rows is None:
        assert "not yet available" in checked["index.html"]["headline"].lower()
        pytest.skip("reports/audit.csv does not exist yet (written by the audit notebook)")
    exact = sum(1 for row in rows if row["status"] == "exact")
    assert checked["audit.html"]["auditRows"] == len(rows)
    headline = checked["index.html"]["headline"]
    assert f"{exact} of {len(rows)} published figures reproduced exactly" in headline


def test_screenshots_saved(checked, pages):
    for name in pages:
        shot = SCREENSHOTS / f"{Path(name).stem}.png"
        assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
        phone = SCREENSHOTS / f"{Path(name).stem}-phone.png"
        assert phone.is_file() and phone.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", phone
    figures = [n for n, r in checked.items() if r["outputImages"] or r["charts"]]
    for name in figures:
        assert (SCREENSHOTS / f"{Path(name).stem}-figure.png").is_file(), name


def test_links_work_from_the_file_system(built, pages, browser, checked):
    out, _ = built
    broken = []
    for name in pages:
        collector = LinkCollector()
        collector.feed((out / name).read_text(encoding="utf-8"))
        for url in collector.urls:
            if url.startswith("data:") or not is_relative(url):
                continue
            path = unquote(urldefrag(url).url)
            if not (out / name).parent.joinpath(path).is_file():
                broken.append(f"{name}: {url}")
    assert not broken, "links that do not resolve on disk:\n" + "\n".join(broken)
    errors = browser.load((out / "index.html").as_uri())
    report = browser.evaluate(PAGE_CHECK)
    assert not errors and report["banner"] and report["banner"]["height"] > 0
    with_figures = next((n for n in pages if checked[n]["images"]), None)
    if with_figures:
        errors = browser.load((out / with_figures).as_uri())
        report = browser.evaluate(PAGE_CHECK)
        assert not errors and report["images"], with_figures
        assert all(image["naturalWidth"] > 0 for image in report["images"]), with_figures


def test_charts_main_points_and_notes_of_a_made_up_project(browser, tmp_path_factory):
    """What the committed notebooks may not all use yet -- charts drawn from their SVG files,
    main points lifted to the index, printed notes, tables without a scroll container of their
    own -- passes the same checks, at both widths (``tests/site_project.py``)."""
    axe = find_axe()
    if axe is None:
        pytest.fail("axe-core is not installed; install it with `python3 tasks.py setup`")
    axe_source = axe.read_text(encoding="utf-8")
    project = make_project(tmp_path_factory.mktemp("project"))
    out = tmp_path_factory.mktemp("made-up-site")
    build(project, out)
    found = []
    reports = {}
    with serve(out) as url:
        try:
            for width, size, mobile in (("desktop", VIEWPORT, False), ("phone", PHONE, True)):
                set_viewport(browser, size, mobile=mobile)
                for name in ("index.html", "01_alpha.html"):
                    errors = browser.load(url + name)
                    report = browser.evaluate(PAGE_CHECK)
                    found += [f"{name} ({width}): logged {e}" for e in errors]
                    found += [
                        f"{name} ({width}): {v['id']} ({v['impact']}): {'; '.join(v['targets'])}"
                        for v in run_axe(browser, axe_source)
                    ]
                    if mobile:
                        phone = browser.evaluate(PHONE_CHECK)
                        found += [f"{name} (phone): too wide: {w}" for w in phone["wide"]]
                        if phone["scrollWidth"] > phone["innerWidth"] + 1:
                            found.append(f"{name} (phone): page {phone['scrollWidth']} px wide")
                        if (
                            phone["mainPointsTop"] is None
                            or phone["mainPointsTop"] > PHONE["height"]
                        ):
                            found.append(f"{name} (phone): Main points not on the first screen")
                    reports[name] = report
        finally:
            set_viewport(browser, VIEWPORT, mobile=False)
    assert not found, "\n".join(found)
    alpha = reports["01_alpha.html"]
    assert len(alpha["charts"]) == 4 and not any(GENERIC_ALT.match(n) for n in alpha["charts"])
    assert alpha["hasMainPoints"]
    index = reports["index.html"]
    assert index["mainPointLinks"].count("01_alpha.html#main-points") == 2
