"""Properties of the strict reading: a key is accepted exactly when a reader read it, and a label
figure is accepted exactly when it is within what the labels give."""
import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from titration.data import Table
from titration.errors import DataError
from titration.label_bounds import MAX_MG_KG_MIN, STEP_MINUTES
from titration.products import read_library
from titration.protocols import load_protocols, read_protocol

RES = Path(__file__).resolve().parent.parent / "resources"
NAMES = st.text("abcdefgh_", min_size=1, max_size=6)
TABLES = st.recursive(st.dictionaries(NAMES, st.integers(0, 9), max_size=4),
                      lambda inner: st.dictionaries(NAMES, inner | st.integers(0, 9), max_size=4), max_leaves=12)
_files = itertools.count()


def _read(t: Table, choose) -> list[str]:
    """Read some keys (descending into some sub-tables); return the dotted keys left unread."""
    unread = []
    for k, v in t.data.items():
        if not choose():
            unread.append(f"{t.key}.{k}" if t.key else k)
        elif isinstance(v, dict):
            unread += _read(t.table(k), choose)
        else:
            t.raw(k)
    return unread


@given(TABLES, st.lists(st.booleans(), min_size=1, max_size=40))
def test_finish_refuses_exactly_the_keys_no_reader_read(data, coins):
    flips = itertools.cycle(coins)
    t = Table(data, "f.toml")
    unread = _read(t, lambda: next(flips))
    try:
        t.finish()
    except DataError as e:
        assert e.key in unread
    else:
        assert unread == []


def _privigen_max(tmp: Path, value: float) -> Path:
    text = (RES / "products.toml").read_text().replace('max = "8 mg/kg/min"', f'max = "{value} mg/kg/min"', 1)
    f = tmp / f"products-{next(_files)}.toml"  # a fresh name: the parse cache keys on path, size and time
    f.write_text(text)
    return f


@given(st.decimals(min_value="0.5", max_value="30", places=2))
def test_a_maximum_is_accepted_exactly_up_to_the_highest_label_maximum(tmp_path_factory, value):
    f = _privigen_max(tmp_path_factory.mktemp("p"), float(value))
    try:
        lib = read_library(str(f), load_protocols())
    except DataError as e:
        assert float(value) > MAX_MG_KG_MIN and e.key == "product[0].indication[0].max"
    else:
        assert float(value) <= MAX_MG_KG_MIN and lib["privigen"].indication("pi").max_mg_kg_min == float(value)


@given(st.integers(1, 60))
def test_a_protocol_interval_is_accepted_exactly_from_the_shortest_label_interval(tmp_path_factory, minutes):
    text = (RES / "protocols" / "nl-ivig002.toml").read_text().replace("step_minutes = 30", f"step_minutes = {minutes}")
    f = tmp_path_factory.mktemp("q") / "nl-ivig002.toml"
    f.write_text(text)
    try:
        proto = read_protocol(str(f))
    except DataError as e:
        assert minutes < STEP_MINUTES and e.key == "step_minutes"
    else:
        assert minutes >= STEP_MINUTES and proto.ladder.step_minutes == minutes
