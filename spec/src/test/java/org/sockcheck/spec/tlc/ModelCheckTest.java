package org.sockcheck.spec.tlc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLC checks every model of spec/manifest.json in the build: the build
 * fails when TLC finds a violation, or when the state counts drift from
 * the manifest without the manifest being updated with them.
 */
class ModelCheckTest {
    static final Path SPEC = Path.of("").toAbsolutePath();

    static Stream<String> models() throws Exception {
        return Manifest.read(SPEC.resolve("manifest.json")).models().keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void modelGivesWhatTheManifestSays(String name) throws Exception {
        Manifest.Model m = Manifest.read(SPEC.resolve("manifest.json")).models().get(name);
        ModelCheck.Result r = ModelCheck.run(ModelCheck.defaultTlaTools(), SPEC, SPEC.resolve(m.config()), 2, 600, p -> { });
        String drift = Manifest.drift(m, r);
        assertNull(drift, () -> drift + "\n" + ModelCheck.lastLines(r, 30).orElse(""));
    }

    @Test
    void aModelMayAskForJvmOptionsInItsCfg() throws Exception {
        assertEquals(List.of("-XX:TieredStopAtLevel=1"), ModelCheck.jvmOptions(SPEC.resolve("small.cfg")));
        assertEquals(List.of(), ModelCheck.jvmOptions(SPEC.resolve("standard.cfg")));
    }

    @Test
    void manifestListsTheThreeModels() throws Exception {
        assertEquals(List.of("small", "standard", "liveness"), List.copyOf(Manifest.read(SPEC.resolve("manifest.json")).models().keySet()));
    }

    @Test
    void driftIsReported() {
        Manifest.Model m = new Manifest.Model("x", "x.cfg", "pass", 10, 3, "");
        ModelCheck.Result moved = new ModelCheck.Result(ModelCheck.Status.PASS, null, 100, 11, 3, 1, List.of());
        assertTrue(Manifest.drift(m, moved).contains("state counts drifted"));
        ModelCheck.Result violated = new ModelCheck.Result(ModelCheck.Status.VIOLATION, "TypeOK", 100, 11, 3, 1, List.of());
        assertEquals("expected pass, TLC gave violation of TypeOK", Manifest.drift(m, violated));
        assertNull(Manifest.drift(m, new ModelCheck.Result(ModelCheck.Status.PASS, null, 100, 10, 3, 1, List.of())));
    }
}
