package org.sockcheck.harness.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a trace's Unix names live on an implementation, and how its answers are read back. */
class AddressingTest {
    private final Addressing a = new Addressing(Map.of("A", "127.0.0.1", "B", "127.0.0.2"), Map.of(80, 20080),
            "/tmp/sc-1-7", "sockcheck-1-7-");

    @Test
    void eachHostHasAFolderOfItsOwnAndTheRunAnAbstractPrefix() {
        assertEquals("/tmp/sc-1-7/A/srv", a.unixName("A", "srv"));
        assertEquals("/tmp/sc-1-7/B/srv", a.unixName("B", "srv"));
        assertEquals("\0sockcheck-1-7-A-srv", a.unixName("A", "@srv"));
        assertEquals("", a.unixName("A", ""));
    }

    @Test
    void namesAreReadBackAsTheTraceWritesThem() {
        for (String name : new String[] {"srv", "@srv", "", "a.b-c_d"}) {
            assertEquals(name, a.traceName(a.unixName("B", name)));
        }
        // A name that is none of the run's is written as it is, an abstract one with '@' for its NUL.
        assertEquals("/elsewhere/x", a.traceName("/elsewhere/x"));
        assertEquals("@sock-97033", a.traceName("\u0000sock-97033"));
    }

    @Test
    void namesAutobindGaveAreNumberedInTheOrderTheRunShowsThem() {
        // Linux's autobind names are a NUL and five hex digits: "@auto1", "@auto2", ... as the run first shows each.
        assertThrows(IllegalArgumentException.class, () -> a.unixName("A", "@auto1"), "not shown yet");
        assertEquals(false, a.ownsUnixName("\u00006a3e3"));
        assertEquals("@auto1", a.traceName("\u00006a3e3"));
        assertEquals("@auto2", a.traceName("\u0000baa7a"));
        assertEquals("@auto1", a.traceName("\u00006a3e3"), "a name keeps its number");
        assertEquals("\u0000baa7a", a.unixName("B", "@auto2"));
        assertEquals(true, a.ownsUnixName("\u0000baa7a"), "a name the run's autobind gave is the run's");
        // Not of autobind's form: six digits, an upper-case one, a path.
        assertEquals("@6a3e30", a.traceName("\u00006a3e30"));
        assertEquals("@6A3E3", a.traceName("\u00006A3E3"));
        assertEquals("/6a3e3", a.traceName("/6a3e3"));
    }

    @Test
    void anImplementationWithoutAPlaceForNamesRefusesThem() {
        Addressing inetOnly = new Addressing(Map.of("A", "127.0.0.1"), Map.of());
        assertThrows(IllegalArgumentException.class, () -> inetOnly.unixName("A", "srv"));
        assertEquals("", inetOnly.unixName("A", ""));
    }

    @Test
    void everyFormOfAnAddressHasItsRealIpAndBack() {
        Addressing six = new Addressing(Map.of("A", "127.0.0.1"), Map.of("A", "fd5c:50c::a"), Map.of(), null, null);
        Map<String, String> forms = new java.util.LinkedHashMap<>();
        forms.put("A", "127.0.0.1");
        forms.put("[A]", "fd5c:50c::a");
        forms.put("[::ffff:A]", "::ffff:127.0.0.1");
        forms.put("[::]", "::");
        forms.forEach((written, ip) -> {
            assertEquals(ip, six.ip(written), written);
            assertEquals(written, six.traceHost(ip), ip);
        });
        assertEquals("0.0.0.0", six.ip(null));
        assertEquals(null, six.traceHost("0.0.0.0"));
        // An address of no host is written as it is, an IPv6 one in brackets; a host without IPv6 has no [B].
        assertEquals("[::1]", six.traceHost("::1"));
        assertEquals("10.0.0.1", six.traceHost("10.0.0.1"));
        assertEquals(null, a.ip("[A]"));
    }
}
