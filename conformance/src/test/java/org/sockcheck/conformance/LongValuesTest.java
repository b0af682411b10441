package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;

/** A long value is not echoed whole in a message: its start and its length are. */
class LongValuesTest {
    @Test
    void aFailureWithADatumOfAHundredThousandBytesSaysItInAFewLines() throws Exception {
        String data = "x".repeat(100_000);
        var trace = TraceText.parse("long.trace", """
                # a long datum (a stream: one datagram carries at most 65,507 bytes)
                version 1
                """ + SpecTraces.CONNECTION + """
                B.p1: send(3, "%s") = 100000
                A.p1: recv(4, 200000) = "%s"
                """.formatted(data, data));
        // The reference stack, except that every datum it receives ends in a y.
        RefWithBug bug = new RefWithBug("ref-with-a-changed-byte", (ref, host, process, call, o) ->
                call instanceof ApiCall.Recv && o instanceof Outcome.Data d
                        ? new Outcome.Data(("x".repeat(d.data().length - 1) + "y").getBytes(), d.from()) : o);
        TraceResult r = Corpus.runner(Duration.ofSeconds(5)).run(trace, Path.of("."), bug);
        assertEquals(Verdict.FAIL, r.verdict(), r.message().length() < 5000 ? r.message() : "(long)");
        assertTrue(r.message().length() < 2000, "a message of " + r.message().length() + " characters");
        assertTrue(r.message().contains("... (100002 characters)"), r.message());
        assertTrue(r.message().startsWith("long.trace:10: A.p1: recv(4, 200000)"), r.message());
    }
}
