"""A realistic report: every built-in check run by the real engine over the clean terminal's
facts with a few violations added (a public default route, a Wi-Fi adapter, TeamViewer, a public
resolver, one unreadable fact) and one waiver in force. No clock, no host: fixed values only."""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Tuple

from ybguard.checks import ALL_CHECKS
from ybguard.engine import apply_waivers, evaluate_check, localize_subjects, site_of
from ybguard.facts.network import Address, Interface, Resolver, Route
from ybguard.facts.software import Package
from ybguard.models import Finding, HostInfo, PolicyRef, Report, Site, TargetKind
from ybguard.policy.schema import Waiver
from ybguard.target.interface import ToolMissing

from .cleanhost import POLICY, clean_facts

STARTED = datetime(2026, 11, 26, 2, 0, tzinfo=timezone(timedelta(hours=8)))


class _Facts:
    def __init__(self, values: Dict[str, Any], broken: Dict[str, BaseException]) -> None:
        self.values, self.broken = values, broken

    def get(self, key: str) -> Any:
        if key in self.broken:
            raise self.broken[key]
        return self.values[key]

    def notes(self, key: str) -> Tuple[Any, ...]:
        return ()


def violating_facts() -> Dict[str, Any]:
    facts = clean_facts()
    routing = facts["network.routing"]
    facts["network.routing"] = dataclasses.replace(routing, routes=routing.routes + (
        Route(ipaddress.ip_network("0.0.0.0/0"), gateway="192.168.1.1", dev="wlan0", protocol="dhcp", metric=600,
              source="ip -json route show table all"),))
    facts["network.interfaces"] = facts["network.interfaces"] + (
        Interface("wlan0", "wireless", mac="3c:a9:f4:00:11:22", up=True,
                  addresses=(Address(ipaddress.ip_address("192.168.1.23"), 24),), driver="iwlwifi", bus="pci",
                  why=(("DEVTYPE", "wlan"),), source="/sys/class/net/wlan0"),)
    facts["network.resolvers"] = facts["network.resolvers"] + (Resolver("114.114.114.114", "/etc/resolv.conf:3"),)
    # the fixed phrases collectors write into plain-text evidence (i18n/phrases.py translates them)
    facts["time.sync"] = dataclasses.replace(facts["time.sync"], sources=facts["time.sync"].sources + (
        ("chrony", "installed, enabled"), ("/run/systemd/timesync/synchronized", "absent"),
        ("time sync", "no enabled chrony, systemd-timesyncd or ntpd")))
    facts["accounts.password_policy"] = dataclasses.replace(facts["accounts.password_policy"], sources=(
        ("/etc/login.defs", "PASS_MAX_DAYS=60"), ("/etc/login.defs", "PASS_MIN_LEN=(unset) (not read by PAM)"),
        ("/etc/pam.d/common-password", "stack minimum: 10")))
    facts["software.packages"] = facts["software.packages"] + (
        Package("teamviewer", "15.48.4", "dpkg", source="/var/lib/dpkg/status"),)
    return facts


def sample_policy() -> Any:
    waiver = Waiver("network.dns", "临时联网升级医保客户端（工单 2026-118）", "信息科 王工",
                    STARTED + timedelta(days=3), subject="114.114.114.114")
    return dataclasses.replace(POLICY, waivers=(waiver,), site=Site("某市第一人民医院", "医保办", "YB-2026-0042",
                                                                        "门诊楼一层 3 号窗口"))


def sample_report(lang: str) -> Report:
    policy = sample_policy()
    facts = _Facts(violating_facts(), {"usb.history": ToolMissing("reason.missing_tool", tool="journalctl")})
    findings: List[Finding] = []
    for check in ALL_CHECKS:
        findings += evaluate_check(check, facts, policy, lang)  # type: ignore[arg-type]
    findings = localize_subjects(apply_waivers(findings, policy.waivers, STARTED, lang), ALL_CHECKS, lang)
    return Report(
        tool_version="0.1.0",
        host=HostInfo("yb-term-07", "Debian GNU/Linux 12 (bookworm)", "Linux 6.1.0-13-amd64", TargetKind.LIVE, "/",
                      "x86_64", "12"),
        policy=PolicyRef(policy.meta.id, policy.meta.version, policy.sha256, "/etc/ybguard/policy.yaml",
                         policy.meta.title),
        started_at=STARTED.isoformat(), duration_ms=412, lang=lang, findings=tuple(findings),
        site=site_of(policy, ()),
    )
