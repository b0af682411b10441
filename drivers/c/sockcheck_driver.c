/*
 * sockcheck driver kit for C: see sockcheck_driver.h and README.md.
 */
#define _GNU_SOURCE
#include "sockcheck_driver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ output */

static int out_fd = 1;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

void sc_set_output(int fd) { out_fd = fd; }

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int sc_write_line(const char *line)
{
    size_t n = strlen(line);
    char *copy = malloc(n + 2);
    if (!copy)
        return -1;
    memcpy(copy, line, n);
    copy[n] = '\n';
    pthread_mutex_lock(&out_mu);
    int rc = write_all(out_fd, copy, n + 1);
    pthread_mutex_unlock(&out_mu);
    free(copy);
    return rc;
}

/* ------------------------------------------------------------------ replies */

static void reply(sc_request *rq, const char *key, cJSON *value)
{
    if (rq->replied) {
        fprintf(stderr, "sockcheck-driver: second reply to op %s dropped\n", rq->op);
        cJSON_Delete(value);
        return;
    }
    rq->replied = 1;
    cJSON *o = cJSON_CreateObject();
    cJSON *id = cJSON_GetObjectItemCaseSensitive(rq->root, "id");
    cJSON_AddItemToObject(o, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, key, value);
    char *text = cJSON_PrintUnformatted(o);
    if (text) {
        sc_write_line(text);
        free(text);
    }
    cJSON_Delete(o);
}

void sc_reply_ok(sc_request *rq, cJSON *value) { reply(rq, "ok", value ? value : cJSON_CreateNull()); }
void sc_reply_ok_int(sc_request *rq, long long v) { reply(rq, "ok", cJSON_CreateNumber((double)v)); }

void sc_reply_errname(sc_request *rq, const char *name) { reply(rq, "err", cJSON_CreateString(name)); }

void sc_reply_err(sc_request *rq, int errnum)
{
    const char *name = sc_errno_name(errnum);
    if (name)
        sc_reply_errname(rq, name);
    else
        sc_reply_unsupported(rq, "the stack gave errno %d, which has no POSIX name", errnum);
}

void sc_reply_unsupported(sc_request *rq, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    reply(rq, "unsupported", cJSON_CreateString(buf));
}

void sc_reply_raw(sc_request *rq, const char *line)
{
    rq->replied = 1;
    sc_write_line(line);
}

/* ------------------------------------------------------------------ errno names */

#define E(x) { x, #x }
static const struct { int num; const char *name; } errnames[] = {
    /* first the names sockets give; EAGAIN before EWOULDBLOCK and EOPNOTSUPP before
     * ENOTSUP, which are the same numbers on Linux */
    E(EAGAIN), E(EOPNOTSUPP), E(EBADF), E(EINVAL), E(EADDRINUSE), E(EADDRNOTAVAIL),
    E(ECONNREFUSED), E(ECONNRESET), E(ECONNABORTED), E(ENOTCONN), E(EISCONN), E(EPIPE),
    E(EINPROGRESS), E(EALREADY), E(ETIMEDOUT), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE),
    E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EPFNOSUPPORT),
    E(EAFNOSUPPORT), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET), E(ENOBUFS), E(ESHUTDOWN),
    E(EHOSTDOWN), E(EHOSTUNREACH), E(EWOULDBLOCK), E(ENOTSUP),
    E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
    E(ECHILD), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
    E(ENOTDIR), E(EISDIR), E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG), E(ENOSPC), E(ESPIPE),
    E(EROFS), E(EMLINK), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
    E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(EPROTO), E(EBADMSG),
    E(EOVERFLOW), E(EILSEQ), E(ECANCELED), E(ESTALE), E(EDQUOT), E(EMULTIHOP), E(ENOLINK),
    E(ETXTBSY), E(EOWNERDEAD), E(ENOTRECOVERABLE),
};
#undef E

const char *sc_errno_name(int errnum)
{
    for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
        if (errnames[i].num == errnum)
            return errnames[i].name;
    return NULL;
}

/* ------------------------------------------------------------------ base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *sc_b64_encode(const unsigned char *buf, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)buf[i] << 16;
        if (i + 1 < len) v |= (unsigned)buf[i + 1] << 8;
        if (i + 2 < len) v |= buf[i + 2];
        *p++ = b64[(v >> 18) & 63];
        *p++ = b64[(v >> 12) & 63];
        *p++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *p++ = i + 2 < len ? b64[v & 63] : '=';
    }
    *p = 0;
    return out;
}

static int b64val(int c)
{
    const char *q = c ? strchr(b64, c) : NULL;
    return q ? (int)(q - b64) : -1;
}

unsigned char *sc_b64_decode(const char *text, size_t *len)
{
    size_t n = strlen(text);
    unsigned char *out = malloc(n / 4 * 3 + 4);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0, pad = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)text[i];
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64val(c);
        if (v < 0 || pad) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if ((n % 4) != 0 || pad > 2) {
        free(out);
        return NULL;
    }
    out[o] = 0;
    *len = o;
    return out;
}

cJSON *sc_data_json(const unsigned char *buf, size_t len)
{
    cJSON *o = cJSON_CreateObject();
    char *s = sc_b64_encode(buf, len);
    cJSON_AddStringToObject(o, "data", s ? s : "");
    free(s);
    return o;
}

/* ------------------------------------------------------------------ arguments */

static cJSON *arg(sc_request *rq, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(rq->args, name);
}

int sc_arg_int(sc_request *rq, const char *name, long long *out)
{
    cJSON *v = arg(rq, name);
    if (!cJSON_IsNumber(v)) {
        sc_reply_unsupported(rq, "%s: argument %s missing or not a number", rq->op, name);
        return -1;
    }
    *out = (long long)v->valuedouble;
    return 0;
}

int sc_arg_int_opt(sc_request *rq, const char *name, long long dflt, long long *out)
{
    if (!arg(rq, name) || cJSON_IsNull(arg(rq, name))) {
        *out = dflt;
        return 0;
    }
    return sc_arg_int(rq, name, out);
}

int sc_arg_bool_opt(sc_request *rq, const char *name, int *out)
{
    cJSON *v = arg(rq, name);
    if (!v || cJSON_IsNull(v)) {
        *out = 0;
    } else if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
    } else if (cJSON_IsNumber(v)) {
        *out = v->valuedouble != 0;
    } else {
        sc_reply_unsupported(rq, "%s: argument %s is not a boolean", rq->op, name);
        return -1;
    }
    return 0;
}

const char *sc_arg_str(sc_request *rq, const char *name)
{
    cJSON *v = arg(rq, name);
    if (!cJSON_IsString(v)) {
        sc_reply_unsupported(rq, "%s: argument %s missing or not a string", rq->op, name);
        return NULL;
    }
    return v->valuestring;
}

int sc_arg_addr(sc_request *rq, const char *name, struct sockaddr_in *out)
{
    const char *s = sc_arg_str(rq, name);
    if (!s)
        return -1;
    memset(out, 0, sizeof *out);
    if (strcmp(s, "AF_UNSPEC") == 0) {
        out->sin_family = AF_UNSPEC;
        return 0;
    }
    const char *colon = strrchr(s, ':');
    char ip[64];
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || (size_t)(colon - s) >= sizeof ip || colon[1] == 0 || *end || port < 0 || port > 65535)
        goto bad;
    memcpy(ip, s, (size_t)(colon - s));
    ip[colon - s] = 0;
    if (inet_pton(AF_INET, ip, &out->sin_addr) != 1)
        goto bad;
    out->sin_family = AF_INET;
    out->sin_port = htons((unsigned short)port);
    return 0;
bad:
    sc_reply_unsupported(rq, "%s: %s \"%s\" is not IPv4 \"IP:PORT\"", rq->op, name, s);
    return -1;
}

int sc_arg_data(sc_request *rq, const char *name, unsigned char **buf, size_t *len)
{
    const char *s = sc_arg_str(rq, name);
    if (!s)
        return -1;
    *buf = sc_b64_decode(s, len);
    if (!*buf) {
        sc_reply_unsupported(rq, "%s: %s is not base64", rq->op, name);
        return -1;
    }
    return 0;
}

int sc_arg_flags(sc_request *rq, unsigned *bits)
{
    cJSON *v = arg(rq, "flags"), *f;
    *bits = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsArray(v))
        goto bad;
    cJSON_ArrayForEach(f, v) {
        if (!cJSON_IsString(f))
            goto bad;
        if (!strcmp(f->valuestring, "peek")) *bits |= SC_MSG_PEEK;
        else if (!strcmp(f->valuestring, "dontwait")) *bits |= SC_MSG_DONTWAIT;
        else if (!strcmp(f->valuestring, "waitall")) *bits |= SC_MSG_WAITALL;
        else if (!strcmp(f->valuestring, "trunc")) *bits |= SC_MSG_TRUNC;
        else goto bad;
    }
    return 0;
bad:
    sc_reply_unsupported(rq, "%s: flags not understood", rq->op);
    return -1;
}

cJSON *sc_addr_json(const struct sockaddr_in *sin)
{
    char ip[INET_ADDRSTRLEN], text[INET_ADDRSTRLEN + 8];
    if (!sin || sin->sin_family != AF_INET || !inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip))
        return cJSON_CreateNull();
    snprintf(text, sizeof text, "%s:%u", ip, ntohs(sin->sin_port));
    return cJSON_CreateString(text);
}

/* ------------------------------------------------------------------ line reading */

void sc_lines_init(sc_lines *r, int fd, size_t max)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->max = max ? max : SC_MAX_LINE;
}

void sc_lines_free(sc_lines *r)
{
    free(r->buf);
    r->buf = NULL;
}

long sc_lines_fill(sc_lines *r)
{
    if (r->cap - r->len < 65536) {
        size_t cap = r->cap ? r->cap * 2 : 131072;
        if (cap > r->max + 65536)
            cap = r->max + 65536;
        if (cap > r->cap) {
            char *b = realloc(r->buf, cap);
            if (!b)
                return -1;
            r->buf = b;
            r->cap = cap;
        }
    }
    ssize_t n;
    do
        n = read(r->fd, r->buf + r->len, r->cap - r->len);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        r->eof = 1;
    if (n > 0)
        r->len += (size_t)n;
    return (long)n;
}

char *sc_lines_next(sc_lines *r)
{
    /* each line is handed out as a copy, freed at the next call of this thread */
    static __thread char *last;
    free(last);
    last = NULL;
    for (;;) {
        char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
        if (!nl) {
            if (r->len >= r->max) {
                /* overlong: drop what we have and the rest of the line */
                fprintf(stderr, "sockcheck-driver: request line longer than %zu bytes dropped\n", r->max);
                r->len = 0;
                r->skipping = 1;
            }
            return NULL;
        }
        size_t n = (size_t)(nl - r->buf);
        if (r->skipping) {
            memmove(r->buf, nl + 1, r->len - n - 1);
            r->len -= n + 1;
            r->skipping = 0;
            continue;
        }
        char *line = malloc(n + 1);
        if (!line)
            return NULL;
        memcpy(line, r->buf, n);
        line[n] = 0;
        memmove(r->buf, nl + 1, r->len - n - 1);
        r->len -= n + 1;
        last = line;
        if (n && line[n - 1] == '\r')
            line[n - 1] = 0;
        return line;
    }
}

/* ------------------------------------------------------------------ workers */

typedef struct job {
    sc_request rq;
    sc_handler fn;
    struct job *next;
} job;

typedef struct worker {
    char *key;                 /* host \x1f process \x1f thread */
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail;
    struct worker *next;
} worker;

static worker *workers;   /* touched only by the reading thread */

static void finish(job *j)
{
    if (!j->rq.replied)
        sc_reply_unsupported(&j->rq, "%s: the driver gave no answer", j->rq.op);
    cJSON_Delete(j->rq.root);
    free(j);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->head)
            pthread_cond_wait(&w->cv, &w->mu);
        job *j = w->head;
        w->head = j->next;
        if (!w->head)
            w->tail = NULL;
        pthread_mutex_unlock(&w->mu);
        j->fn(&j->rq);
        finish(j);
    }
    return NULL;
}

static worker *worker_for(const sc_request *rq)
{
    size_t n = strlen(rq->host) + strlen(rq->process) + strlen(rq->thread) + 3;
    char *key = malloc(n);
    if (!key)
        return NULL;
    snprintf(key, n, "%s\x1f%s\x1f%s", rq->host, rq->process, rq->thread);
    for (worker *w = workers; w; w = w->next)
        if (!strcmp(w->key, key)) {
            free(key);
            return w;
        }
    worker *w = calloc(1, sizeof *w);
    if (!w) {
        free(key);
        return NULL;
    }
    w->key = key;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&w->tid, &at, worker_main, w) != 0) {
        pthread_attr_destroy(&at);
        free(key);
        free(w);
        return NULL;
    }
    pthread_attr_destroy(&at);
    w->next = workers;
    workers = w;
    return w;
}

static const char *field(cJSON *root, const char *name)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void dispatch(const sc_driver *d, char *line)
{
    cJSON *root = cJSON_Parse(line);
    if (!cJSON_IsObject(root)) {
        fprintf(stderr, "sockcheck-driver: not a JSON object: %.200s\n", line);
        cJSON_Delete(root);
        return;
    }
    job *j = calloc(1, sizeof *j);
    if (!j) {
        cJSON_Delete(root);
        return;
    }
    j->rq.root = root;
    j->rq.args = cJSON_GetObjectItemCaseSensitive(root, "args");
    if (!cJSON_IsObject(j->rq.args)) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, "args");
        j->rq.args = cJSON_AddObjectToObject(root, "args");
    }
    j->rq.op = field(root, "op");
    j->rq.host = field(root, "host");
    j->rq.process = field(root, "process");
    j->rq.thread = *field(root, "thread") ? field(root, "thread") : "t1";

    const sc_op *op = NULL;
    for (const sc_op *o = d->ops; o && o->op; o++)
        if (!strcmp(o->op, j->rq.op)) {
            op = o;
            break;
        }
    if (!op) {
        if (d->unknown)
            d->unknown(&j->rq);
        else
            sc_reply_unsupported(&j->rq, "operation %s is not offered by this driver", j->rq.op);
        finish(j);
        return;
    }
    j->fn = op->fn;
    worker *w = op->mode == SC_INLINE ? NULL : worker_for(&j->rq);
    if (!w) {
        op->fn(&j->rq);
        finish(j);
        return;
    }
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int sc_serve(const sc_driver *d, int in_fd, int ofd)
{
    sc_lines r;
    sc_set_output(ofd);
    sc_lines_init(&r, in_fd, SC_MAX_LINE);
    for (;;) {
        char *line;
        while ((line = sc_lines_next(&r)) != NULL)
            if (*line)
                dispatch(d, line);
        if (sc_lines_fill(&r) <= 0)
            break;
    }
    sc_lines_free(&r);
    return 0;
}
