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
    void manifestListsTheModels() throws Exception {
        assertEquals(List.of("small", "standard", "liveness", "raw", "reuse", "fourtuple", "closing", "destinations",
                "reuseport", "threads", "unix", "ipv6", "raw6"),
                List.copyOf(Manifest.read(SPEC.resolve("manifest.json")).models().keySet()));
    }

    static Stream<String> witnesses() throws Exception {
        return Manifest.read(SPEC.resolve("manifest.json")).witnesses().keySet().stream();
    }

    /** TLC reaches, in the model the manifest names, a state where the case the invariant guards occurs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("witnesses")
    void theCaseEachInvariantGuardsIsReached(String invariant) throws Exception {
        Manifest manifest = Manifest.read(SPEC.resolve("manifest.json"));
        Manifest.Model m = manifest.models().get(manifest.witnesses().get(invariant));
        ModelCheck.Result r = ModelCheck.reach(ModelCheck.defaultTlaTools(), SPEC, SPEC.resolve(m.config()), invariant, 2, 600);
        assertEquals(ModelCheck.Status.VIOLATION, r.status(), () -> "model " + m.name() + " never reaches Reach_" + invariant
                + ": the invariant holds there for want of a test\n" + ModelCheck.lastLines(r, 20).orElse(""));
        assertEquals("Unreached", r.violated());
    }

    static Stream<String> tcpStates() {
        return java.util.Arrays.stream(org.sockcheck.spec.TcpState.values()).map(org.sockcheck.spec.TcpState::rfcName);
    }

    /** Every TCP state of RFC 9293 is reached in the model the manifest names (LAST-ACK was reached in none). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("tcpStates")
    void everyTcpStateIsReached(String state) throws Exception {
        Manifest manifest = Manifest.read(SPEC.resolve("manifest.json"));
        String model = manifest.states().get(state);
        assertTrue(model != null, state + " has no model in the states of spec/manifest.json");
        ModelCheck.Result r = ModelCheck.reachWhere(ModelCheck.defaultTlaTools(), SPEC,
                SPEC.resolve(manifest.models().get(model).config()),
                "\\E s \\in Sids : sock[s].proto = \"tcp\" /\\ sock[s].st = \"" + state + "\"", 2, 600);
        assertEquals(ModelCheck.Status.VIOLATION, r.status(), () -> "model " + model + " never reaches " + state
                + "\n" + ModelCheck.lastLines(r, 20).orElse(""));
    }

    /** The invariants a model checks, read from its .cfg. */
    private static java.util.Set<String> invariants(Path cfg) throws Exception {
        return ModelCheck.invariants(java.nio.file.Files.readString(cfg));
    }

    @Test
    void everyInvariantHasAWitnessInAModelThatChecksItOrAReason() throws Exception {
        Manifest manifest = Manifest.read(SPEC.resolve("manifest.json"));
        java.util.Set<String> checked = new java.util.TreeSet<>();
        for (Manifest.Model m : manifest.models().values()) {
            checked.addAll(invariants(SPEC.resolve(m.config())));
        }
        assertTrue(checked.contains("DemuxIsUnique") && checked.size() >= 15, "invariants read from the models: " + checked);
        for (String inv : checked) {
            String model = manifest.witnesses().get(inv);
            assertTrue(model != null || manifest.unreached().containsKey(inv),
                    inv + " has neither a witness model nor a reason in spec/manifest.json");
            if (model != null) {
                assertTrue(invariants(SPEC.resolve(manifest.models().get(model).config())).contains(inv),
                        "model " + model + " reaches the case of " + inv + " but does not check it");
            }
        }
        for (String inv : manifest.unreached().keySet()) {
            assertTrue(!manifest.witnesses().containsKey(inv) && checked.contains(inv), inv);
        }
    }

    @Test
    void aReachabilityRunChecksTheWitnessAlone() {
        String cfg = "CONSTANTS\n    A = A\nINIT MCInit\nINVARIANTS\n    TypeOK X\n    Y\nPROPERTIES P\nCHECK_DEADLOCK FALSE\n";
        assertEquals("CONSTANTS\n    A = A\nINIT MCInit\nCHECK_DEADLOCK FALSE\n\nINVARIANT Unreached\n",
                ModelCheck.withInvariant(cfg, "Unreached"));
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
