"""One TCP transfer for the end-to-end tests: `receive IP PORT` or `send IP PORT BYTES`; each prints `BYTES SHA256`."""
import hashlib
import random
import socket
import sys

mode, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
digest = hashlib.sha256()
total = 0
if mode == "receive":
    with socket.create_server((ip, port)) as server:
        print("listening", flush=True)
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(1 << 20):
                digest.update(chunk)
                total += len(chunk)
else:
    remaining = int(sys.argv[4])
    source = random.Random(7)
    with socket.create_connection((ip, port), timeout=10) as connection:
        while remaining > 0:
            chunk = source.randbytes(min(remaining, 1 << 20))
            connection.sendall(chunk)
            digest.update(chunk)
            total += len(chunk)
            remaining -= len(chunk)
print(total, digest.hexdigest(), flush=True)
