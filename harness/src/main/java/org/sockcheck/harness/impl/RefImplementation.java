package org.sockcheck.harness.impl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.sockcheck.ref.RefStack;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * The reference stack as an implementation: in process and deterministic.
 * Hosts get IPv4 addresses of 192.0.2.0/24 (TEST-NET-1, RFC 5737) and IPv6
 * addresses of 2001:db8::/32 (the documentation prefix, RFC 3849), which
 * never leave the process; port labels are used as they are.
 */
public final class RefImplementation implements Implementation {
    private RefStack stack;

    @Override
    public String name() {
        return "ref";
    }

    @Override
    public Addressing start(TraceSetup setup) {
        stack = new RefStack(setup.profile());
        Map<String, String> ips = new LinkedHashMap<>();
        Map<String, String> ips6 = new LinkedHashMap<>();
        int i = 1;
        for (String h : setup.hosts()) {
            String ip = "192.0.2." + i;
            // Host i's IPv6 address: 2001:db8::i, of the documentation prefix (RFC 3849), in RFC 5952's form.
            String ip6 = "2001:db8::" + i;
            i++;
            stack.addHost(h, ip, ip6);
            ips.put(h, ip);
            ips6.put(h, ip6);
        }
        Map<Integer, Integer> ports = setup.portLabels().stream()
                .collect(Collectors.toMap(Function.identity(), Function.identity(), (a, b) -> a, LinkedHashMap::new));
        // Unix names live in the stack's own hosts (no file system): a folder and a prefix of its own, as names.
        return new Addressing(ips, ips6, ports, "/sockcheck-ref", "sockcheck-ref-");
    }

    @Override
    public Outcome call(String host, String process, ApiCall call) throws ImplementationException {
        try {
            return stack.call(host, process, call);
        } catch (RuntimeException e) {
            throw new ImplementationException("reference stack failed: " + e, e);
        }
    }

    @Override
    public boolean concurrent() {
        return true;
    }

    /** The stack settles after each call: a call that still waits then waits until a later call lets it return. */
    @Override
    public Outcome call(String host, String process, String thread, ApiCall call, java.time.Duration wait)
            throws ImplementationException {
        try {
            return stack.call(host, process, thread, call);
        } catch (RuntimeException e) {
            throw new ImplementationException("reference stack failed: " + e, e);
        }
    }

    @Override
    public Outcome awaitReturn(String host, String process, String thread, java.time.Duration wait)
            throws ImplementationException {
        try {
            Outcome o = stack.tryReturn(host, process, thread);
            return o != null ? o : new Outcome.Blocked("nothing in flight can complete it");
        } catch (RuntimeException e) {
            throw new ImplementationException("reference stack failed: " + e, e);
        }
    }

    @Override
    public List<SocketRow> observe(String host) {
        return stack.sockets(host);
    }

    @Override
    public void stop() {
        // The stack lives in memory only; the next start makes a new one.
    }
}
