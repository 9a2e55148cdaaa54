#!/usr/bin/env python3
"""The facts of an arm64 panic as its console printed them, as key=value lines (facts.properties).

    facts.py CONSOLE

panic      the panic line's message        oops     the "Internal error:" line (an oops)
bug      file:line of "kernel BUG at" (when a BUG)
cpu pid comm                               from the "CPU: N PID: P Comm: C" line of the oops/panic
pc lr      "symbol+off/size [module]" as printed; sp pstate x0 .. x29: hex without 0x
trace      the "Call trace:" frames, comma-separated (symbol+off/size, module dropped)
offset     "Kernel Offset:" (KASLR), phys_offset "PHYS_OFFSET:"
Only the first oops is read (a capture kernel's own messages follow it in a kdump console).
"""
import re
import sys

text = open(sys.argv[1], errors="replace").read()
lines = [re.sub(r"^\[\s*[0-9.]+\]\s?", "", l) for l in text.splitlines()]
facts = {}
for i, l in enumerate(lines):
    if "panic" not in facts and l.startswith("Kernel panic - not syncing: "):
        facts["panic"] = l[len("Kernel panic - not syncing: "):]
    m = re.match(r"Internal error: (.*)$", l)
    if m and "oops" not in facts:
        facts["oops"] = m.group(1)
    m = re.match(r"kernel BUG at (.*)!$", l)
    if m and "bug" not in facts:
        facts["bug"] = m.group(1)
    m = re.match(r"CPU: (\d+) PID: (\d+) Comm: (\S+)", l)
    if m and "cpu" not in facts:
        facts["cpu"], facts["pid"], facts["comm"] = m.groups()
    m = re.match(r"(pc|lr) : (.*)$", l)
    if m and m.group(1) not in facts:
        facts[m.group(1)] = m.group(2).strip()
    m = re.match(r"sp : ([0-9a-f]+)$", l)
    if m and "sp" not in facts:
        facts["sp"] = m.group(1)
    m = re.match(r"pstate: ([0-9a-f]+)", l)
    if m and "pstate" not in facts:
        facts["pstate"] = m.group(1)
    for reg, val in re.findall(r"(x\d+)\s*: ([0-9a-f]{16})", l):
        facts.setdefault(reg, val)
    if l.strip() == "Call trace:" and "trace" not in facts:
        frames = []
        for f in lines[i + 1:]:
            m = re.match(r"\s+(\S+\+0x[0-9a-f]+/0x[0-9a-f]+)", f)
            if not m:
                break
            frames.append(m.group(1))
        facts["trace"] = ",".join(frames)
    m = re.match(r"Kernel Offset: (0x[0-9a-f]+)", l)
    if m and "offset" not in facts:
        facts["offset"] = m.group(1)
    m = re.match(r"PHYS_OFFSET: (0x[0-9a-f]+)", l)
    if m and "phys_offset" not in facts:
        facts["phys_offset"] = m.group(1)
if "panic" not in facts and "oops" not in facts:
    sys.exit("facts.py: %s: no panic and no oops on the console" % sys.argv[1])
for k in ("cpu", "pid", "comm", "trace"):
    if k not in facts:
        sys.exit("facts.py: %s: no %s on the console" % (sys.argv[1], k))
for k, v in facts.items():
    print("%s=%s" % (k, v))
