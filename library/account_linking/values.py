"""Frozen value classes that cost next to nothing to define: what a Lambda cold start pays for.

``@dataclass(frozen=True)`` writes six methods per class as source text and compiles each one
while the module is imported: about 0.4 ms a class on Python 3.11, which made the library's and
the Ride Hailer skill's value classes a third of their import time. :func:`value_class` keeps
what a frozen dataclass promises (keyword and positional construction with defaults and
``default_factory``, ``dataclasses.fields``/``replace``/``asdict``, equality and hash over the
fields with ``compare=True``, a repr that leaves out ``repr=False`` fields, assignment raising
``dataclasses.FrozenInstanceError``) with methods written once, here; the fields are still
recorded by :func:`dataclasses.dataclass` (with nothing to generate). Type checkers see a frozen
dataclass (``typing.dataclass_transform``).
"""
from __future__ import annotations

from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from typing import Any, Callable, TypeVar, dataclass_transform

__all__ = ["value_class"]

_T = TypeVar("_T", bound=type)
_SPEC = "__value_fields__"  # per class: (name, default, default_factory, repr, compare) per field


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    spec = getattr(type(self), _SPEC)
    if len(args) > len(spec):
        raise TypeError(
            f"{type(self).__qualname__}() takes {len(spec)} positional arguments but {len(args)} were given"
        )
    for index, (name, default, factory, _, _) in enumerate(spec):
        if index < len(args):
            if name in kwargs:
                raise TypeError(f"{type(self).__qualname__}() got multiple values for argument {name!r}")
            value = args[index]
        elif name in kwargs:
            value = kwargs.pop(name)
        elif default is not MISSING:
            value = default
        elif factory is not MISSING:
            value = factory()
        else:
            raise TypeError(f"{type(self).__qualname__}() missing required argument: {name!r}")
        object.__setattr__(self, name, value)
    if kwargs:
        raise TypeError(f"{type(self).__qualname__}() got an unexpected keyword argument {next(iter(kwargs))!r}")


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name, _, _, _, compare in getattr(type(self), _SPEC) if compare)


def _eq(self: Any, other: object) -> Any:
    if other.__class__ is self.__class__:
        return _compared(self) == _compared(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(_compared(self))


def _repr(self: Any) -> str:
    shown = (f"{name}={getattr(self, name)!r}" for name, _, _, shown, _ in getattr(type(self), _SPEC) if shown)
    return f"{type(self).__qualname__}({', '.join(shown)})"


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


_METHODS: dict[str, Callable[..., Any]] = {
    "__init__": _init,
    "__repr__": _repr,
    "__eq__": _eq,
    "__hash__": _hash,
    "__setattr__": _setattr,
    "__delattr__": _delattr,
}


@dataclass_transform(frozen_default=True)
def value_class(cls: _T) -> _T:
    """Make ``cls`` (annotated fields, as for a dataclass) a frozen value class.

    As with a frozen dataclass, an ``__init__``, ``__repr__``, ``__eq__`` or ``__hash__`` the
    class writes itself is kept, and one that writes ``__setattr__`` or ``__delattr__`` is
    refused (TypeError).
    """
    for name in ("__setattr__", "__delattr__"):
        if name in cls.__dict__:
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}: it is frozen")
    dataclass(init=False, repr=False, eq=False)(cls)  # records the fields on cls itself
    spec = tuple((f.name, f.default, f.default_factory, f.repr, f.compare) for f in fields(cls))
    setattr(cls, _SPEC, spec)
    own = dict(cls.__dict__)
    if own.get("__hash__", MISSING) is None and "__eq__" in own:
        del own["__hash__"]  # Python's None for a class that writes __eq__ alone: a hash is added
    for name, method in _METHODS.items():
        if name not in own:
            setattr(cls, name, method)
    return cls
