"""The one YAML reader of ybguard: safe, and bounded before anything is built.

PyYAML composes an alias (``*a``) as the very node it names, so a document of a kilobyte can
stand for a billion nodes (nine levels of nine aliases): composing it is cheap, *constructing*
it — turning nodes into lists and dicts — is what takes minutes and gigabytes. Every YAML file
ybguard reads (the policy, netplan in an image) therefore goes through here: the nodes are
counted while they are composed, the composed graph is measured as it would be expanded
(each node counted once per path that reaches it; a cycle is infinite), and a document over
the limit is refused with ``TooLarge`` before any object exists.

Constructing scalars is bounded too: a 5,000-digit ``!!int`` or a recursive alias raises a
``yaml.YAMLError`` (``BadValue``) instead of ValueError/RecursionError from deep inside PyYAML.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Type

import yaml

# Far above any real policy (the built-in one has ~200 nodes; 40,000 allowed networks are ~40k)
# or netplan file, far below what takes a noticeable time to construct.
MAX_NODES = 250_000


class TooLarge(yaml.MarkedYAMLError):
    """The document stands for more nodes than ``limit`` once its aliases are expanded."""

    def __init__(self, nodes: Optional[int], limit: int, mark: Optional[yaml.Mark]) -> None:
        what = "a recursive alias (infinitely many nodes)" if nodes is None else f"{nodes} or more nodes"
        super().__init__(problem=f"the document expands to {what}; the limit is {limit}", problem_mark=mark)
        self.nodes = nodes
        self.limit = limit


class BadValue(yaml.MarkedYAMLError):
    """A scalar PyYAML cannot turn into a value (an integer too long to convert …)."""


def _counting(loader_cls: Type[yaml.SafeLoader], limit: int) -> Type[yaml.SafeLoader]:
    """``loader_cls`` whose composer counts the nodes it makes and stops past ``limit``."""

    class Counting(loader_cls):  # type: ignore[valid-type,misc]
        _ybguard_nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self._ybguard_nodes += 1
            if self._ybguard_nodes > limit:
                raise TooLarge(self._ybguard_nodes, limit, self.peek_event().start_mark)
            return super().compose_node(parent, index)

    Counting.__name__ = loader_cls.__name__
    return Counting


def expanded_size(root: yaml.Node, limit: int) -> Optional[int]:
    """How many nodes ``root`` stands for with every alias expanded, counting at most to just
    past ``limit``; None for a cycle. Iterative: a deep document must not exhaust the stack."""
    size: Dict[int, int] = {}
    on_path: set = set()
    stack: List[Tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            total = 1
            for child in _children(node):
                total += size[id(child)]
                if total > limit:
                    total = limit + 1
                    break
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            return None
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                return None
            if id(child) not in size:
                stack.append((child, False))
    return size[id(root)]


def _children(node: yaml.Node) -> List[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def compose(text: str, loader_cls: Type[yaml.SafeLoader] = yaml.SafeLoader,
            max_nodes: int = MAX_NODES) -> Optional[yaml.Node]:
    """The document's node graph (None for an empty document), refused past ``max_nodes``."""
    loader = _counting(loader_cls, max_nodes)(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        check(node, max_nodes)
    return node


def check(node: yaml.Node, max_nodes: int = MAX_NODES) -> None:
    """Raise TooLarge when ``node`` expands past ``max_nodes``."""
    size = expanded_size(node, max_nodes)
    if size is None or size > max_nodes:
        raise TooLarge(size, max_nodes, node.start_mark)


def load(text: str, loader_cls: Type[yaml.SafeLoader] = yaml.SafeLoader, max_nodes: int = MAX_NODES) -> Any:
    """Like ``yaml.load(text, loader_cls)`` for a SafeLoader subclass (custom constructors
    welcome), with the expanded size checked before anything is constructed."""
    loader = _counting(loader_cls, max_nodes)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check(node, max_nodes)
        try:
            return loader.construct_document(node)
        except (ValueError, OverflowError, RecursionError) as exc:
            raise BadValue(problem=f"a value cannot be read: {type(exc).__name__}: {str(exc)[:120]}",
                           problem_mark=node.start_mark) from None
    finally:
        loader.dispose()


__all__ = ["BadValue", "MAX_NODES", "TooLarge", "check", "compose", "expanded_size", "load"]
