#!/usr/bin/env python3
"""Facts of a crash from the guest's serial console (the crashed kernel's part only), printed
as key=value lines for facts.properties: the oops/panic messages, the CPU/PID/COMM of the
crashing task, RIP (symbolic), the registers the oops printed, the call trace, and what the
guest script printed (the blocked task's pid). A console without a panic or an oops is an error.

    facts.py CONSOLE.LOG CPUS
"""
import re
import sys


def main():
    path, cpus = sys.argv[1], sys.argv[2]
    text = open(path, encoding="utf-8", errors="replace").read()
    lines = text.replace("\r", "").split("\n")
    # the crashed kernel's part: up to the capture kernel's own boot banner, if any
    boots = [i for i, l in enumerate(lines) if re.search(r"\] Linux version |^Linux version ", l)]
    if len(boots) > 1:
        lines = lines[:boots[1]]
    body = [re.sub(r"^\[\s*\d+\.\d+\] ", "", l) for l in lines]
    facts = {"cpus": cpus}

    def first(pattern, key, group=1):
        for l in body:
            m = re.search(pattern, l)
            if m:
                facts[key] = m.group(group).strip()
                return m
        return None

    first(r"^kdive-blocked-pid: (\d+)", "blocked.pid")
    first(r"^kdive-trigger: (\S+)", "trigger")
    first(r"Linux version (\S+)", "release")
    first(r"Kernel panic - not syncing: (.*)", "panic")
    first(r"^(kernel BUG at .*)", "bug")
    first(r"^(BUG: .*)", "bug.line")
    first(r"^(Oops: .*|invalid opcode: .*|general protection fault.*)", "oops")
    first(r"^(WARNING: CPU: .*)", "warning")
    # "CPU: 1 PID: 41 Comm: kworker/1:1H ..." (6.12: "CPU: 1 UID: 0 PID: 41 Comm: ...")
    m = first(r"^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)", "cpu")
    if m:
        facts["pid"], facts["comm"] = m.group(2), m.group(3)
    # the registers of a kernel-mode oops (RIP: 0010:...); a panic() without an oops prints only
    # the user-mode registers of the syscall that led to it, which are not facts of the crash
    for i, l in enumerate(body):
        m = re.match(r"^RIP: 0010:(\S+)", l)
        if not m:
            continue
        facts["rip"] = m.group(1)
        for r in body[i + 1:i + 16]:
            if r.startswith(("Call Trace", "Kernel panic", "---[", "Modules linked")):
                break
            if r.startswith("RSP: "):
                m2 = re.match(r"RSP: [0-9a-f]{4}:([0-9a-f]{16}) EFLAGS: ([0-9a-f]+)", r)
                if m2:
                    facts["reg.rsp"], facts["reg.eflags"] = m2.group(1), m2.group(2)
                continue
            for name, value in re.findall(r"\b(R[A-Z0-9]{1,2}|[CDEFGS]S|CR[0234]|knlGS):\s*([0-9a-fA-F]{4,16})\b", r):
                facts.setdefault("reg." + name.lower(), value.lower())
        break
    trace, inside = [], False
    for l in body:
        if l.strip() == "Call Trace:":
            if trace:
                break
            inside = True
            continue
        if inside:
            s = l.strip()
            if s in ("<TASK>", "</TASK>", "<IRQ>", "</IRQ>") or s.startswith("? "):
                continue
            if not re.match(r"^[\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+", s):
                if trace:
                    break
                continue
            trace.append(s)
    for i, t in enumerate(trace):
        facts["trace.%d" % i] = t
    if "panic" not in facts and "oops" not in facts and "bug" not in facts:
        sys.exit("facts.py: %s shows neither a panic nor an oops" % path)
    for k, v in facts.items():
        print("%s=%s" % (k, v.replace("\\", "\\\\")))


if __name__ == "__main__":
    main()
