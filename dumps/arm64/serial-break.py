#!/usr/bin/env python3
"""Plays the operator at a serial console: connects to QEMU's telnet-mode serial socket, waits for
the guest to print "kdive-break-now", then sends a BREAK (telnet IAC BRK, which QEMU turns into a
break condition on the PL011) and 'c': the kernel's serial sysrq handles it in the UART's interrupt
handler, so the panic happens in hard-IRQ context, on the CPU's IRQ stack. Every wait is bounded.

    serial-break.py SOCKET SECONDS
"""
import socket
import sys
import time

path, seconds = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + seconds
s = socket.socket(socket.AF_UNIX)
while True:
    try:
        s.connect(path)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("serial-break: cannot connect to %s" % path)
        time.sleep(0.1)
buf = b""
sent = False
while time.monotonic() < deadline:
    s.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        data = s.recv(4096)
    except socket.timeout:
        continue
    if not data:
        sys.exit(0 if sent else "serial-break: QEMU closed the serial socket before the guest asked for the break")
    buf = (buf + data)[-65536:]
    if not sent and b"kdive-break-now" in buf:
        time.sleep(0.5)  # the guest's shell is asleep: the CPUs are idle when the interrupt comes
        s.sendall(b"\xff\xf3")  # IAC BRK
        time.sleep(0.2)
        s.sendall(b"c")
        sent = True
    if sent and b"end Kernel panic" in buf:
        sys.exit(0)
sys.exit("serial-break: no panic within %.0f s (break %s)" % (seconds, "sent" if sent else "never asked for"))
