package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"gvisor.dev/gvisor/pkg/bufferv2"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/raw"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

const (
	nicID     = 1
	linkMTU   = 1500
	queueSize = 4096
	prefixLen = 24
)

// Host is one modelled host: a netstack of its own with one NIC, a channel
// link endpoint whose outbound packets the wire carries to the other hosts.
type Host struct {
	Name  string
	Addr  tcpip.Address
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

// newHost makes a stack with IPv4, TCP, UDP, ICMP and raw endpoints, one NIC with
// the host's /24 address and a route for the /24 through it.
func newHost(name string, addr tcpip.Address) (*Host, error) {
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol},
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
	s.SetRouteTable([]tcpip.Route{{Destination: pa.AddressWithPrefix.Subnet(), NIC: nicID}})
	h := &Host{Name: name, Addr: addr, Stack: s, Link: link}
	link.AddNotify(h)
	return h, nil
}

// NewNetwork makes the hosts and starts the wire.
func NewNetwork(names []string, addrs []tcpip.Address) (*Network, error) {
	n := &Network{byName: map[string]*Host{}, byAddr: map[tcpip.Address]*Host{}}
	for i, name := range names {
		h, err := newHost(name, addrs[i])
		if err != nil {
			return nil, fmt.Errorf("host %s: %v", name, err)
		}
		n.Hosts = append(n.Hosts, h)
		n.byName[name] = h
		n.byAddr[addrs[i]] = h
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
// destination address (to every other host for a broadcast); packets for
// no host are dropped, as on a wire with nobody at that address.
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
		if len(bytes) >= header.IPv4MinimumSize {
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
			h.Link.InjectInbound(ipv4.ProtocolNumber, in)
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
