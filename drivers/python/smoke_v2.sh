#!/bin/sh
# Smoke test of sockcheck_driver.py without Maven.
#
# 1. Version 2: a fixed conversation with hosts A (127.77.1.1) and B
#    (127.77.1.2), sent the way the runner sends it (each request once the
#    previous one is answered, except calls that are meant to block), every
#    reply checked.
# 2. Version 1: a short conversation piped to the last driver of protocol 1 only (commit 0ef7ab2) and to this one
#    (with --protocol 1, without arguments, and with a hello that offers 1 and
#    2 under --protocol 1); the replies must be the same, ephemeral ports
#    aside.
#
# Exit code 0 when everything matched, 1 otherwise.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
driver="$here/sockcheck_driver.py"
old=$(mktemp /tmp/sockcheck_old_driver.XXXXXX.py)
trap 'rm -f "$old"' EXIT
git -C "$here" show 0ef7ab2:drivers/python/sockcheck_driver.py > "$old"

python3 - "$driver" "$old" <<'EOF'
import base64
import json
import random
import re
import subprocess
import sys
import threading
import time

DRIVER, OLD = sys.argv[1], sys.argv[2]
A, B = "127.77.1.1", "127.77.1.2"
failures = []


def b64(text):
    return base64.b64encode(text.encode()).decode()


def check(what, got, want):
    good = want(got) if callable(want) else got == want
    print(("ok    " if good else "FAIL  ") + what + ": " + json.dumps(got))
    if not good:
        failures.append(what)
        if not callable(want):
            print("      wanted: " + json.dumps(want))


class Conversation:
    """The runner's side: requests out, replies collected by id."""

    def __init__(self, *args):
        self.p = subprocess.Popen([sys.executable, DRIVER, *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        self.replies, self.cond, self.next_id = {}, threading.Condition(), 1
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.p.stdout:
            reply = json.loads(line)
            with self.cond:
                self.replies[reply["id"]] = reply
                self.cond.notify_all()

    def send(self, op, args=None, at=None):
        """Sends a request; at is "A.p1.t1" (None for hello, settle and a host's sockets)."""
        rid, self.next_id = self.next_id, self.next_id + 1
        req = {"id": rid, "op": op}
        if at is not None and op == "sockets":
            req["host"] = at
        elif at is not None:
            req["host"], req["process"], req["thread"] = at.split(".")
        req["args"] = args or {}
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        return rid

    def reply(self, rid, seconds=3.0):
        end = time.monotonic() + seconds
        with self.cond:
            while rid not in self.replies and time.monotonic() < end:
                self.cond.wait(end - time.monotonic())
            return self.replies.get(rid)

    def call(self, op, args=None, at=None):
        reply = self.reply(self.send(op, args, at))
        if reply is None:
            return {"blocks": op}
        return {k: v for k, v in reply.items() if k != "id"}

    def end(self):
        """Closes stdin; the driver's exit code and how long it took to exit."""
        start = time.monotonic()
        self.p.stdin.close()
        try:
            code = self.p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.p.kill()
            code = "still running after 3 s"
        return code, time.monotonic() - start


def by_rows(rows):
    """Rows as a sorted list, without the TIME-WAIT rows an earlier run on the same addresses left (a minute's)."""
    if not isinstance(rows, list):
        return rows
    ours = [r for r in rows if not (r.get("state") == "TIME-WAIT" and name not in (r["local"], r["remote"]))]
    if len(ours) != len(rows):
        print("      (%d TIME-WAIT rows of an earlier run left out)" % (len(rows) - len(ours)))
    return sorted(json.dumps(r, sort_keys=True) for r in ours)


print("== version 2: probe hello")
c = Conversation()
r = c.call("hello", {"protocol": 2, "protocols": [1, 2], "hosts": [], "processes": [],
                     "host": "A", "process": "p1", "addr": "127.0.0.1"})
check("probe hello", r, lambda r: r.get("ok", {}).get("protocol") == 2)
code, took = c.end()
check("probe: exit once stdin closes", [code, took < 1.0], [0, True])

print("== version 2: a trace with hosts A and B")
c = Conversation()
hello = c.call("hello", {"protocol": 2, "protocols": [1, 2],
                         "hosts": [{"name": "A", "addr": A}, {"name": "B", "addr": B}],
                         "processes": [{"host": "A", "process": "p1"}, {"host": "B", "process": "p1"}],
                         "host": "A", "process": "p1", "addr": A})
print("      hello: " + json.dumps(hello))
ok = hello.get("ok", {})
check("hello: protocol 2, network kernel, fds own",
      [ok.get("protocol"), ok.get("name"), ok.get("network"), ok.get("fds")], [2, "cpython-socket", "kernel", "own"])
check("hello: ops", ok.get("ops"), lambda ops: all(o in ops for o in
      ["socket", "bind", "listen", "connect", "accept", "send", "recv", "close", "dup", "sockets",
       "threads", "fork", "settle", "exit"]))

L = c.call("socket", {"domain": "inet", "type": "stream"}, "B.p1.t1").get("ok")
check("B socket", L, lambda v: isinstance(v, int) and v >= 0)
check("B setsockopt SO_REUSEADDR", c.call("setsockopt", {"fd": L, "option": "SO_REUSEADDR", "value": 1}, "B.p1.t1"), {"ok": 0})
check("B bind " + B + ":20080", c.call("bind", {"fd": L, "addr": B + ":20080"}, "B.p1.t1"), {"ok": 0})
check("B listen", c.call("listen", {"fd": L, "backlog": 8}, "B.p1.t1"), {"ok": 0})
C = c.call("socket", {"domain": "inet", "type": "stream"}, "A.p1.t1").get("ok")
check("A socket", C, lambda v: isinstance(v, int) and v >= 0 and v != L)
check("A connect", c.call("connect", {"fd": C, "addr": B + ":20080"}, "A.p1.t1"), {"ok": 0})
check("settle", c.call("settle"), {"ok": 0})
name = c.call("getsockname", {"fd": C}, "A.p1.t1").get("ok", "")  # A's end of the connection, in rows below
check("A getsockname: A's address (the driver's implicit bind)", name, lambda v: v.startswith(A + ":"))
accepted = c.call("accept", {"fd": L}, "B.p1.t1")
check("B accept: peer is A's socket", accepted, lambda r: r.get("ok", {}).get("peer") == name)
S = accepted.get("ok", {}).get("fd")
check("A send hello", c.call("send", {"fd": C, "data": b64("hello")}, "A.p1.t1"), {"ok": 5})
check("B recv", c.call("recv", {"fd": S, "size": 100}, "B.p1.t1"), {"ok": {"data": b64("hello")}})

print("-- fork")
forked = c.call("fork", {"child": "p2"}, "A.p1.t1")
pairs = forked.get("ok", {}).get("fds") if isinstance(forked.get("ok"), dict) else None
check("fork A.p1 -> A.p2: each parent descriptor with the child's copy", pairs,
      lambda v: isinstance(v, list) and len(v) == 1 and v[0][0] == C and v[0][1] != C)
C2 = pairs[0][1] if pairs else -1
check("A.p1 close its copy", c.call("close", {"fd": C}, "A.p1.t1"), {"ok": 0})
check("A.p1 send on the closed descriptor", c.call("send", {"fd": C, "data": b64("x")}, "A.p1.t1"), {"err": "EBADF"})
check("A.p2 send on its copy", c.call("send", {"fd": C2, "data": b64("world")}, "A.p2.t1"), {"ok": 5})
check("B recv from the child", c.call("recv", {"fd": S, "size": 100}, "B.p1.t1"), {"ok": {"data": b64("world")}})
check("A.p2 getpeername", c.call("getpeername", {"fd": C2}, "A.p2.t1"), {"ok": B + ":20080"})
check("A.p2 getsockname (the wildcard flag is shared: concrete after connect)",
      c.call("getsockname", {"fd": C2}, "A.p2.t1"), {"ok": name})

print("-- descriptors the process does not hold")
check("A.p1 send on B's descriptor", c.call("send", {"fd": S, "data": b64("x")}, "A.p1.t1"), {"err": "EBADF"})
check("A.p1 close B's descriptor", c.call("close", {"fd": S}, "A.p1.t1"), {"err": "EBADF"})
check("A.p1 recv -1", c.call("recv", {"fd": -1, "size": 10}, "A.p1.t1"), {"err": "EBADF"})
check("A.p1 close -1", c.call("close", {"fd": -1}, "A.p1.t1"), {"err": "EBADF"})
check("A.p1 poll -1 and B's descriptor", c.call("poll", {"fds": [{"fd": -1, "events": ["in"]}, {"fd": S, "events": ["in"]}],
                                                        "timeout": -1}, "A.p1.t1"),
      {"ok": {"revents": [["nval"], ["nval"]]}})
check("B poll its descriptor (still open)", c.call("poll", {"fds": [{"fd": S, "events": ["in", "out"]}], "timeout": 0},
                                                   "B.p1.t1"), {"ok": {"revents": [["out"]]}})

print("-- sockets per host")
check("settle", c.call("settle"), {"ok": 0})
check("sockets A", by_rows(c.call("sockets", {}, "A").get("ok")),
      by_rows([{"proto": "tcp", "local": name, "remote": B + ":20080", "state": "ESTABLISHED"}]))
check("sockets B", by_rows(c.call("sockets", {}, "B").get("ok")),
      by_rows([{"proto": "tcp", "local": B + ":20080", "remote": None, "state": "LISTEN"},
               {"proto": "tcp", "local": B + ":20080", "remote": name, "state": "ESTABLISHED"}]))

print("-- threads")
U = c.call("socket", {"domain": "inet", "type": "dgram"}, "B.p1.t2").get("ok")
check("B.p1.t2 socket dgram", U, lambda v: isinstance(v, int) and v >= 0)
check("B.p1.t2 bind 0.0.0.0:20081", c.call("bind", {"fd": U, "addr": "0.0.0.0:20081"}, "B.p1.t2"), {"ok": 0})
check("B.p1.t2 getsockname (wildcard reported)", c.call("getsockname", {"fd": U}, "B.p1.t2"), {"ok": "0.0.0.0:20081"})
waiting = c.send("recv", {"fd": S, "size": 100}, "B.p1.t1")
check("B.p1.t1 recv on an empty connection blocks", c.reply(waiting, 0.3), None)
V = c.call("socket", {"domain": "inet", "type": "dgram"}, "A.p2.t2").get("ok")
check("A.p2.t2 socket dgram while B.p1.t1 waits", V, lambda v: isinstance(v, int) and v >= 0)
check("A.p2.t2 sendto B while B.p1.t1 waits", c.call("sendto", {"fd": V, "data": b64("ping"), "addr": B + ":20081"},
                                                     "A.p2.t2"), {"ok": 4})
check("B.p1.t1 still waits", c.reply(waiting, 0.1), None)
got = c.call("recvfrom", {"fd": U, "size": 100}, "B.p1.t2")
check("B.p1.t2 recvfrom: from A's address", got,
      lambda r: r.get("ok", {}).get("data") == b64("ping") and r["ok"].get("from", "").startswith(A + ":"))
check("A.p2.t2 send on the connection", c.call("send", {"fd": C2, "data": b64("late")}, "A.p2.t2"), {"ok": 4})
r = c.reply(waiting)
check("B.p1.t1's recv returns", r and {k: v for k, v in r.items() if k != "id"}, {"ok": {"data": b64("late")}})

print("-- exit")
check("A.p2 exit", c.call("exit", {}, "A.p2.t1"), {"ok": 0})
check("A.p2 send after exit", c.call("send", {"fd": C2, "data": b64("x")}, "A.p2.t1"), {"err": "EBADF"})
check("settle", c.call("settle"), {"ok": 0})
check("sockets A (the closed connection, held by no descriptor)", by_rows(c.call("sockets", {}, "A").get("ok")),
      by_rows([{"proto": "tcp", "local": name, "remote": B + ":20080", "state": "FIN-WAIT-2"}]))
check("sockets B", by_rows(c.call("sockets", {}, "B").get("ok")),
      by_rows([{"proto": "tcp", "local": B + ":20080", "remote": None, "state": "LISTEN"},
               {"proto": "tcp", "local": B + ":20080", "remote": name, "state": "CLOSE-WAIT"},
               {"proto": "udp", "local": "0.0.0.0:20081", "remote": None}]))

print("-- end while a call waits")
blocked = c.send("accept", {"fd": L}, "B.p1.t3")
check("B.p1.t3 accept blocks", c.reply(blocked, 0.3), None)
code, took = c.end()
check("exit once stdin closes, although a call waits", [code, took < 1.0], [0, True])

print("== version 1: the same replies as the protocol-1 driver of 0ef7ab2")
HELLO1 = {"id": 1, "thread": "t1", "op": "hello", "args": {"protocol": 1, "host": "A", "process": "p1", "addr": "127.77.2.1"}}
HELLO12 = {"id": 1, "thread": "t1", "op": "hello", "args": {"protocol": 2, "protocols": [1, 2], "hosts": [
    {"name": "A", "addr": "127.77.2.1"}], "processes": [{"host": "A", "process": "p1"}],
    "host": "A", "process": "p1", "addr": "127.77.2.1"}}
CALLS = [
    ("socket", {"domain": "inet", "type": "stream"}),
    ("setsockopt", {"fd": 3, "option": "SO_REUSEADDR", "value": 1}),
    ("bind", {"fd": 3, "addr": "0.0.0.0:20090"}),
    ("listen", {"fd": 3, "backlog": 4}),
    ("getsockname", {"fd": 3}),
    ("socket", {"domain": "inet", "type": "dgram"}),
    ("bind", {"fd": 4, "addr": "127.77.2.1:20091"}),
    ("sendto", {"fd": 4, "data": b64("hi"), "addr": "127.77.2.1:20091"}),
    ("recvfrom", {"fd": 4, "size": 10}),
    ("socket", {"domain": "inet", "type": "stream"}),
    ("connect", {"fd": 5, "addr": "127.77.2.1:20090"}),
    ("accept", {"fd": 3}),
    ("send", {"fd": 5, "data": b64("abc")}),
    ("recv", {"fd": 6, "size": 10, "flags": ["peek"]}),
    ("read", {"fd": 6, "size": 10}),
    ("dup", {"fd": 6}),
    ("getsockopt", {"fd": 7, "option": "SO_TYPE"}),
    ("poll", {"fds": [{"fd": 5, "events": ["out"]}, {"fd": 42, "events": ["in"]}], "timeout": 0}),
    ("sockets", {}),
    ("close", {"fd": 7}),
    ("close", {"fd": 42}),
    ("getpeername", {"fd": 4}),
    ("advance", {"ms": 10}),
    ("exit", {}),
    ("sockets", {}),
]


def fresh_address():
    """A loopback address 127.77.X.Y that no row of the table has."""
    used = set()
    for proto in ("tcp", "udp"):
        with open("/proc/net/" + proto) as f:
            next(f)
            for line in f:
                for field in line.split()[1:3]:
                    n = int(field.split(":")[0], 16)
                    used.add("%d.%d.%d.%d" % (n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >> 24))
    while True:
        addr = "127.77.%d.%d" % (random.randrange(3, 250), random.randrange(1, 250))
        if addr not in used:
            return addr


def v1_replies(script, hello, *args):
    """The replies of one driver run, each on an address of its own (TIME-WAIT rows of an earlier run stay in the
    table for a minute), with that address, ephemeral ports and the order of sockets rows left out."""
    addr = fresh_address()
    lines = [json.dumps(hello)] + [json.dumps({"id": i + 2, "thread": "t1", "op": op, "args": a})
                                   for i, (op, a) in enumerate(CALLS)]
    conversation = "\n".join(lines).replace("127.77.2.1", addr) + "\n"
    out = subprocess.run([sys.executable, script, *args], input=conversation, capture_output=True, text=True,
                         timeout=20)
    text = out.stdout.replace(addr, "ADDR")
    # ephemeral ports (Linux: 32768-60999) differ from run to run
    text = re.sub(r":(\d{5})\b", lambda m: ":EPHEMERAL" if 32768 <= int(m.group(1)) <= 60999 else m.group(0), text)
    replies = []
    for line in text.splitlines():
        reply = json.loads(line)
        if isinstance(reply.get("ok"), list):  # /proc/net lists sockets in hash order, which follows the ports
            reply["ok"].sort(key=lambda r: json.dumps(r, sort_keys=True))
        replies.append(json.dumps(reply) + "\n")
    return "".join(replies), out.returncode

for hello, label in ((HELLO1, "a version 1 hello"), (HELLO12, "a hello that offers 1 and 2")):
    want, want_code = v1_replies(OLD, hello)
    print("      0ef7ab2's driver, %s: %d replies, exit %d" % (label, len(want.splitlines()), want_code))
    runs = [("--protocol 1",)] if hello is HELLO12 else [("--protocol 1",), ()]
    for args in runs:
        argv = [a for arg in args for a in arg.split()]
        got, code = v1_replies(DRIVER, hello, *argv)
        what = "new driver %s, %s" % (" ".join(argv) or "without arguments", label)
        check(what + ": replies as 0ef7ab2's", got == want and code == want_code, True)
        if got != want:
            import difflib
            sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "0ef7ab2", "new"))
print()
print("FAILED: " + ", ".join(failures) if failures else "all passed")
sys.exit(1 if failures else 0)
EOF
