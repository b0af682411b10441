package main

import (
	"sync"

	"sockcheck/kit"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/waiter"
)

// Socket kinds.
const (
	kindStream = "stream"
	kindDgram  = "dgram"
	kindRaw    = "raw"
)

// Socket families.
const (
	familyInet  = "INET"
	familyInet6 = "INET6"
)

// File is an open socket: what a descriptor refers to. dup and fork give
// it more descriptors; the endpoint closes when the last one does.
type File struct {
	Host   *Host
	Family string // familyInet or familyInet6
	Kind   string
	Proto  int // the protocol number: 6, 17, or a raw socket's
	EP     tcpip.Endpoint
	WQ     *waiter.Queue

	mu       sync.Mutex
	refs     int
	nonblock bool // O_NONBLOCK: the open file's flag, shared by its descriptors
}

// af is the address family of the socket's own sockaddrs.
func (f *File) af() int {
	if f.Family == familyInet6 {
		return afInet6
	}
	return afInet
}

// NonBlocking reports O_NONBLOCK.
func (f *File) NonBlocking() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nonblock
}

// SetNonBlocking sets or clears O_NONBLOCK.
func (f *File) SetNonBlocking(v bool) {
	f.mu.Lock()
	f.nonblock = v
	f.mu.Unlock()
}

func (f *File) incRef() {
	f.mu.Lock()
	f.refs++
	f.mu.Unlock()
}

// decRef drops a descriptor; the last one closes the endpoint.
func (f *File) decRef() {
	f.mu.Lock()
	f.refs--
	last := f.refs == 0
	f.mu.Unlock()
	if last {
		f.EP.Close()
	}
}

// Process is a modelled process: its host and its descriptor table.
type Process struct {
	Host *Host
	mu   sync.Mutex
	fds  map[int]*File
	gone chan struct{} // closed when the process exits
}

// NewProcess is a process of host h with no descriptors.
func NewProcess(h *Host) *Process {
	return &Process{Host: h, fds: map[int]*File{}, gone: make(chan struct{})}
}

// Gone is closed when the process exits: its calls under way end.
func (p *Process) Gone() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gone
}

// firstFD is the first descriptor number handed out, as in a fresh POSIX
// process (the runner maps numbers anyway: "fds":"own").
const firstFD = 3

// Install gives f the lowest free descriptor (f's reference is the
// caller's, now the descriptor's).
func (p *Process) Install(f *File) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	fd := firstFD
	for p.fds[fd] != nil {
		fd++
	}
	p.fds[fd] = f
	return fd
}

// Get is the file of a descriptor, or EBADF.
func (p *Process) Get(fd int) (*File, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.fds[fd]; f != nil {
		return f, nil
	}
	return nil, kit.EBADF
}

// Hold is the file of a descriptor with a reference for a call under way
// (dropped with decRef), or EBADF.
func (p *Process) Hold(fd int) (*File, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.fds[fd]; f != nil {
		f.incRef()
		return f, nil
	}
	return nil, kit.EBADF
}

// Close drops a descriptor.
func (p *Process) Close(fd int) error {
	p.mu.Lock()
	f := p.fds[fd]
	delete(p.fds, fd)
	p.mu.Unlock()
	if f == nil {
		return kit.EBADF
	}
	f.decRef()
	return nil
}

// Dup gives the file of fd a second, lowest free, descriptor.
func (p *Process) Dup(fd int) (int, error) {
	f, err := p.Hold(fd) // the new descriptor's reference
	if err != nil {
		return 0, err
	}
	return p.Install(f), nil
}

// Fork makes a child holding every descriptor of p, same numbers.
func (p *Process) Fork() *Process {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := NewProcess(p.Host)
	for fd, f := range p.fds {
		f.incRef()
		c.fds[fd] = f
	}
	return c
}

// Exit closes every descriptor.
func (p *Process) Exit() {
	p.mu.Lock()
	fds := p.fds
	p.fds = map[int]*File{}
	close(p.gone)
	p.gone = make(chan struct{}) // for a process of the same name later
	p.mu.Unlock()
	for _, f := range fds {
		f.decRef()
	}
}

// Holders maps each endpoint to the lowest descriptor p holds for it.
func (p *Process) Holders() map[tcpip.Endpoint]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[tcpip.Endpoint]int{}
	for fd, f := range p.fds {
		if old, ok := out[f.EP]; !ok || fd < old {
			out[f.EP] = fd
		}
	}
	return out
}
