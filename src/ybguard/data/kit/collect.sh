#!/bin/sh
# ybguard evidence collector for Linux — writes a ybguard.evidence/v1 bundle (docs/evidence.md).
# ybguard 证据采集脚本（Linux）：只用系统自带工具，只读，只写入输出目录。
#
#   sh collect.sh OUTDIR        (as root; OUTDIR must not exist yet)
#
# POSIX sh: runs under bash, dash and busybox ash. It reads, never changes a setting, sends no
# packet, starts nothing that outlives it, and writes only under OUTDIR. Secrets are not
# collected: /etc/shadow is reduced to user, hash kind and length, and dates; private keys are
# skipped; passwords and pre-shared keys in network profiles are replaced by REDACTED.

KIT_VERSION='@VERSION@'
KIT_NAME='ybguard-collect.sh'

set -u
umask 077
LC_ALL=C
export LC_ALL

usage() {
    echo "usage: sh collect.sh OUTDIR   (OUTDIR is created; run as root)" >&2
    echo "用法：sh collect.sh 输出目录（将新建该目录；请以 root 身份运行）" >&2
    exit 2
}

[ $# -eq 1 ] || usage
[ -n "$1" ] || usage
if [ -e "$1" ]; then
    echo "collect.sh: $1 already exists; give a new directory / 输出目录已存在，请指定一个新目录" >&2
    exit 2
fi
mkdir -p "$1" || exit 2
OUT=$(cd "$1" && pwd) || exit 2
WORK="$OUT/.work"
META="$WORK/meta"
mkdir "$WORK" "$OUT/files" "$OUT/commands" || exit 2
: > "$META"
: > "$WORK/exec"
TAB=$(printf '\t')
NL='
'
ERRN=0

now() { date +%Y-%m-%dT%H:%M:%S%z; }

STARTED=$(now)

# timeout(1) where it exists (coreutils, busybox >= 1.30), so no tool can hang the collection
TMO=""
if command -v timeout >/dev/null 2>&1 && timeout 5 true >/dev/null 2>&1; then
    TMO="timeout 30"
fi

# meta line: kind TAB path TAB exit TAB started TAB command-or-source TAB mode TAB link TAB errfile
meta() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" >> "$META"
}

bad_name() {
    case "$1" in
        *"$TAB"*|*"$NL"*) return 0 ;;
    esac
    return 1
}

cmd_file() {
    printf 'commands/%s.txt' "$(printf '%s' "$1" | sed 's/[^A-Za-z0-9._-][^A-Za-z0-9._-]*/_/g')"
}

# rec ARGV...: run one read-only tool, its stdout to commands/NAME.txt; "$*" is the manifest's command
rec() {
    rec_cmd="$*"
    rec_path=$(cmd_file "$rec_cmd")
    ERRN=$((ERRN + 1))
    rec_err="$WORK/err.$ERRN"
    rec_t=$(now)
    $TMO "$@" > "$OUT/$rec_path" 2> "$rec_err" < /dev/null
    rec_rc=$?
    meta command "$rec_path" "$rec_rc" "$rec_t" "$rec_cmd" "" "" "$rec_err"
}

# rec_glob 'COMMAND LINE': the same, for a line the shell must expand (ls -l /proc/[0-9]*/fd)
rec_glob() {
    rec_path=$(cmd_file "$1")
    ERRN=$((ERRN + 1))
    rec_err="$WORK/err.$ERRN"
    rec_t=$(now)
    eval "$1" > "$OUT/$rec_path" 2> "$rec_err" < /dev/null
    rec_rc=$?
    meta command "$rec_path" "$rec_rc" "$rec_t" "$1" "" "" "$rec_err"
}

# absent: a tool that is not installed is recorded as exit 127 without being run
absent() {
    rec_path=$(cmd_file "$*")
    : > "$OUT/$rec_path"
    meta command "$rec_path" 127 "$(now)" "$*" "" "" ""
}

have() { command -v "$1" >/dev/null 2>&1; }

ensure_dir() {
    [ -d "$1" ] || mkdir -p "$1"
}

STEP_T=$(now)

# copy one regular file into files/ (content, hashed later); FILTER redacts secrets on the way
copy_file() {
    cf_src="$1"
    cf_filter="${2:-}"
    bad_name "$cf_src" && return 0
    cf_dest="$OUT/files$cf_src"
    ensure_dir "${cf_dest%/*}"
    if [ -n "$cf_filter" ]; then
        $cf_filter < "$cf_src" > "$cf_dest" 2> /dev/null
    else
        cat "$cf_src" > "$cf_dest" 2> /dev/null
    fi
    cf_rc=$?
    if [ $cf_rc -ne 0 ]; then
        rm -f "$cf_dest"
        # gone meanwhile (a process that exited): nothing to record; still there: unreadable
        [ -e "$cf_src" ] || return 0
        meta file "files$cf_src" "$cf_rc" "$STEP_T" "$cf_src" "" "" "=cannot read $cf_src"
        return 0
    fi
    cf_mode=""
    [ -x "$cf_src" ] && cf_mode=755
    meta file "files$cf_src" 0 "$STEP_T" "$cf_src" "$cf_mode" "" ""
}

link_target() {
    if have readlink; then
        readlink "$1"
    else
        ls -ld "$1" | sed 's/.* -> //'
    fi
}

# shape: record that PATH exists (a directory, a link and its target, or a file not copied)
shape() {
    bad_name "$1" && return 0
    if [ -L "$1" ]; then
        meta link "files$1" "" "$STEP_T" "$1" "" "$(link_target "$1")" ""
    elif [ -d "$1" ]; then
        meta dir "files$1" "" "$STEP_T" "$1" "" "" ""
    elif [ -e "$1" ]; then
        sh_mode=644
        [ -x "$1" ] && sh_mode=755
        meta entry "files$1" "" "$STEP_T" "$1" "$sh_mode" "" ""
    fi
}

# shape_tree DIR DEPTH: DIR and what is under it, names only, DEPTH levels deep
shape_tree() {
    [ -e "$1" ] || [ -L "$1" ] || return 0
    shape "$1"
    [ -L "$1" ] && return 0
    [ -d "$1" ] || return 0
    [ "$2" -gt 0 ] || return 0
    for st_e in "$1"/* "$1"/.[!.]*; do
        [ -e "$st_e" ] || [ -L "$st_e" ] || continue
        shape_tree "$st_e" $(($2 - 1))
    done
}

redact_profile() {
    sed -E "s/^([ $TAB]*)(psk|password|[A-Za-z0-9_.-]*-password|[A-Za-z0-9_]*passwd|wep-key[0-3]|wep_key[0-3]|pin|[Pp]re[Ss]hared[Kk]ey|[Pp]assphrase|[Pp]rivate[Kk]ey)([ $TAB]*=).*/\\1\\2\\3REDACTED/"
}

reduce_shadow() {
    awk 'BEGIN { FS = OFS = ":" }
         /^[ \t]*$/ || /^#/ { print; next }
         { f = $2; p = ""
           while (substr(f, 1, 1) == "!" || substr(f, 1, 1) == "*") { p = p substr(f, 1, 1); f = substr(f, 2) }
           if (f == "") $2 = p
           else if (substr(f, 1, 1) == "$") { split(f, a, "$"); $2 = p "$" a[2] "$[redacted,len=" length(f) "]" }
           else $2 = p "[redacted,len=" length(f) "]"
           print }'
}

# FILTER: the redaction a file needs on its way into the bundle ("" = none)
filter_for() {
    case "$1" in
        /etc/shadow) FILTER=reduce_shadow ;;
        /etc/NetworkManager/system-connections/*|/run/NetworkManager/system-connections/*) FILTER=redact_profile ;;
        /usr/lib/NetworkManager/system-connections/*|/etc/wpa_supplicant/*|/etc/wpa_supplicant.conf) FILTER=redact_profile ;;
        /var/lib/iwd/*|/etc/wireguard/*|/etc/netplan/*|/etc/network/interfaces*) FILTER=redact_profile ;;
        *) FILTER="" ;;
    esac
}

# Secrets (never copied) and profiles that are copied with their secrets redacted, as grep -E patterns
SECRET_RE='^/etc/(shadow-|gshadow-?|security/opasswd|krb5\.keytab|ipsec\.secrets)$|^/etc/ssh/ssh_host_.*_key$|^/etc/ssl/private(/|$)|^/etc/pki/.*/private(/|$)|^/etc/ipsec\.d/private|^/etc/ppp/.*-secrets$|\.key$'
FILTER_RE='^/etc/shadow$|system-connections/|wpa_supplicant|^/var/lib/iwd/|^/etc/wireguard/|^/etc/netplan/|^/etc/network/interfaces'

# copy_tree DIR: every regular file under DIR, directories and links recorded as such. find sorts
# the entries and one tar pipe copies the plain files: a fork per file would be most of the time.
copy_tree() {
    [ -d "$1" ] || return 0
    # first (the manifest keeps the first line of a path): directories this user cannot list
    find "$1" -type d -print 2> /dev/null | grep -v "$TAB" | while IFS= read -r ct_d; do
        if [ ! -r "$ct_d" ] || [ ! -x "$ct_d" ]; then
            meta dir "files$ct_d" 1 "$STEP_T" "$ct_d" "" "" "=cannot list $ct_d"
        fi
    done
    find "$1" -type d -print 2> /dev/null | grep -v "$TAB" | grep -v -E "$SECRET_RE" | \
        awk -v t="$STEP_T" '{ printf "dir\tfiles%s\t\t%s\t%s\t\t\t\n", $0, t, $0 }' >> "$META"
    find "$1" -type l -exec ls -ld {} + 2> /dev/null | grep -v "$TAB" | \
        awk -v t="$STEP_T" '{ i = index($0, " /"); if (!i) next; rest = substr($0, i + 1); j = index(rest, " -> ")
                              if (!j) next; p = substr(rest, 1, j - 1); l = substr(rest, j + 4)
                              printf "link\tfiles%s\t\t%s\t%s\t\t%s\t\n", p, t, p, l }' | grep -v -E "^link	files[^	]*($SECRET_RE)" >> "$META"
    find "$1" -type f -perm -100 -print 2> /dev/null > "$WORK/exec"
    find "$1" -type f -print 2> /dev/null | grep -v "$TAB" | grep -v -E "$SECRET_RE" > "$WORK/all"
    grep -E "$FILTER_RE" "$WORK/all" | while IFS= read -r ct_p; do
        filter_for "$ct_p"
        copy_file "$ct_p" "$FILTER"
    done
    grep -v -E "$FILTER_RE" "$WORK/all" > "$WORK/batch"
    copy_batch
}

# copy_batch: the files listed in $WORK/batch, by one tar pipe where tar exists, each one checked
# afterwards (one awk) and copied alone if tar missed it
copy_batch() {
    [ -s "$WORK/batch" ] || return 0
    if have tar; then
        tar -cf - -T "$WORK/batch" 2> /dev/null | (cd "$OUT/files" && tar -xf - 2> /dev/null)
    fi
    : > "$WORK/missed"
    awk -v out="$OUT/files" -v t="$STEP_T" -v missed="$WORK/missed" '
        FILENAME == ARGV[1] { x[$0] = 1; next }
        { if ((getline line < (out $0)) >= 0) { close(out $0); printf "file\tfiles%s\t0\t%s\t%s\t%s\t\t\n", $0, t, $0, ($0 in x) ? "755" : "" }
          else print > missed }' "$WORK/exec" "$WORK/batch" >> "$META"
    while IFS= read -r cb_p; do
        copy_file "$cb_p" ""
    done < "$WORK/missed"
    : > "$WORK/batch"
}

copy_if() {
    for ci_f in "$@"; do
        [ -f "$ci_f" ] && filter_for "$ci_f" && copy_file "$ci_f" "$FILTER"
    done
    return 0
}

echo "collect.sh: collecting into $OUT / 正在采集到 $OUT" >&2

# --- identity and tools' answers ------------------------------------------------------------
STEP_T=$(now)
rec uname -n
rec uname -s
rec uname -r
rec uname -m
rec id -G

if have ip; then
    rec ip -json -d addr show
    rec ip -json link show
    rec ip -json addr show
    rec ip -json -4 route show table all
    rec ip -json -4 rule show
    rec ip -json -6 route show table all
    rec ip -json -6 rule show
    rec ip -json route show table all
    rec ip -6 -json route show table all
    rec ip -json rule show
    rec ip -json neigh show
    # plain output too, for an iproute2 too old for -json (and for people reading the bundle)
    rec ip -d addr show
    rec ip route show table all
    rec ip -6 route show table all
    rec ip rule show
    rec ip -6 rule show
else
    for a in "-json -d addr show" "-json link show" "-json -4 route show table all" "-json -4 rule show" \
             "-json -6 route show table all" "-json -6 rule show" "-json route show table all" \
             "-6 -json route show table all" "-json neigh show"; do
        absent ip $a
    done
fi

if have nft; then rec nft -j list ruleset; else absent nft -j list ruleset; fi
for t in iptables ip6tables; do
    if have "$t-save"; then rec "$t-save"; rec "$t-save" -t nat; else absent "$t-save"; absent "$t-save" -t nat; fi
done
# legacy xtables: dumped only when the kernel already has the nat table (dumping would load it)
for pair in ip_tables_names:iptables-legacy-save ip6_tables_names:ip6tables-legacy-save; do
    names=/proc/net/${pair%%:*}
    tool=${pair##*:}
    if [ -r "$names" ] && grep -qx nat "$names" 2> /dev/null; then
        if have "$tool"; then rec "$tool" -t nat; else absent "$tool" -t nat; fi
    fi
done

if have chronyc; then rec chronyc -n tracking; else absent chronyc -n tracking; fi
if have timedatectl; then rec timedatectl show; else absent timedatectl show; fi
if have journalctl; then
    if ls /var/log/journal/*/*.journal /run/log/journal/*/*.journal > /dev/null 2>&1; then
        rec journalctl _TRANSPORT=kernel -o short-iso --no-pager -q
    fi
else
    absent journalctl _TRANSPORT=kernel -o short-iso --no-pager -q
fi
if have journalctl; then
    if ls /var/log/journal/*/*.journal /run/log/journal/*/*.journal > /dev/null 2>&1; then
        rec journalctl -o short-iso --no-pager -q SYSLOG_IDENTIFIER=systemd-timedated + SYSLOG_IDENTIFIER=sudo + \
            'MESSAGE=Time has been changed' + SYSLOG_IDENTIFIER=systemd-timesyncd + SYSLOG_IDENTIFIER=chronyd
    fi
fi
if [ -d /var/lib/rpm ] || [ -d /usr/lib/sysimage/rpm ]; then
    if have rpm; then
        rec rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{VENDOR}\n'
    else
        absent rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{VENDOR}\n'
    fi
fi
# for people reading the bundle; the scan reads /proc below
if have ps; then rec ps -eo pid,ppid,user,comm,args; fi
if have ss; then rec ss -tunap; elif have netstat; then rec netstat -tunap; fi

# processes: executables, sockets and network namespaces (links under /proc/PID)
rec_glob 'ls -l /proc/[0-9]*/exe'
rec_glob 'ls -l /proc/[0-9]*/fd'
rec_glob 'ls -l /proc/[0-9]*/ns/net'
rec_glob 'ls -l /proc/self/ns/net'

# --- files a --root scan reads ----------------------------------------------------------------
STEP_T=$(now)
copy_tree /etc
for d in /usr/share/iproute2 /usr/lib/iproute2 /lib/modprobe.d /usr/lib/modprobe.d /usr/local/lib/modprobe.d \
         /run/modprobe.d /usr/lib/systemd/timesyncd.conf.d /run/systemd/timesyncd.conf.d /run/systemd/resolve \
         /run/systemd/netif /run/systemd/timesync /run/NetworkManager /run/resolvconf /usr/lib/NetworkManager \
         /var/lib/NetworkManager /var/lib/iwd /var/lib/dpkg/updates /usr/lib/systemd/network /run/systemd/network /usr/lib/sysctl.d /run/sysctl.d /lib/sysctl.d /usr/lib/netplan; do
    copy_tree "$d"
done
for d in /usr/lib/systemd/system /lib/systemd/system; do
    for u in chrony chronyd systemd-timesyncd ntp ntpd ntpsec usbguard; do
        copy_if "$d/$u.service"
    done
done
shape /var/lib/dpkg
copy_if /usr/lib/os-release /var/lib/dpkg/status /var/log/kern.log* /var/log/syslog* /var/log/messages*
# history.*: clock changes (wtmp, auth logs), installs (dpkg.log), and each user's browser history
# databases (they hold full URLs; the report keeps host names only: docs/evidence.md, privacy)
copy_if /var/log/wtmp* /var/log/auth.log* /var/log/secure* /var/log/daemon.log* /var/log/dpkg.log*
for h in /root /home/*; do
    for ls in "$h"/.config/*/"Local State" "$h"/.config/*/*/"Local State"; do
        [ -f "$ls" ] || continue
        d=${ls%/Local State}
        copy_if "$ls" "$d"/*/History "$d"/*/History-wal
    done
    copy_if "$h"/.mozilla/firefox/*/places.sqlite "$h"/.mozilla/firefox/*/places.sqlite-wal
done
KREL=$(uname -r 2> /dev/null)
copy_if "/lib/modules/$KREL/modules.dep" "/lib/modules/$KREL/modules.builtin"
for f in /usr/sbin/chronyd /sbin/chronyd /usr/sbin/ntpd /sbin/ntpd /usr/lib/systemd/systemd-timesyncd \
         /lib/systemd/systemd-timesyncd /usr/sbin/usbguard-daemon /usr/bin/usbguard-daemon /sbin/usbguard-daemon; do
    shape "$f"
done
for d in /usr/local/bin /usr/local/sbin /var/lib/snapd/snaps /var/lib/flatpak/app /root/.local/share/flatpak/app \
         /var/lib/rpm /usr/lib/sysimage/rpm; do
    shape_tree "$d" 1
done
shape_tree /snap 2
shape_tree /var/log/journal 2
shape_tree /run/log/journal 2
shape_tree /opt/apps 1
copy_if /opt/apps/*/info
shape /home
for h in /home/*; do
    shape_tree "$h/.local/share/flatpak/app" 1
done

# --- the running kernel: /proc and /sys entries the collectors read ------------------------------
STEP_T=$(now)
copy_if /proc/cmdline /proc/modules /proc/self/mountinfo /proc/net/if_inet6 /proc/net/ip_tables_names \
        /proc/net/ip6_tables_names /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 \
        /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/hostname /proc/sys/kernel/osrelease
shape /proc/sys/net/netfilter
shape /proc/sys/net/ipv6
for f in /proc/sys/net/ipv4/conf/*/forwarding /proc/sys/net/ipv6/conf/*/forwarding; do
    copy_if "$f"
done
set --
for p in /proc/[0-9]*; do
    [ -d "$p" ] && set -- "$@" "$OUT/files$p"
done
[ $# -gt 0 ] && mkdir -p "$@"
for d in "$@"; do
    p=${d#"$OUT/files"}
    if { while IFS= read -r line; do printf '%s\n' "$line"; done; } < "$p/status" > "$OUT/files$p/status" 2> /dev/null; then
        meta file "files$p/status" 0 "$STEP_T" "$p/status" "" "" ""
    else
        rm -f "$OUT/files$p/status"
        rmdir "$OUT/files$p" 2> /dev/null
        # exited meanwhile: gone; still there (hidepid=1 for a non-root collector): unreadable
        [ -e "$p" ] && meta file "files$p/status" 1 "$STEP_T" "$p/status" "" "" "=cannot read $p/status"
        continue
    fi
    copy_file "$p/cmdline"
done

shape /sys/module
for m in /sys/module/*; do shape "$m"; done
shape /sys/class/net
for n in /sys/class/net/*; do
    [ -e "$n" ] || continue
    shape "$n"
    real=$(readlink -f "$n")
    shape "$real"
    for e in "$real"/* "$real"/.[!.]*; do
        [ -e "$e" ] || [ -L "$e" ] || continue
        case "${e##*/}" in
            type|uevent|tun_flags|address|ifindex|operstate|flags|carrier) [ -f "$e" ] && copy_file "$e" ;;
            device)
                shape "$e"
                dev=$(readlink -f "$e")
                shape "$dev"
                for l in driver subsystem; do [ -L "$dev/$l" ] && shape "$dev/$l"; done
                ;;
            *) shape "$e" ;;
        esac
    done
done
shape /sys/bus
shape /sys/bus/usb
shape /sys/bus/usb/devices
for u in /sys/bus/usb/devices/*; do
    [ -e "$u" ] || continue
    shape "$u"
    real=$(readlink -f "$u")
    shape "$real"
    copy_if "$real/bInterfaceClass"
    [ -L "$real/driver" ] && shape "$real/driver"
    parent=${real%/*}
    copy_if "$parent/manufacturer" "$parent/product" "$parent/serial" "$parent/idVendor" "$parent/idProduct"
done
shape /sys/block
for b in /sys/block/*; do
    [ -e "$b" ] || continue
    shape "$b"
    real=$(readlink -f "$b")
    shape "$real"
    copy_if "$real/removable" "$real/dev"
    for part in "$real"/"${b##*/}"*; do
        [ -d "$part" ] || continue
        shape "$part"
        copy_if "$part/dev"
    done
    if [ -e "$real/device" ]; then
        shape "$real/device"
        dev=$(readlink -f "$real/device")
        shape "$dev"
        copy_if "$dev/type" "$dev/vendor" "$dev/model"
    fi
done

# --- the manifest -------------------------------------------------------------------------------
FINISHED=$(now)
HOST=$(uname -n 2> /dev/null)
OSNAME=$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2> /dev/null | head -n 1 | sed 's/^["'\'']//; s/["'\'']$//')
USERNAME=$(id -un 2> /dev/null)
ELEVATED=false
[ "$(id -u 2> /dev/null)" = 0 ] && ELEVATED=true

HASHER=""
if have sha256sum; then HASHER="sha256sum"; elif have busybox && busybox sha256sum /dev/null > /dev/null 2>&1; then
    HASHER="busybox sha256sum"
fi
if [ -z "$HASHER" ]; then
    echo "collect.sh: no sha256sum on this host; cannot seal the bundle / 本机没有 sha256sum，无法生成校验值" >&2
    exit 2
fi
(cd "$OUT" && find files commands -type f -exec $HASHER {} +) > "$WORK/sums" 2> /dev/null
(cd "$OUT" && find files commands -type f -exec wc -c {} +) > "$WORK/sizes" 2> /dev/null

awk -v kit_name="$KIT_NAME" -v kit_version="$KIT_VERSION" -v host="$HOST" -v osname="$OSNAME" \
    -v user="$USERNAME" -v elevated="$ELEVATED" -v started="$STARTED" -v finished="$FINISHED" '
function iso(t) { return (t ~ /[+-][0-9][0-9][0-9][0-9]$/) ? substr(t, 1, length(t) - 2) ":" substr(t, length(t) - 1) : t }
function esc(s,    out, i, c, n) {
    if (index(s, "\\") == 0 && index(s, "\"") == 0 && s !~ /[[:cntrl:]]/) return s
    out = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\\") out = out "\\\\"
        else if (c == "\"") out = out "\\\""
        else if (c < " " && c != "") out = out sprintf("\\u%04x", ord[c])
        else out = out c
    }
    return out
}
function str(s) { return "\"" esc(s) "\"" }
function readerr(f,    line, text, n) {
    text = ""; n = 0
    if (f == "") return ""
    if (substr(f, 1, 1) == "=") return substr(f, 2, 300)
    while ((getline line < f) > 0 && n < 5) { text = text (n ? " " : "") line; n++ }
    close(f)
    return substr(text, 1, 300)
}
BEGIN { for (i = 1; i < 32; i++) ord[sprintf("%c", i)] = i; FS = "\t" }
FILENAME == ARGV[1] { h = $0; hash = substr(h, 1, 64); p = substr(h, 67); if (substr(h, 1, 1) == "\\") { hash = substr(h, 2, 64); p = substr(h, 68); gsub(/\\\\/, "\\", p) } sha[p] = hash; next }
FILENAME == ARGV[2] { line = $0; sub(/^ */, "", line); n = line; sub(/ .*/, "", n); p = line; sub(/^[0-9]+ /, "", p); if (p != "total") size[p] = n; next }
{
    kind = $1; path = $2; code = $3; t = $4; what = $5; mode = $6; link = $7; err = $8
    if (path in seen) next
    seen[path] = 1
    item = "{\"path\": " str(path) ", \"kind\": " str(kind)
    if (kind == "command") item = item ", \"command\": " str(what)
    else item = item ", \"source\": " str(what)
    if (code != "") item = item ", \"exit_code\": " code
    if (t != "") item = item ", \"started_at\": " str(iso(t))
    if (mode != "") item = item ", \"mode\": " str(mode)
    if (kind == "link") item = item ", \"target\": " str(link)
    if (kind == "command" || kind == "file") {
        if (path in sha) item = item ", \"bytes\": " (size[path] + 0) ", \"sha256\": " str(sha[path])
        else item = item ", \"sha256\": null"
        e = readerr(err); if (e != "") item = item ", \"error\": " str(e)
    }
    if (kind == "file" && (what == "/etc/shadow" || what ~ /system-connections|wpa_supplicant|iwd|wireguard|netplan|network\/interfaces/))
        item = item ", \"redacted\": true"
    items[++count] = item "}"
}
END {
    printf "{\n \"schema\": \"ybguard.evidence/v1\",\n"
    printf " \"collector\": {\"name\": %s, \"version\": %s, \"os\": \"linux\"},\n", str(kit_name), str(kit_version)
    printf " \"host\": {\"hostname\": %s, \"os\": %s, \"user\": %s, \"elevated\": %s, \"encoding\": \"utf-8\"},\n", str(host), str(osname), str(user), elevated
    printf " \"started_at\": %s,\n \"finished_at\": %s,\n \"artifacts\": [\n", str(iso(started)), str(iso(finished))
    for (i = 1; i <= count; i++) printf "  %s%s\n", items[i], (i < count ? "," : "")
    printf " ]\n}\n"
}' "$WORK/sums" "$WORK/sizes" "$META" > "$OUT/manifest.json"
rc=$?
rm -rf "$WORK"
if [ $rc -ne 0 ]; then
    echo "collect.sh: could not write manifest.json / 无法生成 manifest.json" >&2
    exit 2
fi
echo "collect.sh: done: $OUT (copy the whole folder, or: tar czf bundle.tar.gz -C \"${OUT%/*}\" \"${OUT##*/}\")" >&2
echo "collect.sh: 完成：$OUT（请完整复制该目录）" >&2
exit 0
