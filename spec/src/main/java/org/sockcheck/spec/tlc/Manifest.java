package org.sockcheck.spec.tlc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * spec/manifest.json: for each model, the result TLC must give and the
 * state counts it found, so the model is a regression test: a change to
 * the spec that moves the counts must update the manifest with it.
 */
public record Manifest(Map<String, Model> models, Map<String, String> witnesses, Map<String, String> states,
                       Map<String, String> unreached) {

    public record Model(String name, String config, String expected, long distinctStates, int depth, String measured) {
    }

    public static Manifest read(Path file) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(file));
        Map<String, Model> models = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("models").properties()) {
            JsonNode m = e.getValue();
            models.put(e.getKey(), new Model(e.getKey(), m.path("config").asString(), m.path("expected").asString(),
                    m.path("distinctStates").asLong(-1), m.path("depth").asInt(-1), m.path("measured").asString("")));
        }
        Map<String, String> witnesses = new LinkedHashMap<>();
        root.path("witnesses").properties().forEach(e -> witnesses.put(e.getKey(), e.getValue().asString()));
        Map<String, String> states = new LinkedHashMap<>();
        root.path("states").properties().forEach(e -> states.put(e.getKey(), e.getValue().asString()));
        Map<String, String> unreached = new LinkedHashMap<>();
        root.path("unreached").properties().forEach(e -> unreached.put(e.getKey(), e.getValue().asString()));
        return new Manifest(models, witnesses, states, unreached);
    }

    /** Why a result does not match the manifest's entry, or null when it does. */
    public static String drift(Model expected, ModelCheck.Result r) {
        String got = r.status() == ModelCheck.Status.VIOLATION ? "violation of " + r.violated() : r.status().name().toLowerCase();
        if (!got.equals(expected.expected())) {
            return "expected " + expected.expected() + ", TLC gave " + got;
        }
        if (r.status() == ModelCheck.Status.PASS
                && (r.distinct() != expected.distinctStates() || r.depth() != expected.depth())) {
            return "state counts drifted: manifest says " + expected.distinctStates() + " distinct states, depth "
                    + expected.depth() + "; TLC found " + r.distinct() + ", depth " + r.depth()
                    + " (update spec/manifest.json in the same change as the spec)";
        }
        return null;
    }
}
