"""Messages for the network area: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    # network.public-route
    "network.public-route.title": ("通往互联网的路由", "Routes to the Internet"),
    "network.public-route.remediation": (
        "删除该路由（ip route del …，并从 netplan/NetworkManager/ifupdown 配置中去掉，防止重启后恢复）；"
        "医保终端只应保留到医保专网网段（allowed_networks）的路由。若该路由确属医保平台的公网地址，"
        "请把该网段加入策略的 allowed_networks。",
        "Delete the route (ip route del …, and remove it from the netplan/NetworkManager/ifupdown "
        "configuration so it does not come back at boot); a 医保 terminal keeps only routes to the "
        "医保 networks (allowed_networks). If the prefix really is a public address of the 医保 platform, "
        "add it to allowed_networks in the policy.",
    ),
    "network.public-route.found": (
        "路由 {route} 覆盖了策略未允许的公网地址（例如 {witness}），数据可经此路由发往互联网",
        "Route {route} covers globally routable addresses outside allowed_networks "
        "(e.g. {witness}): traffic can leave for the Internet through it",
    ),
    # network.default-route
    "network.default-route.title": ("默认路由", "Default route"),
    "network.default-route.remediation": (
        "删除默认路由（ip route del default …），并在网卡配置中去掉网关（gateway/GATEWAY=、DHCP 下发的网关）；"
        "只为医保平台网段添加明确的静态路由。",
        "Delete the default route (ip route del default …) and remove the gateway from the interface "
        "configuration (gateway/GATEWAY=, or the gateway handed out by DHCP); add explicit static "
        "routes for the 医保 platform networks only.",
    ),
    "network.partial": (
        "路由信息不完整：无法读取 {source}（{reason}）；以上不通过项由其余来源证明，其余路由未知",
        "the routes are partial: {source} could not be read ({reason}); any fail above is proven by "
        "the other sources, the rest of the routes are unknown",
    ),
    "network.default-route.found": (
        "存在默认路由 {route}，策略禁止默认路由",
        "Default route {route} is present; the policy forbids default routes",
    ),
    "network.default-route.allowed": ("策略允许默认路由（forbid_default_route: false）",
                                      "The policy allows a default route (forbid_default_route: false)"),
    # network.forbidden-interface
    "network.forbidden-interface.title": ("禁止类型的网络接口", "Forbidden kinds of network interface"),
    "network.forbidden-interface.remediation": (
        "断开并禁用该接口：拔除无线网卡/4G 模块/USB 共享网络的手机，删除 VPN/隧道/网桥及其配置文件"
        "（nmcli connection delete …、rfkill block wifi 或在 BIOS 中关闭无线），"
        "必要时将驱动加入 /etc/modprobe.d 黑名单。",
        "Disconnect and disable the interface: remove the Wi-Fi card, 4G/5G modem or tethered phone, "
        "delete the VPN/tunnel/bridge and its configuration (nmcli connection delete …, rfkill block wifi "
        "or disable wireless in the BIOS), and blacklist the driver in /etc/modprobe.d if needed.",
    ),
    "network.forbidden-interface.active": (
        "接口 {name} 的类型为 {kind}（策略禁止），且已启用并配有地址，可能构成通往互联网的通道",
        "Interface {name} is of kind {kind}, which the policy forbids, and it is up with an address: "
        "it can be a path to the Internet",
    ),
    "network.forbidden-interface.configured": (
        "已保存的配置中有类型为 {kind} 的接口 {name}（策略禁止），并为其配置了地址或 DHCP，启用后即可能构成通往互联网的通道",
        "The saved configuration has interface {name} of kind {kind}, which the policy forbids, with an address "
        "or DHCP: once it comes up it can be a path to the Internet",
    ),
    "network.forbidden-interface.present": (
        "接口 {name} 的类型为 {kind}（策略禁止），目前未启用或没有地址，但随时可被启用",
        "Interface {name} is of kind {kind}, which the policy forbids; it is down or has no address now, "
        "but can be brought up at any time",
    ),
    # network.dual-homed
    "network.dual-homed.title": ("双网卡（同时接入其他网络）", "Dual-homing (attached to a second network)"),
    "network.dual-homed.remediation": (
        "医保终端只能通过医保专线网卡联网：拔掉第二块网卡的网线或在系统中禁用该网卡，并删除其地址配置；"
        "若该网卡就是专线网卡，请在策略 network.leased_line.interfaces 中写明其名称或 MAC 地址。",
        "A 医保 terminal may only be connected through the leased-line NIC: unplug or disable the second "
        "NIC and remove its address configuration; if this NIC is the leased line, name it (or its MAC) in "
        "network.leased_line.interfaces in the policy.",
    ),
    "network.dual-homed.address": (
        "专线以外的网卡 {name} 已启用，且地址 {addresses} 不在策略允许的网段内",
        "NIC {name} is not the leased line, is up, and has addresses outside allowed_networks: {addresses}",
    ),
    "network.dual-homed.configured": (
        "已保存的配置为专线以外的网卡 {name} 设置了不在策略允许网段内的地址 {addresses}",
        "The saved configuration gives NIC {name}, which is not the leased line, addresses outside "
        "allowed_networks: {addresses}",
    ),
    "network.dual-homed.dhcp": (
        "专线以外的网卡 {name} 被配置为通过 DHCP 获取地址，一旦接入即会连到其他网络",
        "NIC {name} is not the leased line and is configured to take an address by DHCP: it joins "
        "another network as soon as it is plugged in",
    ),
    # network.ip-forwarding
    "network.ip-forwarding.title": ("IP 转发", "IP forwarding"),
    "network.ip-forwarding.remediation": (
        "关闭转发：sysctl -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0，"
        "并在 /etc/sysctl.conf 与 /etc/sysctl.d/ 中删除或改为 0，防止重启后恢复。",
        "Turn forwarding off: sysctl -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0, and remove "
        "or zero the settings in /etc/sysctl.conf and /etc/sysctl.d/ so they stay off after a reboot.",
    ),
    "network.ip-forwarding.global": (
        "IPv{family} 全局转发已开启，本机可作为路由器把医保专网延伸到其他网络",
        "IPv{family} forwarding is on for all interfaces: this host can route the 医保 network onward",
    ),
    "network.ip-forwarding.interface": (
        "接口 {scope} 的 IPv{family} 转发已开启，从该接口进入的数据会被转发",
        "IPv{family} forwarding is on for interface {scope}: packets arriving there are routed onward",
    ),
    "network.ip-forwarding.allowed": ("策略允许 IP 转发（allow_ip_forwarding: true）",
                                      "The policy allows IP forwarding (allow_ip_forwarding: true)"),
    # network.nat
    "network.nat.title": ("NAT/地址伪装规则", "NAT and masquerade rules"),
    "network.nat.remediation": (
        "删除该 NAT 规则（nft delete rule … 或 iptables -t nat -D …），并从 /etc/nftables.conf、"
        "/etc/iptables/rules.v4 等保存的规则中去掉；医保终端不得为其他设备做地址转换或端口映射。",
        "Delete the NAT rule (nft delete rule … or iptables -t nat -D …) and remove it from saved rules "
        "(/etc/nftables.conf, /etc/iptables/rules.v4 …); a 医保 terminal must not translate addresses or "
        "forward ports for other devices.",
    ),
    "network.nat.found": (
        "{table} 表 {chain} 链中有 {kind} 规则，本机可替其他设备访问医保专网或外网",
        "A {kind} rule in table {table}, chain {chain}: this host can carry other devices' traffic",
    ),
    # network.bridge-leased-line
    "network.bridge-leased-line.title": ("专线网卡桥接", "Bridging of the leased-line NIC"),
    "network.bridge-leased-line.remediation": (
        "把专线网卡从网桥中移除（ip link set <网卡> nomaster）并删除网桥配置；专线只能直接连到本终端。",
        "Take the leased-line NIC out of the bridge (ip link set <nic> nomaster) and delete the bridge "
        "configuration; the leased line must end at this terminal.",
    ),
    "network.bridge-leased-line.found": (
        "网桥 {bridge} 包含专线网卡 {nic}，医保专网被延伸到网桥上的其他端口",
        "Bridge {bridge} holds the leased-line NIC {nic}: the 医保 network extends to the bridge's other ports",
    ),
    # network.shared-connection
    "network.shared-connection.title": ("网络共享与热点", "Connection sharing and hotspots"),
    "network.shared-connection.remediation": (
        "删除共享连接或热点配置（nmcli connection delete …，停用 hostapd），医保终端不得向其他设备共享网络。",
        "Delete the shared connection or hotspot (nmcli connection delete …, stop hostapd); a 医保 "
        "terminal must not share its network with other devices.",
    ),
    "network.shared-connection.found": (
        "连接 {name} 以 {how} 方式向其他设备共享网络",
        "Connection {name} shares the network with other devices ({how})",
    ),
    # network.dns
    "network.dns.title": ("DNS 服务器", "DNS resolvers"),
    "network.dns.remediation": (
        "在 /etc/resolv.conf（或 netplan/NetworkManager/systemd-resolved 配置）中只保留策略 allowed_dns "
        "列出的医保专网 DNS，删除公共 DNS。",
        "Keep only the 医保 resolvers listed in allowed_dns in /etc/resolv.conf (or the netplan/"
        "NetworkManager/systemd-resolved configuration) and remove public resolvers.",
    ),
    "network.dns.public": (
        "配置了互联网公共 DNS {address}（{name}），不在策略允许的 DNS 列表中",
        "Public Internet resolver {address} ({name}) is configured; it is not in allowed_dns",
    ),
    "network.dns.not_allowed": (
        "配置的 DNS 服务器 {address} 不在策略允许的列表中",
        "Resolver {address} is configured but is not in allowed_dns",
    ),
    # network.proxy
    "network.proxy.title": ("代理设置", "Proxy settings"),
    "network.proxy.remediation": (
        "删除该代理设置（/etc/environment、/etc/profile.d、apt/yum/dnf 配置、GNOME 系统代理）；"
        "代理可绕过网络隔离访问互联网。",
        "Remove the proxy setting (/etc/environment, /etc/profile.d, apt/yum/dnf configuration, GNOME "
        "system proxy); a proxy can carry traffic around the isolation.",
    ),
    "network.proxy.found": (
        "{source} 中配置了代理 {setting} = {value}",
        "Proxy {setting} = {value} is configured in {source}",
    ),
    "network.proxy.allowed": ("策略允许代理（allow_proxy: true）", "The policy allows proxies (allow_proxy: true)"),
    # network.sockets
    "network.sockets.title": ("到策略外地址的连接", "Connections to addresses outside the policy"),
    "network.sockets.remediation": (
        "立即查明并结束该进程，确认它为何能连到医保专网以外的地址（远程控制、代理、非法外联软件），"
        "卸载相关软件并排查对应的路由或网卡。",
        "Find and stop the process now; find out how it reaches an address outside the 医保 networks "
        "(remote control, proxy, unauthorised software), uninstall it and fix the route or NIC that "
        "made it possible.",
    ),
    "network.sockets.found": (
        "进程 {process}（PID {pid}）有一条 {proto} 连接到策略外地址 {peer}",
        "Process {process} (pid {pid}) has a {proto} connection to {peer}, outside allowed_networks",
    ),
    "network.reason.no_legacy_tool": (
        "存在 legacy iptables 的 nat 表，但缺少读取它的工具 {tool}",
        "legacy iptables nat tables exist but the tool to read them ({tool}) is missing",
    ),
    "network.history.none_kept": (
        "本机没有记录曾连接过哪些网络（没有 {path}，NetworkManager 未使用），无法据此判断是否连过无线或移动网络",
        "this host keeps no record of the networks it joined ({path} does not exist: NetworkManager is not "
        "in use), so past Wi-Fi or mobile connections cannot be told from it",
    ),
}
