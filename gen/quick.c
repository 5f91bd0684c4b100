/* quick: the record of a build for the quick rebuild (see quick.h).
 *
 * Two memos of the cache (sealed: see cache_memo_get). "quick", the head, what a build
 * checks first:
 *   h <opts hex> <charts' datasets digest hex, or -> <generation> <site inode> <from>
 *     <until> <pages> <feeds> <documents> <inputs>
 *   per input: i <type> <inode> <size> <mtime ns> <ctime ns> <digest hex, or -> <path
 *     bytes>, a newline, the path, a newline
 * "quick-model", read only when the rebuild is quick (megabytes: the model's articles):
 *   m <generation> <articles> <known bytes> <site bytes> <topics bytes> <docs bytes>
 *   per article: a <key hex> <eligible 0/1> <in feed 0/1> <path bytes> <json bytes>, a
 *     newline, the path, a newline, the JSON, a newline
 *   then the known paths, the site object, the topics and the documents, each followed by
 *   a newline.
 * The generation ties the two: the model is written first, so a head is never read with
 * another build's model. */
#include "quick.h"

#include "digest.h"
#include "fsio.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_NAME  "quick"
#define RECORD_MAGIC "gongbao-quick 2"
#define MODEL_NAME   "quick-model"
#define MODEL_MAGIC  "gongbao-quick-model 1"
#define RACY_NS      2000000000LL /* as the load memo's (content.c) */
#define WALK_DEPTH                                                                                 \
        64 /* folders nested deeper are not walked: the record is                                  \
              then not made */

void quick_opts(unsigned char out[32], const char *const *parts, size_t n)
{
        struct buf b = {0};
        buf_puts(&b, "quick-opts");
        char *cwd = getcwd(NULL, 0);
        buf_putc(&b, '\0');
        buf_puts(&b, cwd ? cwd : "");
        free(cwd);
        for (size_t i = 0; i < n; i++) {
                buf_putc(&b, '\0');
                buf_puts(&b, parts[i] ? parts[i] : "(none)");
        }
        digest_sha256(out, b.data, b.len);
        buf_free(&b);
}

static int64_t ns(struct timespec t)
{
        return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Fills in's stat fields from st (zero when it changed too recently to be trusted). */
static void take_stat(struct quick_input *in, const struct stat *st, int64_t since)
{
        in->ino = in->size = 0;
        in->mtime = in->ctime = 0;
        if (ns(st->st_mtim) >= since - RACY_NS || ns(st->st_ctim) >= since - RACY_NS)
                return;
        in->ino = (uint64_t)st->st_ino;
        in->size = (uint64_t)st->st_size;
        in->mtime = ns(st->st_mtim);
        in->ctime = ns(st->st_ctim);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in folder path (but . and ..), sorted, in *names (the caller frees each and
 * the array). Returns how many, or -1 when it cannot be read. */
static long dir_names(const char *path, char ***names)
{
        *names = NULL;
        DIR *dh = opendir(path);
        if (!dh)
                return -1;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(dh))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                        continue;
                if ((n & (n - 1)) == 0)
                        *names = xrealloc(*names, (n ? 2 * n : 1) * sizeof **names);
                (*names)[n++] = xstrdup(e->d_name);
        }
        closedir(dh);
        if (n)
                qsort(*names, n, sizeof **names, cmp_str);
        return (long)n;
}

/* The digest of n sorted names, into md. */
static void names_digest(char *const *names, long n, unsigned char md[32])
{
        struct buf b = {0};
        for (long i = 0; i < n; i++) {
                buf_puts(&b, names[i]);
                buf_putc(&b, '\0');
        }
        digest_sha256(md, b.data, b.len);
        buf_free(&b);
}

static void free_names(char **names, long n)
{
        for (long i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* The digest of the names in folder path, into md. Returns 0, or -1 when it cannot be
 * read. */
static int folder_digest(const char *path, unsigned char md[32])
{
        char **names;
        long n = dir_names(path, &names);
        if (n >= 0)
                names_digest(names, n, md);
        free_names(names, n);
        return n < 0 ? -1 : 0;
}

/* The digest of the bytes of file path, into md. Returns 0 or -1. */
static int bytes_digest(const char *path, unsigned char md[32])
{
        struct buf b = {0};
        struct diag *quiet = diag_new();
        int rc = fsio_read(path, &b, quiet);
        if (rc == 0)
                digest_sha256(md, b.data, b.len);
        diag_free(quiet);
        buf_free(&b);
        return rc;
}

static void add_input(struct quick *q, const char *path, char type, const struct stat *st,
                      int64_t since)
{
        if ((q->nin & (q->nin - 1)) == 0) /* 0, 1, 2, 4, ...: grow at powers of two */
                q->in = xrealloc(q->in, (q->nin ? 2 * q->nin : 1) * sizeof *q->in);
        struct quick_input *in = &q->in[q->nin++];
        *in = (struct quick_input){.path = xstrdup(path), .type = type};
        if (!st)
                return;
        take_stat(in, st, since);
        if (type == 'f' && !in->ino) /* too new: its bytes tell */
                in->has_md = bytes_digest(path, in->md) == 0;
}

static bool is_article(const char *path, const char *articles_dir)
{
        size_t n = articles_dir ? strlen(articles_dir) : 0, len = strlen(path);
        return n && !strncmp(path, articles_dir, n) && path[n] == '/' && len > 3 &&
               !strcmp(path + len - 3, ".md");
}

static void walk(struct quick *q, const char *path, const char *articles_dir, int64_t since,
                 int depth)
{
        struct stat st;
        if (lstat(path, &st) < 0) {
                add_input(q, path, 'n', NULL, since); /* none: unchanged while there is none */
                return;
        }
        if (!S_ISDIR(st.st_mode)) {
                add_input(q, path, is_article(path, articles_dir) ? 'a' : 'f', &st, since);
                return;
        }
        add_input(q, path, 'd', &st, since);
        size_t at = q->nin - 1; /* q->in moves as inputs are added below */
        char **names;
        long n = depth < WALK_DEPTH ? dir_names(path, &names) : (names = NULL, -1);
        if (n < 0) { /* not walked: never unchanged */
                q->in[at].ino = 0;
                return;
        }
        names_digest(names, n, q->in[at].md);
        q->in[at].has_md = true;
        for (long i = 0; i < n; i++) {
                char *sub = xasprintf("%s/%s", path, names[i]);
                walk(q, sub, articles_dir, since, depth + 1);
                free(sub);
        }
        free_names(names, n);
}

void quick_add_inputs(struct quick *q, const char *dir, const char *articles_dir, int64_t since)
{
        walk(q, dir, articles_dir, since, 0);
}

static void put_num(struct buf *b, int64_t v)
{
        buf_putc(b, ' ');
        buf_put_i64(b, v);
}

/* The model part: its generation, then the articles, known paths, site object, topics
 * and documents. */
static void save_model(const struct quick *q, struct cache *cache)
{
        struct cache_memo_out *w = cache_memo_open(cache, MODEL_NAME, MODEL_MAGIC);
        if (!w)
                return;
        struct buf b = {0};
        char hex[65];
        buf_puts(&b, "m");
        const int64_t head[] = {q->generation,
                                (int64_t)q->nart,
                                (int64_t)strlen(q->known),
                                (int64_t)strlen(q->site),
                                (int64_t)strlen(q->topics),
                                (int64_t)q->docs.len};
        for (size_t i = 0; i < sizeof head / sizeof *head; i++)
                put_num(&b, head[i]);
        buf_putc(&b, '\n');
        cache_memo_write(w, b.data, b.len);
        for (size_t i = 0; i < q->nart; i++) {
                const struct quick_article *a = &q->art[i];
                buf_reset(&b);
                digest_hex(hex, a->key, sizeof a->key);
                buf_puts(&b, "a ");
                buf_puts(&b, hex);
                put_num(&b, a->eligible);
                put_num(&b, a->in_feed);
                put_num(&b, (int64_t)strlen(a->path));
                put_num(&b, (int64_t)strlen(a->json));
                buf_putc(&b, '\n');
                buf_puts(&b, a->path);
                buf_putc(&b, '\n');
                cache_memo_write(w, b.data, b.len);
                cache_memo_write(w, a->json, strlen(a->json));
                cache_memo_write(w, "\n", 1);
        }
        const char *const parts[] = {q->known, q->site, q->topics};
        for (size_t i = 0; i < 3; i++) {
                cache_memo_write(w, parts[i], strlen(parts[i]));
                cache_memo_write(w, "\n", 1);
        }
        cache_memo_write(w, q->docs.data, q->docs.len);
        cache_memo_write(w, "\n", 1);
        cache_memo_close(w);
        buf_free(&b);
}

/* The head: what a build checks before it reads the model part. */
static void save_head(const struct quick *q, struct cache *cache)
{
        struct buf b = {0};
        char hex[65];
        digest_hex(hex, q->opts, sizeof q->opts);
        buf_puts(&b, "h ");
        buf_puts(&b, hex);
        buf_putc(&b, ' ');
        buf_puts(&b, strlen(q->charts) == 64 ? q->charts : "-");
        const int64_t head[] = {
            q->generation, (int64_t)q->site_ino, q->from,        q->until, q->pages,
            q->feeds,      (int64_t)q->ndocs,    (int64_t)q->nin};
        for (size_t i = 0; i < sizeof head / sizeof *head; i++)
                put_num(&b, head[i]);
        buf_putc(&b, '\n');
        for (size_t i = 0; i < q->nin; i++) {
                const struct quick_input *in = &q->in[i];
                buf_puts(&b, "i ");
                buf_putc(&b, in->type);
                const int64_t f[] = {(int64_t)in->ino, (int64_t)in->size, in->mtime, in->ctime};
                for (size_t k = 0; k < sizeof f / sizeof *f; k++)
                        put_num(&b, f[k]);
                buf_putc(&b, ' ');
                if (in->has_md) {
                        digest_hex(hex, in->md, sizeof in->md);
                        buf_puts(&b, hex);
                } else {
                        buf_putc(&b, '-');
                }
                put_num(&b, (int64_t)strlen(in->path));
                buf_putc(&b, '\n');
                buf_puts(&b, in->path);
                buf_putc(&b, '\n');
        }
        cache_memo_put(cache, RECORD_NAME, RECORD_MAGIC, b.data, b.len);
        buf_free(&b);
}

void quick_save(struct quick *q, struct cache *cache)
{
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        /* the model first: a head is never read with another build's model */
        q->generation = ns(t) ^ (int64_t)getpid();
        save_model(q, cache);
        save_head(q, cache);
}

/* ---- reading ---- */

struct cursor {
        const char *p, *end;
        bool bad;
};

static int64_t take_num(struct cursor *c)
{
        if (c->bad || c->p >= c->end || *c->p != ' ') {
                c->bad = true;
                return 0;
        }
        c->p++;
        bool neg = c->p < c->end && *c->p == '-';
        c->p += neg;
        uint64_t v = 0;
        const char *start = c->p;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - start < 19)
                v = v * 10 + (uint64_t)(*c->p++ - '0');
        if (c->p == start) {
                c->bad = true;
                return 0;
        }
        return neg ? -(int64_t)v : (int64_t)v;
}

static void take_lit(struct cursor *c, const char *lit)
{
        size_t n = strlen(lit);
        if (c->bad || (size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
                c->bad = true;
        else
                c->p += n;
}

/* n bytes and the newline after them, as a new string. */
static char *take_bytes(struct cursor *c, int64_t n)
{
        if (c->bad || n < 0 || n >= c->end - c->p || c->p[n] != '\n' || memchr(c->p, '\0', n)) {
                c->bad = true;
                return NULL;
        }
        char *s = xstrndup(c->p, (size_t)n);
        c->p += n + 1;
        return s;
}

static void take_hex(struct cursor *c, unsigned char *out)
{
        if (c->bad || c->end - c->p < 64 || digest_unhex(c->p, out, 32) < 0)
                c->bad = true;
        else
                c->p += 64;
}

static bool parse_head(struct quick *q, const char *p, size_t len)
{
        struct cursor c = {p, p + len, false};
        take_lit(&c, "h ");
        take_hex(&c, q->opts);
        take_lit(&c, " ");
        if (!c.bad && c.p < c.end && *c.p == '-') {
                c.p++;
        } else if (!c.bad && c.end - c.p >= 64 && strspn(c.p, "0123456789abcdef") >= 64) {
                memcpy(q->charts, c.p, 64);
                c.p += 64;
        } else {
                c.bad = true;
        }
        int64_t h[8];
        for (size_t i = 0; i < 8; i++)
                h[i] = take_num(&c);
        take_lit(&c, "\n");
        if (c.bad || h[6] < 0 || h[7] < 0 || h[7] > (int64_t)len)
                return false;
        q->generation = h[0];
        q->site_ino = (uint64_t)h[1];
        q->from = h[2];
        q->until = h[3];
        q->pages = (long)h[4];
        q->feeds = (long)h[5];
        q->ndocs = (size_t)h[6];
        q->in = xcalloc((size_t)h[7] + 1, sizeof *q->in);
        for (; !c.bad && q->nin < (size_t)h[7]; q->nin++) {
                struct quick_input *in = &q->in[q->nin];
                take_lit(&c, "i ");
                in->type = c.p < c.end ? *c.p++ : 0;
                in->ino = (uint64_t)take_num(&c);
                in->size = (uint64_t)take_num(&c);
                in->mtime = take_num(&c);
                in->ctime = take_num(&c);
                take_lit(&c, " ");
                if (c.p < c.end && *c.p == '-') {
                        c.p++;
                } else {
                        take_hex(&c, in->md);
                        in->has_md = true;
                }
                int64_t n = take_num(&c);
                take_lit(&c, "\n");
                in->path = take_bytes(&c, n);
        }
        return !c.bad && c.p == c.end;
}

static bool parse_model(struct quick *q, const char *p, size_t len)
{
        struct cursor c = {p, p + len, false};
        take_lit(&c, "m");
        int64_t h[6];
        for (size_t i = 0; i < 6; i++)
                h[i] = take_num(&c);
        take_lit(&c, "\n");
        if (c.bad || h[0] != q->generation || h[1] < 0 || h[1] > (int64_t)len)
                return false;
        q->art = xcalloc((size_t)h[1] + 1, sizeof *q->art);
        for (; !c.bad && q->nart < (size_t)h[1]; q->nart++) {
                struct quick_article *a = &q->art[q->nart];
                take_lit(&c, "a ");
                take_hex(&c, a->key);
                a->eligible = take_num(&c) == 1;
                a->in_feed = take_num(&c) == 1;
                int64_t np = take_num(&c), nj = take_num(&c);
                take_lit(&c, "\n");
                a->path = take_bytes(&c, np);
                a->json = take_bytes(&c, nj);
        }
        q->known = take_bytes(&c, h[2]);
        q->site = take_bytes(&c, h[3]);
        q->topics = take_bytes(&c, h[4]);
        if (!c.bad && h[5] >= 0 && h[5] < c.end - c.p && c.p[h[5]] == '\n') {
                buf_put(&q->docs, c.p, (size_t)h[5]);
                c.p += h[5] + 1;
        } else {
                c.bad = true;
        }
        return !c.bad && c.p == c.end;
}

/* Reads memo name of cache and parses it with parse. Returns 0 or -1. */
static int load_part(struct quick *q, struct cache *cache, const char *name, const char *magic,
                     bool (*parse)(struct quick *, const char *, size_t))
{
        struct buf file = {0};
        const char *records;
        size_t len;
        int rc = -1;
        if (cache && cache_memo_get(cache, name, magic, &file, &records, &len) == 0)
                rc = parse(q, records, len) ? 0 : -1;
        buf_free(&file);
        return rc;
}

int quick_load(struct quick *q, struct cache *cache)
{
        memset(q, 0, sizeof *q);
        if (load_part(q, cache, RECORD_NAME, RECORD_MAGIC, parse_head) == 0)
                return 0;
        quick_free(q);
        return -1;
}

int quick_load_model(struct quick *q, struct cache *cache)
{
        return load_part(q, cache, MODEL_NAME, MODEL_MAGIC, parse_model);
}

/* ---- comparing ---- */

/* Whether input in is as recorded: the same stat, or else the same names (a folder) or
 * bytes (a file too new to trust when recorded). */
static bool unchanged(const struct quick_input *in)
{
        struct stat st;
        if (lstat(in->path, &st) < 0)
                return in->type == 'n' && errno == ENOENT;
        if (in->type == 'n' || S_ISDIR(st.st_mode) != (in->type == 'd'))
                return false;
        if (in->ino && in->ino == (uint64_t)st.st_ino && in->size == (uint64_t)st.st_size &&
            in->mtime == ns(st.st_mtim) && in->ctime == ns(st.st_ctim))
                return true;
        unsigned char md[32];
        if (!in->has_md ||
            (in->type == 'd' ? folder_digest(in->path, md) : bytes_digest(in->path, md)) < 0)
                return false;
        return !memcmp(md, in->md, sizeof md);
}

int quick_changed(const struct quick *q, const char ***changed)
{
        size_t n = 0;
        const char **list = xcalloc(1, sizeof *list);
        for (size_t i = 0; i < q->nin; i++) {
                if (unchanged(&q->in[i]))
                        continue;
                if (q->in[i].type != 'a') {
                        free(list);
                        *changed = NULL;
                        return -1;
                }
                list = xrealloc(list, (n + 2) * sizeof *list);
                list[n++] = q->in[i].path;
                list[n] = NULL;
        }
        *changed = list;
        return 0;
}

long quick_find(const struct quick *q, const char *path)
{
        for (size_t i = 0; i < q->nart; i++)
                if (!strcmp(q->art[i].path, path))
                        return (long)i;
        return -1;
}

void quick_restat(struct quick *q, const char *path, int64_t since)
{
        for (size_t i = 0; i < q->nin; i++) {
                struct quick_input *in = &q->in[i];
                struct stat st;
                if (strcmp(in->path, path))
                        continue;
                in->has_md = false;
                if (lstat(path, &st) == 0)
                        take_stat(in, &st, since);
                else
                        in->ino = 0;
        }
}

void quick_free(struct quick *q)
{
        for (size_t i = 0; i < q->nin; i++)
                free(q->in[i].path);
        free(q->in);
        for (size_t i = 0; i < q->nart; i++) {
                free(q->art[i].path);
                free(q->art[i].json);
        }
        free(q->art);
        free(q->known);
        free(q->site);
        free(q->topics);
        buf_free(&q->docs);
        memset(q, 0, sizeof *q);
}
