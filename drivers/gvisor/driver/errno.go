package main

import (
	"sockcheck/kit"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// errnoOf names the POSIX errno a netstack error stands for. The table is
// this driver's own; the correspondence follows the one gVisor's socket
// layer uses (pkg/syserr/netstack.go, TranslateNetstackError), which is not
// imported: pkg/syserr pulls in pkg/safecopy, whose init replaces the
// process's SIGSEGV and SIGBUS handlers.
//
// ErrClosedForReceive has no errno (gVisor's socket layer makes it an end
// of file); callers handle it before asking. Calls that give an error
// another errno in gVisor's socket layer (bind's ErrNoPortAvailable, TCP
// connect's ErrNoPortAvailable, AF_UNSPEC connect's ErrNotSupported) map it
// themselves.
func errnoOf(err tcpip.Error) kit.Errno {
	switch err.(type) {
	case *tcpip.ErrUnknownProtocol:
		return kit.EINVAL
	case *tcpip.ErrUnknownNICID, *tcpip.ErrUnknownDevice:
		return kit.ENODEV
	case *tcpip.ErrUnknownProtocolOption:
		return kit.ENOPROTOOPT
	case *tcpip.ErrDuplicateNICID, *tcpip.ErrDuplicateAddress:
		return kit.EEXIST
	case *tcpip.ErrHostUnreachable:
		return kit.EHOSTUNREACH
	case *tcpip.ErrAlreadyBound, *tcpip.ErrInvalidEndpointState:
		return kit.EINVAL
	case *tcpip.ErrAlreadyConnecting:
		return kit.EALREADY
	case *tcpip.ErrAlreadyConnected:
		return kit.EISCONN
	case *tcpip.ErrNoPortAvailable:
		return kit.EAGAIN
	case *tcpip.ErrPortInUse:
		return kit.EADDRINUSE
	case *tcpip.ErrBadLocalAddress:
		return kit.EADDRNOTAVAIL
	case *tcpip.ErrClosedForSend, *tcpip.ErrAborted:
		return kit.EPIPE
	case *tcpip.ErrWouldBlock:
		return kit.EAGAIN
	case *tcpip.ErrConnectionRefused:
		return kit.ECONNREFUSED
	case *tcpip.ErrTimeout:
		return kit.ETIMEDOUT
	case *tcpip.ErrConnectStarted:
		return kit.EINPROGRESS
	case *tcpip.ErrDestinationRequired:
		return kit.EDESTADDRREQ
	case *tcpip.ErrNotSupported:
		return kit.EOPNOTSUPP
	case *tcpip.ErrQueueSizeNotSupported:
		return kit.ENOTTY
	case *tcpip.ErrNotConnected:
		return kit.ENOTCONN
	case *tcpip.ErrConnectionReset:
		return kit.ECONNRESET
	case *tcpip.ErrConnectionAborted:
		return kit.ECONNABORTED
	case *tcpip.ErrNoSuchFile:
		return kit.ENOENT
	case *tcpip.ErrInvalidOptionValue:
		return kit.EINVAL
	case *tcpip.ErrBadAddress, *tcpip.ErrBadBuffer:
		return kit.EFAULT
	case *tcpip.ErrNetworkUnreachable:
		return kit.ENETUNREACH
	case *tcpip.ErrMessageTooLong:
		return kit.EMSGSIZE
	case *tcpip.ErrNoBufferSpace:
		return kit.ENOBUFS
	case *tcpip.ErrBroadcastDisabled:
		return kit.EACCES
	case *tcpip.ErrNotPermitted:
		return kit.EPERM
	case *tcpip.ErrAddressFamilyNotSupported:
		return kit.EAFNOSUPPORT
	case *tcpip.ErrMalformedHeader, *tcpip.ErrInvalidPortRange,
		*tcpip.ErrMulticastInputCannotBeOutput, *tcpip.ErrMissingRequiredFields:
		return kit.EINVAL
	}
	return kit.EINVAL
}

// fail is the handler error for a netstack error (nil for nil).
func fail(err tcpip.Error) error {
	if err == nil {
		return nil
	}
	return errnoOf(err)
}
