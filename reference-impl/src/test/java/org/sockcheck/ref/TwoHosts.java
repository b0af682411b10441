package org.sockcheck.ref;

import org.junit.jupiter.api.BeforeEach;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;

/**
 * The fixture the reference-stack tests share: hosts A (192.0.2.1 and
 * 2001:db8::1) and B (192.0.2.2 and 2001:db8::2), a process p on each.
 */
abstract class TwoHosts {
    static final Endpoint A80 = new Endpoint("192.0.2.1", 80);
    /** A's IPv6 address, and the v4-mapped form of its IPv4 address, port 80. */
    static final Endpoint A6_80 = new Endpoint("2001:db8::1", 80);
    static final Endpoint MAPPED_A80 = new Endpoint("::ffff:192.0.2.1", 80);

    RefStack stack;

    @BeforeEach
    void twoHosts() {
        stack = stack(RefStack.Limits.LINUX);
    }

    static RefStack stack(RefStack.Limits limits) {
        RefStack s = new RefStack(Profile.LINUX, limits);
        s.addHost("A", "192.0.2.1", "2001:db8::1");
        s.addHost("B", "192.0.2.2", "2001:db8::2");
        return s;
    }

    Outcome a(ApiCall c) {
        return stack.call("A", "p", c);
    }

    Outcome b(ApiCall c) {
        return stack.call("B", "p", c);
    }

    static Outcome ok(long v) {
        return new Outcome.Value(v);
    }

    static Outcome err(Errno e) {
        return new Outcome.Failed(e);
    }
}
