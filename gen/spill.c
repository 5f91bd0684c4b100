/* spill: strings in an unnamed temporary file (see spill.h). */
#include "spill.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct spill {
        int fd;           /* the unnamed file, or -1: in memory */
        atomic_llong end; /* where the next string goes */
        size_t n;
        char **mem;     /* strings held in memory (all of them without a file) */
        long long *off; /* in the file: where string i starts, -1 for none */
        size_t *len;
};

struct spill *spill_new(const char *dir, size_t n)
{
        struct spill *s = xcalloc(1, sizeof *s);
        s->n = n;
        s->fd = dir ? open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
        s->mem = xcalloc(n ? n : 1, sizeof *s->mem);
        if (s->fd < 0)
                return s;
        s->off = xmalloc((n ? n : 1) * sizeof *s->off);
        s->len = xcalloc(n ? n : 1, sizeof *s->len);
        for (size_t i = 0; i < n; i++)
                s->off[i] = -1;
        atomic_init(&s->end, 0);
        return s;
}

void spill_free(struct spill *s)
{
        if (!s)
                return;
        if (s->fd >= 0)
                close(s->fd);
        for (size_t i = 0; i < s->n; i++)
                free(s->mem[i]);
        free(s->mem);
        free(s->off);
        free(s->len);
        free(s);
}

int spill_put(struct spill *sp, size_t i, char *s)
{
        if (sp->fd >= 0 && s) {
                size_t len = strlen(s);
                long long at = atomic_fetch_add(&sp->end, (long long)len);
                size_t done = 0;
                while (done < len) {
                        ssize_t w =
                            pwrite(sp->fd, s + done, len - done, (off_t)(at + (long long)done));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0)
                                break;
                        done += (size_t)w;
                }
                if (done == len) {
                        free(s);
                        sp->off[i] = at;
                        sp->len[i] = len;
                        return 0;
                }
                /* the disk is full: this one stays in memory */
        }
        free(sp->mem[i]);
        sp->mem[i] = s;
        return 0;
}

char *spill_take(struct spill *sp, size_t i)
{
        if (sp->mem[i] || sp->fd < 0 || sp->off[i] < 0) {
                char *s = sp->mem[i];
                sp->mem[i] = NULL;
                return s ? s : xstrdup("");
        }
        char *s = xmalloc(sp->len[i] + 1);
        size_t done = 0;
        while (done < sp->len[i]) {
                ssize_t r = pread(sp->fd, s + done, sp->len[i] - done,
                                  (off_t)(sp->off[i] + (long long)done));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                done += (size_t)r;
        }
        sp->off[i] = -1;
        if (done < sp->len[i]) {
                free(s);
                return NULL;
        }
        s[done] = '\0';
        return s;
}
