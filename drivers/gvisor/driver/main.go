// Command sockcheck-gvisor is a sockcheck driver (driver protocol version 2,
// docs/driver-protocol.md) over gVisor's netstack (pkg/tcpip) used as a
// library: one netstack per modelled host, each with one NIC on a channel
// link, and a wire in this process that carries each host's outbound
// packets to the host owning the destination address. Nothing leaves the
// process ("network":"own"); descriptor numbers are the driver's own, per
// modelled process ("fds":"own").
package main

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"sockcheck/kit"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// stackName names the netstack snapshot this driver is built against.
const stackName = "gvisor-netstack-20221219"

// offered are the operations and capabilities of hello's answer. Not "raw": netstack opens raw
// endpoints of protocols 1, 6, 17 and 255 only, and the spec's walks and the corpus use 253, so every
// walk with a raw socket would stop there (SKIP); without "raw" walks have none and go deeper.
var offered = []string{
	"socket", "bind", "listen", "connect", "accept", "send", "recv", "sendto", "recvfrom",
	"shutdown", "close", "getsockname", "getpeername", "setsockopt", "getsockopt",
	"sockets", "settle", "threads", "fcntl", "poll", "dup", "fork", "exit", "read", "write",
	"recv-flags", "recv-trunc", "connect-unspec", "ipv6",
}

// Driver holds the network and the modelled processes.
type Driver struct {
	srv   *kit.Driver
	mu    sync.Mutex
	net   *Network
	procs map[string]*Process // by host + "\x00" + process
}

func procKey(host, process string) string { return host + "\x00" + process }

// process is the request's modelled process, made on first use.
func (d *Driver) process(req *kit.Request) (*Process, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.net == nil {
		return nil, kit.Unsupported("no hosts: hello named none")
	}
	key := procKey(req.Host, req.Process)
	if p := d.procs[key]; p != nil {
		return p, nil
	}
	h := d.net.Host(req.Host)
	if h == nil {
		return nil, kit.Unsupported("unknown host " + req.Host)
	}
	p := NewProcess(h)
	d.procs[key] = p
	return p, nil
}

// file is the request's process and the file of args.fd (EBADF if none),
// with a reference the caller drops (decRef) when its call returns: as in a
// kernel, a close in another thread does not end a call under way.
func (d *Driver) file(req *kit.Request) (*Process, *File, error) {
	p, err := d.process(req)
	if err != nil {
		return nil, nil, err
	}
	f, err := p.Hold(req.Args.Int("fd"))
	if err != nil {
		return nil, nil, err
	}
	return p, f, nil
}

type helloHost struct {
	Name  string `json:"name"`
	Addr  string `json:"addr"`
	Addr6 string `json:"addr6"` // only in a trace with IPv6 calls
}

type helloProcess struct {
	Host    string `json:"host"`
	Process string `json:"process"`
}

func (d *Driver) hello(req *kit.Request) (interface{}, error) {
	var hosts []helloHost
	var procs []helloProcess
	if req.Args.Has("hosts") {
		req.Args.Decode("hosts", &hosts)
	}
	if req.Args.Has("processes") {
		req.Args.Decode("processes", &procs)
	}
	answer := map[string]interface{}{
		"protocol": 2, "name": stackName, "network": "own", "fds": "own", "ops": offered,
	}
	if len(hosts) == 0 {
		return answer, nil // a probe
	}
	var names []string
	var addrs, addrs6 []tcpip.Address
	for _, h := range hosts {
		if h.Addr6 != "" {
			addrs6 = []tcpip.Address{} // a trace with IPv6 calls: every host has one
			break
		}
	}
	for _, h := range hosts {
		a, ok := parseIPv4(h.Addr)
		if !ok || !inTestNet(a) {
			return nil, kit.Unsupported("host " + h.Name + ": address " + h.Addr + " is not in 192.0.2.0/24")
		}
		names = append(names, h.Name)
		addrs = append(addrs, a)
		if addrs6 != nil {
			a6, ok := parseIPv6(h.Addr6)
			if !ok || !inDocNet6(a6) {
				return nil, kit.Unsupported("host " + h.Name + ": IPv6 address " + h.Addr6 + " is not in 2001:db8::/32")
			}
			addrs6 = append(addrs6, a6)
		}
	}
	n, err := NewNetwork(names, addrs, addrs6)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.net != nil {
		d.net.Close()
	}
	d.net = n
	d.procs = map[string]*Process{}
	d.mu.Unlock()
	for _, p := range procs {
		if _, err := d.process(&kit.Request{Host: p.Host, Process: p.Process}); err != nil {
			return nil, err
		}
	}
	return answer, nil
}

// inTestNet says whether a is in 192.0.2.0/24, the only network this
// driver gives hosts.
func inTestNet(a tcpip.Address) bool {
	return len(a) == 4 && a[0] == 192 && a[1] == 0 && a[2] == 2
}

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-h" || os.Args[1] == "--help") {
		fmt.Println("sockcheck-gvisor: a sockcheck driver (protocol 2) over gVisor's netstack; speaks JSON Lines on stdin/stdout")
		return
	}
	srv := kit.New(os.Stdout)
	d := &Driver{srv: srv, procs: map[string]*Process{}}
	srv.Handlers["hello"] = d.hello
	for name, h := range d.handlers() {
		srv.Handlers[name] = h
	}
	if err := srv.Serve(os.Stdin); err != nil && !strings.Contains(err.Error(), "closed") {
		srv.Logf("reading requests: %v", err)
	}
	srv.Finish(200 * time.Millisecond)
	os.Exit(0)
}
