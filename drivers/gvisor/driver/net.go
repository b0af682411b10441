package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"gvisor.dev/gvisor/pkg/bufferv2"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/raw"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

const (
	nicID      = 1
	linkMTU    = 1500
	queueSize  = 4096
	prefixLen  = 24
	prefixLen6 = 32 // 2001:db8::/32, the documentation prefix the hosts' IPv6 addresses come from
)

// Host is one modelled host: a netstack of its own with one NIC, a channel
// link endpoint whose outbound packets the wire carries to the other hosts.
type Host struct {
	Name  string
	Addr  tcpip.Address
	Addr6 tcpip.Address // "" when the trace makes no IPv6 call: the stack then has no IPv6 at all
	Stack *stack.Stack
	Link  *channel.Endpoint

	written   atomic.Int64 // packets the stack put on its link
	delivered atomic.Int64 // packets the wire took off the link and handed on
}

// WriteNotify implements channel.Notification: counts outbound packets.
func (h *Host) WriteNotify() { h.written.Add(1) }

// Network is every host of a trace and the wire between them.
type Network struct {
	Hosts  []*Host
	byName map[string]*Host
	byAddr map[tcpip.Address]*Host
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// parseIPv4 turns dotted text into a netstack address; ok is false for
// anything that is not IPv4.
func parseIPv4(text string) (tcpip.Address, bool) {
	ip := net.ParseIP(text)
	if ip == nil {
		return "", false
	}
	v4 := ip.To4()
	if v4 == nil {
		return "", false
	}
	return tcpip.Address(string(v4)), true
}

// parseIPv6 turns IPv6 text (no brackets) into a netstack address of 16
// bytes; ok is false for anything else (IPv4 text included).
func parseIPv6(text string) (tcpip.Address, bool) {
	a, err := netip.ParseAddr(text)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", false
	}
	b := a.As16()
	return tcpip.Address(string(b[:])), true
}

// addrText is the dotted text of a netstack IPv4 address ("" is 0.0.0.0).
func addrText(a tcpip.Address) string {
	if len(a) == 0 {
		return "0.0.0.0"
	}
	if len(a) == 4 {
		return fmt.Sprintf("%d.%d.%d.%d", a[0], a[1], a[2], a[3])
	}
	return a.String()
}

// addr6Text is a netstack address as an INET6 socket shows it, in RFC 5952's
// form: "" is ::, an IPv4 address is v4-mapped (::ffff:192.0.2.1), as the
// socket layer converts them (pkg/sentry/socket/socket.go, ConvertAddress).
func addr6Text(a tcpip.Address) string {
	var b [16]byte
	switch len(a) {
	case 4:
		b[10], b[11] = 0xff, 0xff
		copy(b[12:], a)
	case 16:
		copy(b[:], a)
	}
	return netip.AddrFrom16(b).String()
}

// inDocNet6 says whether a is in 2001:db8::/32, the network this driver
// gives hosts' IPv6 addresses from.
func inDocNet6(a tcpip.Address) bool {
	return len(a) == 16 && a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8
}

// newHost makes a stack with IPv4, TCP, UDP, ICMP and raw endpoints, one NIC with
// the host's /24 address and a route for the /24 through it. With an IPv6
// address (a trace with IPv6 calls) the stack has IPv6 too, the NIC that
// address as well, and a route for 2001:db8::/32 through it.
//
// IPv6 comes with ipv6.NewProtocol's defaults, all off: no duplicate
// address detection (DADConfigurations' DupAddrDetectTransmits is 0, so the
// address is usable at once), no router solicitations (MaxRtrSolicitations
// 0), no MLD reports (MLDOptions.Enabled false), no link-local address
// (AutoGenLinkLocal false); the channel link needs no neighbour resolution
// (no CapabilityResolutionRequired). So the stack sends nothing of its own
// and settle goes quiet as with IPv4 alone.
func newHost(name string, addr, addr6 tcpip.Address) (*Host, error) {
	netProtos := []stack.NetworkProtocolFactory{ipv4.NewProtocol}
	if addr6 != "" {
		netProtos = append(netProtos, ipv6.NewProtocol)
	}
	s := stack.New(stack.Options{
		NetworkProtocols:   netProtos,
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol, icmp.NewProtocol4},
		HandleLocal:        true,
		RawFactory:         raw.EndpointFactory{},
	})
	// The options runsc gives its sandbox stacks (runsc/boot/loader.go,
	// newEmptySandboxNetworkStack): SACK, receive buffer auto-tuning, TTL 64.
	// Netstack's TCP has no delayed-ACK timer; Nagle's algorithm (on for
	// every stream socket, below) holds data back only until an ACK comes,
	// which settle waits for.
	sack := tcpip.TCPSACKEnabled(true)
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &sack); err != nil {
		return nil, fmt.Errorf("TCPSACKEnabled: %v", err)
	}
	moderate := tcpip.TCPModerateReceiveBufferOption(true)
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &moderate); err != nil {
		return nil, fmt.Errorf("TCPModerateReceiveBufferOption: %v", err)
	}
	ttl := tcpip.DefaultTTLOption(64)
	if err := s.SetNetworkProtocolOption(ipv4.ProtocolNumber, &ttl); err != nil {
		return nil, fmt.Errorf("DefaultTTLOption: %v", err)
	}
	link := channel.New(queueSize, linkMTU, "")
	if err := s.CreateNIC(nicID, link); err != nil {
		return nil, fmt.Errorf("CreateNIC: %v", err)
	}
	pa := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{Address: addr, PrefixLen: prefixLen}}
	if err := s.AddProtocolAddress(nicID, pa, stack.AddressProperties{}); err != nil {
		return nil, fmt.Errorf("AddProtocolAddress: %v", err)
	}
	routes := []tcpip.Route{{Destination: pa.AddressWithPrefix.Subnet(), NIC: nicID}}
	if addr6 != "" {
		pa6 := tcpip.ProtocolAddress{Protocol: ipv6.ProtocolNumber,
			AddressWithPrefix: tcpip.AddressWithPrefix{Address: addr6, PrefixLen: prefixLen6}}
		if err := s.AddProtocolAddress(nicID, pa6, stack.AddressProperties{}); err != nil {
			return nil, fmt.Errorf("AddProtocolAddress %s: %v", addr6Text(addr6), err)
		}
		routes = append(routes, tcpip.Route{Destination: pa6.AddressWithPrefix.Subnet(), NIC: nicID})
	}
	s.SetRouteTable(routes)
	h := &Host{Name: name, Addr: addr, Addr6: addr6, Stack: s, Link: link}
	link.AddNotify(h)
	return h, nil
}

// NewNetwork makes the hosts and starts the wire. addrs6 is nil, or an IPv6
// address for every host (a trace with IPv6 calls).
func NewNetwork(names []string, addrs, addrs6 []tcpip.Address) (*Network, error) {
	n := &Network{byName: map[string]*Host{}, byAddr: map[tcpip.Address]*Host{}}
	for i, name := range names {
		var a6 tcpip.Address
		if addrs6 != nil {
			a6 = addrs6[i]
		}
		h, err := newHost(name, addrs[i], a6)
		if err != nil {
			return nil, fmt.Errorf("host %s: %v", name, err)
		}
		n.Hosts = append(n.Hosts, h)
		n.byName[name] = h
		n.byAddr[addrs[i]] = h
		if a6 != "" {
			n.byAddr[a6] = h
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	for _, h := range n.Hosts {
		n.wg.Add(1)
		go n.carry(ctx, h)
	}
	return n, nil
}

// Host by name (nil if none).
func (n *Network) Host(name string) *Host { return n.byName[name] }

// carry moves the packets host src puts on its link to the host owning the
// destination address (to every other host for an IPv4 broadcast); packets
// for no host are dropped, as on a wire with nobody at that address (IPv6
// multicast too: the stacks send none of their own, newHost).
func (n *Network) carry(ctx context.Context, src *Host) {
	defer n.wg.Done()
	for {
		pkt := src.Link.ReadContext(ctx)
		if pkt.IsNil() {
			return
		}
		buf := pkt.ToBuffer()
		bytes := buf.Flatten()
		buf.Release()
		pkt.DecRef()
		var targets []*Host
		proto := ipv4.ProtocolNumber
		if len(bytes) > 0 && bytes[0]>>4 == 6 {
			proto = ipv6.ProtocolNumber
			if len(bytes) >= header.IPv6MinimumSize {
				if h := n.byAddr[header.IPv6(bytes).DestinationAddress()]; h != nil {
					targets = append(targets, h)
				}
			}
		} else if len(bytes) >= header.IPv4MinimumSize {
			dst := header.IPv4(bytes).DestinationAddress()
			if h := n.byAddr[dst]; h != nil {
				targets = append(targets, h)
			} else if dst == header.IPv4Broadcast || (len(dst) == 4 && dst[3] == 0xff && dst[:3] == src.Addr[:3]) {
				for _, h := range n.Hosts {
					if h != src {
						targets = append(targets, h)
					}
				}
			}
		}
		for _, h := range targets {
			in := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: bufferv2.MakeWithData(bytes)})
			h.Link.InjectInbound(proto, in)
			in.DecRef()
		}
		src.delivered.Add(1)
	}
}

// owned says whether a host of the network has the address.
func (n *Network) owned(a tcpip.Address) bool { return n.byAddr[a] != nil }

// Close stops the wire and the stacks.
func (n *Network) Close() {
	n.cancel()
	for _, h := range n.Hosts {
		h.Stack.Close()
	}
}

// awaitingPeer are the TCP states in which a segment of the peer is due.
var awaitingPeer = map[tcp.EndpointState]bool{
	tcp.StateConnecting: true, tcp.StateSynSent: true, tcp.StateSynRecv: true,
	tcp.StateFinWait1: true, tcp.StateClosing: true, tcp.StateLastAck: true,
}

// quiet says whether nothing is on the wire and no TCP endpoint waits for
// a segment; it also returns the packet count, so that two quiet looks can
// be compared.
func (n *Network) quiet() (bool, int64) {
	var total int64
	ok := true
	for _, h := range n.Hosts {
		w, d := h.written.Load(), h.delivered.Load()
		total += w
		if w != d || h.Link.NumQueued() != 0 {
			ok = false
		}
		for _, ep := range h.Stack.RegisteredEndpoints() {
			e, isEp := ep.(tcpip.Endpoint)
			if !isEp {
				continue
			}
			if info, isInfo := e.Info().(*stack.TransportEndpointInfo); isInfo && info.TransProto == tcp.ProtocolNumber {
				// A SYN to an address no host owns is never answered: it does
				// not keep the network from settling.
				if awaitingPeer[tcp.EndpointState(e.State())] && n.owned(info.ID.RemoteAddress) {
					ok = false
				}
			}
		}
	}
	return ok, total
}

// settleLimit bounds a settle; a connect to an address nobody has, say,
// stays in SYN-SENT for good.
const settleLimit = time.Second

// Settle returns once the wire is empty, no TCP endpoint waits for its
// peer and three looks 1 ms apart saw no new packet, or after settleLimit.
func (n *Network) Settle(done <-chan struct{}) {
	deadline := time.Now().Add(settleLimit)
	calm := 0
	var last int64 = -1
	for time.Now().Before(deadline) {
		ok, total := n.quiet()
		if ok && total == last {
			calm++
			if calm >= 3 {
				return
			}
		} else {
			calm = 0
		}
		last = total
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
		}
	}
}
