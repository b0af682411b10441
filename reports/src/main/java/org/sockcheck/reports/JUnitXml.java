package org.sockcheck.reports;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes the results as JUnit XML, the format CI systems read: one testsuite
 * per implementation, one testcase per trace. A FAIL is a failure, an ERROR
 * an error, a SKIP skipped.
 */
public final class JUnitXml {
    private JUnitXml() {
    }

    public static void write(Path file, List<CaseResult> results) throws IOException {
        Map<String, List<CaseResult>> suites = new LinkedHashMap<>();
        for (CaseResult r : results) {
            suites.computeIfAbsent(r.suite(), k -> new java.util.ArrayList<>()).add(r);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(w);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "sockcheck");
            x.writeAttribute("tests", Integer.toString(results.size()));
            x.writeAttribute("failures", Long.toString(count(results, CaseResult.Status.FAILED)));
            x.writeAttribute("errors", Long.toString(count(results, CaseResult.Status.BROKEN)));
            x.writeAttribute("skipped", Long.toString(count(results, CaseResult.Status.SKIPPED)));
            for (Map.Entry<String, List<CaseResult>> s : suites.entrySet()) {
                List<CaseResult> rs = s.getValue();
                x.writeCharacters("\n  ");
                x.writeStartElement("testsuite");
                x.writeAttribute("name", s.getKey());
                x.writeAttribute("tests", Integer.toString(rs.size()));
                x.writeAttribute("failures", Long.toString(count(rs, CaseResult.Status.FAILED)));
                x.writeAttribute("errors", Long.toString(count(rs, CaseResult.Status.BROKEN)));
                x.writeAttribute("skipped", Long.toString(count(rs, CaseResult.Status.SKIPPED)));
                x.writeAttribute("time", seconds(rs.stream().mapToLong(CaseResult::durationMillis).sum()));
                for (CaseResult r : rs) {
                    x.writeCharacters("\n    ");
                    x.writeStartElement("testcase");
                    x.writeAttribute("classname", s.getKey() + "." + r.feature());
                    x.writeAttribute("name", r.name());
                    x.writeAttribute("time", seconds(r.durationMillis()));
                    x.writeStartElement("properties");
                    x.writeEmptyElement("property");
                    x.writeAttribute("name", "verdict-by");
                    x.writeAttribute("value", r.verdictBy());
                    x.writeEndElement();
                    String element = switch (r.status()) {
                        case FAILED -> "failure";
                        case BROKEN -> "error";
                        case SKIPPED -> "skipped";
                        case PASSED -> null;
                    };
                    if (element != null) {
                        x.writeStartElement(element);
                        x.writeAttribute("message", firstLine(r.message()));
                        x.writeCharacters(clean(r.message()));
                        x.writeEndElement();
                    }
                    String tables = r.attachments().get("socket tables");
                    if (tables != null && !tables.isEmpty()) {
                        x.writeStartElement("system-out");
                        x.writeCharacters(clean(tables));
                        x.writeEndElement();
                    }
                    x.writeEndElement();
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

    private static long count(List<CaseResult> rs, CaseResult.Status s) {
        return rs.stream().filter(r -> r.status() == s).count();
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static String firstLine(String s) {
        return clean(s == null ? "" : s.lines().findFirst().orElse(""));
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
