"""Messages for accounts, system time, backups and integrity/baseline: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    # --- accounts ---------------------------------------------------------------------------
    "accounts.password-min-length.title": ("口令最小长度", "Minimum password length"),
    "accounts.password-min-length.remediation": (
        "在 PAM 口令栈中启用 pam_pwquality 并设置 minlen（如 /etc/security/pwquality.conf 中 minlen = 8，"
        "且 dcredit/ucredit/lcredit/ocredit 不为正数），或为 pam_unix 设置 minlen=8；仅修改 login.defs 的 PASS_MIN_LEN 无效。",
        "Enable pam_pwquality in the PAM password stack with minlen (e.g. minlen = 8 in /etc/security/pwquality.conf "
        "and no positive dcredit/ucredit/lcredit/ocredit), or give pam_unix minlen=8; PASS_MIN_LEN in login.defs "
        "alone has no effect.",
    ),
    "accounts.password-max-age.title": ("口令最长使用期限", "Maximum password age"),
    "accounts.password-max-age.remediation": (
        "用 chage -M 天数 账户名 为每个可登录账户设置不超过策略规定的天数（Linux 按每个账户 /etc/shadow 第 5 字段生效），"
        "并在 /etc/login.defs 中设置 PASS_MAX_DAYS 供新建账户使用；Windows 在本地安全策略中设置“密码最长使用期限”。",
        "Give every login account at most the policy's days with chage -M DAYS USER (on Linux each account's "
        "/etc/shadow field 5 is what applies), and set PASS_MAX_DAYS in /etc/login.defs for accounts created "
        "later; on Windows set \"Maximum password age\" in the local security policy.",
    ),
    "accounts.empty-password.title": ("空口令", "Empty passwords"),
    "accounts.empty-password.remediation": (
        "立即为该账户设置口令（passwd 用户名），或用 passwd -l 锁定不需要登录的账户。",
        "Set a password for the account now (passwd USER) or lock accounts that need no login (passwd -l USER).",
    ),
    "accounts.password-age.title": ("口令更换周期", "Password age"),
    "accounts.password-age.remediation": (
        "要求该用户立即更换口令（passwd 用户名，或 chage -d 0 强制下次登录时更换）。",
        "Have the user change the password now (passwd USER, or chage -d 0 USER to force it at next login).",
    ),
    "accounts.never-expires.title": ("登录账户的口令有效期", "Password expiry of login accounts"),
    "accounts.never-expires.remediation": (
        "用 chage -M 天数 用户名 为该账户设置口令最长使用期限。",
        "Give the account a maximum password age: chage -M DAYS USER.",
    ),
    "accounts.uid0.title": ("UID 为 0 的账户", "Accounts with UID 0"),
    "accounts.uid0.remediation": (
        "核实该账户来源；若非经批准设置，删除该账户或将其 UID 改为普通用户 UID，并排查系统是否被入侵。",
        "Find out who created the account; unless approved, delete it or give it an ordinary UID, and check the "
        "host for compromise.",
    ),
    "accounts.min_length_none": (
        "没有任何 PAM 口令模块限制口令长度（策略要求至少 {want} 位）",
        "no PAM password module limits the password length (policy requires at least {want})",
    ),
    "accounts.min_length_short": (
        "实际生效的口令最小长度为 {got} 位，低于策略要求的 {want} 位",
        "the effective minimum password length is {got}, below the policy's {want}",
    ),
    "accounts.min_length_ok": (
        "实际生效的口令最小长度为 {got} 位（策略要求 {want} 位）",
        "the effective minimum password length is {got} (policy {want})",
    ),
    "accounts.max_age_none": (
        "口令永不过期（PASS_MAX_DAYS 未设置或为 99999），策略要求不超过 {want} 天",
        "passwords never expire (PASS_MAX_DAYS unset or 99999); policy requires at most {want} days",
    ),
    "accounts.max_age_long": (
        "PASS_MAX_DAYS 为 {got} 天，超过策略规定的 {want} 天",
        "PASS_MAX_DAYS is {got} days, more than the policy's {want}",
    ),
    "accounts.max_age_account_none": (
        "可登录账户 {user} 的口令永不过期（/etc/shadow 第 5 字段为空或 99999），策略要求不超过 {want} 天",
        "the password of login account {user} never expires (/etc/shadow field 5 empty or 99999); "
        "policy requires at most {want} days",
    ),
    "accounts.max_age_account_long": (
        "可登录账户 {user} 的口令最长使用期限为 {got} 天（/etc/shadow 第 5 字段），超过策略规定的 {want} 天",
        "login account {user} may keep its password for {got} days (/etc/shadow field 5), more than the "
        "policy's {want}",
    ),
    "accounts.max_age_accounts_ok": (
        "{count} 个可登录账户的口令最长使用期限均不超过 {want} 天（/etc/shadow 第 5 字段）",
        "all {count} login accounts must change their password within {want} days (/etc/shadow field 5)",
    ),
    "accounts.empty_allowed": ("策略未禁止空口令（forbid_empty_passwords: false）",
                               "the policy allows empty passwords (forbid_empty_passwords: false)"),
    "accounts.empty": ("可登录账户 {user}（UID {uid}）没有口令，任何人无需口令即可登录",
                       "login account {user} (UID {uid}) has an empty password: anyone can log in without one"),
    "accounts.age_unknown": ("账户 {user} 没有记录口令修改日期，无法证明口令已定期更换",
                             "account {user} has no password change date, so periodic change cannot be shown"),
    "accounts.age_old": ("账户 {user} 的口令已 {days} 天未更换，超过策略规定的 {want} 天",
                         "the password of {user} is {days} days old, older than the policy's {want} days"),
    "accounts.never_expires": ("可登录账户 {user} 的口令永不过期", "the password of login account {user} never expires"),
    "backups.disks_unknown": ("无法确定备份副本所在的物理磁盘（{reason}），不能证明它们位于不同磁盘",
                              "the physical disks of the copies are unknown ({reason}): that they sit on "
                              "different disks is not proven"),
    "accounts.windows_admin": ("账户 {user} 拥有管理员权限（{how}），它不是内置 Administrator 账户",
                               "account {user} holds administrator power ({how}) and is not the built-in Administrator"),
    "accounts.uid0": ("账户 {user} 的 UID 为 0，拥有与 root 相同的权限", "account {user} has UID 0: the same power as root"),
    # --- time -------------------------------------------------------------------------------
    "time.ntp-config.title": ("时间同步服务器配置", "Time synchronisation servers"),
    "time.ntp-config.remediation": (
        "只配置策略规定的医保专网时间服务器（chrony 的 server、systemd-timesyncd 的 NTP=、ntpd 的 server），"
        "删除 ntp.aliyun.com、pool.ntp.org 等互联网时间源。",
        "Configure only the policy's leased-line time servers (chrony server, systemd-timesyncd NTP=, ntpd "
        "server) and remove Internet sources such as ntp.aliyun.com or pool.ntp.org.",
    ),
    "time.sync.title": ("时间同步状态", "Time synchronisation state"),
    "time.sync.remediation": (
        "启动并启用时间同步服务（如 systemctl enable --now chrony），确认其能连上医保专网时间服务器；不得手工修改系统日期。",
        "Start and enable the time sync daemon (e.g. systemctl enable --now chrony) and make sure it reaches the "
        "leased-line time server; never set the date by hand.",
    ),
    "time.offset.title": ("与时间服务器的时间偏差", "Clock offset from the time servers"),
    "time.offset.remediation": (
        "检查时间同步服务是否运行并能连上策略规定的时间服务器；查明系统时间被修改的原因。",
        "Check that the time sync daemon runs and reaches the policy's servers; find out why the clock was changed.",
    ),
    "time.no_daemon": ("没有启用任何时间同步服务（chrony、systemd-timesyncd、ntpd）",
                       "no time synchronisation daemon (chrony, systemd-timesyncd, ntpd) is enabled"),
    "time.no_servers": ("{daemon} 没有配置任何时间服务器", "{daemon} has no time server configured"),
    "time.no_policy_servers": ("策略未规定时间服务器（time.ntp_servers）",
                               "the policy names no time servers (time.ntp_servers)"),
    "time.server_outside": (
        "{daemon} 使用策略以外的时间服务器 {server}（允许：{allowed}）",
        "{daemon} uses time server {server}, which is not in the policy (allowed: {allowed})",
    ),
    "time.sync_offline": ("离线镜像无法判断同步状态", "an offline image has no live synchronisation state"),
    "time.sync_unknown.fix": (
        "查明 {daemon} 为何不报告同步状态（timedatectl timesync-status、chronyc tracking 或 ntpq -p），"
        "并以 root 运行扫描；不得手工修改系统日期。",
        "Find out why {daemon} does not report its synchronisation state (timedatectl timesync-status, "
        "chronyc tracking or ntpq -p) and run the scan as root; never set the date by hand.",
    ),
    "time.not_synced.fix": (
        "确认 {daemon} 正在运行并能连上策略规定的医保专网时间服务器（systemctl status {daemon}），"
        "查明未同步的原因；不得手工修改系统日期。",
        "Make sure {daemon} is running and reaches the policy's leased-line time servers (systemctl status "
        "{daemon}) and find out why it is not synchronised; never set the date by hand.",
    ),
    "time.sync_unknown": ("无法从本机时间服务（{daemon}）读取同步状态",
                          "the synchronisation state could not be read from the local daemon ({daemon})"),
    "time.not_synced": ("系统时间未同步（{daemon}）", "the system clock is not synchronised ({daemon})"),
    "time.synced": ("系统时间已同步（{daemon}）", "the system clock is synchronised ({daemon})"),
    "time.no_answer": ("时间服务器 {server} 无应答：{reason}", "time server {server} did not answer: {reason}"),
    "time.offset_big": ("与时间服务器 {server} 的偏差为 {offset} 秒，超过允许的 {limit} 秒",
                        "the clock is {offset} s off time server {server}, more than the allowed {limit} s"),
    "time.offset_ok": ("与时间服务器 {server} 的偏差为 {offset} 秒（允许 {limit} 秒）",
                       "the clock is {offset} s off time server {server} (allowed {limit} s)"),
    # --- backups ----------------------------------------------------------------------------
    "backups.copies.title": ("重要数据的备份副本", "Backup copies of important data"),
    "backups.copies.remediation": (
        "按策略把数据复制到另一块物理磁盘（不是同一磁盘的另一个分区），并确保备份任务按时运行。",
        "Copy the data to another physical disk (not another partition of the same disk) as the policy says, "
        "and make sure the backup job runs on time.",
    ),
    "backups.no_rules": ("策略未规定备份（backups）", "the policy defines no backups"),
    "backups.none": ("没有任何文件匹配这些路径，策略要求至少 {want} 份副本",
                     "no file matches these paths; the policy requires at least {want} copies"),
    "backups.too_few": ("{name}：只找到 {got} 份，策略要求至少 {want} 份",
                        "{name}: found {got} copies, the policy requires at least {want}"),
    "backups.same_disk": ("{name}：副本只分布在 {got} 块磁盘上，策略要求 {want} 块不同的磁盘",
                          "{name}: the copies are on {got} disk(s), the policy requires {want} different disks"),
    "backups.too_old": ("{name}：最新的副本已有 {age} 小时，超过允许的 {want} 小时",
                        "{name}: the newest copy is {age} hours old, older than the allowed {want} hours"),
    "backups.ok": ("{name}：{copies} 份副本，分布在 {disks} 块磁盘上", "{name}: {copies} copies on {disks} disk(s)"),
    "backups.ev.newest": ("最新的副本；{device}；{size} 字节；修改于 {mtime}", "newest copy; {device}; {size} bytes; mtime {mtime}"),
    "backups.ev.same_content": ("{of} 的副本（内容相同）；{device}；{size} 字节；修改于 {mtime}",
                                "copy of {of} (same content); {device}; {size} bytes; mtime {mtime}"),
    "backups.ev.same_name": ("{of} 的副本（同名、在备份期限内）；{device}；{size} 字节；修改于 {mtime}",
                             "copy of {of} (same name, within max_age_hours); {device}; {size} bytes; mtime {mtime}"),
    "backups.ev.stale": ("不算副本：与 {of} 同名但内容不同，且超过备份期限；{device}；修改于 {mtime}",
                         "not counted: same name as {of} but other content, older than max_age_hours; {device}; "
                         "mtime {mtime}"),
    "backups.ev.link": ("不算副本：与 {of} 是同一个文件（链接）；{device}",
                        "not a copy: same file as {of} (a link); {device}"),
    # --- integrity / baseline ---------------------------------------------------------------
    "integrity.baseline-files.title": ("医保系统文件与基线对比", "医保 system files against the baseline"),
    "integrity.baseline-files.remediation": (
        "核实变更是否经过批准；未经批准的修改或删除须从正式安装包恢复，并排查原因。经批准的升级后重新生成基线。",
        "Check whether the change was approved; restore unapproved modifications or deletions from the official "
        "package and find the cause. After an approved upgrade, create a new baseline.",
    ),
    "integrity.baseline-packages.title": ("已安装软件与基线对比", "Installed software against the baseline"),
    "integrity.baseline-packages.remediation": (
        "卸载未经批准新增的软件，恢复被删除的软件；经批准的变更后重新生成基线。",
        "Remove software added without approval and restore removed software; create a new baseline after an "
        "approved change.",
    ),
    "integrity.baseline-interfaces.title": ("网卡与基线对比（改接）", "Network interfaces against the baseline (rewiring)"),
    "integrity.baseline-interfaces.remediation": (
        "核实终端是否被改接、更换网卡或搬迁；未经通知的改动须恢复并报信息科。",
        "Find out whether the terminal was rewired, had a NIC replaced or was moved; undo unannounced changes and "
        "report them to the IT department.",
    ),
    "integrity.baseline-gateway.title": ("专线网关与基线对比（搬迁）", "Leased-line gateway against the baseline (relocation)"),
    "integrity.baseline-gateway.remediation": (
        "专线网关的 MAC 地址变化说明终端接入了别的网络设备或被搬迁；核实并恢复原接线。",
        "A changed leased-line gateway MAC means the terminal is connected to other equipment or was moved; "
        "check and restore the original connection.",
    ),
    "integrity.not_recorded": ("基线中没有记录 {section}：{reason}", "the baseline did not record {section}: {reason}"),
    "integrity.uncovered": ("基线包含当前策略 integrity.paths 未覆盖的路径：{paths}",
                            "the baseline covers paths that the policy's integrity.paths does not: {paths}"),
    "integrity.file.added": ("新增文件 {subject}（{after}）", "file added: {subject} ({after})"),
    "integrity.file.removed": ("文件被删除 {subject}（基线：{before}）", "file removed: {subject} (baseline: {before})"),
    "integrity.file.modified": ("文件被修改 {subject}（基线：{before}；现在：{after}）",
                                "file modified: {subject} (baseline: {before}; now: {after})"),
    "integrity.file.mode-changed": ("文件权限被修改 {subject}（{before} → {after}）",
                                    "file mode changed: {subject} ({before} -> {after})"),
    "integrity.package.added": ("新增软件 {subject} {after}", "package added: {subject} {after}"),
    "integrity.package.removed": ("软件被卸载 {subject} {before}", "package removed: {subject} {before}"),
    "integrity.package.version-changed": ("软件版本变化 {subject}：{before} → {after}",
                                          "package version changed: {subject}: {before} -> {after}"),
    "integrity.nic.added": ("新增网卡 {subject}（{after}）", "network interface added: {subject} ({after})"),
    "integrity.nic.removed": ("网卡消失 {subject}（基线：{before}）", "network interface gone: {subject} (baseline: {before})"),
    "integrity.nic.renamed": ("网卡被改名：{before} → {after}", "network interface renamed: {before} -> {after}"),
    "integrity.nic.mac-changed": ("网卡 {subject} 的 MAC 地址变化：{before} → {after}",
                                  "MAC address of {subject} changed: {before} -> {after}"),
    "integrity.gateway.added": ("出现新的专线网关 {subject}（MAC {after}）", "new leased-line gateway {subject} (MAC {after})"),
    "integrity.gateway.removed": ("专线网关 {subject} 不再存在（基线 MAC {before}）",
                                  "leased-line gateway {subject} is gone (baseline MAC {before})"),
    "integrity.gateway.mac-changed": ("专线网关 {subject} 的 MAC 地址变化：{before} → {after}",
                                      "MAC of leased-line gateway {subject} changed: {before} -> {after}"),
    # --- reasons and CLI --------------------------------------------------------------------
    "accounts.reason.pam_undecidable": (
        "无法确定 PAM 口令栈的实际效果（{where}：{why}），因此无法证明口令最小长度",
        "the effect of the PAM password stack cannot be decided ({where}: {why}), so the minimum password "
        "length cannot be shown",
    ),
    "reason.probe_off": ("未要求主动探测（需要时加 --probe）", "no active probe was asked for (add --probe to run one)"),
    "reason.no_baseline": ("未要求与基线比对（需要时用 --baseline 文件 指定基线）",
                           "no comparison with a baseline was asked for (give one with --baseline FILE)"),
    "reason.bad_baseline": ("基线文件 {path} 无效：{reason}", "baseline {path} is not usable: {reason}"),
    "cli.baseline_written": ("已写入基线 {path}：{files} 个文件", "baseline written to {path}: {files} files"),
    "cli.baseline_unrecorded": ("未记录 {section}：{reason}", "not recorded: {section}: {reason}"),
    "cli.baseline_failed": ("无法生成基线：{reason}", "cannot create the baseline: {reason}"),
    "cli.baseline_no_paths": ("策略未规定 integrity.paths，基线中将没有文件，无法证明医保系统文件未被修改",
                              "the policy has no integrity.paths: a baseline without files could not show that the "
                              "医保 system files are unchanged"),
    "cli.baseline_empty": ("integrity.paths（{paths}）下没有任何文件，基线将是空的，无法证明医保系统文件未被修改",
                           "integrity.paths ({paths}) hold no files: an empty baseline could not show that the 医保 "
                           "system files are unchanged"),
    "integrity.empty_baseline": ("基线 {path} 中没有任何文件，比对 0 个文件不能证明医保系统文件未被修改；请重新生成基线",
                                 "the baseline {path} holds no files: comparing 0 files proves nothing about the 医保 "
                                 "system files; create the baseline again"),
    "cli.baseline_path_missing": ("integrity.paths 中的 {path} 不存在", "integrity path {path} does not exist"),
}
