// Package kit is the protocol half of a sockcheck driver written in Go: it
// reads driver-protocol requests (docs/driver-protocol.md, JSON Lines on
// standard input), runs each modelled thread's requests on a goroutine of
// its own, and writes each reply as one whole line on standard output.
//
// A driver makes a Driver with New, puts a Handler per operation in its
// Handlers and calls Serve(os.Stdin). A handler returns the reply's
// value, or an error: an Errno (the call failed with that errno), an
// Unsupported (the stack cannot express the call), or anything else (the
// driver itself failed; it is answered as EINVAL and logged on stderr).
//
// Blocking handlers select on Done(), which is closed when standard input
// ends, and return ErrStopped: the driver then exits without waiting for
// them.
package kit

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Errno is a call's failure, by its POSIX name ("EADDRINUSE").
type Errno string

func (e Errno) Error() string { return string(e) }

// The errno names drivers use most; any POSIX name may be used as an Errno.
const (
	EACCES        Errno = "EACCES"
	EADDRINUSE    Errno = "EADDRINUSE"
	EADDRNOTAVAIL Errno = "EADDRNOTAVAIL"
	EAFNOSUPPORT  Errno = "EAFNOSUPPORT"
	EAGAIN        Errno = "EAGAIN"
	EALREADY      Errno = "EALREADY"
	EBADF         Errno = "EBADF"
	ECONNABORTED  Errno = "ECONNABORTED"
	ECONNREFUSED  Errno = "ECONNREFUSED"
	ECONNRESET    Errno = "ECONNRESET"
	EDESTADDRREQ  Errno = "EDESTADDRREQ"
	EEXIST        Errno = "EEXIST"
	EFAULT        Errno = "EFAULT"
	EHOSTUNREACH  Errno = "EHOSTUNREACH"
	EINPROGRESS   Errno = "EINPROGRESS"
	EINVAL        Errno = "EINVAL"
	EISCONN       Errno = "EISCONN"
	EMSGSIZE      Errno = "EMSGSIZE"
	ENETUNREACH   Errno = "ENETUNREACH"
	ENOBUFS       Errno = "ENOBUFS"
	ENODEV        Errno = "ENODEV"
	ENOENT        Errno = "ENOENT"
	ENOPROTOOPT   Errno = "ENOPROTOOPT"
	ENOTCONN      Errno = "ENOTCONN"
	ENOTSOCK      Errno = "ENOTSOCK"
	ENOTTY        Errno = "ENOTTY"
	EOPNOTSUPP    Errno = "EOPNOTSUPP"
	EPERM         Errno = "EPERM"
	EPIPE         Errno = "EPIPE"
	EPROTONOSUPP  Errno = "EPROTONOSUPPORT"
	EPROTOTYPE    Errno = "EPROTOTYPE"
	ETIMEDOUT     Errno = "ETIMEDOUT"
)

// Unsupported is the reply for a call the stack cannot express; the runner
// makes the trace SKIP with the reason.
type Unsupported string

func (u Unsupported) Error() string { return "unsupported: " + string(u) }

// ErrStopped is returned by a handler whose wait ended because standard
// input closed; no reply is written.
var ErrStopped = errors.New("driver stopping")

// Request is one request line.
type Request struct {
	ID      json.RawMessage `json:"id"`
	Op      string          `json:"op"`
	Host    string          `json:"host"`
	Process string          `json:"process"`
	Thread  string          `json:"thread"`
	Args    Args            `json:"args"`
}

// Args are a request's arguments. The accessors panic with an argument
// error on a missing or malformed argument; Serve answers it as EINVAL.
type Args map[string]json.RawMessage

type argError string

func (a Args) get(name string, v interface{}) {
	raw, ok := a[name]
	if !ok {
		panic(argError("missing argument " + name))
	}
	if err := json.Unmarshal(raw, v); err != nil {
		panic(argError("argument " + name + ": " + err.Error()))
	}
}

// Has says whether the argument is present and not null.
func (a Args) Has(name string) bool {
	raw, ok := a[name]
	return ok && string(raw) != "null"
}

// Int is a required number.
func (a Args) Int(name string) int {
	var v int
	a.get(name, &v)
	return v
}

// IntOr is an optional number.
func (a Args) IntOr(name string, def int) int {
	if !a.Has(name) {
		return def
	}
	return a.Int(name)
}

// Str is a required string.
func (a Args) Str(name string) string {
	var v string
	a.get(name, &v)
	return v
}

// StrOr is an optional string.
func (a Args) StrOr(name, def string) string {
	if !a.Has(name) {
		return def
	}
	return a.Str(name)
}

// Bool is an optional flag (absent: false).
func (a Args) Bool(name string) bool {
	if !a.Has(name) {
		return false
	}
	var v bool
	a.get(name, &v)
	return v
}

// Strings is an optional array of strings.
func (a Args) Strings(name string) []string {
	if !a.Has(name) {
		return nil
	}
	var v []string
	a.get(name, &v)
	return v
}

// Data is a required base64 argument, decoded.
func (a Args) Data(name string) []byte {
	b, err := base64.StdEncoding.DecodeString(a.Str(name))
	if err != nil {
		panic(argError("argument " + name + ": " + err.Error()))
	}
	return b
}

// Decode unmarshals an argument into v (for structured arguments).
func (a Args) Decode(name string, v interface{}) { a.get(name, v) }

// B64 encodes data for a reply.
func B64(data []byte) string { return base64.StdEncoding.EncodeToString(data) }

// Endpoint is an "IP:PORT" text split; ok is false for a malformed one.
func Endpoint(text string) (ip string, port int, ok bool) {
	i := strings.LastIndexByte(text, ':')
	if i < 0 {
		return "", 0, false
	}
	p, err := strconv.Atoi(text[i+1:])
	if err != nil || p < 0 || p > 65535 {
		return "", 0, false
	}
	return text[:i], p, true
}

// Handler runs one operation.
type Handler func(req *Request) (interface{}, error)

// Driver dispatches requests to handlers.
type Driver struct {
	// Handlers by operation name. "hello" runs on the reading goroutine, before
	// any other request is read; every other operation runs on the goroutine
	// of its (host, process, thread), in the order the requests came.
	Handlers map[string]Handler
	// Log is where driver messages go (standard error by default).
	Log io.Writer

	out     io.Writer
	outMu   sync.Mutex
	done    chan struct{}
	threads map[string]chan *Request
	wg      sync.WaitGroup
}

// New makes a server writing replies to out.
func New(out io.Writer) *Driver {
	return &Driver{Handlers: map[string]Handler{}, Log: os.Stderr, out: out,
		done: make(chan struct{}), threads: map[string]chan *Request{}}
}

// Done is closed once standard input has ended: every wait must end then.
func (k *Driver) Done() <-chan struct{} { return k.done }

// Logf writes a driver message on the log.
func (k *Driver) Logf(format string, args ...interface{}) {
	fmt.Fprintf(k.Log, format+"\n", args...)
}

// reply writes one reply line whole.
func (k *Driver) reply(id json.RawMessage, value interface{}, err error) {
	if err == ErrStopped {
		return
	}
	if id == nil {
		id = json.RawMessage("null")
	}
	m := map[string]interface{}{"id": id}
	var errno Errno
	var unsup Unsupported
	switch {
	case err == nil:
		m["ok"] = value
	case errors.As(err, &errno):
		m["err"] = string(errno)
	case errors.As(err, &unsup):
		m["unsupported"] = string(unsup)
	default:
		k.Logf("driver failure: %v", err)
		m["err"] = string(EINVAL)
	}
	line, merr := json.Marshal(m)
	if merr != nil {
		k.Logf("cannot encode reply: %v", merr)
		line = []byte(fmt.Sprintf(`{"id":%s,"err":"EINVAL"}`, id))
	}
	line = append(line, '\n')
	k.outMu.Lock()
	defer k.outMu.Unlock()
	if _, werr := k.out.Write(line); werr != nil {
		k.Logf("cannot write reply: %v", werr)
	}
}

// call runs a handler, turning argument panics into EINVAL.
func (k *Driver) call(req *Request) (value interface{}, err error) {
	h := k.Handlers[req.Op]
	if h == nil {
		return nil, Unsupported("operation " + req.Op + " is not offered by this driver")
	}
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(argError); ok {
				k.Logf("request %s %s: %s", req.ID, req.Op, string(a))
				value, err = nil, EINVAL
				return
			}
			panic(r)
		}
	}()
	if req.Args == nil {
		req.Args = Args{}
	}
	return h(req)
}

// Serve reads requests until in ends, then closes Done and returns
// without waiting for handlers still blocked.
func (k *Driver) Serve(in io.Reader) error {
	r := bufio.NewReaderSize(in, 1<<16)
	defer close(k.done)
	for {
		line, err := r.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			k.dispatch(line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (k *Driver) dispatch(line []byte) {
	req := &Request{}
	if err := json.Unmarshal(line, req); err != nil {
		k.Logf("not a request: %v", err)
		k.reply(nil, nil, EINVAL)
		return
	}
	if req.Op == "hello" {
		v, err := k.call(req)
		k.reply(req.ID, v, err)
		return
	}
	key := req.Host + "\x00" + req.Process + "\x00" + req.Thread
	q := k.threads[key]
	if q == nil {
		q = make(chan *Request, 1024)
		k.threads[key] = q
		k.wg.Add(1)
		go k.runThread(q)
	}
	q <- req
}

func (k *Driver) runThread(q chan *Request) {
	defer k.wg.Done()
	for {
		select {
		case req := <-q:
			v, err := k.call(req)
			k.reply(req.ID, v, err)
		case <-k.done:
			// Requests already queued are still answered if they do not block.
			for {
				select {
				case req := <-q:
					v, err := k.call(req)
					k.reply(req.ID, v, err)
				default:
					return
				}
			}
		}
	}
}

// Finish waits, at most timeout, for the thread goroutines to end after
// Serve returned (replies to calls that did not block get written).
func (k *Driver) Finish(timeout time.Duration) {
	ch := make(chan struct{})
	go func() { k.wg.Wait(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(timeout):
	}
}
