"""YAML alias bombs and other hostile YAML (issue 11 item 14): refused before construction."""

from __future__ import annotations

import resource
import time

import pytest
import yaml

from ybguard import safeyaml


def bomb(levels: int = 9, width: int = 9, key: str = "") -> str:
    """The classic billion laughs: each level is a list of ``width`` aliases of the one before."""
    lines = ["a0: &a0 [lol]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    if key:
        lines.append(f"{key}: *a{levels}")
    return "\n".join(lines) + "\n"


def test_small_document_loads() -> None:
    assert safeyaml.load("a: [1, 2, {b: c}]\n") == {"a": [1, 2, {"b": "c"}]}
    assert safeyaml.load("") is None


def test_aliases_within_the_limit_are_fine() -> None:
    assert safeyaml.load(bomb(3, 3))["a3"][0][0][0] == ["lol"]


def test_billion_laughs_is_refused_fast_and_small() -> None:
    text = bomb()
    assert len(text) < 1024
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(safeyaml.TooLarge) as exc:
        safeyaml.load(text)
    assert time.monotonic() - start < 5  # measured in bench/hostile.py; this only guards against hanging
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB: < 100 MB grown
    assert exc.value.limit == safeyaml.MAX_NODES
    assert isinstance(exc.value, yaml.YAMLError)


def test_merge_key_bomb_is_refused() -> None:
    lines = ["m0: &m0 {k: v}"]
    for i in range(1, 30):
        lines.append(f"m{i}: &m{i} {{a: *m{i - 1}, b: *m{i - 1}}}")
    lines.append("top: {<<: *m29}")
    with pytest.raises(safeyaml.TooLarge):
        safeyaml.load("\n".join(lines))


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(safeyaml.TooLarge) as exc:
        safeyaml.load("a: &a [x, *a]\n")
    assert exc.value.nodes is None


def test_too_many_plain_nodes_stop_while_composing() -> None:
    with pytest.raises(safeyaml.TooLarge):
        safeyaml.compose("[" + "1," * 30_000 + "1]", max_nodes=20_000)


def test_unconvertible_scalars_are_yaml_errors() -> None:
    with pytest.raises(yaml.YAMLError):
        safeyaml.load("a: " + "9" * 5000 + "\n")


def test_deep_nesting_does_not_exhaust_the_stack_when_measuring() -> None:
    node = yaml.compose("[" * 200 + "]" * 200)
    assert safeyaml.expanded_size(node, 10_000) == 200


def test_netplan_alias_bomb_in_an_image_is_a_config_error() -> None:
    from ybguard.collect.netconfig import ConfigError, parse_netplan

    text = "network:\n  version: 2\n" + "".join("  " + line + "\n" for line in bomb(key="x").splitlines())
    assert len(text) < 1100
    start = time.monotonic()
    with pytest.raises(ConfigError) as exc:
        parse_netplan([("/etc/netplan/01-bomb.yaml", text)])
    assert time.monotonic() - start < 5
    assert "limit" in str(exc.value)


def test_netplan_with_a_huge_integer_is_a_config_error() -> None:
    from ybguard.collect.netconfig import ConfigError, parse_netplan

    with pytest.raises(ConfigError):
        parse_netplan([("/etc/netplan/01.yaml", "network:\n  version: " + "9" * 5000 + "\n")])


def test_netplan_merge_key_bomb_is_refused() -> None:
    """PyYAML shares an aliased list but copies merged keys into every mapping that merges them:
    nine levels of ``<<: [*x, *x, …]`` are 9^9 pairs to construct."""
    from ybguard.collect.netconfig import ConfigError, parse_netplan

    lines = ["x0: &x0 {k: v}"] + [f"x{i}: &x{i} {{<<: [" + ", ".join([f"*x{i - 1}"] * 9) + "]}" for i in range(1, 10)]
    text = "network:\n  version: 2\n" + "".join("  " + line + "\n" for line in lines)
    start = time.monotonic()
    with pytest.raises(ConfigError):
        parse_netplan([("/etc/netplan/01-merge.yaml", text)])
    assert time.monotonic() - start < 5
