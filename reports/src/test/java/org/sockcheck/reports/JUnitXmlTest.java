package org.sockcheck.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** junit.xml: the shape CI systems read (junit.xsd), the times, the timestamp and host, and what a failure says. */
class JUnitXmlTest {
    /** 2025-01-02T03:04:05Z */
    static final long T0 = 1735787045000L;

    static CaseResult result(String suite, String name, CaseResult.Status status, String type, String headline,
                             String message, long start, long millis) {
        return new CaseResult(suite, "bind", name, "a claim", status, type, headline, message, start, millis, List.of(),
                Map.of("socket tables", "observe A: tcp A:80 *:* LISTEN\n"), "", "judged by the spec");
    }

    /** One of each kind of case, on two implementations; control characters in one message. */
    static List<CaseResult> mixed() {
        return List.of(
                result("ref", "bind/a.trace", CaseResult.Status.PASSED, "", "", "", T0 + 500, 120),
                result("ref", "bind/b.trace", CaseResult.Status.FAILED, "FAIL: not a behaviour of the spec",
                        "bind/b.trace:5: A.p1: bind(3, A:80): expected 0, observed EADDRINUSE (the spec allows: 0)",
                        "bind/b.trace:5: A.p1: bind(3, A:80)\n  expected: 0\n  observed: EADDRINUSE\u0001", T0, 2345),
                result("ref", "bind/c.trace", CaseResult.Status.SKIPPED, "SKIP", "bind/c.trace:4: A.p1: fork(p2): fork: no",
                        "bind/c.trace:4: A.p1: fork(p2): fork: no", T0 + 3000, 7),
                result("driver:x", "bind/a.trace", CaseResult.Status.BROKEN, "ERROR: implementation error",
                        "bind/a.trace:3: A.p1: socket(INET, STREAM): driver x: not JSON",
                        "bind/a.trace:3: A.p1: socket(INET, STREAM): driver x: not JSON\n  driver stderr:\n    boom", T0 + 9000, 1001));
    }

    static Schema schema() throws SAXException {
        return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(JUnitXmlTest.class.getResource("/junit.xsd"));
    }

    static Document parse(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void theJunitXmlWrittenIsValidByTheSchemaCiSystemsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junit.xml");
        JUnitXml.write(file, mixed());
        // Throws, naming the line and what is wrong, when junit.xml is not of the schema's shape.
        schema().newValidator().validate(new StreamSource(file.toFile()));
    }

    @Test
    void theSchemaRefusesWhatStrictReadersRefuse(@TempDir Path dir) throws Exception {
        // The check above can fail: the schema refuses a failure without a type, a suite without a timestamp,
        // and a testcase that holds properties (as this report's cases once did).
        Path file = dir.resolve("junit.xml");
        JUnitXml.write(file, mixed(), "buildhost", T0);
        String good = Files.readString(file);
        for (String bad : List.of(good.replace(" type=\"FAIL: not a behaviour of the spec\"", ""),
                good.replaceFirst(" timestamp=\"[^\"]*\"", ""),
                good.replace(" hostname=\"buildhost\"", " hostname=\"\""),
                good.replaceFirst("<system-out>", "<properties><property name=\"verdict-by\" value=\"x\"/></properties>"
                        + "<system-out>"))) {
            assertTrue(!bad.equals(good), "the mutation changed nothing");
            Files.writeString(file, bad);
            assertThrows(SAXException.class, () -> schema().newValidator().validate(new StreamSource(file.toFile())), bad);
        }
    }

    @Test
    void eachSuiteHasItsFirstRunsTimeItsHostAndTheSumOfItsRunsTimes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junit.xml");
        JUnitXml.write(file, mixed(), "buildhost", T0 + 99_000);
        Document d = parse(file);
        NodeList suites = d.getElementsByTagName("testsuite");
        assertEquals(2, suites.getLength());
        Element ref = (Element) suites.item(0);
        assertEquals("ref", ref.getAttribute("name"));
        // The earliest start of its runs (b.trace's), in UTC without a zone, as Ant writes it.
        assertEquals("2025-01-02T03:04:05", ref.getAttribute("timestamp"));
        assertEquals("buildhost", ref.getAttribute("hostname"));
        assertEquals("2025-01-02T03:04:14", ((Element) suites.item(1)).getAttribute("timestamp"));
        NodeList cases = ref.getElementsByTagName("testcase");
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < cases.getLength(); i++) {
            sum = sum.add(new BigDecimal(((Element) cases.item(i)).getAttribute("time")));
        }
        assertEquals(new BigDecimal("2.472"), sum, "0.120 + 2.345 + 0.007");
        assertEquals(0, sum.compareTo(new BigDecimal(ref.getAttribute("time"))), "the suite's time is its cases' sum");
        assertEquals("2.345", ((Element) cases.item(1)).getAttribute("time"));
        assertEquals(0, new BigDecimal("3.473").compareTo(new BigDecimal(d.getDocumentElement().getAttribute("time"))));
        Element props = (Element) ref.getElementsByTagName("property").item(0);
        assertEquals("verdict-by: judged by the spec", props.getAttribute("name"));
        assertEquals("3", props.getAttribute("value"));
    }

    @Test
    void aFailureSaysWhereExpectedAndObservedInItsMessageAndItsKindInItsType(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junit.xml");
        JUnitXml.write(file, mixed(), "buildhost", T0);
        Document d = parse(file);
        Element failure = (Element) d.getElementsByTagName("failure").item(0);
        assertEquals("bind/b.trace:5: A.p1: bind(3, A:80): expected 0, observed EADDRINUSE (the spec allows: 0)",
                failure.getAttribute("message"));
        assertEquals("FAIL: not a behaviour of the spec", failure.getAttribute("type"));
        assertTrue(failure.getTextContent().contains("  observed: EADDRINUSE?"), "the whole message, cleaned for XML: "
                + failure.getTextContent());
        Element error = (Element) d.getElementsByTagName("error").item(0);
        assertEquals("ERROR: implementation error", error.getAttribute("type"));
        Element skipped = (Element) d.getElementsByTagName("skipped").item(0);
        assertEquals("bind/c.trace:4: A.p1: fork(p2): fork: no", skipped.getAttribute("message"));
        String out = d.getElementsByTagName("system-out").item(0).getTextContent();
        assertTrue(out.startsWith("verdict by: judged by the spec\nobserve A: tcp A:80"), out);
    }

    @Test
    void theHostNameIsReadFromTheKernelThenTheEnvironmentNeverResolved(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hostname");
        Files.writeString(file, "buildhost\n");
        assertEquals("buildhost", JUnitXml.hostName(file, "fromenv"));
        Files.writeString(file, "\n");
        assertEquals("fromenv", JUnitXml.hostName(file, " fromenv "));
        assertEquals("fromenv", JUnitXml.hostName(dir.resolve("missing"), "fromenv"));
        assertEquals("localhost", JUnitXml.hostName(dir.resolve("missing"), null));
        assertEquals("localhost", JUnitXml.hostName(dir.resolve("missing"), "  "));
    }
}
