#!/usr/bin/env python3
"""Saves a QEMU guest's memory as ELF through QEMU's human monitor (unix socket), then quits QEMU.
Every wait is bounded; a closed socket or an error message from QEMU is a failure.

    qemu-dump.py SOCKET SECONDS PATH
"""
import re
import socket
import sys
import time

path, seconds, dump = sys.argv[1], float(sys.argv[2]), sys.argv[3]
deadline = time.monotonic() + seconds
s = socket.socket(socket.AF_UNIX)
s.connect(path)


def until_prompt(what):
    buf = b""
    while b"(qemu)" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit("qemu-dump: no prompt after %s within %.0f s: %r" % (what, seconds, buf[-400:]))
        s.settimeout(left)
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if not data:
            sys.exit("qemu-dump: QEMU closed the monitor after %s: %r" % (what, buf[-400:]))
        buf += data
    return buf.decode(errors="replace")


until_prompt("connecting")
cmd = "dump-guest-memory " + dump
s.sendall((cmd + "\n").encode())
reply = until_prompt(cmd)
# the monitor echoes the command as it is typed (line editing): only an error message counts
text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]|\r", "", reply)
if re.search(r"error|failed|not supported|invalid", text, re.I):
    sys.exit("qemu-dump: %s: %s" % (cmd, text[-400:]))
s.sendall(b"quit\n")
try:
    while s.recv(4096) and time.monotonic() < deadline:
        pass
except OSError:
    pass
