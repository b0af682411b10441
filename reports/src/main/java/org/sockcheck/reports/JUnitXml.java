package org.sockcheck.reports;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes the results as JUnit XML, the format CI systems read, in the shape
 * of Ant's JUnit report (reports/src/test/resources/junit.xsd holds it): one
 * testsuite per implementation, with when its first run began (UTC), the
 * host and the sum of its runs' times; one testcase per trace, with its time
 * (the run and its judging). A FAIL or XPASS is a failure, an ERROR an error,
 * each with a one-line message (where, expected, observed) and a type (the
 * verdict and its kind); a SKIP or XFAIL is skipped. Who gave the verdict and
 * the socket tables are the testcase's system-out.
 */
public final class JUnitXml {
    /** Ant's timestamp: a date and time without a zone, here in UTC. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private JUnitXml() {
    }

    public static void write(Path file, List<CaseResult> results) throws IOException {
        write(file, results, hostName(), System.currentTimeMillis());
    }

    /**
     * @param hostname what each testsuite names as the host the runs were made on
     * @param now      the timestamp of a suite whose runs do not say when they began
     */
    public static void write(Path file, List<CaseResult> results, String hostname, long now) throws IOException {
        Map<String, List<CaseResult>> suites = new LinkedHashMap<>();
        for (CaseResult r : results) {
            suites.computeIfAbsent(r.suite(), k -> new ArrayList<>()).add(r);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(w);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "sockcheck");
            counts(x, results);
            for (Map.Entry<String, List<CaseResult>> s : suites.entrySet()) {
                List<CaseResult> rs = s.getValue();
                x.writeCharacters("\n  ");
                x.writeStartElement("testsuite");
                x.writeAttribute("name", clean(s.getKey()));
                counts(x, rs);
                long first = rs.stream().mapToLong(CaseResult::startMillis).filter(t -> t > 0).min().orElse(now);
                x.writeAttribute("timestamp", TIMESTAMP.format(Instant.ofEpochMilli(first)));
                x.writeAttribute("hostname", clean(hostname));
                properties(x, rs);
                for (CaseResult r : rs) {
                    testcase(x, s.getKey(), r);
                }
                x.writeCharacters("\n  ");
                x.writeEndElement();
            }
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** tests, failures, errors, skipped and time (the sum of the runs' times) of a suite or of all. */
    private static void counts(XMLStreamWriter x, List<CaseResult> rs) throws XMLStreamException {
        x.writeAttribute("tests", Integer.toString(rs.size()));
        x.writeAttribute("failures", Long.toString(count(rs, CaseResult.Status.FAILED)));
        x.writeAttribute("errors", Long.toString(count(rs, CaseResult.Status.BROKEN)));
        x.writeAttribute("skipped", Long.toString(count(rs, CaseResult.Status.SKIPPED)));
        x.writeAttribute("time", seconds(rs.stream().mapToLong(CaseResult::durationMillis).sum()));
    }

    /** The suite's runs counted by who gave the verdict ("verdict-by: judged by the spec" = 12). */
    private static void properties(XMLStreamWriter x, List<CaseResult> rs) throws XMLStreamException {
        Map<String, Integer> by = new LinkedHashMap<>();
        rs.forEach(r -> by.merge(r.verdictBy(), 1, Integer::sum));
        x.writeCharacters("\n    ");
        x.writeStartElement("properties");
        for (Map.Entry<String, Integer> e : by.entrySet()) {
            x.writeEmptyElement("property");
            x.writeAttribute("name", clean("verdict-by: " + e.getKey()));
            x.writeAttribute("value", Integer.toString(e.getValue()));
        }
        x.writeEndElement();
    }

    private static void testcase(XMLStreamWriter x, String suite, CaseResult r) throws XMLStreamException {
        x.writeCharacters("\n    ");
        x.writeStartElement("testcase");
        x.writeAttribute("name", clean(r.name()));
        x.writeAttribute("classname", clean(suite + "." + r.feature()));
        x.writeAttribute("time", seconds(r.durationMillis()));
        String element = switch (r.status()) {
            case FAILED -> "failure";
            case BROKEN -> "error";
            case SKIPPED -> "skipped";
            case PASSED -> null;
        };
        if (element != null) {
            x.writeStartElement(element);
            x.writeAttribute("message", clean(oneLine(r.headline().isEmpty() ? r.message() : r.headline())));
            if (r.status() == CaseResult.Status.SKIPPED) {
                // Ant's skipped has a message and no type; the message leads with the kind ("XFAIL: ...").
                x.writeEndElement();
            } else {
                x.writeAttribute("type", clean(r.type()));
                x.writeCharacters(clean(r.message()));
                x.writeEndElement();
            }
        }
        x.writeStartElement("system-out");
        x.writeCharacters(clean("verdict by: " + r.verdictBy() + "\n" + r.attachments().getOrDefault(CaseResult.TABLES, "")));
        x.writeEndElement();
        x.writeEndElement();
    }

    private static long count(List<CaseResult> rs, CaseResult.Status s) {
        return rs.stream().filter(r -> r.status() == s).count();
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /** The first line that says something. */
    private static String oneLine(String s) {
        return s == null ? "" : s.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
    }

    /**
     * The name of this machine, as a suite's hostname says it: the kernel's
     * (/proc/sys/kernel/hostname, what uname gives), else HOSTNAME, else
     * "localhost". Read, never resolved: asking the name service for this
     * machine's name can wait seconds for a DNS server (and sockcheck
     * resolves no names).
     */
    static String hostName() {
        return hostName(java.nio.file.Path.of("/proc/sys/kernel/hostname"), System.getenv("HOSTNAME"));
    }

    /** The name in file (its first line), else env, else "localhost". */
    static String hostName(java.nio.file.Path file, String env) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            String name = oneLine(new String(in.readNBytes(256), java.nio.charset.StandardCharsets.UTF_8));
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: fall through
        }
        return env == null || env.isBlank() ? "localhost" : env.strip();
    }

    /** XML 1.0 cannot carry most control characters, even escaped. */
    private static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            boolean ok = cp == '\t' || cp == '\n' || cp == '\r' || (cp >= 0x20 && cp != 0xFFFE && cp != 0xFFFF);
            sb.appendCodePoint(ok ? cp : '?');
        });
        return sb.toString();
    }
}
