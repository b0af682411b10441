package org.sockcheck.harness.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockType;

/** Real sockets go only to loopback: the guard refuses anything else before a syscall is made. */
class LoopbackGuardTest {
    @Test
    void onlyLoopbackAndWildcardAreAllowed() {
        assertTrue(Loopback.allowed("127.0.0.1"));
        assertTrue(Loopback.allowed("127.200.3.4"));
        assertTrue(Loopback.allowed("0.0.0.0"));
        assertFalse(Loopback.allowed("192.0.2.1"));
        assertFalse(Loopback.allowed("8.8.8.8"));
        assertFalse(Loopback.allowed("128.0.0.1"));
    }

    @Test
    void planPutsEveryHostOnItsOwnLoopbackAddressAndEveryLabelOnAFreePort() throws Exception {
        Addressing a = Loopback.plan(new TraceSetup(Profile.LINUX, List.of("A", "B", "C"), List.of(), List.of(80, 53, 9000),
                Duration.ofSeconds(1)));
        assertEquals(3, a.hostIps().values().stream().distinct().count());
        a.hostIps().values().forEach(ip -> assertTrue(ip.startsWith("127."), ip));
        assertEquals(3, a.ports().values().stream().distinct().count());
        a.ports().values().forEach(p -> assertTrue(p >= 20000 && p <= 32000, "port " + p));
    }

    @Test
    void linuxRefusesANonLoopbackDestination() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            linux.start(new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p"), List.of(), Duration.ofSeconds(1)));
            Outcome s = linux.call("A", "p", new ApiCall.Socket(SockType.DGRAM, 0));
            assertEquals(new Outcome.Value(3), s);
            ImplementationException e = assertThrows(ImplementationException.class,
                    () -> linux.call("A", "p", new ApiCall.SendTo(3, new byte[] {1}, new Endpoint("192.0.2.7", 9))));
            assertTrue(e.getMessage().contains("only loopback"), e.getMessage());
            linux.stop();
        }
    }
}
