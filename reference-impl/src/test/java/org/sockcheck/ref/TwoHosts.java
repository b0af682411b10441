package org.sockcheck.ref;

import org.junit.jupiter.api.BeforeEach;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;

/** The fixture the reference-stack tests share: hosts A (192.0.2.1) and B (192.0.2.2), a process p on each. */
abstract class TwoHosts {
    static final Endpoint A80 = new Endpoint("192.0.2.1", 80);

    RefStack stack;

    @BeforeEach
    void twoHosts() {
        stack = stack(RefStack.Limits.LINUX);
    }

    static RefStack stack(RefStack.Limits limits) {
        RefStack s = new RefStack(Profile.LINUX, limits);
        s.addHost("A", "192.0.2.1");
        s.addHost("B", "192.0.2.2");
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
