package org.sockcheck.spec;

/**
 * One entry of a host's socket table (S1, S16): what /proc/net/tcp and
 * /proc/net/udp show. The state is null for UDP, which has none (S12);
 * remote is null where the kernel prints 0.0.0.0:0.
 */
public record SocketRow(Proto proto, Endpoint local, Endpoint remote, TcpState state) {
}
