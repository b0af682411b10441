package org.sockcheck.harness.impl.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockType;

/**
 * java.nio's Unix stream channels as the jdk implementation uses them (S20):
 * names are paths of the run's own folder, which goes with the run; what
 * java.nio cannot express (datagram sockets, abstract names, socketpair, a
 * row of /proc/net/unix) is SKIP with its reason.
 */
class JdkUnixTest {
    private static TraceSetup setup() {
        return new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p1", "A.p2"), List.of(80), Duration.ofSeconds(2));
    }

    @Test
    void aStreamConnectsByPathAndTheRunsFolderGoesWithTheRun() throws Exception {
        try (JdkImplementation jdk = new JdkImplementation()) {
            Addressing a = jdk.start(setup());
            Endpoint srv = Endpoint.unix(a.unixName("A", "srv"));
            assertEquals(new Outcome.Value(3), jdk.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
            assertEquals(new Outcome.Value(0), jdk.call("A", "p1", new ApiCall.Bind(3, srv)));
            assertTrue(Files.exists(Path.of(srv.path())), srv + " after bind");
            assertEquals(new Outcome.Value(0), jdk.call("A", "p1", new ApiCall.Listen(3, 4)));
            assertEquals(new Outcome.Value(3), jdk.call("A", "p2", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
            assertEquals(new Outcome.Failed(Errno.ENOENT),
                    jdk.call("A", "p2", new ApiCall.Connect(3, Endpoint.unix(a.unixName("A", "none")))));
            assertEquals(new Outcome.Value(4), jdk.call("A", "p2", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
            assertEquals(new Outcome.Value(0), jdk.call("A", "p2", new ApiCall.Connect(4, srv)));
            assertEquals(new Outcome.Accepted(4, Endpoint.unix("")), jdk.call("A", "p1", new ApiCall.Accept(3, false)));
            assertEquals(new Outcome.Address(srv), jdk.call("A", "p1", new ApiCall.GetSockName(4)));
            assertEquals(new Outcome.Value(2), jdk.call("A", "p2", new ApiCall.Send(4, "hi".getBytes())));
            Outcome got = jdk.call("A", "p1", new ApiCall.Recv(4, 10));
            assertTrue(got instanceof Outcome.Data d && new String(d.data()).equals("hi"), got.toString());
            assertThrows(Implementation.Unsupported.class, () -> jdk.observe("A"));
            jdk.stop();
            assertFalse(Files.exists(Path.of(a.unixDir())), "the run's folder after stop");
        }
    }

    @Test
    void whatJavaNioCannotExpressIsSkipWithItsReason() throws Exception {
        try (JdkImplementation jdk = new JdkImplementation()) {
            Addressing a = jdk.start(setup());
            var e = assertThrows(Implementation.Unsupported.class,
                    () -> jdk.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.DGRAM, 0, false)));
            assertTrue(e.getMessage().contains("streams only"), e.getMessage());
            e = assertThrows(Implementation.Unsupported.class,
                    () -> jdk.call("A", "p1", new ApiCall.SocketPair(Domain.UNIX, SockType.STREAM, 0, false)));
            assertTrue(e.getMessage().contains("socketpair"), e.getMessage());
            jdk.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false));
            e = assertThrows(Implementation.Unsupported.class,
                    () -> jdk.call("A", "p1", new ApiCall.Bind(3, Endpoint.unix(a.unixName("A", "@srv")))));
            assertTrue(e.getMessage().contains("abstract namespace"), e.getMessage());
            jdk.stop();
        }
    }
}
