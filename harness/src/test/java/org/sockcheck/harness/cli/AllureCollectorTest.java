package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Allure's JVM: the parallel collector unless the environment's JVM options chose one; the young generation the launcher found room for. */
class AllureCollectorTest {
    @Test
    void theParallelCollectorWithTheLaunchersYoungGeneration() {
        assertEquals(List.of("-XX:+UseParallelGC", "-Xmn64m"), AllureHtml.collector(null, null, "64m"));
        assertEquals(List.of("-XX:+UseParallelGC"), AllureHtml.collector(null, null, null));
        // A tuning flag of the parallel collector is not a choice of collector.
        assertEquals(List.of("-XX:+UseParallelGC", "-Xmn64m"),
                AllureHtml.collector("-XX:+UseAdaptiveSizePolicyWithSystemGC", null, "64m"));
    }

    @Test
    void aCollectorTheEnvironmentChoseIsLeftAlone() {
        assertEquals(List.of(), AllureHtml.collector("-Xss1m -XX:+UseSerialGC", null, "64m"));
        assertEquals(List.of(), AllureHtml.collector(null, "-XX:+UseZGC", "64m"));
        assertEquals(List.of(), AllureHtml.collector("-XX:-UseParallelGC", null, null));
    }

    @Test
    void aYoungGenerationThatIsNotASizeIsNotPassedOn() {
        assertEquals(List.of("-XX:+UseParallelGC"), AllureHtml.collector(null, null, "64m -Xmx1m"));
        assertEquals(List.of("-XX:+UseParallelGC"), AllureHtml.collector(null, null, "0m"));
    }
}
