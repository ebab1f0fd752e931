"""Frozen value records for the classes a headless `plan` needs: Rate, Ladder, Protocol,
Indication, Product, Patient, DosingWeight, Dose, PlanRequest, Limit, Rung, Step, Plan.

They behave as frozen dataclasses (keyword or positional init, defaults, repr, ==, hash, no
assignment) at a fraction of the import cost: `dataclasses` pulls in `inspect` and compiles
six methods per class, about 20 ms of a 50 ms `plan --json` (bench/cli_start.py). Other core
classes, off that path, stay plain dataclasses.
"""
from __future__ import annotations

MISSING = object()


class FrozenError(AttributeError):
    """Assignment to a field of a record."""


class Field:
    __slots__ = ("name", "default", "factory")

    def __init__(self, default=MISSING, factory=MISSING):
        self.name, self.default, self.factory = "", default, factory


def field(*, default=MISSING, default_factory=MISSING) -> Field:
    return Field(default, default_factory)


def record(cls):
    """Class decorator: the annotated names, in order, are the fields."""
    specs = []
    for name in cls.__dict__.get("__annotations__", {}):
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(value)
        spec.name = name
        if spec.default is MISSING and spec.factory is MISSING and specs and specs[-1][1]:
            raise TypeError(f"{cls.__name__}.{name}: a field without a default follows one with a default")
        specs.append((spec, spec.default is not MISSING or spec.factory is not MISSING))
        if isinstance(value, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
    fields_ = tuple(s for s, _ in specs)
    names = tuple(f.name for f in fields_)
    known = frozenset(names)
    qual = cls.__qualname__

    def __init__(self, *args, **kwargs):
        if len(args) > len(names):
            raise TypeError(f"{qual}() takes {len(names)} fields but {len(args)} were given")
        values = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in known:
                raise TypeError(f"{qual}() got an unexpected field {k!r}")
            if k in values:
                raise TypeError(f"{qual}() got field {k!r} twice")
            values[k] = v
        if len(values) < len(names):
            for f in fields_:
                if f.name in values:
                    continue
                if f.default is not MISSING:
                    values[f.name] = f.default
                elif f.factory is not MISSING:
                    values[f.name] = f.factory()
                else:
                    raise TypeError(f"{qual}() is missing the field {f.name!r}")
        object.__setattr__(self, "__dict__", {n: values[n] for n in names})

    def __repr__(self):
        return f"{qual}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return astuple(self) == astuple(other)

    def __hash__(self):
        return hash(astuple(self))

    def __setattr__(self, name, value):
        raise FrozenError(f"cannot assign to field {name!r} of {qual}: it is frozen (use record.replace)")

    def __delattr__(self, name):
        raise FrozenError(f"cannot delete field {name!r} of {qual}: it is frozen")

    for fn in (__init__, __repr__, __eq__, __hash__, __setattr__, __delattr__):
        fn.__qualname__ = f"{qual}.{fn.__name__}"
        setattr(cls, fn.__name__, fn)
    cls.__record_fields__ = fields_
    return cls


def is_record(obj) -> bool:
    return hasattr(type(obj), "__record_fields__")


def fields(obj) -> tuple[Field, ...]:
    return type(obj).__record_fields__ if not isinstance(obj, type) else obj.__record_fields__


def astuple(obj) -> tuple:
    d = obj.__dict__
    return tuple(d[f.name] for f in type(obj).__record_fields__)


def replace(obj, **changes):
    """A copy of the record with some fields changed, as dataclasses.replace."""
    return type(obj)(**{**obj.__dict__, **changes})


def asdict(obj) -> dict:
    """Plain data, nested records included, as dataclasses.asdict."""
    return {f.name: _plain(obj.__dict__[f.name]) for f in type(obj).__record_fields__}


def _plain(v):
    if is_record(v):
        return asdict(v)
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v
