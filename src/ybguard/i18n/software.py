"""Messages for the software area: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    "software.installed.title": ("已安装的软件", "Installed software"),
    "software.installed.remediation": (
        "卸载该软件（dpkg：apt purge 包名；rpm：dnf remove 包名；/opt/apps 应用：在应用商店卸载；"
        "/usr/local 下的程序：删除文件），并查明由谁安装。确属必需的软件须经批准后加入策略的 allow 列表。",
        "Uninstall it (dpkg: apt purge NAME; rpm: dnf remove NAME; /opt/apps: uninstall in the app store; "
        "under /usr/local: delete the file) and find out who installed it. Software that is really needed must be "
        "approved and added to the policy's allow list.",
    ),
    "software.installed.not_allowed": (
        "不在允许安装的软件清单中（{manager}，版本 {version}）",
        "not on the allow list ({manager}, version {version})",
    ),
    "software.installed.denied": (
        "属于禁止安装的软件（匹配 {pattern}；{manager}，版本 {version}）",
        "forbidden software (matches {pattern}; {manager}, version {version})",
    ),
    "software.processes.title": ("正在运行的远程控制与内网穿透程序", "Running remote-control and tunnel programs"),
    "software.processes.remediation": (
        "立即结束该进程并卸载对应软件，检查其开机自启项（systemd 服务、~/.config/autostart、crontab）；"
        "远程控制和内网穿透工具会把医保专网暴露给互联网，应视为安全事件处理。",
        "Stop the process now, uninstall its software and remove its autostart entries (systemd units, "
        "~/.config/autostart, crontab); remote-control and tunnel tools expose the 医保 network to the "
        "Internet and are a security incident.",
    ),
    "software.processes.denied": (
        "禁止运行的程序正在运行（匹配 {pattern}，程序 {exe}，用户 {user}）",
        "a forbidden program is running (matches {pattern}, executable {exe}, user {user})",
    ),
    "software.reason.bad_dpkg": (
        "{path} 第 {line} 行附近的记录已损坏（缺少 Package/Status 或格式错误）",
        "{path} is damaged near line {line} (missing Package/Status or malformed)",
    ),
    "software.reason.no_dpkg_status": (
        "存在 /var/lib/dpkg 但缺少 {path}，无法得知已安装的软件",
        "/var/lib/dpkg exists but {path} is missing: the installed software cannot be known",
    ),
    "software.reason.bad_app_info": ("{path} 不是有效的应用信息：{reason}", "{path} is not valid app info: {reason}"),
    "software.reason.rpm_missing": (
        "镜像使用 rpm 数据库（{path}），但本机没有 rpm 工具可以读取",
        "the image has an rpm database ({path}) but this machine has no rpm tool to read it",
    ),
    "software.reason.rpm_failed": ("rpm 查询失败：{reason}", "the rpm query failed: {reason}"),
    "software.reason.empty_dpkg_status": (
        "{path} 中没有任何已安装的软件包（连 dpkg 自身都没有），数据库已被截断或清空，无法得知已安装的软件",
        "{path} lists no installed package at all (not even dpkg itself): the database was truncated or "
        "wiped, so the installed software cannot be known",
    ),
    "software.reason.no_package_db": (
        "未找到任何软件包数据库（dpkg 或 rpm），无法得知已安装的软件",
        "no package database (dpkg or rpm) was found: the installed software cannot be known",
    ),
}
