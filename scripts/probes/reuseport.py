#!/usr/bin/env python3
"""Probe Linux SO_REUSEADDR / SO_REUSEPORT bind/listen rules on IPv4 loopback.

Loopback only (127.0.0.0/8 and 0.0.0.0 wildcard binds); numeric addresses only,
no name resolution. Every socket is closed; every wait is bounded.
Result notation: "0" = success, otherwise the errno name; "-" = not attempted.
"""
import errno
import os
import select
import socket
import struct
import sys
import time

SO_REUSEPORT = getattr(socket, "SO_REUSEPORT", 15)
OPTS = {"none": (0, 0), "RA": (1, 0), "RP": (0, 1), "RA+RP": (1, 1)}
OPT_ORDER = ["none", "RA", "RP", "RA+RP"]
ADDR_PAIRS = [
    ("127.0.0.1", "127.0.0.1"),   # same specific
    ("0.0.0.0", "127.0.0.1"),     # wildcard first, specific second
    ("127.0.0.1", "0.0.0.0"),     # specific first, wildcard second
    ("0.0.0.0", "0.0.0.0"),       # wildcard vs wildcard
    ("127.0.0.1", "127.0.0.2"),   # control: different specific addresses
]
TIMEOUT = 1.0
OPEN = []  # every socket we create, so we can close all at the end


def sock(kind):
    t = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, t)
    s.settimeout(TIMEOUT)
    OPEN.append(s)
    return s


def close(*ss):
    for s in ss:
        if s is None:
            continue
        try:
            if s.type == socket.SOCK_STREAM:
                # RST on close: no TIME_WAIT left in the port's bind bucket
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        s.close()


def close_all():
    for s in OPEN:
        close(s)
    OPEN.clear()


def r(fn, *a):
    try:
        fn(*a)
        return "0"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def setopts(s, name):
    ra, rp = OPTS[name]
    if ra:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rp:
        s.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, 1)


def free_port(kind):
    """A port currently unused on 0.0.0.0 for this protocol (bind :0, close)."""
    s = sock(kind)
    s.bind(("0.0.0.0", 0))
    p = s.getsockname()[1]
    close(s)
    return p


def new_bound(kind, opts, addr, port):
    s = sock(kind)
    setopts(s, opts)
    return s, r(s.bind, (addr, port))


# ---------------------------------------------------------------- bind matrix
def matrix(kind, s1_state):
    """s1_state: 'bound' (udp, or tcp not listening) or 'listening' (tcp)."""
    rows = []
    for a1, a2 in ADDR_PAIRS:
        for o1 in OPT_ORDER:
            for o2 in OPT_ORDER:
                p = free_port(kind)
                s1, b1 = new_bound(kind, o1, a1, p)
                assert b1 == "0", (kind, a1, o1, b1)
                if s1_state == "listening":
                    assert r(s1.listen, 8) == "0"
                s2, b2 = new_bound(kind, o2, a2, p)
                l2 = l1 = "-"
                if kind == "tcp" and b2 == "0":
                    l2 = r(s2.listen, 8)
                    if s1_state == "bound":
                        l1 = r(s1.listen, 8)  # s1 listens after s2 tried
                rows.append((a1, a2, o1, o2, b2, l2, l1))
                close(s1, s2)
    return rows


def print_matrix(title, rows, kind, s1_state):
    print(f"\n== {title}")
    if kind == "udp":
        print("cells: bind(s2)")
    elif s1_state == "bound":
        print("cells: bind(s2)/listen(s2)/then listen(s1)   ('-' = not attempted)")
    else:
        print("cells: bind(s2)/listen(s2)   (s1 already listening)")
    for a1, a2 in ADDR_PAIRS:
        print(f"-- s1={a1}  s2={a2}; rows=s1 opts, cols=s2 opts")
        print(f"{'':8}" + "".join(f"{o:>28}" for o in OPT_ORDER))
        for o1 in OPT_ORDER:
            cells = []
            for row in rows:
                if row[:3] == (a1, a2, o1):
                    b2, l2, l1 = row[4:]
                    if kind == "udp":
                        cells.append(b2)
                    elif s1_state == "bound":
                        cells.append(f"{b2}/{l2}/{l1}")
                    else:
                        cells.append(f"{b2}/{l2}")
            print(f"{o1:8}" + "".join(f"{c:>28}" for c in cells))


# --------------------------------------------- TCP: s1 is a connected socket
def tcp_connected_cases():
    print("\n== TCP (c) port held only by a connected socket; s2 binds that port")
    print("cells: bind(s2)/listen(s2)")
    for variant in ("accepted", "client"):
        for a2 in ("127.0.0.1", "0.0.0.0"):
            print(f"-- holder={variant} socket on 127.0.0.1:P, s2={a2}:P; "
                  f"rows=holder opts (listener's opts if accepted), cols=s2 opts")
            print(f"{'':8}" + "".join(f"{o:>16}" for o in OPT_ORDER))
            for o1 in OPT_ORDER:
                cells = []
                for o2 in OPT_ORDER:
                    if variant == "accepted":
                        p = free_port("tcp")
                        L, b = new_bound("tcp", o1, "127.0.0.1", p)
                        assert b == "0"
                        L.listen(8)
                        c = sock("tcp")
                        c.connect(("127.0.0.1", p))
                        holder, _ = L.accept()
                        OPEN.append(holder)
                        close(L)          # only the accepted socket holds P now
                        extra = [c]
                    else:
                        q = free_port("tcp")
                        srv, b = new_bound("tcp", "none", "127.0.0.1", q)
                        srv.listen(8)
                        p = free_port("tcp")
                        holder, b = new_bound("tcp", o1, "127.0.0.1", p)
                        assert b == "0"
                        holder.connect(("127.0.0.1", q))
                        acc, _ = srv.accept()
                        OPEN.append(acc)
                        extra = [srv, acc]
                    s2, b2 = new_bound("tcp", o2, a2, p)
                    l2 = r(s2.listen, 8) if b2 == "0" else "-"
                    cells.append(f"{b2}/{l2}")
                    close(s2, holder, *extra)
                print(f"{o1:8}" + "".join(f"{c:>16}" for c in cells))


# -------------------------------------------------- delivery / distribution
def udp_delivery(a1, a2, o1, o2, n=40, s1_mutator=None):
    p = free_port("udp")
    s1, b1 = new_bound("udp", o1, a1, p)
    if s1_mutator:
        s1_mutator(s1)
    s2, b2 = new_bound("udp", o2, a2, p)
    if b1 != "0" or b2 != "0":
        close(s1, s2)
        return f"bind s1={b1} s2={b2}; no delivery test"
    for s in (s1, s2):
        s.setblocking(False)
    hist = {0: 0, 1: 0, 2: 0}
    per = [0, 0]
    for i in range(n):
        tx = sock("udp")  # fresh sender => fresh ephemeral source port
        tx.sendto(b"x%d" % i, ("127.0.0.1", p))
        tally((s1, s2), lambda s: s.recv(64), hist, per)
        close(tx)
    close(s1, s2)
    return (f"{n} datagrams: exactly-one={hist[1]} none={hist[0]} two+={hist[2]}; "
            f"s1 got {per[0]}, s2 got {per[1]}")


def tally(socks, take, hist, per):
    """Waits (bounded) for what one message brought, takes all of it from each socket (take raises
    BlockingIOError when a non-blocking socket has nothing), and counts how many sockets it reached."""
    select.select(list(socks), [], [], TIMEOUT)
    time.sleep(0.02)
    got = 0
    for k, s in enumerate(socks):
        try:
            while True:
                take(s)
                got += 1
                per[k] += 1
        except BlockingIOError:
            pass
    hist[min(got, 2)] += 1


def accept_and_close(s):
    a, _ = s.accept()
    OPEN.append(a)
    close(a)


def tcp_delivery(a1, a2, o1, o2, n=40, s1_mutator=None, listen1_first=True):
    p = free_port("tcp")
    s1, b1 = new_bound("tcp", o1, a1, p)
    l1 = r(s1.listen, 8) if listen1_first else "-"
    if s1_mutator:
        s1_mutator(s1)
    s2, b2 = new_bound("tcp", o2, a2, p)
    l2 = r(s2.listen, 8) if b2 == "0" else "-"
    if not listen1_first:
        l1 = r(s1.listen, 8)
    if "0" != b2 or l1 != "0" or l2 != "0":
        close(s1, s2)
        return f"bind2={b2} listen1={l1} listen2={l2}; no distribution test"
    for s in (s1, s2):
        s.setblocking(False)
    hist = {0: 0, 1: 0, 2: 0}
    per = [0, 0]
    for i in range(n):
        c = sock("tcp")
        c.connect(("127.0.0.1", p))
        tally((s1, s2), accept_and_close, hist, per)
        close(c)
    close(s1, s2)
    return (f"{n} connects: exactly-one={hist[1]} none={hist[0]} two+={hist[2]}; "
            f"s1 accepted {per[0]}, s2 accepted {per[1]}")


# ------------------------------------------ option changed after bind(s1)
def set_rp(v):
    return lambda s: s.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, v)


def after_bind_cases():
    print("\n== SO_REUSEPORT changed on s1 AFTER its bind (both on 127.0.0.1:P)")
    # UDP
    for label, o1, mut in (("s1 none, then RP set after bind", "none", set_rp(1)),
                           ("s1 RP, then RP cleared after bind", "RP", set_rp(0))):
        for o2 in ("RP", "none"):
            print(f"UDP  {label}; s2 {o2}: " + udp_delivery("127.0.0.1", "127.0.0.1", o1, o2, n=20, s1_mutator=mut))
    # TCP, s1 not listening (s1 listens after s2)
    for label, o1, mut in (("s1 none, then RP set after bind", "none", set_rp(1)),
                           ("s1 RP, then RP cleared after bind", "RP", set_rp(0))):
        for o2 in ("RP", "none"):
            print(f"TCP  {label} (s1 not yet listening; s2 listens, then s1); s2 {o2}: "
                  + tcp_delivery("127.0.0.1", "127.0.0.1", o1, o2, n=20, s1_mutator=mut, listen1_first=False))
            print(f"TCP  {label} + s1 listening before change; s2 {o2}: "
                  + tcp_delivery("127.0.0.1", "127.0.0.1", o1, o2, n=20, s1_mutator=mut, listen1_first=True))


# ------------------------------------------------------------------ 3 sockets
def seq(kind, steps):
    """steps: list of ('bind', opts) | ('close', idx). Returns list of bind results."""
    p = free_port(kind)
    socks, out = [], []
    for st in steps:
        if st[0] == "bind":
            s, b = new_bound(kind, st[1], "127.0.0.1", p)
            socks.append(s)
            out.append(f"bind[{st[1]}]={b}")
        elif st[0] == "listen":
            out.append(f"listen(s{st[1]+1})=" + (r(socks[st[1]].listen, 8) if kind == "tcp" else "n/a"))
        else:
            close(socks[st[1]])
            out.append(f"close(s{st[1]+1})")
    close(*socks)
    return ", ".join(out)


def sequence_cases():
    print("\n== multi-socket sequences on 127.0.0.1:P (gVisor UDP tests + order variants)")
    S = [
        ("BindReuseAddrThenReusePort", [("bind", "RA"), ("bind", "RP")]),
        ("BindReusePortThenReuseAddr", [("bind", "RP"), ("bind", "RA")]),
        ("ConvertibleToReusePort", [("bind", "RA+RP"), ("bind", "RP"), ("bind", "RA")]),
        ("ConvertibleToReuseAddr", [("bind", "RA+RP"), ("bind", "RA"), ("bind", "RP")]),
        ("ConversionReversable1", [("bind", "RA+RP"), ("bind", "RP"), ("close", 1), ("bind", "RA")]),
        ("ConversionReversable2", [("bind", "RA+RP"), ("bind", "RA"), ("close", 1), ("bind", "RP")]),
        ("DoubleReuseAddrReusePortThenReusePort", [("bind", "RA+RP"), ("bind", "RA+RP"), ("bind", "RP")]),
        ("DoubleReuseAddrReusePortThenReuseAddr", [("bind", "RA+RP"), ("bind", "RA+RP"), ("bind", "RA")]),
        ("order variant A: RA, RA+RP, RP", [("bind", "RA"), ("bind", "RA+RP"), ("bind", "RP")]),
        ("order variant B: RP, RA+RP, RA", [("bind", "RP"), ("bind", "RA+RP"), ("bind", "RA")]),
        ("order variant A + listens: RA, RA+RP, RP, listen s3, listen s1",
         [("bind", "RA"), ("bind", "RA+RP"), ("bind", "RP"), ("listen", 2), ("listen", 0)]),
        ("order variant C: RA, RA+RP, close(s2), RP",
         [("bind", "RA"), ("bind", "RA+RP"), ("close", 1), ("bind", "RP")]),
        ("order variant E: RA, RA+RP, RA+RP, RP",
         [("bind", "RA"), ("bind", "RA+RP"), ("bind", "RA+RP"), ("bind", "RP")]),
        ("NoReusePortFollowingReusePort", [("bind", "RP"), ("close", 0), ("bind", "none")]),
    ]
    for kind in ("udp", "tcp"):
        for name, steps in S:
            print(f"{kind.upper()}  {name}: {seq(kind, steps)}")


# -------------------------------------------------------- gVisor PortReuseTwoSockets
def port_reuse_two_sockets():
    print("\n== PortReuseTwoSockets replica (s1 RP=i%2, TCP listens; s2 RP=j%2, j<4)")
    for kind in ("udp", "tcp"):
        p = 0
        out = []
        for i in range(2):
            s1 = sock(kind)
            s1.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, i % 2)
            b1 = r(s1.bind, ("127.0.0.1", p))
            p = s1.getsockname()[1]
            if kind == "tcp":
                s1.listen(1)
            for j in range(4):
                s2 = sock(kind)
                s2.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, j % 2)
                out.append(f"({i%2},{j%2})->{r(s2.bind, ('127.0.0.1', p))}")
                close(s2)
            out.append(f"[s1 bind={b1}]")
            close(s1)
        print(f"{kind.upper()}: " + " ".join(out))


# ------------------------------------------------------------------ other uid
def other_uid_cases():
    print("\n== effective UID: s1 (root, RP) on 127.0.0.1:P; s2 created by uid 65534 (RP) in a forked child")
    for kind, listen1 in (("udp", False), ("tcp", False), ("tcp", True)):
        p = free_port(kind)
        s1, b1 = new_bound(kind, "RP", "127.0.0.1", p)
        if listen1:
            s1.listen(8)
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(rfd)
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
                t = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
                s = socket.socket(socket.AF_INET, t)
                s.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, 1)
                res = r(s.bind, ("127.0.0.1", p))
                s.close()
                os.write(wfd, res.encode())
            finally:
                os._exit(0)
        os.close(wfd)
        ready, _, _ = select.select([rfd], [], [], 5)
        res = os.read(rfd, 64).decode() if ready else "TIMEOUT"
        os.close(rfd)
        os.waitpid(pid, 0)
        close(s1)
        print(f"{kind.upper()} (s1 {'listening' if listen1 else 'bound'}): uid-65534 RP bind -> {res}")
    # same uid control
    for kind in ("udp", "tcp"):
        p = free_port(kind)
        s1, _ = new_bound(kind, "RP", "127.0.0.1", p)
        s2, b2 = new_bound(kind, "RP", "127.0.0.1", p)
        close(s1, s2)
        print(f"{kind.upper()} control, same uid (root) RP bind -> {b2}")


def main():
    print(f"kernel {os.uname().release}; euid {os.geteuid()}; "
          f"RA=SO_REUSEADDR RP=SO_REUSEPORT, both set before bind unless stated")
    try:
        print_matrix("UDP: s1 bound; s2 binds same port", matrix("udp", "bound"), "udp", "bound")
        print_matrix("TCP (a): s1 bound, NOT listening; s2 binds same port",
                     matrix("tcp", "bound"), "tcp", "bound")
        print_matrix("TCP (b): s1 bound AND listening; s2 binds same port",
                     matrix("tcp", "listening"), "tcp", "listening")
        tcp_connected_cases()
        after_bind_cases()
        sequence_cases()
        port_reuse_two_sockets()
        other_uid_cases()
        print("\n== delivery")
        for a1, a2 in (("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "0.0.0.0"), ("0.0.0.0", "127.0.0.1")):
            print(f"UDP RP+RP  s1={a1} s2={a2}: " + udp_delivery(a1, a2, "RP", "RP"))
        print("UDP RA+RP both sockets 127.0.0.1: " + udp_delivery("127.0.0.1", "127.0.0.1", "RA+RP", "RA+RP"))
        print("UDP RA only, both 127.0.0.1: " + udp_delivery("127.0.0.1", "127.0.0.1", "RA", "RA"))
        for a1, a2 in (("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "0.0.0.0"), ("0.0.0.0", "127.0.0.1")):
            print(f"TCP RP+RP listeners s1={a1} s2={a2}: " + tcp_delivery(a1, a2, "RP", "RP"))
    finally:
        close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
