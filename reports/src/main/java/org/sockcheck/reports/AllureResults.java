package org.sockcheck.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes Allure 2 result files ({@code <uuid>-result.json} and attachments)
 * into a folder, one result per trace and implementation, one step per event.
 * The Allure command line or allure-maven turns the folder into HTML.
 */
public final class AllureResults {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private AllureResults() {
    }

    public static void write(Path dir, List<CaseResult> results) throws IOException {
        Files.createDirectories(dir);
        for (CaseResult r : results) {
            String uuid = UUID.randomUUID().toString();
            ObjectNode n = JSON.createObjectNode();
            n.put("uuid", uuid);
            n.put("historyId", Integer.toHexString((r.suite() + "/" + r.name()).hashCode()));
            n.put("name", r.name() + " [" + r.suite() + "]");
            n.put("fullName", r.suite() + ":" + r.name());
            n.put("description", r.title());
            plainHtml(r.title()).ifPresent(html -> n.put("descriptionHtml", html));
            n.put("status", r.status().word());
            n.put("stage", "finished");
            n.put("start", r.startMillis());
            n.put("stop", r.startMillis() + r.durationMillis());
            if (r.message() != null && !r.message().isEmpty()) {
                ObjectNode details = n.putObject("statusDetails");
                details.put("message", r.message());
            }
            ArrayNode labels = n.putArray("labels");
            labels.addObject().put("name", "suite").put("value", r.suite());
            labels.addObject().put("name", "feature").put("value", r.feature());
            labels.addObject().put("name", "framework").put("value", "sockcheck");
            n.putArray("parameters").addObject().put("name", "verdict by").put("value", r.verdictBy());
            ArrayNode steps = n.putArray("steps");
            for (CaseResult.StepResult s : r.steps()) {
                ObjectNode step = steps.addObject();
                step.put("name", s.name());
                step.put("status", s.ok() ? "passed" : "failed");
                step.put("stage", "finished");
            }
            ArrayNode attachments = n.putArray("attachments");
            // The diagram first: it shows at a glance where the run went wrong.
            if (!r.diagram().isEmpty()) {
                String source = UUID.randomUUID() + "-attachment.svg";
                Files.writeString(dir.resolve(source), r.diagram(), StandardCharsets.UTF_8);
                attachments.addObject().put("name", "sequence diagram").put("source", source).put("type", "image/svg+xml");
            }
            for (Map.Entry<String, String> a : r.attachments().entrySet()) {
                if (a.getKey().equals(CaseResult.TABLES)) {
                    tablesStep(steps, a.getValue());
                    continue;
                }
                String source = UUID.randomUUID() + "-attachment.txt";
                Files.writeString(dir.resolve(source), a.getValue(), StandardCharsets.UTF_8);
                attachments.addObject().put("name", a.getKey()).put("source", source).put("type", "text/plain");
            }
            Files.writeString(dir.resolve(uuid + "-result.json"), JSON.writeValueAsString(n), StandardCharsets.UTF_8);
        }
        writeCategories(dir);
    }

    /**
     * A title as Allure's generator would render it, for a title whose
     * rendering is its text in a paragraph: one line that starts with a
     * letter and holds nothing Markdown reads as markup (no emphasis, code,
     * HTML or entity character, no link: brackets only where no "(" follows
     * the closing one, as no reference is defined, and a "|" makes no table
     * in one line; an underscore only between two letters or digits, where
     * it cannot open or close emphasis). Given
     * descriptionHtml, the generator does not render the description
     * itself, and it built a Markdown parser and renderer anew for every
     * result: a third of its time on the 1104 results of a default check.
     * Any other title is left to the generator (empty).
     */
    static java.util.Optional<String> plainHtml(String title) {
        if (title == null || title.isEmpty() || !Character.isLetter(title.charAt(0))
                || Character.isWhitespace(title.charAt(title.length() - 1))) {
            return java.util.Optional.empty();
        }
        StringBuilder html = new StringBuilder(title.length() + 16).append("<p>");
        for (int i = 0; i < title.length(); i++) {
            char c = title.charAt(i);
            if (c == '_') {
                boolean inWord = i > 0 && i + 1 < title.length() && Character.isLetterOrDigit(title.charAt(i - 1))
                        && Character.isLetterOrDigit(title.charAt(i + 1));
                if (!inWord) {
                    return java.util.Optional.empty();
                }
            }
            if (c == '"') {
                html.append("&quot;");
            } else if (c < ' ' || c == 0x7f || "\\`*!<>&~#".indexOf(c) >= 0 || Character.isISOControl(c)
                    || Character.isSurrogate(c) || c == '\u00a0' || c == ']' && title.startsWith("(", i + 1)) {
                return java.util.Optional.empty();
            } else {
                html.append(c);
            }
        }
        return java.util.Optional.of(html.append("</p>\n").toString());
    }

    /**
     * The socket tables at the end as the run's last step, a sub-step per
     * line, not as an attachment: given any attachment, Allure's generator
     * loads a table of content types (Apache Tika's) that took 1.1 s of its
     * 2.9 s on the 822 runs of a default check, so a report of runs that all
     * passed now has none (a run that did not pass still has its observed
     * run and sequence diagram attached).
     */
    private static void tablesStep(ArrayNode steps, String tables) {
        ObjectNode step = steps.addObject();
        step.put("name", "socket tables at the end");
        step.put("status", "passed");
        step.put("stage", "finished");
        ArrayNode lines = step.putArray("steps");
        tables.lines().filter(l -> !l.isBlank()).forEach(l -> lines.addObject().put("name", l).put("status", "passed")
                .put("stage", "finished"));
    }

    /**
     * The overview's categories: failures the spec rejects, implementation
     * errors, known divergences and skips, each found by its status and
     * message; the patterns do not overlap, so each run is in one.
     */
    private static void writeCategories(Path dir) throws IOException {
        ArrayNode categories = JSON.createArrayNode();
        category(categories, "Runs no behaviour of the spec explains", "failed", ".*no behaviour of the spec explains.*");
        category(categories, "Listed divergences that passed (XPASS)", "failed", ".*listed as a known divergence.*");
        category(categories, "Other failures (judged by the results written)", "failed",
                "(?!.*no behaviour of the spec explains)(?!.*listed as a known divergence).*");
        category(categories, "Implementation errors", "broken", null);
        category(categories, "Known divergences (XFAIL)", "skipped", "XFAIL .*");
        category(categories, "Skipped (call not expressible or not permitted)", "skipped", "(?!XFAIL ).*");
        Files.writeString(dir.resolve("categories.json"), JSON.writeValueAsString(categories), StandardCharsets.UTF_8);
    }

    private static void category(ArrayNode categories, String name, String status, String messageRegex) {
        ObjectNode c = categories.addObject();
        c.put("name", name);
        c.putArray("matchedStatuses").add(status);
        if (messageRegex != null) {
            c.put("messageRegex", "(?s)" + messageRegex);
        }
    }

    /** environment.properties: what the overview's Environment widget shows (key = value, one per line). */
    public static void writeEnvironment(Path dir, Map<String, String> entries) throws IOException {
        StringBuilder sb = new StringBuilder();
        entries.forEach((k, v) -> sb.append(k.replace(" ", "\\ ").replace(":", "\\:").replace("=", "\\="))
                .append(" = ").append(v.replace("\n", " ")).append('\n'));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("environment.properties"), sb.toString(), StandardCharsets.UTF_8);
    }
}
