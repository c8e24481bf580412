"""Messages for the usb area: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    "usb.storage-attached.title": ("接入的U盘、移动硬盘等USB存储设备", "Attached USB storage devices"),
    "usb.storage-attached.remediation": (
        "立即拔出该设备，查明由谁、为何接入；按规定禁用 usb-storage/uas 驱动（见 usb.storage-driver）。"
        "确需使用的设备须经信息科书面批准，并以该设备名称登记豁免。",
        "Unplug the device now and find out who attached it and why; disable the usb-storage/uas drivers "
        "(see usb.storage-driver). A device that must be used needs written approval and a waiver naming it.",
    ),
    "usb.storage-attached.usb": (
        "USB存储设备已接入并可读写（端口 {port}，驱动 {driver}，块设备 {blocks}）",
        "a USB storage device is attached and usable (port {port}, driver {driver}, block devices {blocks})",
    ),
    "usb.storage-attached.unbound": (
        "USB存储设备已插入端口 {port}，但没有驱动接管（已被拦截）；仍应拔出，驱动一旦加载即可读写",
        "a USB storage device is plugged into port {port} but no driver is bound (blocked); unplug it anyway: "
        "it becomes usable as soon as a driver loads",
    ),
    "usb.storage-attached.block": (
        "可移动块设备 /dev/{device} 已接入",
        "removable block device /dev/{device} is attached",
    ),
    "usb.storage-driver.title": ("USB存储驱动", "USB storage drivers"),
    "usb.storage-driver.remediation": (
        "新建 /etc/modprobe.d/ybguard-usb-storage.conf，写入两行 “install usb-storage /bin/false” 和 "
        "“install uas /bin/false”，执行 rmmod uas usb_storage 并 update-initramfs -u；"
        "若驱动编译进内核，改用 USBGuard 并设置 ImplicitPolicyTarget=block。",
        "Create /etc/modprobe.d/ybguard-usb-storage.conf with the lines \"install usb-storage /bin/false\" and "
        "\"install uas /bin/false\", run rmmod uas usb_storage and update-initramfs -u; if the driver is built "
        "into the kernel, use USBGuard with ImplicitPolicyTarget=block instead.",
    ),
    "usb.storage-driver.enabled": (
        "驱动 {module} 未禁用，插入U盘即可使用：{how}",
        "driver {module} is not disabled, a plugged-in stick would work: {how}",
    ),
    "usb.storage-driver.loaded": (
        "驱动 {module} 当前已加载，插入U盘即可读写（{how}）",
        "driver {module} is loaded now, a plugged-in stick works at once ({how})",
    ),
    "usb.storage-driver.builtin": (
        "驱动 {module} 已编译进内核，modprobe.d 无法禁用（{how}）",
        "driver {module} is built into the kernel and modprobe.d cannot disable it ({how})",
    ),
    "usb.storage-driver.may_load": (
        "驱动 {module} 未禁用：modprobe.d 中没有 blacklist 或 install 配置，插入U盘时会自动加载（{how}）",
        "driver {module} is not disabled: modprobe.d has no blacklist or install line for it, so it loads "
        "when a stick is plugged in ({how})",
    ),
    "usb.storage-driver.disabled": ("USB存储驱动均已禁用：{modules}", "USB storage drivers are disabled: {modules}"),
    "usb.storage-driver.not_required": (
        "策略未要求禁用驱动（require_driver_disabled: false）；接入的设备由 usb.storage-attached 检查",
        "the policy does not require the drivers to be disabled (require_driver_disabled: false); "
        "attached devices are checked by usb.storage-attached",
    ),
    "usb.optical.title": ("光驱", "Optical drives"),
    "usb.optical.remediation": (
        "拆除或断开光驱（USB光驱直接拔出；内置光驱在BIOS中禁用或拆除数据线），"
        "并可在 modprobe.d 中写入 “install sr_mod /bin/false”。",
        "Remove or disconnect the optical drive (unplug a USB drive; disable an internal one in the BIOS or "
        "unplug its cable), and optionally add \"install sr_mod /bin/false\" in modprobe.d.",
    ),
    "usb.optical.attached": ("光驱 /dev/{device} 已接入（{bus}）", "optical drive /dev/{device} is attached ({bus})"),
    "usb.storage-history.title": ("日志中的USB存储设备使用记录", "USB storage devices in the logs"),
    "usb.storage-history.remediation": (
        "根据日志中的时间和设备序列号，查明由谁、为何在医保终端上使用了该存储设备，必要时对终端做病毒查杀和"
        "完整性检查；经批准的设备请以该设备名称登记豁免。",
        "Use the time and serial number in the log to find out who used this storage device on the terminal "
        "and why; scan the terminal for malware and check its integrity if needed; waive an approved device by "
        "its name.",
    ),
    "usb.storage-history.partial": (
        "日志未能全部读取（{count} 处超过大小、行长或时间上限，或已损坏，见证据）：已读部分没有 USB 存储记录，不能证明从未使用",
        "the logs could not be read in full ({count} parts past the size, line or time limit, or corrupt; see "
        "the evidence): what was read shows no USB storage, which proves nothing for the rest",
    ),
    "usb.storage-history.seen": (
        "日志记录该存储设备接入 {count} 次（首次 {first}，最近 {last}）",
        "the logs show this storage device attached {count} times (first {first}, last {last})",
    ),
    "usb.allowed_by_policy": ("策略允许（{setting}: allow）", "allowed by policy ({setting}: allow)"),
    "usb.reason.no_sysfs": ("无法读取 /sys（sysfs 未挂载）", "cannot read /sys (sysfs is not mounted)"),
    "usb.reason.bad_mountinfo": (
        "/proc/self/mountinfo 第 {line} 行无法解析",
        "cannot parse line {line} of /proc/self/mountinfo",
    ),
    "usb.reason.no_logs": (
        "没有保存内核日志（无 kern.log、syslog、messages 或 systemd 日志）",
        "no kernel log is kept (no kern.log, syslog, messages or systemd journal)",
    ),
    "usb.reason.journal_tool": (
        "镜像中有 systemd 日志 {path}，但本机没有 journalctl 可以读取",
        "the image has a systemd journal at {path} but this machine has no journalctl to read it",
    ),
    "usb.reason.journal_failed": ("journalctl 读取失败：{reason}", "journalctl failed: {reason}"),
    "usb.reason.journal_permission": (
        "非 root 用户无法通过 journalctl 读取内核日志，请以 root 运行",
        "journalctl shows kernel messages only to root; run the scan as root",
    ),
}
