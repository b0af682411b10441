/*
 * The system calls of benchmarks/traces/connect-echo-close.trace, made by a
 * plain C program: the yardstick for `sockcheck check --impl linux` on the
 * same trace (scripts/bench-linux, docs/performance.md).
 *
 *   trace_syscalls [N]      N runs of the trace (default 200)
 *
 * Each run places its two hosts on a fresh loopback block 127.X.Y.1 (A) and
 * 127.X.Y.2 (B), as sockcheck does, and makes the trace's calls:
 *
 *   A: socket, bind(A:port), listen      B: socket, connect(A:port)
 *   A: accept                            B: send "ping"
 *   A: recv, send "pong"                 B: recv, close
 *   A: recv (end of stream), close, close
 *
 * then, for the trace's two observe lines, asks the kernel for each host's
 * TCP rows through sock_diag as sockcheck does (a dump of the listeners and
 * the lookup of each connection's four-tuple from both ends). Each result is
 * checked; a run that does not go as the trace says stops the program.
 *
 * It prints the median, 10th and 90th percentile of a run's time, with and
 * without the observations, in microseconds:
 *   calls       MEDIAN P10 P90
 *   calls+observe MEDIAN P10 P90
 * Only loopback addresses are used.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "trace_syscalls: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void expect(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "trace_syscalls: %s did not go as the trace says\n", what);
        exit(1);
    }
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct sockaddr_in addr(unsigned x, unsigned y, unsigned host, unsigned port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(127u << 24 | x << 16 | y << 8 | host);
    return a;
}

/* One sock_diag request: a dump of the listeners (t == NULL) or the lookup of one four-tuple. */
struct request {
    struct nlmsghdr h;
    struct inet_diag_req_v2 r;
};

static void fill(struct request *q, unsigned seq, const struct sockaddr_in *local, const struct sockaddr_in *remote) {
    memset(q, 0, sizeof *q);
    q->h.nlmsg_len = sizeof *q;
    q->h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    q->h.nlmsg_flags = NLM_F_REQUEST | (local ? 0 : NLM_F_DUMP);
    q->h.nlmsg_seq = seq;
    q->r.sdiag_family = AF_INET;
    q->r.sdiag_protocol = IPPROTO_TCP;
    q->r.idiag_states = local ? ~0u : 1u << TCP_LISTEN;
    q->r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    q->r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (local) {
        q->r.id.idiag_sport = local->sin_port;
        q->r.id.idiag_dport = remote->sin_port;
        q->r.id.idiag_src[0] = local->sin_addr.s_addr;
        q->r.id.idiag_dst[0] = remote->sin_addr.s_addr;
    }
}

/*
 * Observes one host: the listeners of its address and the connection
 * (local, remote) from both ends; returns how many rows have the host's
 * address.
 */
static int observe(int nl, unsigned seq, in_addr_t host, const struct sockaddr_in *local, const struct sockaddr_in *remote) {
    static char buf[65536];
    struct request q[3];
    fill(&q[0], seq, NULL, NULL);
    fill(&q[1], seq + 1, local, remote);
    fill(&q[2], seq + 2, remote, local);
    if (send(nl, q, sizeof q, 0) != (ssize_t) sizeof q) {
        die("sock_diag send");
    }
    int rows = 0, answered = 0, done = 0;
    while (!done || answered < 2) {
        ssize_t n = recv(nl, buf, sizeof buf, 0);
        if (n < 0) {
            die("sock_diag recv");
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq == seq) {
                if (h->nlmsg_type == NLMSG_DONE) {
                    done = 1;
                } else if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
                    struct inet_diag_msg *m = NLMSG_DATA(h);
                    rows += m->id.idiag_src[0] == host;
                }
            } else if (h->nlmsg_seq == seq + 1 || h->nlmsg_seq == seq + 2) {
                answered++;
                if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
                    struct inet_diag_msg *m = NLMSG_DATA(h);
                    rows += m->id.idiag_src[0] == host && m->idiag_state != TCP_LISTEN;
                }
            }
        }
    }
    return rows;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, long long *t, int n) {
    qsort(t, n, sizeof *t, cmp);
    printf("%-14s %.1f %.1f %.1f\n", what, t[n / 2] / 1e3, t[n / 10] / 1e3, t[n * 9 / 10] / 1e3);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 1) {
        fprintf(stderr, "usage: trace_syscalls [N]\n");
        return 2;
    }
    long long *calls = calloc(n, sizeof *calls), *all = calloc(n, sizeof *all);
    int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0 || !calls || !all) {
        die("setup");
    }
    srand((unsigned) now_ns());
    unsigned base = (unsigned) rand();
    char buf[100];
    for (int i = 0; i < n; i++) {
        /* A fresh block and port per run, as sockcheck's Loopback places a trace. */
        unsigned block = (base + (unsigned) i) % (128 * 254);
        unsigned x = 64 + block / 254, y = 1 + block % 254, port = 20000 + (base + (unsigned) i * 7) % 12000;
        struct sockaddr_in a = addr(x, y, 1, port), b = addr(x, y, 2, 0), peer, bname;
        socklen_t len;
        long long t0 = now_ns();
        int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        expect(l >= 0, "socket");
        expect(bind(l, (struct sockaddr *) &a, sizeof a) == 0, "bind");
        expect(listen(l, 8) == 0, "listen");
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        expect(c >= 0, "socket");
        /* sockcheck binds an unbound socket to its host's address before connect; the trace's own call is connect. */
        expect(bind(c, (struct sockaddr *) &b, sizeof b) == 0, "bind of B");
        expect(connect(c, (struct sockaddr *) &a, sizeof a) == 0, "connect");
        len = sizeof peer;
        int s = accept4(l, (struct sockaddr *) &peer, &len, SOCK_CLOEXEC);
        expect(s >= 0, "accept");
        expect(send(c, "ping", 4, MSG_NOSIGNAL) == 4, "send");
        expect(recv(s, buf, sizeof buf, 0) == 4, "recv");
        expect(send(s, "pong", 4, MSG_NOSIGNAL) == 4, "send");
        expect(recv(c, buf, sizeof buf, 0) == 4, "recv");
        len = sizeof bname;
        getsockname(c, (struct sockaddr *) &bname, &len); /* for the observation; not timed apart */
        expect(close(c) == 0, "close");
        expect(recv(s, buf, sizeof buf, 0) == 0, "recv of the end of stream");
        expect(close(s) == 0, "close");
        expect(close(l) == 0, "close");
        long long t1 = now_ns();
        /* observe A: none; observe B: B's connection in TIME-WAIT. */
        expect(observe(nl, 3 * 2 * (unsigned) i + 1, a.sin_addr.s_addr, &bname, &a) == 0, "observe A");
        expect(observe(nl, 3 * 2 * (unsigned) i + 4, bname.sin_addr.s_addr, &bname, &a) == 1, "observe B");
        long long t2 = now_ns();
        calls[i] = t1 - t0;
        all[i] = t2 - t0;
    }
    close(nl);
    printf("runs %d (microseconds per run: median p10 p90)\n", n);
    report("calls", calls, n);
    report("calls+observe", all, n);
    return 0;
}
