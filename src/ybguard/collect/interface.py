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
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from ..policy.schema import Policy
from ..target.interface import Target, TargetError, Unsupported


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
        self.ctx = CollectContext(target, policy, options, self)

    def get(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key in self._errors:
            raise self._errors[key]
        collector = self._registry.get(key)
        try:
            if collector is None:
                raise _no_collector(key, self.ctx.target.os_family)
            value = collector(self.ctx)
        except Exception as exc:  # noqa: BLE001 - every failure is a fact about the scan
            self._errors[key] = exc
            raise
        self._values[key] = value
        return value

    def preload(self, key: str, value: Any) -> None:
        """Seed a fact (tests, or a watch loop that already holds it)."""
        self._values[key] = value
