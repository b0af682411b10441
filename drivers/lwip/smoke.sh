#!/bin/sh
# Smoke test of the lwIP driver without Maven: builds it (unless DRIVER is set), plays a
# fixed conversation over two hosts A (192.0.2.1) and B (192.0.2.2) and checks every reply.
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

print("smoke: %s" % ("PASS" if failures == 0 else "%d FAILED" % failures))
sys.exit(1 if failures else 0)
PY
