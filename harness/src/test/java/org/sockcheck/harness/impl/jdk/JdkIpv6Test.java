package org.sockcheck.harness.impl.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.harness.impl.linux.Netns;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * java.nio's INET6 channels as the jdk implementation uses them: made in
 * the run's network namespace, dual stack (an IPv4 client of a listener on
 * [::] is seen v4-mapped, as the kernel gives it), the namespace's tables
 * observed; what java.nio cannot say is SKIP with its reason.
 */
class JdkIpv6Test {
    @Test
    void aDualStackListenerTakesAnIpv4ClientSeenV4Mapped() throws Exception {
        try (JdkImplementation jdk = new JdkImplementation()) {
            Addressing a = jdk.start(new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p1"), List.of(80),
                    Duration.ofSeconds(2), true));
            int port = a.ports().get(80);
            String mapped = "::ffff:" + Netns.HOST4;
            assertEquals(new Outcome.Value(3), jdk.call("A", "p1", new ApiCall.Socket(Domain.INET6, SockType.STREAM, 0, false)));
            assertEquals(new Outcome.Value(0), jdk.call("A", "p1", new ApiCall.Bind(3, new Endpoint(Endpoint.ANY6_IP, port))));
            assertEquals(new Outcome.Value(0), jdk.call("A", "p1", new ApiCall.Listen(3, 4)));
            assertEquals(new Outcome.Value(4), jdk.call("A", "p1", new ApiCall.Socket(Domain.INET, SockType.STREAM, 0, false)));
            assertEquals(new Outcome.Value(0), jdk.call("A", "p1", new ApiCall.Connect(4, new Endpoint(Netns.HOST4, port))));
            Outcome.Accepted acc = assertInstanceOf(Outcome.Accepted.class, jdk.call("A", "p1", new ApiCall.Accept(3, false)));
            assertEquals(mapped, acc.peer().ip(), "the IPv4 client as the INET6 listener sees it");
            assertEquals(new Outcome.Address(new Endpoint(mapped, port)), jdk.call("A", "p1", new ApiCall.GetSockName(acc.fd())));
            List<SocketRow> rows = jdk.observe("A");
            assertTrue(rows.contains(new SocketRow(Proto.TCP, new Endpoint(Endpoint.ANY6_IP, port), null, TcpState.LISTEN)), rows.toString());
            assertTrue(rows.stream().anyMatch(r -> r.state() == TcpState.ESTABLISHED && r.local().equals(new Endpoint(mapped, port))),
                    rows.toString());
            // A listener that never bound is on the wildcard of its family.
            assertEquals(new Outcome.Value(acc.fd() + 1), jdk.call("A", "p1", new ApiCall.Socket(Domain.INET6, SockType.STREAM, 0, false)));
            assertEquals(new Outcome.Value(0), jdk.call("A", "p1", new ApiCall.Listen(acc.fd() + 1, 1)));
            Outcome.Address unbound = assertInstanceOf(Outcome.Address.class, jdk.call("A", "p1", new ApiCall.GetSockName(acc.fd() + 1)));
            assertEquals(Endpoint.ANY6_IP, unbound.addr().ip(), unbound.toString());
            var e = assertThrows(Implementation.Unsupported.class,
                    () -> jdk.call("A", "p1", new ApiCall.SetSockOpt(3, SockOpt.IPV6_V6ONLY, 1)));
            assertTrue(e.getMessage().contains("IPV6_V6ONLY"), e.getMessage());
            jdk.stop();
        }
    }
}
