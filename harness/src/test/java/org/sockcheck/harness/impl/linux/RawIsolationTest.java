package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockType;

/**
 * A raw socket of a trace's host takes only datagrams to its host, even
 * while another program (another worker of check -j, another sockcheck)
 * sends datagrams of its protocol to another loopback address as fast as it
 * can: one that reached the socket in the moment between its socket() and
 * its bind to the host's address is dropped. A run of cover-023 on two
 * workers once saw such a datagram (poll gave POLLIN on a new raw socket).
 */
class RawIsolationTest {
    private static final int SOCKETS = 300;

    @Test
    void aNewRawSocketHoldsNoDatagramToAnotherAddress() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            assumeTrue(!linux.limits().contains(Implementation.Limit.NO_RAW), "raw sockets need CAP_NET_RAW");
            linux.start(new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p1"), List.of(80), Duration.ofSeconds(5)));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            Thread sender = new Thread(() -> {
                try (Syscalls.Call sys = new Syscalls.Call()) {
                    int fd = (int) sys.socket(Syscalls.SOCK_RAW, 253).value();
                    try {
                        while (!stop.get()) {
                            if (!sys.sendto(fd, new byte[] {'x'}, new Endpoint("127.0.0.1", 0), 0).failed()) {
                                sent.incrementAndGet();
                            }
                        }
                    } finally {
                        sys.closeFd(fd);
                    }
                }
            }, "raw-isolation-sender");
            sender.start();
            int taken = 0;
            try {
                for (int k = 0; k < SOCKETS; k++) {
                    Outcome made = linux.call("A", "p1", new ApiCall.Socket(SockType.RAW, 253, true));
                    int fd = (int) ((Outcome.Value) made).value();
                    Outcome got = linux.call("A", "p1", new ApiCall.Recv(fd, 10, false, true, false, false, false));
                    if (!(got instanceof Outcome.Failed f && f.errno() == Errno.EAGAIN)) {
                        taken++;
                    }
                    assertEquals(new Outcome.Value(0), linux.call("A", "p1", new ApiCall.Close(fd)));
                }
            } finally {
                stop.set(true);
                sender.join();
            }
            assertTrue(sent.get() > SOCKETS, "the sender sent only " + sent.get() + " datagrams");
            assertEquals(0, taken, "raw sockets of A that held a datagram to 127.0.0.1, of " + SOCKETS
                    + " made while " + sent.get() + " were sent");
            linux.stop();
        }
    }
}
