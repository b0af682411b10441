"""A driver of protocol 2 for ProtocolTwoTest: a network of its own, descriptor numbers of its own.

It plays no stack: sockets are numbers from 100 on, a bind succeeds on the
host's own address or the wildcard and fails with EADDRNOTAVAIL on any
other, setsockopt is unsupported, and the tables are empty. It lists ipv6: an
IPv6 bind ("[ip6]:port") is judged the same way against the host's addr6.
It exits with 9 when a hello does not give its hosts addresses of
192.0.2.0/24 (and of 2001:db8::/32, when it gives addr6).
"""
import json
import sys

hosts = {}
hosts6 = {}
held = {}  # "A.p1" -> set of numbers
next_fd = [100]


def reply(rid, **kw):
    kw["id"] = rid
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    req = json.loads(line)
    op, a, rid = req["op"], req.get("args", {}), req["id"]
    proc = "%s.%s" % (req.get("host"), req.get("process"))
    if op == "hello":
        for h in a.get("hosts", []):
            if not h["addr"].startswith("192.0.2."):
                sys.exit(9)
            hosts[h["name"]] = h["addr"]
            if "addr6" in h:
                if not h["addr6"].startswith("2001:db8::"):
                    sys.exit(9)
                hosts6[h["name"]] = h["addr6"]
        reply(rid, ok={"protocol": 2, "name": "own-network-test", "network": "own", "fds": "own",
                       "ops": ["socket", "bind", "close", "setsockopt", "sockets", "settle", "ipv6"]})
    elif op == "settle":
        reply(rid, ok=0)
    elif op == "socket":
        fd = next_fd[0]
        next_fd[0] += 1
        held.setdefault(proc, set()).add(fd)
        reply(rid, ok=fd)
    elif op in ("bind", "close", "setsockopt") and a["fd"] not in held.get(proc, set()):
        reply(rid, err="EBADF")
    elif op == "bind":
        ip = a["addr"].rsplit(":", 1)[0]
        own = ("0.0.0.0", hosts[req["host"]], "[::]", "[%s]" % hosts6.get(req["host"]))
        reply(rid, **({"ok": 0} if ip in own else {"err": "EADDRNOTAVAIL"}))
    elif op == "close":
        held[proc].discard(a["fd"])
        reply(rid, ok=0)
    elif op == "setsockopt":
        reply(rid, unsupported="this test driver has no options")
    elif op == "sockets":
        reply(rid, ok=[])
    else:
        reply(rid, err="EINVAL")
