package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.cli.Main;

/**
 * sockcheck driver-check COMMAND: what a driver offers, a handful of small
 * scenarios run on it, and a hint for each kind of problem.
 */
class DriverCheckTest {
    private record Run(int code, String out) {
    }

    private static Run driverCheck(String... command) {
        StringWriter out = new StringWriter();
        List<String> args = new ArrayList<>(List.of("driver-check", "--scenarios", Corpus.SCENARIOS.toString()));
        args.addAll(List.of(command));
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), args.toArray(String[]::new));
        return new Run(code, out.toString());
    }

    @Test
    void aGoodDriverIsDescribedAndPassesTheScenarios() {
        Run r = driverCheck("python3", Corpus.PYTHON_DRIVER.toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("answers hello: protocol 2, hosts that share this machine's kernel (loopback),"
                + " descriptor numbers of its own (mapped)"), r.out());
        assertTrue(r.out().contains("offers: accept, bind, close, connect"), r.out());
        assertTrue(r.out().contains("6 runs: 6 pass, 0 fail"), r.out());
    }

    @Test
    void aFailingCallIsShownWithItsHint() {
        Run r = driverCheck("python3", Corpus.testDriver("buggy_driver.py").toString(), "udp-row-has-state");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("observed udp A:53 *:* ESTABLISHED"), r.out());
        assertTrue(r.out().contains("hint: a FAIL is a call whose answer"), r.out());
    }

    @Test
    void aDriverOfferingTooLittleAndOneThatCannotStartAreSaidSo() {
        Run little = driverCheck("python3", Corpus.testDriver("socketless_driver.py").toString());
        assertEquals(Main.NOTHING_JUDGED, little.code(), little.out());
        assertTrue(little.out().contains("walks of the spec for it leave out: dup"), little.out());
        assertTrue(little.out().contains("hint: every scenario was SKIP"), little.out());
        Run none = driverCheck("/no/such/driver");
        assertEquals(Main.ERROR, none.code(), none.out());
        assertTrue(none.out().contains("cannot start") && none.out().contains("hint: it must read requests"), none.out());
    }
}
