package org.sockcheck.harness.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * Generated walks take the spec's steps in an order of their own: the
 * order TLC gives them in (which follows the order it met strings in the
 * spec's text) does not show, so adding a string to the spec does not move
 * a seed's walks.
 */
class GeneratorOrderTest {
    @Test
    void theOrderOfStepsIsTheirsWhateverOrderTheyCameIn() throws Exception {
        SpecBridge spec = SpecBridge.load(SpecBridge.Constants.GENERATED);
        // A state with a socket of each kind, so that the steps carry strings, records and numbers.
        SpecBridge.State s = spec.init();
        for (int i = 0; i < 3; i++) {
            s = Generator.ordered(spec.successors(s)).stream().filter(st -> st.action().equals("Socket")).findFirst()
                    .orElseThrow().next();
        }
        List<SpecBridge.Step> steps = spec.successors(s);
        assertTrue(steps.size() > 100, "steps from the state: " + steps.size());
        List<String> once = keys(Generator.ordered(steps));
        Random random = new Random(1);
        for (int k = 0; k < 5; k++) {
            List<SpecBridge.Step> shuffled = new ArrayList<>(steps);
            Collections.shuffle(shuffled, random);
            assertEquals(once, keys(Generator.ordered(shuffled)), "shuffle " + k + " of " + steps.size() + " steps");
        }
    }

    private static List<String> keys(List<SpecBridge.Step> steps) {
        return steps.stream().map(st -> st.action() + " " + st.params() + " " + st.next().evt()).toList();
    }
}
