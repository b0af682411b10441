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

    /** Linux's number of the type (SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3, SOCK_SEQPACKET 5), as /proc/net/unix prints it. */
    public int linuxCode() {
        return switch (this) {
            case STREAM -> 1;
            case DGRAM -> 2;
            case RAW -> 3;
            case SEQPACKET -> 5;
        };
    }

    /** The type of Linux's number. */
    public static java.util.Optional<SockType> fromLinuxCode(int code) {
        for (SockType t : values()) {
            if (t.linuxCode() == code) {
                return java.util.Optional.of(t);
            }
        }
        return java.util.Optional.empty();
    }

    /** The type a Unix socket's row names (STREAM, DGRAM or SEQPACKET: SOCK_RAW makes a datagram socket). */
    public static java.util.Optional<SockType> ofUnixRow(String word) {
        return switch (word) {
            case "STREAM" -> java.util.Optional.of(STREAM);
            case "DGRAM" -> java.util.Optional.of(DGRAM);
            case "SEQPACKET" -> java.util.Optional.of(SEQPACKET);
            default -> java.util.Optional.empty();
        };
    }
}
