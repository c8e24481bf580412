"""The policy loader: every bad input names file:line:column, the field and what was expected."""

from __future__ import annotations

import ipaddress
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ybguard.policy import PolicyError, load_policy_file, parse_policy_text
from ybguard.policy import loader as policy_loader
from ybguard.policy import schema as s

HEAD = "policy:\n  id: t\n"

# (name, yaml, line, column, field path, English message, 中文 message)
BAD = [
    ("yaml-syntax", HEAD + "network: [10.0.0.0/8\n", 4, 1, "",
     "YAML syntax error: a list opened with '[' is not closed with ']', or a ',' is missing "
     "(expected ',' or ']', but got '<stream end>')",
     "YAML 语法错误：“[” 开始的列表没有用 “]” 结束，或列表项之间缺少逗号"),
    ("tab-indent", "policy:\n\tid: t\n", 2, 1, "",
     "a tab in the indentation: YAML indents with spaces only, replace the tab with spaces",
     "缩进中有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"),
    ("wrong-type-int", HEAD + "  version: abc\n", 3, 12, "policy.version",
     "expected a whole number, found text 'abc'", "期望 整数，实际为 文本 'abc'"),
    ("wrong-type-bool", HEAD + "network:\n  allow_ip_forwarding: maybe\n", 4, 24, "network.allow_ip_forwarding",
     "expected true or false, found text 'maybe'", "期望 true 或 false，实际为 文本 'maybe'"),
    ("wrong-type-list", HEAD + "network:\n  allowed_networks: 10.0.0.0/8\n", 4, 21, "network.allowed_networks",
     "expected a list, found text '10.0.0.0/8'", "期望 列表，实际为 文本 '10.0.0.0/8'"),
    ("wrong-type-mapping", HEAD + "usb: [deny]\n", 3, 6, "usb",
     "expected a mapping (key: value), found a list", "期望 映射（键: 值），实际为 列表"),
    ("top-level-list", "- a\n- b\n", 1, 1, "",
     "expected a mapping (key: value), found a list", "期望 映射（键: 值），实际为 列表"),
    ("unknown-key-typo", HEAD + "netwrok:\n  allow_proxy: true\n", 3, 1, "netwrok",
     "unknown key 'netwrok'; did you mean 'network'?", "未知字段 “netwrok”；是否想写 “network”？"),
    ("unknown-nested-typo", HEAD + "network:\n  alowed_networks: []\n", 4, 3, "network.alowed_networks",
     "unknown key 'alowed_networks'; did you mean 'allowed_networks'?",
     "未知字段 “alowed_networks”；是否想写 “allowed_networks”？"),
    ("unknown-key-no-near", HEAD + "usb:\n  zzz: 1\n", 4, 3, "usb.zzz",
     "unknown key 'zzz'; allowed keys: storage, require_driver_disabled, optical",
     "未知字段 “zzz”；可用字段：storage, require_driver_disabled, optical"),
    ("duplicate-key", HEAD + "usb:\n  storage: deny\n  storage: allow\n", 5, 3, "usb.storage",
     "duplicate key 'storage'", "字段 “storage” 重复出现"),
    ("missing-required", "network: {}\n", 1, 1, "", "missing required key 'policy'", "缺少必填字段 “policy”"),
    ("bad-cidr", HEAD + "network:\n  allowed_networks:\n    - 10.50.0.0/16\n    - 10.300.0.0/16\n", 6, 7,
     "network.allowed_networks[1]",
     "not a valid network in CIDR form: 10.300.0.0/16 (for example 10.50.0.0/16)",
     "不是有效的网段（CIDR）：10.300.0.0/16（例如 10.50.0.0/16）"),
    ("cidr-host-bits", HEAD + "network:\n  allowed_networks: [10.50.0.1/16]\n", 4, 22, "network.allowed_networks[0]",
     "network 10.50.0.1/16 has host bits set; did you mean 10.50.0.0/16?",
     "网段 10.50.0.1/16 的主机位不为零；是否想写 10.50.0.0/16？"),
    # A "network" that is most of the Internet switches every path check off: refused, not obeyed.
    ("allowed-everything", HEAD + "network:\n  allowed_networks: [10.50.0.0/16, 0.0.0.0/0]\n", 4, 36,
     "network.allowed_networks[1]",
     "0.0.0.0/0 would allow the Internet itself (its public part is larger than a /8); list the 医保 networks",
     "0.0.0.0/0 相当于放行整个互联网（其中公网部分大于 /8）；请只列出医保网段"),
    ("allowed-half-v6", HEAD + "network:\n  allowed_networks: ['2000::/4']\n", 4, 22,
     "network.allowed_networks[0]",
     "2000::/4 would allow the Internet itself (its public part is larger than a /16); list the 医保 networks",
     "2000::/4 相当于放行整个互联网（其中公网部分大于 /16）；请只列出医保网段"),
    ("allow-in-denylist", HEAD + "software:\n  deny: [frpc]\n  allow: [teamviewer*]\n", 5, 10, "software.allow",
     "software.allow only applies with mode: allowlist; the mode is denylist, so remove allow or use allowlist",
     "software.allow 只在 mode: allowlist 时生效；当前为 denylist，请删除 allow 或改用 allowlist"),
    ("bad-ip", HEAD + "network:\n  allowed_dns: [10.50.0.530]\n", 4, 17, "network.allowed_dns[0]",
     "not a valid IP address: 10.50.0.530", "不是有效的 IP 地址：10.50.0.530"),
    ("bad-glob-unclosed", HEAD + "software:\n  deny: [ok*, 'teamviewer[']\n", 4, 15, "software.deny[1]",
     "not a valid glob pattern: teamviewer[ ('[' is never closed)",
     "不是有效的通配符模式：teamviewer[（“[” 没有对应的 “]”）"),
    ("bad-glob-stray", HEAD + "waivers:\n  - check: 'net]work.*'\n    reason: r\n    approved_by: a\n"
     "    expires: 2030-01-01T00:00:00+08:00\n", 4, 12, "waivers[0].check",
     "not a valid glob pattern: net]work.* (']' without a '[')",
     "不是有效的通配符模式：net]work.*（“]” 前面没有 “[”）"),
    ("negative-int", HEAD + "accounts:\n  password_min_length: -8\n", 4, 24, "accounts.password_min_length",
     "must not be negative: -8", "不能为负数：-8"),
    ("negative-number", HEAD + "time:\n  max_offset_seconds: -1.5\n", 4, 23, "time.max_offset_seconds",
     "must not be negative: -1.5", "不能为负数：-1.5"),
    ("zero-max-age", HEAD + "accounts:\n  password_max_age_days: 0\n", 4, 26, "accounts.password_max_age_days",
     "must be greater than 0: 0", "必须大于 0：0"),
    ("not-finite", HEAD + "network:\n  capture:\n    seconds: .nan\n", 5, 14, "network.capture.seconds",
     "expected a finite number, found a number '.nan'", "期望 有限的数字，实际为 小数 '.nan'"),
    ("bad-choice", HEAD + "usb:\n  storage: block\n", 4, 12, "usb.storage",
     "'block' is not one of deny, allow", "取值 “block” 无效，应为 deny, allow 之一"),
    ("bad-kind", HEAD + "network:\n  forbidden_interface_kinds: [wifi]\n", 4, 31, "network.forbidden_interface_kinds[0]",
     "'wifi' is not one of wireless, cellular, usb-tether, ppp, vpn, bridge",
     "取值 “wifi” 无效，应为 wireless, cellular, usb-tether, ppp, vpn, bridge 之一"),
    ("waiver-no-timezone", HEAD + "waivers:\n  - check: '*'\n    reason: r\n    approved_by: a\n"
     "    expires: 2026-12-01T18:00:00\n", 7, 14, "waivers[0].expires",
     "the expiry must carry a timezone: 2026-12-01T18:00:00 (for example 2026-12-01T18:00:00+08:00)",
     "过期时间必须带时区：2026-12-01T18:00:00（例如 2026-12-01T18:00:00+08:00）"),
    ("waiver-date-only", HEAD + "waivers:\n  - check: '*'\n    reason: r\n    approved_by: a\n"
     "    expires: 2026-12-01\n", 7, 14, "waivers[0].expires",
     "the expiry must carry a timezone: 2026-12-01 (for example 2026-12-01T18:00:00+08:00)",
     "过期时间必须带时区：2026-12-01（例如 2026-12-01T18:00:00+08:00）"),
    ("waiver-garbage-date", HEAD + "waivers:\n  - check: '*'\n    reason: r\n    approved_by: a\n"
     "    expires: next tuesday\n", 7, 14, "waivers[0].expires",
     "not a date-time with a timezone: next tuesday (for example 2026-12-01T18:00:00+08:00)",
     "不是带时区的日期时间：next tuesday（例如 2026-12-01T18:00:00+08:00）"),
    ("waiver-missing-reason", HEAD + "waivers:\n  - check: '*'\n    approved_by: a\n"
     "    expires: 2026-12-01T18:00:00+08:00\n", 4, 5, "waivers[0]",
     "missing required key 'reason'", "缺少必填字段 “reason”"),
    ("probe-bad-port", HEAD + "network:\n  probe:\n    targets:\n      - tcp: 203.0.113.10:99999\n", 6, 14,
     "network.probe.targets[0].tcp", "expected host:port, found 203.0.113.10:99999",
     "应为 主机:端口，实际为 203.0.113.10:99999"),
    ("probe-unknown-kind", HEAD + "network:\n  probe:\n    targets:\n      - tpc: 203.0.113.10:443\n", 6, 9,
     "network.probe.targets[0].tpc", "unknown key 'tpc'; did you mean 'tcp'?", "未知字段 “tpc”；是否想写 “tcp”？"),
    ("relative-backup-path", HEAD + "backups:\n  - paths: [data/*.db]\n", 4, 13, "backups[0].paths[0]",
     "expected an absolute path, found data/*.db", "应为绝对路径，实际为 data/*.db"),
    # Spaces are allowed (Windows connection names such as "Local Area Connection 2"); a slash never is.
    ("bad-iface", HEAD + "network:\n  leased_line:\n    interfaces: ['eth0/1']\n", 5, 18,
     "network.leased_line.interfaces[0]", "expected an interface name or a MAC address, found eth0/1",
     "应为网卡名或 MAC 地址，实际为 eth0/1"),
    ("empty-id", "policy:\n  id: ''\n", 2, 7, "policy.id", "expected non-empty text, found text ''",
     "期望 非空文本，实际为 文本 ''"),
]


@pytest.mark.parametrize("name,text,line,col,path,en,zh", BAD, ids=[b[0] for b in BAD])
def test_bad_policy_is_located_and_explained(tmp_path, name, text, line, col, path, en, zh):
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(f))
    err = info.value
    assert (err.line, err.column, err.path) == (line, col, path)
    assert err.message("en") == en
    assert err.message("zh") == zh
    where = f"{f}:{line}:{col}:"
    assert err.render("en") == f"{where} {path + ': ' if path else ''}{en}"


WHOLE_FILE = [
    ("empty", b"", "the policy file is empty: expected a YAML mapping", "策略文件为空：期望一个 YAML 映射"),
    ("only-comments", b"# nothing\n\n   # here\n", "the policy file is empty: expected a YAML mapping",
     "策略文件为空：期望一个 YAML 映射"),
    ("binary", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),
     "not UTF-8 text (cannot decode at byte 7): expected a YAML policy file",
     "不是 UTF-8 文本（第 7 字节处无法解码）：期望一个 YAML 策略文件"),
    ("latin1", "policy:\n  id: caf\xe9\n".encode("latin-1"),
     "not UTF-8 text (cannot decode at byte 17): expected a YAML policy file",
     "不是 UTF-8 文本（第 17 字节处无法解码）：期望一个 YAML 策略文件"),
    ("deeply-nested", b"policy: " + b"[" * 50000, "nested too deeply to be a policy file",
     "嵌套层次过深，不是有效的策略文件"),
]


@pytest.mark.parametrize("name,data,en,zh", WHOLE_FILE, ids=[w[0] for w in WHOLE_FILE])
def test_unusable_file_as_a_whole(tmp_path, name, data, en, zh):
    f = tmp_path / "p.yaml"
    f.write_bytes(data)
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(f))
    assert (info.value.line, info.value.path) == (None, "")
    assert info.value.message("en") == en
    assert info.value.message("zh") == zh
    assert info.value.render("en") == f"{f}: {en}"


def test_directory_is_refused(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(tmp_path))
    assert info.value.message("en") == "this is a directory, not a policy file"
    assert info.value.message("zh") == "这是一个目录，不是策略文件"


def test_missing_file(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(tmp_path / "nope.yaml"))
    assert info.value.message("en") == "cannot read the policy file: no such file"
    assert info.value.message("zh") == "无法读取策略文件：文件不存在"


def test_unreadable_file(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(HEAD)
    f.chmod(0)
    if os.access(f, os.R_OK):  # root reads anything: make it unreadable another way
        f.chmod(0o644)
        f = tmp_path / "loop.yaml"
        f.symlink_to(f)
        expected = "cannot read the policy file: Too many levels of symbolic links"
    else:
        expected = "cannot read the policy file: permission denied"
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(f))
    assert info.value.message("en") == expected


def test_permission_reason_is_translated(tmp_path, monkeypatch):
    f = tmp_path / "p.yaml"
    f.write_text(HEAD)
    real_open = open

    def deny(path, *a, **k):  # type: ignore[no-untyped-def]
        if str(path) == str(f):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(f))
    assert info.value.message("en") == "cannot read the policy file: permission denied"
    assert info.value.message("zh") == "无法读取策略文件：权限不足"


def test_fifty_megabytes_refused_before_reading(tmp_path, monkeypatch):
    f = tmp_path / "big.yaml"
    with open(f, "wb") as fh:  # sparse: 50 MB without writing 50 MB
        fh.truncate(50 * 1024 * 1024)
    real_open = open
    opened = []

    def spy(path, *a, **k):  # type: ignore[no-untyped-def]
        opened.append(str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", spy)
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(f))
    assert str(f) not in opened  # refused on its size alone
    assert info.value.message("en") == (
        f"the policy file is too large ({50 * 1024 * 1024} bytes, the limit is {policy_loader.MAX_POLICY_BYTES})")


def test_endless_stream_is_bounded(tmp_path):
    # /dev/zero reports size 0 but never ends; the bounded read must still refuse it.
    with pytest.raises(PolicyError) as info:
        load_policy_file("/dev/zero")
    assert info.value.message_key in ("policy.too_large", "policy.not_text")


def test_timezone_forms_accepted():
    for text, expected in [
        ("2026-12-01T18:00:00+08:00", datetime(2026, 12, 1, 18, tzinfo=timezone(timedelta(hours=8)))),
        ("2026-12-01 18:00:00 +08:00", datetime(2026, 12, 1, 18, tzinfo=timezone(timedelta(hours=8)))),
        ("2026-12-01T10:00:00Z", datetime(2026, 12, 1, 10, tzinfo=timezone.utc)),
        ("2026-12-01T18:00:00+0800", datetime(2026, 12, 1, 18, tzinfo=timezone(timedelta(hours=8)))),
        ("2026-12-01T18:00:00.5+08:00", datetime(2026, 12, 1, 18, 0, 0, 500000, tzinfo=timezone(timedelta(hours=8)))),
    ]:
        pol = parse_policy_text(HEAD + f"waivers:\n  - check: '*'\n    reason: r\n    approved_by: a\n"
                                f"    expires: {text}\n")
        assert pol.waivers[0].expires == expected, text
        assert pol.waivers[0].expires.utcoffset() == expected.utcoffset()


def test_glob_classes_that_fnmatch_accepts():
    for pattern in ("[]]x", "[!]]x", "a[bc]*", "*[!a-z]"):
        assert policy_loader.glob_problem(pattern) is None, pattern


def test_minimal_policy_takes_every_default():
    pol = parse_policy_text(HEAD)
    assert pol.network == s.NetworkPolicy()
    assert pol.usb == s.UsbPolicy() and pol.accounts == s.AccountsPolicy() and pol.software == s.SoftwarePolicy()
    assert pol.meta == s.PolicyMeta(id="t", version=1, title="")
    assert pol.backups == () and pol.waivers == ()


def test_null_sections_mean_defaults():
    pol = parse_policy_text(HEAD + "network:\nusb:\nwaivers:\n")
    assert pol.network == s.NetworkPolicy() and pol.usb == s.UsbPolicy() and pol.waivers == ()


def test_mac_address_is_normalised():
    pol = parse_policy_text(HEAD + "network:\n  leased_line:\n    interfaces: [AA-BB-CC-00-11-22, eth0]\n")
    assert pol.network.leased_line.interfaces == ("aa:bb:cc:00:11:22", "eth0")


def test_broad_private_and_public_networks_still_allowed():
    text = HEAD + "network:\n  allowed_networks: [10.0.0.0/8, 172.16.0.0/12, 'fc00::/7', 58.0.0.0/8, '2400::/16']\n"
    assert [str(n) for n in parse_policy_text(text).network.allowed_networks] == [
        "10.0.0.0/8", "172.16.0.0/12", "fc00::/7", "58.0.0.0/8", "2400::/16"]


def test_ipv6_values():
    pol = parse_policy_text(HEAD + "network:\n  allowed_networks: ['fd00::/8']\n  allowed_dns: ['fd00::53']\n")
    assert pol.network.allowed_networks == (ipaddress.ip_network("fd00::/8"),)
    assert pol.network.allowed_dns == (ipaddress.ip_address("fd00::53"),)


def test_sha256_and_source_identify_the_file(tmp_path):
    import hashlib

    f = tmp_path / "p.yaml"
    f.write_bytes(HEAD.encode())
    pol = load_policy_file(str(f))
    assert pol.sha256 == hashlib.sha256(HEAD.encode()).hexdigest()
    assert pol.source == str(f)


def test_aliases_do_not_explode():
    text = HEAD + "software:\n  deny: &d [a*, b*]\n  processes:\n    deny: *d\n"
    pol = parse_policy_text(text)
    assert pol.software.processes.deny == ("a*", "b*")


def test_python_tags_are_not_constructed():
    with pytest.raises(PolicyError) as info:
        parse_policy_text(HEAD + "usb:\n  storage: !!python/object/apply:os.system ['true']\n")
    assert info.value.path == "usb.storage"


def test_path_fields_are_patchable_for_tests(monkeypatch, tmp_path):
    assert Path(policy_loader.builtin_policy_path()).is_file()


@pytest.mark.parametrize("name,text,line,col,path,en,zh", BAD, ids=[b[0] for b in BAD])
def test_every_bad_policy_exits_2_through_the_cli(tmp_path, name, text, line, col, path, en, zh):
    from click.testing import CliRunner

    from ybguard.cli import cli

    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    for lang, message in (("en", en), ("zh", zh)):
        r = CliRunner().invoke(cli, ["policy", "validate", "--lang", lang, str(f)])
        assert r.exit_code == 2
        assert r.stderr == f"ybguard: {f}:{line}:{col}: {path + ': ' if path else ''}{message}\n"
        assert "Traceback" not in r.output


def test_policy_error_survives_a_context_manager() -> None:
    """A frozen exception cannot take its __traceback__ through ``with``: the real error must surface."""
    import contextlib

    with pytest.raises(PolicyError) as info:
        with contextlib.ExitStack():
            parse_policy_text("policy: {id: x}\nbogus: 1\n", "p.yaml")
    assert info.value.location() == "p.yaml:2:1"
