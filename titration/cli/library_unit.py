"""`library publish|approve|activate|status`: the drug library through the unit server.

    python main.py library publish DIR --as NAME --db URL        a draft version (checked here first); prints its id
    python main.py library approve VERSION --as NAME --role pharmacist|nurse --db URL
    python main.py library activate VERSION --db URL             only once a pharmacist and a nurse approved it
    python main.py library status --db URL [--json]              the versions, their approvals, the active one

VERSION is the version number library.toml gives (the id `publish` prints). Exit 0: done; 1: the
unit server (or the check before publishing) refused, with one line saying why; 2: bad input, or
the server cannot be reached. Names given with --as are attribution, not authentication: the
server records the database login that ran each step beside the name, and `status` shows both.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime

from ..errors import InputError
from .args import add_db, add_json, choice, whole

ROLES = ("pharmacist", "nurse")
ATTRIBUTION = ("names given with --as are attribution, not authentication: the database login is recorded beside "
               "each step")


def add_parsers(actions) -> None:
    p = actions.add_parser("publish", help="store a library folder on the unit server as a draft version",
                           description="Check the library in DIR (as `library check`) and store it on the unit server "
                                       "as a draft version; prints the version id. " + ATTRIBUTION + ".")
    p.add_argument("folder", metavar="DIR", help="the library folder (holding products.toml and library.toml)")
    _as(p, "the author's name")
    add_db(p, "the unit server: a postgresql:// URL or a libpq connection string (default: $IVIG_DB)")
    p.set_defaults(handler=cmd_publish)
    a = actions.add_parser("approve", help="approve a draft version (a pharmacist and a nurse, not its author)",
                           description="Record one approval of a version: one pharmacist and one nurse, two "
                                       "different people, neither the author. " + ATTRIBUTION + ".")
    a.add_argument("version", metavar="VERSION", type=whole("VERSION", 1, 1_000_000), help="the version id")
    _as(a, "the approver's name")
    a.add_argument("--role", required=True, type=choice("--role", ROLES), help="pharmacist or nurse")
    add_db(a, "the unit server (default: $IVIG_DB)")
    a.set_defaults(handler=cmd_approve)
    v = actions.add_parser("activate", help="make an approved version the one every workstation runs",
                           description="Make VERSION the unit's active library: only when a pharmacist and a nurse "
                                       "(not its author) approved it. Workstations load it for their next infusion.")
    v.add_argument("version", metavar="VERSION", type=whole("VERSION", 1, 1_000_000), help="the version id")
    add_db(v, "the unit server (default: $IVIG_DB)")
    v.set_defaults(handler=cmd_activate)
    s = actions.add_parser("status", help="the unit server's library versions, their approvals and the active one",
                           description="Every library version on the unit server (newest first), who published "
                                       "and approved it (names and logins), and the active one.")
    add_db(s, "the unit server (default: $IVIG_DB)")
    add_json(s)
    s.set_defaults(handler=cmd_status)


def _as(p, what: str) -> None:
    p.add_argument("--as", dest="person", metavar="NAME", required=True,
                   help=f"{what} (attribution, not authentication: the database login is recorded too)")


def _person(a) -> str:
    from ..store.base import JournalError, check_name

    try:
        return check_name("--as", a.person.strip())
    except JournalError as exc:
        raise InputError("--as", a.person, f"a person's name ({exc})") from None


def _server(a):
    from ..store.library_server import LibraryServer
    from .unit import _url

    return LibraryServer(_url(a))


def _refused(exc) -> int:
    print(f"refused: {exc}", file=sys.stderr)
    return 1


def cmd_publish(a) -> int:
    from ..library.checks import problems
    from ..library.identity import files_digest, library_texts
    from ..library.load import load
    from ..store.library_server import LibraryRefused

    author = _person(a)
    lib = load(a.folder)  # unreadable: a DataError naming the file, exit 2
    found = problems(lib)
    if found:
        for line in found:
            print(line, file=sys.stderr)
        return _refused(f"{lib.folder} has {len(found)} problem(s) (`library check` lists them): not published")
    files = library_texts(a.folder)
    with _server(a) as srv:
        try:
            version, created = srv.publish(lib.manifest, files, files_digest(files), author)
        except LibraryRefused as exc:
            return _refused(exc)
        login = srv.login()
    m = lib.manifest
    if not created:
        print(f"{version}\nversion {version} ({m.content_hash[:19]}) is already on the unit server with this content: "
              "nothing new was stored")
        return 0
    print(f"{version}\npublished version {version} ({m.content_hash[:19]}, effective {m.effective}) as a draft, by "
          f"{author} (login {login}); {len(files)} files. Next: a pharmacist and a nurse, neither {author}, run "
          f"`library approve {version} --as NAME --role pharmacist|nurse`, then `library activate {version}`. "
          f"Note: {ATTRIBUTION}.")
    return 0


def cmd_approve(a) -> int:
    from ..store.library_server import LibraryRefused

    name = _person(a)
    with _server(a) as srv:
        try:
            srv.approve(a.version, name, a.role)
        except LibraryRefused as exc:
            return _refused(exc)
        (v,) = srv.versions(only=a.version)
        login = srv.login()
    roles = {x["role"] for x in v.approvals}
    missing = [r for r in ROLES if r not in roles]
    nxt = f"still needs a {missing[0]}'s approval" if missing else f"ready: `library activate {a.version}`"
    print(f"version {a.version} approved by {name} as {a.role} (login {login}); {nxt}")
    return 0


def cmd_activate(a) -> int:
    from ..store.library_server import LibraryRefused

    with _server(a) as srv:
        try:
            before, changed = srv.activate(a.version)
        except LibraryRefused as exc:
            return _refused(exc)
        login = srv.login()
    if not changed:
        print(f"version {a.version} is already the active library")
        return 0
    was = f" (was version {before})" if before is not None else ""
    print(f"version {a.version} is now the unit's active library{was}, activated by login {login}; workstations load "
          "it for their next infusion (running infusions keep the version they were planned with)")
    return 0


def _clock(wall) -> str:
    return "" if wall is None else datetime.fromtimestamp(wall).strftime("%Y-%m-%d %H:%M")


def cmd_status(a) -> int:
    with _server(a) as srv:
        versions = srv.versions()
        label = srv.label
    active = next((v for v in versions if v.active), None)
    if a.json:
        print(json.dumps({"server": label, "active": active.version if active else None,
                          "versions": [v.to_dict() for v in versions]}, indent=1, ensure_ascii=False))
        return 0
    print(f"unit server {label}: " + (f"version {active.version} is the active library" if active else
                                      "no library version is active (workstations use the bundled one)"))
    for v in versions:
        print(f"  version {v.version} {v.state.upper()}  {v.content_hash[:19]}  effective {v.effective}: "
              f"{v.changelog}")
        print(f"    published by {v.author} (login {v.author_login}) {_clock(v.published)}")
        for x in v.approvals:
            print(f"    approved by {x['name']} as {x['role']} (login {x['login']}) {_clock(x['approved'])}")
        if v.activated is not None:
            print(f"    activated {_clock(v.activated)} (login {v.activated_by})")
        logins = {v.author_login, *(x["login"] for x in v.approvals)}
        if len(v.approvals) == 2 and len(logins) == 1:
            print(f"    note: every step ran as login {v.author_login}: only the names given with --as tell the "
                  "people apart")
    return 0
