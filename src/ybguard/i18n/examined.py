"""What a passing check examined (checks/examined.py), and ybguard's own subject words.
key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    # subjects that are ybguard's words, not host strings
    "subject.host": ("主机", "host"),
    "subject.password_policy": ("口令策略", "password policy"),
    "subject.time_sync": ("时间同步", "time sync"),
    "subject.backups": ("备份", "backups"),
    "subject.baseline": ("基线", "baseline"),
    # evidence source labels
    "examined.src.policy": ("策略", "policy"),
    "examined.src.interfaces": ("网络接口", "network interfaces"),
    "examined.src.sysctl": ("内核参数（sysctl）", "kernel parameters (sysctl)"),
    "examined.src.netfilter": ("防火墙 NAT 规则（nft、iptables 或保存的规则文件）",
                               "firewall NAT rules (nft, iptables or saved rule files)"),
    "examined.src.sharing": ("网络共享与热点配置", "connection sharing and hotspot settings"),
    "examined.src.proxy": ("代理设置（环境变量、apt、桌面、系统）", "proxy settings (environment, apt, desktop, system)"),
    "examined.src.sockets": ("当前网络连接", "current network connections"),
    "examined.src.history": ("已加入过的网络记录", "record of networks joined"),
    "examined.src.devices": ("当前接入的设备", "devices attached now"),
    "examined.src.driver": ("驱动", "driver"),
    "examined.src.logs": ("内核与系统日志", "kernel and system logs"),
    "examined.src.processes": ("进程列表", "process list"),
    "examined.src.accounts": ("账户", "accounts"),
    "examined.src.baseline": ("基线文件", "baseline file"),
    # evidence details
    "examined.routes_from": ("读取到 {n} 条可达的单播路由", "{n} reachable unicast routes read"),
    "examined.rules_reach": ("{n} 条策略路由规则，可达的路由表：{tables}", "{n} policy rules; tables reached: {tables}"),
    "examined.allowed_networks": ("允许的网段：{nets}", "allowed networks: {nets}"),
    "examined.allowed_dns": ("允许的 DNS 服务器：{dns}", "allowed DNS resolvers: {dns}"),
    "examined.forbidden_kinds": ("禁止的接口类型：{kinds}", "forbidden interface kinds: {kinds}"),
    "examined.leased_line": ("专线网卡：{nics}", "leased-line NICs: {nics}"),
    "examined.no_interfaces": ("除回环接口外没有网络接口", "no network interface but loopback"),
    "examined.bridge_ports": ("网桥 {bridge} 的端口：{ports}", "bridge {bridge} ports: {ports}"),
    "examined.no_settings": ("没有读到转发设置", "no forwarding setting read"),
    "examined.nat_none": ("0 条 NAT/地址伪装/端口转发规则", "0 NAT, masquerade or port-forwarding rules"),
    "examined.shared_none": ("没有共享连接、热点或接入点程序", "no shared connection, hotspot or access-point program"),
    "examined.proxy_none": ("没有设置代理", "no proxy set"),
    "examined.socket_peers": ("{n} 个连接，对端：{peers}", "{n} connections; peers: {peers}"),
    "examined.history_kinds": ("{n} 个记录（{kinds}）", "{n} records ({kinds})"),
    "examined.devices_seen": ("{n} 个可移动设备（其中光驱 {optical} 个），{mounts} 个可移动介质挂载点",
                              "{n} removable devices ({optical} optical), {mounts} removable-media mounts"),
    "examined.optical_none": ("{n} 个可移动设备，其中没有光驱", "{n} removable devices, none of them optical"),
    "examined.history_none": ("日志中没有 USB 存储设备的记录", "no USB storage device in the logs"),
    "examined.packages_of": ("{n} 个软件包", "{n} packages"),
    "examined.deny_patterns": ("{n} 个禁止模式：{patterns}", "{n} deny patterns: {patterns}"),
    "examined.allow_patterns": ("{n} 个允许模式：{patterns}", "{n} allow patterns: {patterns}"),
    "examined.processes_seen": ("{n} 个进程", "{n} processes"),
    "examined.accounts_seen": ("{n} 个账户：{names}", "{n} accounts: {names}"),
    "examined.ntp_servers": ("允许的时间服务器：{servers}", "allowed time servers: {servers}"),
    "examined.backup_files": ("找到 {n} 个文件", "{n} files found"),
    "examined.baseline_file": ("{path}（生成于 {created}）", "{path} (created {created})"),
    # evidence words of the checks (English as it always was; host values are arguments)
    "ev.configured": ("（保存的配置）", "(configured)"),
    "ev.no_policy_rules": ("没有策略路由规则：内核默认规则会使用此路由表", "no policy rules: the kernel's default rules use this table"),
    "ev.kind": ("类型 {kind}", "kind={kind}"),
    "ev.because": ("依据 {why}", "because {why}"),
    "ev.state.up": ("状态 已启用", "state=up"),
    "ev.state.down": ("状态 未启用", "state=down"),
    "ev.state.unknown": ("状态 未知（保存的配置）", "state=unknown (saved configuration)"),
    "ev.addresses": ("地址 {addresses}", "addresses={addresses}"),
    "ev.src.configuration": ("保存的配置", "configuration"),
    "ev.src.kernel": ("内核", "kernel"),
    "ev.link": ("（网卡 {interface}）", "(link {interface})"),
    "ev.mounted": ("{device} 挂载于 {mountpoint}（{fstype}）", "{device} mounted on {mountpoint} ({fstype})"),
    "ev.usb_interface": ("USB 接口 {name}，类别 08（存储），驱动 {driver}", "interface {name} class 08 driver {driver}"),
    "ev.usb_interface_unbound": ("USB 接口 {name}，类别 08（存储），没有驱动", "interface {name} class 08 driver (none)"),
    "ev.block_device": ("块设备 /dev/{device}", "block device /dev/{device}"),
    "ev.removable_block": ("/sys/block/{device}：可移动，或位于 USB 总线上", "/sys/block/{device}: removable or on the USB bus"),
    "ev.optical_drive": ("/sys/block/{device}：光驱（SCSI 类型 5）", "/sys/block/{device}: optical drive (SCSI type 5)"),
    "ev.on_usb": ("位于 USB：{device}", "on USB: {device}"),
    "ev.capture_filter_kernel": ("{ifaces} 的抓包过滤器（{linktype}；内核 BPF）",
                                 "capture filter for {ifaces} ({linktype}; kernel BPF)"),
    "ev.capture_filter_python": ("{ifaces} 的抓包过滤器（{linktype}；无法编译，改在 Python 中过滤：{error}）",
                                 "capture filter for {ifaces} ({linktype}; Python, the filter could not be compiled: "
                                 "{error})"),
    "ev.capture_counters": ("抓包计数 {iface}", "capture counters {iface}"),
    "ev.capture_counts": (
        "通过过滤器：{passed}；被内核丢弃（套接字缓冲区已满）：{drops}；策略外：{outside}",
        "passed the filter: {passed}; dropped by the kernel (socket buffer full): {drops}; outside policy: {outside}",
    ),
    "ev.live_capture": ("实时抓包 {iface}", "live capture {iface}"),
    "ev.flow": ("{flow}：{packets} 个包，{bytes} 字节，首次 {first}，最近 {last}，进程 {process}",
                "{flow}: {packets} packets, {bytes} bytes, first {first}, last {last}, process {process}"),
    "ev.flow_unknown_process": ("{flow}：{packets} 个包，{bytes} 字节，首次 {first}，最近 {last}，进程未知",
                                "{flow}: {packets} packets, {bytes} bytes, first {first}, last {last}, process unknown"),
    "ev.probe": ("探测 {kind} {target}", "probe {kind} {target}"),
    "ev.could_not_run": ("（无法执行：{error}）", "(could not run: {error})"),
    "ev.elapsed": ("［{ms} 毫秒］", "[{ms} ms]"),
    "ev.probe_reached": ("网卡 {iface}，源地址 {source}；{detail}", "interface {iface}, source address {source}; {detail}"),
    "ev.baseline": ("基线 {path}", "baseline {path}"),
    # pass messages: what was examined and found
    "examined.network.public-route": (
        "检查了 {tables} 个路由表中经 {rules} 条规则可达的 {routes} 条路由，没有一条通往允许网段以外的公网地址",
        "{routes} routes in {tables} tables reachable by {rules} rules, none to a public address outside "
        "allowed_networks",
    ),
    "examined.network.default-route": (
        "检查了 {tables} 个路由表中经 {rules} 条规则可达的 {routes} 条路由，其中没有默认路由",
        "{routes} routes in {tables} tables reachable by {rules} rules, none of them a default route",
    ),
    "examined.network.forbidden-interface": (
        "检查了 {n} 个网络接口，没有禁止类型（{kinds}）的接口",
        "{n} network interfaces examined, none of a forbidden kind ({kinds})",
    ),
    "examined.network.dual-homed": (
        "检查了 {n} 个网络接口，专线网卡以外没有启用的接口持有允许网段以外的地址",
        "{n} network interfaces examined; no active interface but the leased line holds an address outside "
        "allowed_networks",
    ),
    "examined.network.bridge-leased-line": (
        "检查了 {n} 个网桥，专线网卡不在任何网桥中",
        "{n} bridges examined; the leased-line NIC is in none of them",
    ),
    "examined.network.ip-forwarding": (
        "读取了 {n} 项转发设置，均未开启转发",
        "{n} forwarding settings read, forwarding is off in all of them",
    ),
    "examined.network.nat": (
        "读取了防火墙的 NAT 表，共有 {n} 条 NAT/地址伪装规则",
        "the firewall's NAT tables were read: {n} NAT or masquerade rules",
    ),
    "examined.network.shared-connection": (
        "没有共享连接、热点或接入点（找到 {n} 个）",
        "no shared connection, hotspot or access point ({n} found)",
    ),
    "examined.network.dns": (
        "检查了 {n} 个 DNS 服务器设置，全部是允许的服务器或本机",
        "{n} DNS resolver settings examined, all of them allowed or local",
    ),
    "examined.network.dns_none": (
        "没有设置任何 DNS 服务器（找到 {n} 个）",
        "no DNS resolver is configured ({n} found)",
    ),
    "examined.network.proxy": ("没有设置代理（找到 {n} 个）", "no proxy is set ({n} found)"),
    "examined.network.sockets": (
        "检查了 {n} 个已建立或正在建立的连接，对端都在允许网段内或是本机",
        "{n} established or connecting sockets examined, every peer inside allowed_networks or local",
    ),
    "examined.network.live-traffic": (
        "在 {ifaces} 上监听 {seconds} 秒，没有策略外的流量",
        "{seconds} s of traffic on {ifaces}, none outside the policy",
    ),
    "examined.network.probe": ("{n} 个探测目标都无法到达", "none of the {n} probe targets could be reached"),
    "examined.network.wireless-history": (
        "检查了 {n} 条已加入网络的记录，其中没有无线或移动网络",
        "{n} remembered networks examined, none of them wireless or mobile",
    ),
    "examined.usb.storage-attached": (
        "当前没有接入 USB 存储设备或可移动磁盘（USB 存储接口 {usb} 个，可移动磁盘 {removable} 个）",
        "no USB storage device or removable disk is attached ({usb} USB storage interfaces, {removable} "
        "removable disks)",
    ),
    "examined.usb.storage-driver": ("USB 存储驱动（{modules}）均已禁用", "the USB storage drivers ({modules}) are disabled"),
    "examined.usb.optical": ("当前没有接入光驱（检查了 {n} 个可移动设备）",
                             "no optical drive is attached ({n} removable devices examined)"),
    "examined.usb.storage-history": (
        "保留的日志中没有 USB 存储设备的使用记录（找到 {n} 条）",
        "the kept logs record no USB storage device ({n} found)",
    ),
    "examined.software.installed.denylist": (
        "检查了 {n} 个已安装软件包，均不匹配 {deny} 个禁止模式：没有安装被禁止的软件",
        "{n} installed packages checked against {deny} deny patterns: none of the denied software is installed",
    ),
    "examined.software.installed.allowlist": (
        "检查了 {n} 个已安装软件包：全部匹配 {allow} 个允许模式，且不匹配 {deny} 个禁止模式",
        "{n} installed packages checked: every one matches the {allow} allow patterns and none the {deny} "
        "deny patterns",
    ),
    "examined.software.processes": (
        "检查了 {n} 个正在运行的进程，均不匹配 {deny} 个禁止模式",
        "{n} running processes checked against {deny} deny patterns, none matches",
    ),
    "examined.accounts.password-max-age": (
        "口令最长使用期限为 {got} 天（策略要求不超过 {want} 天）",
        "the maximum password age is {got} days (the policy allows at most {want})",
    ),
    "examined.accounts.empty-password": ("检查了 {n} 个账户，可登录账户都设置了口令",
                                         "{n} accounts examined; every login account has a password"),
    "examined.accounts.password-age": (
        "检查了 {n} 个可登录账户，口令都在 {want} 天内更换过",
        "{n} login accounts examined; every password was changed within {want} days",
    ),
    "examined.accounts.never-expires": ("检查了 {n} 个可登录账户，口令都会过期",
                                        "{n} login accounts examined; every password expires"),
    "examined.accounts.uid0": ("检查了 {n} 个账户，只有 root 的 UID 为 0",
                               "{n} accounts examined; only root has UID 0"),
    "examined.time.ntp-config": (
        "{daemon} 只使用策略允许的时间服务器（{servers}）",
        "{daemon} uses only the time servers the policy allows ({servers})",
    ),
    "examined.time.offset": (
        "{n} 个时间服务器的偏差都在允许的 {limit} 秒以内",
        "the offset from each of the {n} time servers is within {limit} s",
    ),
    "examined.backups.copies": ("{rules} 条备份规则均满足", "all {rules} backup rules are met"),
    "examined.integrity.baseline-files": ("{n} 个文件与基线一致", "{n} files match the baseline"),
    "examined.integrity.baseline-packages": ("{n} 个软件包与基线一致", "{n} packages match the baseline"),
    "examined.integrity.baseline-interfaces": ("{n} 个网络接口与基线一致", "{n} network interfaces match the baseline"),
    "examined.integrity.baseline-gateway": ("{n} 个专线网关与基线一致", "{n} leased-line gateways match the baseline"),
    # 等保 2.0 controls and traces of past violations
    "examined.logon.password-complexity": ("读取了 {n} 处口令复杂度设置：要求 {got} 类字符（策略至少 {want} 类）",
                                           "{n} password complexity settings read: {got} character classes "
                                           "required (policy: at least {want})"),
    "examined.logon.lockout": ("读取了 {n} 处登录失败锁定设置（策略：最多 {want} 次失败，锁定至少 {minutes} 分钟）",
                               "{n} login-failure lockout settings read (policy: at most {want} attempts, "
                               "locked for at least {minutes} minutes)"),
    "examined.logon.idle-lock": ("检查了 {n} 个须自行锁定的范围（{scopes}），限值 {limit} 秒",
                                 "{n} scopes that must lock by themselves examined ({scopes}), limit {limit} s"),
    "examined.logon.remote-admin": ("检查了 {n} 个远程管理服务（{names}）", "{n} remote administration services "
                                    "examined ({names})"),
    "examined.audit.events": ("读取了{service}的 {n} 处审计设置", "{n} audit settings of {service} read"),
    "examined.audit.log-storage": ("检查了 {n} 个日志存储（策略：安全日志至少 {want} MB）",
                                   "{n} log stores examined (policy: Security log at least {want} MB)"),
    "examined.hardening.services": ("检查了 {listeners} 个监听端口、{services} 个开机启动的网络服务和 {shares} 项共享设置",
                                    "{listeners} listening ports, {services} network services enabled at boot and "
                                    "{shares} sharing settings examined"),
    "examined.hardening.services_offline": ("离线检查了 {services} 个开机启动的网络服务和 {shares} 项共享设置（镜像中无监听端口）",
                                            "{services} network services enabled at boot and {shares} sharing "
                                            "settings examined offline (nothing listens in an image)"),
    "examined.hardening.autorun": ("读取了{what}的 {n} 处自动播放设置", "{n} autorun settings of {what} read"),
    "examined.hardening.firewall": ("检查了 {n} 个主机防火墙配置", "{n} host firewall profiles examined"),
    "examined.malware.products": ("检查了 {n} 个防恶意代码产品（{names}），病毒库限值 {limit} 天",
                                  "{n} anti-malware products examined ({names}), signature limit {limit} days"),
    "examined.patches.security-updates": ("读取了 {kind} 的更新记录：{pending} 个待装安全更新，限值 {limit} 天",
                                          "{kind} update records read: {pending} pending security updates, "
                                          "limit {limit} days"),
    "examined.patches.kernel": ("运行内核 {running}，已安装的最新内核 {newest}",
                                "running kernel {running}, newest installed kernel {newest}"),
    "examined.history.web": ("近 {days} 天内 {sources} 个浏览记录来源：{visits} 次访问、{hosts} 个主机",
                             "{sources} browser history sources over the last {days} days: {visits} visits to "
                             "{hosts} hosts"),
    "examined.history.installs": ("近 {days} 天内 {sources} 个日志来源：{count} 次安装",
                                  "{sources} log sources over the last {days} days: {count} installs"),
    "examined.time.manual-change": ("近 {days} 天内 {sources} 个日志来源中的时间修改记录",
                                    "clock change records in {sources} log sources over the last {days} days"),
    "examined.history_source": ("已读取", "read"),
    "examined.allowed_domains": ("允许的域名 {n} 个：{domains}", "{n} allowed domains: {domains}"),
    "examined.allowed_ports": ("允许监听的端口：{ports}", "ports allowed to listen: {ports}"),
}
