package org.sockcheck.harness.impl.linux;

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
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SockType;

/** A run's Unix names stay in its own folder, which goes with the run; a name outside it is never used. */
class UnixNamesTest {
    private static TraceSetup setup() {
        return new TraceSetup(org.sockcheck.spec.Profile.LINUX, List.of("A", "B"), List.of("A.p1", "B.p1"), List.of(80),
                Duration.ofSeconds(2));
    }

    @Test
    void aBoundPathIsAFileOfTheRunsFolderAndGoesWithTheRun() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            Addressing a = linux.start(setup());
            assertEquals(new Outcome.Value(3), linux.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
            Endpoint srv = Endpoint.unix(a.unixName("A", "srv"));
            assertEquals(new Outcome.Value(0), linux.call("A", "p1", new ApiCall.Bind(3, srv)));
            Path file = Path.of(srv.path());
            assertTrue(Files.exists(file), file + " after bind");
            assertTrue(file.startsWith(Path.of(a.unixDir(), "A")), file + " is in host A's folder of the run");
            assertEquals(new Outcome.Address(srv), linux.call("A", "p1", new ApiCall.GetSockName(3)));
            // Host B has a file system of its own: the same name is free there.
            assertEquals(new Outcome.Value(3), linux.call("B", "p1", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
            assertEquals(new Outcome.Value(0), linux.call("B", "p1", new ApiCall.Bind(3, Endpoint.unix(a.unixName("B", "srv")))));
            linux.stop();
            assertFalse(Files.exists(Path.of(a.unixDir())), "the run's folder after stop");
            Addressing next = linux.start(setup());
            assertTrue(!next.unixDir().equals(a.unixDir()), "each run has a folder of its own");
            linux.stop();
        }
    }

    @Test
    void aNameOutsideTheRunsFolderOrPrefixIsRefusedBeforeTheCall() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            linux.start(setup());
            linux.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.DGRAM, 0, false));
            Path outside = Files.createTempFile("sockcheck-outside", ".sock");
            Files.delete(outside);
            assertThrows(ImplementationException.class,
                    () -> linux.call("A", "p1", new ApiCall.Bind(3, Endpoint.unix(outside.toString()))));
            assertFalse(Files.exists(outside), "nothing was bound outside the run's folder");
            assertThrows(ImplementationException.class,
                    () -> linux.call("A", "p1", new ApiCall.SendTo(3, new byte[] {1}, Endpoint.unix("\0someone-else"))));
            linux.stop();
        }
    }
}
