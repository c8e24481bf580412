"""``--help`` in 中文: key ``help.<command path>`` for a command, ``help.<command path>.<option>``
for an option (the parameter's name). The English is what cli.py says; when the locale (or
``--lang zh``) asks for 中文 the CLI shows the 中文 here. key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    "help.scan": (
        "按策略检查本机（或用 --root 检查离线镜像）。\n\n退出码：0 合规 · 1 不合规 · 2 用法或策略错误 · 3 检查不完整。",
        "Scan this host (or an image with --root) against the policy.\n\nExit codes: 0 compliant · 1 non-compliant · "
        "2 usage or policy error · 3 incomplete.",
    ),
    "help.scan.policy_path": ("策略 YAML 文件（否则依次为 $YBGUARD_POLICY、/etc/ybguard/policy.yaml、内置策略）。",
                              "Policy YAML (else $YBGUARD_POLICY, /etc/ybguard/policy.yaml, built-in)."),
    "help.scan.root": ("检查挂载在 DIR 的离线镜像，而不是本机。", "Scan an offline image mounted at DIR instead of this host."),
    "help.scan.hives": ("检查 DIR 中的 Windows 注册表配置单元（SYSTEM、SOFTWARE、SAM、NTUSER*.DAT）。",
                        "Scan Windows registry hives in DIR (SYSTEM, SOFTWARE, SAM, NTUSER*.DAT)."),
    "help.scan.evidence_path": ("检查 “ybguard kit” 生成的采集包（文件夹、.zip 或 .tar.gz），而不是本机。",
                                "Scan an evidence bundle from 'ybguard kit' (folder, .zip or .tar.gz)."),
    "help.scan.fmt": ("输出到标准输出的报告格式（终端上默认为 console，否则为 json）；若 -o 已把该格式写入文件，则不再输出到标准输出。",
                      "Report format on stdout (console on a TTY, else json); when -o already writes this format "
                      "to a file, nothing goes to stdout."),
    "help.scan.output": ("把 --format 的报告写入 PATH（“-”为标准输出）。", "Write the --format report to PATH ('-' = stdout)."),
    "help.scan.outputs": ("另外写一份报告，例如 -o junit=report.xml（可重复）。",
                          "Extra report, e.g. -o junit=report.xml (repeatable)."),
    "help.scan.capture_seconds": ("抓取 SECONDS 秒实时流量，报告每个策略外的数据包。",
                                  "Watch live traffic for SECONDS and report every packet outside policy."),
    "help.scan.probe": ("主动测试策略中的探测目标是否可达（会发送数据包）。",
                        "Actively test reachability of the policy's probe targets (sends packets)."),
    "help.scan.lang": ("报告语言（默认根据区域设置）。", "Report language (default from the locale)."),
    "help.scan.fail_on": ("只有不低于此级别的不通过项才以退出码 1 结束（默认：任何不通过）。",
                          "Exit 1 only for fails at or above this severity (default: any fail)."),
    "help.scan.baseline_path": ("与 “ybguard baseline create” 生成的基线比对。",
                                "Report drift against a baseline from 'ybguard baseline create'."),
    "help.scan.only": ("只运行编号匹配的检查项（可重复）。", "Run only checks whose id matches (repeatable)."),
    "help.scan.skip": ("跳过编号匹配的检查项（可重复）。", "Skip checks whose id matches (repeatable)."),
    "help.scan.color": ("控制台报告是否着色（默认：标准输出为终端时着色）。",
                        "Colour the console report (default: when stdout is a TTY)."),
    "help.scan.labels": ("本次报告的终端信息：医院（hospital）、科室（department）、资产编号（asset_id）或位置（location），"
                         "覆盖策略中的 site:（可重复）。",
                         "Site field for this report: hospital, department (科室), asset_id (资产编号) or location "
                         "(位置); overrides the policy's site: (repeatable)."),
    "help.checks": ("列出全部检查项：编号、类别、级别、名称（中文/English）及其制度依据。",
                    "List every check: id, area, severity, titles (中文/English) and the rule it enforces."),
    "help.policy validate": ("校验 FILE；出错时给出 文件:行:列 和期望的内容（退出码 2）。",
                             "Check FILE; print file:line:column and what was expected on error (exit 2)."),
    "help.policy show": ("以 YAML 显示生效的策略（补全默认值）。", "Print the effective policy (defaults filled in) as YAML."),
    "help.baseline create": ("对 integrity.paths 下的每个文件计算哈希，并记录软件包、网卡、网关 MAC 和 USB 设备。",
                             "Hash every file under integrity.paths and record packages, NICs, gateway MAC and USB "
                             "devices."),
}
