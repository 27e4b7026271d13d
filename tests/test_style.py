"""Figures are written byte-identically, with their caption."""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt

from tees_analysis.report import style


def draw():
    style.use_style()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(
        ["STSCP", "HSSCP"], [7, 7], color=[style.PARTNERSHIP_COLOURS[p] for p in ("STSCP", "HSSCP")]
    )
    ax.set_title("under 2")
    return fig


def digests(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_two_saves_are_byte_identical(tmp_path):
    first = digests(style.save(draw(), "demo", style.RECONSTRUCTED, tmp_path / "a"))
    second = digests(style.save(draw(), "demo", style.RECONSTRUCTED, tmp_path / "b"))
    assert first == second
    assert set(first) == {"demo.png", "demo.svg"}
    plt.close("all")


def test_svg_has_no_date_and_keeps_the_caption_as_paths(tmp_path):
    svg = (style.save(draw(), "demo", "caption", tmp_path)[1]).read_text()
    assert "<dc:date>" not in svg
    assert "Matplotlib v" not in svg
    plt.close("all")
