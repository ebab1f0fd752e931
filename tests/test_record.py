"""Records behave as frozen dataclasses for what the core uses of them."""
import pytest

from titration.record import FrozenError, asdict, field, fields, record, replace


@record
class Inner:
    a: float
    b: str = "x"


@record
class Outer:
    inner: Inner
    items: tuple = ()
    extra: dict = field(default_factory=dict)


def test_init_defaults_and_factory():
    o = Outer(Inner(1.0))
    assert o.inner == Inner(1.0, "x") and o.items == () and o.extra == {}
    assert Outer(Inner(1)).extra is not o.extra  # a fresh dict each time
    assert Inner(b="y", a=2).b == "y"


@pytest.mark.parametrize("call,message", [
    (lambda: Inner(), "missing the field 'a'"),
    (lambda: Inner(1, "y", 3), "takes 2 fields but 3"),
    (lambda: Inner(1, a=2), "'a' twice"),
    (lambda: Inner(1, c=2), "unexpected field 'c'"),
])
def test_bad_init_names_the_field(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_frozen():
    i = Inner(1)
    with pytest.raises(FrozenError):
        i.a = 2
    with pytest.raises(AttributeError):
        del i.b
    assert i.a == 1


def test_equality_hash_repr():
    assert Inner(1, "y") == Inner(1, "y") != Inner(2, "y")
    assert hash(Inner(1, "y")) == hash(Inner(1, "y"))
    assert len({Inner(1), Inner(1), Inner(2)}) == 2
    assert Inner(1) != (1, "x")
    assert repr(Inner(1.5, "y")) == "Inner(a=1.5, b='y')"


def test_replace_and_asdict():
    o = Outer(Inner(1), items=(Inner(2), Inner(3)), extra={"k": Inner(4)})
    o2 = replace(o, items=())
    assert o2.items == () and o2.inner is o.inner and o.items  # the original is untouched
    assert asdict(o) == {"inner": {"a": 1, "b": "x"}, "items": ({"a": 2, "b": "x"}, {"a": 3, "b": "x"}),
                         "extra": {"k": {"a": 4, "b": "x"}}}
    assert [f.name for f in fields(o)] == ["inner", "items", "extra"]
    with pytest.raises(TypeError, match="unexpected field"):
        replace(o, nope=1)


def test_a_required_field_after_a_default_is_refused():
    with pytest.raises(TypeError, match="without a default"):
        @record
        class Bad:
            a: int = 1
            b: int
