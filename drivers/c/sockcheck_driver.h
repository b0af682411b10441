/*
 * sockcheck driver kit for C: the JSON Lines driver protocol (docs/driver-protocol.md,
 * version 2) so that a driver for a C socket stack only writes its per-call functions.
 *
 * The kit reads requests line by line, dispatches them by "op" to the handlers a
 * driver registers, runs each modelled thread's calls on a pthread of its own (so a
 * call that blocks in one thread does not stop another), and writes each reply as one
 * whole line under a mutex. See drivers/c/README.md.
 *
 * Needs cJSON (Debian: libcjson-dev) and pthreads.
 */
#ifndef SOCKCHECK_DRIVER_H
#define SOCKCHECK_DRIVER_H

#include <stddef.h>
#include <netinet/in.h>
#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest request line the kit takes (the runner's own limit is 1 MiB). */
#define SC_MAX_LINE (4u << 20)

/* One request. The strings are "" when the request has no such field. */
typedef struct sc_request {
    cJSON *root;          /* the whole request object */
    cJSON *args;          /* "args": never NULL (an empty object when absent) */
    const char *op;
    const char *host;
    const char *process;
    const char *thread;
    int replied;          /* set by the sc_reply_* functions */
} sc_request;

typedef void (*sc_handler)(sc_request *rq);

/* How an operation runs. */
enum {
    SC_WORKER = 0,  /* on the pthread of its (host, process, thread): may block */
    SC_INLINE = 1   /* on the reading thread, before the next line is read: must not block long */
};

typedef struct sc_op {
    const char *op;
    sc_handler fn;
    int mode;
} sc_op;

typedef struct sc_driver {
    const sc_op *ops;     /* terminated by an entry whose op is NULL */
    /* Optional: called for an op not in the table (default: "unsupported"). */
    sc_handler unknown;
} sc_driver;

/*
 * Serve requests read from in_fd, replies to out_fd, until in_fd ends (or reads
 * fail). Returns 0 then; worker threads may still be blocked in calls, so the
 * caller should end the process (exit or _exit) soon after.
 */
int sc_serve(const sc_driver *d, int in_fd, int out_fd);

/* ---- replies: exactly one per request; the kit frees the request afterwards ---- */

void sc_reply_ok(sc_request *rq, cJSON *value);            /* takes value */
void sc_reply_ok_int(sc_request *rq, long long value);
void sc_reply_err(sc_request *rq, int errnum);             /* errno by POSIX name */
void sc_reply_errname(sc_request *rq, const char *name);
void sc_reply_unsupported(sc_request *rq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A line of the driver's own (not JSON of the protocol), e.g. for a parent process. */
void sc_reply_raw(sc_request *rq, const char *line);

/* Write one whole line (a newline is added) to the output, under the output mutex. */
int sc_write_line(const char *line);
/* The output fd sc_serve writes to (for sc_write_line before/without sc_serve). */
void sc_set_output(int fd);

/* ---- arguments: 0 on success; on a missing or malformed argument they reply
 *      "unsupported" with the reason and return -1, and the handler returns ---- */

int sc_arg_int(sc_request *rq, const char *name, long long *out);
int sc_arg_int_opt(sc_request *rq, const char *name, long long dflt, long long *out);
int sc_arg_bool_opt(sc_request *rq, const char *name, int *out);   /* absent: 0 */
const char *sc_arg_str(sc_request *rq, const char *name);          /* NULL: replied */
/* "IP:PORT" (IPv4, inet_pton only, never name resolution). "AF_UNSPEC" gives
 * sin_family AF_UNSPEC. */
int sc_arg_addr(sc_request *rq, const char *name, struct sockaddr_in *out);
/* base64 data; *buf is malloc'ed (free it), NUL-terminated for convenience. */
int sc_arg_data(sc_request *rq, const char *name, unsigned char **buf, size_t *len);

/* recv flags by name, as bits; sc_arg_flags fills *bits from "flags" (absent: 0). */
enum { SC_MSG_PEEK = 1, SC_MSG_DONTWAIT = 2, SC_MSG_WAITALL = 4, SC_MSG_TRUNC = 8 };
int sc_arg_flags(sc_request *rq, unsigned *bits);

/* ---- helpers ---- */

/* "IP:PORT", or JSON null for NULL / a family other than AF_INET. */
cJSON *sc_addr_json(const struct sockaddr_in *sin);
/* errno number -> POSIX name ("EADDRINUSE"); NULL if unknown. */
const char *sc_errno_name(int errnum);
/* base64: encode gives a malloc'ed string; decode a malloc'ed buffer or NULL if malformed. */
char *sc_b64_encode(const unsigned char *buf, size_t len);
unsigned char *sc_b64_decode(const char *text, size_t *len);
/* {"data": base64(buf)} */
cJSON *sc_data_json(const unsigned char *buf, size_t len);

/* ---- line reading (also for drivers that relay lines, e.g. a parent of per-host children) ---- */

typedef struct sc_lines {
    int fd;
    char *buf;
    size_t len, cap, max;
    int skipping;   /* inside an overlong line: dropped up to its newline */
    int eof;
} sc_lines;

void sc_lines_init(sc_lines *r, int fd, size_t max);
void sc_lines_free(sc_lines *r);
/* One read(2): >0 bytes read, 0 end of input, -1 error (errno). */
long sc_lines_fill(sc_lines *r);
/* The next complete line (without its newline), valid until the next call; NULL if none
 * buffered. Call sc_lines_fill when it gives NULL. */
char *sc_lines_next(sc_lines *r);

#ifdef __cplusplus
}
#endif
#endif
