#!/usr/bin/env python3
# Probe: what Linux poll() reports for sockets in each state the spec names (Readiness in
# spec/SocketApi.tla). Loopback only (127.0.0.1, ports 5555-5561, 5999, 6000, 6001). Prints one line a case.
import socket, select, time, errno, struct
P=select
names=[(P.POLLIN,'IN'),(P.POLLOUT,'OUT'),(P.POLLERR,'ERR'),(P.POLLHUP,'HUP'),(P.POLLNVAL,'NVAL'),(0x2000,'RDHUP'),(P.POLLPRI,'PRI')]
ASK=P.POLLIN|P.POLLOUT|0x2000
def ev(fd, ask=ASK):
    p=select.poll(); p.register(fd, ask); r=p.poll(0)
    m=r[0][1] if r else 0
    return '|'.join(n for b,n in names if m&b) or '0'
def show(label, s, ask=ASK): print(f"{label:45s} {ev(s.fileno(), ask)}")
def pair(port):
    l=socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1); l.bind(('127.0.0.1',port)); l.listen(8)
    c=socket.socket(); c.connect(('127.0.0.1',port)); a,_=l.accept(); return l,c,a
s=socket.socket(); show("fresh tcp", s)
s.bind(('127.0.0.1',0)); show("bound tcp", s)
try: s.shutdown(socket.SHUT_RD)
except OSError as e: print(" shutdown RD on bound:", e)
show("bound tcp after shutdown RD(ENOTCONN)", s)
l=socket.socket(); l.bind(('127.0.0.1',5555)); l.listen(8); show("listener empty", l)
c=socket.socket(); c.connect(('127.0.0.1',5555)); time.sleep(0.05); show("listener pending", l); show("connector established", c)
a,_=l.accept(); show("listener after accept", l); show("accepted", a)
c.send(b'x'); time.sleep(0.05); show("accepted with data", a); show("accepted with data ask IN only", a, P.POLLIN); show("accepted ask 0", a, 0)
a.recv(1)
c.shutdown(socket.SHUT_WR); time.sleep(0.05); show("peer FIN (CLOSE-WAIT)", a); show("after own SHUT_WR (FIN-WAIT-2)", c)
a.shutdown(socket.SHUT_WR); time.sleep(0.05); show("LAST-ACK->CLOSED side", a); show("TIME-WAIT side (held)", c)
l2,c2,a2=pair(5556); c2.shutdown(socket.SHUT_RD); show("own SHUT_RD", c2); c2.shutdown(socket.SHUT_WR); show("own SHUT_RDWR", c2)
l3,c3,a3=pair(5557); c3.shutdown(socket.SHUT_RDWR); show("own SHUT_RDWR at once", c3)
l4,c4,a4=pair(5558); c4.send(b'zz'); time.sleep(0.05); a4.close(); time.sleep(0.05)  # a4 had unread -> RST
show("peer closed with unread data (RST)", c4)
print("  SO_ERROR", c4.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)); show("RST after SO_ERROR read", c4)
l5,c5,a5=pair(5559); a5.send(b'q'); time.sleep(0.05); c5.send(b'w'); c5.close(); time.sleep(0.05); show("RST in CLOSE-WAIT?", a5)
n=socket.socket(); n.setblocking(False)
try: n.connect(('127.0.0.1',5999))
except OSError as e: print(" nb connect:", e)
time.sleep(0.05); show("nb connect refused", n)
print("  SO_ERROR", n.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)); show("refused after SO_ERROR", n)
try: print("  recv", n.recv(5))
except OSError as e: print("  recv:", e)
n2=socket.socket()
try: n2.connect(('127.0.0.1',5999))
except OSError as e: print(" blocking connect:", e)
show("blocking connect refused", n2)
u=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); show("fresh udp", u)
u.bind(('127.0.0.1',6000)); show("bound udp", u)
v=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.sendto(b'h',('127.0.0.1',6000)); time.sleep(0.02); show("udp with datagram", u)
try: u.shutdown(socket.SHUT_RD)
except OSError as e: print(" udp shutdown RD:", e)
show("udp after shutdown RD", u)
try: u.shutdown(socket.SHUT_WR)
except OSError as e: print(" udp shutdown WR:", e)
show("udp after shutdown RDWR", u)
w=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); w.connect(('127.0.0.1',6001)); w.send(b'x'); time.sleep(0.05); show("connected udp after ICMP unreachable", w)
print("  SO_ERROR", w.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)); show("udp after SO_ERROR", w)
r=socket.socket(socket.AF_INET, socket.SOCK_RAW, 253); show("raw fresh", r)
r2=socket.socket(socket.AF_INET, socket.SOCK_RAW, 253); r2.sendto(b'x',('127.0.0.1',0)); time.sleep(0.02); show("raw with datagram", r)
x=socket.socket(); fd=x.fileno(); x2=socket.socket(); 
import os
print(f"{'closed fd':45s} {ev(900)}")
# listener shut RD
l6=socket.socket(); l6.bind(('127.0.0.1',5560)); l6.listen(4); l6.shutdown(socket.SHUT_RD); show("listener after SHUT_RD", l6)
l7=socket.socket(); l7.bind(('127.0.0.1',5561)); l7.listen(4); l7.shutdown(socket.SHUT_WR); show("listener after SHUT_WR", l7)
