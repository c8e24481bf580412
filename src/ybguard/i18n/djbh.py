"""Messages of the 等保 2.0 (GB/T 22239-2019) terminal checks: key -> (中文, English)."""

from typing import Dict, Tuple

MESSAGES: Dict[str, Tuple[str, str]] = {
    "subject.lockout_policy": ("登录失败锁定策略", "lockout policy"),
    "subject.idle_lock": ("空闲锁定", "idle lock"),
    "subject.accounts": ("账户", "accounts"),
    "subject.remote_admin": ("远程管理", "remote administration"),
    "subject.audit_policy": ("审计策略", "audit policy"),
    "subject.logs": ("日志", "logs"),
    "subject.services": ("服务", "services"),
    "subject.autorun": ("自动运行", "autorun"),
    "subject.firewall": ("防火墙", "firewall"),
    "subject.antivirus": ("防病毒软件", "antivirus"),
    "subject.updates": ("系统更新", "updates"),
    "subject.kernel": ("内核", "kernel"),
    "djbh.account_seen": ("{user}（{id}）role={role} {state}{extra}", "{user} ({id}) role={role} {state}{extra}"),
    "djbh.account_enabled": ("已启用", "enabled"),
    "djbh.account_disabled": ("已停用", "disabled"),
    "area.logon": ("身份鉴别与访问控制", "identification and access control"),
    "area.audit": ("安全审计", "security audit"),
    "area.hardening": ("入侵防范", "intrusion prevention"),
    "area.malware": ("恶意代码防范", "malware protection"),
    "area.patches": ("漏洞与补丁", "vulnerabilities and patches"),
    "policy.expect.port": ("1–65535 之间的端口号", "a port number from 1 to 65535"),
    "djbh.level_only": ("该项仅适用于等保第 {level} 级，策略 djbh_level 为 {policy}",
                        "this item applies from 等保 level {level}; the policy's djbh_level is {policy}"),
    "selfcheck.clause": ("条款", "Clause"),
    "selfcheck.item": ("检查项", "Item"),
    "selfcheck.check": ("检查编号", "Check"),
    "selfcheck.subject": ("对象", "Subject"),
    "selfcheck.result": ("结果", "Result"),
    "selfcheck.evidence": ("证据", "Evidence"),
    "selfcheck.remediation": ("整改建议", "Remediation"),
    "selfcheck.inspector": ("检查人", "Inspector"),
    # --- titles and remediations ------------------------------------------------------------
    "logon.password-complexity.title": ("口令复杂度", "Password complexity"),
    "logon.password-complexity.remediation": (
        "Windows：在“本地安全策略 → 账户策略 → 密码策略”中启用“密码必须符合复杂性要求”（PasswordComplexity=1）。"
        "Linux：在 PAM 口令栈中启用 pam_pwquality，并在 /etc/security/pwquality.conf 中设置 minclass = 3"
        "（或 dcredit/ucredit/lcredit/ocredit = -1）及 enforce_for_root。",
        "Windows: enable 'Password must meet complexity requirements' (Local Security Policy → Account Policies → "
        "Password Policy; PasswordComplexity=1). Linux: enable pam_pwquality in the PAM password stack and set "
        "minclass = 3 (or dcredit/ucredit/lcredit/ocredit = -1) and enforce_for_root in /etc/security/pwquality.conf.",
    ),
    "logon.lockout.title": ("登录失败锁定", "Lockout after failed logons"),
    "logon.lockout.remediation": (
        "Windows：在“账户锁定策略”中设置账户锁定阈值（不超过策略次数）和锁定时间（不少于策略分钟数）。"
        "Linux：在 auth 栈中加入 pam_faillock（preauth/authfail），在 /etc/security/faillock.conf 中设置 deny 与 unlock_time。",
        "Windows: set the account lockout threshold (at most the policy's attempts) and lockout duration (at least "
        "the policy's minutes) under Account Lockout Policy. Linux: add pam_faillock (preauth/authfail) to the auth "
        "stack and set deny and unlock_time in /etc/security/faillock.conf.",
    ),
    "logon.idle-lock.title": ("空闲锁屏与超时退出", "Idle lock and session timeout"),
    "logon.idle-lock.remediation": (
        "Windows：设置“交互式登录：计算机不活动限制”（InactivityTimeoutSecs），或通过组策略为所有用户启用带密码保护的屏幕保护程序"
        "并设置等待时间。Linux：在 /etc/profile.d/ 中设置 readonly TMOUT=900；图形桌面在 /etc/dconf/db/local.d/ 中设置 "
        "idle-delay 与 lock-enabled=true 并执行 dconf update。",
        "Windows: set 'Interactive logon: Machine inactivity limit' (InactivityTimeoutSecs), or enforce a "
        "password-protected screen saver with a timeout for every user by group policy. Linux: set readonly "
        "TMOUT=900 in /etc/profile.d/; for a desktop set idle-delay and lock-enabled=true in /etc/dconf/db/local.d/ "
        "and run dconf update.",
    ),
    "logon.default-accounts.title": ("默认账户与多余账户", "Default and surplus accounts"),
    "logon.default-accounts.remediation": (
        "停用 Guest 账户；重命名或停用内置 Administrator（RID 500）；清除“不需要密码”标志（net user 用户名 /passwordreq:yes）；"
        "Linux 系统账户的登录 shell 改为 /usr/sbin/nologin（usermod -s /usr/sbin/nologin 用户名）。",
        "Disable the Guest account; rename or disable the built-in Administrator (RID 500); clear 'password not "
        "required' (net user NAME /passwordreq:yes); give Linux system accounts the /usr/sbin/nologin shell "
        "(usermod -s /usr/sbin/nologin NAME).",
    ),
    "logon.remote-admin.title": ("远程管理方式", "Remote administration"),
    "logon.remote-admin.remediation": (
        "停用 telnet 与 VNC；远程桌面须启用网络级身份验证（NLA）并使用 TLS；关闭远程协助；sshd 设置 PermitRootLogin no。"
        "医保终端原则上不开放远程管理，确需时仅允许管理网段访问。",
        "Disable telnet and VNC; Remote Desktop must require Network Level Authentication and TLS; turn Remote "
        "Assistance off; set PermitRootLogin no for sshd. A 医保 terminal should not offer remote administration; "
        "where it must, allow only the administration network.",
    ),
    "audit.events.title": ("安全审计策略", "Security audit policy"),
    "audit.events.remediation": (
        "Windows：用 auditpol /set 或组策略“高级审核策略配置”为登录、注销、账户锁定、凭据验证、账户管理、审核策略更改、系统完整性开启成功/失败审核。"
        "Linux：安装并启用 auditd（systemctl enable --now auditd），在 /etc/audit/rules.d/ 中加入 -w /etc/passwd -p wa 等账户变更规则。",
        "Windows: with auditpol /set or Advanced Audit Policy Configuration, audit success/failure of logon, logoff, "
        "account lockout, credential validation, account management, audit policy change and system integrity. "
        "Linux: install and enable auditd (systemctl enable --now auditd) and add account-change rules such as "
        "-w /etc/passwd -p wa to /etc/audit/rules.d/.",
    ),
    "audit.log-storage.title": ("审计记录保存", "Retention of audit records"),
    "audit.log-storage.remediation": (
        "Windows：保持 EventLog 服务启用，并把安全日志最大大小设为不小于策略值（组策略“事件日志 → 安全日志最大大小”）。"
        "Linux：在 /etc/systemd/journald.conf 中设置 Storage=persistent，或启用 rsyslog，并定期备份日志。",
        "Windows: keep the EventLog service enabled and set the Security log maximum size to at least the policy's "
        "value (group policy Event Log → Maximum security log size). Linux: set Storage=persistent in "
        "/etc/systemd/journald.conf or enable rsyslog, and back the logs up regularly.",
    ),
    "hardening.services.title": ("不必要的服务、共享与高危端口", "Unneeded services, shares and high-risk ports"),
    "hardening.services.remediation": (
        "停用不需要的网络服务（systemctl disable --now 服务名 / 将 Windows 服务启动类型设为禁用）；关闭默认共享（AutoShareWks=0）与"
        "共享文件夹；禁用 SMBv1；确需保留的端口或服务写入策略 djbh.allowed_listen_ports / djbh.allowed_services。",
        "Disable network services that are not needed (systemctl disable --now NAME / set the Windows service to "
        "Disabled); turn off administrative shares (AutoShareWks=0) and shared folders; disable SMBv1; list ports "
        "or services that must stay in the policy's djbh.allowed_listen_ports / djbh.allowed_services.",
    ),
    "hardening.autorun.title": ("移动介质自动运行", "Autorun of removable media"),
    "hardening.autorun.remediation": (
        "Windows：组策略“关闭自动播放”设为所有驱动器（NoDriveTypeAutoRun=0xFF）并启用 NoAutorun=1。"
        "Linux 桌面：在 /etc/dconf/db/local.d/ 中设置 [org/gnome/desktop/media-handling] automount=false、automount-open=false 并锁定。",
        "Windows: set the group policy 'Turn off AutoPlay' for all drives (NoDriveTypeAutoRun=0xFF) and NoAutorun=1. "
        "Linux desktops: set [org/gnome/desktop/media-handling] automount=false and automount-open=false in "
        "/etc/dconf/db/local.d/ and lock them.",
    ),
    "hardening.firewall.title": ("主机防火墙", "Host firewall"),
    "hardening.firewall.remediation": (
        "Windows：为域、专用、公用三个配置文件启用防火墙，入站默认阻止（MpsSvc 服务不得禁用）。"
        "Linux：启用 nftables/firewalld/ufw 之一，入站默认策略为 drop，仅放行医保业务所需端口。",
        "Windows: turn the firewall on for the domain, private and public profiles with inbound blocked by default "
        "(the MpsSvc service must not be disabled). Linux: enable one of nftables/firewalld/ufw with an input "
        "policy of drop, allowing only what the 医保 application needs.",
    ),
    "malware.antivirus.title": ("防恶意代码软件", "Anti-malware software"),
    "malware.antivirus.remediation": (
        "安装并启用医院统一的防病毒软件（如火绒、360、天擎或 Windows Defender），确保其服务随系统启动并正在运行。",
        "Install and enable the hospital's anti-malware product (Huorong, 360, QAX Tianqing, Windows Defender …) "
        "and make sure its service starts at boot and is running.",
    ),
    "malware.signatures.title": ("病毒库更新", "Anti-malware signatures up to date"),
    "malware.signatures.remediation": (
        "通过医保专网内的病毒库服务器或离线升级包更新病毒库，使其不超过策略天数（djbh.signature_max_age_days）。",
        "Update the signatures from the update server inside the 医保 network or an offline package, so they are "
        "no older than the policy's days (djbh.signature_max_age_days).",
    ),
    "malware.realtime.title": ("实时防护（三级）", "Real-time protection (level 3)"),
    "malware.realtime.remediation": (
        "开启防病毒软件的实时防护/文件监控（Defender：关闭 DisableRealtimeMonitoring；ClamAV：启用 clamonacc）。",
        "Turn on the product's real-time / on-access protection (Defender: clear DisableRealtimeMonitoring; "
        "ClamAV: enable clamonacc).",
    ),
    "patches.security-updates.title": ("安全补丁", "Security updates"),
    "patches.security-updates.remediation": (
        "经测试后从内网更新源安装安全更新（apt-get upgrade / Windows 更新或 WSUS），重启待重启的系统；保持软件源列表不旧于策略天数。",
        "After testing, install the security updates from the internal mirror (apt-get upgrade / Windows Update or "
        "WSUS) and reboot when a reboot is pending; keep the package lists no older than the policy's days.",
    ),
    "patches.kernel.title": ("运行中的内核", "Running kernel"),
    "patches.kernel.remediation": (
        "已安装更新的内核但仍运行旧内核：安排重启以加载已修补的内核。",
        "A newer kernel is installed but the old one is running: schedule a reboot to load the patched kernel.",
    ),
    # --- messages --------------------------------------------------------------------------
    "djbh.complexity_off": ("未启用口令复杂度检查（要求至少 {want} 类字符）",
                            "password complexity is not enforced (at least {want} character classes wanted)"),
    "djbh.complexity_few": ("口令只要求 {got} 类字符，策略要求至少 {want} 类",
                            "passwords need only {got} character classes; the policy wants {want}"),
    "djbh.complexity_ok": ("口令须包含 {got} 类字符（策略要求 {want} 类）",
                           "passwords must mix {got} character classes (the policy wants {want})"),
    "djbh.complexity_root": ("pwquality 未设置 enforce_for_root：root 修改口令时复杂度只提示不强制",
                             "pwquality lacks enforce_for_root: for root, complexity only warns"),
    "djbh.lockout_never": ("登录失败不会锁定账户（策略要求最多 {want} 次）",
                           "failed logons never lock the account (the policy allows at most {want})"),
    "djbh.lockout_many": ("失败 {got} 次才锁定，策略要求不超过 {want} 次",
                          "the account locks after {got} failures; the policy allows at most {want}"),
    "djbh.lockout_short": ("锁定时间 {got} 分钟，策略要求至少 {want} 分钟",
                           "the lockout lasts {got} minutes; the policy wants at least {want}"),
    "djbh.lockout_duration_unknown": ("无法确定锁定时长", "the lockout duration cannot be determined"),
    "djbh.lockout_ok": ("失败 {got} 次后锁定 {minutes} 分钟", "locks after {got} failures for {minutes} minutes"),
    "djbh.idle_ok": ("{scope}：空闲 {seconds} 秒后锁定/退出（上限 {limit} 秒）",
                     "{scope}: locks / logs out after {seconds} s idle (limit {limit} s)"),
    "djbh.idle_unset": ("{scope}：未设置空闲锁定/超时退出（上限 {limit} 秒）",
                        "{scope}: no idle lock or timeout is set (limit {limit} s)"),
    "djbh.idle_insecure": ("{scope}：屏幕保护不需要密码即可恢复", "{scope}: the screen saver resumes without a password"),
    "djbh.idle_never": ("{scope}：屏幕保护或超时未启用", "{scope}: the screen saver or timeout is not active"),
    "djbh.idle_long": ("{scope}：空闲 {seconds} 秒才锁定，超过上限 {limit} 秒",
                       "{scope}: locks only after {seconds} s idle, over the {limit} s limit"),
    "djbh.guest_enabled": ("来宾账户 {user}（RID {id}）已启用", "the Guest account {user} (RID {id}) is enabled"),
    "djbh.admin_default": ("内置管理员 {user}（RID {id}）已启用且未重命名",
                           "the built-in Administrator {user} (RID {id}) is enabled and not renamed"),
    "djbh.system_login": ("系统账户 {user}（UID {id}）可以登录", "the system account {user} (UID {id}) can log in"),
    "djbh.no_password_required": ("账户 {user}（{id}）被标记为不需要密码", "the account {user} ({id}) does not require a password"),
    "djbh.accounts_examined": ("已检查 {n} 个内置/系统账户：无启用的来宾、未改名的管理员或可登录的系统账户",
                               "{n} built-in/system accounts examined: no enabled guest, default-named administrator "
                               "or system account that can log in"),
    "djbh.remote_weak": ("{service} 已启用且不安全：{weak}", "{service} is enabled and unsafe: {weak}"),
    "djbh.remote_protected": ("{service} 已启用，鉴别信息受加密保护", "{service} is enabled; credentials are protected in transit"),
    "djbh.remote_none": ("未启用远程管理服务（RDP、telnet、VNC、sshd 等）",
                         "no remote administration service (RDP, telnet, VNC, sshd …) is enabled"),
    "djbh.audit_missing": ("{service}：未审计 {what}（{detail}）", "{service}: {what} is not audited ({detail})"),
    "djbh.audit_ok": ("{service}：登录、账户变更等重要事件均已审计", "{service}: logons, account changes and other key events are audited"),
    "djbh.logs_none": ("没有保存日志的服务", "no log service keeps records"),
    "djbh.logs_volatile": ("日志不会持久保存：{stores}", "logs are not kept across reboots: {stores}"),
    "djbh.log_small": ("安全日志最大 {got} MB，策略要求至少 {want} MB", "the Security log holds at most {got} MB; the policy wants {want} MB"),
    "djbh.logs_ok": ("日志持久保存：{stores}", "logs are kept: {stores}"),
    "djbh.port_open": ("{proto} 端口 {port} 在 {address} 上监听，不在策略允许范围内",
                       "{proto} port {port} listens on {address}, outside the policy"),
    "djbh.service_enabled": ("网络服务 {service}（{what}）随系统启动，不在策略允许范围内",
                             "the network service {service} ({what}) starts at boot, outside the policy"),
    "djbh.share_exposed": ("{share} 开启：{detail}", "{share} is on: {detail}"),
    "djbh.exposure_ok": ("已检查 {n} 项监听端口、网络服务与共享，均在策略允许范围内",
                         "{n} listening ports, network services and shares examined; all within the policy"),
    "djbh.exposure_ok_offline": ("离线镜像：已检查 {n} 项随系统启动的网络服务与共享，均在策略允许范围内（监听端口仅在线检查）",
                                 "offline image: {n} network services and shares that start at boot examined, all "
                                 "within the policy (listening ports are checked on a live host)"),
    "djbh.autorun_none": ("未安装图形桌面，插入移动介质不会被自动挂载或运行",
                          "no graphical desktop is installed: nothing mounts or runs removable media by itself"),
    "djbh.autorun_off": ("{what}：移动介质自动运行已关闭", "{what}: autorun of removable media is off"),
    "djbh.autorun_on": ("{what}：移动介质自动运行/自动挂载未关闭", "{what}: autorun / automount of removable media is not off"),
    "djbh.firewall_none": ("未发现启用的主机防火墙", "no host firewall is active"),
    "djbh.firewall_no_deny": ("防火墙入站未默认拒绝：{profiles}", "no firewall denies inbound traffic by default: {profiles}"),
    "djbh.firewall_off": ("防火墙配置文件 {profile} 未启用", "the firewall profile {profile} is off"),
    "djbh.firewall_allows": ("防火墙配置文件 {profile} 入站默认允许", "the firewall profile {profile} allows inbound by default"),
    "djbh.firewall_ok": ("防火墙已启用且入站默认拒绝：{profiles}", "the firewall is on and denies inbound by default: {profiles}"),
    "djbh.av_none": ("未发现防恶意代码软件", "no anti-malware product found"),
    "djbh.av_stopped": ("防恶意代码软件已安装但未运行：{products}", "anti-malware installed but not running: {products}"),
    "djbh.av_ok": ("防恶意代码软件：{products}", "anti-malware: {products}"),
    "djbh.sig_ok": ("{product} 病毒库 {days} 天前更新（上限 {limit} 天）", "{product} signatures are {days} days old (limit {limit})"),
    "djbh.sig_old": ("{product} 病毒库已 {days} 天未更新（上限 {limit} 天）", "{product} signatures are {days} days old (limit {limit})"),
    "djbh.sig_current": ("Windows 安全中心报告 {product} 病毒库为最新（上限 {limit} 天）",
                         "Windows Security Center reports {product} signatures up to date (limit {limit} days)"),
    "djbh.sig_outdated": ("Windows 安全中心报告 {product} 病毒库已过期", "Windows Security Center reports {product} signatures out of date"),
    "djbh.sig_unknown": ("无法读取 {products} 的病毒库日期，请人工核对", "the signature date of {products} cannot be read; check it by hand"),
    "djbh.rt_ok": ("{product} 实时防护已开启", "{product} real-time protection is on"),
    "djbh.rt_off": ("实时防护未开启：{products}", "real-time protection is off: {products}"),
    "djbh.rt_unknown": ("无法确定 {products} 的实时防护状态", "the real-time protection state of {products} cannot be read"),
    "djbh.update_pending": ("{package} 有安全更新：已装 {installed}，可用 {available}",
                            "{package} has a security update: {installed} installed, {available} available"),
    "djbh.updates_more": ("另有 {n} 个软件包有安全更新", "{n} more packages have security updates"),
    "djbh.lists_old": ("软件源列表已 {days} 天未更新（上限 {limit} 天），无法判断待装的安全更新",
                       "the package lists are {days} days old (limit {limit}): pending security updates cannot be told"),
    "djbh.lists_none": ("没有安全更新源的软件包列表（/var/lib/apt/lists/*security*）",
                        "no package list of a security suite (/var/lib/apt/lists/*security*)"),
    "djbh.win_no_updates": ("未发现已安装的更新包", "no installed update package was found"),
    "djbh.win_updates_old": ("最近一次更新在 {date}，已 {days} 天（上限 {limit} 天）",
                             "the newest update was installed on {date}, {days} days ago (limit {limit})"),
    "djbh.build_old": ("系统版本 {got} 低于策略最低版本 {want}", "build {got} is below the policy's minimum {want}"),
    "djbh.reboot_pending": ("已安装的更新需要重启才能生效", "installed updates wait for a reboot"),
    "djbh.updates_ok": ("无待装安全更新；最近更新 {date}；版本 {build}", "no pending security update; newest update {date}; build {build}"),
    "djbh.kernel_old": ("运行内核 {running}，已安装更新的内核 {newest}", "running kernel {running}; a newer one is installed: {newest}"),
    "djbh.kernel_ok": ("运行的内核 {running} 是已安装的最新内核", "the running kernel {running} is the newest installed"),
    # --- reasons ---------------------------------------------------------------------------
    "djbh.no_pam_stack": ("找不到 PAM 配置（{files}）", "no PAM stack found ({files})"),
    "djbh.secedit_empty": ("secedit 导出中没有 [System Access] 节", "the secedit export has no [System Access] section"),
    "djbh.value_missing": ("{source} 中没有 {name}", "{name} is missing from {source}"),
    "djbh.net_accounts_shape": ("net accounts 的输出格式无法识别", "unrecognised net accounts output"),
    "djbh.no_user_hives": ("没有计算机级空闲策略，也没有可读的用户配置单元（NTUSER.DAT）",
                           "no machine-wide idle policy and no user hive (NTUSER.DAT) to read"),
    "djbh.netuserenum_failed": ("NetUserEnum 失败（错误 {code}）", "NetUserEnum failed (error {code})"),
    "djbh.auditpol_offline": ("离线镜像的审核策略保存在 SECURITY 配置单元中，本版本不读取；请在线扫描或使用取证包中的 auditpol 输出",
                              "an image keeps its audit policy in the SECURITY hive, which this version does not "
                              "read; scan live or use the evidence kit's auditpol output"),
    "djbh.auditpol_unparsed": ("无法解析 auditpol 输出：{reason}", "cannot parse the auditpol output: {reason}"),
    "djbh.no_updateinfo": ("没有 dnf/yum 缓存的安全公告（updateinfo，{where}），无法判断待装的安全更新；请先 dnf makecache",
                           "no dnf/yum updateinfo cache ({where}): pending security updates cannot be told; run dnf makecache"),
    "djbh.no_package_manager": ("没有 dpkg 或 rpm 软件包数据库", "no dpkg or rpm package database"),
    "djbh.list_unreadable": ("无法读取软件包列表 {path}：{reason}", "cannot read the package list {path}: {reason}"),
    "djbh.kernel_not_here": ("运行的内核 {running} 不在 /lib/modules 中（容器？）",
                             "the running kernel {running} is not under /lib/modules (a container?)"),
    "djbh.kernel_windows": ("Windows 的内核随更新在重启时加载；待重启状态见 patches.security-updates",
                            "Windows loads updated kernels at reboot; a pending reboot is reported by patches.security-updates"),
}
