"""Saved NAT rules: iptables-save files, nft scripts, firewalld zones."""

from __future__ import annotations

import os
import re
from typing import Callable, List, Set, Tuple

from ...facts.network import (
    NatRule,
)
from ...target.interface import Target
from ..interface import CollectContext
from ..syntax.errors import where
from ..syntax.iptables import nat_kind
from ..syntax.iptables import parse_iptables_save as parse_saved_rules
from . import saved
from .model import (
    list_files,
    read_file,
    read_once,
    redact,
)


def iptables_nat(text: str, source: Callable[[int], str]) -> Tuple[NatRule, ...]:
    """NAT rules (``*nat`` table, -j MASQUERADE/SNAT/DNAT/NETMAP) of iptables-save text; ``source``
    names the evidence for a line number (a file:line, or the command that printed it)."""
    return tuple(NatRule(text=r.text, table="nat", chain=r.chain, kind=nat_kind(r.words), source=source(r.line))
                 for r in parse_saved_rules(text) if r.table == "nat" and nat_kind(r.words))


def parse_iptables_save(path: str, text: str) -> Tuple[NatRule, ...]:
    """A saved rules file (iptables-restore format, also ufw's before.rules): its NAT rules."""
    return iptables_nat(text, lambda n: where(path, n))


_NFT_NAT = re.compile(r"(?<!status )\b(masquerade|snat|dnat)\b")


def parse_nftables(path: str, text: str) -> Tuple[Tuple[NatRule, ...], Tuple[str, ...]]:
    """An nft script: NAT statements (with their table and chain) and the include patterns it names."""
    out: List[NatRule] = []
    includes: List[str] = []
    stack: List[Tuple[str, str]] = []  # open blocks: ("table", "ip nat"), ("chain", "postrouting"), ("", "")
    for n, raw in enumerate(text.splitlines(), 1):
        line = _strip_nft_comment(raw).strip()
        if not line:
            continue
        m = re.match(r'include\s+"([^"]+)"', line)
        if m:
            includes.append(m.group(1))
            continue
        for statement in [s.strip() for s in line.split(";")]:
            if not statement:
                continue
            words = statement.split()
            kind = _nft_kind(statement)
            if kind and words[0] in ("add", "insert") and words[1:2] == ["rule"] and len(words) >= 5:
                fam = words[2] in ("ip", "ip6", "inet", "arp", "bridge", "netdev")
                table = " ".join(words[2:4]) if fam else words[2]
                chain = words[4] if fam else words[3]
                out.append(NatRule(text=redact(statement), table=table, chain=chain, kind=kind, source=where(path, n)))
            elif kind:
                table = next((name for k, name in reversed(stack) if k == "table"), "")
                chain = next((name for k, name in reversed(stack) if k == "chain"), "")
                out.append(NatRule(text=redact(statement.strip("{} ")), table=table, chain=chain, kind=kind,
                                   source=where(path, n)))
            head = re.match(r"(?:add\s+|create\s+)?(table|chain)\s+([^{]+?)\s*\{", statement)
            first_open = True
            for ch in statement:
                if ch == "{":
                    stack.append((head.group(1), head.group(2)) if head and first_open else ("", ""))
                    first_open = False
                elif ch == "}" and stack:
                    stack.pop()
    return tuple(out), tuple(includes)


def _strip_nft_comment(line: str) -> str:
    out, quoted = [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch == "#" and not quoted:
            break
        out.append(ch)
    return "".join(out)


def _nft_kind(statement: str) -> str:
    m = _NFT_NAT.search(re.sub(r'"[^"]*"', '""', statement))
    return m.group(1) if m else ""


def parse_firewalld_zone(path: str, text: str) -> Tuple[NatRule, ...]:
    """firewalld zone XML (``<masquerade/>``, ``<forward-port … to-addr=…>``) and direct.xml NAT rules."""
    out: List[NatRule] = []
    for n, raw in enumerate(text.splitlines(), 1):
        direct = re.search(r'<rule\b[^>]*\btable="nat"[^>]*>([^<]*)</rule>', raw)
        if direct:
            chain = re.search(r'\bchain="([^"]*)"', raw)
            kind = nat_kind(direct.group(1).split())
            if kind:
                out.append(NatRule(text=raw.strip(), table="nat", chain=chain.group(1) if chain else "", kind=kind,
                                   source=where(path, n)))
            continue
        if re.search(r"<masquerade\s*/>", raw):
            out.append(NatRule(text=raw.strip(), table="firewalld", chain=os.path.basename(path), kind="masquerade",
                               source=where(path, n)))
        elif re.search(r"<forward-port\b[^>]*\bto-addr=", raw):
            out.append(NatRule(text=raw.strip(), table="firewalld", chain=os.path.basename(path), kind="dnat",
                               source=where(path, n)))
    return tuple(out)


_IPTABLES_SAVED = ("/etc/iptables/rules.v4", "/etc/iptables/rules.v6", "/etc/sysconfig/iptables",
                   "/etc/sysconfig/ip6tables", "/etc/ufw/before.rules", "/etc/ufw/before6.rules",
                   "/etc/ufw/after.rules", "/etc/ufw/after6.rules", "/etc/ufw/user.rules", "/etc/ufw/user6.rules")


def collect_nat_offline(ctx: CollectContext) -> Tuple[NatRule, ...]:
    """Saved rules are reported whether or not the service that loads them is enabled: they are
    one command away from being live, and an image is audited for what it carries."""
    target = ctx.target
    conf = saved.config(ctx)
    out: List[NatRule] = []
    seen: Set[str] = set()  # a file loaded twice (a hook restoring rules.v4) is reported once
    iptables_files = list(_IPTABLES_SAVED) + [p for k, p in conf.rule_files if k == "iptables"]
    for path, text in read_once(target, iptables_files, seen):
        out.extend(parse_iptables_save(path, text))
    nft_files = ["/etc/nftables.conf", "/etc/sysconfig/nftables.conf"] + [p for k, p in conf.rule_files if k == "nft"]
    for path in nft_files:
        out.extend(_read_nft(target, path, seen, 0))
    firewalld = list_files(target, "/etc/firewalld/zones/*.xml") + list_files(target, "/etc/firewalld/direct.xml")
    for path, body in read_once(target, firewalld, seen):
        out.extend(parse_firewalld_zone(path, body))
    out.extend(conf.nat)
    return saved.outcome(ctx, tuple(out), ("nat",))


def _read_nft(target: Target, path: str, seen: Set[str], depth: int) -> List[NatRule]:
    if path in seen or depth > 16:
        return []
    seen.add(path)
    if target.is_dir(path):
        found: List[NatRule] = []
        for name in target.listdir(path):
            if not name.startswith("."):
                found.extend(_read_nft(target, os.path.join(path, name), seen, depth + 1))
        return found
    text = read_file(target, path)
    if text is None:
        return []
    rules, includes = parse_nftables(path, text)
    out = list(rules)
    for inc in includes:
        # nft(8): absolute as given; "./x" relative to the working directory (/ for the service);
        # a bare name is looked up in the include path (/etc on Debian and RHEL builds).
        full = inc if inc.startswith("/") else os.path.normpath("/" + inc) if inc.startswith("./") \
            else os.path.join("/etc", inc)
        matches = target.glob(full) if any(c in full for c in "*?[") else [full]
        for m in matches:
            if not os.path.basename(m).startswith("."):
                out.extend(_read_nft(target, m, seen, depth + 1))
    return out
