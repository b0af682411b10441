package org.sockcheck.spec;

/** The socket types of S8, with the protocol each one means in the INET domain. */
public enum SockType {
    STREAM(Proto.TCP), DGRAM(Proto.UDP), RAW(Proto.RAW);

    private final Proto proto;

    SockType(Proto proto) {
        this.proto = proto;
    }

    public Proto proto() {
        return proto;
    }
}
