package org.sockcheck.harness.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the spec allows is shown as a trace writes results, not as the spec's raw values. */
class RenderShownTest {

    @Test
    void resultsReadAsTraceResults() {
        assertEquals("B:80", Render.shown(List.of("B", 80)));
        assertEquals("*:*", Render.shown(List.of("*", 0)));
        Map<String, Object> accepted = new LinkedHashMap<>();
        accepted.put("fd", 4);
        accepted.put("peer", List.of("B", 40000));
        assertEquals("4 peer B:40000", Render.shown(accepted));
        assertEquals("\"d\" from A:80", Render.shown(Map.of("data", "d", "from", List.of("A", 80))));
        assertEquals("\"\"", Render.shown("EOF"));
        assertEquals("\"ping\"", Render.shown("ping"));
        assertEquals("EADDRINUSE", Render.shown("EADDRINUSE"));
        assertEquals("0", Render.shown(0));
        // The spec holds bytes as %HH; a trace writes them as escapes.
        assertEquals("\"\\x00\\x10binary\\xff%\"", Render.shown("%00%10binary%FF%25"));
        assertEquals("\"\\r\" from A:80", Render.shown(Map.of("data", "%0D", "from", List.of("A", 80))));
    }
}
