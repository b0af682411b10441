package main

import (
	"fmt"
	"sort"

	"sockcheck/kit"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

// tcpStates names netstack's TCP states in RFC 9293 spelling. Netstack's
// internal states are left out: StateInitial and StateBound are not in a
// socket table, StateError is a closed socket, and StateConnecting (connect
// called, SYN not yet sent) is reported as SYN-SENT, as Linux would.
var tcpStates = map[tcp.EndpointState]string{
	tcp.StateEstablished: "ESTABLISHED",
	tcp.StateSynSent:     "SYN-SENT",
	tcp.StateConnecting:  "SYN-SENT",
	tcp.StateSynRecv:     "SYN-RECEIVED",
	tcp.StateFinWait1:    "FIN-WAIT-1",
	tcp.StateFinWait2:    "FIN-WAIT-2",
	tcp.StateTimeWait:    "TIME-WAIT",
	tcp.StateCloseWait:   "CLOSE-WAIT",
	tcp.StateLastAck:     "LAST-ACK",
	tcp.StateListen:      "LISTEN",
	tcp.StateClosing:     "CLOSING",
}

// Row is one socket table row.
type Row struct {
	FD     *int    `json:"fd,omitempty"`
	Proto  string  `json:"proto"`
	Local  string  `json:"local"`
	Remote *string `json:"remote"`
	State  string  `json:"state,omitempty"`
}

// endpointText is a row's address: an INET socket's as /proc/net/tcp and udp
// list it, an INET6 socket's (v6 true) as tcp6 and udp6 do, in brackets,
// its IPv4 addresses v4-mapped.
func endpointText(a tcpip.Address, port uint16, v6 bool) string {
	if v6 {
		return fmt.Sprintf("[%s]:%d", addr6Text(a), port)
	}
	return fmt.Sprintf("%s:%d", addrText(a), port)
}

// rows is host h's socket table, from the endpoints registered with its
// stack's demultiplexer (listeners, connections including TIME-WAIT and
// those not yet accepted, UDP endpoints with a local port). Rows the
// process p holds carry its lowest descriptor for them.
func rows(h *Host, p *Process) []Row {
	holders := map[tcpip.Endpoint]int{}
	if p != nil {
		holders = p.Holders()
	}
	seen := map[uint64]bool{}
	out := []Row{}
	for _, te := range h.Stack.RegisteredEndpoints() {
		if seen[te.UniqueID()] {
			continue
		}
		seen[te.UniqueID()] = true
		ep, ok := te.(tcpip.Endpoint)
		if !ok {
			continue
		}
		info, ok := ep.Info().(*stack.TransportEndpointInfo)
		if !ok {
			continue
		}
		id := info.ID
		var row Row
		switch info.TransProto {
		case tcp.ProtocolNumber:
			state, listed := tcpStates[tcp.EndpointState(ep.State())]
			if !listed {
				continue
			}
			row = Row{Proto: "tcp", State: state}
		case udp.ProtocolNumber:
			if id.LocalPort == 0 {
				continue
			}
			row = Row{Proto: "udp"}
			// A UDP endpoint stays registered under the address it bound
			// (the wildcard, say) when it connects; its local address is
			// then its route's, which getsockname gives and which gVisor's
			// /proc/net/udp shows (it asks getsockname).
			if la, err := ep.GetLocalAddress(); err == nil {
				id.LocalAddress = la.Addr
			}
		default:
			continue
		}
		// An endpoint's network protocol is its socket's family, also for
		// an INET6 socket's IPv4 traffic and for the connections an INET6
		// listener accepts (transport/tcp/accept.go, createConnectingEndpoint,
		// takes the listener's).
		v6 := info.NetProto == header.IPv6ProtocolNumber
		row.Local = endpointText(id.LocalAddress, id.LocalPort, v6)
		if id.RemotePort != 0 || len(id.RemoteAddress) != 0 {
			r := endpointText(id.RemoteAddress, id.RemotePort, v6)
			row.Remote = &r
		}
		if fd, held := holders[ep]; held {
			fd := fd
			row.FD = &fd
		}
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		if a.Local != b.Local {
			return a.Local < b.Local
		}
		ra, rb := "", ""
		if a.Remote != nil {
			ra = *a.Remote
		}
		if b.Remote != nil {
			rb = *b.Remote
		}
		return ra < rb
	})
	return out
}

func (d *Driver) opSockets(req *kit.Request) (interface{}, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	n := d.net
	d.mu.Unlock()
	n.Settle(d.srv.Done())
	return rows(p.Host, p), nil
}
