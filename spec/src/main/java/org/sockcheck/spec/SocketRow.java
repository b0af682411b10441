package org.sockcheck.spec;

/**
 * One entry of a host's socket table (S1, S16): what /proc/net/tcp and
 * /proc/net/udp show. The state is null for UDP, which has none (S12);
 * remote is null where the kernel prints 0.0.0.0:0. A Unix domain socket's
 * entry (S20, /proc/net/unix) has its type (STREAM, DGRAM or SEQPACKET),
 * its name as local (an empty path when unnamed), no remote, no TCP state
 * and a state of its own, unixState; both are null for any other entry.
 */
public record SocketRow(Proto proto, Endpoint local, Endpoint remote, TcpState state, SockType type,
                        UnixState unixState) {

    public SocketRow(Proto proto, Endpoint local, Endpoint remote, TcpState state) {
        this(proto, local, remote, state, null, null);
    }

    /** A Unix domain socket's row: its type, its name ("" for none) and its state. */
    public static SocketRow unix(SockType type, String path, UnixState state) {
        return new SocketRow(Proto.UNIX, Endpoint.unix(path), null, null, type, state);
    }
}
