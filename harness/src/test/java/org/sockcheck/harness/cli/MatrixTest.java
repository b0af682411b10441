package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;

/** The conformance matrix counts traces by feature, implementation and verdict. */
class MatrixTest {
    private static TraceResult r(String feature, String impl, Verdict v) {
        return new TraceResult(feature + "/t.trace", feature, "t", impl, v, "", 0, List.of(), 0, "", "");
    }

    @Test
    void cellsCountVerdictsAndTheWorstColoursTheCell() {
        Matrix m = new Matrix(List.of(r("bind", "ref", Verdict.PASS), r("bind", "ref", Verdict.PASS),
                r("bind", "linux", Verdict.XFAIL), r("udp", "linux", Verdict.FAIL), r("udp", "ref", Verdict.PASS),
                r("bind", "driver:python3 drivers/python/sockcheck_driver.py", Verdict.SKIP)));
        String md = m.markdown();
        assertEquals("| feature | ref | linux | driver:sockcheck_driver.py |", md.lines().findFirst().orElseThrow());
        assertTrue(md.contains("| bind | 2 pass | 1 xfail | 1 skip |"), md);
        assertTrue(md.contains("| udp | 1 pass | 1 fail |  |"), md);
        String html = m.html();
        assertTrue(html.contains("<td class=\"fail\">1 fail</td>"), html);
        assertTrue(html.contains("<td class=\"xfail\">1 xfail</td>"), html);
    }
}
