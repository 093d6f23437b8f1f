"""Probes for the stateful ACL and gateway tests, one mode per run; each prints one line saying what happened.

udp-refused IP PORT           send a datagram and wait for an answer: "refused" (ICMP port unreachable), "timeout" or "answered"
udp-listen IP PORT SECONDS    print "listening", then the number of datagrams received within SECONDS
udp-send IP PORT COUNT        send one datagram from each of COUNT fresh sockets (COUNT source ports): "sent COUNT"
tcp-echo IP PORT              print "listening", then "peer ADDRESS" of one connection, and echo what it sends until it closes (IP may be IPv6)
tcp-connect IP PORT           "connected", "refused" or "timeout"
tcp-talk IP PORT              connect, send a line and wait for it to come back: "ok", "wrong", "refused" or "timeout"
tcp-hold-fill IP PORT UDPPORT COUNT
                              talk on one TCP connection, then udp-send COUNT datagrams, then talk on the same
                              connection again: "before=ok|timeout after=ok|timeout"
"""
import socket
import sys
import time

mode, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
TIMEOUT = 2


def udp_send(count, target_port):
    for _ in range(count):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"fill", (ip, target_port))


def echo(connection):
    try:
        connection.sendall(b"ping")
        return "ok" if connection.recv(4) == b"ping" else "wrong"
    except socket.timeout:
        return "timeout"


if mode == "udp-refused":
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.connect((ip, port))
        sock.send(b"query")
        try:
            sock.recv(100)
            print("answered")
        except ConnectionRefusedError:
            print("refused")
        except socket.timeout:
            print("timeout")
elif mode == "udp-listen":
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((ip, port))
        print("listening", flush=True)
        deadline = time.monotonic() + float(sys.argv[4])
        received = 0
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                sock.recv(100)
                received += 1
            except socket.timeout:
                break
        print(received)
elif mode == "udp-send":
    udp_send(int(sys.argv[4]), port)
    print("sent", sys.argv[4])
elif mode == "tcp-echo":
    with socket.create_server((ip, port), family=socket.AF_INET6 if ":" in ip else socket.AF_INET) as server:
        print("listening", flush=True)
        connection, peer = server.accept()
        print("peer", peer[0], flush=True)
        with connection:
            while data := connection.recv(1 << 16):
                connection.sendall(data)
elif mode == "tcp-connect":
    try:
        with socket.create_connection((ip, port), timeout=TIMEOUT):
            print("connected")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
elif mode == "tcp-talk":
    try:
        with socket.create_connection((ip, port), timeout=TIMEOUT) as connection:
            print(echo(connection))
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
elif mode == "tcp-hold-fill":
    with socket.create_connection((ip, port), timeout=TIMEOUT) as connection:
        before = echo(connection)
        udp_send(int(sys.argv[5]), int(sys.argv[4]))
        print(f"before={before} after={echo(connection)}")
else:
    sys.exit(f"unknown mode {mode}")
