package org.sockcheck.spec;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The errno values a socket call can fail with, spelled as POSIX spells them.
 * The numbers are Linux's (asm-generic/errno.h); traces and the driver protocol
 * carry the names only, so a stack with other numbers still conforms.
 */
public enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14),
    EINVAL(22), EMFILE(24), EPIPE(32),
    ENOTSOCK(88), EDESTADDRREQ(89), EMSGSIZE(90), EPROTOTYPE(91), ENOPROTOOPT(92),
    EPROTONOSUPPORT(93), ESOCKTNOSUPPORT(94), EOPNOTSUPP(95), EPFNOSUPPORT(96),
    EAFNOSUPPORT(97), EADDRINUSE(98), EADDRNOTAVAIL(99), ENETDOWN(100),
    ENETUNREACH(101), ECONNABORTED(103), ECONNRESET(104), ENOBUFS(105),
    EISCONN(106), ENOTCONN(107), ETIMEDOUT(110), ECONNREFUSED(111),
    EHOSTUNREACH(113), EALREADY(114), EINPROGRESS(115);

    private static final Map<Integer, Errno> BY_NUMBER = new HashMap<>();
    private static final Map<String, Errno> BY_NAME = new HashMap<>();

    static {
        for (Errno e : values()) {
            BY_NUMBER.put(e.linuxNumber, e);
            BY_NAME.put(e.name(), e);
        }
        // POSIX allows EWOULDBLOCK to equal EAGAIN, and on Linux it does.
        BY_NAME.put("EWOULDBLOCK", EAGAIN);
        // Linux's ENOTSUP is EOPNOTSUPP.
        BY_NAME.put("ENOTSUP", EOPNOTSUPP);
    }

    private final int linuxNumber;

    Errno(int linuxNumber) {
        this.linuxNumber = linuxNumber;
    }

    public int linuxNumber() {
        return linuxNumber;
    }

    public static Optional<Errno> fromLinux(int number) {
        return Optional.ofNullable(BY_NUMBER.get(number));
    }

    public static Optional<Errno> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
