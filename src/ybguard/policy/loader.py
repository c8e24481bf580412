"""YAML -> Policy, with every problem reported as file:line:column, field path and expectation.

We compose the YAML into nodes (which carry marks) instead of loading plain data, so that a
wrong value deep in a list can still be pointed at precisely.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import ipaddress
import os
import re
import stat
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

import yaml

from .. import safeyaml
from . import schema as s
from .interface import EnglishOnly, PolicyError, Tr

MAX_POLICY_BYTES = 1024 * 1024  # real policies are a few KiB; anything this big is a mistake
MAX_ERRORS = 10  # problems reported at once; past that the file is far from a policy
YAML_TAG = "tag:yaml.org,2002:"
SYSTEM_POLICY_PATH = "/etc/ybguard/policy.yaml"
T = TypeVar("T")
Parser = Callable[[yaml.Node, str, "Ctx"], Any]


class _Reported(Exception):
    """A part of the document whose problems are already in ``Ctx.errors``."""


class _Full(Exception):
    """MAX_ERRORS problems are known: stop reading the document."""


class Ctx:
    def __init__(self, file: str, known_checks: Optional[Sequence[str]] = None) -> None:
        self.file = file
        self.known_checks = known_checks  # check ids a waiver may name; None = not checked
        self.errors: List[PolicyError] = []
        self._resolver = yaml.resolver.Resolver()

    def error(self, node: Optional[yaml.Node], path: str, message_key: str, suffix: tuple = (),
              **args: Any) -> PolicyError:
        line = col = None
        if node is not None:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
        return PolicyError(self.file, line, col, path, message_key, tuple(sorted(args.items())), suffix)

    def report(self, exc: PolicyError) -> None:
        """Keep ``exc`` and go on with the rest of the file, until MAX_ERRORS are known."""
        self.errors.append(exc)
        if len(self.errors) >= MAX_ERRORS:
            raise _Full()

    def combined(self) -> PolicyError:
        first, *rest = sorted(self.errors, key=lambda e: (e.line or 0, e.column or 0))
        return PolicyError(first.file, first.line, first.column, first.path, first.message_key, first.args,
                           first.suffix, tuple(rest))

    def implicit_tag(self, value: str) -> str:
        """The tag a plain scalar with this text would get (YAML 1.1, as PyYAML resolves it)."""
        return str(self._resolver.resolve(yaml.ScalarNode, value, (True, False)))


def _guard(ctx: Ctx, parser: Parser, node: yaml.Node, path: str) -> Tuple[bool, Any]:
    """(True, value), or (False, None) once the problem is recorded in ``ctx``."""
    try:
        return True, parser(node, path, ctx)
    except _Reported:
        return False, None
    except PolicyError as exc:
        ctx.report(exc)
        return False, None


_FOUND = {"str": "policy.found.text", "int": "policy.found.int", "float": "policy.found.float",
          "bool": "policy.found.bool", "timestamp": "policy.found.timestamp", "binary": "policy.found.other"}


def _describe(node: yaml.Node) -> Tr:
    if isinstance(node, yaml.MappingNode):
        return Tr("policy.found.mapping")
    if isinstance(node, yaml.SequenceNode):
        return Tr("policy.found.list")
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "null":
        return Tr("policy.found.null")
    value = node.value if len(node.value) <= 60 else node.value[:57] + "..."
    return Tr(_FOUND.get(tag, "policy.found.other"), (("tag", tag), ("value", repr(value))))


def _expect(node: yaml.Node, path: str, ctx: Ctx, expected: str, **args: Any) -> PolicyError:
    """``expected`` is the suffix of an ``policy.expect.*`` message key."""
    return ctx.error(node, path, "policy.expected", expected=Tr("policy.expect." + expected, tuple(sorted(args.items()))),
                     found=_describe(node))


# ---- scalar parsers -------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_tag(node: yaml.Node, path: str, ctx: Ctx) -> None:
    """An explicit tag must fit its node: ``!!bool "1"`` is not a boolean (PyYAML would read it
    as false and switch a check off), ``!!int "{"`` no number, and a mapping or list tagged
    ``!anything`` (``!!set``, ``!!omap``, ``!python/…``) is not one a policy can hold."""
    tag = node.tag or ""
    if isinstance(node, yaml.MappingNode):
        if tag != YAML_TAG + "map":
            raise ctx.error(node, path, "policy.bad_tag", tag=tag, kind=Tr("policy.found.mapping"))
        return
    if isinstance(node, yaml.SequenceNode):
        if tag != YAML_TAG + "seq":
            raise ctx.error(node, path, "policy.bad_tag", tag=tag, kind=Tr("policy.found.list"))
        return
    if not tag.startswith(YAML_TAG):
        raise ctx.error(node, path, "policy.bad_tag", tag=tag, kind=Tr("policy.found.scalar"))
    name = tag[len(YAML_TAG):]
    if name == "str":
        return
    implicit = ctx.implicit_tag(str(node.value))
    if implicit != tag and not (name == "float" and implicit == YAML_TAG + "int"):
        value = node.value if len(node.value) <= 60 else node.value[:57] + "..."
        raise ctx.error(node, path, "policy.tag_mismatch", tag="!!" + name, value=repr(value))


def _scalar(node: yaml.Node, path: str, ctx: Ctx, tags: Tuple[str, ...], expected: str, **args: Any) -> str:
    _check_tag(node, path, ctx)
    if not isinstance(node, yaml.ScalarNode) or node.tag[len(YAML_TAG):] not in tags:
        raise _expect(node, path, ctx, expected, **args)
    value = str(node.value)
    bad = _SURROGATE.search(value)
    if bad:  # "\ud800" in a double-quoted string: no UTF-8 report or console can carry it
        raise ctx.error(node, path, "policy.surrogate", code=f"U+{ord(bad.group()):04X}")
    return value


def p_str(node: yaml.Node, path: str, ctx: Ctx) -> str:
    value = _scalar(node, path, ctx, ("str",), "text")
    if not value.strip():
        raise _expect(node, path, ctx, "nonempty_text")
    return value


def p_text(node: yaml.Node, path: str, ctx: Ctx) -> str:
    """Free text that may be empty (a title)."""
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        return ""
    return _scalar(node, path, ctx, ("str",), "text")


def p_bool(node: yaml.Node, path: str, ctx: Ctx) -> bool:
    value = _scalar(node, path, ctx, ("bool",), "bool")
    return value.lower() in ("true", "yes", "on")


MAX_INT_DIGITS = 18  # no policy number comes near; int() of 4,301 digits raises in Python 3.11+


def yaml_int(text: str) -> Optional[int]:
    """A YAML 1.1 integer as PyYAML reads it (``_`` separators, 0b/0x/0 octal, sexagesimal
    ``1:30``), or None when the text is none or is too long to be a policy value."""
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    value = value.lstrip("+-")
    if not value or len(value) > MAX_INT_DIGITS + 2:
        return None
    try:
        if value == "0":
            return 0
        if value.startswith("0b"):
            return sign * int(value[2:], 2)
        if value.startswith("0x"):
            return sign * int(value[2:], 16)
        if value.startswith("0") and ":" not in value:
            return sign * int(value, 8)
        if ":" in value:
            return sign * _sexagesimal(value, int)
        return sign * int(value)
    except ValueError:
        return None


def _sexagesimal(value: str, convert: Callable[[str], Any]) -> Any:
    """YAML 1.1's base 60: ``1:30`` is 90."""
    total = convert("0")
    for part in value.split(":"):
        total = total * 60 + convert(part)
    return total


def yaml_float(text: str) -> Optional[float]:
    """A YAML 1.1 float as PyYAML reads it, or None."""
    value = text.replace("_", "").lower()
    sign = -1.0 if value.startswith("-") else 1.0
    value = value.lstrip("+-")
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    try:
        if ":" in value:
            return sign * float(_sexagesimal(value, float))
        return sign * float(value)
    except (ValueError, OverflowError):
        return None


def p_int(node: yaml.Node, path: str, ctx: Ctx) -> int:
    text = _scalar(node, path, ctx, ("int",), "int")
    value = yaml_int(text)
    if value is None:
        raise _expect(node, path, ctx, "int")
    if value < 0:
        raise ctx.error(node, path, "policy.negative", value=value)
    return value


def p_positive_int(node: yaml.Node, path: str, ctx: Ctx) -> int:
    value = p_int(node, path, ctx)
    if value == 0:
        raise ctx.error(node, path, "policy.must_be_positive", value=value)
    return value


def p_number(node: yaml.Node, path: str, ctx: Ctx) -> float:
    text = _scalar(node, path, ctx, ("int", "float"), "number")
    value = yaml_int(text) if node.tag == YAML_TAG + "int" else yaml_float(text)
    if value is None or value != value or value in (float("inf"), float("-inf")):
        raise _expect(node, path, ctx, "finite_number")
    if value < 0:
        raise ctx.error(node, path, "policy.negative", value=value)
    return float(value)


def p_positive_number(node: yaml.Node, path: str, ctx: Ctx) -> float:
    value = p_number(node, path, ctx)
    if value == 0:
        raise ctx.error(node, path, "policy.must_be_positive", value=node.value)
    return value


def p_choice(*choices: str) -> Parser:
    def parse(node: yaml.Node, path: str, ctx: Ctx) -> str:
        value = _scalar(node, path, ctx, ("str",), "choice", choices=", ".join(choices))
        if value not in choices:
            raise ctx.error(node, path, "policy.bad_choice", value=value, choices=", ".join(choices))
        return value

    return parse


def p_cidr(node: yaml.Node, path: str, ctx: Ctx) -> s.IPNetwork:
    value = _scalar(node, path, ctx, ("str",), "cidr")
    try:
        return ipaddress.ip_network(value.strip(), strict=True)
    except ValueError:
        pass
    try:  # 10.50.0.1/16 is a common slip: say which network was meant
        loose = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ctx.error(node, path, "policy.bad_cidr", value=value) from None
    raise ctx.error(node, path, "policy.cidr_host_bits", value=value, suggestion=str(loose))


# The most globally routable space one allowed network may cover: a /8 of IPv4 (a whole provincial
# allocation fits), a /16 of IPv6. More is not a 医保 network but most of the Internet, and would
# silently switch off every route, address and socket check.
MAX_ALLOWED_GLOBAL = {4: 1 << 24, 6: 1 << 112}


@functools.lru_cache(maxsize=1)
def _public_space() -> Any:
    """Built once: rebuilding it for each of 40,000 allowed networks took seconds."""
    from ..checks.network import Space  # the one definition of globally routable space

    return Space(())


def p_allowed_network(node: yaml.Node, path: str, ctx: Ctx) -> s.IPNetwork:
    net = p_cidr(node, path, ctx)
    public = sum(end - start + 1 for start, end in _public_space().gaps(net))
    if public > MAX_ALLOWED_GLOBAL[net.version]:
        raise ctx.error(node, path, "policy.allowed_too_broad", value=str(net),
                        limit="/8" if net.version == 4 else "/16")
    return net


def p_ip(node: yaml.Node, path: str, ctx: Ctx) -> s.IPAddress:
    value = _scalar(node, path, ctx, ("str",), "ip")
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        raise ctx.error(node, path, "policy.bad_ip", value=value) from None


_GLOB_OK = re.compile(r"^[^\x00-\x1f\x7f]+$")


def glob_problem(pattern: str) -> Optional[str]:
    """Why ``pattern`` is not a usable glob (an i18n key), or None.

    fnmatch quietly treats a broken ``[`` class as literal text, so ``teamviewer[`` would never
    match anything and a denylist entry would silently stop working; refuse it instead.
    """
    if not pattern or not _GLOB_OK.match(pattern):
        return "policy.glob.control"
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":  # a ']' first in a class is literal
                j += 1
            close = pattern.find("]", j)
            if close == -1:
                return "policy.glob.unclosed"
            i = close
        elif ch == "]":
            return "policy.glob.stray_close"
        i += 1
    return None


def p_glob(node: yaml.Node, path: str, ctx: Ctx) -> str:
    value = _scalar(node, path, ctx, ("str", "int"), "glob")
    problem = glob_problem(value)
    if problem:
        raise ctx.error(node, path, "policy.bad_glob", value=value, reason=Tr(problem))
    return value


_MAC = re.compile(r"^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$")
_IFNAME = re.compile(r"^[^\s/:\x00]{1,15}$")
# A Windows connection name as ncpa.cpl shows it ("Local Area Connection 2", "以太网 2"): spaces
# allowed, none of \ / : * ? " < > | and no control characters, no outer blanks.
_WIN_CONNECTION = re.compile(r'^(?! )[^\x00-\x1f\\/:*?"<>|]{1,256}(?<! )$')


def p_iface(node: yaml.Node, path: str, ctx: Ctx) -> str:
    value = _scalar(node, path, ctx, ("str",), "iface")
    if _MAC.match(value):
        return value.lower().replace("-", ":")
    if _IFNAME.match(value) or _WIN_CONNECTION.match(value):
        return value
    raise ctx.error(node, path, "policy.bad_iface", value=value)


def p_abs_path(node: yaml.Node, path: str, ctx: Ctx) -> str:
    value = _scalar(node, path, ctx, ("str",), "abs_path")
    # POSIX, a drive letter, or on Windows a UNC share (\\server\share\...) or a \\?\ long path
    if not (value.startswith("/") or re.match(r"^([A-Za-z]:[\\/]|\\\\[^\\/]+\\)", value)):
        raise ctx.error(node, path, "policy.bad_path", value=value)
    problem = glob_problem(value)
    if problem:
        raise ctx.error(node, path, "policy.bad_glob", value=value, reason=Tr(problem))
    return value


def p_host(node: yaml.Node, path: str, ctx: Ctx) -> str:
    value = _scalar(node, path, ctx, ("str",), "host")
    if not re.match(r"^[A-Za-z0-9.:\-\[\]_]+$", value):
        raise _expect(node, path, ctx, "host")
    return value


def p_datetime_tz(node: yaml.Node, path: str, ctx: Ctx) -> datetime:
    value = _scalar(node, path, ctx, ("str", "timestamp"), "datetime_tz")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # YAML allows "2026-12-01 18:00:00 +08:00" and "+0800"; Python 3.9's fromisoformat allows neither.
    text = re.sub(r"\s+([+-]\d{2}(:?\d{2})?)$", r"\1", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    text = re.sub(r"([+-]\d{2})$", r"\1:00", text) if re.search(r"[T ]\d{2}:\d{2}.*[+-]\d{2}$", text) else text
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    text = re.sub(r"\.(\d{1,5})(?=[+-]|$)", lambda m: "." + m.group(1).ljust(6, "0"), text)
    if re.match(r"^\d{4}-\d{2}-\d{2}[ \t]+\d", text):
        text = re.sub(r"[ \t]+", "T", text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ctx.error(node, path, "policy.bad_datetime", value=value) from None
    if parsed.tzinfo is None:
        raise ctx.error(node, path, "policy.no_timezone", value=value)
    return parsed


def p_list(item: Parser) -> Parser:
    def parse(node: yaml.Node, path: str, ctx: Ctx) -> tuple:
        if isinstance(node, yaml.ScalarNode) and node.tag == YAML_TAG + "null":
            return ()
        _check_tag(node, path, ctx)
        if not isinstance(node, yaml.SequenceNode):
            raise _expect(node, path, ctx, "list")
        out = []
        failed = False
        for i, child in enumerate(node.value):
            ok, value = _guard(ctx, item, child, f"{path}[{i}]")
            failed = failed or not ok
            out.append(value)
        if failed:
            raise _Reported()
        return tuple(out)

    parse.item = item  # type: ignore[attr-defined]
    return parse


# ---- mappings -------------------------------------------------------------------------------

Spec = Dict[str, Tuple[Parser, bool]]  # key -> (parser, required)


def _mapping(node: yaml.Node, path: str, ctx: Ctx, spec: Spec) -> Dict[str, Any]:
    """The keys of ``spec`` found in ``node``, parsed. Every problem inside is recorded and the
    rest of the mapping still read, so that one run of ``policy validate`` names them all."""
    if isinstance(node, yaml.ScalarNode) and node.tag == YAML_TAG + "null":
        node = yaml.MappingNode(YAML_TAG + "map", [], node.start_mark, node.end_mark)
    _check_tag(node, path, ctx)
    if not isinstance(node, yaml.MappingNode):
        raise _expect(node, path, ctx, "mapping")
    seen: Dict[str, Any] = {}
    failed = set()
    known = len(ctx.errors)
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            ctx.report(_expect(key_node, path, ctx, "key"))
            continue
        key = str(key_node.value)
        child = f"{path}.{key}" if path else key
        if key in seen or key in failed:
            ctx.report(ctx.error(key_node, child, "policy.duplicate_key", key=key))
            continue
        if key not in spec:
            ctx.report(ctx.error(key_node, child, "policy.unknown_key", suffix=_key_hint(key, path, spec), key=key))
            failed.add(key)
            continue
        parser, _required = spec[key]
        ok, value = _guard(ctx, parser, value_node, child)
        if ok:
            seen[key] = value
        else:
            failed.add(key)
    for key, (_parser, required) in spec.items():
        if required and key not in seen and key not in failed:
            ctx.report(ctx.error(node, path, "policy.missing_key", key=key))
            failed.add(key)
    if failed or len(ctx.errors) > known:
        raise _Reported()
    return seen


def _key_hint(key: str, path: str, spec: Spec) -> tuple:
    """What to say after "unknown key": where the key belongs when it is a real key at another
    indentation ("indent it under network:"), else the nearest key here, else the keys here."""
    homes = [h for h in KEY_HOMES.get(key, ()) if h != path]
    if homes:
        if homes[0] == "":
            return (("policy.hint.top_level", (("key", key),)),)
        return (("policy.hint.indent_under", (("key", key), ("parent", homes[0]))),)
    suggestion = difflib.get_close_matches(key, list(spec), n=1, cutoff=0.6)
    if suggestion:
        return (("policy.did_you_mean", (("suggestion", suggestion[0]),)),)
    return (("policy.allowed_keys", (("keys", ", ".join(spec)),)),)


def p_record(cls: type, spec: Spec) -> Parser:
    def parse(node: yaml.Node, path: str, ctx: Ctx) -> Any:
        return cls(**_mapping(node, path, ctx, spec))

    parse.spec = spec  # type: ignore[attr-defined]
    return parse


def p_probe_target(node: yaml.Node, path: str, ctx: Ctx) -> s.ProbeTarget:
    _check_tag(node, path, ctx)
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        raise ctx.error(node, path, "policy.probe_target")
    key_node, value_node = node.value[0]
    kind = str(key_node.value)
    child = f"{path}.{kind}"
    if kind == "tcp":
        value = _scalar(value_node, child, ctx, ("str",), "hostport")
        m = re.match(r"^\[?([^\[\]]+?)\]?:(\d{1,5})$", value.strip())
        if not m or not (0 < int(m.group(2)) < 65536):
            raise ctx.error(value_node, child, "policy.bad_hostport", value=value)
        return s.ProbeTarget("tcp", value, host=m.group(1), port=int(m.group(2)))
    if kind == "dns":
        value = p_host(value_node, child, ctx)
        return s.ProbeTarget("dns", value, host=value)
    if kind == "http":
        if isinstance(value_node, yaml.MappingNode):
            got = _mapping(value_node, child, ctx, {
                "url": (p_str, True), "expect_status": (p_positive_int, False), "expect_body": (p_str, False)})
            url = got["url"]
        else:
            url = _scalar(value_node, child, ctx, ("str",), "url")
            got = {}
        if not re.match(r"^https?://[^/\s]+", url):
            raise ctx.error(value_node, child, "policy.bad_url", value=url)
        host = re.sub(r"^https?://", "", url).split("/", 1)[0]
        return s.ProbeTarget("http", url, host=host, expect_status=got.get("expect_status"),
                             expect_body=got.get("expect_body"))
    suggestion = difflib.get_close_matches(kind, ["tcp", "dns", "http"], n=1)
    suffix = (("policy.did_you_mean", (("suggestion", suggestion[0]),)),) if suggestion else ()
    raise ctx.error(key_node, child, "policy.unknown_key", suffix=suffix, key=kind)


META = p_record(s.PolicyMeta, {"id": (p_str, True), "version": (p_positive_int, False), "title": (p_text, False)})
NETWORK = p_record(s.NetworkPolicy, {
    "leased_line": (p_record(s.LeasedLine, {"interfaces": (p_list(p_iface), False)}), False),
    "allowed_networks": (p_list(p_allowed_network), False),
    "allowed_dns": (p_list(p_ip), False),
    "forbid_default_route": (p_bool, False),
    "forbidden_interface_kinds": (p_list(p_choice(*s.INTERFACE_KINDS)), False),
    "allow_ip_forwarding": (p_bool, False),
    "allow_proxy": (p_bool, False),
    "capture": (p_record(s.CaptureSettings, {"seconds": (p_number, False), "max_flows": (p_positive_int, False)}), False),
    "probe": (p_record(s.ProbeSettings, {
        "enabled": (p_bool, False),
        "timeout_seconds": (p_positive_number, False),
        "targets": (p_list(p_probe_target), False),
    }), False),
})
USB = p_record(s.UsbPolicy, {
    "storage": (p_choice("deny", "allow"), False),
    "require_driver_disabled": (p_bool, False),
    "optical": (p_choice("deny", "allow"), False),
})
_SOFTWARE_SPEC: Spec = {
    "mode": (p_choice("allowlist", "denylist"), False),
    "allow": (p_list(p_glob), False),
    "deny": (p_list(p_glob), False),
    "processes": (p_record(s.ProcessPolicy, {"deny": (p_list(p_glob), False)}), False),
}


def SOFTWARE(node: yaml.Node, path: str, ctx: Ctx) -> s.SoftwarePolicy:  # noqa: N802 - a parser like its peers
    """``allow`` is only read in allowlist mode: in denylist mode a non-empty list would be
    silently ignored (and a reader would take it for exceptions), so it is refused."""
    got = _mapping(node, path, ctx, _SOFTWARE_SPEC)
    policy = s.SoftwarePolicy(**got)
    if policy.mode != "allowlist" and policy.allow:
        allow_node = next(v for k, v in node.value if str(k.value) == "allow")
        raise ctx.error(allow_node, f"{path}.allow", "policy.allow_needs_allowlist", mode=policy.mode)
    return policy


SOFTWARE.spec = _SOFTWARE_SPEC  # type: ignore[attr-defined]
ACCOUNTS = p_record(s.AccountsPolicy, {
    "password_min_length": (p_int, False),
    "password_max_age_days": (p_positive_int, False),
    "forbid_empty_passwords": (p_bool, False),
})
TIME = p_record(s.TimePolicy, {"ntp_servers": (p_list(p_host), False), "max_offset_seconds": (p_positive_number, False)})
BACKUP = p_record(s.BackupRule, {
    "paths": (p_list(p_abs_path), True),
    "min_copies": (p_positive_int, False),
    "distinct_disks": (p_bool, False),
    "max_age_hours": (p_positive_number, False),
})
INTEGRITY = p_record(s.IntegrityPolicy, {"paths": (p_list(p_abs_path), False)})
HISTORY = p_record(s.HistoryPolicy, {"days": (p_positive_int, False), "allowed_domains": (p_list(p_glob), False)})


def p_waiver_check(node: yaml.Node, path: str, ctx: Ctx) -> str:
    """A waiver's ``check`` glob must match a check: a typo would waive nothing, silently.
    (Checked when the loader is told the check ids, as the CLI does.)"""
    pattern = p_glob(node, path, ctx)
    import fnmatch

    ids = ctx.known_checks
    if ids is not None and not any(fnmatch.fnmatchcase(i, pattern) for i in ids):
        near = difflib.get_close_matches(pattern, list(ids or ()), n=1, cutoff=0.6)
        suffix: tuple = (("policy.did_you_mean", (("suggestion", near[0]),)),) if near else (
            ("policy.hint.list_checks", ()),)
        raise ctx.error(node, path, "policy.waiver_no_check", suffix=suffix, value=pattern)
    return pattern


WAIVER = p_record(s.Waiver, {
    "check": (p_waiver_check, True),
    "subject": (p_glob, False),
    "reason": (p_str, True),
    "approved_by": (p_str, True),
    "expires": (p_datetime_tz, True),
})
SITE = p_record(s.Site, {name: (p_text, False) for name in s.SITE_FIELDS})


def p_djbh_level(node: yaml.Node, path: str, ctx: Ctx) -> int:
    value = _scalar(node, path, ctx, ("int",), "choice", choices="2, 3")
    if value not in ("2", "3"):
        raise ctx.error(node, path, "policy.bad_choice", value=value, choices="2, 3")
    return int(value)


def p_port(node: yaml.Node, path: str, ctx: Ctx) -> int:
    value = p_positive_int(node, path, ctx)
    if value > 65535:
        raise _expect(node, path, ctx, "port")
    return value


DJBH = p_record(s.DjbhPolicy, {
    "password_min_classes": (p_int, False),
    "lockout_max_attempts": (p_positive_int, False),
    "lockout_min_minutes": (p_int, False),
    "idle_lock_max_minutes": (p_positive_int, False),
    "audit_log_min_mb": (p_int, False),
    "allowed_listen_ports": (p_list(p_port), False),
    "allowed_services": (p_list(p_glob), False),
    "signature_max_age_days": (p_positive_int, False),
    "patch_max_age_days": (p_positive_int, False),
    "min_windows_build": (p_text, False),
})
TOP: Spec = {
    "policy": (META, True),
    "network": (NETWORK, False),
    "usb": (USB, False),
    "software": (SOFTWARE, False),
    "accounts": (ACCOUNTS, False),
    "time": (TIME, False),
    "backups": (p_list(BACKUP), False),
    "integrity": (INTEGRITY, False),
    "history": (HISTORY, False),
    "waivers": (p_list(WAIVER), False),
    "site": (SITE, False),
    "djbh_level": (p_djbh_level, False),
    "djbh": (DJBH, False),
}


def _key_homes(spec: Spec, path: str, out: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """key -> the mapping paths ("", "network", "network.probe" …) where it is a valid key."""
    for key, (parser, _required) in spec.items():
        out.setdefault(key, []).append(path)
        inner = getattr(parser, "spec", None)
        if inner is not None:
            _key_homes(inner, f"{path}.{key}" if path else key, out)
    return out


KEY_HOMES: Mapping[str, List[str]] = _key_homes(TOP, "", {})


class _Loader(yaml.SafeLoader):
    """SafeLoader; composing only, so no object construction ever happens."""


_FastLoader: Any = getattr(yaml, "CSafeLoader", _Loader)  # libyaml composes 40,000 entries ~9x faster

# PyYAML's words for the syntax errors people make, and ours for them (中文 and English).
_YAML_PROBLEMS = (
    ("found character '\\t'", "policy.yaml.tab"),
    ("mapping values are not allowed", "policy.yaml.colon"),
    ("expected ',' or ']'", "policy.yaml.unclosed_list"),
    ("expected ',' or '}'", "policy.yaml.unclosed_mapping"),
    ("could not find expected ':'", "policy.yaml.no_colon"),
    ("expected <block end>", "policy.yaml.indent"),
    ("found undefined alias", "policy.yaml.alias"),
    ("found unexpected end of stream", "policy.yaml.unclosed_quote"),
    ("found unknown escape character", "policy.yaml.escape"),
    ("special characters are not allowed", "policy.yaml.bad_char"),
    ("found unacceptable character", "policy.yaml.bad_char"),
    ("expected a comment or a line break", "policy.yaml.after_value"),
    ("found duplicate anchor", "policy.yaml.anchor"),
    ("expected alphabetic or numeric character", "policy.yaml.anchor"),
)


def _yaml_problem(problem: str) -> Tr:
    for needle, key in _YAML_PROBLEMS:
        if needle in problem:
            return Tr(key, (("detail", EnglishOnly(f" ({problem})")),))
    return Tr("policy.yaml.other", (("detail", EnglishOnly(problem)),))


_KEY_FULLWIDTH_COLON = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*：")
_FLOW_START = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_]*\s*[:：]\s*[\[{]")


def _unquoted(line: str) -> str:
    """``line`` with quoted parts blanked and the comment cut, columns kept."""
    out = []
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            out.append(" ")
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
            out.append(" ")
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        else:
            out.append(ch)
    return "".join(out)


def lint_policy_text(text: str, file: str) -> List[PolicyError]:
    """Mistakes YAML would report confusingly or not at all: a tab or full-width space in the
    indentation, a full-width colon after a key (``network：``), a full-width comma in a
    ``[…]`` list — what a Chinese input method types. All of them, in file order."""
    out: List[PolicyError] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        bad = _SURROGATE.search(line)
        if bad:  # only text that never came from UTF-8 bytes holds one
            out.append(PolicyError(file, lineno, bad.start() + 1, "", "policy.surrogate",
                                   (("code", f"U+{ord(bad.group()):04X}"),)))
        indent = len(line) - len(line.lstrip(" \t\u3000"))
        lead = line[:indent]
        if "\t" in lead:
            out.append(PolicyError(file, lineno, lead.index("\t") + 1, "", "policy.lint.tab"))
        elif "\u3000" in lead:
            out.append(PolicyError(file, lineno, lead.index("\u3000") + 1, "", "policy.lint.fullwidth_space"))
        if "：" not in line and "，" not in line:
            continue
        plain = _unquoted(line)
        m = _KEY_FULLWIDTH_COLON.match(plain)
        if m:
            out.append(PolicyError(file, lineno, plain.index("：", m.start(2)) + 1, "", "policy.lint.fullwidth_colon",
                                   (("key", m.group(2)),)))
        if _FLOW_START.match(plain) and "，" in plain:
            out.append(PolicyError(file, lineno, plain.index("，") + 1, "", "policy.lint.fullwidth_comma"))
        if len(out) >= MAX_ERRORS:
            break
    return out


MAX_FLOW_DEPTH = 100  # "[[[[…" this deep is no policy; PyYAML would recurse for seconds before giving up
_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    depth = 0
    for m in _BRACKETS.finditer(text):  # quoted brackets count too: a false alarm needs 100 of them
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_FLOW_DEPTH:
            return True
    return False


def _compose(text: str, file: str) -> yaml.Node:
    if _too_deep(text):
        raise PolicyError(file, None, None, "", "policy.too_deep")
    try:
        try:
            node = safeyaml.compose(text, _FastLoader)
        except yaml.MarkedYAMLError:
            if _FastLoader is _Loader:
                raise
            node = safeyaml.compose(text, _Loader)  # PyYAML's own words and marks for the error
    except safeyaml.TooLarge as exc:
        raise PolicyError(file, None, None, "", "policy.too_many_nodes", (("limit", exc.limit),)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise PolicyError(file, line, col, "", "policy.yaml_syntax", (("problem", _yaml_problem(problem)),)) from None
    except yaml.YAMLError as exc:
        raise PolicyError(file, None, None, "", "policy.yaml_syntax",
                          (("problem", _yaml_problem(str(exc))),)) from None
    except RecursionError:  # thousands of nested brackets: not a policy, and not worth a traceback
        raise PolicyError(file, None, None, "", "policy.too_deep") from None
    if node is None:
        raise PolicyError(file, None, None, "", "policy.empty")
    return node


def parse_policy_text(text: str, file: str = "<policy>", sha256: str = "",
                      known_checks: Optional[Sequence[str]] = None) -> s.Policy:
    """Pure: YAML text -> Policy, or PolicyError with a precise location (and, in ``more``,
    the file's other problems, up to MAX_ERRORS). With ``known_checks``, a waiver must name
    one of them."""
    ctx = Ctx(file, known_checks)
    if not text.strip() or all(line.strip().startswith("#") or not line.strip() for line in text.splitlines()):
        raise PolicyError(file, None, None, "", "policy.empty")
    lint = lint_policy_text(text, file)
    if lint:
        ctx.errors = lint
        raise ctx.combined()
    node = _compose(text, file)
    try:
        parsed = _mapping(node, "", ctx, TOP)
    except (_Reported, _Full):
        raise ctx.combined() from None
    except RecursionError:
        raise PolicyError(file, None, None, "", "policy.too_deep") from None
    if ctx.errors:
        raise ctx.combined()
    parsed["meta"] = parsed.pop("policy")
    return s.Policy(source=file, sha256=sha256, **parsed)


def policy_warnings(policy: s.Policy, now: datetime) -> List[Tr]:
    """What ``policy validate`` says without refusing the policy: waivers already expired."""
    return [Tr("policy.warn.waiver_expired", (("index", i), ("check", w.check), ("subject", w.subject),
                                              ("expires", w.expires.isoformat())))
            for i, w in enumerate(policy.waivers) if w.expires <= now]


def _os_reason(exc: OSError) -> Tr:
    if isinstance(exc, PermissionError):
        return Tr("policy.reason.permission")
    if isinstance(exc, FileNotFoundError):
        return Tr("policy.reason.not_found")
    return Tr("policy.reason.os", (("reason", exc.strerror or str(exc)),))


def load_policy_file(path: str, known_checks: Optional[Sequence[str]] = None) -> s.Policy:
    """Read and parse a policy file; refuse directories, huge files and binary data up front.

    The size is checked with stat() before reading, and the read itself is bounded, so a
    50 MB file or an endless pipe is refused without being read into memory.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise PolicyError(path, None, None, "", "policy.unreadable", (("reason", _os_reason(exc)),)) from None
    except ValueError:  # an embedded NUL byte in the path
        raise PolicyError(repr(path), None, None, "", "policy.unreadable",
                          (("reason", Tr("policy.reason.not_found")),)) from None
    if stat.S_ISDIR(st.st_mode):
        raise PolicyError(path, None, None, "", "policy.is_directory")
    if st.st_size > MAX_POLICY_BYTES:
        raise PolicyError(path, None, None, "", "policy.too_large",
                          (("limit", MAX_POLICY_BYTES), ("size", st.st_size)))
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise PolicyError(path, None, None, "", "policy.unreadable", (("reason", _os_reason(exc)),)) from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(path, None, None, "", "policy.too_large",
                          (("limit", MAX_POLICY_BYTES), ("size", f">{MAX_POLICY_BYTES}")))
    return parse_policy_bytes(data, path, known_checks)


def parse_policy_bytes(data: bytes, file: str, known_checks: Optional[Sequence[str]] = None) -> s.Policy:
    digest = hashlib.sha256(data).hexdigest()
    if b"\x00" in data:
        raise PolicyError(file, None, None, "", "policy.not_text", (("offset", data.index(b"\x00")),))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyError(file, None, None, "", "policy.not_text", (("offset", exc.start),)) from None
    return parse_policy_text(text, file, digest, known_checks)


def builtin_policy_path() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "default-policy.yaml")


def resolve_policy_path(cli_value: Optional[str], environ: Optional[Mapping[str, str]] = None,
                        system_path: Optional[str] = None) -> str:
    """--policy, else $YBGUARD_POLICY, else /etc/ybguard/policy.yaml, else the built-in default.

    A system policy that exists but is broken (even a dangling link) is used and fails loudly;
    silently falling back to the built-in default would scan against the wrong rules.
    """
    env = os.environ if environ is None else environ
    if cli_value:
        return cli_value
    if env.get("YBGUARD_POLICY"):
        return env["YBGUARD_POLICY"]
    system = SYSTEM_POLICY_PATH if system_path is None else system_path
    if os.path.lexists(system):
        return system
    return builtin_policy_path()


# ---- effective policy as plain data (policy show) --------------------------------------------

def to_data(value: Any) -> Any:
    """Turn a Policy (or part) into YAML-ready plain data, defaults included."""
    if is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, s.ProbeTarget):
            if value.kind == "http" and (value.expect_status or value.expect_body):
                inner: Dict[str, Any] = {"url": value.value}
                if value.expect_status:
                    inner["expect_status"] = value.expect_status
                if value.expect_body:
                    inner["expect_body"] = value.expect_body
                return {"http": inner}
            return {value.kind: value.value}
        out: Dict[str, Any] = {}
        for f in fields(value):
            if f.name in ("source", "sha256"):
                continue
            name = "policy" if f.name == "meta" else f.name
            out[name] = to_data(getattr(value, f.name))
        return out
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network, ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def dump_policy(policy: s.Policy) -> str:
    return yaml.safe_dump(to_data(policy), allow_unicode=True, sort_keys=False, default_flow_style=False)


__all__ = ["PolicyError", "SYSTEM_POLICY_PATH", "load_policy_file", "parse_policy_text", "parse_policy_bytes", "dump_policy",
           "resolve_policy_path", "builtin_policy_path", "glob_problem", "lint_policy_text", "policy_warnings"]
