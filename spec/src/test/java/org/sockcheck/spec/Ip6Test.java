package org.sockcheck.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** IPv6 literals in (RFC 4291 2.2) and out (RFC 5952), and the trace's names of addresses. */
class Ip6Test {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "::, ::",
        "::1, ::1",
        "0:0:0:0:0:0:0:1, ::1",
        "fd5c:50c:0:0:0:0:0:a, fd5c:50c::a",
        "FD5C:050C::A, fd5c:50c::a",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7",
        "::ffff:127.0.0.1, ::ffff:127.0.0.1",
        "0:0:0:0:0:ffff:7f00:1, ::ffff:127.0.0.1",
        "64:ff9b::1.2.3.4, 64:ff9b::102:304",
    })
    void literalsAreReadAndWrittenInTheCanonicalForm(String in, String out) {
        assertEquals(out, Ip6.canonical(in));
        assertEquals(out, Ip6.canonical(out), "the canonical form is its own");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", ":", ":::", "1::2::3", "12345::", "::g", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
            "::1.2.3", "::256.0.0.1", "1:2:3:4:5:6:7::8", "localhost", "127.0.0.1", "1.2.3.4::", "1.2.3.4::1",
            "::\uff11", "\u0661::"})
    void anythingElseIsNoLiteral(String text) {
        assertNull(Ip6.parse(text), text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "A, V4, A",
        "*, ANY4, ",
        "'[::]', ANY6, ",
        "'[A]', V6, A",
        "'[::ffff:Server_2]', MAPPED, Server_2",
    })
    void aTraceNamesAHostsAddressesSo(String written, TraceHost.Form form, String host) {
        assertEquals(form, TraceHost.form(written));
        assertEquals(host, TraceHost.host(written));
        assertEquals(form != TraceHost.Form.V4 && form != TraceHost.Form.ANY4, TraceHost.ipv6(written));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"'[fd5c:50c::a]:80', fd5c:50c::a, 80", "'[::ffff:127.0.0.1]:5', ::ffff:127.0.0.1, 5", "127.0.0.1:9, 127.0.0.1, 9"})
    void anEndpointIsParsedNeverResolved(String text, String ip, int port) {
        Endpoint e = Endpoint.parse(text);
        assertEquals(ip, e.ip());
        assertEquals(port, e.port());
        assertEquals(ip.contains(":"), e.v6());
    }
}
