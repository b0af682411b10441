package org.sockcheck.harness.trace;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** What each call takes and gives, so a trace is checked when it is read, not when it runs. */
public record Signature(String op, List<Param> params, int required, Result result) {

    /** The kind of one argument. */
    public enum Param {
        FD("a descriptor (number or $var)"),
        ADDR("an address like A:80, A:$p or *:80"),
        INT("a number"),
        DATA("a quoted string"),
        DOMAIN("INET"),
        TYPE("STREAM, DGRAM or RAW"),
        HOW("RD, WR or RDWR"),
        OPTION("SO_REUSEADDR"),
        PROCESS("a process name like p2");

        public final String description;

        Param(String description) {
            this.description = description;
        }

        public Set<String> words() {
            return switch (this) {
                case DOMAIN -> Set.of("INET");
                case TYPE -> Set.of("STREAM", "DGRAM", "RAW");
                case HOW -> Set.of("RD", "WR", "RDWR");
                case OPTION -> Set.of("SO_REUSEADDR");
                default -> Set.of();
            };
        }
    }

    /** The shape of a successful result. */
    public enum Result {
        INT("a number or $var"),
        FD_PEER("a descriptor, 'peer' and an address"),
        DATA("a quoted string"),
        DATA_FROM("a quoted string, 'from' and an address"),
        ADDR("an address");

        public final String description;

        Result(String description) {
            this.description = description;
        }
    }

    private static Signature sig(String op, Result result, Param... params) {
        return new Signature(op, List.of(params), params.length, result);
    }

    public static final Map<String, Signature> ALL = Map.ofEntries(
            Map.entry("socket", new Signature("socket", List.of(Param.DOMAIN, Param.TYPE, Param.INT), 2, Result.INT)),
            Map.entry("bind", sig("bind", Result.INT, Param.FD, Param.ADDR)),
            Map.entry("listen", sig("listen", Result.INT, Param.FD, Param.INT)),
            Map.entry("connect", sig("connect", Result.INT, Param.FD, Param.ADDR)),
            Map.entry("accept", sig("accept", Result.FD_PEER, Param.FD)),
            Map.entry("send", sig("send", Result.INT, Param.FD, Param.DATA)),
            Map.entry("recv", sig("recv", Result.DATA, Param.FD, Param.INT)),
            Map.entry("sendto", sig("sendto", Result.INT, Param.FD, Param.DATA, Param.ADDR)),
            Map.entry("recvfrom", sig("recvfrom", Result.DATA_FROM, Param.FD, Param.INT)),
            Map.entry("shutdown", sig("shutdown", Result.INT, Param.FD, Param.HOW)),
            Map.entry("close", sig("close", Result.INT, Param.FD)),
            Map.entry("getsockname", sig("getsockname", Result.ADDR, Param.FD)),
            Map.entry("getpeername", sig("getpeername", Result.ADDR, Param.FD)),
            Map.entry("setsockopt", sig("setsockopt", Result.INT, Param.FD, Param.OPTION, Param.INT)),
            Map.entry("dup", sig("dup", Result.INT, Param.FD)),
            Map.entry("fork", sig("fork", Result.INT, Param.PROCESS)),
            Map.entry("exit", sig("exit", Result.INT)));
}
