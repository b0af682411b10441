package org.sockcheck.spec;

/**
 * IPv6 literals, parsed and written by hand (never looked up as names):
 * RFC 4291 2.2's text forms in, RFC 5952's canonical form out (lower case,
 * the longest run of two or more zero groups as "::", a v4-mapped address
 * as ::ffff:a.b.c.d). java.net's InetAddress.ofLiteral turns a v4-mapped
 * literal into an IPv4 address, which is the one distinction sockcheck
 * needs to keep, hence this class.
 */
public final class Ip6 {
    private Ip6() {
    }

    /** The 16 bytes of an IPv6 literal such as fd5c:50c::1 or ::ffff:127.0.0.1, or null when it is none. */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        // A dotted IPv4 address may end the text, nowhere else (RFC 4291 2.2, 3.).
        java.util.List<Integer> head = groups(gap < 0 ? text : text.substring(0, gap), gap < 0);
        java.util.List<Integer> tail = gap < 0 ? java.util.List.of() : groups(text.substring(gap + 2), true);
        if (head == null || tail == null) {
            return null;
        }
        int count = head.size() + tail.size();
        if (gap < 0 ? count != 8 : count > 7) {
            return null;
        }
        byte[] out = new byte[16];
        int k = 0;
        for (int g : head) {
            out[k++] = (byte) (g >> 8);
            out[k++] = (byte) g;
        }
        k = 16 - 2 * tail.size();
        for (int g : tail) {
            out[k++] = (byte) (g >> 8);
            out[k++] = (byte) g;
        }
        return out;
    }

    /** Groups of 16 bits, a dotted IPv4 address at the end (where last allows one) counting two; null when malformed. */
    private static java.util.List<Integer> groups(String part, boolean last) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        if (part.isEmpty()) {
            return out;
        }
        String[] fields = part.split(":", -1);
        for (int i = 0; i < fields.length; i++) {
            String f = fields[i];
            if (last && i == fields.length - 1 && f.contains(".")) {
                byte[] v4 = Endpoint.octets(f);
                if (v4 == null) {
                    return null;
                }
                out.add((v4[0] & 0xff) << 8 | (v4[1] & 0xff));
                out.add((v4[2] & 0xff) << 8 | (v4[3] & 0xff));
            } else if (f.isEmpty() || f.length() > 4
                    || !f.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return null;
            } else {
                out.add(Integer.parseInt(f, 16));
            }
        }
        return out;
    }

    /** RFC 5952's text of 16 bytes; a v4-mapped address as ::ffff:a.b.c.d. */
    public static String format(byte[] a) {
        if (a.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + a.length);
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= a[i] == 0;
        }
        if (mapped && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return "::ffff:" + (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        }
        int bestAt = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    /** An IPv6 literal in the canonical form, or null when the text is none. */
    public static String canonical(String text) {
        byte[] a = parse(text);
        return a == null ? null : format(a);
    }
}
