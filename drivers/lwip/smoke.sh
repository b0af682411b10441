#!/bin/sh
# Smoke test of the lwIP driver without Maven: builds it (unless DRIVER is set), plays a
# fixed conversation over two hosts A (192.0.2.1) and B (192.0.2.2) and checks every reply;
# then a second run whose hosts also have IPv6 addresses (2001:db8::1, ::2).
# Usage: drivers/lwip/smoke.sh            exit 0: all replies as expected
#        DRIVER="valgrind ... build/sockcheck-lwip" drivers/lwip/smoke.sh   (a command line of its own)
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "$DRIVER" ]; then
    "$HERE/build.sh" >/dev/null
    DRIVER="$HERE/build/sockcheck-lwip"
fi
exec python3 - "$DRIVER" <<'PY'
import base64, json, os, select, shlex, signal, subprocess, sys, time

driver = subprocess.Popen(shlex.split(sys.argv[1]), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          start_new_session=True)
failures = 0
next_id = 0
buffered = b""
early = {}          # replies read while waiting for another


def send(op, host=None, thread="t1", process="p1", **args):
    global next_id
    next_id += 1
    req = {"id": next_id, "op": op, "args": args}
    if host:
        req.update(host=host, process=process, thread=thread)
    line = json.dumps(req)
    print("> " + line)
    driver.stdin.write((line + "\n").encode())
    driver.stdin.flush()
    return next_id


def read_reply(timeout):
    global buffered
    deadline = time.monotonic() + timeout
    while b"\n" not in buffered:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([driver.stdout], [], [], left)[0]:
            return None
        chunk = os.read(driver.stdout.fileno(), 65536)
        if not chunk:
            return None
        buffered += chunk
    line, buffered = buffered.split(b"\n", 1)
    print("< " + line.decode())
    return json.loads(line)


def wait(rid, timeout=5.0):
    if rid in early:
        return early.pop(rid)
    deadline = time.monotonic() + timeout
    while True:
        r = read_reply(max(0.0, deadline - time.monotonic()))
        if r is None:
            return None
        if r.get("id") == rid:
            return r
        early[r.get("id")] = r


def check(what, cond):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def call(op, host=None, **kw):
    return wait(send(op, host, **kw))


def diverges(what, r, linux, lwip):
    """A call where lwIP 2.1.3 is known to answer otherwise than Linux/POSIX: the driver passes
    lwIP's answer on unchanged; the check accepts lwIP's and says so."""
    if r == linux:
        check(what + " (as Linux)", True)
    else:
        check(what + " -- lwIP answers %s where Linux gives %s (known divergence)"
              % (json.dumps(lwip), json.dumps(linux)), r == lwip)


def ok(r):
    return r is not None and "ok" in r


b64 = lambda s: base64.b64encode(s).decode()

r = call("hello", protocol=2, protocols=[1, 2],
         hosts=[{"name": "A", "addr": "192.0.2.1"}, {"name": "B", "addr": "192.0.2.2"}],
         processes=[{"host": "A", "process": "p1"}, {"host": "B", "process": "p1"}],
         host="A", process="p1", addr="192.0.2.1")
check("hello: protocol 2, network own, fds own",
      ok(r) and r["ok"]["protocol"] == 2 and r["ok"]["network"] == "own" and r["ok"]["fds"] == "own"
      and "threads" in r["ok"]["ops"] and "settle" in r["ok"]["ops"])

# B listens on 192.0.2.2:80
r = call("socket", "B", domain="inet", type="stream"); lb = r["ok"]
check("B socket", ok(r))
check("B bind 192.0.2.2:80", call("bind", "B", fd=lb, addr="192.0.2.2:80") == {"id": next_id, "ok": 0})
check("B listen", call("listen", "B", fd=lb, backlog=5) == {"id": next_id, "ok": 0})

# A connects
r = call("socket", "A", domain="inet", type="stream"); ca = r["ok"]
check("A socket", ok(r))
check("A connect 192.0.2.2:80", call("connect", "A", fd=ca, addr="192.0.2.2:80") == {"id": next_id, "ok": 0})
check("settle", call("settle") == {"id": next_id, "ok": 0})

r = call("accept", "B", fd=lb)
check("B accept: peer is A", ok(r) and r["ok"]["peer"].startswith("192.0.2.1:"))
cb = r["ok"]["fd"] if ok(r) else -1
r = call("getsockname", "A", fd=ca)
check("A getsockname 192.0.2.1:*", ok(r) and r["ok"].startswith("192.0.2.1:"))
aport = r["ok"].split(":")[1] if ok(r) else "?"

check("A send hello", call("send", "A", fd=ca, data=b64(b"hello")) == {"id": next_id, "ok": 5})
check("settle", ok(call("settle")))
r = call("recv", "B", fd=cb, size=100)
check("B recv hello", ok(r) and base64.b64decode(r["ok"]["data"]) == b"hello")

r = call("sockets", "A")
rows = r["ok"] if ok(r) else []
check("A sockets: ESTABLISHED 192.0.2.1:%s -> 192.0.2.2:80" % aport,
      {"proto": "tcp", "local": "192.0.2.1:" + aport, "remote": "192.0.2.2:80", "state": "ESTABLISHED"} in rows)
r = call("sockets", "B")
rows = r["ok"] if ok(r) else []
check("B sockets: LISTEN and ESTABLISHED",
      {"proto": "tcp", "local": "192.0.2.2:80", "remote": None, "state": "LISTEN"} in rows and
      {"proto": "tcp", "local": "192.0.2.2:80", "remote": "192.0.2.1:" + aport, "state": "ESTABLISHED"} in rows)

# a connect to a port nobody listens on
r = call("socket", "A", domain="inet", type="stream"); ra = r["ok"]
r = call("connect", "A", fd=ra, addr="192.0.2.2:81")
diverges("A connect 192.0.2.2:81 (no listener, RST)", r,
         {"id": next_id, "err": "ECONNREFUSED"}, {"id": next_id, "err": "ECONNRESET"})

# UDP between the hosts
r = call("socket", "B", domain="inet", type="dgram"); ub = r["ok"]
check("B udp bind 192.0.2.2:53", call("bind", "B", fd=ub, addr="192.0.2.2:53") == {"id": next_id, "ok": 0})
r = call("socket", "A", domain="inet", type="dgram"); ua = r["ok"]
check("A udp bind 192.0.2.1:5353", call("bind", "A", fd=ua, addr="192.0.2.1:5353") == {"id": next_id, "ok": 0})
check("A sendto B", call("sendto", "A", fd=ua, data=b64(b"ping"), addr="192.0.2.2:53") == {"id": next_id, "ok": 4})
check("settle", ok(call("settle")))
r = call("recvfrom", "B", fd=ub, size=100)
check("B recvfrom ping from 192.0.2.1:5353",
      ok(r) and base64.b64decode(r["ok"]["data"]) == b"ping" and r["ok"]["from"] == "192.0.2.1:5353")
r = call("sockets", "B")
check("B sockets: udp 192.0.2.2:53", ok(r) and {"proto": "udp", "local": "192.0.2.2:53", "remote": None} in r["ok"])

# a bind to the other host's address
r = call("socket", "A", domain="inet", type="stream"); xa = r["ok"]
r = call("bind", "A", fd=xa, addr="192.0.2.2:99")
diverges("A bind 192.0.2.2:99 (B's address)", r, {"id": next_id, "err": "EADDRNOTAVAIL"}, {"id": next_id, "ok": 0})
check("a descriptor not held (-1) -> EBADF", call("close", "A", fd=-1) == {"id": next_id, "err": "EBADF"})

# threads: a blocking recv in t1 does not stop a send in t2; the recv answers after
rid = send("recv", "B", thread="t1", fd=cb, size=100)
time.sleep(0.3)
check("B recv in t1 blocks (no reply yet)", read_reply(0.2) is None)
sid = send("send", "B", thread="t2", fd=cb, data=b64(b"from t2"))
first = read_reply(3.0)
check("B send in t2 answers first", first == {"id": sid, "ok": 7})
check("A send world", call("send", "A", fd=ca, data=b64(b"world")) == {"id": next_id, "ok": 5})
r = wait(rid)
check("B recv in t1 answers after: world", ok(r) and base64.b64decode(r["ok"]["data"]) == b"world")
r = call("recv", "A", fd=ca, size=100)
check("A recv from t2", ok(r) and base64.b64decode(r["ok"]["data"]) == b"from t2")

# close
for host, fd in (("A", ca), ("B", cb), ("B", lb), ("A", ra), ("A", ua), ("B", ub), ("A", xa)):
    check("%s close %d" % (host, fd), call("close", host, fd=fd) == {"id": next_id, "ok": 0})
check("settle", ok(call("settle")))
r = call("sockets", "A")
check("A sockets after close: only TIME-WAIT left",
      ok(r) and all(x.get("state") == "TIME-WAIT" for x in r["ok"]))

driver.stdin.close()
t = time.monotonic()
try:
    code = driver.wait(timeout=2)
except subprocess.TimeoutExpired:
    code = None
    os.killpg(driver.pid, signal.SIGKILL)
check("driver exits within 1 s of end of input (code %s, %.2f s)" % (code, time.monotonic() - t),
      code == 0 and time.monotonic() - t < 1.0)
time.sleep(0.1)
try:
    os.killpg(driver.pid, 0)
    left = True
except ProcessLookupError:
    left = False
check("no process of the driver is left", not left)

# ---- IPv6 (capability "ipv6"): a second run whose hosts have addr6, 2001:db8::1 and ::2 ----
driver = subprocess.Popen(shlex.split(sys.argv[1]), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          start_new_session=True)
next_id, buffered, early = 0, b"", {}
r = call("hello", protocol=2, protocols=[1, 2],
         hosts=[{"name": "A", "addr": "192.0.2.1", "addr6": "2001:db8::1"},
                {"name": "B", "addr": "192.0.2.2", "addr6": "2001:db8::2"}],
         processes=[{"host": "A", "process": "p1"}, {"host": "B", "process": "p1"}],
         host="A", process="p1", addr="192.0.2.1")
check("hello with addr6: lists ipv6 and IPV6_V6ONLY",
      ok(r) and "ipv6" in r["ok"]["ops"] and "IPV6_V6ONLY" in r["ok"]["options"])

r = call("socket", "B", domain="inet6", type="stream"); lb6 = r["ok"]
check("B socket(inet6)", ok(r))
check("B getsockopt IPV6_V6ONLY 0",
      call("getsockopt", "B", fd=lb6, option="IPV6_V6ONLY") == {"id": next_id, "ok": {"value": 0}})
check("B getsockname [::]:0", call("getsockname", "B", fd=lb6) == {"id": next_id, "ok": "[::]:0"})
check("B bind [::]:80", call("bind", "B", fd=lb6, addr="[::]:80") == {"id": next_id, "ok": 0})
check("B listen", call("listen", "B", fd=lb6, backlog=5) == {"id": next_id, "ok": 0})

# A connects over IPv6
r = call("socket", "A", domain="inet6", type="stream"); ca6 = r["ok"]
check("A connect [2001:db8::2]:80", call("connect", "A", fd=ca6, addr="[2001:db8::2]:80") == {"id": next_id, "ok": 0})
r = call("getsockname", "A", fd=ca6)
check("A getsockname [2001:db8::1]:*", ok(r) and r["ok"].startswith("[2001:db8::1]:"))
p6 = r["ok"].rsplit(":", 1)[1] if ok(r) else "?"
r = call("accept", "B", fd=lb6)
check("B accept: peer [2001:db8::1]:%s" % p6, ok(r) and r["ok"]["peer"] == "[2001:db8::1]:" + p6)
cb6 = r["ok"]["fd"] if ok(r) else -1
check("A send six", call("send", "A", fd=ca6, data=b64(b"six")) == {"id": next_id, "ok": 3})
r = call("recv", "B", fd=cb6, size=100)
check("B recv six", ok(r) and base64.b64decode(r["ok"]["data"]) == b"six")

# A connects over IPv4 to the same dual-stack listener, from an INET6 socket (v4-mapped)
r = call("socket", "A", domain="inet6", type="stream"); cm = r["ok"]
check("A connect [::ffff:192.0.2.2]:80", call("connect", "A", fd=cm, addr="[::ffff:192.0.2.2]:80") == {"id": next_id, "ok": 0})
r = call("getsockname", "A", fd=cm)
check("A getsockname [::ffff:192.0.2.1]:*", ok(r) and r["ok"].startswith("[::ffff:192.0.2.1]:"))
pm = r["ok"].rsplit(":", 1)[1] if ok(r) else "?"
r = call("accept", "B", fd=lb6)
cbm = r["ok"]["fd"] if ok(r) else -1
diverges("B accept of an IPv4 connection on [::]", r,
         {"id": next_id, "ok": {"fd": cbm, "peer": "[::ffff:192.0.2.1]:" + pm}},
         {"id": next_id, "ok": {"fd": cbm, "peer": "192.0.2.1:" + pm}})
check("B getsockname of it [::ffff:192.0.2.2]:80",
      call("getsockname", "B", fd=cbm) == {"id": next_id, "ok": "[::ffff:192.0.2.2]:80"})

r = call("sockets", "B")
rows = r["ok"] if ok(r) else []
check("B sockets: tcp6 rows", ok(r) and
      {"proto": "tcp", "local": "[::]:80", "remote": None, "state": "LISTEN"} in rows and
      {"proto": "tcp", "local": "[2001:db8::2]:80", "remote": "[2001:db8::1]:" + p6, "state": "ESTABLISHED"} in rows and
      {"proto": "tcp", "local": "[::ffff:192.0.2.2]:80", "remote": "[::ffff:192.0.2.1]:" + pm, "state": "ESTABLISHED"} in rows)

# UDP: an INET sender, an INET6 receiver on [::]
r = call("socket", "B", domain="inet6", type="dgram"); ub6 = r["ok"]
check("B udp6 bind [::]:53", call("bind", "B", fd=ub6, addr="[::]:53") == {"id": next_id, "ok": 0})
r = call("socket", "A", domain="inet", type="dgram"); ua4 = r["ok"]
check("A udp bind 192.0.2.1:5353", call("bind", "A", fd=ua4, addr="192.0.2.1:5353") == {"id": next_id, "ok": 0})
check("A sendto 192.0.2.2:53", call("sendto", "A", fd=ua4, data=b64(b"v4"), addr="192.0.2.2:53") == {"id": next_id, "ok": 2})
r = call("recvfrom", "B", fd=ub6, size=100)
check("B recvfrom v4 from [::ffff:192.0.2.1]:5353",
      ok(r) and base64.b64decode(r["ok"]["data"]) == b"v4" and r["ok"]["from"] == "[::ffff:192.0.2.1]:5353")
check("an IPv6 address to an INET socket: the stack's answer",
      "err" in (call("sendto", "A", fd=ua4, data=b64(b"x"), addr="[2001:db8::2]:53") or {}))

# A closes first: its IPv4 connection of an INET6 socket stays in the table v4-mapped
check("A close the v4-mapped connection", call("close", "A", fd=cm) == {"id": next_id, "ok": 0})
t = time.monotonic()
check("settle", ok(call("settle")))
check("settle after IPv6 traffic is quick (%.3f s)" % (time.monotonic() - t), time.monotonic() - t < 0.5)
r = call("sockets", "A")
check("A sockets: the closing connection v4-mapped",
      ok(r) and any(x["local"] == "[::ffff:192.0.2.1]:" + pm and x["remote"] == "[::ffff:192.0.2.2]:80"
                    for x in r["ok"]))
driver.stdin.close()
try:
    code = driver.wait(timeout=2)
except subprocess.TimeoutExpired:
    code = None
    os.killpg(driver.pid, signal.SIGKILL)
check("IPv6 run: driver exits (code %s)" % code, code == 0)

print("smoke: %s" % ("PASS" if failures == 0 else "%d FAILED" % failures))
sys.exit(1 if failures else 0)
PY
