package org.sockcheck.spec;

/**
 * A concrete socket address (S5): an IPv4 address and port (the wildcard
 * address is 0.0.0.0 and port 0 means "none chosen yet"), an IPv6 address
 * in RFC 5952's form (the wildcard ::, a v4-mapped ::ffff:a.b.c.d; see
 * {@link Ip6}) and port, or a Unix domain
 * socket's name (S20): path is a file's path, or a name of the abstract
 * namespace with a leading NUL, or empty for an unnamed socket; null for
 * an IPv4 address.
 */
public record Endpoint(String ip, int port, String path) {
    public static final String ANY_IP = "0.0.0.0";
    /** IPv6's wildcard address. */
    public static final String ANY6_IP = "::";
    public static final Endpoint ANY = new Endpoint(ANY_IP, 0);
    /** What connect is given to dissolve an association: an address of the family AF_UNSPEC, as a trace writes it. */
    public static final String UNSPEC_IP = "AF_UNSPEC";
    public static final Endpoint UNSPEC = new Endpoint(UNSPEC_IP, 0);

    public Endpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** An IPv4 address and port. */
    public Endpoint(String ip, int port) {
        this(ip, port, null);
    }

    /** A Unix domain socket's name: a path, "\0name" in the abstract namespace, or "" for none. */
    public static Endpoint unix(String path) {
        return new Endpoint("", 0, java.util.Objects.requireNonNull(path));
    }

    /**
     * A Unix name as /proc/net/unix and the driver protocol write it: a
     * path, or '@' and a name of the abstract namespace (whose first byte
     * is NUL); "" for none.
     */
    public static Endpoint unixShown(String shown) {
        return unix(shown.startsWith("@") ? "\0" + shown.substring(1) : shown);
    }

    /** This Unix name as /proc/net/unix and the driver protocol write it ({@link #unixShown}): '@' for a NUL. */
    public String shownPath() {
        return path.replace('\0', '@');
    }

    /** Whether this is a Unix domain socket's name. */
    public boolean unix() {
        return path != null;
    }

    /** Whether this is no IPv4 address but AF_UNSPEC (connect's way to dissolve an association). */
    public boolean unspec() {
        return UNSPEC_IP.equals(ip);
    }

    /** Whether this is IPv4's wildcard address (IPv6's is {@link #ANY6_IP}). */
    public boolean wildcardIp() {
        return !unix() && ANY_IP.equals(ip);
    }

    /** Whether this is an IPv6 address (a v4-mapped one too): of an INET6 socket. */
    public boolean v6() {
        return !unix() && !unspec() && ip.indexOf(':') >= 0;
    }

    /**
     * An address written "ip:port" or "[ip6]:port": the IP an IPv4 or IPv6
     * literal (never a name, which would have to be looked up), the port
     * decimal 0-65535.
     */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not ip:port");
        }
        String ip = text.substring(0, colon);
        String port = text.substring(colon + 1);
        if (ip.startsWith("[") && ip.endsWith("]")) {
            ip = Ip6.canonical(ip.substring(1, ip.length() - 1));
            if (ip == null) {
                throw new IllegalArgumentException("the IP in brackets is not an IPv6 literal such as ::1");
            }
        } else if (octets(ip) == null) {
            throw new IllegalArgumentException("the IP is not an IPv4 literal such as 127.0.0.1, or an IPv6 one in brackets such as [::1]");
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("the port is not a number from 0 to 65535");
        }
        return new Endpoint(ip, Integer.parseInt(port));
    }

    /** The four octets of an IPv4 literal such as 127.64.1.2 (four decimal numbers 0-255), or null. */
    public static byte[] octets(String ip) {
        if (ip == null) {
            return null;
        }
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    @Override
    public String toString() {
        return unix() ? "unix:" + shownPath() : unspec() ? ip : v6() ? "[" + ip + "]:" + port : ip + ":" + port;
    }
}
