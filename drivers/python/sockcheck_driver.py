#!/usr/bin/env python3
"""A sockcheck driver over CPython's socket module: driver protocol versions 1 and 2.

The runner speaks JSON Lines on stdin/stdout (docs/driver-protocol.md).

Version 1 (`--protocol 1`, or a hello that does not offer protocol 2): the
runner starts one driver per modelled process. This driver is then
single-threaded: it answers each request before reading the next.

Version 2 (a hello whose "protocols" list 2): one driver process holds every
host and process of a trace. Its descriptors are the kernel's, of this one
Python process ("fds":"own"); each modelled process has a set of its own, and
a descriptor not in the requesting process's set is answered EBADF, never
used. Each modelled thread (host.process.thread) runs its requests, in order,
in a Python thread of its own, so a call that blocks in one thread does not
stop another. fork gives the child os.dup copies of the parent's descriptors.

Several modelled hosts share this machine's kernel, each on a loopback
address of its own, given in "hello" as "addr" (version 2: "hosts"). So that
the kernel treats them as separate machines, a wildcard bind binds the
host's address, and a socket that the kernel would bind implicitly (connect,
sendto, listen on an unbound socket, send on an unbound datagram socket) is
first bound to the host's address with port 0. Where Linux would have kept
the wildcard address (bind to 0.0.0.0, sendto, send, listen, and after a
refused connect), the socket is reported with 0.0.0.0.

IPv6 (version 2, "ipv6"): the runner starts the driver of an IPv6 trace in a
network namespace of the run's own, where its one host is alone (hello's
"netns"), 127.0.0.1 and the IPv6 address "addr6": addresses are then used as
they are, with none of the rules above. An address of the other family than
the socket's is passed to the kernel as it is (a sockaddr built here), so the
kernel's own answer comes back. With "ipv6-hosts", an IPv6 trace of several
hosts has a namespace per host (each host's "netns", a path to open): a
thread joins its host's namespace (setns(2)) before it makes a socket, and
each host's table is read in its namespace.
"""
import argparse
import base64
import ctypes
import errno
import json
import fcntl
import itertools
import os
import queue
import select
import socket
import struct
import sys
import threading
import time
import traceback

PROTOCOL = 1
LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000  # sched.h: setns(2)'s type of a network namespace
OPS = ["socket", "bind", "listen", "connect", "accept", "send", "recv", "sendto",
       "recvfrom", "shutdown", "close", "getsockname", "getpeername", "setsockopt",
       "dup", "exit", "sockets", "fcntl", "getsockopt", "recv-flags", "poll", "read", "write",
       "connect-unspec", "recv-trunc"]
# IPv6 literals the driver may be given besides the host's own (hello's addr6): the wildcard, ::1, and the
# v4-mapped form of loopback's addresses
V6_LOOPBACK = ("::", "::1")
MSG_FLAGS = {"peek": socket.MSG_PEEK, "dontwait": socket.MSG_DONTWAIT, "waitall": socket.MSG_WAITALL,
             "trunc": socket.MSG_TRUNC}
SOCKOPTS = {"SO_ERROR": socket.SO_ERROR, "SO_TYPE": socket.SO_TYPE, "SO_DOMAIN": socket.SO_DOMAIN,
            "SO_PROTOCOL": socket.SO_PROTOCOL, "SO_ACCEPTCONN": socket.SO_ACCEPTCONN,
            "SO_REUSEADDR": socket.SO_REUSEADDR, "SO_KEEPALIVE": socket.SO_KEEPALIVE,
            "SO_BROADCAST": socket.SO_BROADCAST, "SO_REUSEPORT": socket.SO_REUSEPORT,
            "SO_RCVBUF": socket.SO_RCVBUF, "SO_SNDBUF": socket.SO_SNDBUF, "SO_PASSCRED": socket.SO_PASSCRED}
# setsockopt's options by level (TCP_NODELAY is IPPROTO_TCP's)
SETOPTS = {"IPV6_V6ONLY": (socket.IPPROTO_IPV6, socket.IPV6_V6ONLY),
           "SO_REUSEADDR": (socket.SOL_SOCKET, socket.SO_REUSEADDR),
           "SO_KEEPALIVE": (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
           "SO_BROADCAST": (socket.SOL_SOCKET, socket.SO_BROADCAST),
           "TCP_NODELAY": (socket.IPPROTO_TCP, socket.TCP_NODELAY),
           "SO_REUSEPORT": (socket.SOL_SOCKET, socket.SO_REUSEPORT),
           "SO_RCVBUF": (socket.SOL_SOCKET, socket.SO_RCVBUF),
           "SO_SNDBUF": (socket.SOL_SOCKET, socket.SO_SNDBUF),
           "SO_PASSCRED": (socket.SOL_SOCKET, socket.SO_PASSCRED)}
# poll.h; POLLRDHUP is Linux's (0x2000)
POLL_EVENTS = {"in": select.POLLIN, "out": select.POLLOUT, "rdhup": 0x2000, "err": select.POLLERR,
               "hup": select.POLLHUP, "nval": select.POLLNVAL}
ALWAYS = select.POLLERR | select.POLLHUP | select.POLLNVAL
TYPES = {"stream": socket.SOCK_STREAM, "dgram": socket.SOCK_DGRAM, "raw": socket.SOCK_RAW,
         "seqpacket": socket.SOCK_SEQPACKET}
DOMAINS = {"inet": socket.AF_INET, "inet6": socket.AF_INET6, "unix": socket.AF_UNIX}
# /proc/net/unix: the Type column, the St column (a listener has Flags 00010000)
UNIX_TYPES = {1: "STREAM", 2: "DGRAM", 5: "SEQPACKET"}
UNIX_STATES = {1: "UNCONNECTED", 2: "CONNECTING", 3: "CONNECTED", 4: "DISCONNECTING"}
ACCEPTCON = 0x10000
HOW = {"rd": socket.SHUT_RD, "wr": socket.SHUT_WR, "rdwr": socket.SHUT_RDWR}
# include/net/tcp_states.h, in RFC 9293 spelling
TCP_STATES = {1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECEIVED", 4: "FIN-WAIT-1",
              5: "FIN-WAIT-2", 6: "TIME-WAIT", 7: "CLOSED", 8: "CLOSE-WAIT",
              9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}

AWAITING_PEER = {"SYN-SENT", "SYN-RECEIVED", "FIN-WAIT-1", "CLOSING", "LAST-ACK"}
SETTLE_SECONDS = 1.0


class Failure(Exception):
    """A call failed with an errno name."""


class Driver:
    def __init__(self):
        self.addr = "0.0.0.0"
        self.addr6 = None        # the host's IPv6 address, in a run's own namespace
        self.alone = False       # the host has the kernel to itself (a run's own namespace): no address rewritten
        self.hosts_ips = set()   # the other hosts' addresses of an IPv6 trace of several hosts, each in its namespace
        self.socks = {}          # fd -> socket object
        # fd -> a cell shared by the fd and its dups: whether the model keeps the
        # socket's local address as 0.0.0.0
        self.wildcard = {}

    # -- helpers -----------------------------------------------------------
    def is_wild(self, fd):
        return self.wildcard.get(fd, [False, False])[0]

    def set_wild(self, fd, value):
        self.wildcard.setdefault(fd, [False, False])[0] = value

    def sock(self, fd):
        s = self.socks.get(fd)
        if s is None:
            raise Failure("EBADF")
        return s

    def endpoint(self, text):
        """An address of the protocol as Python's socket module takes it: a Unix name, (ip, port) for
        "ip:port", (ip6, port, 0, 0) for "[ip6]:port". Only loopback's addresses and the host's own."""
        if text == "" or text.startswith("/"):
            return text  # a Unix name: a path (the runner gives names of the run's own folder only)
        if text.startswith("@"):
            return "\0" + text[1:]  # an abstract Unix name
        ip, port = text.rsplit(":", 1)
        if ip.startswith("[") and ip.endswith("]"):
            ip = ip[1:-1]
            v4 = ip[len("::ffff:"):] if ip.startswith("::ffff:") and "." in ip else None
            if not (ip in V6_LOOPBACK or ip == self.addr6 or ip in self.hosts_ips
                    or v4 is not None and (v4.startswith("127.") or v4 in self.hosts_ips)):
                raise Failure("EACCES")  # only loopback and the run's hosts' addresses are ever a target
            return ip, int(port), 0, 0
        if not (ip.startswith("127.") or ip == "0.0.0.0" or ip in self.hosts_ips):
            raise Failure("EACCES")  # only loopback (and the run's hosts in their namespaces) is ever a target
        return ip, int(port)

    @staticmethod
    def sockaddr(ep):
        """A sockaddr_in or sockaddr_in6 for (ip, port) or (ip6, port, 0, 0), built by hand."""
        if len(ep) == 4:
            return struct.pack("=H", socket.AF_INET6) + struct.pack("!HI", ep[1], 0) \
                + socket.inet_pton(socket.AF_INET6, ep[0]) + struct.pack("=I", 0)
        return struct.pack("=H", socket.AF_INET) + struct.pack("!H", ep[1]) + socket.inet_aton(ep[0]) + bytes(8)

    def crossed(self, s, ep):
        """Whether an IP address is of the other family than its INET or INET6 socket: Python would refuse
        it itself, so the call is made with a sockaddr of the address's family, and the kernel answers."""
        return s.family in (socket.AF_INET, socket.AF_INET6) and isinstance(ep, tuple) \
            and (len(ep) == 4) != (s.family == socket.AF_INET6)

    def raw_call(self, name, fd, ep, data=None):
        """bind, connect or sendto of an address through libc, with a sockaddr of its own family."""
        return self.libc_call(name, fd, self.sockaddr(ep), data)

    @staticmethod
    def libc_call(name, fd, sa, data=None):
        """bind, connect or sendto through libc with a hand-built sockaddr; the kernel's errno as a Failure."""
        if name == "sendto":
            n = LIBC.sendto(fd, ctypes.c_char_p(data), len(data), 0, ctypes.c_char_p(sa), len(sa))
        else:
            n = getattr(LIBC, name)(fd, ctypes.c_char_p(sa), len(sa))
        if n < 0:
            raise Failure(errno.errorcode.get(ctypes.get_errno(), "EINVAL"))
        return n

    @staticmethod
    def text(ep):
        """An address as the protocol writes it: "ip:port", "[ip6]:port", or a Unix name (a path, "@"
        and an abstract name, "" for none), which Python gives as a str, or as bytes when abstract."""
        if isinstance(ep, bytes):
            ep = ep.decode("latin-1")
        if isinstance(ep, str):
            return "@" + ep[1:] if ep.startswith("\0") else ep
        if ep and len(ep) == 4:
            return "[%s]:%d" % (ep[0], ep[1])
        return "%s:%d" % (ep[0], ep[1]) if ep else None

    def implicit_bind(self, fd, s):
        if s.family == socket.AF_UNIX or self.alone:
            return False  # no autobind: Linux answers for an unbound Unix socket itself, and for a host alone
        ip, port = s.getsockname()[:2]
        # A raw socket shows its protocol as its port: one on 0.0.0.0 is unbound.
        if (ip == "0.0.0.0") if s.type == socket.SOCK_RAW else port == 0:
            s.bind((self.addr, 0))
            return True
        return False

    def local(self, fd, s):
        if s.family == socket.AF_INET6 and s.type == socket.SOCK_RAW:
            return (s.getsockname()[0], 0) + tuple(s.getsockname()[2:])  # a raw socket shows its protocol as its port: it has none
        if s.family != socket.AF_INET:
            return s.getsockname()  # a Unix name; an INET6 socket's address (only ever alone: nothing rewritten)
        ip, port = s.getsockname()[:2]
        return ("0.0.0.0" if self.is_wild(fd) else ip, 0 if s.type == socket.SOCK_RAW else port)

    @staticmethod
    def receive(s, size, names=()):
        """recvfrom with flags by name: the bytes copied, the sender, and what the call returned (with
        MSG_TRUNC a datagram's whole length, or the bytes a stream's call took without copying them).
        A raw IPv4 socket reads the IP header first, which is left out; a raw IPv6 socket reads none."""
        flags = 0
        for name in names:
            flags |= MSG_FLAGS[name]
        raw4 = s.type == socket.SOCK_RAW and s.family == socket.AF_INET
        header = 60 if raw4 else 0
        buf = bytearray(size + header)
        if s.type == socket.SOCK_STREAM and s.family != socket.AF_UNIX:
            n, sender = s.recv_into(buf, size, flags), None
        else:
            n, sender = s.recvfrom_into(buf, size + header, flags)
        if s.type == socket.SOCK_STREAM and flags & socket.MSG_TRUNC:
            return b"", None, n
        data = bytes(buf[:min(n, len(buf))])
        if not raw4:
            return data, sender, n
        ihl = min(len(data), (data[0] & 0x0f) * 4) if data else 0
        return data[ihl:ihl + size], sender, n - ihl

    @staticmethod
    def received(s, data, n, names):
        """recv's reply: the data, and with MSG_TRUNC what the call returned (a stream's: a count alone)."""
        if "trunc" in names and s.type == socket.SOCK_STREAM:
            return {"count": n}
        out = {"data": base64.b64encode(data).decode()}
        if "trunc" in names:
            out["length"] = n
        return out

    # -- ops ---------------------------------------------------------------
    def op_hello(self, a):
        self.addr = a.get("addr", "127.0.0.1")
        return {"protocol": PROTOCOL, "name": "cpython-socket", "ops": OPS}

    def op_socket(self, a):
        if a.get("domain", "inet") not in DOMAINS:
            raise Failure("EAFNOSUPPORT")
        flags = socket.SOCK_NONBLOCK if a.get("nonblock") else 0
        s = socket.socket(DOMAINS[a.get("domain", "inet")], TYPES[a["type"]] | flags, a.get("protocol", 0))
        self.socks[s.fileno()] = s
        return s.fileno()

    def op_socketpair(self, a):
        """socketpair(2): two connected Unix sockets, the process's two lowest free descriptors."""
        flags = socket.SOCK_NONBLOCK if a.get("nonblock") else 0
        pair = socket.socketpair(DOMAINS.get(a.get("domain"), -1), TYPES[a["type"]] | flags, a.get("protocol", 0))
        for s in pair:
            self.socks[s.fileno()] = s
        return [s.fileno() for s in pair]

    def op_bind(self, a):
        fd = a["fd"]
        s = self.sock(fd)
        ep = self.endpoint(a["addr"])
        if self.crossed(s, ep):
            return self.raw_call("bind", s.fileno(), ep)
        if s.family == socket.AF_UNIX or self.alone:
            s.bind(ep)
            return 0
        ip, port = ep
        wildcard = ip == "0.0.0.0"
        s.bind((self.addr if wildcard else ip, port))
        self.set_wild(fd, wildcard)
        # the address is the trace's now, not one this driver bound for a connect
        self.wildcard[fd][1] = False
        return 0

    def op_listen(self, a):
        fd = a["fd"]
        s = self.sock(fd)
        if s.type == socket.SOCK_STREAM and self.implicit_bind(fd, s):
            self.set_wild(fd, True)
        s.listen(a["backlog"])
        return 0

    def op_connect(self, a):
        fd = a["fd"]
        s = self.sock(fd)
        state = self.wildcard.setdefault(fd, [False, False])
        if a["addr"] == "AF_UNSPEC":
            # sa_family AF_UNSPEC: the association dissolves. An address this driver bound for connect
            # counts as the wildcard again (Linux keeps it: the driver's bind named it).
            self.libc_call("connect", fd, struct.pack("HH12x", socket.AF_UNSPEC, 0))
            state[0] = state[0] or state[1]
            state[1] = False
            return 0
        ep = self.endpoint(a["addr"])
        if self.crossed(s, ep):
            return self.raw_call("connect", s.fileno(), ep)
        if s.family == socket.AF_UNIX or self.alone:
            err = s.connect_ex(ep)
            if err:
                raise Failure(errno.errorcode.get(err, "EINVAL"))
            return 0
        picked = self.implicit_bind(fd, s) or self.is_wild(fd)
        state[1] = picked
        err = s.connect_ex(ep)
        if err:
            name = errno.errorcode.get(err, "EINVAL")
            # A handshake that failed gives back the address connect picked: Linux reports 0.0.0.0 again.
            if picked and name in ("ECONNREFUSED", "ETIMEDOUT"):
                self.set_wild(fd, True)
            raise Failure(name)
        self.set_wild(fd, False)
        return 0

    def op_accept(self, a):
        conn, peer = self.sock(a["fd"]).accept()
        self.socks[conn.fileno()] = conn
        if a.get("nonblock"):
            # accept4(SOCK_NONBLOCK): O_NONBLOCK on the new socket (none comes from the listener).
            fcntl.fcntl(conn.fileno(), fcntl.F_SETFL, fcntl.fcntl(conn.fileno(), fcntl.F_GETFL) | os.O_NONBLOCK)
        return {"fd": conn.fileno(), "peer": self.text(peer)}

    def op_send(self, a):
        fd = a["fd"]
        s = self.sock(fd)
        # Linux binds an unbound datagram socket before it looks for a destination.
        if s.type != socket.SOCK_STREAM and self.implicit_bind(fd, s):
            self.set_wild(fd, True)
        return s.send(base64.b64decode(a["data"]))

    def op_recv(self, a):
        s = self.sock(a["fd"])
        names = a.get("flags", ())
        data, _, n = self.receive(s, a["size"], names)
        return self.received(s, data, n, names)

    def op_sendto(self, a):
        fd = a["fd"]
        s = self.sock(fd)
        if s.type != socket.SOCK_STREAM and self.implicit_bind(fd, s):
            self.set_wild(fd, True)
        ep = self.endpoint(a["addr"])
        if self.crossed(s, ep):
            return self.raw_call("sendto", s.fileno(), ep, base64.b64decode(a["data"]))
        return s.sendto(base64.b64decode(a["data"]), ep)

    def op_recvfrom(self, a):
        s = self.sock(a["fd"])
        names = a.get("flags", ())
        data, sender, n = self.receive(s, a["size"], names)
        out = self.received(s, data, n, names)
        if "data" in out:
            # A Unix stream's recvfrom gives the peer's name (S20); a TCP stream's none.
            out["from"] = self.text(sender) if s.type != socket.SOCK_STREAM or s.family == socket.AF_UNIX else None
        return out

    def op_shutdown(self, a):
        self.sock(a["fd"]).shutdown(HOW[a["how"]])
        return 0

    def op_close(self, a):
        fd = a["fd"]
        s = self.socks.pop(fd, None)
        self.wildcard.pop(fd, None)
        if s is None:
            os.close(fd)  # not ours: let the kernel answer (EBADF)
        else:
            s.close()
        return 0

    def op_dup(self, a):
        fd = a["fd"]
        copy = self.sock(fd).dup()  # dup(2): the lowest free descriptor
        self.socks[copy.fileno()] = copy
        self.wildcard[copy.fileno()] = self.wildcard.setdefault(fd, [False, False])
        return copy.fileno()

    def op_exit(self, a):
        """The modelled process ends: all its descriptors close."""
        for s in self.socks.values():
            s.close()
        self.socks.clear()
        self.wildcard.clear()
        return 0

    def op_getsockname(self, a):
        fd = a["fd"]
        return self.text(self.local(fd, self.sock(fd)))

    def op_getpeername(self, a):
        return self.text(self.sock(a["fd"]).getpeername())

    def op_setsockopt(self, a):
        s = self.sock(a["fd"])
        name = a["option"]
        if name == "SO_LINGER":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", a["value"], a.get("linger", 0)))
        elif name in SETOPTS:
            s.setsockopt(SETOPTS[name][0], SETOPTS[name][1], a["value"])
        else:
            raise Failure("ENOPROTOOPT")
        return 0

    def op_read(self, a):
        """read(2) on the socket's descriptor: recv with no flags (S18)."""
        return {"data": base64.b64encode(os.read(self.sock(a["fd"]).fileno(), a["size"])).decode()}

    def op_write(self, a):
        """write(2) on the socket's descriptor: send with no flags; Python ignores SIGPIPE, so EPIPE is an errno."""
        return os.write(self.sock(a["fd"]).fileno(), base64.b64decode(a["data"]))

    def op_fcntl(self, a):
        """F_SETFL with O_NONBLOCK set or cleared; the flag is the open socket's, shared by its dups."""
        fd = self.sock(a["fd"]).fileno()
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK if a["nonblock"] else flags & ~os.O_NONBLOCK)
        return 0

    def op_getsockopt(self, a):
        s = self.sock(a["fd"])
        name = a["option"]
        if name == "SO_LINGER":
            onoff, secs = struct.unpack("ii", s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
            return {"value": [1 if onoff else 0, secs]}
        if name == "TCP_NODELAY":
            return {"value": 1 if s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) else 0}
        if name == "IPV6_V6ONLY":
            return {"value": 1 if s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) else 0}
        if name not in SOCKOPTS:
            raise Failure("ENOPROTOOPT")
        v = s.getsockopt(socket.SOL_SOCKET, SOCKOPTS[name])
        if name == "SO_ERROR":
            return {"value": errno.errorcode.get(v, v) if v else 0}
        if name == "SO_TYPE":
            return {"value": {socket.SOCK_STREAM: "STREAM", socket.SOCK_DGRAM: "DGRAM", socket.SOCK_RAW: "RAW",
                              socket.SOCK_SEQPACKET: "SEQPACKET"}.get(v, v)}
        if name == "SO_DOMAIN":
            return {"value": {socket.AF_INET: "INET", socket.AF_INET6: "INET6", socket.AF_UNIX: "UNIX"}.get(v, v)}
        if name in ("SO_ACCEPTCONN", "SO_REUSEADDR", "SO_KEEPALIVE", "SO_BROADCAST", "SO_REUSEPORT", "SO_PASSCRED"):
            return {"value": 1 if v else 0}
        return {"value": v}

    def op_poll(self, a):
        """Each entry's events, in order; timeout 0 at once, -1 until one is ready.

        A descriptor the process does not hold is POLLNVAL. Entries for one
        descriptor are asked together and answered each with its own events.
        """
        entries = [(e["fd"], sum(POLL_EVENTS[n] for n in e["events"])) for e in a["fds"]]
        closed = any(fd not in self.socks for fd, _ in entries)
        asked = {}
        for fd, ev in entries:
            if fd in self.socks:
                real = self.socks[fd].fileno()
                asked[real] = asked.get(real, 0) | ev
        p = select.poll()
        for real, ev in asked.items():
            p.register(real, ev)
        wait = None if a["timeout"] == -1 and not closed else 0
        got = dict(p.poll(wait)) if asked else {}
        out = []
        for fd, ev in entries:
            if fd not in self.socks:
                out.append(["nval"])
                continue
            bits = got.get(self.socks[fd].fileno(), 0) & (ev | ALWAYS)
            out.append([n for n, b in POLL_EVENTS.items() if bits & b])
        return {"revents": out}

    def op_sockets(self, a):
        """This process's rows, read once the hosts have settled.

        A TCP state that waits for the peer's next segment means one is still
        on its way (Linux delays ACKs by 40 ms or more, even on loopback): read
        every 5 ms until none is left and two reads agree, for at most 1 s.
        """
        deadline = time.monotonic() + SETTLE_SECONDS
        last = None
        while True:
            rows = self.read_rows()
            settled = not any(r.get("state") in AWAITING_PEER for r in rows)
            if (rows == last and settled) or time.monotonic() > deadline:
                return rows
            last = rows
            time.sleep(0.005)

    def read_rows(self):
        """This process's sockets from /proc/net, and the host's rows no descriptor holds."""
        inodes = {os.fstat(fd).st_ino: fd for fd in self.socks}
        rows = []
        for proto, local, remote, state, inode in proc_net(False):
            fd = inodes.get(inode)
            if fd is None and not (inode == 0 and local[0] == self.addr):
                continue
            if fd is not None and self.is_wild(fd):
                local = ("0.0.0.0", local[1])
            row = table_row(proto, local, remote, state)
            if fd is not None:
                row["fd"] = fd
            rows.append(row)
        return rows


def proc_net(v6, folder="/proc/net/"):
    """The rows of /proc/net/tcp and /proc/net/udp (v6: tcp6 and udp6 too, an INET6 socket's):
    (proto, local, remote, TCP state or None, inode). folder: /proc/thread-self/net/ for the tables of the
    namespace the calling thread is in."""
    seen = set()  # a socket whose hash bucket changed between two pages of a file is listed twice: once
    for table in ("tcp", "udp") + (("tcp6", "udp6") if v6 else ()):
        proto = table[:3]
        with open(folder + table) as f:
            next(f)
            for line in f:
                fields = line.split()
                inode = int(fields[9])
                if inode != 0:
                    if inode in seen:
                        continue
                    seen.add(inode)
                state = TCP_STATES.get(int(fields[3], 16), "CLOSED") if proto == "tcp" else None
                yield proto, parse_addr(fields[1]), parse_addr(fields[2]), state, inode


def proc_net_unix(path="/proc/net/unix"):
    """The rows of /proc/net/unix: (type, state, name as the protocol writes it, inode). path:
    /proc/thread-self/net/unix for those of the namespace the calling thread is in."""
    with open(path, encoding="latin-1") as f:
        next(f)
        for line in f:
            fields = line.split(None, 7)
            if len(fields) < 7:
                continue
            flags, type_, st, inode = int(fields[3], 16), int(fields[4], 16), int(fields[5], 16), int(fields[6])
            state = "LISTEN" if flags & ACCEPTCON else UNIX_STATES.get(st)
            if type_ in UNIX_TYPES and state is not None:
                yield UNIX_TYPES[type_], state, fields[7].rstrip("\n") if len(fields) > 7 else "", inode


def table_row(proto, local, remote, state):
    """A row of "sockets" (without its fd): the wildcard remote is none, a TCP row has its state."""
    row = {"proto": proto, "local": Driver.text(local),
           "remote": None if remote in (("0.0.0.0", 0), ("::", 0, 0, 0)) else Driver.text(remote)}
    if state is not None:
        row["state"] = state
    return row


def parse_addr(hexaddr):
    """An address of /proc/net: IPv4's eight hex digits, or IPv6's 32 (four words, each in the machine's
    byte order), as (ip, port) or (ip6, port, 0, 0)."""
    ip, port = hexaddr.split(":")
    if len(ip) == 32:
        raw = b"".join(struct.pack("=I", int(ip[i:i + 8], 16)) for i in range(0, 32, 8))
        return socket.inet_ntop(socket.AF_INET6, raw), int(port, 16), 0, 0
    n = int(ip, 16)
    return ("%d.%d.%d.%d" % (n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff), int(port, 16))


# -- protocol 2 ----------------------------------------------------------------

# What hello offers in version 2: version 1's operations, and the capabilities of one driver process per trace.
OPS_V2 = OPS + ["threads", "fork", "settle", "unix", "socketpair"]


def can_open_inet6():
    """Whether this kernel has IPv6 sockets: then hello offers "ipv6"."""
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
        return True
    except OSError:
        return False


def can_join_netns():
    """Whether this driver can make a host's sockets in the host's own network namespace (setns(2) in the C
    library): then hello offers "ipv6-hosts"."""
    return hasattr(LIBC, "setns")


def can_open_raw():
    """Whether this process may open a raw IPv4 socket (CAP_NET_RAW): then hello offers "raw"."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, 253).close()
        return True
    except OSError:
        return False

# The operations a modelled process's thread makes; hello, settle and sockets are the trace's.
PROCESS_OPS = {"socket", "bind", "listen", "connect", "accept", "send", "recv", "sendto", "recvfrom",
               "shutdown", "close", "getsockname", "getpeername", "setsockopt", "dup", "exit", "fcntl",
               "getsockopt", "poll", "read", "write", "fork", "socketpair"}


class ProtocolError(Exception):
    """A request this driver cannot take (the runner's fault): the driver stops, saying why."""


class Process(Driver):
    """A modelled process of version 2: a set of this Python process's real descriptors.

    A descriptor the set does not hold is answered EBADF and never used: it
    may be another modelled process's. Entries are added by the calls that
    make descriptors (socket, accept, dup, fork) and removed under the
    trace's lock before the descriptor is closed, so that the table never
    reads a descriptor that is being closed or reused.
    """

    def __init__(self, trace, host, name):
        super().__init__()
        self.trace = trace
        self.host = host
        self.name = name
        self.addr = trace.addrs[host]
        self.addr6 = trace.addrs6.get(host)
        self.alone = trace.alone
        if trace.netns:
            self.hosts_ips = set(trace.addrs.values()) | set(trace.addrs6.values())
        # counts exits: a call that was waiting when its process exited never returns
        self.lives = 0

    def op_socket(self, a):
        self.trace.enter(self.host)  # a socket is of the namespace it was made in
        return super().op_socket(a)

    def op_socketpair(self, a):
        self.trace.enter(self.host)
        return super().op_socketpair(a)

    def op_close(self, a):
        fd = a["fd"]
        with self.trace.lock:
            s = self.socks.pop(fd, None)
            self.wildcard.pop(fd, None)
        if s is None:
            raise Failure("EBADF")  # not this process's: the kernel's answer for a closed one
        s.close()
        return 0

    def op_dup(self, a):
        """dup(2) without Python's settimeout, which would set or clear O_NONBLOCK on the shared socket."""
        fd = a["fd"]
        copy = socket.socket(fileno=os.dup(self.sock(fd).fileno()))
        self.socks[copy.fileno()] = copy
        self.wildcard[copy.fileno()] = self.wildcard.setdefault(fd, [False, False])
        return copy.fileno()

    def op_exit(self, a):
        """The modelled process ends: all its descriptors close; its threads' waiting calls never return."""
        with self.trace.lock:
            socks = list(self.socks.values())
            self.socks.clear()
            self.wildcard.clear()
            self.lives += 1
        for s in socks:
            s.close()
        return 0

    def op_fork(self, a):
        """The child gets a copy of each descriptor (os.dup: its own number, the same socket).

        The answer pairs each of the parent's numbers with the child's; the
        wildcard bookkeeping is the socket's, so both share it.
        """
        with self.trace.lock:
            child = self.trace.process(self.host, a["child"])
            pairs = []
            for fd, s in sorted(self.socks.items()):
                copy = socket.socket(fileno=os.dup(fd))
                child.socks[copy.fileno()] = copy
                child.wildcard[copy.fileno()] = self.wildcard.setdefault(fd, [False, False])
                pairs.append([fd, copy.fileno()])
        return {"fds": pairs}


class Trace:
    """Protocol 2: every host and process of a trace run in this one driver process."""

    def __init__(self):
        self.addrs = {}          # host -> its loopback address
        self.addrs6 = {}         # host -> its IPv6 address (an IPv6 trace's, in the run's own namespace)
        self.alone = False       # the run's own namespace: its one host has the kernel to itself
        self.netns = {}          # host -> a descriptor of its network namespace (IPv6 traces of several hosts)
        self.joined = threading.local()  # the host whose namespace the calling thread is in
        self.procs = {}          # (host, process) -> Process
        self.threads = {}        # (host, process, thread) -> the queue of its requests
        self.lock = threading.RLock()     # the processes and their descriptor sets, as the table reads them
        self.out_lock = threading.Lock()  # whole reply lines

    def process(self, host, name):
        with self.lock:
            key = (host, name)
            if key not in self.procs:
                if host not in self.addrs:
                    raise ProtocolError("host %r is not one of hello's hosts" % (host,))
                self.procs[key] = Process(self, host, name)
            return self.procs[key]

    def enter(self, host):
        """The calling thread into the host's network namespace, when the host has one of its own."""
        fd = self.netns.get(host)
        if fd is None or getattr(self.joined, "host", None) == host:
            return
        if LIBC.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        self.joined.host = host

    # -- the trace's requests, answered by the reading thread ---------------
    def op_hello(self, a):
        self.alone = bool(a.get("netns"))
        for h in a.get("hosts", []):
            self.addrs[h["name"]] = h["addr"]
            if "addr6" in h:
                self.addrs6[h["name"]] = h["addr6"]
            if "netns" in h:
                self.netns[h["name"]] = os.open(h["netns"], os.O_RDONLY | os.O_CLOEXEC)
        for p in a.get("processes", []):
            self.process(p["host"], p["process"])
        return {"protocol": 2, "name": "cpython-socket", "network": "kernel", "fds": "own",
                "ops": OPS_V2 + (["raw"] if can_open_raw() else []) + (["ipv6"] if can_open_inet6() else [])
                + (["ipv6-hosts"] if can_open_inet6() and can_join_netns() else [])}

    def op_settle(self, req):
        self.settled(None)
        return 0

    def op_sockets(self, req):
        host = req.get("host")
        if host not in self.addrs:
            raise ProtocolError("sockets for host %r, which is not one of hello's hosts" % (host,))
        return self.settled(host)

    def settled(self, host):
        """The table's rows (one host's, or every host's) once segments in flight have arrived.

        As in version 1: read every 5 ms until no row is in a state that waits
        for the peer and two reads agree, for at most 1 s.
        """
        deadline = time.monotonic() + SETTLE_SECONDS
        last = None
        while True:
            rows = self.read_rows(host)
            settled = not any(r.get("state") in AWAITING_PEER for r in rows)
            if (rows == last and settled) or time.monotonic() > deadline:
                return rows
            last = rows
            time.sleep(0.005)

    def read_rows(self, only=None):
        """The hosts' rows from /proc/net, each once: a socket belongs to the host of a process that holds
        it (its wildcard flag applied), a row no descriptor holds (inode 0) to the host of its local address."""
        hosts_by_addr = {addr: h for h, addr in self.addrs.items()}
        rows = []
        with self.lock:
            held = {}
            for p in list(self.procs.values()):
                for fd in list(p.socks):  # a copy: other threads add descriptors without the lock
                    try:
                        held.setdefault(os.fstat(fd).st_ino, (p, fd))
                    except OSError:
                        continue  # closed behind the bookkeeping's back: no row of this process
            # IPv6's tables only in a run's own namespace (an INET6 socket's rows, TIME-WAIT too, are there):
            # elsewhere they would be the host's, and no IPv6 socket is made there.
            for proto, local, remote, state, inode, ns_host in self.tables(only):
                if inode in held:
                    p, fd = held[inode]
                    host = p.host
                    if p.is_wild(fd):
                        local = ("0.0.0.0", local[1])
                elif inode == 0 and ns_host is not None:
                    host = ns_host  # a host's own namespace holds nothing but its sockets
                elif inode == 0 and self.alone and len(self.addrs) == 1:
                    host = next(iter(self.addrs))  # the run's own namespace holds nothing but the trace's
                elif inode == 0 and local[0] in hosts_by_addr:
                    host = hosts_by_addr[local[0]]
                else:
                    continue  # not the trace's: another program's, or one being closed
                if only is not None and host != only:
                    continue
                rows.append(table_row(proto, local, remote, state))
            rows.extend(self.unix_rows(held, only, self.unix_entries(only)))
        return rows

    def each_namespace(self, only):
        """The hosts with a namespace of their own (only's alone, when given), the calling thread in each
        in turn while the caller reads it."""
        for host in sorted(self.netns):
            if only is None or host == only:
                self.enter(host)
                yield host

    def tables(self, only):
        """The rows of the tables with the host whose namespace they were read in (None: the one namespace
        this process is in): with a namespace per host, each host's (only's alone, when given)."""
        if not self.netns:
            for row in proc_net(self.alone):
                yield row + (None,)
            return
        for host in self.each_namespace(only):
            for row in proc_net(True, "/proc/thread-self/net/"):
                yield row + (host,)

    def unix_entries(self, only):
        """The lines of /proc/net/unix: with a namespace per host, each host's (only's alone, when given),
        read in its namespace, where its Unix sockets are listed."""
        if not self.netns:
            return lambda: proc_net_unix()

        def each_host():
            for _host in self.each_namespace(only):
                yield from proc_net_unix("/proc/thread-self/net/unix")
        return each_host

    @staticmethod
    def unix_rows(held, only, read):
        """The trace's Unix sockets as /proc/net/unix lists them (S20): those the processes hold, by
        inode, on their process's host; the server's end of a connection nobody accepted yet (inode 0)
        on the host of the listener whose name it has. Nothing is read when no process holds one."""
        if not any(p.socks.get(fd) is not None and p.socks[fd].family == socket.AF_UNIX for p, fd in held.values()):
            return []
        entries = list(read())
        hosts = {}  # a held socket's name -> its host (a listener's, for its unaccepted connections)
        for _type, _state, path, inode in entries:
            if inode in held and path:
                hosts.setdefault(path, held[inode][0].host)
        rows = []
        for type_, state, path, inode in entries:
            host = held[inode][0].host if inode in held else hosts.get(path) if inode == 0 else None
            if host is None or (only is not None and host != only):
                continue
            rows.append({"proto": "unix", "type": type_, "local": path, "state": state})
        return rows

    # -- the processes' requests, each thread's in a Python thread of its own ---
    def run(self, req):
        """A thread's request: the reply, or None when its process exited while it waited."""
        rid, op, a = req.get("id"), str(req.get("op")), req.get("args", {})
        proc = self.process(req.get("host"), req.get("process"))
        lives = proc.lives
        try:
            if op not in PROCESS_OPS:
                raise Failure("EOPNOTSUPP")
            reply = {"id": rid, "ok": getattr(proc, "op_" + op)(a)}
        except Failure as f:
            reply = {"id": rid, "err": str(f)}
        except OSError as e:
            reply = {"id": rid, "err": errno.errorcode.get(e.errno, "EINVAL")}
        if op != "exit" and proc.lives != lives:
            return None
        return reply

    def thread(self, requests):
        try:
            while True:
                reply = self.run(requests.get())
                if reply is not None:
                    self.write(reply)
        except BaseException:  # a fault of this driver or the runner: stop, as version 1 does
            self.stop(1, traceback.format_exc())

    def write(self, reply):
        with self.out_lock:
            try:
                sys.stdout.write(json.dumps(reply) + "\n")
                sys.stdout.flush()
            except OSError:
                os._exit(0)  # the runner is gone

    def stop(self, code, message=None):
        """Ends the driver at once, also while threads wait in calls; descriptors close with the process."""
        # a whole last reply, unless its write is stuck on a runner that no longer reads
        self.out_lock.acquire(timeout=0.5)
        if message:
            sys.stderr.write(message)
        sys.stderr.flush()
        os._exit(code)

    def serve(self, lines):
        try:
            for line in lines:
                if not line.strip():
                    continue
                req = json.loads(line)
                op = str(req.get("op"))
                if op in ("hello", "settle", "sockets"):
                    rid = req.get("id")
                    try:
                        if op == "hello":
                            reply = {"id": rid, "ok": self.op_hello(req.get("args", {}))}
                        else:
                            reply = {"id": rid, "ok": getattr(self, "op_" + op)(req)}
                    except OSError as e:
                        reply = {"id": rid, "err": errno.errorcode.get(e.errno, "EINVAL")}
                    self.write(reply)
                    continue
                key = (req.get("host"), req.get("process"), req.get("thread"))
                if key not in self.threads:
                    self.threads[key] = queue.Queue()
                    threading.Thread(target=self.thread, args=(self.threads[key],), daemon=True,
                                     name="%s.%s.%s" % key).start()
                self.threads[key].put(req)
        except BaseException:
            self.stop(1, traceback.format_exc())
        self.stop(0)  # stdin closed: the trace is over


def serve_v1(driver, lines):
    """Protocol 1: one request at a time, each answered before the next is read."""
    out = sys.stdout
    for line in lines:
        if not line.strip():
            continue
        req = json.loads(line)
        rid = req.get("id")
        handler = getattr(driver, "op_" + str(req.get("op")), None)
        try:
            if handler is None:
                raise Failure("EOPNOTSUPP")
            reply = {"id": rid, "ok": handler(req.get("args", {}))}
        except Failure as f:
            reply = {"id": rid, "err": str(f)}
        except OSError as e:
            reply = {"id": rid, "err": errno.errorcode.get(e.errno, "EINVAL")}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    for s in driver.socks.values():
        s.close()


def offers_two(line):
    """Whether a request line is a hello whose "protocols" list 2."""
    try:
        req = json.loads(line)
    except ValueError:
        return False
    if not isinstance(req, dict) or req.get("op") != "hello":
        return False
    offered = (req.get("args") or {}).get("protocols")
    return isinstance(offered, list) and 2 in offered


def main(argv=None):
    """argv: the arguments (default: the command line's); drivers built on this one pass their own."""
    parser = argparse.ArgumentParser(description="sockcheck driver over CPython's socket module")
    parser.add_argument("--protocol", type=int, choices=(1, 2),
                        help="speak only this version (default: 2 when hello offers it, else 1)")
    protocol = parser.parse_args(argv).protocol
    if protocol == 1:
        serve_v1(Driver(), sys.stdin)
        return
    first = sys.stdin.readline()
    while first and not first.strip():
        first = sys.stdin.readline()
    if not first:
        return
    if protocol == 2 or offers_two(first):
        Trace().serve(itertools.chain([first], sys.stdin))
    else:
        serve_v1(Driver(), itertools.chain([first], sys.stdin))


if __name__ == "__main__":
    main()
