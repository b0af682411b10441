package org.sockcheck.spec;

/**
 * A concrete IPv4 socket address (S5): dotted address and port. The wildcard
 * address is 0.0.0.0 and port 0 means "none chosen yet".
 */
public record Endpoint(String ip, int port) {
    public static final String ANY_IP = "0.0.0.0";
    public static final Endpoint ANY = new Endpoint(ANY_IP, 0);

    public Endpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public boolean wildcardIp() {
        return ANY_IP.equals(ip);
    }

    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not ip:port: " + text);
        }
        return new Endpoint(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return ip + ":" + port;
    }
}
