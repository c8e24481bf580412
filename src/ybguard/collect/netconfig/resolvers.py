"""DNS resolvers: resolv.conf, systemd-resolved, resolvconf, and the upstreams of local
forwarders (dnsmasq, NetworkManager's dnsmasq, unbound, BIND) — where ``nameserver 127.0.0.1``
really sends the questions. One set of parsers for the live host and an image."""

from __future__ import annotations

import ipaddress
import os
import re
from typing import List, Sequence, Tuple

from ...facts.network import Resolver
from ...target.interface import Target
from ..interface import CollectContext, FactError
from ..syntax.dropins import APPEND, fold, systemd_config_files
from ..syntax.ini import Dialect, parse_ini
from .model import list_files, read_file

STUB_RESOLVERS = frozenset({"127.0.0.53", "127.0.0.54"})


def parse_resolv_conf(text: str, source: str) -> Tuple[Resolver, ...]:
    """``nameserver`` lines of a resolv.conf, each with ``source:line``."""
    out: List[Resolver] = []
    for no, line in enumerate(text.splitlines(), 1):
        parts = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            out.append(Resolver(parts[1].split("%", 1)[0], f"{source}:{no}"))
    return tuple(out)


def is_loopback(addr: str) -> bool:
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False


def server_address(server: str) -> str:
    """``1.2.3.4:53``, ``[2001:db8::1]:53``, ``1.2.3.4#name``, ``fe80::1%eth0`` -> the address."""
    address = server.split("#")[0]
    if address.startswith("[") and "]" in address:
        address = address[1:address.index("]")]
    elif address.count(":") == 1:
        address = address.split(":")[0]
    return address.split("%")[0]


def parse_resolved_link_state(text: str, source: str, interface: str = "") -> Tuple[Resolver, ...]:
    """/run/systemd/resolve/netif/IFINDEX state files (live): ``SERVERS=1.2.3.4 [2001:db8::1]:53 …``."""
    out: List[Resolver] = []
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "SERVERS":
            out.extend(Resolver(server_address(server), source, interface) for server in value.split())
    return tuple(out)


def parse_resolved_conf(files: Sequence[Tuple[str, str]]) -> Tuple[Resolver, ...]:
    """resolved.conf and its drop-ins in order: DNS=/FallbackDNS= lists (a later file appends, an
    empty assignment resets), as systemd-resolved folds them."""
    inis = [parse_ini(path, text, Dialect.SYSTEMD) for path, text in files]
    lists = fold(inis, "Resolve", {"DNS": APPEND, "FallbackDNS": APPEND})
    return tuple(Resolver(address=server_address(v), source=src)
                 for key in ("DNS", "FallbackDNS") for v, src in lists.get(key, []))


def parse_dnsmasq_servers(text: str, source: str) -> Tuple[Resolver, ...]:
    """Upstreams of dnsmasq: ``server=1.2.3.4``, ``server=/domain/1.2.3.4#53``, ``server=1.2.3.4@eth0``;
    ``server=/domain/`` (answer locally) names no upstream."""
    out: List[Resolver] = []
    for no, line in enumerate(text.splitlines(), 1):
        key, sep, value = _dnsmasq_line(line).partition("=")
        if not sep or key.strip() not in ("server", "rev-server"):
            continue
        addr, _, iface = value.strip().rsplit("/", 1)[-1].partition("@")
        addr = addr.split("#", 1)[0]  # addr#port
        if key.strip() == "rev-server":
            addr = value.split(",", 1)[-1].strip() if "," in value else ""
        if addr:
            out.append(Resolver(addr, f"{source}:{no}", iface))
    return tuple(out)


def _dnsmasq_line(line: str) -> str:
    """dnsmasq's comments: ``#`` at the start or after white space (``server=/#/…`` and
    ``addr#port`` are not comments)."""
    return re.sub(r"(^|\s)#.*", "", line).strip()


def dnsmasq_resolv_files(text: str) -> Tuple[List[str], bool]:
    """(``resolv-file=`` paths, ``no-resolv``): where dnsmasq reads more upstreams from."""
    files, no_resolv = [], False
    for line in text.splitlines():
        key, sep, value = _dnsmasq_line(line).partition("=")
        if key.strip() == "resolv-file" and sep and value.strip():
            files.append(value.strip())
        elif key.strip() == "no-resolv":
            no_resolv = True
    return files, no_resolv


def parse_unbound_forwarders(text: str, source: str) -> Tuple[Tuple[Resolver, ...], bool]:
    """unbound.conf(5): ``forward-addr:`` / ``stub-addr:`` / ``forward-host:`` of every zone
    (``addr@port#name``) -> (upstreams, whether the root zone "." is forwarded)."""
    out: List[Resolver] = []
    root_forwarded = False
    zone = ""
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        if re.match(r"(forward-zone|stub-zone)\s*:", line):
            zone = ""
            continue
        m = re.match(r"name\s*:\s*\"?([^\"\s]+)\"?", line)
        if m:
            zone = m.group(1)
            continue
        m = re.match(r"(?:forward|stub)-(addr|host)\s*:\s*\"?([^\"\s]+)\"?", line)
        if m:
            addr = m.group(2).split("#")[0].split("@")[0] if m.group(1) == "addr" else m.group(2)
            out.append(Resolver(addr, f"{source}:{no}"))
            root_forwarded = root_forwarded or zone in (".", "")
    return tuple(out), root_forwarded


def parse_bind_forwarders(text: str, source: str) -> Tuple[Resolver, ...]:
    """named.conf: addresses in ``forwarders { … };``. A server that recurses (the default) without
    ``forward only``/forwarders asks the root servers itself."""
    out: List[Resolver] = []
    clean = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    clean = "\n".join(re.sub(r"(//|#).*", "", line) for line in clean.splitlines())
    for m in re.finditer(r"forwarders\s*\{([^}]*)\}", clean):
        line = clean.count("\n", 0, m.start()) + 1
        for addr in re.findall(r"([0-9A-Fa-f:.]+[0-9A-Fa-f])(?:\s+port\s+\d+)?\s*;", m.group(1)):
            out.append(Resolver(addr, f"{source}:{line}"))
    recursion_off = re.search(r"\brecursion\s+no\s*;", clean)
    if not out and not recursion_off and re.search(r"\boptions\s*\{", clean):
        out.append(Resolver("(BIND: full recursion from the root servers)", source))
    return tuple(out)


UNBOUND_CONFS = ("/etc/unbound/unbound.conf", "/etc/unbound/unbound.conf.d/*.conf")
BIND_CONFS = ("/etc/bind/named.conf.options", "/etc/named.conf", "/etc/bind/named.conf")
DNSMASQ_CONFS = ("/etc/dnsmasq.conf", "/etc/dnsmasq.d/*", "/etc/NetworkManager/dnsmasq.d/*",
                 "/etc/NetworkManager/dnsmasq-shared.d/*")


def _paths(target: Target, patterns: Sequence[str]) -> List[str]:
    out: List[str] = []
    for p in patterns:
        out.extend(list_files(target, p) if any(c in p for c in "*?[") else [p])
    return out


def forwarder_upstreams(target: Target, recursion: bool) -> Tuple[Resolver, ...]:
    """The upstreams of every local forwarder whose configuration is present (a forwarder may
    itself be resolv.conf's 127.0.0.1: what it forwards to is where the questions go). With
    ``recursion`` (resolv.conf names a local resolver), a resolver that recurses by itself
    (unbound or BIND without forwarders for ".") is reported as a path to the root servers."""
    out: List[Resolver] = []
    for path in _paths(target, DNSMASQ_CONFS):
        body = read_file(target, path)
        if body is None:
            continue
        out.extend(parse_dnsmasq_servers(body, path))
        for extra in dnsmasq_resolv_files(body)[0]:
            text = read_file(target, extra)
            if text:
                out.extend(parse_resolv_conf(text, extra))
    unbound_main = read_file(target, UNBOUND_CONFS[0])
    root_forwarded = False
    for path in _paths(target, UNBOUND_CONFS):
        body = read_file(target, path)
        if body:
            found, root = parse_unbound_forwarders(body, path)
            out.extend(found)
            root_forwarded = root_forwarded or root
    if recursion and unbound_main and not root_forwarded:
        out.append(Resolver("(unbound: full recursion from the root servers)", UNBOUND_CONFS[0]))
    for path in BIND_CONFS:
        body = read_file(target, path)
        if body:
            out.extend(r for r in parse_bind_forwarders(body, path) if recursion or not r.address.startswith("("))
            break
    return tuple(out)


def resolved_servers(target: Target) -> Tuple[Resolver, ...]:
    files = []
    for path in systemd_config_files(target, "resolved.conf"):
        body = read_file(target, path)
        if body is not None:
            files.append((path, body))
    return parse_resolved_conf(files)


def _inside(target: Target, path: str) -> str:
    """The path inside the image that ``path`` resolves to (links followed inside the image)."""
    rel = os.path.relpath(target.host_path(path), target.root)
    return "/" if rel == "." else "/" + rel


def collect_resolvers_offline(ctx: CollectContext) -> Tuple[Resolver, ...]:
    from . import saved

    target = ctx.target
    out: List[Resolver] = []
    resolved_path = _inside(target, "/etc/resolv.conf")
    text = read_file(target, "/etc/resolv.conf")
    if text is not None:
        label = "/etc/resolv.conf" if resolved_path == "/etc/resolv.conf" else f"/etc/resolv.conf -> {resolved_path}"
        out.extend(parse_resolv_conf(text, label))
    else:
        try:
            is_link = os.path.islink(os.path.join(target.host_path("/etc"), "resolv.conf"))
        except OSError:
            is_link = False
        if is_link and not resolved_path.startswith("/run/"):
            # A link to a file the image does not hold, outside the boot-time /run: nothing says
            # what the resolver will be. Not knowing is not "no resolver".
            raise FactError("netconfig.resolv_dangling", link=resolved_path)
        # Missing, or a link into /run (tmpfs, rebuilt at boot by systemd-resolved, NetworkManager
        # or resolvconf from the configuration read below): the sources below are what it holds.
    out.extend(resolved_servers(target))
    # Local forwarders send questions to their upstreams whatever resolv.conf says.
    local = any(r.address not in STUB_RESOLVERS and is_loopback(r.address) for r in out)
    out.extend(forwarder_upstreams(target, recursion=local))
    # resolvconf(8) writes head, the interfaces' dns-* lines, base and tail into /run/resolvconf.
    for part in ("head", "base", "tail"):
        path = f"/etc/resolvconf/resolv.conf.d/{part}"
        body = read_file(target, path)
        if body is not None:
            out.extend(parse_resolv_conf(body, path))
    return saved.outcome(ctx, tuple(out) + saved.config(ctx).resolvers, ("resolvers",))
