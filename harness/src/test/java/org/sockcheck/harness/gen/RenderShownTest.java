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
        // recv records [data |-> bytes]: end of file is zero bytes, and data that read like an errno stay data.
        assertEquals("\"\"", Render.shown(Map.of("data", "")));
        assertEquals("\"ping\"", Render.shown(Map.of("data", "ping")));
        assertEquals("\"EAGAIN\"", Render.shown(Map.of("data", "EAGAIN")));
        assertEquals("EADDRINUSE", Render.shown("EADDRINUSE"));
        assertEquals("0", Render.shown(0));
        // The spec holds a byte as a character; a trace writes the others as escapes.
        assertEquals("\"\\x00\\x10binary\\xff%`\"", Render.shown(Map.of("data", "\u0000\u0010binary\u00ff%\ufffd")));
        assertEquals("\"\\r\" from A:80", Render.shown(Map.of("data", "\r", "from", List.of("A", 80))));
    }
}
