/* cache: rendered bodies between builds (see cache.h). */
#include "cache.h"
#include "buf.h"
#include "digest.h"
#include "fsio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC  "gongbao-body 2" /* 2: the search tokens */
#define CACHE_FORMAT "bodies-1"
#define ENTRY_MAX    (512L << 20) /* larger files are not entries we wrote */
#define NAME_HEX     64
#define BRIEF_MAGIC  "gongbao-brief 2"
#define BRIEF_BLOB   "briefs"

/* One entry's brief (see cache_brief): its toc, summary and links as entry fields, then
 * "<chars> <minutes> <has_abs>\n". */
struct brief {
        unsigned char key[32]; /* all zero: a free slot */
        const char *rec;       /* in the briefs file read at open; NULL for a fresh one */
        size_t len;
        bool fresh; /* noted by this build: already in the next briefs file */
        bool used;  /* read or written by this build: kept in the next briefs file */
};

struct cache {
        char *dir;                  /* .../gongbao/bodies-1/<site> */
        unsigned char salt[32];     /* settings and the gen binary */
        pthread_mutex_t lock;       /* guards used and the counts */
        char (*used)[NAME_HEX + 1]; /* keys this build read or wrote, as hex */
        size_t nused, capused;
        long hits, misses;
        struct brief *briefs; /* open addressing by the key's first bytes */
        size_t nbriefs, capbriefs;
        bool briefs_changed;   /* a brief was added or replaced, or one loaded went unused */
        bool briefs_saved;     /* cache_briefs_save ran: the briefs are no longer kept */
        struct buf brief_file; /* the briefs file read at open: loaded briefs point into it */
        struct cache_memo_out *next_briefs; /* the next briefs file, from its first fresh
                                               brief: fresh ones are written as they come,
                                               not held (megabytes at the build's peak) */
};

/* $XDG_CACHE_HOME/gongbao, else $HOME/.cache/gongbao, else NULL. Caller frees. */
static char *cache_root(void)
{
        const char *xdg = getenv("XDG_CACHE_HOME");
        if (xdg && xdg[0] == '/')
                return xasprintf("%s/gongbao", xdg);
        const char *home = getenv("HOME");
        if (home && home[0] == '/')
                return xasprintf("%s/.cache/gongbao", home);
        return NULL;
}

/* The gen binary's own digest: a new gen never reads an older one's bodies. */
static void binary_digest(struct buf *out)
{
        struct diag *quiet = diag_new();
        struct buf exe = {0};
        char path[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n > 0) {
                path[n] = '\0';
                if (fsio_read(path, &exe, quiet) == 0)
                        digest_sha256_hex(out, exe.data, exe.len);
        }
        buf_free(&exe);
        diag_free(quiet);
}

static size_t brief_slot(const struct cache *c, const unsigned char key[32])
{
        uint64_t h;
        memcpy(&h, key, sizeof h);
        size_t i = (size_t)h & (c->capbriefs - 1);
        static const unsigned char zero[32];
        while (memcmp(c->briefs[i].key, zero, 32) && memcmp(c->briefs[i].key, key, 32))
                i = (i + 1) & (c->capbriefs - 1);
        return i;
}

static bool brief_present(const struct brief *b)
{
        static const unsigned char zero[32];
        return memcmp(b->key, zero, 32) != 0;
}

/* Adds or replaces key's brief: rec (len bytes) in the file read at open, or a fresh one
 * (rec NULL) already written to the next file. Caller holds the lock (or is alone). */
static void brief_set(struct cache *c, const unsigned char key[32], const char *rec, size_t len,
                      bool fresh, bool used)
{
        if (2 * (c->nbriefs + 1) > c->capbriefs) {
                struct brief *old = c->briefs;
                size_t oldcap = c->capbriefs;
                c->capbriefs = oldcap ? 2 * oldcap : 1024;
                c->briefs = xcalloc(c->capbriefs, sizeof *c->briefs);
                for (size_t i = 0; i < oldcap; i++)
                        if (brief_present(&old[i]))
                                c->briefs[brief_slot(c, old[i].key)] = old[i];
                free(old);
        }
        struct brief *b = &c->briefs[brief_slot(c, key)];
        if (!brief_present(b))
                c->nbriefs++;
        *b = (struct brief){.rec = rec, .len = len, .fresh = fresh, .used = used};
        memcpy(b->key, key, 32);
}

/* Appends key's brief (rec, len bytes) to the next briefs file. Caller holds the lock. */
static void brief_write(struct cache *c, const unsigned char key[32], const char *rec, size_t len)
{
        char hex[NAME_HEX + 2];
        if (!c->next_briefs)
                c->next_briefs = cache_memo_open(c, BRIEF_BLOB, BRIEF_MAGIC);
        digest_hex(hex, key, 32);
        hex[NAME_HEX] = '\n';
        cache_memo_write(c->next_briefs, hex, NAME_HEX + 1);
        cache_memo_write(c->next_briefs, rec, len);
}

static void put_field(struct buf *b, const char *s);
static void briefs_free(struct cache *c);
static void memo_end(struct cache_memo_out *w, bool keep);

/* Steps *p over one field of an entry or brief (see get_bytes). Returns 0, or -1 when it
 * is damaged. */
static int skip_bytes(const char **p, const char *end)
{
        char *nl;
        long n = strtol(*p, &nl, 10);
        if (nl == *p || nl >= end || *nl != '\n' || n < -1 || n > end - nl - 2)
                return -1;
        if (n >= 0 && nl[1 + n] != '\n')
                return -1;
        *p = nl + 1 + (n >= 0 ? n + 1 : 0);
        return 0;
}
static int get_bytes(const char **p, const char *end, bool text, char **out, size_t *len);

/* Loads the briefs file (a memo): records of "<key hex>\n<brief>". A file that does not
 * check out is ignored (the briefs are then rebuilt from the entries this build reads). */
static void briefs_load(struct cache *c)
{
        struct buf f = {0};
        const char *p, *end;
        size_t len;
        if (cache_memo_get(c, BRIEF_BLOB, BRIEF_MAGIC, &f, &p, &len) < 0)
                return;
        end = p + len;
        while (p < end) {
                unsigned char key[32];
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                if (!nl || nl - p != NAME_HEX || digest_unhex(p, key, 32) < 0)
                        goto damaged;
                const char *rec = nl + 1, *q = rec;
                for (int i = 0; i < 3; i++)
                        if (skip_bytes(&q, end) < 0)
                                goto damaged;
                const char *eol = memchr(q, '\n', (size_t)(end - q));
                if (!eol)
                        goto damaged;
                q = eol + 1;
                brief_set(c, key, rec, (size_t)(q - rec), false, false);
                p = q;
        }
        c->brief_file = f;
        return;
damaged: /* none of it */
        briefs_free(c);
        buf_free(&f);
}

struct cache *cache_open(const char *content_dir, const char *salt)
{
        const char *off = getenv("GONGBAO_CACHE");
        if (off && !strcmp(off, "off"))
                return NULL;
        char *root = cache_root();
        char real[PATH_MAX];
        if (!root || !realpath(content_dir, real)) {
                free(root);
                return NULL;
        }
        struct buf site = {0}, all = {0};
        digest_sha256_hex(&site, real, strlen(real));
        struct cache *c = xcalloc(1, sizeof *c);
        c->dir = xasprintf("%s/%s/%.16s", root, CACHE_FORMAT, buf_cstr(&site));
        free(root);
        buf_free(&site);
        binary_digest(&all);
        buf_puts(&all, salt);
        digest_sha256(c->salt, all.data, all.len);
        buf_free(&all);
        pthread_mutex_init(&c->lock, NULL);
        if (fsio_mkdirs(c->dir) < 0) {
                cache_close(c, false);
                return NULL;
        }
        briefs_load(c);
        return c;
}

void cache_key(const struct cache *c, unsigned char key[32], const char *path, int line,
               const char *md_sha256, const char *extra)
{
        struct buf b = {0};
        buf_put(&b, c->salt, sizeof c->salt);
        buf_printf(&b, "%s%c%d%c%s%c%s", path, 0, line, 0, extra ? extra : "", 0, md_sha256);
        digest_sha256(key, b.data, b.len);
        buf_free(&b);
}

void cache_salt(const struct cache *c, unsigned char out[32])
{
        memcpy(out, c->salt, sizeof c->salt);
}

/* The entry's file, and its shard folder. Caller frees. */
static char *entry_path(const struct cache *c, const char *hex)
{
        return xasprintf("%s/%.2s/%s", c->dir, hex, hex + 2);
}

static void note_used(struct cache *c, const char *hex, int hit)
{
        pthread_mutex_lock(&c->lock);
        if (c->nused == c->capused) {
                c->capused = c->capused ? 2 * c->capused : 1024;
                c->used = xrealloc(c->used, c->capused * sizeof *c->used);
        }
        memcpy(c->used[c->nused++], hex, NAME_HEX + 1);
        if (hit > 0)
                c->hits++;
        else if (hit == 0)
                c->misses++;
        pthread_mutex_unlock(&c->lock);
}

/* ---- the entry format: the magic and key, then each field as "<len>\n<bytes>\n"
 * (len -1: none; strings, then the binary search tokens), then
 * "<chars> <minutes>\nend\n" ---- */

/* Appends one field of n bytes at s (NULL: none). */
static void put_bytes(struct buf *b, const char *s, size_t n)
{
        if (!s) {
                buf_puts(b, "-1\n");
                return;
        }
        buf_printf(b, "%zu\n", n);
        buf_put(b, s, n);
        buf_putc(b, '\n');
}

static void put_field(struct buf *b, const char *s)
{
        put_bytes(b, s, s ? strlen(s) : 0);
}

/* Reads one field at *p (advanced) into *out (owned by the caller, followed by 8 zero
 * bytes; NULL for none) and its length into *len; a string field (text) may not hold
 * NUL. Returns 0, or -1 when the entry is damaged. */
static int get_bytes(const char **p, const char *end, bool text, char **out, size_t *len)
{
        char *nl;
        long n = strtol(*p, &nl, 10);
        if (nl == *p || nl >= end || *nl != '\n' || n < -1 || n > end - nl - 2)
                return -1;
        *len = 0;
        if (n < 0) {
                *out = NULL;
                *p = nl + 1;
                return 0;
        }
        if (nl[1 + n] != '\n' || (text && memchr(nl + 1, '\0', (size_t)n)))
                return -1;
        *out = xcalloc(1, (size_t)n + 9);
        memcpy(*out, nl + 1, (size_t)n);
        *len = (size_t)n;
        *p = nl + 2 + n;
        return 0;
}

static int parse_entry(const char *s, size_t len, const char *hex, struct cache_body *out)
{
        const char *p = s, *end = s + len;
        size_t mlen = strlen(CACHE_MAGIC);
        if (len < mlen + NAME_HEX + 2 || memcmp(p, CACHE_MAGIC " ", mlen + 1) ||
            memcmp(p + mlen + 1, hex, NAME_HEX) || p[mlen + 1 + NAME_HEX] != '\n')
                return -1;
        p += mlen + NAME_HEX + 2;
        char **fields[] = {&out->html,    &out->abs,  &out->toc,
                           &out->summary, &out->text, &out->links};
        size_t n;
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
                if (get_bytes(&p, end, true, fields[i], &n) < 0)
                        return -1;
        if (get_bytes(&p, end, false, &out->tokens, &out->ntokens) < 0)
                return -1;
        int used = 0;
        if (sscanf(p, "%ld %ld\nend\n%n", &out->chars, &out->minutes, &used) != 2 || !used ||
            p + used != end || !out->html || !out->toc || !out->summary || !out->text ||
            !out->links)
                return -1;
        return 0;
}

/* body's brief, as the briefs file keeps it. Caller frees. */
static char *brief_of(const struct cache_body *body, size_t *len)
{
        struct buf b = {0};
        put_field(&b, body->toc);
        put_field(&b, body->summary);
        put_field(&b, body->links);
        buf_printf(&b, "%ld %ld %d\n", body->chars, body->minutes, body->abs != NULL);
        *len = b.len;
        return buf_detach(&b);
}

/* Records body's brief under key (an entry read or written by this build). */
static void brief_note(struct cache *c, const unsigned char key[32], const struct cache_body *body)
{
        size_t len;
        if (c->briefs_saved) /* its brief was noted when the bodies were made */
                return;
        char *rec = brief_of(body, &len);
        pthread_mutex_lock(&c->lock);
        struct brief *b = c->capbriefs ? &c->briefs[brief_slot(c, key)] : NULL;
        if (b && (b->fresh || (b->rec && b->len == len && !memcmp(b->rec, rec, len)))) {
                b->used = true;
        } else {
                brief_write(c, key, rec, len);
                brief_set(c, key, NULL, len, true, true);
                c->briefs_changed = true;
        }
        pthread_mutex_unlock(&c->lock);
        free(rec);
}

bool cache_brief(struct cache *c, const unsigned char key[32], struct cache_body *out)
{
        memset(out, 0, sizeof *out);
        pthread_mutex_lock(&c->lock);
        struct brief *b = c->capbriefs ? &c->briefs[brief_slot(c, key)] : NULL;
        char *rec = b && b->rec ? xstrndup(b->rec, b->len) : NULL;
        size_t len = rec ? b->len : 0;
        if (rec)
                b->used = true;
        pthread_mutex_unlock(&c->lock);
        if (!rec)
                return false;
        const char *p = rec, *end = rec + len;
        size_t n;
        int abs = 0, used = 0;
        bool ok = get_bytes(&p, end, true, &out->toc, &n) == 0 &&
                  get_bytes(&p, end, true, &out->summary, &n) == 0 &&
                  get_bytes(&p, end, true, &out->links, &n) == 0 && out->toc && out->summary &&
                  out->links &&
                  sscanf(p, "%ld %ld %d\n%n", &out->chars, &out->minutes, &abs, &used) == 3 &&
                  p + used == end;
        free(rec);
        if (!ok) { /* not kept for the next build: the entry's own brief replaces it */
                pthread_mutex_lock(&c->lock);
                c->briefs[brief_slot(c, key)].used = false;
                pthread_mutex_unlock(&c->lock);
                cache_body_free(out);
                return false;
        }
        out->has_abs = abs != 0;
        char hex[NAME_HEX + 1];
        digest_hex(hex, key, 32);
        note_used(c, hex, -1);
        return true;
}

void cache_count_hit(struct cache *c)
{
        pthread_mutex_lock(&c->lock);
        c->hits++;
        pthread_mutex_unlock(&c->lock);
}

bool cache_get(struct cache *c, const unsigned char key[32], struct cache_body *out)
{
        char hex[NAME_HEX + 1];
        digest_hex(hex, key, 32);
        memset(out, 0, sizeof *out);
        char *path = entry_path(c, hex);
        struct buf b = {0};
        bool hit = false;
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < ENTRY_MAX) {
                buf_grow(&b, (size_t)st.st_size + 1);
                ssize_t n;
                while ((n = read(fd, b.data + b.len, b.cap - b.len - 1)) > 0)
                        b.len += (size_t)n;
                b.data[b.len] = '\0'; /* the parser reads numbers with strtol and sscanf */
                hit = n == 0 && parse_entry(buf_cstr(&b), b.len, hex, out) == 0;
        }
        if (fd >= 0)
                close(fd);
        if (!hit)
                cache_body_free(out);
        else
                brief_note(c, key, out);
        note_used(c, hex, hit ? 1 : 0);
        buf_free(&b);
        free(path);
        return hit;
}

void cache_put(struct cache *c, const unsigned char key[32], const struct cache_body *body)
{
        char hex[NAME_HEX + 1];
        digest_hex(hex, key, 32);
        struct buf b = {0};
        buf_printf(&b, "%s %s\n", CACHE_MAGIC, hex);
        put_field(&b, body->html);
        put_field(&b, body->abs);
        put_field(&b, body->toc);
        put_field(&b, body->summary);
        put_field(&b, body->text);
        put_field(&b, body->links);
        put_bytes(&b, body->tokens, body->ntokens);
        buf_printf(&b, "%ld %ld\nend\n", body->chars, body->minutes);
        char *path = entry_path(c, hex);
        char *tmp = xasprintf("%s.tmp-%ld-%p", path, (long)getpid(), (void *)&b);
        struct diag *quiet = diag_new();
        if (fsio_write(tmp, b.data, b.len, quiet) < 0 || rename(tmp, path) < 0)
                unlink(tmp);
        diag_free(quiet);
        brief_note(c, key, body);
        note_used(c, hex, -1);
        free(tmp);
        free(path);
        buf_free(&b);
}

void cache_body_free(struct cache_body *b)
{
        free(b->html);
        free(b->abs);
        free(b->toc);
        free(b->summary);
        free(b->text);
        free(b->links);
        free(b->tokens);
        memset(b, 0, sizeof *b);
}

void cache_counts(const struct cache *c, long *hits, long *misses)
{
        *hits = c ? c->hits : 0;
        *misses = c ? c->misses : 0;
}

static int cmp_hex(const void *a, const void *b)
{
        return strcmp(a, b);
}

/* Removes the entries of one shard folder that this build did not use (and files left by
 * a writer that was killed). */
static void prune_shard(struct cache *c, const char *shard)
{
        char *dir = xasprintf("%s/%s", c->dir, shard);
        DIR *dh = opendir(dir);
        struct dirent *e;
        while (dh && (e = readdir(dh))) {
                if (e->d_name[0] == '.')
                        continue;
                char hex[NAME_HEX + 1];
                int ok = strlen(e->d_name) == NAME_HEX - 2;
                if (ok) {
                        memcpy(hex, shard, 2);
                        memcpy(hex + 2, e->d_name, NAME_HEX - 1); /* with its NUL */
                        ok = bsearch(hex, c->used, c->nused, sizeof *c->used, cmp_hex) != NULL;
                }
                if (!ok)
                        unlinkat(dirfd(dh), e->d_name, 0);
        }
        if (dh)
                closedir(dh);
        rmdir(dir); /* only when it became empty */
        free(dir);
}

/* Writes the briefs of the entries this build used, when they differ from the file read
 * at open: the fresh ones are in the next file already, the ones kept from the file read
 * at open follow. */
static void briefs_save(struct cache *c)
{
        bool changed = c->briefs_changed;
        for (size_t i = 0; i < c->capbriefs; i++)
                if (brief_present(&c->briefs[i]) && !c->briefs[i].used)
                        changed = true; /* one loaded went unused */
        if (!changed)
                return;
        for (size_t i = 0; i < c->capbriefs; i++) {
                const struct brief *b = &c->briefs[i];
                if (brief_present(b) && b->used && !b->fresh)
                        brief_write(c, b->key, b->rec, b->len);
        }
        if (!c->next_briefs) /* every brief went unused: an empty file */
                c->next_briefs = cache_memo_open(c, BRIEF_BLOB, BRIEF_MAGIC);
        cache_memo_close(c->next_briefs);
        c->next_briefs = NULL;
}

static void briefs_free(struct cache *c)
{
        if (c->next_briefs) /* a build that failed: the file read at open stays */
                memo_end(c->next_briefs, false);
        c->next_briefs = NULL;
        buf_free(&c->brief_file);
        free(c->briefs);
        c->briefs = NULL;
        c->nbriefs = c->capbriefs = 0;
}

void cache_briefs_save(struct cache *c)
{
        if (!c || c->briefs_saved)
                return;
        briefs_save(c);
        briefs_free(c);
        c->briefs_saved = true;
}

void cache_drop(struct cache *c, const unsigned char key[32])
{
        char hex[65];
        digest_hex(hex, key, 32);
        char *path = entry_path(c, hex);
        unlink(path);
        free(path);
}

void cache_close(struct cache *c, bool prune)
{
        if (!c)
                return;
        if (prune && !c->briefs_saved)
                briefs_save(c);
        briefs_free(c);
        if (prune) {
                if (c->nused)
                        qsort(c->used, c->nused, sizeof *c->used, cmp_hex);
                DIR *dh = opendir(c->dir);
                struct dirent *e;
                while (dh && (e = readdir(dh)))
                        if (strlen(e->d_name) == 2 && e->d_name[0] != '.')
                                prune_shard(c, e->d_name);
                if (dh)
                        closedir(dh);
        }
        pthread_mutex_destroy(&c->lock);
        free(c->used);
        free(c->dir);
        free(c);
}

int cache_blob_get(struct cache *c, const char *name, struct buf *out)
{
        char *path = xasprintf("%s/%s", c->dir, name);
        struct diag *quiet = diag_new();
        int rc = fsio_read(path, out, quiet);
        diag_free(quiet);
        free(path);
        return rc;
}

void cache_blob_put(struct cache *c, const char *name, const void *data, size_t len)
{
        char *path = xasprintf("%s/%s", c->dir, name);
        char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
        struct diag *quiet = diag_new();
        if (fsio_write(tmp, data, len, quiet) < 0 || rename(tmp, path) < 0)
                unlink(tmp);
        diag_free(quiet);
        free(tmp);
        free(path);
}

#define SEAL_TAIL  69         /* "end " and 64 hex digits and a line break */
#define MEMO_CHUNK (64 << 10) /* bytes of a memo written at a time */

int cache_memo_get(struct cache *c, const char *name, const char *magic, struct buf *file,
                   const char **records, size_t *len)
{
        char salt[NAME_HEX + 1];
        digest_hex(salt, c->salt, sizeof c->salt);
        size_t mlen = strlen(magic), head = mlen + 1 + NAME_HEX + 1;
        unsigned char want[32], got[32];
        if (cache_blob_get(c, name, file) < 0 || file->len < head + SEAL_TAIL ||
            memcmp(file->data, magic, mlen) || file->data[mlen] != '\n' ||
            memcmp(file->data + mlen + 1, salt, NAME_HEX) || file->data[head - 1] != '\n')
                goto none;
        const char *tail = file->data + file->len - SEAL_TAIL;
        if (memcmp(tail, "end ", 4) || tail[SEAL_TAIL - 1] != '\n' ||
            digest_unhex(tail + 4, want, sizeof want) < 0)
                goto none;
        digest_sha256(got, file->data, (size_t)(tail - file->data));
        if (memcmp(want, got, sizeof got))
                goto none;
        *records = file->data + head;
        *len = (size_t)(tail - *records);
        return 0;
none:
        buf_free(file);
        *records = NULL;
        *len = 0;
        return -1;
}

struct cache_memo_out {
        char *path, *tmp;
        int fd; /* -1 after a failure: nothing is kept */
        struct buf pending;
        struct digest_sha256_stream *sha;
};

/* Writes out what w holds: through the digest to the file. */
static void memo_flush(struct cache_memo_out *w)
{
        if (w->fd >= 0 && w->pending.len) {
                digest_sha256_add(w->sha, w->pending.data, w->pending.len);
                if (fsio_write_fd(w->fd, w->pending.data, w->pending.len) < 0) {
                        close(w->fd);
                        w->fd = -1;
                }
        }
        buf_reset(&w->pending);
}

struct cache_memo_out *cache_memo_open(struct cache *c, const char *name, const char *magic)
{
        struct cache_memo_out *w = xcalloc(1, sizeof *w);
        w->path = xasprintf("%s/%s", c->dir, name);
        w->tmp = xasprintf("%s.tmp-%ld", w->path, (long)getpid());
        w->sha = digest_sha256_begin();
        w->fd =
            w->sha ? open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644) : -1;
        char hex[NAME_HEX + 1];
        digest_hex(hex, c->salt, sizeof c->salt);
        buf_printf(&w->pending, "%s\n%s\n", magic, hex);
        return w;
}

void cache_memo_write(struct cache_memo_out *w, const void *data, size_t len)
{
        buf_put(&w->pending, data, len);
        if (w->pending.len >= MEMO_CHUNK)
                memo_flush(w);
}

/* Ends w: with keep, seals its file and puts it in place (best effort); else, or when
 * anything failed, removes it. Frees w. */
static void memo_end(struct cache_memo_out *w, bool keep)
{
        if (keep) /* an abandoned memo's last bytes are not worth writing */
                memo_flush(w);
        unsigned char md[32] = {0};
        if (w->sha)
                digest_sha256_end(w->sha, md);
        bool ok = keep && w->fd >= 0;
        if (ok) {
                char hex[NAME_HEX + 1];
                digest_hex(hex, md, sizeof md);
                buf_printf(&w->pending, "end %s\n", hex);
                ok = fsio_write_fd(w->fd, w->pending.data, w->pending.len) == 0;
        }
        if (w->fd >= 0 && close(w->fd) < 0)
                ok = false;
        if (!ok || rename(w->tmp, w->path) < 0)
                unlink(w->tmp);
        buf_free(&w->pending);
        free(w->tmp);
        free(w->path);
        free(w);
}

void cache_memo_close(struct cache_memo_out *w)
{
        memo_end(w, true);
}

void cache_memo_put(struct cache *c, const char *name, const char *magic, const void *records,
                    size_t len)
{
        struct cache_memo_out *w = cache_memo_open(c, name, magic);
        cache_memo_write(w, records, len);
        cache_memo_close(w);
}
