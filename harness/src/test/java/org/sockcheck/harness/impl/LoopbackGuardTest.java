package org.sockcheck.harness.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sockcheck.harness.run.TraceCheck;
import org.sockcheck.harness.trace.TraceSyntaxException;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockType;

/**
 * Real sockets go only to loopback: the guard refuses anything else before a
 * syscall is made. It parses an IPv4 literal; it never resolves a name or
 * trusts a prefix.
 */
class LoopbackGuardTest {
    @Test
    void aDriverWithANetworkOfItsOwnGetsOnlyTestNetOneAndTheWildcard() throws Exception {
        assertTrue(Loopback.allowedOwnNetwork("192.0.2.1"));
        assertTrue(Loopback.allowedOwnNetwork("192.0.2.254"));
        assertTrue(Loopback.allowedOwnNetwork("0.0.0.0"));
        assertFalse(Loopback.allowedOwnNetwork("192.0.3.1"));
        assertFalse(Loopback.allowedOwnNetwork("127.0.0.1"));
        assertFalse(Loopback.allowedOwnNetwork("8.8.8.8"));
        assertFalse(Loopback.allowedOwnNetwork("192.0.2.1.example"));
        Addressing a = Loopback.ownNetwork(new TraceSetup(Profile.LINUX, List.of("A", "B"), List.of("A.p1"), List.of(80, 81),
                Duration.ofSeconds(1)));
        assertEquals(java.util.Map.of("A", "192.0.2.1", "B", "192.0.2.2"), a.hostIps());
        assertEquals(java.util.Map.of(80, 80, 81, 81), a.ports(), "port labels are used as written");
        assertEquals(java.util.Map.of("A", "2001:db8::1", "B", "2001:db8::2"), a.hostIps6(),
                "each host's IPv6 address beside its IPv4 one, of the documentation prefix");
    }

    @Test
    void aDriverWithANetworkOfItsOwnGetsOnlyTheDocumentationPrefixOfIpv6() {
        assertTrue(Loopback.allowedOwnNetwork("2001:db8::1"));
        assertTrue(Loopback.allowedOwnNetwork("2001:db8:ffff::fe"));
        assertTrue(Loopback.allowedOwnNetwork("::"));
        assertTrue(Loopback.allowedOwnNetwork("::ffff:192.0.2.7"), "a v4-mapped address of the driver's network");
        assertFalse(Loopback.allowedOwnNetwork("::ffff:127.0.0.1"), "v4-mapped loopback is this machine's");
        assertFalse(Loopback.allowedOwnNetwork("::1"));
        assertFalse(Loopback.allowedOwnNetwork("2001:db9::1"));
        assertFalse(Loopback.allowedOwnNetwork("2001:4860::8888"));
        assertFalse(Loopback.allowedOwnNetwork("fd5c:50c::a"));
        assertFalse(Loopback.allowedOwnNetwork("2001:db8::1%eth0"), "a literal, not a name or a scope");
    }

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

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.64.200.254", "127.255.255.255", "0.0.0.0"})
    void loopbackAndTheWildcardPass(String ip) throws Exception {
        assertTrue(Loopback.allowed(ip), ip);
        assertArrayEquals(org.sockcheck.spec.Endpoint.octets(ip), Loopback.address(ip, 80).getAddress().getAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.1.2.256", "127.1.2", "127.1.2.3.4", "127.1.2.", "127..2.3", "localhost", "127.example.com",
        "10.0.0.1", "192.0.2.1", "0.0.0.1", "127.1.2.-1", "127.1.2.0001", "\u0661\u0662\u0667.0.0.1", "127.0.0.1 ", ""})
    void anythingElseIsRefusedWithoutAskingAResolver(String ip) {
        assertFalse(Loopback.allowed(ip), ip);
        ImplementationException e = assertThrows(ImplementationException.class, () -> Loopback.address(ip, 80));
        assertTrue(e.getMessage().contains("only loopback addresses"), e.getMessage());
    }

    @Test
    void aTraceWithMoreHostsThanABlockHoldsIsBadInput() throws Exception {
        // One process addresses the hosts (each process counts against --max-processes too).
        List<String> lines = new ArrayList<>(List.of("version 1", "A.p1: socket(INET, DGRAM) = 3"));
        for (int i = 1; i <= 254; i++) {
            lines.add("A.p1: sendto(3, \"x\", H" + i + ":53) = 1");
        }
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceCheck.check(TraceText.parse("many.trace", String.join("\n", lines) + "\n")));
        assertEquals(256, e.line(), "the line of host 255");
        assertEquals("at most 254 hosts", e.expected());
        // 254 hosts fit.
        TraceCheck.check(TraceText.parse("fits.trace", String.join("\n", lines.subList(0, 255)) + "\n"));
    }
}
