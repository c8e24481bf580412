"""Typed fact keys: a key names a fact and declares the type of its value.

``FactKey`` is a ``str`` (registries, ``Check.needs`` and reports keep using the plain name),
and ``FactSet.get(key)`` on a ``FactKey[T]`` is typed ``T``, so a collector returning the wrong
record type, or a check reading a fact as the wrong type, is a mypy error.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class FactKey(str, Generic[T]):
    """``ROUTING: FactKey[Routing] = FactKey("network.routing")``."""

    __slots__ = ()
