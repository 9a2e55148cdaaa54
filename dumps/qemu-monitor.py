#!/usr/bin/env python3
"""Saves a QEMU guest's memory through QMP (unix socket), one dump-guest-memory per argument,
then quits QEMU. Every wait is bounded; a closed socket or a QMP error is a failure.

    qemu-monitor.py SOCKET SECONDS FORMAT:PATH...     FORMAT: elf | kdump-zlib | ...
"""
import json
import socket
import sys
import time


def main():
    path, seconds, dumps = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    deadline = time.monotonic() + seconds
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(seconds)
    s.connect(path)
    buf = b""

    def message(what):
        """The next QMP message that is not an event."""
        nonlocal buf
        while True:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    sys.exit("qemu-monitor: no answer to %s within %.0f s" % (what, seconds))
                s.settimeout(left)
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    continue
                if not data:  # QEMU closed the socket (it exited)
                    sys.exit("qemu-monitor: QEMU closed QMP while waiting for %s" % what)
                buf += data
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                msg = json.loads(line)
                if "event" not in msg:
                    return msg

    def execute(cmd, **args):
        s.sendall(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
        answer = message(cmd)
        if "error" in answer:
            sys.exit("qemu-monitor: %s %s: %s" % (cmd, args, answer["error"].get("desc", answer)))
        return answer

    message("the greeting")
    execute("qmp_capabilities")
    for d in dumps:
        fmt, out = d.split(":", 1)
        execute("dump-guest-memory", paging=False, protocol="file:" + out, format=fmt)
    s.sendall(json.dumps({"execute": "quit"}).encode() + b"\n")
    try:
        while time.monotonic() < deadline and s.recv(65536):
            pass
    except OSError:
        pass


if __name__ == "__main__":
    main()
