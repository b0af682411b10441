package org.sockcheck.spec.tlc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tlc2.util.FP64;
import tlc2.value.impl.Value;

/** The state hash the validator compares states by agrees with TLC's fingerprint. */
class StateHashTest {
    /**
     * A breadth-first walk of the generated model from its initial state:
     * two states have the same hash exactly when they have the same TLC
     * fingerprint, among states reached by different paths (whose values
     * TLC built in different orders and shares differently).
     */
    @Test
    void equalStatesHashAlikeAndOthersDoNot() throws Exception {
        SpecBridge spec = SpecBridge.load(SpecBridge.Constants.GENERATED);
        Map<Long, Long> hashByFingerprint = new HashMap<>();
        Map<Long, Long> fingerprintByHash = new HashMap<>();
        ArrayDeque<SpecBridge.State> todo = new ArrayDeque<>(List.of(spec.init()));
        int states = 0;
        int again = 0;
        long composites = 0;
        while (!todo.isEmpty() && hashByFingerprint.size() < 1_000) {
            SpecBridge.State s = todo.poll();
            for (SpecBridge.Step st : spec.successors(s)) {
                SpecBridge.State next = st.next();
                composites += normalizedThroughout(next);
                long fp = next.tlc.fingerPrint();
                states++;
                Long hash = hashByFingerprint.putIfAbsent(fp, next.fingerprint());
                if (hash == null) {
                    Long other = fingerprintByHash.putIfAbsent(next.fingerprint(), fp);
                    assertEquals(null, other, "two states TLC tells apart have one hash: " + next);
                    todo.add(next);
                } else {
                    again++;
                    assertEquals(hash, next.fingerprint(), "a state reached again has another hash: " + next);
                }
            }
        }
        assertTrue(again > 100, "the walk reached " + again + " states a second time, of " + states);
        assertTrue(composites > 100_000, composites + " records, functions and sets checked normalized");
        assertTrue(hashByFingerprint.size() >= 1_000, hashByFingerprint.size() + " distinct states, of " + states);
    }

    /**
     * Every record, function and set in a state is normalized (the hash's walk normalizes what TLC leaves lazy, as
     * TLC's deepNormalize did before the state is explored); the number of them checked.
     */
    private static long normalizedThroughout(SpecBridge.State s) {
        long n = 0;
        for (tla2sany.semantic.OpDeclNode var : s.tlc.getVars()) {
            n += normalized((Value) s.tlc.lookup(var.getName()), s);
        }
        return n;
    }

    private static long normalized(Value v, SpecBridge.State s) {
        switch (v) {
            case tlc2.value.impl.RecordValue r -> {
                assertTrue(r.isNormalized(), "a record not normalized in " + s);
                long n = 1;
                for (Value x : r.values) {
                    n += normalized(x, s);
                }
                return n;
            }
            case tlc2.value.impl.FcnRcdValue f -> {
                assertTrue(f.isNormalized(), "a function not normalized in " + s);
                long n = 1;
                for (int k = 0; k < f.values.length; k++) {
                    n += (f.domain == null ? 0 : normalized(f.domain[k], s)) + normalized(f.values[k], s);
                }
                return n;
            }
            case tlc2.value.impl.SetEnumValue e -> {
                assertTrue(e.isNormalized(), "a set not normalized in " + s);
                long n = 1;
                for (int k = 0; k < e.elems.size(); k++) {
                    n += normalized(e.elems.elementAt(k), s);
                }
                return n;
            }
            case tlc2.value.impl.TupleValue t -> {
                long n = 0;
                for (Value x : t.elems) {
                    n += normalized(x, s);
                }
                return n;
            }
            case tlc2.value.impl.FcnLambdaValue l -> {
                return normalized(l.toFcnRcd(), s);
            }
            default -> {
                return 0;
            }
        }
    }

    /** A record, a tuple and a set hash as the function or set TLA+ says they are, whatever TLC's representation. */
    @Test
    void representationsOfOneValueHashAlike() {
        Value record = SpecBridge.tlc(Map.of("st", "LISTEN", "lport", 80));
        Value asFunction = record.toFcnRcd();
        assertNotEquals(record.getClass(), asFunction.getClass());
        assertEquals(record.fingerPrint(FP64.New()), asFunction.fingerPrint(FP64.New()), "TLC: one value");
        assertEquals(StateHash.ofValue(record), StateHash.ofValue(asFunction));

        Value tuple = SpecBridge.tlc(List.of("A", "p1", "t1"));
        Value tupleAsFunction = tuple.toFcnRcd();
        assertNotEquals(tuple.getClass(), tupleAsFunction.getClass());
        assertEquals(StateHash.ofValue(tuple), StateHash.ofValue(tupleAsFunction));

        assertEquals(StateHash.ofValue(SpecBridge.tlc(java.util.Set.of(1, 2, 3))),
                StateHash.ofValue(new tlc2.value.impl.IntervalValue(1, 3)), "{1, 2, 3} = 1..3");
        // What differs hashes apart: swapped arguments and values, a tuple against its reverse, a set against a tuple.
        assertNotEquals(StateHash.ofValue(SpecBridge.tlc(List.of(1, 2))), StateHash.ofValue(SpecBridge.tlc(List.of(2, 1))));
        assertNotEquals(StateHash.ofValue(SpecBridge.tlc(List.of(1, 2))),
                StateHash.ofValue(SpecBridge.tlc(java.util.Set.of(1, 2))));
        assertNotEquals(StateHash.ofValue(SpecBridge.tlc(Map.of("a", "b"))), StateHash.ofValue(SpecBridge.tlc(Map.of("b", "a"))));
        assertNotEquals(StateHash.ofValue(SpecBridge.tlc(List.of())), StateHash.ofValue(SpecBridge.tlc(java.util.Set.of())));
        assertEquals(StateHash.ofValue(SpecBridge.tlc(List.of())), StateHash.ofValue(SpecBridge.tlc(Map.of())),
                "<<>> and the empty record are the function with an empty domain");
    }
}
