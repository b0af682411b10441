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
        return new TraceResult(feature + "/t.trace", feature, "t", impl, v, "", 0, List.of(), 0, "", "", TraceResult.Drawing.NONE);
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

    /** The page lists the runs that did not pass, failures first, each in one line and with its diagram; then the skips. */
    @Test
    void thePageListsTheFailuresFirstWithTheirHeadlineAndDiagramThenTheSkips() {
        Matrix m = new Matrix(List.of(r("bind", "linux", Verdict.XFAIL), r("udp", "linux", Verdict.FAIL)));
        String html = m.html("2 runs: 0 pass, 1 fail, 1 xfail", "spec coverage of the passing runs:\n  ref: spec actions 3/40\n",
                List.of(new Matrix.Drawn("linux", "bind/t.trace", Verdict.XFAIL, "bind/t.trace:5: A.p1: bind(3, A:80):"
                        + " expected 0, observed EINVAL (the spec allows: 0); known divergence: some-id",
                        "bind/t.trace:5: A.p1: bind(3, A:80)\n  known divergence: some-id", "<svg id=\"one\"></svg>"),
                        new Matrix.Drawn("linux", "udp/t.trace", Verdict.FAIL, "udp/t.trace:7: A.p1: recv(3, 10): expected"
                                + " \"x\", observed EAGAIN (the spec allows: \"x\")", "udp/t.trace:7: A.p1: recv(3, 10)\n"
                                + "  no behaviour of the spec explains this\n  (searched 12 states)", "<svg id=\"two\"></svg>")),
                "SKIP by cause (1 run):\n  fork: no <fork>: 1 run on jdk\n    jdk  a.trace:3\n");
        assertTrue(html.contains("<p class=\"totals\">2 runs: 0 pass, 1 fail, 1 xfail</p>"), html);
        assertTrue(html.contains("<h2>Spec coverage</h2>") && html.contains("ref: spec actions 3/40"), html);
        assertTrue(html.indexOf("<svg id=\"two\">") < html.indexOf("<svg id=\"one\">"), "the failure comes first: " + html);
        assertTrue(html.contains("udp/t.trace</a>: udp/t.trace:7: A.p1: recv(3, 10): expected &quot;x&quot;, observed EAGAIN"
                + " (the spec allows: &quot;x&quot;)</li>"), html);
        assertTrue(html.contains("bind/t.trace:5: A.p1: bind(3, A:80): expected 0, observed EINVAL (the spec allows: 0);"
                + " known divergence: some-id</li>"), html);
        assertTrue(html.contains("<pre>udp/t.trace:7: A.p1: recv(3, 10)\n  no behaviour"), "the whole message under its diagram");
        assertTrue(!html.substring(0, html.indexOf("</ul>")).contains("searched"), "the list says what happened: " + html);
        assertTrue(html.contains("<h2>Skipped runs</h2>") && html.contains("fork: no &lt;fork&gt;: 1 run on jdk"), html);
    }
}
