"""Messages for traces of past violations (history.web, time.manual-change): key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    "area.history": ("违规外联痕迹", "traces of past violations"),
    "history.web.title": ("浏览器上网记录", "Web browsing history"),
    "history.web.remediation": (
        "查明该用户何时、通过哪条线路访问了互联网（无线网卡、4G、第二块网卡、代理），按制度处理并断开；"
        "内网业务系统的域名请列入策略 history.allowed_domains。清除记录不能代替整改。",
        "Find out when and through which path (Wi-Fi, 4G, a second NIC, a proxy) this user reached the Internet, "
        "act on it under the regulation and cut that path; list the domain names of intranet systems in the policy's "
        "history.allowed_domains. Deleting the history is not a remedy.",
    ),
    "history.web.visited": (
        "用户 {user} 在近 {days} 天内用 {browser} 访问了 {host} 共 {count} 次（最早 {first}，最近 {last}，UTC）",
        "user {user} visited {host} with {browser} {count} times in the last {days} days "
        "(first {first}, last {last}, UTC)",
    ),
    "history.web.none": (
        "近 {days} 天内 {sources} 个浏览记录来源共 {visits} 次访问、{hosts} 个主机，均在允许范围内",
        "{visits} visits to {hosts} hosts in {sources} history sources over the last {days} days, all allowed",
    ),
    "history.web.no_files": (
        "仅有注册表配置单元、没有文件系统，无法读取浏览器历史数据库（IE 输入记录也没有）",
        "a hives-only target has no file system, so no browser history database can be read "
        "(and no IE typed URLs were found)",
    ),
    "history.reason.too_large": (
        "{source} 超过 {detail} MiB，未读取",
        "{source} is larger than {detail} MiB and was not read",
    ),
    "history.reason.not_regular": (
        "{source} 不是普通文件，未读取",
        "{source} is not a regular file and was not read",
    ),
    "history.reason.locked": (
        "{source} 无法复制（被浏览器锁定或没有权限：{detail}）",
        "{source} could not be copied (locked by the browser or no permission: {detail})",
    ),
    "history.reason.unreadable": (
        "{source} 无法读取：{detail}",
        "{source} could not be read: {detail}",
    ),
    "history.reason.corrupt": (
        "{source} 不是可读的 SQLite 数据库（已损坏或被加密）：{detail}",
        "{source} is not a readable SQLite database (corrupt or encrypted): {detail}",
    ),
    "history.reason.too_many_hosts": (
        "访问的主机超过 {detail} 个，其余未统计",
        "more than {detail} distinct hosts were visited; the rest were not counted",
    ),
    "history.reason.partial_log": (
        "{source} 未读完（{detail}），未读部分可能有记录",
        "{source} was not read whole ({detail}); the part left unread may hold a record",
    ),
    "history.reason.no_evtx_parser": (
        "没有可用的 .evtx 解析库（evtx 或 python-evtx），无法读取事件日志",
        "no .evtx parser (evtx or python-evtx) is available, so the event logs cannot be read",
    ),
    "history.reason.evtx_corrupt": (
        "事件日志 {source} 无法解析：{detail}",
        "event log {source} could not be parsed: {detail}",
    ),
    "history.reason.missing_log": (
        "镜像中没有事件日志 {source}（Windows/System32/winevt/Logs），无法确认是否改过系统时间",
        "the image has no event log {source} (Windows/System32/winevt/Logs), so clock changes cannot be ruled out",
    ),
    "history.reason.no_event_logs": (
        "仅有注册表配置单元，没有事件日志",
        "a hives-only target has no event logs",
    ),
    "history.installs.title": ("远程控制和穿透工具的安装记录", "Installs of remote-control and tunnel tools"),
    "history.installs.remediation": (
        "查明由谁、何时安装了该工具，是否已连过互联网；卸载并清除其服务和自启动项，按制度处理。"
        "工具已被卸载也要追查：安装记录说明终端曾违规使用它。",
        "Find out who installed the tool and when, and whether it reached the Internet; uninstall it and remove its "
        "service and autostart entries, and act under the regulation. Investigate even if it is gone now: the record "
        "shows the terminal once ran it.",
    ),
    "history.installs.denied": (
        "{when} 安装了 {name}（匹配禁用规则 {pattern}；程序 {image}）",
        "{name} was installed at {when} (matches the denied pattern {pattern}; program {image})",
    ),
    "history.installs.none": (
        "近 {days} 天内 {sources} 个日志来源记录的 {count} 次安装均不在禁用清单中",
        "none of the {count} installs recorded in {sources} log sources over the last {days} days is denied",
    ),
    "history.reason.no_install_log": (
        "本系统没有安装日志（/var/log/dpkg.log），无法追溯安装记录",
        "this system keeps no install log (/var/log/dpkg.log), so past installs cannot be traced",
    ),
    "history.reason.install_log_missing": (
        "系统使用 dpkg 但没有安装日志 {path}（已被删除或轮转掉），无法追溯安装记录",
        "the system uses dpkg but its install log {path} is missing (deleted or rotated away), so past installs "
        "cannot be traced",
    ),
    "time.manual-change.title": ("系统日期和时间的手工修改", "Manual changes of the system date and time"),
    "time.manual-change.remediation": (
        "查明由谁、为何修改了系统时间，核对该时段内的医保结算记录；恢复为由医保专网内的时间服务器自动同步，"
        "并收回普通用户修改系统时间的权限。",
        "Find out who changed the clock and why, and check the 医保 settlements made in that period; let the clock "
        "be set only by the time server inside the 医保 network, and remove ordinary users' right to change it.",
    ),
    "time.manual-change.changed": (
        "系统时间被手工修改（{how}，时间 {when}，操作者 {actor}）",
        "the system clock was changed by hand ({how}, at {when}, by {actor})",
    ),
    "time.manual-change.none": (
        "近 {days} 天内 {sources} 个日志来源中没有手工修改系统时间的记录",
        "no manual change of the system clock in {sources} log sources over the last {days} days",
    ),
}
