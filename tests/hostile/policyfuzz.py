"""A seeded generator of mutated policy documents, for the policy fuzz test (issue 11).

Documents start from real policies (the built-in default, a site policy with every section,
waivers, probes and backups) and are changed the ways that broke the loader before and the
ways people and attackers change YAML: characters YAML treats specially inserted or deleted,
full-width punctuation, tabs, lines duplicated, swapped, re-indented or cut, scalars replaced
by explicitly tagged, huge, non-finite or surrogate values, aliases and alias bombs, deep
nesting, and whole subtrees replaced in the parsed data. Pure: ``documents(seed, n)``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable, Iterator, List

import yaml

from ybguard import safeyaml

REPO = Path(__file__).resolve().parent.parent.parent

SITE = """\
policy:
  id: yb-site
  version: 3
  title: 市医保 门诊终端
network:
  leased_line:
    interfaces: [eth0, "52:54:00:12:34:56"]
  allowed_networks: [10.50.0.0/16, 10.88.0.0/30, "2001:db8:50::/48"]
  allowed_dns: [10.50.0.53]
  forbid_default_route: true
  forbidden_interface_kinds: [wireless, cellular, usb-tether, ppp, vpn, bridge]
  allow_ip_forwarding: false
  allow_proxy: false
  capture: {seconds: 0, max_flows: 10000}
  probe:
    enabled: false
    timeout_seconds: 2.5
    targets:
      - tcp: 203.0.113.10:443
      - dns: www.example.com
      - http: {url: "http://198.51.100.7/", expect_status: 200, expect_body: ok}
usb: {storage: deny, require_driver_disabled: true, optical: deny}
software:
  mode: denylist
  deny: [sunlogin*, todesk*, teamviewer*]
  processes: {deny: [SunloginClient*, ToDesk*]}
accounts: {password_min_length: 8, password_max_age_days: 90, forbid_empty_passwords: true}
time: {ntp_servers: [10.50.0.123], max_offset_seconds: 60}
backups:
  - paths: [/data/his/*.bak, /backup/his/*.bak]
    min_copies: 2
    distinct_disks: true
    max_age_hours: 24
integrity: {paths: [/opt/yibao]}
waivers:
  - check: network.dns
    subject: "*"
    reason: 工单 2026-118 临时
    approved_by: 信息科 张三
    expires: 2026-12-01T18:00:00+08:00
"""

SPECIAL = list(":-[]{},&*!|>'\"#?%@`\\ \t\n") + ["：", "，", "\u3000", "。", "、", "\u00a0", "\ufeff", "\x00", "\x7f",
                                                   "\u2028", "\ud800", "\udfff", "0", "9", "a", "Z", "_", ".", "/"]
VALUES = [
    '!!bool "1"', "!!bool 1", '!!int "{"', "!!int 0x" + "f" * 30, "9" * 4301, "-" + "9" * 50, "1e400", "-1e400",
    ".nan", ".inf", "-.inf", "0o17", "0b102", "1_000", "1:30", "~", "null", "", "[]", "{}", "[[[[]]]]",
    '"\\ud800"', '"\\udfff x"', '"\\U0010ffff"', '"\\x00"', "'it''s'", "yes", "No", "on", "OFF", "true", "0",
    "-1", "2026-12-01", "2026-12-01T18:00:00", "2026-13-45T99:99:99+08:00", "!!timestamp 2026-12-01",
    "!!binary aGVsbG8=", "!!set {a: null}", "!!omap [{a: 1}]", "!python/object:os.system x", "!custom x",
    "!!str 5", "*nope", "&a x", "*a", "|\n  block\n  text", ">-\n  folded", "10.300.0.0/16", "0.0.0.0/0",
    "10.50.0.1/16", "::/0", "2000::/3", "eth0/1", "a" * 5000, "医保" * 50, "teamviewer[", "net]work",
    "tcp: 1.2.3.4:99999", "{tcp: a, dns: b}", "[10.0.0.0/8， 10.1.0.0/16]",
]
SEED_DOCS = ((REPO / "src/ybguard/data/default-policy.yaml").read_text(encoding="utf-8"), SITE)


def _lines(text: str) -> List[str]:
    return text.split("\n")


def m_insert(r: random.Random, text: str) -> str:
    i = r.randrange(len(text) + 1)
    return text[:i] + r.choice(SPECIAL) + text[i:]


def m_delete(r: random.Random, text: str) -> str:
    if not text:
        return text
    i = r.randrange(len(text))
    return text[:i] + text[i + r.randint(1, 8):]


def m_line(r: random.Random, text: str) -> str:
    lines = _lines(text)
    i = r.randrange(len(lines))
    op = r.randrange(5)
    if op == 0:
        lines.insert(i, lines[r.randrange(len(lines))])  # duplicate (a duplicate key, a repeated item)
    elif op == 1:
        j = r.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 2:
        lines[i] = " " * r.choice((0, 1, 2, 3, 4, 6, 8)) + lines[i].lstrip()  # wrong indentation
    elif op == 3:
        lines[i] = "\t" + lines[i]
    else:
        del lines[i]
    return "\n".join(lines)


def m_value(r: random.Random, text: str) -> str:
    lines = _lines(text)
    candidates = [i for i, ln in enumerate(lines) if ": " in ln and not ln.lstrip().startswith("#")]
    if not candidates:
        return text
    i = r.choice(candidates)
    key, _, _ = lines[i].partition(": ")
    value = r.choice(VALUES)
    if "\n" in value:
        indent = " " * (len(key) - len(key.lstrip()) + 2)
        value = value.replace("\n", "\n" + indent)
    lines[i] = f"{key}: {value}"
    return "\n".join(lines)


def m_fullwidth(r: random.Random, text: str) -> str:
    lines = _lines(text)
    i = r.randrange(len(lines))
    lines[i] = lines[i].replace(":", "：", 1) if r.random() < 0.6 else lines[i].replace(",", "，", 1)
    return "\n".join(lines)


def m_truncate(r: random.Random, text: str) -> str:
    return text[: r.randrange(len(text) + 1)]


def m_bomb(r: random.Random, text: str) -> str:
    levels, width = r.randint(2, 10), r.randint(2, 10)
    lines = ["zz0: &zz0 [lol]"] + [f"zz{i}: &zz{i} [" + ", ".join([f"*zz{i - 1}"] * width) + "]"
                                   for i in range(1, levels + 1)]
    return text + "\n" + "\n".join(lines) + "\n"


def m_nest(r: random.Random, text: str) -> str:
    depth = r.choice((10, 100, 1000, 5000))
    return text.replace("usb:", "usb: " + "[" * depth + "]" * depth + "\nusb_x:", 1)


def _random_value(r: random.Random, depth: int = 0) -> Any:
    kind = r.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return r.randint(-10 ** r.randint(0, 30), 10 ** r.randint(0, 30))
    if kind == 1:
        return r.choice((0.5, -1.5, float("inf"), float("nan"), 1e308))
    if kind == 2:
        return r.choice((True, False, None))
    if kind == 3:
        return "".join(r.choice(SPECIAL[:-6] + ["x", "医"]) for _ in range(r.randint(0, 12)))
    if kind == 4:
        return r.choice(("10.0.0.0/8", "eth0", "*", "network.*", "2026-12-01T00:00:00+08:00", "/data"))
    if kind == 5:
        return r.choice(VALUES)
    if kind == 6:
        return [_random_value(r, depth + 1) for _ in range(r.randint(0, 4))]
    return {r.choice(("id", "deny", "storage", "paths", "check", "x", "tcp", "url", "enabled")): _random_value(r, depth + 1)
            for _ in range(r.randint(0, 4))}


def m_tree(r: random.Random, text: str) -> str:
    """Replace one subtree of the parsed document and write it back as YAML."""
    try:  # bounded: the documents may hold alias bombs and tags PyYAML chokes on
        data = safeyaml.load(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader), max_nodes=20_000)
    except Exception:  # noqa: BLE001 - a document the generator cannot rewrite stays as it is
        return text
    if not isinstance(data, dict) or not data:
        return text
    node: Any = data
    for _ in range(r.randint(1, 3)):
        if isinstance(node, dict) and node:
            key = r.choice(list(node))
            if r.random() < 0.4 or not isinstance(node[key], (dict, list)):
                node[key] = _random_value(r)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            i = r.randrange(len(node))
            if r.random() < 0.4 or not isinstance(node[i], (dict, list)):
                node[i] = _random_value(r)
                break
            node = node[i]
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, UnicodeEncodeError, RecursionError):
        return text


MUTATIONS: List[Callable[[random.Random, str], str]] = [
    m_insert, m_insert, m_delete, m_line, m_line, m_value, m_value, m_value, m_fullwidth, m_truncate, m_bomb,
    m_nest, m_tree, m_tree,
]


def documents(seed: int, count: int) -> Iterator[str]:
    r = random.Random(seed)
    for _ in range(count):
        text = r.choice(SEED_DOCS)
        for _ in range(r.choice((1, 1, 1, 2, 3, 5))):
            text = r.choice(MUTATIONS)(r, text)
        yield text
