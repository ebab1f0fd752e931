"""Each refusal the unit server raises has its own SQLSTATE: the workstation tells them apart by code."""
from titration.store import pg_common, pg_library


def test_every_server_refusal_code_is_its_own():
    codes = {}
    for mod in (pg_common, pg_library):
        for name, value in vars(mod).items():
            if name.isupper() and isinstance(value, str) and len(value) == 5 and value.startswith("IV"):
                codes.setdefault(value, []).append(f"{mod.__name__}.{name}")
    assert len(codes) >= 15
    assert {c: n for c, n in codes.items() if len(n) > 1} == {}
