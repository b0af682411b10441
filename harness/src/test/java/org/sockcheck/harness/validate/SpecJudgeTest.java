package org.sockcheck.harness.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.tlc.SpecBridge;

/** The models a judge holds as runs larger than its traces come. */
class SpecJudgeTest {
    /** A trace of one process that opens this many sockets, descriptors 3 and up (larger than ordinary past 6). */
    private static Trace sockets(int n) throws Exception {
        StringBuilder text = new StringBuilder("version 2\nprofile LINUX\n\n");
        for (int k = 0; k < n; k++) {
            text.append("A.p1: socket(INET, DGRAM) = ").append(3 + k).append('\n');
        }
        return TraceText.parse("sockets-" + n + ".trace", text.toString());
    }

    @Test
    void runsEachALittleLargerGrowOneModelNotOneEach() throws Exception {
        SpecJudge judge = SpecJudge.forTraces(List.of(), Duration.ofSeconds(10));
        int runs = 0;
        java.util.Set<SpecBridge.Constants> used = new java.util.LinkedHashSet<>();
        for (int n = 7; n <= 14; n++) {
            Trace t = sockets(n);
            assertFalse(Models.ordinary(Models.forTraces(List.of(t))), "a trace of " + n + " sockets is larger than ordinary");
            assertInstanceOf(Judge.Decision.Accepted.class, judge.decide(t), t.source().toString());
            used.addAll(judge.models());
            runs++;
        }
        // Each model grown with room to spare: eight runs, each a socket larger than the one before, need a few
        // models, not eight (a model of exactly each run's size loaded one per run); the judge keeps the last only.
        assertTrue(used.size() <= 3, runs + " runs used " + used.size() + " models: " + used);
        assertEquals(1, judge.models().size(), () -> "the judge holds " + judge.models());
        System.out.println("SpecJudgeTest: " + runs + " runs, each larger than the one before, judged with " + used.size()
                + " models");
    }
}
