package org.sockcheck.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.spec.Endpoint;

/** How the runner reads an observed address in the words of the trace. */
class SymbolsTest {
    private final Symbols symbols = new Symbols(new Addressing(Map.of("A", "127.0.3.1"), Map.of(80, 20080)));

    @Test
    void aVariableBindsToAPortTheStackPicked() {
        Arg.Addr e1 = new Arg.Addr("A", new Arg.Port.Var("e1"));
        assertTrue(symbols.match(e1, new Endpoint("127.0.3.1", 41234)));
        assertEquals(41234L, symbols.vars().get("e1"));
        assertTrue(symbols.match(e1, new Endpoint("127.0.3.1", 41234)));
        assertFalse(symbols.match(e1, new Endpoint("127.0.3.1", 41235)));
    }

    @Test
    void aVariableNeverNamesALabelledPort() {
        // The port of label 80 seen where the trace has $e1 is label 80, not a value for $e1: a stack that
        // reports its listener's own port as an accepted peer's is wrong at that call, not later.
        Arg.Addr e1 = new Arg.Addr("A", new Arg.Port.Var("e1"));
        assertFalse(symbols.match(e1, new Endpoint("127.0.3.1", 20080)));
        assertFalse(symbols.vars().containsKey("e1"));
        assertEquals("A:80", symbols.render(new Endpoint("127.0.3.1", 20080)));
        assertTrue(symbols.match(new Arg.Addr("A", new Arg.Port.Label(80)), new Endpoint("127.0.3.1", 20080)));
    }

    @Test
    void portsTheTraceHasNoNameForAreNamedInTheOrderTheRunMetThem() {
        // Two runs that behaved alike but were given other ports by the kernel read as one observed trace.
        for (int base : new int[] {41000, 53000}) {
            Symbols run = new Symbols(new Addressing(Map.of("A", "127.0.3.1"), Map.of(80, 20080)));
            run.match(new Arg.Addr("A", new Arg.Port.Var("x1")), new Endpoint("127.0.3.1", base + 7));
            assertEquals(new Arg.Port.Var("x2"), run.addr(new Endpoint("127.0.3.1", base + 1)).port());
            assertEquals(new Arg.Port.Var("x3"), run.addr(new Endpoint("127.0.3.1", base + 2)).port());
            assertEquals(new Arg.Port.Var("x2"), run.addr(new Endpoint("127.0.3.1", base + 1)).port());
            assertEquals(new Arg.Port.Var("x1"), run.addr(new Endpoint("127.0.3.1", base + 7)).port());
            assertEquals("A:$x3", run.render(new Endpoint("127.0.3.1", base + 2)));
        }
    }

    @Test
    void aPortTheTraceHasNoNameForNeverTakesAVariableTheTraceWrites() throws Exception {
        org.sockcheck.harness.trace.Trace trace = org.sockcheck.harness.trace.TraceText.parse("x.trace", String.join("\n", "version 1", "profile LINUX",
                "A.p1: socket(INET, STREAM) = 3", "A.p1: bind(3, A:0) = 0", "A.p1: getsockname(3) = A:$x1"));
        assertEquals(java.util.Set.of("x1"), TraceCheck.variables(trace));
        Symbols run = new Symbols(new Addressing(Map.of("A", "127.0.3.1"), Map.of(80, 20080)), TraceCheck.variables(trace));
        // A port seen before the trace binds its own $x1 is $x2, so $x1 still matches the port the trace means.
        assertEquals(new Arg.Port.Var("x2"), run.addr(new Endpoint("127.0.3.1", 41001)).port());
        assertTrue(run.match(new Arg.Addr("A", new Arg.Port.Var("x1")), new Endpoint("127.0.3.1", 41002)));
    }
}
