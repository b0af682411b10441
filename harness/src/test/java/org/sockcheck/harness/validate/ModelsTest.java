package org.sockcheck.harness.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.trace.TraceText;

/** The spec's constants come from the traces. */
class ModelsTest {

    /** A host that only appears in an address (nothing runs there) is one of the model's hosts. */
    @Test
    void aHostNamedOnlyInAnAddressIsAHostOfTheModel() throws Exception {
        var t = TraceText.parse("t.trace", """
                # connect to a host where nothing listens
                version 1
                profile LINUX

                B.p1: socket(INET, STREAM) = 3
                B.p1: connect(3, A:80) = ECONNREFUSED
                """);
        var constants = Models.forTraces(List.of(t));
        assertEquals(List.of("A", "B"), constants.hosts());
        assertEquals(List.of("p1"), constants.procs());
        assertEquals(List.of(80), constants.ports());
    }
}
