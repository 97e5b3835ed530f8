#!/usr/bin/env python3
"""A DNS server for one test: answers MX queries from its arguments.

Usage: fake_dns.py ADDR PORT PIDFILE DOMAIN=MXHOST...
Each DOMAIN gets one MX record (preference 10) naming MXHOST; every other
name is NXDOMAIN.  UDP only, loopback only; the answers it gave go to
stderr."""
import socket
import struct
import sys


def name_wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_qname(pkt, off):
    labels = []
    while pkt[off]:
        n = pkt[off]
        labels.append(pkt[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels), off + 1


def main():
    addr, port, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    mx = {}
    for arg in sys.argv[4:]:
        dom, _, host = arg.partition("=")
        mx[dom.lower()] = host
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    with open(pidfile, "w") as f:
        f.write("%d\n" % __import__("os").getpid())
    while True:
        pkt, peer = s.recvfrom(4096)
        if len(pkt) < 12:
            continue
        qid, flags, qd = struct.unpack("!HHH", pkt[:6])
        qname, off = parse_qname(pkt, 12)
        qtype, qclass = struct.unpack("!HH", pkt[off:off + 4])
        question = pkt[12:off + 4]
        host = mx.get(qname.lower())
        if host is not None and qtype == 15:
            rdata = struct.pack("!H", 10) + name_wire(host)
            answer = (b"\xc0\x0c" + struct.pack("!HHIH", 15, 1, 300,
                      len(rdata)) + rdata)
            hdr = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
            s.sendto(hdr + question + answer, peer)
        else:
            rcode = 0 if host is not None else 3
            hdr = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, 0, 0, 0)
            s.sendto(hdr + question, peer)
        print("fake_dns: %s type %d -> %s" % (qname, qtype, host),
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
