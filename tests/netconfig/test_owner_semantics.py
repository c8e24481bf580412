"""Issue 10 bugs 1–6 and issue 11 items 1–5, 11–13: each file read the way its owning program
reads it. Every test builds an image root and would have passed (wrongly) or errored on the
readers before the syntax layer."""

from __future__ import annotations

from pathlib import Path

from imagescan import build, evidence, outcome, scan

from ybguard.collect import FactSet, ScanOptions, registry_for
from ybguard.collect.interface import PartialFact
from ybguard.collect.netconfig.proxies import collect_proxies
from ybguard.collect.network import read_nm_shared
from ybguard.collect.timesync import SERVER_READERS
from ybguard.policy.schema import Policy
from ybguard.target import RootfsTarget

NM = "/etc/NetworkManager/system-connections"
ETH0 = ("[connection]\nid=leased\ntype=ethernet\ninterface-name=eth0\n[ipv6]\nmethod=disabled\n"
        "[ipv4]\nmethod=manual\naddress1=10.88.0.2/24\n")


def facts(root: Path) -> FactSet:
    return FactSet(RootfsTarget(str(root)), Policy(), ScanOptions(), registry_for("linux"))


# --- issue 10 -------------------------------------------------------------------------------------

def test_timesyncd_dropins_append_and_etc_masks_usr_lib(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/etc/systemd/timesyncd.conf": "[Time]\n#NTP=\n",
        "/usr/lib/systemd/timesyncd.conf.d/10-vendor.conf": "[Time]\nNTP=ntp.aliyun.com\n",
        "/etc/systemd/timesyncd.conf.d/50-site.conf": "[Time]\nNTP=10.88.0.123\n",
        # same name in /etc masks /usr/lib; a link to /dev/null masks and says nothing
        "/usr/lib/systemd/timesyncd.conf.d/60-old.conf": "[Time]\nNTP=0.pool.ntp.org\n",
        "/etc/systemd/timesyncd.conf.d/60-old.conf": "[Time]\n",
        "/usr/lib/systemd/timesyncd.conf.d/70-gone.conf": "[Time]\nNTP=time.windows.com\n",
        "/etc/systemd/timesyncd.conf.d/70-gone.conf": "->/dev/null",
    })
    assert SERVER_READERS["systemd-timesyncd"](RootfsTarget(str(root)), []) == ["ntp.aliyun.com", "10.88.0.123"]
    (root / "etc/systemd/timesyncd.conf.d/80-flush.conf").write_text("[Time]\nNTP=\nNTP=10.88.0.124\n")
    assert SERVER_READERS["systemd-timesyncd"](RootfsTarget(str(root)), []) == ["10.88.0.124"]


def test_nm_bridge_named_by_the_legacy_bridge_interface_name(tmp_path: Path) -> None:
    root = build(tmp_path, {
        f"{NM}/Bridge.nmconnection": "[connection]\nid=Bridge connection 1\ntype=bridge\n"
                                     "[bridge]\ninterface-name=br-ward\n[ipv4]\nmethod=disabled\n",
        f"{NM}/leased.nmconnection": "[connection]\nid=leased\ntype=ethernet\ninterface-name=eth0\n"
                                     "master=br-ward\nslave-type=bridge\n",
    })
    assert outcome(scan(root))["network.bridge-leased-line"] == {"fail": {"br-ward"}}


def test_loopback_in_netplan_is_never_dual_homed(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/netplan/01.yaml": "network:\n  ethernets:\n    eth0:\n      addresses: [10.88.0.2/24]\n"
                                                    "    lo:\n      addresses: [192.0.2.10/32]\n"})
    got = outcome(scan(root))
    assert got["network.dual-homed"] == {"pass": {"host"}}
    assert got["network.forbidden-interface"] == {"pass": {"host"}}


def test_networkd_dhcp_and_ra_routes_go_to_the_configured_table(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/systemd/network/10-eth1.network":
                            "[Match]\nName=eth1\n[Network]\nDHCP=yes\nIPv6AcceptRA=yes\n"
                            "[DHCPv4]\nRouteTable=100\n[IPv6AcceptRA]\nRouteTable=101\n"})
    routes = {r.describe() for r in facts(root).get("network.routing").routes}
    assert routes == {"default via dhcp dev eth1 table 100", "default via ra dev eth1 table 101"}
    assert outcome(scan(root))["network.default-route"] == {"pass": {"host"}}  # no rule reaches 100 or 101
    (root / "etc/systemd/network/10-eth1.network").write_text(
        "[Match]\nName=eth1\n[Network]\nDHCP=ipv4\n[DHCPv4]\nRouteTable=100\n"
        "[RoutingPolicyRule]\nTable=100\nPriority=100\n")
    assert outcome(scan(root))["network.default-route"]["fail"] == {"default via dhcp dev eth1 table 100"}


def test_what_the_owner_ignores_is_a_note_and_the_rest_still_counts(tmp_path: Path) -> None:
    root = build(tmp_path, {
        f"{NM}/leased.nmconnection": ETH0 + "address2=10.88.0.300/24\ngateway=10.88.0.1\n",
        "/etc/systemd/network/20-eth1.network": "[Match]\nName=eth1\n[Network]\nAddress=not-an-address\n"
                                                "Gateway=192.168.7.1\n",
        "/etc/wpa_supplicant/wpa_supplicant-wlan0.conf":
            "blob-base64-ca={\nMIIBszCCAVmgAwIBAgIU\nAAAA\n}\nnetwork={\n ssid=\"Ward\"\n key_mgmt=NONE\n}\n",
    })
    report = scan(root)
    got = outcome(report)
    assert got["network.default-route"] == {"fail": {"default via 10.88.0.1 dev eth0 table main",
                                                     "default via 192.168.7.1 dev eth1 table main"}}
    assert got["network.forbidden-interface"] == {"fail": {"wlan0"}}
    notes = {src for src, _d in evidence(report, "network.default-route")}
    assert {f"{NM}/leased.nmconnection:10", "/etc/systemd/network/20-eth1.network:4"} <= notes


def test_a_refused_file_errors_only_beside_what_the_others_show(tmp_path: Path) -> None:
    root = build(tmp_path, {
        f"{NM}/broken.nmconnection": "[connection]\nid=x\nthis line is not a key\n",
        "/etc/network/interfaces": "iface eth1 inet static\n  address 192.168.7.2/24\n  gateway 192.168.7.1\n",
    })
    got = outcome(scan(root))
    assert got["network.default-route"] == {"fail": {"default via 192.168.7.1 dev eth1 table main"},
                                            "error": {f"{NM}/broken.nmconnection:3"}}
    assert got["network.nat"] == {"error": {f"{NM}/broken.nmconnection:3"}}


def test_live_and_offline_read_the_same_nm_profiles(tmp_path: Path) -> None:
    """The live collector used a second, unfiltered parser: an editor backup counted as a hotspot."""
    root = build(tmp_path, {
        f"{NM}/Hotspot.nmconnection~": "[connection]\nid=old\ntype=wifi\n[wifi]\nmode=ap\n[ipv4]\nmethod=shared\n",
        f"{NM}/leased.nmconnection": ETH0,
    })
    assert read_nm_shared(RootfsTarget(str(root))) == ()
    assert facts(root).get("network.shared") == ()


# --- issue 11 -------------------------------------------------------------------------------------

def test_ip_rule_dev_is_iif_so_the_rule_does_not_shadow_main(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/rc.local": "#!/bin/sh\nip route add default via 192.168.7.1 dev eth1\n"
                                             "ip rule add dev eth9 unreachable pref 100\n"
                                             "ip rule add from all iif eth8 nosuchselector 1 prohibit pref 90\n"})
    assert outcome(scan(root))["network.default-route"]["fail"] == {"default via 192.168.7.1 dev eth1 table main"}


def test_iproute2_abbreviations_add_routes(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/rc.local": "ip r a default via 192.168.7.1\nip ro ad 198.51.100.0/24 via 192.168.7.1\n"
                                             "ip -6 rou repl default via 2001:db8::1 dev eth1\n"
                                             "ip ru a from 10.88.0.0/16 lookup 7 pref 50\nip r sh\n"})
    routing = facts(root).get("network.routing")
    assert {r.describe() for r in routing.routes} == {"default via 192.168.7.1 table main",
                                                      "198.51.100.0/24 via 192.168.7.1 table main",
                                                      "default via 2001:db8::1 dev eth1 table main"}
    assert any(r.table == "7" and r.priority == 50 for r in routing.rules)


def test_shell_around_commands_is_followed_or_reported(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/etc/rc.local": "#!/bin/sh\nGW=192.168.7.1\nif [ -x /sbin/ip ]; then ip route add default via $GW; fi\n"
                         "test -f /x && /usr/local/sbin/net-extra.sh\nip route add 198.51.100.0/24 via $(cat /etc/gw)\n",
        "/usr/local/sbin/net-extra.sh": "#!/bin/sh\nsudo sh -c 'iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE'\n",
        "/etc/network/interfaces": "iface eth0 inet static\n  address 10.88.0.2/24\n"
                                   "  post-up for n in a b; do ip route add $n dev $IFACE; done\n",
        "/etc/systemd/system/net-up.service": "[Service]\nType=oneshot\nExecStart=-/sbin/ip route add 203.0.113.0/24 "
                                              "via 192.168.7.1\nExecStartPost=/bin/sh -c \"sysctl -w net.ipv4.ip_forward=1\"\n",
        "/etc/systemd/system/multi-user.target.wants/net-up.service": "->/etc/systemd/system/net-up.service",
    })
    got = outcome(scan(root))
    assert "default via 192.168.7.1 table main" in got["network.default-route"]["fail"]
    assert got["network.default-route"]["error"] == {"/etc/rc.local:5", "/etc/network/interfaces:3"}
    try:
        facts(root).get("network.routing")
    except PartialFact as exc:  # the two unresolvable commands; what could be followed is there
        routes = {(r.describe(), r.source) for r in exc.value.routes}
    assert ("203.0.113.0/24 via 192.168.7.1 table main", "/etc/systemd/system/net-up.service:3") in routes
    # an unresolvable ``ip route`` can change routes, not NAT: the NAT check has no error for it
    assert got["network.nat"] == {"fail": {"iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE"}}
    assert got["network.ip-forwarding"]["fail"] == {"net.ipv4.ip_forward"}


def test_networkd_dropins_are_read(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/usr/lib/systemd/network/10-eth1.network": "[Match]\nName=eth1\n[Network]\nAddress=10.88.1.2/24\n",
        "/etc/systemd/network/10-eth1.network.d/50-gw.conf": "[Network]\nGateway=192.168.7.1\n",
        "/usr/lib/systemd/network/10-eth1.network.d/60-masked.conf": "[Network]\nDNS=8.8.8.8\n",
        "/etc/systemd/network/10-eth1.network.d/60-masked.conf": "->/dev/null",
    })
    got = outcome(scan(root))
    assert got["network.default-route"] == {"fail": {"default via 192.168.7.1 dev eth1 table main"}}
    assert got["network.dns"] == {"pass": {"host"}}


def test_networkmanager_conf_moves_profiles_and_sets_global_dns(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/etc/NetworkManager/NetworkManager.conf": "[main]\nplugins=ifupdown,keyfile\n",
        "/etc/NetworkManager/conf.d/10-path.conf": "[keyfile]\npath=/srv/nm-profiles\n",
        "/usr/lib/NetworkManager/conf.d/20-dns.conf": "[global-dns-domain-*]\nservers=223.5.5.5,10.88.0.53\n",
        "/srv/nm-profiles/uplink": "[connection]\nid=uplink\ntype=ethernet\ninterface-name=eth1\n"
                                   "[ipv4]\nmethod=manual\naddress1=192.168.7.2/24,192.168.7.1\n[ipv6]\nmethod=ignore\n",
    })
    got = outcome(scan(root))
    assert got["network.default-route"] == {"fail": {"default via 192.168.7.1 dev eth1 table main"}}
    assert got["network.dns"] == {"fail": {"223.5.5.5"}}


def test_dns_through_local_forwarders_follows_their_upstreams(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/etc/resolv.conf": "nameserver 127.0.0.1\n",
        "/etc/unbound/unbound.conf": "server:\n  interface: 127.0.0.1\nforward-zone:\n  name: \".\"\n"
                                     "  forward-addr: 8.8.8.8@853#dns.google\n",
        "/etc/bind/named.conf.options": "options {\n  directory \"/var/cache/bind\";\n"
                                        "  forwarders { 119.29.29.29; 10.88.0.53 port 53; };\n};\n",
        "/etc/dnsmasq.d/up.conf": "no-resolv\nresolv-file=/etc/dnsmasq.upstream\n",
        "/etc/dnsmasq.upstream": "nameserver 180.76.76.76\n",
    })
    assert outcome(scan(root))["network.dns"] == {"fail": {"8.8.8.8", "119.29.29.29", "180.76.76.76"}}


def test_a_resolver_that_recurses_by_itself_is_a_path_out(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/resolv.conf": "nameserver 127.0.0.1\n",
                            "/etc/unbound/unbound.conf": "server:\n  interface: 127.0.0.1\n"})
    assert outcome(scan(root))["network.dns"] == {"fail": {"(unbound: full recursion from the root servers)"}}


def test_proxies_in_login_shell_files_and_pam_env_name_the_user(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nyb:x:1000:1000::/home/yb:/bin/bash\n",
        "/etc/profile": "if [ \"$PS1\" ]; then\n  export http_proxy=http://192.168.7.3:3128\nfi\n",
        "/etc/bash.bashrc": "[ -z \"$X\" ] && export HTTPS_PROXY=http://192.168.7.3:3128 FOO=1\n",
        "/etc/security/pam_env.conf": "ftp_proxy DEFAULT=http://192.168.7.3:3128\nno_proxy DEFAULT=localhost\n",
        "/home/yb/.bashrc": "alias ll='ls -l'\nexport all_proxy=socks5://192.168.7.3:1080\n",
        "/root/.profile": "setenv http_proxy http://192.168.7.4:8080\n",
    })
    fs = facts(root)
    got = {(p.setting, p.source) for p in collect_proxies(fs.ctx)}
    assert got == {("http_proxy", "/etc/profile:2"), ("HTTPS_PROXY", "/etc/bash.bashrc:1"),
                   ("ftp_proxy", "/etc/security/pam_env.conf:1"),
                   ("all_proxy", "/home/yb/.bashrc:2 (user yb)"), ("http_proxy", "/root/.profile:1 (user root)")}


def test_networkd_ipv6_accept_ra_gives_a_default_route(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/systemd/network/10-eth0.network":
                            "[Match]\nName=eth0\n[Network]\nAddress=10.88.0.2/24\nIPv6AcceptRA=yes\n"})
    assert outcome(scan(root))["network.default-route"] == {"fail": {"default via ra dev eth0 table main"}}


def test_a_refused_dconf_file_is_an_error_beside_the_proxies_found(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/environment": "http_proxy=http://192.168.7.3:3128\n",
                            "/etc/dconf/db/local.d/00-proxy": "not a keyfile\n"})
    try:
        collect_proxies(facts(root).ctx)
    except PartialFact as exc:
        assert [p.setting for p in exc.value] == ["http_proxy"]
        assert exc.args_map["path"] == "/etc/dconf/db/local.d/00-proxy:1"
    else:
        raise AssertionError("a refused dconf keyfile must not read as 'no proxy there'")


def test_a_refused_file_errors_only_the_facts_it_could_change(tmp_path: Path) -> None:
    root = build(tmp_path, {"/etc/wpa_supplicant/wpa_supplicant.conf": "network={\n ssid=\"Ward\"\n",  # not closed
                            "/etc/rc.local": "iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n"})
    got = outcome(scan(root))
    assert got["network.forbidden-interface"] == {"error": {"/etc/wpa_supplicant/wpa_supplicant.conf"}}
    assert got["network.shared-connection"] == {"error": {"/etc/wpa_supplicant/wpa_supplicant.conf"}}
    assert got["network.nat"] == {"fail": {"iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE"}}
    assert got["network.default-route"] == {"pass": {"host"}}


def test_modprobe_d_listing_uses_the_one_dropin_resolver(tmp_path: Path) -> None:
    from ybguard.collect.usb import modprobe_files

    root = build(tmp_path, {"/lib/modprobe.d/usb.conf": "install usb-storage /bin/false\n",
                            "/etc/modprobe.d/usb.conf": "->/dev/null",  # masks /lib's, says nothing
                            "/usr/lib/modprobe.d/a.conf": "blacklist uas\n",
                            "/etc/modprobe.d/.hidden.conf": "blacklist usb-storage\n"})
    assert modprobe_files(RootfsTarget(str(root))) == ["/usr/lib/modprobe.d/a.conf"]


def test_programs_a_unit_runs_are_not_read_whole_and_big_scripts_are_reported(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/etc/systemd/system/a.service": "[Service]\nExecStart=/opt/vendor/agent --serve\n"
                                         "ExecStartPost=/opt/vendor/net.sh\n",
        "/etc/systemd/system/multi-user.target.wants/a.service": "->../a.service",
        "/opt/vendor/net.sh": "#!/bin/sh\n" + "# padding\n" * 120000 + "ip route add default via 192.168.7.1\n",
    })
    (root / "opt/vendor/agent").write_bytes(b"\x7fELF" + b"\0" * 4096)
    got = outcome(scan(root))
    assert got["network.default-route"] == {"error": {"/opt/vendor/net.sh"}}
    assert got["network.nat"] == {"error": {"/opt/vendor/net.sh"}}
    assert got["network.dns"] == {"pass": {"host"}}


def test_hook_scripts_with_addresses_their_caller_passes_are_reported(tmp_path: Path) -> None:
    root = build(tmp_path, {
        "/etc/NetworkManager/dispatcher.d/90-gw": "#!/bin/sh\nip route replace default via \"$IP4_GATEWAY\" dev \"$1\"\n",
        "/etc/network/if-up.d/avahi-like": "#!/bin/sh\nip route add 169.254.0.0/16 dev $IFACE metric 1000 scope link\n",
        "/etc/network/if-up.d/README.txt": "ip route add default via 192.168.7.1\n",  # run-parts skips the name
    })
    got = outcome(scan(root))
    assert got["network.default-route"] == {"error": {"/etc/NetworkManager/dispatcher.d/90-gw:2"}}
    assert got["network.public-route"] == {"error": {"/etc/NetworkManager/dispatcher.d/90-gw:2"}}

