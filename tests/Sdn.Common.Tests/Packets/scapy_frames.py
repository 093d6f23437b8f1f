#!/usr/bin/python3
"""Builds frames with scapy and prints, one JSON object a line, each frame's bytes and the flow-key
fields scapy's own layers say it carries. FlowKeyScapyTests parses the bytes with our extractor and
compares. Field names follow the FlowKey properties; every value is a decimal string."""
import ipaddress
import json
import random

# Import the layer modules, not scapy.all, which loads every protocol scapy knows and takes seconds.
from scapy.config import conf
from scapy.contrib.mpls import MPLS
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_RR
from scapy.layers.inet6 import (ICMPv6EchoRequest, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                                IPv6ExtHdrRouting)
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether

conf.verb = 0
VLAN_TAG_PRESENT = 0x1000
IPV6_EXTENSIONS = (IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrFragment, IPv6ExtHdrDestOpt)


def mac(text):
    return int(text.replace(":", ""), 16)


def ipv4(text):
    return int.from_bytes(bytes(int(part) for part in text.split(".")), "big")


def ipv6(text):
    return int(ipaddress.IPv6Address(text))


def tci(tag):
    return (tag.prio << 13) | (tag.vlan & 0xFFF) | VLAN_TAG_PRESENT


def layers(packet):
    while packet:
        yield packet
        packet = packet.payload if packet.payload else None


def expect(packet):
    """The flow key fields, read from scapy's dissection of the frame it built."""
    packet = packet.__class__(bytes(packet))  # dissect the built bytes, so lengths and defaults are real
    all_layers = list(layers(packet))
    e = {"EthDst": mac(packet[Ether].dst), "EthSrc": mac(packet[Ether].src)}
    tags = [layer for layer in all_layers if isinstance(layer, Dot1Q)]
    e["EthType"] = tags[-1].type if tags else packet[Ether].type
    if tags:
        e["VlanTci"] = tci(tags[-1])
        e["OuterVlanTci"] = tci(tags[0]) if len(tags) == 2 else 0
    labels = [layer for layer in all_layers if isinstance(layer, MPLS)]
    if labels:
        top = labels[0]
        e["MplsTopEntry"] = (top.label << 12) | (top.cos << 9) | (top.s << 8) | top.ttl
        e["MplsDepth"] = len(labels)
        return e  # the extractor does not look past the label stack
    if ARP in packet:
        e.update(ArpOp=packet[ARP].op, ArpSpa=ipv4(packet[ARP].psrc), ArpTpa=ipv4(packet[ARP].pdst))
        return e
    later_fragment = False
    if IP in packet:
        ip = packet[IP]
        later_fragment = ip.frag > 0
        fragment = ip.flags.MF or later_fragment
        e.update(Ipv4Src=ipv4(ip.src), Ipv4Dst=ipv4(ip.dst), IpProto=ip.proto, IpTtl=ip.ttl,
                 IpDscp=ip.tos >> 2, IpEcn=ip.tos & 3, IpFrag=(1 if fragment else 0) | (2 if later_fragment else 0))
    elif IPv6 in packet:
        ip = packet[IPv6]
        protocol = ip.nh
        fragment = 0
        for layer in all_layers:
            if isinstance(layer, IPV6_EXTENSIONS):
                protocol = layer.nh
            if isinstance(layer, IPv6ExtHdrFragment):
                later_fragment = layer.offset > 0
                fragment = 1 | (2 if later_fragment else 0)
        e.update(Ipv6Src=ipv6(ip.src), Ipv6Dst=ipv6(ip.dst), IpProto=protocol, IpTtl=ip.hlim,
                 IpDscp=ip.tc >> 2, IpEcn=ip.tc & 3, IpFrag=fragment)
    if later_fragment:
        e.update(L4Src=0, L4Dst=0)
    elif TCP in packet or UDP in packet:
        l4 = packet[TCP] if TCP in packet else packet[UDP]
        e.update(L4Src=l4.sport, L4Dst=l4.dport)
    elif ICMP in packet:
        e.update(IcmpType=packet[ICMP].type, IcmpCode=packet[ICMP].code, L4Src=0, L4Dst=0)
    elif ICMPv6EchoRequest in packet:
        e.update(IcmpType=packet[ICMPv6EchoRequest].type, IcmpCode=packet[ICMPv6EchoRequest].code, L4Src=0, L4Dst=0)
    return e


def frames():
    eth = Ether(src="02:00:00:aa:bb:01", dst="33:33:00:00:00:fb")
    payload = b"scapy-made"
    yield "ipv4/tcp", eth / IP(src="10.1.2.3", dst="10.9.8.7", ttl=17, tos=0xB8) / TCP(sport=1025, dport=80, flags="S") / payload
    yield "ipv4-options/udp", eth / IP(src="172.16.0.1", dst="224.0.0.251", options=[IPOption_RR(routers=["1.2.3.4"])]) / UDP(sport=5353, dport=5353) / payload
    yield "vlan/ipv4/icmp", eth / Dot1Q(vlan=4094, prio=7) / IP(src="192.0.2.1", dst="192.0.2.2", tos=3) / ICMP(type=8, id=9, seq=1) / payload
    yield "qinq-88a8/ipv6/tcp", eth / Dot1AD(vlan=300, prio=2) / Dot1Q(vlan=12) / IPv6(src="2001:db8::1", dst="2001:db8:ffff::2", hlim=3, tc=0x2A) / TCP(sport=40000, dport=22) / payload
    yield "qinq-8100/ipv6/udp", eth / Dot1Q(vlan=1) / Dot1Q(vlan=2, prio=1) / IPv6(src="fe80::1", dst="ff02::1:ff00:1") / UDP(sport=546, dport=547) / payload
    yield "mpls3/ipv4/udp", eth / MPLS(label=16, cos=1, s=0, ttl=255) / MPLS(label=0xFFFFF, s=0, ttl=9) / MPLS(label=3000, cos=7, s=1, ttl=1) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2)
    yield "arp-reply", eth / ARP(op=2, hwsrc="02:00:00:aa:bb:01", psrc="10.0.0.5", hwdst="02:00:00:aa:bb:02", pdst="10.0.0.6")
    yield "vlan/arp-request", eth / Dot1Q(vlan=10) / ARP(op=1, psrc="10.0.0.7", pdst="10.0.0.8")
    yield "ipv6-extensions/udp", eth / IPv6(src="2001:db8::a", dst="2001:db8::b") / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=["2001:db8::c"]) / IPv6ExtHdrDestOpt() / UDP(sport=9, dport=7) / payload
    yield "ipv6/icmpv6-echo", eth / IPv6(src="2001:db8::1", dst="2001:db8::2") / ICMPv6EchoRequest(id=5, seq=6) / payload
    yield "ipv4-first-fragment/udp", eth / IP(src="10.0.0.1", dst="10.0.0.2", flags="MF", id=77) / UDP(sport=4000, dport=4001) / payload
    yield "ipv4-later-fragment", eth / IP(src="10.0.0.1", dst="10.0.0.2", proto=17, frag=185, id=77) / payload
    yield "ipv6-first-fragment/tcp", eth / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrFragment(m=1, id=5) / TCP(sport=1, dport=2)
    yield "ipv6-later-fragment", eth / IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrFragment(nh=6, offset=100, id=5) / payload

    rng = random.Random(20261121)
    for i in range(60):
        l4 = (TCP if rng.random() < 0.5 else UDP)(sport=rng.randrange(65536), dport=rng.randrange(65536))
        if rng.random() < 0.5:
            ip = IP(src=str(ipaddress.IPv4Address(rng.getrandbits(32))), dst=str(ipaddress.IPv4Address(rng.getrandbits(32))),
                    ttl=rng.randrange(256), tos=rng.randrange(256))
        else:
            ip = IPv6(src=str(ipaddress.IPv6Address(rng.getrandbits(128))), dst=str(ipaddress.IPv6Address(rng.getrandbits(128))),
                      hlim=rng.randrange(256), tc=rng.randrange(256), fl=rng.randrange(1 << 20))
        l2 = Ether(src="02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5)), dst="ff:ff:ff:ff:ff:ff")
        if rng.random() < 0.3:
            l2 = l2 / Dot1Q(vlan=rng.randrange(4096), prio=rng.randrange(8))
        yield "random-%d" % i, l2 / ip / l4 / bytes(rng.randrange(256) for _ in range(rng.randrange(64)))


for name, frame in frames():
    fields = {key: str(value) for key, value in expect(frame).items()}
    print(json.dumps({"name": name, "hex": bytes(frame).hex(), "expect": fields}))
