"""The contract example, the built-in default policy, `policy show` and the lookup order."""

from __future__ import annotations

import filecmp
import ipaddress
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from ybguard.policy import (
    builtin_policy_path,
    dump_policy,
    load_policy_file,
    parse_policy_text,
    resolve_policy_path,
)
from ybguard.policy import loader as policy_loader
from ybguard.policy import schema as s

REPO = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))


def test_contract_example_maps_every_field(example_policy_path):
    pol = load_policy_file(str(example_policy_path))
    assert pol.meta == s.PolicyMeta(id="yb-terminal-example", version=3, title="医保联网计算机信息安全基线（示例）")
    net = pol.network
    assert net.leased_line.interfaces == ("eth0",)
    assert net.allowed_networks == (ipaddress.ip_network("10.50.0.0/16"), ipaddress.ip_network("10.88.0.0/30"))
    assert net.allowed_dns == (ipaddress.ip_address("10.50.0.53"),)
    assert net.forbid_default_route is True
    assert net.forbidden_interface_kinds == ("wireless", "cellular", "usb-tether", "ppp", "vpn", "bridge")
    assert net.allow_ip_forwarding is False
    assert net.capture.seconds == 0.0
    assert net.probe.enabled is False and net.probe.timeout_seconds == 2.0
    assert net.probe.targets == (
        s.ProbeTarget("tcp", "203.0.113.10:443", host="203.0.113.10", port=443),
        s.ProbeTarget("dns", "www.example.com", host="www.example.com"),
    )
    assert pol.usb == s.UsbPolicy(storage="deny", require_driver_disabled=True, optical="deny")
    assert pol.software.mode == "denylist" and pol.software.allow == ()
    assert pol.software.deny == ("sunloginclient*", "todesk*", "teamviewer*", "anydesk*", "rustdesk*", "frpc",
                                 "ngrok", "phddns*", "openvpn*", "wireguard*")
    assert pol.software.processes.deny == ("SunloginClient*", "ToDesk*", "TeamViewer*", "AnyDesk*", "frpc*", "ngrok*")
    assert pol.accounts == s.AccountsPolicy(password_min_length=8, password_max_age_days=90, forbid_empty_passwords=True)
    assert pol.time == s.TimePolicy(ntp_servers=("10.50.0.123",), max_offset_seconds=60.0)
    assert pol.backups == (s.BackupRule(paths=("/var/lib/ybclient/*.db",), min_copies=2, distinct_disks=True,
                                        max_age_hours=24.0),)
    assert pol.integrity == s.IntegrityPolicy(paths=("/opt/ybclient",))
    assert pol.waivers == (s.Waiver(check="*", subject="wlan0", reason="临时联网升级医保客户端，工单 2026-118",
                                    approved_by="信息科", expires=datetime(2026, 12, 1, 18, tzinfo=CST)),)


def test_contract_example_covers_every_yaml_key(example_policy_path):
    """Every key written in the example lands in a typed field (none silently dropped)."""
    pol = load_policy_file(str(example_policy_path))
    shown = yaml.safe_load(dump_policy(pol))

    def keys(data, prefix=""):  # type: ignore[no-untyped-def]
        if isinstance(data, dict):
            for k, v in data.items():
                yield f"{prefix}{k}"
                yield from keys(v, f"{prefix}{k}.")
        elif isinstance(data, list):
            for item in data:
                yield from keys(item, prefix)

    raw = set(keys(yaml.safe_load(example_policy_path.read_text(encoding="utf-8"))))
    assert raw <= set(keys(shown))


def test_builtin_default_is_packaged_and_mirrored():
    assert filecmp.cmp(builtin_policy_path(), REPO / "policies" / "default.yaml", shallow=False)


def test_builtin_default_says_what_the_issue_requires():
    pol = load_policy_file(builtin_policy_path())
    net = pol.network
    # no path to any globally routable address: only private/shared space is allowed
    assert net.allowed_networks and all(not n.is_global for n in net.allowed_networks)
    assert net.forbid_default_route is True
    assert set(net.forbidden_interface_kinds) == set(s.INTERFACE_KINDS)
    assert net.allow_ip_forwarding is False and net.allow_proxy is False
    assert pol.usb.storage == "deny" and pol.usb.optical == "deny"
    for tool in ("sunloginclient", "todesk", "teamviewer", "anydesk", "rustdesk", "frpc", "ngrok", "openvpn"):
        assert any(__import__("fnmatch").fnmatchcase(tool, g) for g in pol.software.deny), tool
    assert pol.accounts.password_min_length >= 8
    assert pol.accounts.password_max_age_days <= 90
    assert pol.accounts.forbid_empty_passwords is True
    assert pol.waivers == ()


def test_schema_defaults_agree_with_builtin_file():
    """The YAML restates the schema defaults; the two must not drift (one place for a default)."""
    pol = load_policy_file(builtin_policy_path())
    assert pol.usb == s.UsbPolicy() and pol.accounts == s.AccountsPolicy()
    assert pol.network.forbidden_interface_kinds == s.NetworkPolicy().forbidden_interface_kinds
    assert set(pol.software.processes.deny) == set(s.DEFAULT_PROCESS_DENY)
    assert set(pol.software.deny) <= set(s.DEFAULT_SOFTWARE_DENY)


@pytest.mark.parametrize("which", ["example", "builtin", "minimal", "http-probe"])
def test_policy_show_round_trips(which, request):
    if which == "example":
        original = load_policy_file(str(request.getfixturevalue("example_policy_path")))
    elif which == "builtin":
        original = load_policy_file(builtin_policy_path())
    elif which == "minimal":
        original = parse_policy_text("policy:\n  id: m\n")
    else:
        original = parse_policy_text(
            "policy:\n  id: h\nnetwork:\n  probe:\n    targets:\n      - http: {url: 'https://example.com/x',"
            " expect_status: 200, expect_body: ok}\n      - http: http://203.0.113.7/\n      - tcp: '[2001:db8::1]:443'\n")
    text = dump_policy(original)
    again = parse_policy_text(text, "<shown>")
    strip = dict(source="", sha256="")
    from dataclasses import replace

    assert replace(again, **strip) == replace(original, **strip)
    assert dump_policy(again) == text


def test_lookup_order(tmp_path, monkeypatch):
    cli_file, env_file, system_file = (tmp_path / n for n in ("cli.yaml", "env.yaml", "system.yaml"))
    env = {"YBGUARD_POLICY": str(env_file)}
    monkeypatch.setattr(policy_loader, "SYSTEM_POLICY_PATH", str(system_file))
    assert resolve_policy_path(str(cli_file), env) == str(cli_file)
    assert resolve_policy_path(None, env) == str(env_file)
    assert resolve_policy_path(None, {}) == builtin_policy_path()  # no system file yet
    system_file.write_text("policy: {id: sys}\n")
    assert resolve_policy_path(None, {}) == str(system_file)
    assert resolve_policy_path(None, {"YBGUARD_POLICY": ""}) == str(system_file)


def test_dangling_system_policy_is_not_silently_replaced(tmp_path, monkeypatch):
    link = tmp_path / "policy.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    monkeypatch.setattr(policy_loader, "SYSTEM_POLICY_PATH", str(link))
    assert resolve_policy_path(None, {}) == str(link)
