/*
 * sockcheck driver for lwIP 2.1.3 (Debian's liblwip-dev), driver protocol version 2.
 *
 * One lwIP stack per modelled host: lwIP keeps its state in globals, so the driver
 * forks one child process per host after hello; each child runs tcpip_init and one
 * netif with the host's 192.0.2.N address. The parent (this process's first thread)
 * is a router:
 *
 *   stdin  --requests-->  parent  --line-->  child of the request's host (ctl socketpair)
 *   stdout <--replies---  parent  <--line--  child
 *   child A --IP packet--> parent (wire socketpair) --by destination address--> child B
 *
 * The virtual wire carries bare IPv4 packets, and in a trace with IPv6 calls (hello gives
 * each host an "addr6", 2001:db8::N) bare IPv6 unicast packets too: the netif has no
 * Ethernet, no ARP and no neighbour discovery; nothing leaves the process group.
 * "settle" is the parent's: it asks every child whether it is quiet (see child_quiet) and
 * compares the packets each child sent and took in with the parent's own counts, until two
 * rounds agree (at most 1 s).
 *
 * See README.md.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/sockets.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"

#include "sockcheck_driver.h"

#define MAX_HOSTS 64
#define SETTLE_MS 1000

/* The capability "ipv6" needs a dual-stack build: IPv6 sockets that reach IPv4 peers through
 * v4-mapped addresses (sockets.c maps and unmaps them only when both are compiled in). */
#define HAVE_DUAL_STACK (LWIP_IPV4 && LWIP_IPV6)

static const char *const OPS[] = {
    "socket", "bind", "listen", "connect", "accept", "send", "recv", "sendto", "recvfrom",
    "shutdown", "close", "getsockname", "getpeername", "setsockopt", "getsockopt", "fcntl",
    "poll", "read", "write", "exit", "sockets", "settle", "threads", "recv-flags",
    "connect-unspec", "raw",
#if HAVE_DUAL_STACK
    "ipv6",
#endif
    NULL};
/* setsockopt options lwIP 2.1.3 implements (src/api/sockets.c, lwip_setsockopt_impl) */
static const char *const OPTIONS[] = {
    "SO_REUSEADDR", "SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_LINGER", "SO_RCVBUF",
#if HAVE_DUAL_STACK
    "IPV6_V6ONLY",
#endif
    NULL};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* =================================================================== child: one host */

static struct netif nif;
static int wire_fd = -1;
static atomic_ulong n_in, n_out;
static int ipv6_on;   /* this run gave the host an IPv6 address (a trace with IPv6 calls) */

/* Output of the host's netif (under the core lock): the IPv4 packet goes on the wire. */
static err_t nif_output(struct netif *n, struct pbuf *p, const ip4_addr_t *next)
{
    static unsigned char buf[65536];
    (void)n;
    (void)next;
    u16_t len = pbuf_copy_partial(p, buf, p->tot_len, 0);
    if (send(wire_fd, buf, len, MSG_DONTWAIT) == (ssize_t)len)
        atomic_fetch_add(&n_out, 1);
    return ERR_OK;
}

#if LWIP_IPV6
/* Output of IPv6 packets: unicast goes on the wire as it is (a point-to-point link at the IP
 * level, so no neighbour discovery). Multicast (MLD reports, neighbour solicitations) is
 * dropped here, uncounted: no host needs it, and it would keep settle from going quiet. */
static err_t nif_output_ip6(struct netif *n, struct pbuf *p, const ip6_addr_t *next)
{
    static unsigned char buf[65536];
    (void)n;
    if (!ipv6_on || ip6_addr_ismulticast(next))
        return ERR_OK;
    u16_t len = pbuf_copy_partial(p, buf, p->tot_len, 0);
    if (len >= 40 && buf[24] == 0xff)
        return ERR_OK;   /* a multicast destination in the header itself */
    if (send(wire_fd, buf, len, MSG_DONTWAIT) == (ssize_t)len)
        atomic_fetch_add(&n_out, 1);
    return ERR_OK;
}
#endif

static err_t nif_init(struct netif *n)
{
    n->name[0] = 's';
    n->name[1] = 'c';
    n->output = nif_output;
#if LWIP_IPV6
    n->output_ip6 = nif_output_ip6;
#endif
    n->mtu = 1500;
    n->flags = NETIF_FLAG_BROADCAST;
    return ERR_OK;
}

/* Packets from the wire go into the stack under the core lock, one at a time, so that
 * a packet counted in n_in has been processed completely (replies sent included). */
static void *wire_reader(void *arg)
{
    static unsigned char buf[65536];
    (void)arg;
    for (;;) {
        ssize_t n = recv(wire_fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(0);   /* the parent is gone */
        LOCK_TCPIP_CORE();
        /* PBUF_RAM: one contiguous buffer (a PBUF_POOL chain of Debian's build overran in pbuf_take) */
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (p) {
            pbuf_take(p, buf, (u16_t)n);
            if (nif.input(p, &nif) != ERR_OK)
                pbuf_free(p);
        }
        atomic_fetch_add(&n_in, 1);
        UNLOCK_TCPIP_CORE();
    }
    return NULL;
}

/* ---- descriptors of each modelled process of this host ---- */

typedef struct held { char *process; int fd; struct held *next; } held;
static held *helds;
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;

static void hold(const char *process, int fd)
{
    held *h = malloc(sizeof *h);
    h->process = strdup(process);
    h->fd = fd;
    pthread_mutex_lock(&held_mu);
    h->next = helds;
    helds = h;
    pthread_mutex_unlock(&held_mu);
}

static void release(const char *process, int fd)
{
    pthread_mutex_lock(&held_mu);
    for (held **pp = &helds; *pp; pp = &(*pp)->next)
        if ((*pp)->fd == fd && !strcmp((*pp)->process, process)) {
            held *h = *pp;
            *pp = h->next;
            free(h->process);
            free(h);
            break;
        }
    pthread_mutex_unlock(&held_mu);
}

/* ---- running a function on the tcpip thread (after what is queued there) ---- */

typedef struct { void (*fn)(void *); void *arg; sem_t done; } on_thread;

static void on_thread_run(void *ctx)
{
    on_thread *t = ctx;
    t->fn(t->arg);
    sem_post(&t->done);
}

/* 0 when fn ran; -1 when it could not be queued or did not run within a second
 * (then ctx must stay valid: it is leaked). */
static int run_on_tcpip(void (*fn)(void *), void *arg)
{
    on_thread *t = malloc(sizeof *t);
    t->fn = fn;
    t->arg = arg;
    sem_init(&t->done, 0, 0);
    if (tcpip_callback(on_thread_run, t) != ERR_OK) {
        free(t);
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 2;
    while (sem_timedwait(&t->done, &ts) != 0)
        if (errno != EINTR)
            return -1;
    sem_destroy(&t->done);
    free(t);
    return 0;
}

/* ---- handlers ---- */

#define FD(rq, fd) long long fd##_; if (sc_arg_int(rq, "fd", &fd##_)) return; int fd = (int)fd##_

static void answer(sc_request *rq, long long r, int e)
{
    if (r < 0)
        sc_reply_err(rq, e);
    else
        sc_reply_ok_int(rq, r);
}

static int set_nonblock(int fd, int on)
{
    int fl = lwip_fcntl(fd, F_GETFL, 0);
    if (fl < 0)
        return -1;
    return lwip_fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
}

/* An address of a request: "IP:PORT" is a sockaddr_in, "[IP6]:PORT" a sockaddr_in6 and
 * "AF_UNSPEC" a sockaddr of family AF_UNSPEC, whatever the socket's family: the stack judges
 * an address of the other family itself. */
typedef struct { struct sockaddr_storage ss; socklen_t len; } saddr;

static int arg_saddr(sc_request *rq, const char *name, saddr *out)
{
    memset(out, 0, sizeof *out);
    cJSON *v = cJSON_GetObjectItemCaseSensitive(rq->args, name);
    if (cJSON_IsString(v) && v->valuestring[0] == '[') {
        const char *s = v->valuestring, *end = strchr(s, ']');
        char ip[INET6_ADDRSTRLEN], *pe = NULL;
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->ss;
        long port = end && end[1] == ':' && end[2] ? strtol(end + 2, &pe, 10) : -1;
        if (!end || (size_t)(end - s - 1) >= sizeof ip || port < 0 || port > 65535 || *pe) {
            sc_reply_unsupported(rq, "%s: %s \"%s\" is not \"[IP6]:PORT\"", rq->op, name, s);
            return -1;
        }
        memcpy(ip, s + 1, (size_t)(end - s - 1));
        ip[end - s - 1] = 0;
        if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1) {
            sc_reply_unsupported(rq, "%s: %s \"%s\" is not an IPv6 address", rq->op, name, s);
            return -1;
        }
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((unsigned short)port);
        out->len = sizeof *a;
        return 0;
    }
    struct sockaddr_in a4;
    if (sc_arg_addr(rq, name, &a4))
        return -1;
    memcpy(&out->ss, &a4, sizeof a4);
    out->len = sizeof a4;
    return 0;
}

/* An address as the protocol writes it: "IP:PORT", "[IP6]:PORT" (RFC 5952's form, as the host's
 * inet_ntop writes it: compressed, lowercase, v4-mapped as ::ffff:a.b.c.d), or null. */
static cJSON *saddr_json(const struct sockaddr_storage *ss, socklen_t len)
{
    if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        char ip[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 10];
        if (!inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip))
            return cJSON_CreateNull();
        snprintf(text, sizeof text, "[%s]:%u", ip, ntohs(a->sin6_port));
        return cJSON_CreateString(text);
    }
    if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in))
        return sc_addr_json((const struct sockaddr_in *)ss);
    return cJSON_CreateNull();
}

static void op_socket(sc_request *rq)
{
    const char *domain = "inet", *type;
    cJSON *d = cJSON_GetObjectItemCaseSensitive(rq->args, "domain");
    if (cJSON_IsString(d))
        domain = d->valuestring;
    if (!(type = sc_arg_str(rq, "type")))
        return;
    long long proto;
    int nonblock;
    if (sc_arg_int_opt(rq, "protocol", 0, &proto) || sc_arg_bool_opt(rq, "nonblock", &nonblock))
        return;
    int dom = !strcmp(domain, "inet") ? AF_INET : -1;
#if HAVE_DUAL_STACK
    if (!strcmp(domain, "inet6"))
        dom = AF_INET6;
#endif
    if (dom < 0) {
        sc_reply_unsupported(rq, "domain %s: this driver speaks IPv4%s only", domain, HAVE_DUAL_STACK ? " and IPv6" : "");
        return;
    }
    int t = !strcmp(type, "stream") ? SOCK_STREAM : !strcmp(type, "dgram") ? SOCK_DGRAM
          : !strcmp(type, "raw") ? SOCK_RAW : -1;
    if (t < 0) {
        sc_reply_unsupported(rq, "socket type %s", type);
        return;
    }
    if (dom == AF_INET6 && t == SOCK_RAW) {
        sc_reply_unsupported(rq, "raw INET6 sockets: not offered by this driver");
        return;
    }
    int fd = lwip_socket(dom, t, (int)proto);
    int e = errno;
    if (fd < 0) {
        sc_reply_err(rq, e);
        return;
    }
    /* SOCK_NONBLOCK: lwip_socket takes no type flags; O_NONBLOCK by lwip_fcntl instead */
    if (nonblock && set_nonblock(fd, 1) < 0) {
        e = errno;
        lwip_close(fd);
        sc_reply_err(rq, e);
        return;
    }
    hold(rq->process, fd);
    sc_reply_ok_int(rq, fd);
}

static void op_bind(sc_request *rq)
{
    FD(rq, fd);
    saddr a;
    if (arg_saddr(rq, "addr", &a))
        return;
    int r = lwip_bind(fd, (struct sockaddr *)&a.ss, a.len);
    answer(rq, r, errno);
}

static void op_listen(sc_request *rq)
{
    FD(rq, fd);
    long long backlog;
    if (sc_arg_int(rq, "backlog", &backlog))
        return;
    int r = lwip_listen(fd, (int)backlog);
    answer(rq, r, errno);
}

static void op_connect(sc_request *rq)
{
    FD(rq, fd);
    saddr a;
    if (arg_saddr(rq, "addr", &a))
        return;
    int r = lwip_connect(fd, (struct sockaddr *)&a.ss, a.len);
    answer(rq, r, errno);
}

static void op_accept(sc_request *rq)
{
    FD(rq, fd);
    int nonblock;
    if (sc_arg_bool_opt(rq, "nonblock", &nonblock))
        return;
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    memset(&peer, 0, sizeof peer);
    int c = lwip_accept(fd, (struct sockaddr *)&peer, &len);
    int e = errno;
    if (c < 0) {
        sc_reply_err(rq, e);
        return;
    }
    hold(rq->process, c);
    if (nonblock && set_nonblock(c, 1) < 0)
        fprintf(stderr, "sockcheck-lwip: O_NONBLOCK on accepted socket %d failed (errno %d)\n", c, errno);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "fd", c);
    cJSON_AddItemToObject(o, "peer", saddr_json(&peer, len));
    sc_reply_ok(rq, o);
}

static void op_send_common(sc_request *rq, int to, int plain_write)
{
    FD(rq, fd);
    saddr a;
    unsigned char *data;
    size_t len;
    if (to && arg_saddr(rq, "addr", &a))
        return;
    if (sc_arg_data(rq, "data", &data, &len))
        return;
    ssize_t r = plain_write ? lwip_write(fd, data, len)
              : to ? lwip_sendto(fd, data, len, 0, (struct sockaddr *)&a.ss, a.len)
                   : lwip_send(fd, data, len, 0);
    int e = errno;
    free(data);
    answer(rq, r, e);
}

static void op_send(sc_request *rq) { op_send_common(rq, 0, 0); }
static void op_sendto(sc_request *rq) { op_send_common(rq, 1, 0); }
static void op_write(sc_request *rq) { op_send_common(rq, 0, 1); }

static int is_raw(int fd)
{
    int type = 0;
    socklen_t len = sizeof type;
    return fd >= 0 && lwip_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_RAW;
}

static void op_recv_common(sc_request *rq, int from, int plain_read)
{
    FD(rq, fd);
    long long size;
    unsigned bits = 0;
    if (sc_arg_int(rq, "size", &size) || (!plain_read && sc_arg_flags(rq, &bits)))
        return;
    /* lwip_recv_tcp and lwip_recvfrom_udp_raw act on MSG_PEEK and MSG_DONTWAIT only. MSG_WAITALL
     * changes nothing where the call does not wait (MSG_DONTWAIT, an O_NONBLOCK socket) nor on a
     * datagram or raw socket, so lwIP ignoring it is then what POSIX and Linux do: the call is
     * made without it. Only a blocking recv on a stream socket is answered unsupported. */
    if ((bits & SC_MSG_WAITALL) && !(bits & SC_MSG_DONTWAIT)) {
        int type = 0, fl;
        socklen_t tl = sizeof type;
        if (lwip_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM ||
            ((fl = lwip_fcntl(fd, F_GETFL, 0)) >= 0 && (fl & O_NONBLOCK)))
            bits &= ~SC_MSG_WAITALL;   /* not a stream socket (or no socket: EBADF follows) */
    } else {
        bits &= ~SC_MSG_WAITALL;
    }
    if (bits & SC_MSG_WAITALL) {
        sc_reply_unsupported(rq, "MSG_WAITALL: lwIP 2.1.3 ignores it (sockets.c, lwip_recv_tcp)");
        return;
    }
    if (bits & SC_MSG_TRUNC) {
        sc_reply_unsupported(rq, "MSG_TRUNC: lwIP 2.1.3 ignores it in recv/recvfrom");
        return;
    }
    if (size < 0 || size > (1 << 20)) {
        sc_reply_unsupported(rq, "size %lld: this driver takes 0..1048576", size);
        return;
    }
    int flags = ((bits & SC_MSG_PEEK) ? MSG_PEEK : 0) | ((bits & SC_MSG_DONTWAIT) ? MSG_DONTWAIT : 0);
    /* A raw socket reads the IPv4 header first (as Linux): the protocol's data leave it out. */
    int raw = is_raw(fd);
    size_t room = (size_t)size + (raw ? 60 : 0);
    unsigned char *buf = malloc(room + 1);
    struct sockaddr_storage src;
    socklen_t slen = sizeof src;
    memset(&src, 0, sizeof src);
    ssize_t r = plain_read ? lwip_read(fd, buf, room)
              : from ? lwip_recvfrom(fd, buf, room, flags, (struct sockaddr *)&src, &slen)
                     : lwip_recv(fd, buf, room, flags);
    int e = errno;
    if (r < 0) {
        free(buf);
        sc_reply_err(rq, e);
        return;
    }
    size_t skip = 0, len = (size_t)r;
    if (raw) {
        skip = r > 0 ? (size_t)(buf[0] & 0x0f) * 4 : 0;
        if (skip > len)
            skip = len;
        len -= skip;
        if (len > (size_t)size)
            len = (size_t)size;
        ((struct sockaddr_in *)&src)->sin_port = 0;   /* lwIP gives the protocol as the port; Linux 0 */
    }
    cJSON *o = sc_data_json(buf + skip, len);
    free(buf);
    if (from)
        cJSON_AddItemToObject(o, "from", saddr_json(&src, slen));
    sc_reply_ok(rq, o);
}

static void op_recv(sc_request *rq) { op_recv_common(rq, 0, 0); }
static void op_recvfrom(sc_request *rq) { op_recv_common(rq, 1, 0); }
static void op_read(sc_request *rq) { op_recv_common(rq, 0, 1); }

static void op_shutdown(sc_request *rq)
{
    FD(rq, fd);
    const char *how = sc_arg_str(rq, "how");
    if (!how)
        return;
    int h = !strcmp(how, "rd") ? SHUT_RD : !strcmp(how, "wr") ? SHUT_WR : !strcmp(how, "rdwr") ? SHUT_RDWR : -1;
    if (h < 0) {
        sc_reply_unsupported(rq, "shutdown how=%s", how);
        return;
    }
    int r = lwip_shutdown(fd, h);
    answer(rq, r, errno);
}

/* ---- the family of connections no socket holds any more ----
 *
 * A TCP PCB that lives on after its socket closed (FIN-WAIT, TIME-WAIT...) has no netconn left
 * (its callback_arg is cleared), so its family cannot be read from it. An INET6 socket's
 * connection over IPv4 has IPv4 addresses in the PCB, which the table must show v4-mapped, as
 * /proc/net/tcp6 does. So, in a run with IPv6, the driver notes at close the 4-tuple of each
 * INET6 stream socket connected over IPv4 (and forgets it when an INET socket closes with the
 * same 4-tuple). Bounded: the oldest entries are overwritten. */
#define CLOSED6_MAX 256
typedef struct { uint32_t lip, rip; uint16_t lport, rport; int used; } closed6;
static closed6 closed6s[CLOSED6_MAX];
static int closed6_next;
static pthread_mutex_t closed6_mu = PTHREAD_MUTEX_INITIALIZER;

static int v4_of(const struct sockaddr_storage *ss, uint32_t *ip, uint16_t *port)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        *ip = a->sin_addr.s_addr;
        *port = ntohs(a->sin_port);
        return 0;   /* INET */
    }
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
    if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
        memcpy(ip, &a->sin6_addr.s6_addr[12], 4);
        *port = ntohs(a->sin6_port);
        return 1;   /* INET6, v4-mapped */
    }
    return -1;
}

static void note_close(int fd)
{
    struct sockaddr_storage l, r;
    socklen_t ll = sizeof l, rl = sizeof r;
    int type = 0;
    socklen_t tl = sizeof type;
    if (!ipv6_on || fd < 0 || lwip_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM)
        return;
    memset(&l, 0, sizeof l);
    memset(&r, 0, sizeof r);
    if (lwip_getsockname(fd, (struct sockaddr *)&l, &ll) != 0 || lwip_getpeername(fd, (struct sockaddr *)&r, &rl) != 0)
        return;
    closed6 c = {0, 0, 0, 0, 1};
    int fl = v4_of(&l, &c.lip, &c.lport), fr = v4_of(&r, &c.rip, &c.rport);
    if (fl < 0 || fl != fr)
        return;
    pthread_mutex_lock(&closed6_mu);
    for (int i = 0; i < CLOSED6_MAX; i++)
        if (closed6s[i].used && closed6s[i].lip == c.lip && closed6s[i].rip == c.rip &&
            closed6s[i].lport == c.lport && closed6s[i].rport == c.rport)
            closed6s[i].used = 0;
    if (fl == 1) {
        closed6s[closed6_next] = c;
        closed6_next = (closed6_next + 1) % CLOSED6_MAX;
    }
    pthread_mutex_unlock(&closed6_mu);
}

static int closed_inet6(const ip_addr_t *lip, u16_t lport, const ip_addr_t *rip, u16_t rport)
{
    int found = 0;
    if (!IP_IS_V4(lip) || !IP_IS_V4(rip))
        return 0;
    pthread_mutex_lock(&closed6_mu);
    for (int i = 0; i < CLOSED6_MAX && !found; i++)
        found = closed6s[i].used && closed6s[i].lip == ip_2_ip4(lip)->addr && closed6s[i].rip == ip_2_ip4(rip)->addr &&
                closed6s[i].lport == lport && closed6s[i].rport == rport;
    pthread_mutex_unlock(&closed6_mu);
    return found;
}

static void op_close(sc_request *rq)
{
    FD(rq, fd);
    note_close(fd);
    int r = lwip_close(fd);
    int e = errno;
    if (fd >= 0)
        release(rq->process, fd);
    answer(rq, r, e);
}

static void op_exit(sc_request *rq)
{
    for (;;) {
        int fd = -1;
        pthread_mutex_lock(&held_mu);
        for (held *h = helds; h; h = h->next)
            if (!strcmp(h->process, rq->process)) {
                fd = h->fd;
                break;
            }
        pthread_mutex_unlock(&held_mu);
        if (fd < 0)
            break;
        note_close(fd);
        lwip_close(fd);
        release(rq->process, fd);
    }
    sc_reply_ok_int(rq, 0);
}

static void op_name(sc_request *rq, int peer)
{
    FD(rq, fd);
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    int r = peer ? lwip_getpeername(fd, (struct sockaddr *)&a, &len)
                 : lwip_getsockname(fd, (struct sockaddr *)&a, &len);
    int e = errno;
    if (r < 0) {
        sc_reply_err(rq, e);
        return;
    }
    if (!peer && is_raw(fd) && a.ss_family == AF_INET)
        ((struct sockaddr_in *)&a)->sin_port = 0;   /* the protocol, as lwIP and Linux give it: reported as port 0 */
    sc_reply_ok(rq, saddr_json(&a, len));
}

static void op_getsockname(sc_request *rq) { op_name(rq, 0); }
static void op_getpeername(sc_request *rq) { op_name(rq, 1); }

typedef struct { const char *name; int level, opt; int boolean; } sockopt;
static const sockopt SOCKOPTS[] = {
    {"SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, 1}, {"SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, 1},
    {"SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, 1}, {"TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, 1},
    {"SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, 0}, {"SO_ACCEPTCONN", SOL_SOCKET, SO_ACCEPTCONN, 1},
#if HAVE_DUAL_STACK
    {"IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, 1},
#endif
    {NULL, 0, 0, 0}};
/* options of the protocol that lwIP 2.1.3 does not have (sockets.c, lwip_getsockopt_impl and
 * lwip_setsockopt_impl: no case for them, so it answers ENOPROTOOPT where Linux has them) */
static const char *const MISSING[] = {"SO_REUSEPORT", "SO_SNDBUF", "SO_DOMAIN", "SO_PROTOCOL", NULL};

static int missing(sc_request *rq, const char *name)
{
    for (int i = 0; MISSING[i]; i++)
        if (!strcmp(MISSING[i], name)) {
            sc_reply_unsupported(rq, "%s: lwIP 2.1.3 has no such option", name);
            return 1;
        }
    return 0;
}

static void op_setsockopt(sc_request *rq)
{
    FD(rq, fd);
    const char *name = sc_arg_str(rq, "option");
    long long value;
    if (!name || sc_arg_int(rq, "value", &value) || missing(rq, name))
        return;
    int r;
    if (!strcmp(name, "SO_LINGER")) {
        long long secs;
        if (sc_arg_int_opt(rq, "linger", 0, &secs))
            return;
        struct linger l = {(int)value, (int)secs};
        r = lwip_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    } else {
        const sockopt *o = SOCKOPTS;
        while (o->name && strcmp(o->name, name))
            o++;
        if (!o->name || !strcmp(name, "SO_ACCEPTCONN")) {
            sc_reply_unsupported(rq, "setsockopt %s", name);
            return;
        }
        int v = (int)value;
        r = lwip_setsockopt(fd, o->level, o->opt, &v, sizeof v);
    }
    answer(rq, r, errno);
}

static void op_getsockopt(sc_request *rq)
{
    FD(rq, fd);
    const char *name = sc_arg_str(rq, "option");
    if (!name || missing(rq, name))
        return;
    cJSON *val;
    int r, e;
    if (!strcmp(name, "SO_LINGER")) {
        struct linger l = {0, 0};
        socklen_t len = sizeof l;
        r = lwip_getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len);
        e = errno;
        val = cJSON_CreateArray();
        cJSON_AddItemToArray(val, cJSON_CreateNumber(l.l_onoff ? 1 : 0));
        cJSON_AddItemToArray(val, cJSON_CreateNumber(l.l_linger));
    } else {
        int v = 0, level = SOL_SOCKET, opt, boolean = 0;
        socklen_t len = sizeof v;
        const sockopt *o = SOCKOPTS;
        while (o->name && strcmp(o->name, name))
            o++;
        if (o->name) {
            level = o->level;
            opt = o->opt;
            boolean = o->boolean;
        } else if (!strcmp(name, "SO_ERROR")) {
            opt = SO_ERROR;
        } else if (!strcmp(name, "SO_TYPE")) {
            opt = SO_TYPE;
        } else {
            sc_reply_unsupported(rq, "getsockopt %s", name);
            return;
        }
        r = lwip_getsockopt(fd, level, opt, &v, &len);
        e = errno;
        if (opt == SO_ERROR && level == SOL_SOCKET) {
            const char *en = v ? sc_errno_name(v) : NULL;
            val = en ? cJSON_CreateString(en) : cJSON_CreateNumber(v);
        } else if (opt == SO_TYPE && level == SOL_SOCKET) {
            val = v == SOCK_STREAM ? cJSON_CreateString("STREAM") : v == SOCK_DGRAM ? cJSON_CreateString("DGRAM")
                : v == SOCK_RAW ? cJSON_CreateString("RAW") : cJSON_CreateNumber(v);
        } else {
            /* lwIP answers the SOF_* bit (SO_REUSEADDR: 4) for a set flag */
            val = cJSON_CreateNumber(boolean ? (v != 0) : v);
        }
    }
    if (r < 0) {
        cJSON_Delete(val);
        sc_reply_err(rq, e);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "value", val);
    sc_reply_ok(rq, o);
}

static void op_fcntl(sc_request *rq)
{
    FD(rq, fd);
    int on;
    if (sc_arg_bool_opt(rq, "nonblock", &on))
        return;
    int r = set_nonblock(fd, on);
    answer(rq, r < 0 ? -1 : 0, errno);
}

static const struct { const char *name; short bit; } PEV[] = {
    {"in", POLLIN}, {"out", POLLOUT}, {"err", POLLERR}, {"hup", POLLHUP}, {"nval", POLLNVAL}};

static void op_poll(sc_request *rq)
{
    cJSON *fds = cJSON_GetObjectItemCaseSensitive(rq->args, "fds"), *e;
    long long timeout;
    if (!cJSON_IsArray(fds)) {
        sc_reply_unsupported(rq, "poll: fds missing");
        return;
    }
    if (sc_arg_int(rq, "timeout", &timeout))
        return;
    int n = cJSON_GetArraySize(fds), i = 0, nval = 0;
    struct pollfd *p = calloc((size_t)n + 1, sizeof *p);
    cJSON_ArrayForEach(e, fds) {
        cJSON *fd = cJSON_GetObjectItemCaseSensitive(e, "fd"), *ev = cJSON_GetObjectItemCaseSensitive(e, "events"), *x;
        if (!cJSON_IsNumber(fd)) {
            free(p);
            sc_reply_unsupported(rq, "poll: an entry without fd");
            return;
        }
        p[i].fd = (int)fd->valuedouble;
        cJSON_ArrayForEach(x, ev) {
            const char *s = cJSON_IsString(x) ? x->valuestring : "";
            if (!strcmp(s, "in")) p[i].events |= POLLIN;
            else if (!strcmp(s, "out")) p[i].events |= POLLOUT;
            else {
                free(p);
                sc_reply_unsupported(rq, "poll event %s: lwIP 2.1.3's lwip_poll has no POLLRDHUP", s);
                return;
            }
        }
        if (p[i].fd < 0)
            nval = 1;   /* not held by the process: "nval", and poll does not wait */
        i++;
    }
    int r = lwip_poll(p, (nfds_t)n, nval ? 0 : (int)timeout);
    int err = errno;
    if (r < 0) {
        free(p);
        sc_reply_err(rq, err);
        return;
    }
    cJSON *all = cJSON_CreateArray();
    for (i = 0; i < n; i++) {
        cJSON *one = cJSON_CreateArray();
        if (p[i].fd < 0)
            cJSON_AddItemToArray(one, cJSON_CreateString("nval"));
        else
            for (size_t k = 0; k < sizeof PEV / sizeof PEV[0]; k++)
                if (p[i].revents & PEV[k].bit)
                    cJSON_AddItemToArray(one, cJSON_CreateString(PEV[k].name));
        cJSON_AddItemToArray(all, one);
    }
    free(p);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "revents", all);
    sc_reply_ok(rq, o);
}

/* ---- the host's table, read on the tcpip thread ---- */

static const char *const TCP_STATE[] = {
    "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
    "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"};

/* An endpoint of a row: an INET socket's as IPv4; an INET6 socket's as /proc/net/tcp6 and
 * udp6 show it: its IPv6 address, its IPv4 address v4-mapped, "[::]" for a dual-stack wildcard. */
static cJSON *endpoint(const ip_addr_t *ip, u16_t port, int inet6)
{
    if (!inet6) {
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = ip ? ip_2_ip4(ip)->addr : 0;
        return sc_addr_json(&a);
    }
    struct sockaddr_storage ss;
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    memset(&ss, 0, sizeof ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
#if LWIP_IPV6
    if (ip && IP_IS_V6(ip)) {
        memcpy(&a->sin6_addr, ip_2_ip6(ip)->addr, 16);
    } else if (ip && IP_IS_V4(ip)) {
        a->sin6_addr.s6_addr[10] = a->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&a->sin6_addr.s6_addr[12], &ip_2_ip4(ip)->addr, 4);
    }
#endif
    return saddr_json(&ss, sizeof *a);
}

/* Whether a PCB belongs to an INET6 socket: by its addresses (IPv6 or dual-stack), else by the
 * socket's netconn, else (a connection whose socket has closed) by what note_close kept. */
static int conn_inet6(void *arg)
{
#if HAVE_DUAL_STACK
    struct netconn *c = arg;
    return c && NETCONNTYPE_ISIPV6(netconn_type(c));
#else
    (void)arg;
    return 0;
#endif
}

static int tcp_inet6(struct tcp_pcb *pcb)
{
    if (!ipv6_on)
        return 0;
    if (!IP_IS_V4_VAL(pcb->local_ip))
        return 1;
    /* a connection not yet established has its listener's netconn as its callback_arg; read it
     * through the listener, which is cleared when the listener closes */
    void *arg = pcb->state == SYN_RCVD ? (pcb->listener ? pcb->listener->callback_arg : NULL) : pcb->callback_arg;
    if (arg)
        return conn_inet6(arg);
    return closed_inet6(&pcb->local_ip, pcb->local_port, &pcb->remote_ip, pcb->remote_port);
}

static void row(cJSON *rows, const char *proto, cJSON *local, cJSON *remote, const char *state)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "proto", proto);
    cJSON_AddItemToObject(r, "local", local);
    cJSON_AddItemToObject(r, "remote", remote);
    if (state)
        cJSON_AddStringToObject(r, "state", state);
    cJSON_AddItemToArray(rows, r);
}

static void tcp_rows(cJSON *rows, struct tcp_pcb *pcb)
{
    for (; pcb; pcb = pcb->next) {
        int st = pcb->state;
        const char *name = st >= 0 && st <= TIME_WAIT ? TCP_STATE[st] : "CLOSED";
        int six = tcp_inet6(pcb);
        row(rows, "tcp", endpoint(&pcb->local_ip, pcb->local_port, six),
            st == LISTEN ? cJSON_CreateNull() : endpoint(&pcb->remote_ip, pcb->remote_port, six), name);
    }
}

static void collect_rows(void *arg)
{
    cJSON *rows = arg;
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
        int six = ipv6_on && (!IP_IS_V4_VAL(l->local_ip) || conn_inet6(l->callback_arg));
        row(rows, "tcp", endpoint(&l->local_ip, l->local_port, six), cJSON_CreateNull(), "LISTEN");
    }
    tcp_rows(rows, tcp_active_pcbs);
    tcp_rows(rows, tcp_tw_pcbs);
    for (struct udp_pcb *u = udp_pcbs; u; u = u->next)
        if (u->local_port != 0) {
            int six = ipv6_on && (!IP_IS_V4_VAL(u->local_ip) || conn_inet6(u->recv_arg));
            row(rows, "udp", endpoint(&u->local_ip, u->local_port, six),
                (u->flags & UDP_FLAGS_CONNECTED) ? endpoint(&u->remote_ip, u->remote_port, six) : cJSON_CreateNull(),
                NULL);
        }
}

static void op_sockets(sc_request *rq)
{
    cJSON *rows = cJSON_CreateArray();
    if (run_on_tcpip(collect_rows, rows) != 0) {
        sc_reply_unsupported(rq, "sockets: the tcpip thread did not answer");
        return;
    }
    sc_reply_ok(rq, rows);
}

/* ---- settle, the child's part ---- */

typedef struct { int busy; unsigned long in, out; } quiet;

/* On the tcpip thread, after what was queued there: is anything held back? A delayed ACK is
 * sent now (what the next tcp_fasttmr would do), and counts as activity. */
static void check_quiet(void *arg)
{
    quiet *q = arg;
    q->busy = nif.loop_first != NULL;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
        if (pcb->flags & TF_ACK_DELAY) {
            tcp_ack_now(pcb);
            tcp_output(pcb);
            q->busy = 1;
        }
        if ((pcb->flags & TF_CLOSEPEND) || pcb->refused_data)
            q->busy = 1;
    }
    q->in = atomic_load(&n_in);
    q->out = atomic_load(&n_out);
}

static void op_quiet(sc_request *rq)
{
    quiet *q = calloc(1, sizeof *q);
    char line[96];
    if (run_on_tcpip(check_quiet, q) != 0) {
        sc_reply_raw(rq, "#q 1 0 0");
        return;
    }
    snprintf(line, sizeof line, "#q %d %lu %lu", q->busy, q->in, q->out);
    free(q);
    sc_reply_raw(rq, line);
}

static const sc_op CHILD_OPS[] = {
    {"socket", op_socket, SC_WORKER}, {"bind", op_bind, SC_WORKER}, {"listen", op_listen, SC_WORKER},
    {"connect", op_connect, SC_WORKER}, {"accept", op_accept, SC_WORKER}, {"send", op_send, SC_WORKER},
    {"recv", op_recv, SC_WORKER}, {"sendto", op_sendto, SC_WORKER}, {"recvfrom", op_recvfrom, SC_WORKER},
    {"shutdown", op_shutdown, SC_WORKER}, {"close", op_close, SC_WORKER},
    {"getsockname", op_getsockname, SC_WORKER}, {"getpeername", op_getpeername, SC_WORKER},
    {"setsockopt", op_setsockopt, SC_WORKER}, {"getsockopt", op_getsockopt, SC_WORKER},
    {"fcntl", op_fcntl, SC_WORKER}, {"poll", op_poll, SC_WORKER}, {"read", op_read, SC_WORKER},
    {"write", op_write, SC_WORKER}, {"exit", op_exit, SC_WORKER},
    {"sockets", op_sockets, SC_INLINE}, {"_quiet", op_quiet, SC_INLINE},
    {NULL, NULL, 0}};

static sem_t tcpip_ready;
static void tcpip_up(void *arg) { (void)arg; sem_post(&tcpip_ready); }

static void child_main(const char *addr, const char *addr6, int ctl, int wire)
{
    wire_fd = wire;
    sem_init(&tcpip_ready, 0, 0);
    tcpip_init(tcpip_up, NULL);
    while (sem_wait(&tcpip_ready) != 0)
        ;
    ip4_addr_t a, m, g;
    inet_pton(AF_INET, addr, &a.addr);
    inet_pton(AF_INET, "255.255.255.0", &m.addr);
    g.addr = 0;
    LOCK_TCPIP_CORE();
    if (!netif_add(&nif, &a, &m, &g, NULL, nif_init, ip_input)) {
        UNLOCK_TCPIP_CORE();
        fprintf(stderr, "sockcheck-lwip: netif_add failed for %s\n", addr);
        _exit(1);
    }
    netif_set_default(&nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);
#if HAVE_DUAL_STACK
    if (addr6) {
        /* The host's IPv6 address in slot 1, PREFERRED at once: no duplicate address detection
         * (which a TENTATIVE address would go through, LWIP_IPV6_DUP_DETECT_ATTEMPTS 1). Slot 0
         * (the link-local one by convention) stays empty, so nd6_tmr sends no router
         * solicitation; the netif has no NETIF_FLAG_MLD6, so no solicited-node group is joined
         * and no MLD report sent. */
        ip6_addr_t a6;
        memset(&a6, 0, sizeof a6);
        inet_pton(AF_INET6, addr6, a6.addr);
        ipv6_on = 1;
        netif_ip6_addr_set(&nif, 1, &a6);
        netif_ip6_addr_set_state(&nif, 1, IP6_ADDR_PREFERRED);
#if LWIP_IPV6_SEND_ROUTER_SOLICIT
        nif.rs_count = 0;
#endif
    }
#else
    (void)addr6;
#endif
    UNLOCK_TCPIP_CORE();
    pthread_t t;
    pthread_create(&t, NULL, wire_reader, NULL);
    static const sc_driver drv = {CHILD_OPS, NULL};
    sc_serve(&drv, ctl, ctl);
    _exit(0);   /* workers may still be blocked in lwIP calls: end them all */
}

/* =================================================================== parent: the router */

typedef struct host {
    char name[64];
    char addr[INET_ADDRSTRLEN];
    uint32_t ip;          /* network order */
    int has6;             /* an IPv6 address (a trace with IPv6 calls) */
    char addr6[INET6_ADDRSTRLEN];
    unsigned char ip6[16];
    pid_t pid;
    int ctl, wire;
    sc_lines lines;
    unsigned long fwd, got;   /* packets given to / taken from the child */
    int answered, busy;
    unsigned long in, out;
} host;

static host hosts[MAX_HOSTS];
static int nhosts;
static volatile sig_atomic_t child_pids_n;
static pid_t child_pids[MAX_HOSTS];

static void kill_children(void)
{
    for (int i = 0; i < child_pids_n; i++)
        if (child_pids[i] > 0)
            kill(child_pids[i], SIGKILL);
}

static void on_term(int sig)
{
    (void)sig;
    kill_children();
    _exit(143);
}

static void reply_obj(cJSON *id, const char *key, cJSON *value)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, key, value);
    char *s = cJSON_PrintUnformatted(o);
    sc_write_line(s);
    free(s);
    cJSON_Delete(o);
}

static int write_line_fd(int fd, const char *line)
{
    size_t n = strlen(line);
    char *b = malloc(n + 1);
    memcpy(b, line, n);
    b[n] = '\n';
    size_t off = 0;
    while (off <= n) {
        ssize_t w = write(fd, b + off, n + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            free(b);
            return -1;
        }
        off += (size_t)w;
    }
    free(b);
    return 0;
}

static int start_hosts(cJSON *list)
{
    cJSON *h;
    cJSON_ArrayForEach(h, list) {
        cJSON *name = cJSON_GetObjectItemCaseSensitive(h, "name"), *addr = cJSON_GetObjectItemCaseSensitive(h, "addr");
        if (nhosts >= MAX_HOSTS || !cJSON_IsString(name) || !cJSON_IsString(addr))
            return -1;
        host *x = &hosts[nhosts];
        struct in_addr ia;
        /* network "own": hosts are 192.0.2.0/24 only */
        if (inet_pton(AF_INET, addr->valuestring, &ia) != 1 || (ntohl(ia.s_addr) & 0xffffff00u) != 0xc0000200u)
            return -2;
        memset(x, 0, sizeof *x);
        /* and of IPv6, 2001:db8::/32 only (RFC 3849) */
        cJSON *addr6 = cJSON_GetObjectItemCaseSensitive(h, "addr6");
        if (addr6 && !cJSON_IsNull(addr6)) {
            static const unsigned char doc[4] = {0x20, 0x01, 0x0d, 0xb8};
            if (!HAVE_DUAL_STACK || !cJSON_IsString(addr6) || inet_pton(AF_INET6, addr6->valuestring, x->ip6) != 1 ||
                memcmp(x->ip6, doc, 4) != 0)
                return -2;
            x->has6 = 1;
            snprintf(x->addr6, sizeof x->addr6, "%s", addr6->valuestring);
        }
        snprintf(x->name, sizeof x->name, "%s", name->valuestring);
        snprintf(x->addr, sizeof x->addr, "%s", addr->valuestring);
        x->ip = ia.s_addr;
        int ctl[2], wire[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, wire))
            return -1;
        int big = 4 << 20;
        for (int k = 0; k < 2; k++) {
            setsockopt(wire[k], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
            setsockopt(wire[k], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() == 1)
                _exit(0);
            signal(SIGTERM, SIG_DFL);
            /* lwIP prints its diagnostics (LWIP_PLATFORM_DIAG/ASSERT) on stdout: to stderr */
            int dn = open("/dev/null", O_RDWR);
            dup2(dn, 0);
            dup2(2, 1);
            for (int k = 0; k < nhosts; k++) {
                close(hosts[k].ctl);
                close(hosts[k].wire);
            }
            close(ctl[0]);
            close(wire[0]);
            child_main(x->addr, x->has6 ? x->addr6 : NULL, ctl[1], wire[1]);
        }
        close(ctl[1]);
        close(wire[1]);
        x->pid = pid;
        x->ctl = ctl[0];
        x->wire = wire[0];
        fcntl(x->wire, F_SETFL, O_NONBLOCK);
        sc_lines_init(&x->lines, x->ctl, 0);
        child_pids[nhosts] = pid;
        nhosts++;
        child_pids_n = nhosts;
    }
    return 0;
}

static host *find_host(const char *name)
{
    for (int i = 0; i < nhosts; i++)
        if (!strcmp(hosts[i].name, name))
            return &hosts[i];
    return NULL;
}

/* The wire: a packet from host i goes to the host with its destination address, or
 * to every other host for a broadcast; anything else is dropped. */
static void route(int from)
{
    static unsigned char buf[65536];
    for (;;) {
        ssize_t n = recv(hosts[from].wire, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0)
            return;
        hosts[from].got++;
        if (n >= 40 && (buf[0] >> 4) == 6) {
            /* IPv6: unicast only (the children drop multicast), to the host with the address */
            for (int j = 0; j < nhosts; j++)
                if (j != from && hosts[j].has6 && !memcmp(hosts[j].ip6, buf + 24, 16))
                    if (send(hosts[j].wire, buf, (size_t)n, MSG_DONTWAIT) == n)
                        hosts[j].fwd++;
            continue;
        }
        if (n < 20)
            continue;
        uint32_t dst;
        memcpy(&dst, buf + 16, 4);
        int bcast = dst == 0xffffffffu || (ntohl(dst) & 0xff) == 0xff;
        for (int j = 0; j < nhosts; j++)
            if (j != from && (bcast || hosts[j].ip == dst))
                if (send(hosts[j].wire, buf, (size_t)n, MSG_DONTWAIT) == n)
                    hosts[j].fwd++;
    }
}

/* ---- settle ---- */

static struct {
    int active;
    cJSON *id;            /* the settle request's id, or NULL */
    char *then_line;      /* a "sockets" request to forward once settled */
    host *then_host;
    double deadline, next_round;
    int waiting;          /* answers still due this round */
    int quiet_rounds;
    unsigned long last_sig;
} st;

static void settle_round(void)
{
    st.waiting = 0;
    for (int i = 0; i < nhosts; i++) {
        hosts[i].answered = 0;
        if (write_line_fd(hosts[i].ctl, "{\"id\":0,\"op\":\"_quiet\"}") == 0)
            st.waiting++;
    }
    st.next_round = 0;
}

static void settle_start(cJSON *id, char *then_line, host *then_host)
{
    memset(&st, 0, sizeof st);
    st.active = 1;
    st.id = id ? cJSON_Duplicate(id, 1) : NULL;
    st.then_line = then_line;
    st.then_host = then_host;
    st.deadline = now() + SETTLE_MS / 1000.0;
    settle_round();
}

static void settle_done(int timed_out)
{
    if (timed_out)
        fprintf(stderr, "sockcheck-lwip: settle: still busy after %d ms\n", SETTLE_MS);
    if (st.then_line) {
        write_line_fd(st.then_host->ctl, st.then_line);
        free(st.then_line);
    } else {
        reply_obj(st.id, "ok", cJSON_CreateNumber(0));
    }
    cJSON_Delete(st.id);
    memset(&st, 0, sizeof st);
}

static void settle_answer(host *h, const char *line)
{
    if (!st.active || h->answered)
        return;
    h->answered = 1;
    sscanf(line, "#q %d %lu %lu", &h->busy, &h->in, &h->out);
    if (--st.waiting > 0)
        return;
    int quiet = 1;
    unsigned long sig = 0;
    for (int i = 0; i < nhosts; i++) {
        host *x = &hosts[i];
        if (!x->answered || x->busy || x->in != x->fwd || x->out != x->got)
            quiet = 0;
        sig += x->in * 31 + x->out * 17 + x->fwd * 7 + x->got;
    }
    if (quiet && st.quiet_rounds > 0 && sig == st.last_sig) {
        settle_done(0);
        return;
    }
    st.quiet_rounds = quiet ? st.quiet_rounds + 1 : 0;
    st.last_sig = sig;
    if (now() > st.deadline) {
        settle_done(1);
        return;
    }
    st.next_round = now() + (quiet ? 0.001 : 0.003);
}

/* ---- requests from stdin ---- */

static int said_hello;

static void hello(cJSON *req)
{
    cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    cJSON *args = cJSON_GetObjectItemCaseSensitive(req, "args");
    cJSON *list = cJSON_GetObjectItemCaseSensitive(args, "hosts");
    if (said_hello) {
        reply_obj(id, "unsupported", cJSON_CreateString("a second hello"));
        return;
    }
    said_hello = 1;
    if (cJSON_IsArray(list)) {
        int r = start_hosts(list);
        if (r != 0) {
            reply_obj(id, "unsupported", cJSON_CreateString(r == -2 ? "hosts must have addresses in 192.0.2.0/24 (addr6 in 2001:db8::/32)"
                                                                    : "could not start the hosts' stacks"));
            return;
        }
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "protocol", 2);
    cJSON_AddStringToObject(o, "name", "lwip-2.1.3");
    cJSON_AddStringToObject(o, "network", "own");
    cJSON_AddStringToObject(o, "fds", "own");
    /* SOCKCHECK_LWIP_PROFILE=POSIX: have every run judged by the spec's POSIX profile
     * (lwIP promises BSD sockets, not Linux's choices); unset, each trace's own profile */
    const char *profile = getenv("SOCKCHECK_LWIP_PROFILE");
    if (profile && *profile)
        cJSON_AddStringToObject(o, "profile", profile);
    cJSON *ops = cJSON_AddArrayToObject(o, "ops");
    for (int i = 0; OPS[i]; i++)
        cJSON_AddItemToArray(ops, cJSON_CreateString(OPS[i]));
    cJSON *opts = cJSON_AddArrayToObject(o, "options");
    for (int i = 0; OPTIONS[i]; i++)
        cJSON_AddItemToArray(opts, cJSON_CreateString(OPTIONS[i]));
    reply_obj(id, "ok", o);
}

static void request(char *line)
{
    cJSON *req = cJSON_Parse(line);
    if (!cJSON_IsObject(req)) {
        fprintf(stderr, "sockcheck-lwip: not a JSON object: %.200s\n", line);
        cJSON_Delete(req);
        return;
    }
    cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
    cJSON *hn = cJSON_GetObjectItemCaseSensitive(req, "host");
    const char *ops = cJSON_IsString(op) ? op->valuestring : "";
    if (!strcmp(ops, "hello")) {
        hello(req);
    } else if (!strcmp(ops, "settle")) {
        settle_start(id, NULL, NULL);
    } else if (!strcmp(ops, "advance")) {
        reply_obj(id, "unsupported", cJSON_CreateString("advance: this driver has no virtual clock"));
    } else {
        host *h = cJSON_IsString(hn) ? find_host(hn->valuestring) : NULL;
        if (!h)
            reply_obj(id, "unsupported", cJSON_CreateString("no such host (or no hello yet)"));
        else if (!strcmp(ops, "sockets"))
            settle_start(id, strdup(line), h);   /* the table is read once the network is quiet */
        else if (write_line_fd(h->ctl, line) != 0)
            reply_obj(id, "unsupported", cJSON_CreateString("the host's stack has gone"));
    }
    cJSON_Delete(req);
}

static void child_line(host *h, char *line)
{
    if (!strncmp(line, "#q ", 3))
        settle_answer(h, line);
    else
        sc_write_line(line);
}

static void shutdown_hosts(void)
{
    for (int i = 0; i < nhosts; i++) {
        close(hosts[i].ctl);
        close(hosts[i].wire);
    }
    double until = now() + 0.3;
    for (int i = 0; i < nhosts; i++) {
        while (waitpid(hosts[i].pid, NULL, WNOHANG) == 0) {
            if (now() > until) {
                kill(hosts[i].pid, SIGKILL);
                waitpid(hosts[i].pid, NULL, 0);
                break;
            }
            usleep(2000);
        }
        child_pids[i] = 0;
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sc_set_output(1);

    sc_lines in;
    sc_lines_init(&in, 0, SC_MAX_LINE);
    struct pollfd pf[1 + 2 * MAX_HOSTS];
    for (;;) {
        char *line;
        /* lines already read wait while a settle runs */
        while (!st.active && (line = sc_lines_next(&in)) != NULL)
            if (*line)
                request(line);
        if (in.eof && !st.active)
            break;
        int n = 0;
        pf[n++] = (struct pollfd){.fd = st.active || in.eof ? -1 : 0, .events = POLLIN};
        for (int i = 0; i < nhosts; i++) {
            pf[n++] = (struct pollfd){.fd = hosts[i].ctl, .events = POLLIN};
            pf[n++] = (struct pollfd){.fd = hosts[i].wire, .events = POLLIN};
        }
        int timeout = -1;
        if (st.active) {
            double t = st.next_round ? st.next_round : st.deadline + 0.5;
            timeout = (int)((t - now()) * 1000) + 1;
            if (timeout < 0)
                timeout = 0;
        }
        if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < nhosts; i++) {
            if (pf[2 + 2 * i].revents)
                route(i);
            if (pf[1 + 2 * i].revents) {
                long r = sc_lines_fill(&hosts[i].lines);
                while ((line = sc_lines_next(&hosts[i].lines)) != NULL)
                    child_line(&hosts[i], line);
                if (r <= 0) {
                    fprintf(stderr, "sockcheck-lwip: the stack of host %s ended\n", hosts[i].name);
                    kill_children();
                    return 7;
                }
            }
        }
        if (st.active && st.next_round && now() >= st.next_round)
            settle_round();
        else if (st.active && !st.next_round && now() > st.deadline + 0.5)
            settle_done(1);   /* a child did not answer */
        if (pf[0].revents && !st.active && sc_lines_fill(&in) <= 0)
            in.eof = 1;
    }
    shutdown_hosts();
    sc_lines_free(&in);
    return 0;
}
