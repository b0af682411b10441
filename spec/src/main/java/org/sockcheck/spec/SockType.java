package org.sockcheck.spec;

/**
 * The socket types of S8, with the protocol each one means in the INET
 * domain; SEQPACKET, a connection of records, has none there (it is a type
 * of Unix domain sockets, S20): its proto() is null.
 */
public enum SockType {
    STREAM(Proto.TCP), DGRAM(Proto.UDP), RAW(Proto.RAW), SEQPACKET(null);

    private final Proto proto;

    SockType(Proto proto) {
        this.proto = proto;
    }

    public Proto proto() {
        return proto;
    }
}
