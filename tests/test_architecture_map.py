"""ARCHITECTURE.md tells the truth about where things are: every module path it names exists, and
every module of the Qt side is named in its package map."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_every_module_path_named_exists():
    named = set(re.findall(r"\b(?:ui|titration|tests|bench)/[\w/]+\.py\b", TEXT))
    named |= {f"titration/{m}" for m in re.findall(r"\bstore/\w+\.py\b", TEXT)}
    assert named, "the map names no module"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_every_qt_module_is_on_the_map():
    block = TEXT[TEXT.index("## The Qt side"):TEXT.index("## The clinical core")]
    words = set(re.findall(r"\b\w+\b", block))
    unnamed = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name == "__init__.py":
            continue
        package = path.parent.relative_to(ROOT).as_posix() + "/"
        if package == "ui/":
            ok = f"{rel}" in block
        else:
            ok = package in block and path.stem in words
        if not ok:
            unnamed.append(rel)
    assert unnamed == []
