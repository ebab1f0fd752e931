"""The core never imports Qt or ui/ (napari enforces the same with import-linter)."""
import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6", "ui")


def test_no_core_module_imports_qt_or_ui():
    bad = []
    for f in (ROOT / "titration").rglob("*.py"):
        tree = ast.parse(f.read_text(), str(f))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bad += [f"{f.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert not bad, bad


PLAN_JSON = ("['plan', '--product', 'octagam-10', '--indication', 'itp', '--weight-kg', '70', "
             "'--dose-g-per-kg', '1', '--json']")


def modules_after(*argvs: str) -> set[str]:
    """The modules a fresh interpreter holds after running these command lines through main()."""
    code = ("import sys, io, contextlib\n"
            "from titration.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            + "".join(f"    main({argv})\n" for argv in argvs)
            + "print(' '.join(sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


def test_headless_commands_load_no_qt():
    loaded = modules_after(PLAN_JSON, "['products', '--json']")
    assert not [m for m in loaded if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "ui")]


def test_plan_json_loads_only_what_it_needs():
    """`plan --json` stays light: no Qt (checked above), no database driver and no numpy on the
    headless path; those are imported where they are used. The first run parses the TOML and
    caches it; the second is measured."""
    modules_after(PLAN_JSON)
    # What the interpreter loads before any of our code (site, an install's .pth hooks) is not ours.
    bare = subprocess.run([sys.executable, "-c", "import sys; print(' '.join(sys.modules))"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60).stdout.split()
    loaded = modules_after(PLAN_JSON) - set(bare)
    # The strict reading of the library adds no module either: the nearest-key search (difflib) runs
    # only on an error, and the library's hash and review tools (hashlib, titration.library) are not
    # needed to plan.
    heavy = {"sqlite3", "psycopg", "numpy", "titration.store", "titration.training", "difflib", "hashlib",
             "titration.library",
             # nor the other commands' modules and parsers: each command is imported when it is asked for
             "titration.cli.journal", "titration.cli.unit", "titration.cli.library", "titration.cli.simulate",
             "titration.cli.train", "titration.cli.products"}
    assert "titration.plan" in loaded and not heavy & loaded, sorted(heavy & loaded)


def test_every_clinical_module_is_under_the_import_contract():
    """The import-linter contract (pyproject.toml) lists the clinical modules by name: a new module
    in titration/ must be added there, or it would escape the rule."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    clinical = next(c for c in contracts if "storage, training or the command line" in c["name"])
    listed = set(clinical["source_modules"])
    present = {f"titration.{f.stem}" for f in (ROOT / "titration").glob("*.py") if f.stem != "__init__"}
    assert present == listed, {"not listed": sorted(present - listed), "gone": sorted(listed - present)}


def test_the_unit_report_as_html_loads_no_qt(tmp_path):
    """`unit report --out FILE.html` is headless (a PDF loads Qt, as the other exports do)."""
    from titration.store.journal import Journal

    db = tmp_path / "j.sqlite3"
    Journal(db).close()
    argv = f"['unit', 'report', '--db', {str(db)!r}, '--from', '2027-01-01', '--to', '2027-01-31', " \
           f"'--out', {str(tmp_path / 'r.html')!r}]"
    loaded = modules_after(argv)
    assert "titration.report.quality" in loaded
    assert not [m for m in loaded if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "ui")]
