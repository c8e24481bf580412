"""Messages for live traffic, the active probe and ``ybguard watch``: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    # network.live-traffic
    "network.live-traffic.title": (
        "与医保专网以外的实时流量",
        "Live traffic to or from outside the 医保 network",
    ),
    "network.live-traffic.remediation": (
        "立即查明证据中的进程和网卡：断开非专线网卡（拔线或禁用），卸载或停止产生该流量的程序，"
        "确认路由只指向医保专网；整改后用 --capture 重新抓包确认。",
        "Find the process and interface named in the evidence at once: disconnect the non-leased-line "
        "NIC (unplug or disable it), stop or remove the program sending the traffic, make sure routes "
        "only lead to the 医保 network; then capture again with --capture to confirm.",
    ),
    "network.live-traffic.flow": (
        "抓到策略外流量：{flow}，共 {packets} 个包、{bytes} 字节，所属进程：{process}",
        "traffic outside policy: {flow}, {packets} packets, {bytes} bytes, process: {process}",
    ),
    "network.live-traffic.overflow": (
        "流表已满（上限 {max} 条），另有 {flows} 条策略外流量（{packets} 个包）未逐条记录",
        "the flow table is full ({max} flows): {flows} more flows outside policy ({packets} packets) "
        "were counted but not kept",
    ),
    "network.live-traffic.dropped_outside": (
        "网卡 {iface} 上有 {drops} 个策略外数据包因来不及读取被内核丢弃（只有策略外的包才会通过内核过滤器）",
        "{drops} packets outside policy on {iface} were dropped by the kernel before ybguard could read "
        "them (only packets outside policy pass the kernel filter)",
    ),
    "network.live-traffic.incomplete": (
        "抓包不完整，不能据此判定无违规：{gaps}",
        "the capture was incomplete, so it cannot show there was no violation: {gaps}",
    ),
    "network.live-traffic.clean": (
        "在 {ifaces} 上抓包 {seconds} 秒，没有任何策略外数据包（过滤在内核中完成，无丢包）",
        "watched {ifaces} for {seconds} s: no packet outside policy (filtered in the kernel, nothing dropped)",
    ),
    "network.live-traffic.clean_python": (
        "在 {ifaces} 上抓包 {seconds} 秒，没有任何策略外数据包；{python} 上的过滤器无法编译，改在 Python 中过滤，无丢包",
        "watched {ifaces} for {seconds} s: no packet outside policy; the filter could not be compiled for "
        "{python}, so packets were filtered in Python, none dropped",
    ),
    "capture.not_requested": (
        "未要求抓包：请使用 --capture 秒数（或在策略中设置 network.capture.seconds）",
        "capture not requested: use --capture SECONDS (or set network.capture.seconds in the policy)",
    ),
    "capture.no_privilege": (
        "没有抓包权限（需要 root 或 CAP_NET_RAW），无法观察实时流量",
        "no permission to capture packets (needs root or CAP_NET_RAW), so live traffic could not be watched",
    ),
    "capture.no_af_packet": (
        "此系统不支持 AF_PACKET 抓包",
        "this system has no AF_PACKET sockets to capture with",
    ),
    # network.probe
    "network.probe.title": (
        "主动探测互联网目标",
        "Active probe of Internet targets",
    ),
    "network.probe.remediation": (
        "终端能主动连到互联网：按证据中的网卡和源地址找到出口，断开该网卡或删除相应路由，"
        "检查是否有代理、共享上网或第二块网卡；整改后用 --probe 重新探测。",
        "The terminal can reach the Internet: use the interface and source address in the evidence to find "
        "the way out, disconnect that NIC or delete the route, look for proxies, shared connections or a "
        "second NIC; then probe again with --probe.",
    ),
    "network.probe.reached": (
        "探测目标 {target} 可达：经网卡 {iface}、源地址 {source}，{answer}",
        "probe {target} got through via {iface} from {source}: {answer}",
    ),
    "network.probe.could_not_run": (
        "探测 {target} 无法执行：{reason}",
        "probe {target} could not be run: {reason}",
    ),
    "network.probe.silent": (
        "{n} 个探测目标在 {timeout} 秒内均无应答",
        "none of the {n} probe targets answered within {timeout} s",
    ),
    "probe.not_requested": (
        "未要求主动探测：请使用 --probe（或在策略中设置 network.probe.enabled: true）",
        "probe not requested: use --probe (or set network.probe.enabled: true in the policy)",
    ),
    "probe.no_targets": (
        "策略中没有配置探测目标（network.probe.targets）",
        "no probe targets are configured (network.probe.targets)",
    ),
    # ybguard watch
    "watch.started": (
        "已启动：{n} 项网络检查，至少每 {interval} 秒复查一次，抓包：{capture}，内核变化通知：{netlink}",
        "started: {n} network checks, re-checked at least every {interval} s, capture: {capture}, "
        "kernel change events: {netlink}",
    ),
    "watch.stopped": ("已停止", "stopped"),
    "watch.hook_failed": (
        "--on-violation 命令执行失败：{reason}",
        "the --on-violation command failed: {reason}",
    ),
    "watch.capture_unavailable": (
        "无法抓包，仅监视网络配置：{reason}",
        "cannot capture packets, watching the network configuration only: {reason}",
    ),
    "watch.yes": ("开启", "on"),
    "watch.no": ("关闭", "off"),
    "watch.flow_ended": (
        "流量已停止：{flow}（{packets} 个包、{bytes} 字节）",
        "traffic stopped: {flow} ({packets} packets, {bytes} bytes)",
    ),
    "watch.resolved": ("已恢复：{subject}", "resolved: {subject}"),
}
