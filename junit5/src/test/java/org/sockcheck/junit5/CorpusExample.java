package org.sockcheck.junit5;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.sockcheck.harness.impl.RefImplementation;

/**
 * The README's example: the bind scenarios on the reference stack, a test
 * per trace. Not a *Test class, so the build does not run it by itself;
 * SockcheckCorpusTest runs it through the JUnit launcher, as an IDE would.
 */
class CorpusExample {
    static final SockcheckCorpus CORPUS = SockcheckCorpus.builder()
            .traces(Path.of("../conformance/scenarios"))
            .include("bind")
            .build();

    @TestFactory
    Stream<DynamicTest> bindOnRef() {
        return CORPUS.tests(RefImplementation::new);
    }
}
