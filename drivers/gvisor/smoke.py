#!/usr/bin/env python3
"""Smoke test of the gVisor netstack driver: a fixed conversation of driver
protocol version 2 requests, each reply checked. Usage: smoke.py DRIVER.
Prints each exchange; exits 1 at the first mismatch, 0 when all pass."""
import base64
import json
import queue
import subprocess
import sys
import threading
import time

B64 = lambda s: base64.b64encode(s.encode()).decode()


class Driver:
    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.replies = queue.Queue()
        self.pending = {}
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.replies.put(json.loads(line))
        self.replies.put(None)

    def send(self, op, on=None, thread="t1", proc="p1", extra=None, **args):
        """A request of host on's process proc and thread (none for hello and settle); extra: more args."""
        rid = self.next_id
        self.next_id += 1
        args.update(extra or {})
        req = {"id": rid, "op": op, "args": args}
        if on:
            req.update(host=on, process=proc, thread=thread)
        line = json.dumps(req)
        print("> " + line)
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return rid

    def wait(self, rid, timeout=5.0):
        deadline = time.monotonic() + timeout
        while rid not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                fail("no reply to request %d within %.1fs" % (rid, timeout))
            try:
                r = self.replies.get(timeout=left)
            except queue.Empty:
                continue
            if r is None:
                fail("the driver exited (request %d pending)" % rid)
            print("< " + json.dumps(r))
            self.pending[r["id"]] = r
        return self.pending.pop(rid)

    def none_within(self, seconds):
        """No reply arrives within seconds (a call that blocks)."""
        try:
            r = self.replies.get(timeout=seconds)
        except queue.Empty:
            return
        if r is not None:
            print("< " + json.dumps(r))
        fail("unexpected reply while a call should block: %r" % (r,))

    def call(self, op, on=None, **kw):
        return self.wait(self.send(op, on, **kw))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(reply, expected=None, what=""):
    if "ok" not in reply:
        fail("%s: expected ok%s, got %s" % (what, "" if expected is None else " " + json.dumps(expected), json.dumps(reply)))
    if expected is not None and reply["ok"] != expected:
        fail("%s: expected ok %s, got %s" % (what, json.dumps(expected), json.dumps(reply)))
    return reply["ok"]


def err(reply, name, what=""):
    if reply.get("err") != name:
        fail("%s: expected err %s, got %s" % (what, name, json.dumps(reply)))


def end(d):
    """Closes the driver's stdin: it must exit within a second, also with a call still blocked."""
    d.p.stdin.close()
    try:
        d.p.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        d.p.kill()
        fail("the driver did not exit within 1 s of stdin closing")


def udp_exchange(d, domain, at_b, from_a):
    """A datagram from A to B's socket bound at at_b, B's answer to its sender; returns B's socket.

    The sender B sees starts with from_a (A's address; its port is the stack's)."""
    ua = ok(d.call("socket", "A", domain=domain, type="dgram"), what="A %s udp socket" % domain)
    ub = ok(d.call("socket", "B", domain=domain, type="dgram"), what="B %s udp socket" % domain)
    ok(d.call("bind", "B", fd=ub, addr=at_b), 0, "B udp bind")
    ok(d.call("sendto", "A", fd=ua, data=B64("ping"), addr=at_b), 4, "A sendto")
    got = ok(d.call("recvfrom", "B", fd=ub, size=100), what="B recvfrom")
    if got["data"] != B64("ping") or not got["from"].startswith(from_a):
        fail("B recvfrom: %s" % json.dumps(got))
    ok(d.call("sendto", "B", fd=ub, data=B64("pong"), addr=got["from"]), 4, "B sendto")
    ok(d.call("recvfrom", "A", fd=ua, size=100), {"data": B64("pong"), "from": at_b}, "A recvfrom")
    return ub


def has_row(rows, what, **want):
    for r in rows:
        if all(r.get(k) == v for k, v in want.items()):
            return r
    fail("%s: no row with %s in %s" % (what, json.dumps(want), json.dumps(rows)))


def main():
    d = Driver(sys.argv[1:])
    hosts = [{"name": "A", "addr": "192.0.2.1"}, {"name": "B", "addr": "192.0.2.2"}]
    hello = ok(d.call("hello", protocol=2, protocols=[1, 2], hosts=hosts,
                      processes=[{"host": "A", "process": "p1"}, {"host": "B", "process": "p1"}],
                      extra={"host": "A", "process": "p1", "addr": "192.0.2.1"}), what="hello")
    if hello.get("protocol") != 2 or hello.get("network") != "own" or hello.get("fds") != "own":
        fail("hello: %s" % json.dumps(hello))
    for op in ("socket", "threads", "settle", "sockets", "dup", "fork", "poll", "fcntl"):
        if op not in hello["ops"]:
            fail("hello: %s not offered" % op)

    # B listens on 192.0.2.2:80; A connects; B accepts; data A -> B.
    lst = ok(d.call("socket", "B", domain="inet", type="stream"), what="B socket")
    ok(d.call("bind", "B", fd=lst, addr="192.0.2.2:80"), 0, "B bind")
    ok(d.call("listen", "B", fd=lst, backlog=5), 0, "B listen")
    c = ok(d.call("socket", "A", domain="inet", type="stream"), what="A socket")
    ok(d.call("connect", "A", fd=c, addr="192.0.2.2:80"), 0, "A connect")
    ok(d.call("settle"), 0, "settle")
    acc = ok(d.call("accept", "B", fd=lst), what="B accept")
    if not acc["peer"].startswith("192.0.2.1:"):
        fail("accept peer %s" % acc["peer"])
    s = acc["fd"]
    ok(d.call("send", "A", fd=c, data=B64("hello")), 5, "A send")
    ok(d.call("recv", "B", fd=s, size=100), {"data": B64("hello")}, "B recv")
    ok(d.call("settle"), 0, "settle")
    local_a = ok(d.call("getsockname", "A", fd=c), what="A getsockname")
    rows_a = ok(d.call("sockets", "A"), what="A sockets")
    has_row(rows_a, "A sockets", proto="tcp", local=local_a, remote="192.0.2.2:80", state="ESTABLISHED")
    rows_b = ok(d.call("sockets", "B"), what="B sockets")
    has_row(rows_b, "B sockets", proto="tcp", local="192.0.2.2:80", remote=None, state="LISTEN")
    has_row(rows_b, "B sockets", proto="tcp", local="192.0.2.2:80", remote=local_a, state="ESTABLISHED")

    # No listener: refused.
    r = ok(d.call("socket", "A", domain="inet", type="stream"), what="A socket")
    err(d.call("connect", "A", fd=r, addr="192.0.2.2:81"), "ECONNREFUSED", "connect to a closed port")

    # UDP between the hosts.
    udp_exchange(d, "inet", "192.0.2.2:53", "192.0.2.1:")
    has_row(ok(d.call("sockets", "B"), what="B sockets"), "B sockets", proto="udp", local="192.0.2.2:53", remote=None)

    # A cannot bind B's address.
    x = ok(d.call("socket", "A", domain="inet", type="stream"), what="A socket")
    err(d.call("bind", "A", fd=x, addr="192.0.2.2:9000"), "EADDRNOTAVAIL", "bind to B's address on A")

    # dup and close: the dup keeps the connection; closing both ends it.
    dup = ok(d.call("dup", "A", fd=c), what="A dup")
    if dup == c:
        fail("dup gave the same descriptor")
    ok(d.call("close", "A", fd=c), 0, "A close original")
    ok(d.call("send", "A", fd=dup, data=B64("dup!")), 4, "A send on dup")
    ok(d.call("recv", "B", fd=s, size=100), {"data": B64("dup!")}, "B recv from dup")
    ok(d.call("close", "A", fd=dup), 0, "A close dup")
    err(d.call("close", "A", fd=dup), "EBADF", "A close again")
    err(d.call("send", "A", fd=-1, data=B64("x")), "EBADF", "send on -1")
    ok(d.call("recv", "B", fd=s, size=100), {"data": ""}, "B recv after the peer closed")

    # Threads: a blocking recv in A.p1.t1 does not stop A.p1.t2's send.
    c2 = ok(d.call("socket", "A", domain="inet", type="stream"), what="A socket")
    ok(d.call("connect", "A", fd=c2, addr="192.0.2.2:80"), 0, "A connect 2")
    s2 = ok(d.call("accept", "B", fd=lst), what="B accept 2")["fd"]
    blocked = d.send("recv", "A", thread="t1", fd=c2, size=100)
    d.none_within(0.3)
    ok(d.wait(d.send("send", "A", thread="t2", fd=c2, data=B64("t2"))), 2, "A.t2 send while t1 waits")
    ok(d.call("recv", "B", fd=s2, size=100), {"data": B64("t2")}, "B recv from t2")
    ok(d.call("send", "B", fd=s2, data=B64("back")), 4, "B send")
    ok(d.wait(blocked), {"data": B64("back")}, "A.t1 recv returns")

    # Non-blocking and poll.
    ok(d.call("fcntl", "A", fd=c2, nonblock=True), 0, "fcntl")
    err(d.call("recv", "A", fd=c2, size=10), "EAGAIN", "non-blocking recv")
    pr = ok(d.call("poll", "A", fds=[{"fd": c2, "events": ["in", "out"]}, {"fd": -1, "events": ["in"]}], timeout=0),
            what="poll")
    if pr["revents"] != [["out"], ["nval"]]:
        fail("poll: %s" % json.dumps(pr))

    # Ending: a blocked call does not keep the driver alive.
    d.send("recv", "B", thread="t3", fd=s2, size=100)
    time.sleep(0.1)
    start = time.monotonic()
    end(d)
    print("# driver exited %d, %.0f ms after stdin closed" % (d.p.returncode, (time.monotonic() - start) * 1000))
    ipv6(sys.argv[1:])
    print("PASS")


def ipv6(cmd):
    """A run with IPv6 calls: hosts with addr6, INET6 sockets between the hosts, dual stack."""
    d = Driver(cmd)
    hosts = [{"name": "A", "addr": "192.0.2.1", "addr6": "2001:db8::1"},
             {"name": "B", "addr": "192.0.2.2", "addr6": "2001:db8::2"}]
    hello = ok(d.call("hello", protocol=2, protocols=[1, 2], hosts=hosts,
                      processes=[{"host": "A", "process": "p1"}, {"host": "B", "process": "p1"}],
                      extra={"host": "A", "process": "p1", "addr": "192.0.2.1"}), what="hello")
    if "ipv6" not in hello["ops"]:
        fail("hello: ipv6 not offered")
    # The stacks send nothing of their own (no DAD, router solicitation, MLD): settle is quick.
    start = time.monotonic()
    ok(d.call("settle"), 0, "settle")
    if time.monotonic() - start > 0.2:
        fail("settle after hello took %.0f ms" % ((time.monotonic() - start) * 1000))

    # B listens on [::]:80 (dual stack); A connects over IPv6, then over IPv4.
    lst = ok(d.call("socket", "B", domain="inet6", type="stream"), what="B socket inet6")
    ok(d.call("getsockopt", "B", fd=lst, option="SO_DOMAIN"), {"value": "INET6"}, "SO_DOMAIN")
    ok(d.call("getsockopt", "B", fd=lst, option="IPV6_V6ONLY"), {"value": 0}, "IPV6_V6ONLY")
    ok(d.call("getsockname", "B", fd=lst), "[::]:0", "B getsockname of a new socket")
    ok(d.call("bind", "B", fd=lst, addr="[::]:80"), 0, "B bind [::]:80")
    ok(d.call("listen", "B", fd=lst, backlog=5), 0, "B listen")
    c6 = ok(d.call("socket", "A", domain="inet6", type="stream"), what="A socket inet6")
    ok(d.call("connect", "A", fd=c6, addr="[2001:db8::2]:80"), 0, "A connect over IPv6")
    local6 = ok(d.call("getsockname", "A", fd=c6), what="A getsockname")
    if not local6.startswith("[2001:db8::1]:"):
        fail("A getsockname %s" % local6)
    acc = ok(d.call("accept", "B", fd=lst), what="B accept")
    if acc["peer"] != local6:
        fail("accept peer %s, A is %s" % (acc["peer"], local6))
    ok(d.call("send", "A", fd=c6, data=B64("six")), 3, "A send")
    ok(d.call("recv", "B", fd=acc["fd"], size=100), {"data": B64("six")}, "B recv")
    c4 = ok(d.call("socket", "A", domain="inet", type="stream"), what="A socket inet")
    ok(d.call("connect", "A", fd=c4, addr="192.0.2.2:80"), 0, "A connect over IPv4")
    local4 = ok(d.call("getsockname", "A", fd=c4), what="A getsockname")
    acc4 = ok(d.call("accept", "B", fd=lst), what="B accept")
    if acc4["peer"] != "[::ffff:%s]:%s" % tuple(local4.split(":")):
        fail("accept peer %s, A is %s" % (acc4["peer"], local4))
    ok(d.call("getsockname", "B", fd=acc4["fd"]), "[::ffff:192.0.2.2]:80", "B getsockname v4-mapped")
    rows = ok(d.call("sockets", "B"), what="B sockets")
    has_row(rows, "B sockets", proto="tcp", local="[::]:80", remote=None, state="LISTEN")
    has_row(rows, "B sockets", proto="tcp", local="[2001:db8::2]:80", remote=local6, state="ESTABLISHED")
    has_row(rows, "B sockets", proto="tcp", local="[::ffff:192.0.2.2]:80", remote=acc4["peer"], state="ESTABLISHED")
    has_row(ok(d.call("sockets", "A"), what="A sockets"), "A sockets", proto="tcp", local=local4,
            remote="192.0.2.2:80", state="ESTABLISHED")

    # UDP over IPv6 between the hosts.
    udp_exchange(d, "inet6", "[2001:db8::2]:53", "[2001:db8::1]:")

    # Addresses of the other family, A binding B's IPv6 address, options.
    x = ok(d.call("socket", "A", domain="inet", type="stream"), what="A socket")
    err(d.call("bind", "A", fd=x, addr="[::]:0"), "EAFNOSUPPORT", "INET bind to an IPv6 address")
    err(d.call("setsockopt", "A", fd=x, option="IPV6_V6ONLY", value=1), "ENOPROTOOPT", "IPV6_V6ONLY on INET")
    y = ok(d.call("socket", "A", domain="inet6", type="stream"), what="A socket inet6")
    err(d.call("bind", "A", fd=y, addr="192.0.2.1:0"), "EINVAL", "INET6 bind to a sockaddr_in")
    err(d.call("bind", "A", fd=y, addr="[2001:db8::2]:0"), "EADDRNOTAVAIL", "bind to B's IPv6 address on A")
    ok(d.call("setsockopt", "A", fd=y, option="IPV6_V6ONLY", value=1), 0, "IPV6_V6ONLY")
    ok(d.call("getsockopt", "A", fd=y, option="IPV6_V6ONLY"), {"value": 1}, "IPV6_V6ONLY read back")
    end(d)


if __name__ == "__main__":
    main()
