"""Messages for the windows area: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    # reasons a Windows fact could not be read
    "windows.hive_missing": (
        "未提供 {hive} 注册表配置单元，无法判断",
        "the {hive} registry hive was not given, so this cannot be decided",
    ),
    "windows.sam_missing": (
        "未提供 SAM 注册表配置单元（离线读取密码策略需要它）",
        "SAM hive not provided (the offline password policy is read from it)",
    ),
    "windows.no_ntuser": (
        "未提供任何用户的 NTUSER.DAT，无法得知各用户的代理设置",
        "no user's NTUSER.DAT was given, so per-user proxy settings are unknown",
    ),
    "windows.no_select": (
        "SYSTEM 配置单元中没有 \\Select\\Current，无法确定当前控制集：{path}",
        "the SYSTEM hive has no \\Select\\Current, so the current control set is unknown: {path}",
    ),
    "windows.no_control_set": (
        "\\Select\\Current 指向的 {name} 在 SYSTEM 配置单元中不存在：{path}",
        "\\Select\\Current names {name}, which the SYSTEM hive does not hold: {path}",
    ),
    "windows.offline_attached": (
        "离线镜像无法得知现在插着什么设备：Windows 只在运行时于 Services\\<驱动>\\Enum 中登记在用设备（历史记录见 usb.storage-history）",
        "an offline image cannot tell what is plugged in now: Windows lists the devices a driver serves "
        "only while it runs (Services\\<driver>\\Enum); the history is checked by usb.storage-history",
    ),
    "windows.sam_accounts": (
        "离线读取 Windows 账户需要 SAM 配置单元中的用户记录，本版本尚未支持；请在终端上实时扫描",
        "reading Windows accounts offline needs the SAM hive's user records, which this version does not "
        "read yet; scan the terminal live",
    ),
    "windows.hives_only": (
        "只提供了注册表配置单元，没有文件系统，无法检查文件",
        "only registry hives were given, no file system: files cannot be checked",
    ),
    "windows.disk_unknown": (
        "无法确定 {path} 所在的物理磁盘：{reason}",
        "the physical disk holding {path} is unknown: {reason}",
    ),
    "windows.no_npcap": (
        "Windows 上的实时抓包需要 Npcap，而本机未安装（为此安装软件本身就违反终端规定）",
        "live capture on Windows needs Npcap, which is not installed (installing it would itself break the "
        "terminal rules)",
    ),
    "windows.npcap_unsupported": (
        "本机已安装 Npcap，但本版本尚不能通过 Npcap 抓包",
        "Npcap is installed, but this version cannot capture through Npcap yet",
    ),
    "windows.w32tm_unparsed": (
        "无法解析 w32tm /query /status 的输出",
        "the output of w32tm /query /status could not be parsed",
    ),
    "windows.local_api": (
        "{api} 只能回答 ybguard 所在的这台机器，而本次检查的对象是另一台机器（证据包），无法据此判断",
        "{api} answers only for the machine ybguard runs on, and this scan is of another machine "
        "(an evidence bundle): it cannot decide this",
    ),
    "windows.key_missing": ("注册表项不存在：{path}", "registry key not found: {path}"),
    "windows.bad_value": ("无法解析注册表值 {value}（{path}）", "cannot parse the registry value {value} ({path})"),
    "windows.hive_twice": (
        "目录中有两个 {hive} 配置单元：{first} 和 {second}",
        "two {hive} hives in the directory: {first} and {second}",
    ),
    "windows.hive_too_large": (
        "注册表配置单元文件过大（{size} 字节，上限 {limit} 字节），不是真实的配置单元，未读取：{path}",
        "the hive file is larger than any real hive ({size} bytes, the limit is {limit}); not read: {path}",
    ),
    "windows.hive_corrupt": (
        "注册表配置单元文件已损坏，无法解析（{reason}）：{path}",
        "the hive file is damaged and cannot be parsed ({reason}): {path}",
    ),
    "windows.hive_unreadable": ("无法读取注册表配置单元文件（{reason}）：{path}", "cannot read the hive file ({reason}): {path}"),
    "windows.hive_unknown": (
        "无法识别的注册表配置单元文件（应命名为 SYSTEM、SOFTWARE、SAM 或 NTUSER*.DAT）：{path}",
        "unrecognised registry hive file (name it SYSTEM, SOFTWARE, SAM or NTUSER*.DAT): {path}",
    ),
    "cli.hives_bad": (
        "--hives 须为存在的目录，且不能与 --root 同时使用：{path}",
        "--hives must be an existing directory and cannot be combined with --root: {path}",
    ),
    # network.wireless-history
    "network.wireless-history.title": (
        "无线与移动网络的连接记录",
        "Record of wireless and mobile networks joined",
    ),
    "network.wireless-history.remediation": (
        "核实该终端何时、为何连接过这些无线/移动网络；删除这些网络配置文件"
        "（设置 → 网络和 Internet → 管理已知网络，或 netsh wlan delete profile），"
        "拆除或在设备管理器中禁用无线网卡和移动宽带模块，并检查终端是否已被接入互联网。",
        "Find out when and why this terminal joined these wireless / mobile networks; delete the "
        "profiles (Settings → Network & Internet → Manage known networks, or netsh wlan delete "
        "profile), remove or disable the Wi-Fi and mobile-broadband adapters in Device Manager, and "
        "check whether the terminal has been connected to the Internet.",
    ),
    "network.wireless-history.wireless": (
        "终端曾连接无线网络 “{name}”（首次 {first}，最近 {last}）",
        "the terminal has joined the wireless network '{name}' (first {first}, last {last})",
    ),
    "network.wireless-history.cellular": (
        "终端曾连接移动宽带网络 “{name}”（首次 {first}，最近 {last}）",
        "the terminal has joined the mobile broadband network '{name}' (first {first}, last {last})",
    ),
}
