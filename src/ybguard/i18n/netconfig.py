"""Messages of the offline network collectors (saved configuration of an image): key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    "netconfig.bad_file": (
        "无法解析镜像中的网络配置文件 {path}：{problem}",
        "cannot parse the saved network configuration {path}: {problem}",
    ),
    "netconfig.ignored": (
        "该行被其所属程序忽略（仅记录警告）：{problem}",
        "ignored by the program that reads this file (with a warning): {problem}",
    ),
    "netconfig.resolv_dangling": (
        "/etc/resolv.conf 指向镜像中不存在的文件 {link}，无法确定该镜像启动后使用的 DNS 服务器",
        "/etc/resolv.conf points to {link}, which the image does not hold: the DNS servers it will use cannot be known",
    ),
}
