"""The image's saved network configuration as one fact, and how the network facts built from it
carry what its owners ignored (notes) and refused (errors that leave the rest of the fact usable)."""

from __future__ import annotations

from typing import Sequence, TypeVar

from ...facts.keys import FactKey
from ..interface import CollectContext, FactError, Note, PartialFact
from .model import NetConfig

T = TypeVar("T")

KEY: FactKey[NetConfig] = FactKey("network.saved_config")


def config(ctx: CollectContext) -> NetConfig:
    """The saved configuration, read once per scan (the ``network.saved_config`` fact)."""
    return ctx.facts.get(KEY)


def outcome(ctx: CollectContext, value: T, fields: Sequence[str]) -> T:
    """``value`` (built from the NetConfig ``fields``) as the fact's result: files whose owner
    refused them and that could have filled those fields make it a PartialFact (what could be read
    still counts, each refused file is an error); ignored lines become notes."""
    conf = config(ctx)
    notes = tuple(Note(n.source, "netconfig.ignored", (("problem", n.problem),)) for n in conf.notes)
    refused = [r for r in conf.rejected if not r.affects or set(r.affects) & set(fields)]
    if refused:
        errors = [FactError("netconfig.bad_file", path=r.path, problem=r.problem) for r in refused]
        raise PartialFact(value, errors, notes)
    ctx.facts.add_notes(notes)
    return value
