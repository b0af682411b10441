package org.sockcheck.spec;

/**
 * How traces and the spec name an address of a host (S5): host A's IPv4
 * address is "A", its IPv6 address "[A]", the v4-mapped form of its IPv4
 * address "[::ffff:A]", and the wildcards are "*" (0.0.0.0) and "[::]".
 * These are the spec's own values (V6, Mapped and ANY6 in
 * spec/Network.tla), so a trace's address is the spec's with no
 * translation; this class is the one place Java reads them.
 */
public final class TraceHost {
    private TraceHost() {
    }

    /** IPv4's wildcard as the spec writes it (ANY). */
    public static final String ANY = "*";
    /** IPv6's wildcard (ANY6). */
    public static final String ANY6 = "[::]";
    private static final String MAPPED = "[::ffff:";
    /** A host's name as traces write it: a capital letter, then ASCII letters, digits and _, 64 at most. */
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Z][A-Za-z0-9_]{0,63}");

    /** Whether a word is a host's name as traces write it (A, Server_2). */
    public static boolean hostName(String word) {
        return HOST.matcher(word).matches();
    }

    /** The forms of an address. */
    public enum Form {
        /** A host's IPv4 address: A. */
        V4,
        /** A host's IPv6 address: [A]. */
        V6,
        /** The v4-mapped form of a host's IPv4 address: [::ffff:A]. */
        MAPPED,
        /** 0.0.0.0: *, or null in an argument. */
        ANY4,
        /** [::]. */
        ANY6
    }

    /** Host h's IPv6 address. */
    public static String v6(String host) {
        return "[" + host + "]";
    }

    /** The v4-mapped form of host h's IPv4 address. */
    public static String mapped(String host) {
        return MAPPED + host + "]";
    }

    /** The form of an address as traces write it (null: the IPv4 wildcard). */
    public static Form form(String written) {
        if (written == null || written.equals(ANY)) {
            return Form.ANY4;
        }
        if (written.equals(ANY6)) {
            return Form.ANY6;
        }
        if (written.startsWith(MAPPED) && written.endsWith("]")
                && hostName(written.substring(MAPPED.length(), written.length() - 1))) {
            return Form.MAPPED;
        }
        if (written.startsWith("[") && written.endsWith("]")) {
            // A host's [A], or an IPv6 literal an implementation answered ([::1], [::ffff:127.0.0.1]).
            return Form.V6;
        }
        return Form.V4;
    }

    /** The host an address names, or the address itself when it names none but a wildcard (a Unix name, a literal). */
    public static String hostOr(String written) {
        String h = host(written);
        return h == null ? written : h;
    }

    /** The host an address names (A for A, [A] and [::ffff:A]); null for a wildcard. */
    public static String host(String written) {
        return switch (form(written)) {
            case ANY4, ANY6 -> null;
            case V4 -> written;
            case V6 -> written.substring(1, written.length() - 1);
            case MAPPED -> written.substring(MAPPED.length(), written.length() - 1);
        };
    }

    /** Whether an address is written in IPv6's form (only an INET6 socket takes it: IsV6Arg in spec/SocketApi.tla). */
    public static boolean ipv6(String written) {
        return form(written) != Form.V4 && form(written) != Form.ANY4;
    }
}
