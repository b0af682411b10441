package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"sockcheck/kit"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/transport"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

func (d *Driver) handlers() map[string]kit.Handler {
	return map[string]kit.Handler{
		"socket":      d.opSocket,
		"bind":        d.opBind,
		"listen":      d.opListen,
		"connect":     d.opConnect,
		"accept":      d.opAccept,
		"send":        d.opSend,
		"write":       d.opSend,
		"sendto":      d.opSendto,
		"recv":        d.opRecv,
		"read":        d.opRead,
		"recvfrom":    d.opRecvfrom,
		"shutdown":    d.opShutdown,
		"close":       d.opClose,
		"dup":         d.opDup,
		"fork":        d.opFork,
		"exit":        d.opExit,
		"getsockname": d.opGetsockname,
		"getpeername": d.opGetpeername,
		"setsockopt":  d.opSetsockopt,
		"getsockopt":  d.opGetsockopt,
		"fcntl":       d.opFcntl,
		"poll":        d.opPoll,
		"settle":      d.opSettle,
		"sockets":     d.opSockets,
	}
}

// block emulates a blocking call: try runs until it says it is done, and
// between tries the thread waits for one of the events on the socket's
// waiter queue (registered before the first try, so no wakeup is lost), or
// for the driver's end, or for the exit of the calling process p (whose
// threads end with it: no reply).
func (d *Driver) block(p *Process, f *File, mask waiter.EventMask, try func() (bool, error)) error {
	gone := p.Gone()
	e, ch := waiter.NewChannelEntry(mask)
	f.WQ.EventRegister(&e)
	defer f.WQ.EventUnregister(&e)
	for {
		if done, err := try(); done {
			return err
		}
		select {
		case <-ch:
		case <-gone:
			return kit.ErrStopped
		case <-d.srv.Done():
			return kit.ErrStopped
		}
	}
}

// Address families of a sockaddr, as the driver builds one from an address
// text: "IP:PORT" is a sockaddr_in, "[IP6]:PORT" a sockaddr_in6, whatever
// the socket's family (docs/driver-protocol.md, capability ipv6).
const (
	afInet  = 2
	afInet6 = 10
)

// sockaddr is an address as gVisor's socket layer reads it from a sockaddr
// (pkg/sentry/socket/socket.go, AddressAndFamily): the family, and the
// address with an all-zero one (0.0.0.0, ::) as the wildcard "".
type sockaddr struct {
	family int
	addr   tcpip.FullAddress
}

// sockAddr parses "IP:PORT" or "[IP6]:PORT". Any address must be one of
// this driver's network: 192.0.2.0/24 or 0.0.0.0; 2001:db8::/32, ::, or the
// v4-mapped form of those IPv4 ones.
func sockAddr(text string) (sockaddr, error) {
	ip, port, ok := kit.Endpoint(text)
	if !ok {
		return sockaddr{}, kit.EINVAL
	}
	if strings.HasPrefix(ip, "[") && strings.HasSuffix(ip, "]") {
		a, ok := parseIPv6(ip[1 : len(ip)-1])
		if !ok {
			return sockaddr{}, kit.EINVAL
		}
		v4 := a[12:]
		switch {
		case a == tcpip.Address(make([]byte, 16)):
			a = ""
		case inDocNet6(a):
		case a[:12] == "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff" && (v4 == "\x00\x00\x00\x00" || inTestNet(v4)):
		default:
			return sockaddr{}, kit.Unsupported("address " + text + " is outside 2001:db8::/32 and ::ffff:192.0.2.0/120, this driver's network")
		}
		return sockaddr{family: afInet6, addr: tcpip.FullAddress{Addr: a, Port: uint16(port)}}, nil
	}
	a, ok := parseIPv4(ip)
	if !ok {
		return sockaddr{}, kit.EINVAL
	}
	if a == "\x00\x00\x00\x00" {
		a = ""
	} else if !inTestNet(a) {
		return sockaddr{}, kit.Unsupported("address " + text + " is outside 192.0.2.0/24, this driver's network")
	}
	return sockaddr{family: afInet, addr: tcpip.FullAddress{Addr: a, Port: uint16(port)}}, nil
}

// v4MappedAny is ::ffff:0.0.0.0.
const v4MappedAny = tcpip.Address("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x00\x00")

// familyOK says whether a sockaddr of family af may be used with the socket,
// as gVisor's socket layer decides (netstack.go, Socket.checkFamily): its own
// family always; with exact false (connect, sendto) also a sockaddr_in on an
// INET6 socket without IPV6_V6ONLY.
func familyOK(f *File, af int, exact bool) bool {
	if af == f.af() {
		return true
	}
	return !exact && af == afInet && f.Family == familyInet6 && !f.EP.SocketOptions().GetV6Only()
}

// mapped is the address handed to the endpoint (netstack.go,
// Socket.mapFamily): IPv4's wildcard given to an INET6 socket is
// ::ffff:0.0.0.0, since netstack's "" would be IPv6's.
func mapped(f *File, sa sockaddr) tcpip.FullAddress {
	if sa.addr.Addr == "" && f.Family == familyInet6 && sa.family == afInet {
		sa.addr.Addr = v4MappedAny
	}
	return sa.addr
}

// bindAddr is bind's address by gVisor's socket layer's rules
// (netstack.go, Socket.Bind): a sockaddr shorter than the socket's family's
// (a sockaddr_in given to an INET6 socket) is EINVAL, a sockaddr of another
// family EAFNOSUPPORT.
func bindAddr(f *File, text string) (tcpip.FullAddress, error) {
	sa, err := sockAddr(text)
	if err != nil {
		return tcpip.FullAddress{}, err
	}
	if f.Family == familyInet6 && sa.family == afInet {
		return tcpip.FullAddress{}, kit.EINVAL // 16 bytes of sockaddr_in, 28 wanted
	}
	if !familyOK(f, sa.family, true) {
		return tcpip.FullAddress{}, kit.EAFNOSUPPORT
	}
	return mapped(f, sa), nil
}

// peerAddr is connect's and sendto's address by gVisor's socket layer's
// rules (netstack.go, Socket.Connect, Socket.SendMsg): a sockaddr of a
// family the socket does not take is EINVAL (the sockaddr's length is not
// checked there).
func peerAddr(f *File, text string) (tcpip.FullAddress, error) {
	sa, err := sockAddr(text)
	if err != nil {
		return tcpip.FullAddress{}, err
	}
	if !familyOK(f, sa.family, false) {
		return tcpip.FullAddress{}, kit.EINVAL
	}
	return mapped(f, sa), nil
}

// addrString is an address as the socket shows it (getsockname,
// getpeername, accept's peer, recvfrom's sender): an INET socket's as
// "IP:PORT", an INET6 socket's as "[IP6]:PORT" with IPv4 addresses
// v4-mapped (pkg/sentry/socket/socket.go, ConvertAddress).
func addrString(f *File, fa tcpip.FullAddress) string {
	if f.Family == familyInet6 {
		return fmt.Sprintf("[%s]:%d", addr6Text(fa.Addr), fa.Port)
	}
	return fmt.Sprintf("%s:%d", addrText(fa.Addr), fa.Port)
}

func (d *Driver) opSocket(req *kit.Request) (interface{}, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, err
	}
	a := req.Args
	family, netProto := familyInet, ipv4.ProtocolNumber
	switch a.StrOr("domain", "inet") {
	case "inet":
	case "inet6":
		if p.Host.Addr6 == "" {
			// Only a trace with IPv6 calls gives hosts IPv6 (hello's addr6);
			// a stack without it has no INET6 sockets.
			return nil, kit.EAFNOSUPPORT
		}
		family, netProto = familyInet6, ipv6.ProtocolNumber
	default:
		return nil, kit.EAFNOSUPPORT
	}
	proto := a.IntOr("protocol", 0)
	wq := &waiter.Queue{}
	s := p.Host.Stack
	f := &File{Host: p.Host, Family: family, Kind: a.Str("type"), WQ: wq, refs: 1, nonblock: a.Bool("nonblock")}
	var ep tcpip.Endpoint
	var terr tcpip.Error
	switch f.Kind {
	case kindStream:
		if proto != 0 && proto != int(tcp.ProtocolNumber) {
			return nil, kit.EINVAL // so gVisor's socket layer (provider.go, getTransportProtocol)
		}
		f.Proto = int(tcp.ProtocolNumber)
		ep, terr = s.NewEndpoint(tcp.ProtocolNumber, netProto, wq)
	case kindDgram:
		if proto != 0 && proto != int(udp.ProtocolNumber) {
			return nil, kit.EPROTONOSUPP
		}
		f.Proto = int(udp.ProtocolNumber)
		ep, terr = s.NewEndpoint(udp.ProtocolNumber, netProto, wq)
	case kindRaw:
		if family == familyInet6 {
			return nil, kit.Unsupported("raw INET6 sockets: this driver does not offer raw")
		}
		// Netstack has raw endpoints associated with a transport protocol it
		// runs (here ICMP, TCP, UDP) and, for IPPROTO_RAW, an unassociated one
		// that only sends. gVisor's socket layer offers just these and answers
		// EPROTONOSUPPORT for any other protocol.
		f.Proto = proto
		switch proto {
		case int(icmp.ProtocolNumber4), int(tcp.ProtocolNumber), int(udp.ProtocolNumber):
			ep, terr = s.NewRawEndpoint(tcpip.TransportProtocolNumber(proto), ipv4.ProtocolNumber, wq, true)
		case 255:
			ep, terr = s.NewRawEndpoint(0, ipv4.ProtocolNumber, wq, false)
		default:
			if proto <= 0 || proto > 255 {
				return nil, kit.EPROTONOSUPP // no such IP protocol
			}
			return nil, kit.Unsupported(fmt.Sprintf("raw socket of protocol %d: netstack has raw endpoints for ICMP, TCP and UDP only"+
				" (gVisor's socket layer answers EPROTONOSUPPORT)", proto))
		}
	default:
		return nil, kit.Unsupported("socket type " + f.Kind)
	}
	if terr != nil {
		return nil, fail(terr)
	}
	if f.Kind == kindStream {
		// gVisor's socket layer turns Nagle's algorithm on for every stream
		// socket it makes, accepted ones too (netstack.go, New).
		ep.SocketOptions().SetDelayOption(true)
	}
	f.EP = ep
	return p.Install(f), nil
}

func (d *Driver) opBind(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	fa, err := bindAddr(f, req.Args.Str("addr"))
	if err != nil {
		return nil, err
	}
	terr := f.EP.Bind(fa)
	if _, ok := terr.(*tcpip.ErrNoPortAvailable); ok {
		// bind says EADDRINUSE for a taken port and for no free port alike.
		return nil, kit.EADDRINUSE
	}
	return 0, fail(terr)
}

// maxListenBacklog is the largest backlog listen takes.
const maxListenBacklog = 1024

func (d *Driver) opListen(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	// listen(2)'s backlog is unsigned, at most 1024 (somaxconn), and one
	// more connection than it says may wait, as gVisor's syscall layer has it
	// (Linux compares the queue's length with ">").
	backlog := uint32(req.Args.Int("backlog"))
	if backlog > maxListenBacklog {
		backlog = maxListenBacklog
	}
	return 0, fail(f.EP.Listen(int(backlog) + 1))
}

func (d *Driver) opConnect(req *kit.Request) (interface{}, error) {
	p, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	text := req.Args.Str("addr")
	if text == "AF_UNSPEC" {
		terr := f.EP.Disconnect()
		if _, ok := terr.(*tcpip.ErrNotSupported); ok {
			// The endpoint has no disconnect (TCP): the socket layer says
			// the family is not supported.
			return nil, kit.EAFNOSUPPORT
		}
		return 0, fail(terr)
	}
	fa, err := peerAddr(f, text)
	if err != nil {
		return nil, err
	}
	result := func(terr tcpip.Error) error {
		if _, ok := terr.(*tcpip.ErrNoPortAvailable); ok && f.Kind == kindStream {
			return kit.EADDRNOTAVAIL // TCP's answer to no free ephemeral port
		}
		return fail(terr)
	}
	if f.NonBlocking() {
		// gVisor's socket layer maps a non-blocking connect's error with
		// its table alone: no free ephemeral port is EAGAIN here.
		return 0, fail(f.EP.Connect(fa))
	}
	// A blocking connect waits for the handshake, also one a non-blocking
	// connect started (Linux and gVisor's socket layer alike); each wakeup
	// asks Connect again, which then gives the handshake's result.
	err = d.block(p, f, waiter.WritableEvents, func() (bool, error) {
		terr := f.EP.Connect(fa)
		switch terr.(type) {
		case *tcpip.ErrConnectStarted, *tcpip.ErrAlreadyConnecting:
			return false, nil
		}
		return true, result(terr)
	})
	return 0, err
}

func (d *Driver) opAccept(req *kit.Request) (interface{}, error) {
	p, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	var peer tcpip.FullAddress
	var nep tcpip.Endpoint
	var nwq *waiter.Queue
	try := func() (bool, error) {
		var terr tcpip.Error
		nep, nwq, terr = f.EP.Accept(&peer)
		if _, ok := terr.(*tcpip.ErrWouldBlock); ok && !f.NonBlocking() {
			return false, nil
		}
		return true, fail(terr)
	}
	if err := d.block(p, f, waiter.ReadableEvents, try); err != nil {
		return nil, err
	}
	nep.SocketOptions().SetDelayOption(true)
	nf := &File{Host: f.Host, Family: f.Family, Kind: f.Kind, Proto: f.Proto, EP: nep, WQ: nwq, refs: 1,
		nonblock: req.Args.Bool("nonblock")}
	return map[string]interface{}{"fd": p.Install(nf), "peer": addrString(f, peer)}, nil
}

// write sends data as send(2)/sendto(2) do: a blocking call waits until all
// of it is taken or an error comes; a count already taken wins over an error.
func (d *Driver) write(p *Process, f *File, data []byte, to *tcpip.FullAddress, dontwait bool) (interface{}, error) {
	r := bytes.NewReader(data)
	total := 0
	opts := tcpip.WriteOptions{To: to}
	err := d.block(p, f, waiter.WritableEvents, func() (bool, error) {
		n, terr := f.EP.Write(r, opts)
		total += int(n)
		if dontwait {
			return true, fail(terr)
		}
		switch terr.(type) {
		case nil:
			return total == len(data), nil
		case *tcpip.ErrWouldBlock:
			return false, nil
		}
		return true, fail(terr)
	})
	if err == kit.ErrStopped {
		return nil, err
	}
	if err != nil && total == 0 {
		return nil, err
	}
	return total, nil
}

func (d *Driver) opSend(req *kit.Request) (interface{}, error) {
	p, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	return d.write(p, f, req.Args.Data("data"), nil, f.NonBlocking())
}

func (d *Driver) opSendto(req *kit.Request) (interface{}, error) {
	p, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	data := req.Args.Data("data")
	fa, err := peerAddr(f, req.Args.Str("addr"))
	if err != nil {
		return nil, err
	}
	return d.write(p, f, data, &fa, f.NonBlocking())
}

// received is what one recv call took.
type received struct {
	data  []byte
	from  *tcpip.FullAddress
	count int // what the call returned
}

// maxIPv4Header is the longest IPv4 header a raw socket's read starts with.
const maxIPv4Header = 60

// read receives as recvfrom(2) does with the flags named.
func (d *Driver) read(p *Process, f *File, size int, flags []string) (*received, error) {
	var peek, dontwait, waitall, trunc bool
	for _, fl := range flags {
		switch fl {
		case "peek":
			peek = true
		case "dontwait":
			dontwait = true
		case "waitall":
			waitall = true
		case "trunc":
			trunc = true
		default:
			return nil, kit.Unsupported("recv flag " + fl)
		}
	}
	if f.NonBlocking() {
		dontwait = true
	}
	if size < 0 {
		return nil, kit.EINVAL
	}
	packet := f.Kind != kindStream
	limit := size
	if f.Kind == kindRaw {
		limit += maxIPv4Header // the IPv4 header comes first; it is left out below
	}
	out := &received{}
	var buf bytes.Buffer
	attempt := func() tcpip.Error {
		var w io.Writer = &buf
		if trunc && !packet {
			w = io.Discard // a stream's MSG_TRUNC discards what it takes
		}
		want := limit - out.count
		if packet {
			want = limit
		}
		res, terr := f.EP.Read(&tcpip.LimitedWriter{W: w, N: int64(want)}, tcpip.ReadOptions{Peek: peek, NeedRemoteAddr: packet})
		if _, ok := terr.(*tcpip.ErrBadBuffer); ok && want == 0 {
			terr = nil
		}
		if terr != nil {
			return terr
		}
		if packet {
			out.count = res.Count
			if trunc {
				out.count = res.Total
			}
			from := res.RemoteAddr
			out.from = &from
		} else if trunc && peek {
			q, qerr := f.EP.GetSockOptInt(tcpip.ReceiveQueueSizeOption)
			if qerr != nil {
				return qerr
			}
			if q > size {
				q = size
			}
			out.count = q
		} else {
			out.count += res.Count
		}
		return nil
	}
	var result error
	done := func(terr tcpip.Error) (bool, error) {
		switch terr.(type) {
		case nil:
			if packet || !waitall || dontwait || out.count >= size {
				return true, nil
			}
			return false, nil // MSG_WAITALL: more to come
		case *tcpip.ErrClosedForReceive:
			if packet && dontwait && out.count == 0 {
				return true, kit.EAGAIN
			}
			return true, nil // end of file
		case *tcpip.ErrWouldBlock:
			if dontwait {
				if out.count > 0 {
					return true, nil
				}
				return true, kit.EAGAIN
			}
			return false, nil
		}
		if out.count > 0 {
			return true, nil
		}
		return true, fail(terr)
	}
	result = d.block(p, f, waiter.ReadableEvents, func() (bool, error) { return done(attempt()) })
	if result != nil {
		return nil, result
	}
	out.data = buf.Bytes()
	if f.Kind == kindRaw && len(out.data) > 0 {
		ihl := int(out.data[0]&0x0f) * 4
		if ihl > len(out.data) {
			ihl = len(out.data)
		}
		out.data = out.data[ihl:]
		if len(out.data) > size {
			out.data = out.data[:size]
		}
		out.count -= ihl
	}
	return out, nil
}

// recvValue is recv's reply: the data, and with MSG_TRUNC what the call
// returned (a stream's: the count alone).
func recvValue(f *File, r *received, flags []string) map[string]interface{} {
	for _, fl := range flags {
		if fl == "trunc" {
			if f.Kind == kindStream {
				return map[string]interface{}{"count": r.count}
			}
			return map[string]interface{}{"data": kit.B64(r.data), "length": r.count}
		}
	}
	return map[string]interface{}{"data": kit.B64(r.data)}
}

// receive is the read of recv, read and recvfrom: the file, what the read
// got, and recv's reply for it.
func (d *Driver) receive(req *kit.Request, flags []string) (*File, *received, map[string]interface{}, error) {
	p, f, err := d.file(req)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.decRef()
	r, err := d.read(p, f, req.Args.Int("size"), flags)
	if err != nil {
		return nil, nil, nil, err
	}
	return f, r, recvValue(f, r, flags), nil
}

func (d *Driver) opRecv(req *kit.Request) (interface{}, error) {
	_, _, v, err := d.receive(req, req.Args.Strings("flags"))
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (d *Driver) opRead(req *kit.Request) (interface{}, error) {
	_, _, v, err := d.receive(req, nil)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (d *Driver) opRecvfrom(req *kit.Request) (interface{}, error) {
	f, r, v, err := d.receive(req, req.Args.Strings("flags"))
	if err != nil {
		return nil, err
	}
	if _, ok := v["data"]; ok {
		if r.from != nil && f.Kind != kindStream {
			from := *r.from
			if f.Kind == kindRaw {
				from.Port = 0
			}
			v["from"] = addrString(f, from)
		} else {
			v["from"] = nil
		}
	}
	return v, nil
}

func (d *Driver) opShutdown(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	var how tcpip.ShutdownFlags
	switch req.Args.Str("how") {
	case "rd":
		how = tcpip.ShutdownRead
	case "wr":
		how = tcpip.ShutdownWrite
	case "rdwr":
		how = tcpip.ShutdownRead | tcpip.ShutdownWrite
	default:
		return nil, kit.EINVAL
	}
	return 0, fail(f.EP.Shutdown(how))
}

func (d *Driver) opClose(req *kit.Request) (interface{}, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, err
	}
	return 0, p.Close(req.Args.Int("fd"))
}

func (d *Driver) opDup(req *kit.Request) (interface{}, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, err
	}
	return p.Dup(req.Args.Int("fd"))
}

func (d *Driver) opFork(req *kit.Request) (interface{}, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, err
	}
	child := req.Args.Str("child")
	c := p.Fork()
	d.mu.Lock()
	old := d.procs[procKey(req.Host, child)]
	d.procs[procKey(req.Host, child)] = c
	d.mu.Unlock()
	if old != nil {
		old.Exit()
	}
	return 0, nil
}

func (d *Driver) opExit(req *kit.Request) (interface{}, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, err
	}
	p.Exit()
	return 0, nil
}

func (d *Driver) opGetsockname(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	fa, terr := f.EP.GetLocalAddress()
	if terr != nil {
		return nil, fail(terr)
	}
	if f.Kind == kindRaw {
		fa.Port = 0
	}
	return addrString(f, fa), nil
}

func (d *Driver) opGetpeername(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	fa, terr := f.EP.GetRemoteAddress()
	if terr != nil {
		return nil, fail(terr)
	}
	return addrString(f, fa), nil
}

// bufSize is what SO_SNDBUF/SO_RCVBUF set from a value: doubled (room for
// bookkeeping) within the endpoint's limits, as gVisor's socket layer does.
func bufSize(v, min, max int64) int64 {
	if v > max {
		v = max
	}
	if v < math.MaxInt32/2 {
		v *= 2
		if v < min {
			v = min
		}
	} else {
		v = math.MaxInt32
	}
	return v
}

func (d *Driver) opSetsockopt(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	v := req.Args.Int("value")
	so := f.EP.SocketOptions()
	switch name := req.Args.Str("option"); name {
	case "SO_REUSEADDR":
		so.SetReuseAddress(v != 0)
	case "SO_REUSEPORT":
		so.SetReusePort(v != 0)
	case "SO_KEEPALIVE":
		so.SetKeepAlive(v != 0)
	case "SO_BROADCAST":
		so.SetBroadcast(v != 0)
	case "TCP_NODELAY":
		if f.Kind != kindStream {
			return nil, kit.ENOPROTOOPT // an IPPROTO_TCP option on a socket that is not TCP
		}
		so.SetDelayOption(v == 0)
	case "SO_LINGER":
		so.SetLinger(tcpip.LingerOption{Enabled: v != 0,
			Timeout: time.Duration(req.Args.IntOr("linger", 0)) * time.Second})
	case "IPV6_V6ONLY":
		// gVisor's socket layer (netstack.go, setSockOptIPv6): an IPPROTO_IPV6
		// option of a socket that is not INET6 is ENOPROTOOPT; IPV6_V6ONLY is
		// set only before the socket has a port (a TCP endpoint in its
		// initial state, a UDP one in its initial state), else EINVAL.
		if f.Family != familyInet6 {
			return nil, kit.ENOPROTOOPT
		}
		switch f.Kind {
		case kindStream:
			if tcp.EndpointState(f.EP.State()) != tcp.StateInitial {
				return nil, kit.EINVAL
			}
		case kindDgram:
			if transport.DatagramEndpointState(f.EP.State()) != transport.DatagramEndpointStateInitial {
				return nil, kit.EINVAL
			}
		}
		so.SetV6Only(v != 0)
	case "SO_SNDBUF":
		min, max := so.SendBufferLimits()
		so.SetSendBufferSize(bufSize(int64(uint32(v)), min, max), true)
	case "SO_RCVBUF":
		min, max := so.ReceiveBufferLimits()
		so.SetReceiveBufferSize(bufSize(int64(uint32(v)), min, max), true)
	default:
		return nil, kit.Unsupported("socket option " + name)
	}
	return 0, nil
}

func boolValue(b bool) map[string]interface{} {
	if b {
		return map[string]interface{}{"value": 1}
	}
	return map[string]interface{}{"value": 0}
}

func (d *Driver) opGetsockopt(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	so := f.EP.SocketOptions()
	switch name := req.Args.Str("option"); name {
	case "SO_ERROR":
		if terr := so.GetLastError(); terr != nil {
			return map[string]interface{}{"value": string(errnoOf(terr))}, nil
		}
		return map[string]interface{}{"value": 0}, nil
	case "SO_TYPE":
		return map[string]interface{}{"value": map[string]string{kindStream: "STREAM", kindDgram: "DGRAM", kindRaw: "RAW"}[f.Kind]}, nil
	case "SO_DOMAIN":
		return map[string]interface{}{"value": f.Family}, nil
	case "IPV6_V6ONLY":
		// netstack.go, getSockOptIPv6: EOPNOTSUPP on a socket that is not INET6.
		if f.Family != familyInet6 {
			return nil, kit.EOPNOTSUPP
		}
		return boolValue(so.GetV6Only()), nil
	case "SO_PROTOCOL":
		return map[string]interface{}{"value": f.Proto}, nil
	case "SO_ACCEPTCONN":
		return boolValue(f.Kind == kindStream && tcp.EndpointState(f.EP.State()) == tcp.StateListen), nil
	case "SO_REUSEADDR":
		return boolValue(so.GetReuseAddress()), nil
	case "SO_REUSEPORT":
		return boolValue(so.GetReusePort()), nil
	case "SO_KEEPALIVE":
		return boolValue(so.GetKeepAlive()), nil
	case "SO_BROADCAST":
		return boolValue(so.GetBroadcast()), nil
	case "TCP_NODELAY":
		if f.Kind != kindStream {
			return nil, kit.ENOPROTOOPT
		}
		return boolValue(!so.GetDelayOption()), nil
	case "SO_LINGER":
		l := so.GetLinger()
		on := 0
		if l.Enabled {
			on = 1
		}
		return map[string]interface{}{"value": []int{on, int(l.Timeout.Seconds())}}, nil
	case "SO_SNDBUF":
		return map[string]interface{}{"value": so.GetSendBufferSize()}, nil
	case "SO_RCVBUF":
		return map[string]interface{}{"value": so.GetReceiveBufferSize()}, nil
	default:
		return nil, kit.Unsupported("socket option " + name)
	}
}

func (d *Driver) opFcntl(req *kit.Request) (interface{}, error) {
	_, f, err := d.file(req)
	if err != nil {
		return nil, err
	}
	defer f.decRef()
	f.SetNonBlocking(req.Args.Bool("nonblock"))
	return 0, nil
}

// pollEvents are poll's event names and netstack's readiness bits.
var pollEvents = []struct {
	name string
	mask waiter.EventMask
}{
	{"in", waiter.EventIn}, {"out", waiter.EventOut},
	{"err", waiter.EventErr}, {"hup", waiter.EventHUp},
}

type pollEntry struct {
	Fd     int      `json:"fd"`
	Events []string `json:"events"`
}

func (d *Driver) opPoll(req *kit.Request) (interface{}, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, err
	}
	var entries []pollEntry
	req.Args.Decode("fds", &entries)
	timeout := req.Args.Int("timeout")
	files := make([]*File, len(entries))
	masks := make([]waiter.EventMask, len(entries))
	for i, e := range entries {
		if f, err := p.Hold(e.Fd); err == nil {
			files[i] = f
			defer f.decRef()
		}
		masks[i] = waiter.EventErr | waiter.EventHUp // always reported
		for _, name := range e.Events {
			switch name {
			case "in":
				masks[i] |= waiter.EventIn
			case "out":
				masks[i] |= waiter.EventOut
			case "rdhup":
				return nil, kit.Unsupported("poll rdhup: netstack's Readiness has no RDHUP event")
			default:
				return nil, kit.EINVAL
			}
		}
	}
	look := func() ([][]string, bool) {
		out := make([][]string, len(entries))
		ready := false
		for i, f := range files {
			out[i] = []string{}
			if f == nil {
				out[i] = append(out[i], "nval")
				ready = true
				continue
			}
			got := f.EP.Readiness(masks[i]) & masks[i]
			for _, ev := range pollEvents {
				if got&ev.mask != 0 {
					out[i] = append(out[i], ev.name)
					ready = true
				}
			}
		}
		return out, ready
	}
	wake := make(chan struct{}, 1)
	for i, f := range files {
		if f == nil {
			continue
		}
		e := waiter.NewFunctionEntry(masks[i]|waiter.ReadableEvents|waiter.WritableEvents, func(waiter.EventMask) {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		f.WQ.EventRegister(&e)
		defer f.WQ.EventUnregister(&e)
	}
	gone := p.Gone()
	var timer <-chan time.Time
	if timeout > 0 {
		timer = time.After(time.Duration(timeout) * time.Millisecond)
	}
	for {
		out, ready := look()
		if ready || timeout == 0 {
			return map[string]interface{}{"revents": out}, nil
		}
		select {
		case <-wake:
		case <-timer:
			out, _ = look()
			return map[string]interface{}{"revents": out}, nil
		case <-gone:
			return nil, kit.ErrStopped
		case <-d.srv.Done():
			return nil, kit.ErrStopped
		}
	}
}

func (d *Driver) opSettle(req *kit.Request) (interface{}, error) {
	d.mu.Lock()
	n := d.net
	d.mu.Unlock()
	if n != nil {
		n.Settle(d.srv.Done())
	}
	return 0, nil
}
