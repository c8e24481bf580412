#!/bin/sh
# Re-create the golden `ip -json` files: builds a throw-away namespace with policy routing,
# a bridge, tun/tap, veth and macvlan, dumps iproute2's JSON and deletes the namespace.
# Only RFC 1918 / RFC 5737 addresses plus route entries (no packet is sent). Run as root.
set -eu
NS=ybcapture$$
OUT=$(dirname "$0")
ip netns add $NS
trap 'ip netns del $NS' EXIT
n() { ip -n $NS "$@"; }
n link set lo up
n link add eth0 type veth peer name peer0
n link set eth0 address 52:54:00:12:34:56
n addr add 10.88.0.2/30 dev eth0
n link set eth0 up
n link set peer0 up
n link add br0 type bridge
n link add tap0p type veth peer name tapp
n link set tap0p master br0
n addr add 192.168.10.1/24 dev br0
n link set br0 up
n tuntap add tun0 mode tun
n addr add 172.16.5.1/24 dev tun0
n link set tun0 up
n tuntap add tap0 mode tap
n link add link eth0 name mv0 type macvlan
n route add 10.50.0.0/16 via 10.88.0.1
n route add 8.8.8.8/32 via 10.88.0.1 dev eth0
n route add 1.0.0.0/8 via 10.88.0.1 table 100
n route add default via 10.88.0.1 table 100
n route add blackhole 0.0.0.0/1 table 200
n route add unreachable 128.0.0.0/1 table 200
n route add prohibit 9.9.9.0/24
n route add 11.0.0.0/8 table 300 nexthop via 10.88.0.1 dev eth0 weight 1 nexthop via 10.88.0.1 dev eth0 weight 2
n -6 addr add 2001:db8:1::2/64 dev eth0 nodad
n -6 route add 2400::/12 via 2001:db8:1::1 table 100
n -6 route add blackhole ::/0 table 200
n rule add from 10.1.0.0/16 iif eth0 fwmark 0x1 lookup 100 prio 100
n rule add not from 10.2.0.0/16 lookup 300 prio 150
n rule add prohibit prio 200
n rule add to 192.168.0.0/16 goto 32766 prio 210
n rule add unreachable from 10.9.0.0/16 prio 220
n rule add blackhole prio 230
n rule add lookup 200 prio 240
n -6 rule add from 2001:db8::/32 lookup 100 prio 100
n -6 rule add lookup main suppress_prefixlength 0 prio 110
e() { ip netns exec $NS "$@"; }
e nft add table inet yb
e nft 'add chain inet yb post { type nat hook postrouting priority 100; }'
e nft 'add chain inet yb pre { type nat hook prerouting priority -100; }'
e nft add rule inet yb post oifname "eth0" masquerade
e nft add rule inet yb post ip saddr 192.168.10.0/24 snat ip to 10.88.0.2
e nft add rule inet yb pre iifname "eth0" tcp dport 8080 dnat ip to 192.168.10.5:80
e nft add rule inet yb post ip daddr 10.50.0.0/16 accept
e iptables-nft -t nat -A POSTROUTING -s 172.16.5.0/24 -o eth0 -j MASQUERADE
e iptables-legacy -t nat -A POSTROUTING -s 192.168.10.0/24 -o eth0 -j SNAT --to-source 10.88.0.2
e ip6tables-legacy -t nat -A POSTROUTING -o eth0 -j MASQUERADE
e nft -j list ruleset > "$OUT/nft-ruleset.json"
e iptables-legacy-save -t nat | grep -v '^#' > "$OUT/iptables-legacy-save-nat.txt"
e ip6tables-legacy-save -t nat | grep -v '^#' > "$OUT/ip6tables-legacy-save-nat.txt"
e cat /proc/net/ip_tables_names > "$OUT/ip_tables_names.txt"
n -json -d addr show > "$OUT/ip-addr.json"
n -4 -json route show table all > "$OUT/ip-route4.json"
n -6 -json route show table all > "$OUT/ip-route6.json"
n -4 -json rule show > "$OUT/ip-rule4.json"
n -6 -json rule show > "$OUT/ip-rule6.json"
