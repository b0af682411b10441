#!/usr/bin/env python3
# Probe: setsockopt/getsockopt of SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY, SO_REUSEPORT and SO_LINGER
# on TCP, UDP and raw sockets, and what a zero linger does on close (SetSockOpt, LastClose in the spec).
# Loopback only (127.0.0.1, ports 5600-5603); raw sockets need root.
import socket, errno, time, struct
S=socket
ONE=bytes([1])
def tryset(s, lvl, opt, val):
    try: s.setsockopt(lvl, opt, val); return 0
    except OSError as e: return errno.errorcode[e.errno]
def tryget(s, lvl, opt, n=None):
    try: return s.getsockopt(lvl, opt) if n is None else s.getsockopt(lvl, opt, n)
    except OSError as e: return errno.errorcode[e.errno]
for name,mk in [("tcp",lambda: S.socket()),("udp",lambda: S.socket(S.AF_INET,S.SOCK_DGRAM)),("raw",lambda: S.socket(S.AF_INET,S.SOCK_RAW,253))]:
    s=mk()
    out=[]
    for oname,lvl,opt in [("SO_KEEPALIVE",S.SOL_SOCKET,S.SO_KEEPALIVE),("SO_BROADCAST",S.SOL_SOCKET,S.SO_BROADCAST),("TCP_NODELAY",S.IPPROTO_TCP,S.TCP_NODELAY),("SO_REUSEPORT",S.SOL_SOCKET,S.SO_REUSEPORT)]:
        g0=tryget(s,lvl,opt); r=tryset(s,lvl,opt,1); g1=tryget(s,lvl,opt); r2=tryset(s,lvl,opt,0); g2=tryget(s,lvl,opt)
        r3=tryset(s,lvl,opt,7); g3=tryget(s,lvl,opt)
        out.append(f"{oname}: get={g0} set1={r} get={g1} set0={r2} get={g2} set7={r3} get={g3}")
    out.append(f"SOL_SOCKET opt 9999 set={tryset(s,S.SOL_SOCKET,9999,1)} get={tryget(s,S.SOL_SOCKET,9999)}")
    out.append(f"level 999 set={tryset(s,999,1,1)} get={tryget(s,999,1)}")
    out.append(f"IPPROTO_TCP opt 9999 set={tryset(s,S.IPPROTO_TCP,9999,1)} get={tryget(s,S.IPPROTO_TCP,9999)}")
    out.append(f"SO_LINGER get={tryget(s,S.SOL_SOCKET,S.SO_LINGER,8)!r} set(1,0)={tryset(s,S.SOL_SOCKET,S.SO_LINGER,struct.pack('ii',1,0))} get={struct.unpack('ii',tryget(s,S.SOL_SOCKET,S.SO_LINGER,8))} set(1,5)={tryset(s,S.SOL_SOCKET,S.SO_LINGER,struct.pack('ii',1,5))} get={struct.unpack('ii',tryget(s,S.SOL_SOCKET,S.SO_LINGER,8))} set(0,3)={tryset(s,S.SOL_SOCKET,S.SO_LINGER,struct.pack('ii',0,3))} get={struct.unpack('ii',tryget(s,S.SOL_SOCKET,S.SO_LINGER,8))}")
    out.append(f"SO_LINGER short optlen set={tryset(s,S.SOL_SOCKET,S.SO_LINGER,ONE)}")
    out.append(f"SO_KEEPALIVE short optlen set={tryset(s,S.SOL_SOCKET,S.SO_KEEPALIVE,ONE)}")
    print(name); [print("  ",o) for o in out]
    s.close()
# linger 0 close -> RST
l=S.socket(); l.setsockopt(S.SOL_SOCKET,S.SO_REUSEADDR,1); l.bind(('127.0.0.1',5600)); l.listen(4)
c=S.socket(); c.connect(('127.0.0.1',5600)); a,_=l.accept()
a.setsockopt(S.SOL_SOCKET,S.SO_LINGER,struct.pack('ii',1,0)); a.close(); time.sleep(0.05)
try: print("peer recv after linger0 close:", c.recv(10))
except OSError as e: print("peer recv after linger0 close:", errno.errorcode[e.errno])
try: print("peer send:", c.send(b'x'))
except OSError as e: print("peer send:", errno.errorcode[e.errno])
print(open('/proc/net/tcp').read().count(':15E0'))
# linger 0 on listener inheritance: accepted socket inherits?
l2=S.socket(); l2.bind(('127.0.0.1',5601)); l2.setsockopt(S.SOL_SOCKET,S.SO_LINGER,struct.pack('ii',1,0)); l2.setsockopt(S.SOL_SOCKET,S.SO_KEEPALIVE,1); l2.setsockopt(S.IPPROTO_TCP,S.TCP_NODELAY,1); l2.listen(4)
c2=S.socket(); c2.connect(('127.0.0.1',5601)); a2,_=l2.accept()
print("accepted inherits linger", struct.unpack('ii',a2.getsockopt(S.SOL_SOCKET,S.SO_LINGER,8)), "keepalive", a2.getsockopt(S.SOL_SOCKET,S.SO_KEEPALIVE), "nodelay", a2.getsockopt(S.IPPROTO_TCP,S.TCP_NODELAY))
# linger0 after shutdown WR, then close -> RST?
l3=S.socket(); l3.bind(('127.0.0.1',5602)); l3.listen(4); c3=S.socket(); c3.connect(('127.0.0.1',5602)); a3,_=l3.accept()
a3.shutdown(S.SHUT_WR); time.sleep(0.05); a3.setsockopt(S.SOL_SOCKET,S.SO_LINGER,struct.pack('ii',1,0)); a3.close(); time.sleep(0.05)
try: print("after FIN then linger0 close, peer recv:", c3.recv(10), c3.recv(10))
except OSError as e: print("after FIN then linger0 close, peer recv:", errno.errorcode[e.errno])
# linger0 close of a connecting socket? of a fresh socket fine
# dup: linger0 close of one dup doesn't reset
l4=S.socket(); l4.bind(('127.0.0.1',5603)); l4.listen(4); c4=S.socket(); c4.connect(('127.0.0.1',5603)); a4,_=l4.accept()
import os
d=os.dup(a4.fileno()); a4.setsockopt(S.SOL_SOCKET,S.SO_LINGER,struct.pack('ii',1,0)); a4.close(); time.sleep(0.05)
c4.setblocking(False)
try: print("dup held, peer recv:", c4.recv(10))
except OSError as e: print("dup held, peer recv:", errno.errorcode[e.errno])
