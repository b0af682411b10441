package org.sockcheck.ref;

import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.TcpState;

/** One TCP state change, recorded as {@code from => to} with the action that made it. */
public record Transition(String host, Endpoint local, Endpoint remote, TcpState from, TcpState to, String action) {
    @Override
    public String toString() {
        return host + " " + local + " " + (remote == null ? "*:*" : remote) + " " + from + " => " + to + " (" + action + ")";
    }
}
