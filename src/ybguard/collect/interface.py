"""The collector layer: facts are read once per scan, lazily, and failures are remembered.

A collector is ``fn(ctx) -> value``. It reads through ``ctx.target`` and hands the bytes to
pure parsers. Whatever it raises is kept: ``Unsupported`` makes the checks that need the
fact ``not_applicable``; anything else (permission, missing file, missing tool, parse
error) makes them ``error`` — fail closed.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, overload

from ..facts.keys import FactKey
from ..policy.schema import Policy
from ..target.interface import Target, TargetError, Unsupported

T = TypeVar("T")


@dataclass(frozen=True)
class ScanOptions:
    lang: str = "en"
    now: Optional[datetime] = None  # scan start (timezone-aware); fixed in tests
    capture_seconds: Optional[float] = None  # --capture; None = policy decides
    probe: Optional[bool] = None  # --probe/--no-probe; None = policy decides
    baseline_path: Optional[str] = None  # --baseline FILE
    extra: Mapping[str, Any] = field(default_factory=dict)
    labels: Tuple[Tuple[str, str], ...] = ()  # scan --label key=value: site fields for this run


class FactError(Exception):
    """A fact could not be read. ``key``/``args`` name an i18n reason."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key, args)
        self.key = key
        self.args_map = args


@dataclass(frozen=True)
class Note:
    """Something a fact's sources say that its owner ignores (a malformed line skipped with a
    warning): shown as evidence on every finding of a check that uses the fact. ``key``/``args``
    name an i18n text."""

    source: str
    key: str
    args: Tuple[Tuple[str, Any], ...] = ()


class PartialFact(FactError):
    """Some sources of a fact were refused (each is an error), the others could be read.

    ``value`` holds what could be read: a violation in it is still a fail (fail first), and the
    refused sources still make the check an error (fail closed). ``key``/``args_map`` are those
    of the first error, so code that only knows FactError reports it as before.
    """

    def __init__(self, value: Any, errors: Sequence[FactError], notes: Tuple[Note, ...] = ()) -> None:
        super().__init__(errors[0].key, **errors[0].args_map)
        self.value = value
        self.errors = tuple(errors)
        self.notes = notes


@dataclass
class CollectContext:
    target: Target
    policy: Policy
    options: ScanOptions
    facts: FactSet


Collector = Callable[[CollectContext], Any]


def reason_of(exc: BaseException) -> TargetError:
    """Map any collector exception onto a translatable reason."""
    if isinstance(exc, TargetError):
        return exc
    if isinstance(exc, FactError):
        return TargetError(exc.key, **exc.args_map)
    if isinstance(exc, PermissionError) or (isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM)):
        return TargetError("reason.permission", path=getattr(exc, "filename", None) or str(exc))
    if isinstance(exc, FileNotFoundError):
        return TargetError("reason.missing_file", path=getattr(exc, "filename", None) or str(exc))
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
        return TargetError("reason.link_loop", path=getattr(exc, "filename", None) or str(exc))
    return TargetError("engine.raw_reason", reason=f"{type(exc).__name__}: {exc}")


def _no_collector(key: str, os_family: str) -> Exception:
    """A fact only another OS family provides is Unsupported here; a fact nobody provides is a bug.

    The distinction matters: a misspelt fact key must make its check ``error``, not quietly
    ``not_applicable`` on every host.
    """
    from . import COLLECTORS  # the package imports this module; import lazily to avoid a cycle

    others = [family for family, reg in COLLECTORS.items() if family != os_family and key in reg]
    if others:
        return Unsupported("reason.not_windows" if "windows" in others else "reason.not_linux")
    return FactError("engine.no_collector", fact=key)


class FactSet:
    """Memoised, lazy access to facts by key ("network.routing" …)."""

    def __init__(self, target: Target, policy: Policy, options: ScanOptions,
                 registry: Mapping[str, Collector]) -> None:
        self._registry = registry
        self._values: Dict[str, Any] = {}
        self._errors: Dict[str, BaseException] = {}
        self._notes: Dict[str, Tuple[Note, ...]] = {}
        self._reading: List[str] = []  # the facts being collected, innermost last
        self.ctx = CollectContext(target, policy, options, self)

    @overload
    def get(self, key: FactKey[T]) -> T: ...

    @overload
    def get(self, key: str) -> Any: ...

    def get(self, key: str) -> Any:
        """The fact's value (typed by a FactKey), read once; what its collector raised, again."""
        if key in self._values:
            return self._values[key]
        if key in self._errors:
            raise self._errors[key]
        collector = self._registry.get(key)
        self._reading.append(key)
        try:
            if collector is None:
                raise _no_collector(key, self.ctx.target.os_family)
            value = collector(self.ctx)
        except Exception as exc:  # noqa: BLE001 - every failure is a fact about the scan
            self._errors[key] = exc
            if isinstance(exc, PartialFact):
                self.add_notes(exc.notes)
            raise
        finally:
            self._reading.pop()
        self._values[key] = value
        return value

    def add_notes(self, notes: Sequence[Note]) -> None:
        """Called by a collector: notes on the fact it is collecting now."""
        if self._reading and notes:
            key = self._reading[-1]
            self._notes[key] = self._notes.get(key, ()) + tuple(notes)

    def notes(self, key: str) -> Tuple[Note, ...]:
        """The notes of a fact already read (what its owner ignored); () when none."""
        return self._notes.get(key, ())

    def preload(self, key: str, value: Any) -> None:
        """Seed a fact (tests, or a watch loop that already holds it)."""
        self._values[key] = value
