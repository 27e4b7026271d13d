"""Charts of the site drawn from their SVG files, so that they stay sharp at any size.

A notebook's chart output is a PNG whose output metadata names its figure
(``{"tees": {"figure": "03_sex", "alt": "..."}}``). The site puts the committed
``figures/03_sex.svg`` in the page in place of the PNG (:func:`inline_svg`), inside a
``<figure class="tees-chart">`` that scrolls sideways on narrow screens. Every ``id`` of the SVG
is prefixed (and every reference to it rewritten), so that several charts in one page, whose
files reuse the same ids (font glyphs, clip paths), do not collide; the prefix is made from the
figure's name, so the page is the same on every build. The chart's accessible name is the SVG's
own ``<title>`` (with its ``<desc>`` as description) when it has one, else the alt text of the
output's metadata.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XLINK_HREF = f"{{{XLINK_NS}}}href"
URL_REF = re.compile(r"url\(\s*#([^)\s]+)\s*\)")
CSS_RULE = re.compile(r"([^{}]+)\{")
UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")
CHART_MIN_WIDTH = 560  # CSS px: the chart's text stays readable, and the chart scrolls below it
SCROLL_CUE = "Scroll sideways to see the whole chart."


def id_prefix(name: str, occurrence: int = 1) -> str:
    """``chart-03_sex-`` (``chart-03_sex-2-`` for a second copy of the chart in one page)."""
    safe = UNSAFE_ID.sub("-", name).strip("-") or "figure"
    return f"chart-{safe}-" if occurrence == 1 else f"chart-{safe}-{occurrence}-"


def _text(elem: ET.Element | None) -> str:
    return " ".join("".join(elem.itertext()).split()) if elem is not None else ""


def _scope_css(css: str, scope: str) -> str:
    """Every selector of a style sheet restricted to the chart (``*`` -> ``#scope *``)."""

    def scoped(match: re.Match) -> str:
        selectors = [s.strip() for s in match.group(1).split(",")]
        return ", ".join(f"#{scope} {s}" for s in selectors if s) + " {"

    return CSS_RULE.sub(scoped, css)


def inline_svg(svg: str | bytes, prefix: str, alt: str | None) -> tuple[str, str]:
    """An SVG file as markup for an HTML page, and its accessible name.

    Ids are prefixed with ``prefix`` (references by ``href``, ``xlink:href`` and ``url(#...)``
    follow), the file's metadata block and fixed width and height are dropped (CSS sizes the
    chart from its ``viewBox``), and the root gets ``role="img"`` with its name from its
    ``<title>``, else ``alt``.
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    for child in list(root):
        if child.tag == f"{{{SVG_NS}}}metadata":
            root.remove(child)
    ids = {e.get("id") for e in root.iter() if e.get("id")}

    def ref(target: str) -> str:
        return prefix + target if target in ids else target

    for elem in root.iter():
        for key, value in list(elem.attrib.items()):
            if key == "id":
                elem.set(key, prefix + value)
            elif key in (XLINK_HREF, "href") and value.startswith("#"):
                elem.set(key, "#" + ref(value[1:]))
            elif "url(" in value:
                elem.set(key, URL_REF.sub(lambda m: f"url(#{ref(m.group(1))})", value))
    root_id = root.get("id") or prefix + "svg"
    root.set("id", root_id)
    for style in root.iter(f"{{{SVG_NS}}}style"):
        if style.text:
            style.text = _scope_css(style.text, root_id)

    for key in ("width", "height"):
        root.attrib.pop(key, None)
    root.set("role", "img")
    root.set("class", (root.get("class", "") + " tees-chart-svg").strip())
    title = root.find(f"{{{SVG_NS}}}title")
    desc = root.find(f"{{{SVG_NS}}}desc")
    name = _text(title)
    if name:
        assert title is not None
        title.set("id", title.get("id") or prefix + "title")
        root.set("aria-labelledby", title.get("id"))
        if _text(desc):
            assert desc is not None
            desc.set("id", desc.get("id") or prefix + "desc")
            root.set("aria-describedby", desc.get("id"))
    else:
        name = " ".join((alt or "").split())
        if name:
            root.set("aria-label", name)
    return ET.tostring(root, encoding="unicode"), name


def chart_markup(svg_file: Path, name: str, occurrence: int, alt: str | None) -> str:
    """The scroll cue and the ``<figure class="tees-chart">`` holding the inlined chart."""
    import html

    prefix = id_prefix(name, occurrence)
    markup, label = inline_svg(svg_file.read_bytes(), prefix, alt)
    label_attr = f' aria-label="{html.escape(label)}"' if label else ""
    return (
        f'<p class="tees-scroll-cue tees-chart-cue">{SCROLL_CUE}</p>'
        f'<figure class="tees-chart" id="{prefix}figure" tabindex="0"{label_attr}>'
        f"{markup}</figure>"
    )
