package org.sockcheck.spec.tlc;

import java.util.IdentityHashMap;
import java.util.Map;
import tlc2.tool.TLCState;
import tlc2.value.impl.BoolValue;
import tlc2.value.impl.FcnRcdValue;
import tlc2.value.impl.IntValue;
import tlc2.value.impl.IntervalValue;
import tlc2.value.impl.ModelValue;
import tlc2.value.impl.RecordValue;
import tlc2.value.impl.SetEnumValue;
import tlc2.value.impl.StringValue;
import tlc2.value.impl.TupleValue;
import tlc2.value.impl.Value;
import tla2sany.semantic.OpDeclNode;

/**
 * A 64-bit hash of a spec state that is equal for equal states, as TLC's
 * fingerprint is, but made from the hashes of the state's parts: a step of
 * the spec changes a few entries of a few functions and shares every other
 * value with the state before it, so the hash of a part is remembered by the
 * identity of its TLC value and a new state costs about what its step
 * changed. TLC's own fingerprint reads the whole state, every field name
 * and string a character at a time (JFR: two thirds of the time a trace
 * took to validate with a warm JVM).
 *
 * <p>Equal values hash alike whatever TLC's representation: a record, a
 * tuple and a function with the same domain and values are one function
 * (as in TLA+, and as TLC's fingerprint has it); a function is the sum of
 * the hashes of its (argument, value) pairs and a set the sum of its
 * elements' hashes, so neither depends on the order TLC keeps them in. A
 * value of another kind (a set or function TLC keeps lazily) is hashed as
 * the set or function it enumerates to. Like the fingerprint, the hash is a
 * 64-bit summary, and two states with the same hash are taken to be the
 * same; a hash is only ever compared within one JVM (a string's part is
 * TLC's token of the interned string).
 *
 * <p>The walk also normalizes the state, as TLC's deepNormalize does before
 * a state is explored further (TLC leaves a successor's values lazy, a
 * function with pending EXCEPTs), and in the same way only the values it has
 * not seen: deepNormalize too walked the whole state on every step.
 */
final class StateHash {
    private static final long FUNCTION = 0x9E3779B97F4A7C15L;
    private static final long SET = 0xC2B2AE3D27D4EB4FL;
    private static final long INT = 0x165667B19E3779F9L;
    private static final long STRING = 0xD6E8FEB86659FD93L;
    private static final long MODEL = 0xA0761D6478BD642FL;
    private static final long TRUE = 0xE7037ED1A0B428DBL;
    private static final long FALSE = 0x8EBC6AF09C88C6E3L;
    private static final long OTHER = 0x589965CC75374CC3L;
    private static final long PAIR = 0x1D8E4E27C47D124FL;

    /** The most composite values one thread remembers; past it the memory is emptied and starts again. */
    private static final int REMEMBERED = 1 << 18;
    private static final ThreadLocal<StateHash> PER_THREAD = ThreadLocal.withInitial(StateHash::new);

    private final Map<Value, Long> known = new IdentityHashMap<>();

    private StateHash() {
    }

    /** The hash of a state (of each variable's value, in the order TLC declares them), the state normalized. */
    static long of(TLCState state) {
        StateHash h = PER_THREAD.get();
        if (h.known.size() > REMEMBERED) {
            h.known.clear();
        }
        long out = 0;
        OpDeclNode[] vars = state.getVars();
        for (OpDeclNode var : vars) {
            out = mix(out * 31 + h.value((Value) state.lookup(var.getName())));
        }
        return out;
    }

    /** The hash of one value (for tests). */
    static long ofValue(Value v) {
        return PER_THREAD.get().value(v);
    }

    private long value(Value v) {
        switch (v) {
            case IntValue i -> {
                return integer(i.val);
            }
            case StringValue s -> {
                return mix(STRING ^ s.val.getTok());
            }
            case BoolValue b -> {
                return b.val ? TRUE : FALSE;
            }
            case ModelValue m -> {
                return mix(MODEL ^ m.val.getTok());
            }
            case null -> throw new IllegalArgumentException("a state without a value for one of its variables");
            default -> {
                Long done = known.get(v);
                if (done != null) {
                    return done;
                }
                long h = composite(v);
                known.put(v, h);
                return h;
            }
        }
    }

    /** A composite value's hash, the value normalized: its parts first (a set sorts by them), then the value itself. */
    private long composite(Value v) {
        switch (v) {
            case RecordValue r -> {
                long sum = FUNCTION;
                for (int k = 0; k < r.names.length; k++) {
                    sum += pair(mix(STRING ^ r.names[k].getTok()), value(r.values[k]));
                }
                r.normalize();
                return mix(sum);
            }
            case TupleValue t -> {
                long sum = FUNCTION;
                for (int k = 0; k < t.elems.length; k++) {
                    sum += pair(integer(k + 1), value(t.elems[k]));
                }
                return mix(sum);
            }
            case FcnRcdValue f -> {
                long sum = FUNCTION;
                for (int k = 0; k < f.values.length; k++) {
                    long arg = f.intv != null ? integer(f.intv.low + k) : value(f.domain[k]);
                    sum += pair(arg, value(f.values[k]));
                }
                f.normalize();
                return mix(sum);
            }
            case SetEnumValue s -> {
                for (int k = 0; k < s.elems.size(); k++) {
                    value(s.elems.elementAt(k));
                }
                // Normalized, a set's elements are unique: each counts once.
                s.normalize();
                long sum = SET;
                for (int k = 0; k < s.elems.size(); k++) {
                    sum += mix(value(s.elems.elementAt(k)) + SET);
                }
                return mix(sum);
            }
            case IntervalValue i -> {
                long sum = SET;
                for (int k = i.low; k <= i.high; k++) {
                    sum += mix(integer(k) + SET);
                }
                return mix(sum);
            }
            default -> {
                v.deepNormalize();
                Value f = v.toFcnRcd();
                if (f instanceof FcnRcdValue) {
                    return value(f);
                }
                Value s = v.toSetEnum();
                if (s instanceof SetEnumValue) {
                    return value(s);
                }
                return mix(OTHER ^ v.fingerPrint(tlc2.util.FP64.New()));
            }
        }
    }

    private static long integer(int i) {
        return mix(INT ^ i);
    }

    /** An (argument, value) pair of a function: not symmetric, so f[a] = b and f[b] = a differ. */
    private static long pair(long arg, long value) {
        return mix(arg * PAIR + Long.rotateLeft(value, 29));
    }

    /** A 64-bit finalizer (MurmurHash3's fmix64): every input bit reaches every output bit. */
    private static long mix(long z) {
        z ^= z >>> 33;
        z *= 0xFF51AFD7ED558CCDL;
        z ^= z >>> 33;
        z *= 0xC4CEB9FE1A85EC53L;
        z ^= z >>> 33;
        return z;
    }
}
