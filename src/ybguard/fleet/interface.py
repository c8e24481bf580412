"""The fleet layer's error type: a translatable message key and its arguments (never a traceback)."""

from __future__ import annotations

from typing import Any, Dict


class FleetError(Exception):
    """Bad input to the fleet tools (a report, the database, an option); rendered in zh or en."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key, args)
        self.key = key
        self.args_map: Dict[str, Any] = args

    def __reduce__(self):  # type: ignore[no-untyped-def]
        """Picklable (ingest --jobs sends it between processes): Exception's default would call
        FleetError(key, args) and lose the keyword arguments."""
        return (type(self), (self.key,), {"args_map": self.args_map})

    def render(self, lang: str) -> str:
        from ..i18n import t

        return t(self.key, lang, **self.args_map)
