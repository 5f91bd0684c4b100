/* diag: diagnostics collection. */
#include "diag.h"
#include "buf.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct message {
        enum diag_level level;
        char *path; /* may be NULL */
        int line, col;
        char *text;
        size_t seq; /* order of arrival, the last sort key */
};

struct diag {
        pthread_mutex_t lock;
        struct message *msgs;
        size_t n, cap, seq;
        int errors, warnings;
};

struct diag *diag_new(void)
{
        struct diag *d = xcalloc(1, sizeof *d);
        pthread_mutex_init(&d->lock, NULL);
        return d;
}

static void clear_messages(struct diag *d)
{
        for (size_t i = 0; i < d->n; i++) {
                free(d->msgs[i].path);
                free(d->msgs[i].text);
        }
        d->n = 0;
}

void diag_free(struct diag *d)
{
        if (!d)
                return;
        clear_messages(d);
        free(d->msgs);
        pthread_mutex_destroy(&d->lock);
        free(d);
}

static void add(struct diag *d, enum diag_level level, const char *path, int line, int col,
                char *text)
{
        pthread_mutex_lock(&d->lock);
        if (d->n == d->cap) {
                d->cap = d->cap ? d->cap * 2 : 16;
                d->msgs = xrealloc(d->msgs, d->cap * sizeof *d->msgs);
        }
        d->msgs[d->n++] =
            (struct message){level, path ? xstrdup(path) : NULL, line, col, text, d->seq++};
        if (level == DIAG_ERROR)
                d->errors++;
        else
                d->warnings++;
        pthread_mutex_unlock(&d->lock);
}

void diag_error(struct diag *d, const char *path, int line, int col, const char *fmt, ...)
{
        struct buf b = {0};
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        add(d, DIAG_ERROR, path, line, col, buf_detach(&b));
}

void diag_warn(struct diag *d, const char *path, int line, int col, const char *fmt, ...)
{
        struct buf b = {0};
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        add(d, DIAG_WARNING, path, line, col, buf_detach(&b));
}

int diag_errors(const struct diag *d)
{
        return d->errors;
}

int diag_warnings(const struct diag *d)
{
        return d->warnings;
}

static int compare(const void *pa, const void *pb)
{
        const struct message *a = pa, *b = pb;
        int c = strcmp(a->path ? a->path : "", b->path ? b->path : "");
        if (c)
                return c;
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        if (a->col != b->col)
                return a->col < b->col ? -1 : 1;
        return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_flush(struct diag *d, FILE *f)
{
        pthread_mutex_lock(&d->lock);
        if (d->n)
                qsort(d->msgs, d->n, sizeof *d->msgs, compare);
        for (size_t i = 0; i < d->n; i++) {
                const struct message *m = &d->msgs[i];
                const char *kind = m->level == DIAG_ERROR ? "error" : "warning";
                if (!m->path)
                        fprintf(f, "gen: %s: %s\n", kind, m->text);
                else if (m->line > 0 && m->col > 0)
                        fprintf(f, "%s:%d:%d: %s: %s\n", m->path, m->line, m->col, kind, m->text);
                else if (m->line > 0)
                        fprintf(f, "%s:%d: %s: %s\n", m->path, m->line, kind, m->text);
                else
                        fprintf(f, "%s: %s: %s\n", m->path, kind, m->text);
        }
        clear_messages(d);
        pthread_mutex_unlock(&d->lock);
}

void diag_merge(struct diag *dst, struct diag *src)
{
        pthread_mutex_lock(&src->lock);
        for (size_t i = 0; i < src->n; i++) {
                struct message *m = &src->msgs[i];
                add(dst, m->level, m->path, m->line, m->col, m->text);
                free(m->path);
        }
        src->n = 0;
        src->errors = src->warnings = 0;
        pthread_mutex_unlock(&src->lock);
}
