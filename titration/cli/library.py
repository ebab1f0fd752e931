"""`library`: review the drug library (products, protocols, reaction policies, symptom catalogue).

    python main.py library check DIR [--json]        every check of the strict reader and across files:
                                                      exit 0 sound, 1 problems (one per line), 2 unreadable
    python main.py library diff OLD NEW [--json]     what changed for a patient, safety-lowering first
    python main.py library publish|approve|activate|status ...   the unit server's versions (library_unit.py)

DIR, OLD and NEW are resource folders (like resources/, or a unit's copy given by IVIG_RESOURCES).
"""
from __future__ import annotations

import json

from ..words import count
from . import library_unit
from .args import add_json


def add_parser(sub) -> None:
    p = sub.add_parser("library", help="the drug library: check, diff; publish, approve, activate, status on the "
                                       "unit server",
                       description="Review the drug library: products.toml, protocols/, policies/, symptoms.toml "
                                   "and library.toml (its version).")
    actions = p.add_subparsers(title="actions", metavar="check|diff|publish|approve|activate|status",
                               dest="library_action", required=True)
    c = actions.add_parser("check", help="every check of the strict reader, and the invariants across files",
                           description="Read the library in DIR strictly and check it across files. Exit 0: "
                                       "sound; 1: problems, one per line; 2: it cannot be read.")
    c.add_argument("folder", metavar="DIR", help="a resources folder (holding products.toml)")
    add_json(c)
    c.set_defaults(handler=cmd_check)
    d = actions.add_parser("diff", help="what changed between two libraries, safety-lowering changes first",
                           description="Every change that matters to a patient, in words: first those that "
                                       "lower safety, then other changes, then those that raise it.")
    d.add_argument("old", metavar="OLD", help="the resources folder before the change")
    d.add_argument("new", metavar="NEW", help="the resources folder after the change")
    add_json(d)
    d.set_defaults(handler=cmd_diff)
    library_unit.add_parsers(actions)


def _identity(lib) -> dict:
    m = lib.manifest
    return {"folder": lib.folder, "version": m.version if m else None, "effective": m.effective if m else None,
            "changelog": m.changelog if m else None, "hash": lib.content_hash}


def cmd_check(a) -> int:
    from ..library.checks import problems
    from ..library.resources import check_resources

    lib = check_resources(a.folder)  # unreadable or damaged: a DataError, exit 2
    found = problems(lib)
    if a.json:
        print(json.dumps({**_identity(lib), "products": len(lib.products), "protocols": len(lib.protocols),
                          "policies": len(lib.policies), "symptoms": len(lib.catalogue.symptoms),
                          "problems": found}, indent=1))
    else:
        for line in found:
            print(line)
        print(f"library {lib.folder}: {lib.version_text}, {len(lib.products)} products, {len(lib.protocols)} "
              f"protocols, {len(lib.policies)} reaction policies, {len(lib.catalogue.symptoms)} symptoms: "
              + (count(len(found), "problem") if found else "no problems"))
    return 1 if found else 0


def cmd_diff(a) -> int:
    from ..library.diff import CHANGES, LOWERS, RAISES, diff
    from ..library.load import load

    old, new = load(a.old), load(a.new)
    changes = diff(old, new)
    if a.json:
        print(json.dumps({"old": _identity(old), "new": _identity(new),
                          "changes": [c.to_dict() for c in changes]}, indent=1, ensure_ascii=False))
        return 0
    print(f"library diff: {old.folder} ({old.version_text}) → {new.folder} ({new.version_text})")
    for effect, title in ((LOWERS, "Lowers safety"), (CHANGES, "Other changes"), (RAISES, "Raises safety")):
        group = [c for c in changes if c.effect == effect]
        if group:
            print(f"{title} ({len(group)}):")
            for c in group:
                print(f"  {c.text}")
    if not changes:
        same = old.content_hash == new.content_hash
        print("No change." if same else "No change that matters to a patient (wording or sources differ).")
    return 0
