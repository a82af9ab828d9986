"""`make screenshots` (tests/screenshots.py) photographs every page kind once its scripts have drawn it: one PNG
per page, at the width and scale asked, cut to the height asked."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.chromium import NEEDS_CHROMIUM
from tests.screenshots import MOBILE, PAGES, main

pytestmark = NEEDS_CHROMIUM


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def shot_names() -> set[str]:
    return {name for name, _, _ in PAGES} | {f"{name}-mobile" for name in MOBILE}


def test_every_page_kind_is_photographed(settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["--store", str(settings.store), "--out", str(tmp_path), "--width", "1280", "--height", "700",
                 "--scale", "0.5"]) == 0
    names = {name for name, _, _ in PAGES}
    assert names == {"landing", "chemokine", "receptor", "ev-class", "cell", "disease", "finding",
                     "chemokine-network", "ev-class-diagram", "ev-class-findings", "finding-diagram", "reference", "pair",
                     "graph", "dataset", "browse", "index", "search", "network", "findings", "tree", "sparql",
                     "ontology", "shapes", "validation", "releases", "release", "downloads", "not-found"}
    assert set(MOBILE) <= names
    assert {p.stem for p in tmp_path.glob("*.png")} == shot_names()
    from_element = {name for name, path, _ in PAGES if "#" in path}  # the rest of the page may be shorter
    for path in tmp_path.glob("*.png"):
        width, height = png_size(path)
        assert (width, height if path.stem not in from_element else 350) == \
            ((390, 700) if path.stem.endswith("-mobile") else (640, 350)), path
        assert height > 100, path
        assert path.stat().st_size > 5000  # a drawn page, not a blank image
    assert "did not finish drawing" not in capsys.readouterr().err


def test_the_committed_screenshots_are_the_same_page_kinds() -> None:
    shots = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
    assert {p.stem for p in shots.glob("*.png")} == shot_names()
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in shot_names():
        assert f"(docs/screenshots/{name}.png)" in readme, name
        width = 390 if name.endswith("-mobile") else 768  # 390 CSS px at scale 1; 1280 CSS px at scale 0.6
        assert png_size(shots / f"{name}.png")[0] == width and (shots / f"{name}.png").stat().st_size < 400_000
