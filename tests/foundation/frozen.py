"""A frozen, representative report for golden files and schema tests (no clock, no host)."""

from __future__ import annotations

from ybguard.models import (
    Evidence,
    Finding,
    HostInfo,
    PolicyRef,
    Report,
    Severity,
    Status,
    TargetKind,
    WaiverNote,
)

RULE = "医保联网计算机信息安全管理制度：专网专用，医保专网与互联网物理隔离"


def frozen_report(lang: str = "en", hostname: str = "yb-term-07") -> Report:
    zh = lang == "zh"
    findings = (
        Finding("network.public-route", Status.FAIL, Severity.CRITICAL, "default via 192.168.1.1 dev eth1 table main",
                "默认路由指向互联网" if zh else "a default route leads to the Internet", RULE,
                "删除该默认路由，只保留到医保网段的路由" if zh else "Delete the default route; keep only routes to the 医保 networks.",
                "不得存在通往互联网的路由" if zh else "No route to the Internet", "network",
                (Evidence("netlink route table 254", "default via 192.168.1.1 dev eth1 proto dhcp metric 100"),
                 Evidence("ip rule", "0: from all lookup local; 32766: from all lookup main"))),
        Finding("network.interface-kind", Status.FAIL, Severity.HIGH, "wlan0", "无线网卡 wlan0 已启用" if zh
                else "wireless interface wlan0 is up", RULE, "禁用并拆除无线网卡" if zh else "Disable and remove the Wi-Fi adapter.",
                "禁止无线、蜂窝、共享上网等接口" if zh else "No wireless, cellular or tethering interface", "network",
                (Evidence("/sys/class/net/wlan0/uevent", "DEVTYPE=wlan"),),
                WaiverNote("临时联网升级", "信息科", "2026-11-01T18:00:00+08:00", True)),
        Finding("network.interface-kind", Status.WAIVED, Severity.HIGH, "[red]x[/red]", "waived: 工单 2026-118",
                RULE, "—", "No wireless, cellular or tethering interface", "network", (),
                WaiverNote("工单 2026-118", "信息科", "2026-12-01T18:00:00+08:00", False)),
        Finding("accounts.shadow", Status.ERROR, Severity.HIGH, "host",
                "无法读取 /etc/shadow：权限不足" if zh else "could not read /etc/shadow: permission denied",
                "医保联网计算机信息安全管理制度：设置开机及系统口令，口令不少于8位并定期更换",
                "以 root 身份运行 ybguard" if zh else "Run ybguard as root.", "口令策略" if zh else "Password policy",
                "accounts"),
        Finding("usb.storage", Status.PASS, Severity.HIGH, "host", "no violation found",
                "医保网络注意事项：禁止使用U盘、移动硬盘、光盘向医保终端拷贝文件", "—",
                "禁止 USB 存储" if zh else "USB storage denied", "usb"),
        Finding("network.sockets", Status.NOT_APPLICABLE, Severity.HIGH, "host", "not applicable on this target",
                RULE, "—", "No connection outside policy", "network"),
    )
    return Report(
        tool_version="0.1.0",
        host=HostInfo(hostname=hostname, os="Debian GNU/Linux 12 (bookworm)", kernel="Linux 6.1.0-13-amd64",
                      target=TargetKind.LIVE, root="/", arch="x86_64", os_version="12",
                      machine_id="4c4c4544004a3710804fb7c04f4e3232"),
        policy=PolicyRef("yb-terminal-example", 3, "0" * 64, "/etc/ybguard/policy.yaml"),
        started_at="2026-11-26T02:00:00+08:00", duration_ms=312, lang=lang, findings=findings,
    )
