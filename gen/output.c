/* output: atomic, double-buffered build folder with write-if-changed.
 *
 * Beside the output folder NAME live ".NAME.prev" (the tree published before the current
 * one) and ".NAME.manifest" (what each tree holds). A build claims the spare tree by
 * renaming it to ".NAME.tmp-PID" and brings it up to date: a file whose bytes equal the
 * published copy becomes a hard link to that copy (or already is one), anything else is
 * written as a new file (never in place: a link shared with the published tree must not
 * change), and what the new build no longer has is removed. One renameat2 exchange then
 * publishes it and the old tree becomes the spare. A second build of the same input writes
 * no file and every file keeps its inode and mtime; a killed build leaves a ".tmp-" folder
 * that the next build sweeps. The manifest is trusted only where the files agree with it
 * (inode, size and mtime); anything else is written again.
 *
 * A file may also be recorded with a key: a digest of everything its bytes were made from
 * (page.c computes it). A later build that has the same key for the same file keeps the
 * published copy without making the bytes again (output_keep). */
#include "output.h"
#include "digest.h"
#include "fsio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* Version 2 records each file's key ("-" for none); a version 1 manifest is still read
 * for its hashes, without keys. */
#define MANIFEST_MAGIC    "gongbao-output 2"
#define MANIFEST_MAGIC_V1 "gongbao-output 1"

/* One file of a tree, as the manifest records it. */
struct entry {
        char *rel; /* owned */
        int64_t size, mtime_ns;
        uint64_t ino;
        unsigned char hash[32]; /* SHA-256 of the bytes */
        unsigned char key[32];  /* what the bytes were made from, when keyed */
        bool keyed;
};

/* Entries with a hash table over rel (open addressing, power-of-two slots). */
struct entries {
        struct entry *v;
        size_t n, cap;
        size_t *slot; /* index + 1; 0 is empty */
        size_t nslots;
};

struct output {
        char *final;    /* the published folder, e.g. "site" */
        char *tmp;      /* ".site.tmp-PID" beside it: the tree being built */
        char *spare;    /* ".site.prev" */
        char *manifest; /* ".site.manifest" */
        int wfd;        /* the tree being built */
        int livefd;     /* the published tree, or -1 */
        uint64_t live_ino, tmp_ino;
        struct entries live;     /* the published tree's files (trusted per file) */
        struct entries previous; /* the files of the claimed spare tree; unknown: NULL v */
        bool previous_known;
        struct entries built; /* what this build wrote or kept */
        pthread_mutex_t lock; /* guards built, dirs and the counts */
        long written, kept;
        /* The build tree started empty (no spare tree was claimed): no file can be in
         * the way of one being written, so none is removed first. */
        bool fresh;
        /* Folders the build tree is known to have (made or found by this build), so that
         * a file in one is created at once: trying first and making the folders after,
         * and making each folder of the path again, cost three more lookups per file,
         * in folders that hold 100,000 entries on a large site. */
        struct dirs {
                char **slot; /* open addressing over the paths (owned); NULL empty */
                size_t n, nslots;
        } dirs;
};

/* ---- entries ---- */

static uint64_t hash_rel(const char *s)
{
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

static void entries_reindex(struct entries *t)
{
        if (t->cap > t->n + t->n / 8) { /* megabytes on a large site: no room to spare */
                t->cap = t->n ? t->n : 1;
                t->v = xrealloc(t->v, t->cap * sizeof *t->v);
        }
        free(t->slot);
        t->nslots = 64;
        while (t->nslots < 2 * t->n + 2)
                t->nslots *= 2;
        t->slot = xcalloc(t->nslots, sizeof *t->slot);
        for (size_t i = 0; i < t->n; i++) {
                size_t k = (size_t)hash_rel(t->v[i].rel) & (t->nslots - 1);
                while (t->slot[k])
                        k = (k + 1) & (t->nslots - 1);
                t->slot[k] = i + 1;
        }
}

/* The entry for rel, or NULL. Owned by t. */
static const struct entry *entries_find(const struct entries *t, const char *rel)
{
        if (!t->nslots)
                return NULL;
        size_t k = (size_t)hash_rel(rel) & (t->nslots - 1);
        for (; t->slot[k]; k = (k + 1) & (t->nslots - 1))
                if (!strcmp(t->v[t->slot[k] - 1].rel, rel))
                        return &t->v[t->slot[k] - 1];
        return NULL;
}

/* Appends e (taking e->rel). The hash table is rebuilt by entries_reindex. */
static void entries_add(struct entries *t, const struct entry *e)
{
        if (t->n == t->cap) {
                t->cap = t->cap ? 2 * t->cap : 256;
                t->v = xrealloc(t->v, t->cap * sizeof *t->v);
        }
        t->v[t->n++] = *e;
}

static void entries_free(struct entries *t)
{
        for (size_t i = 0; i < t->n; i++)
                free(t->v[i].rel);
        free(t->v);
        free(t->slot);
        memset(t, 0, sizeof *t);
}

/* ---- known folders ---- */

static uint64_t hash_bytes(const char *s, size_t n)
{
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
        return h;
}

/* The slot of the folder path (its first n bytes of s) in t: where it is, or the empty
 * slot where it would go. t has slots. */
static size_t dirs_slot(const struct dirs *t, const char *s, size_t n)
{
        size_t k = (size_t)hash_bytes(s, n) & (t->nslots - 1);
        for (; t->slot[k]; k = (k + 1) & (t->nslots - 1))
                if (!strncmp(t->slot[k], s, n) && !t->slot[k][n])
                        return k;
        return k;
}

/* True when the build tree is known to have the folder named by the first n bytes of
 * s. Caller holds the lock. */
static bool dirs_has(const struct dirs *t, const char *s, size_t n)
{
        return t->nslots && t->slot[dirs_slot(t, s, n)];
}

/* Notes that the build tree has the folder named by the first n bytes of s. Caller holds
 * the lock. */
static void dirs_add(struct dirs *t, const char *s, size_t n)
{
        if (2 * (t->n + 1) > t->nslots) { /* at most half full */
                struct dirs old = *t;
                t->nslots = old.nslots ? 2 * old.nslots : 256;
                t->slot = xcalloc(t->nslots, sizeof *t->slot);
                for (size_t k = 0; k < old.nslots; k++)
                        if (old.slot[k])
                                t->slot[dirs_slot(t, old.slot[k], strlen(old.slot[k]))] =
                                    old.slot[k];
                free(old.slot);
        }
        size_t k = dirs_slot(t, s, n);
        if (!t->slot[k]) {
                t->slot[k] = xstrndup(s, n);
                t->n++;
        }
}

static void dirs_free(struct dirs *t)
{
        for (size_t k = 0; k < t->nslots; k++)
                free(t->slot[k]);
        free(t->slot);
        memset(t, 0, sizeof *t);
}

/* ---- the manifest ---- */

static int64_t mtime_ns(const struct stat *st)
{
        return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* Reads a space-separated field of exactly n bytes at *p (advanced past it and its
 * space) into field (NUL-terminated). Returns 0 or -1. */
static int take_word(char **p, char *field, size_t n)
{
        char *sp = strchr(*p, ' ');
        if (!sp || (size_t)(sp - *p) > n)
                return -1;
        memcpy(field, *p, (size_t)(sp - *p));
        field[sp - *p] = '\0';
        *p = sp + 1;
        return 0;
}

/* Reads a decimal number and its space at *p (advanced). Returns 0 or -1. */
static int take_number(char **p, bool is_signed, int64_t *out)
{
        char *e;
        errno = 0;
        *out = is_signed ? (int64_t)strtoll(*p, &e, 10) : (int64_t)strtoull(*p, &e, 10);
        if (e == *p || *e != ' ' || errno)
                return -1;
        *p = e + 1;
        return 0;
}

/* One "F hash key size ino mtime rel" line (version 1: without the key) into e (rel
 * copied). Returns 0 or -1. By hand, not sscanf: a large site's manifest has tens of
 * thousands of these lines. */
static int parse_file_line(char *line, int version, struct entry *e)
{
        char hex[65], key[65] = "-";
        char *p = line + 2;
        int64_t size, ino, mtime;
        if (strncmp(line, "F ", 2) || take_word(&p, hex, 64) < 0 ||
            (version > 1 && take_word(&p, key, 64) < 0) || take_number(&p, true, &size) < 0 ||
            take_number(&p, false, &ino) < 0 || take_number(&p, true, &mtime) < 0)
                return -1;
        e->size = size;
        e->ino = (uint64_t)ino;
        e->mtime_ns = mtime;
        if (strlen(hex) != 64 || digest_unhex(hex, e->hash, 32) < 0 || !output_path_ok(p))
                return -1;
        if (strcmp(key, "-")) {
                if (strlen(key) != 64 || digest_unhex(key, e->key, 32) < 0)
                        return -1;
                e->keyed = true;
        }
        e->rel = xstrdup(p);
        return 0;
}

/* Reads the manifest: the published tree's files when the tree is the one it describes
 * (same inode), and the spare's file list when the spare is (spare_ino). Anything it
 * cannot read is simply not known: the build then writes everything. */
static void manifest_read(struct output *o, uint64_t spare_ino)
{
        struct diag *quiet = diag_new();
        struct buf b = {0};
        if (fsio_read(o->manifest, &b, quiet) < 0)
                goto out;
        char *s = (char *)buf_cstr(&b), *end = s + b.len, *line = s;
        uint64_t live = 0, prev = 0;
        int section = 0; /* 1: the published tree's files, 2: the spare's */
        int version = 0;
        bool ok = false;
        while (line < end) {
                char *nl = memchr(line, '\n', (size_t)(end - line));
                if (!nl)
                        break;
                *nl = '\0';
                if (line == s) {
                        version = !strcmp(line, MANIFEST_MAGIC)      ? 2
                                  : !strcmp(line, MANIFEST_MAGIC_V1) ? 1
                                                                     : 0;
                        ok = version > 0;
                        if (!ok)
                                break;
                } else if (section && line[0] == 'F') {
                        struct entry e = {0};
                        if (parse_file_line(line, version, &e) < 0) {
                                ok = false;
                                break;
                        }
                        entries_add(section == 1 ? &o->live : &o->previous, &e);
                } else if (sscanf(line, "live %" SCNu64, &live) == 1) {
                        section = live && live == o->live_ino ? 1 : 0;
                } else if (sscanf(line, "prev %" SCNu64, &prev) == 1) {
                        section = prev && prev == spare_ino ? 2 : 0;
                        o->previous_known = section == 2;
                } else if (section) {
                        ok = false; /* a line of neither kind */
                        break;
                }
                line = nl + 1;
        }
        if (!ok) {
                entries_free(&o->live);
                entries_free(&o->previous);
                o->previous_known = false;
        }
out:
        entries_reindex(&o->live);
        entries_reindex(&o->previous);
        buf_free(&b);
        diag_free(quiet);
}

static void put_hex(struct buf *b, const unsigned char *p)
{
        char hex[65];
        digest_hex(hex, p, 32);
        buf_put(b, hex, 64);
}

static void put_entry(struct buf *b, const struct entry *e)
{
        buf_puts(b, "F ");
        put_hex(b, e->hash);
        buf_putc(b, ' ');
        if (e->keyed)
                put_hex(b, e->key);
        else
                buf_putc(b, '-');
        buf_putc(b, ' ');
        buf_put_i64(b, e->size);
        buf_putc(b, ' ');
        buf_put_u64(b, e->ino);
        buf_putc(b, ' ');
        buf_put_i64(b, e->mtime_ns);
        buf_putc(b, ' ');
        buf_puts(b, e->rel);
        buf_putc(b, '\n');
}

/* Writes the manifest: the published tree (its inode and files) and the spare (its inode
 * and the files it holds: prev, plus more when given). Best effort: without a manifest the
 * next build writes everything. */
static void manifest_write(struct output *o, uint64_t live_ino, const struct entries *live,
                           uint64_t spare_ino, const struct entries *prev,
                           const struct entries *more)
{
        struct buf b = {0};
        buf_printf(&b, "%s\nlive %" PRIu64 "\n", MANIFEST_MAGIC, live_ino);
        for (size_t i = 0; i < live->n; i++)
                put_entry(&b, &live->v[i]);
        if (spare_ino) {
                buf_printf(&b, "prev %" PRIu64 "\n", spare_ino);
                for (size_t i = 0; i < prev->n; i++)
                        put_entry(&b, &prev->v[i]);
                for (size_t i = 0; more && i < more->n; i++)
                        put_entry(&b, &more->v[i]);
        }
        char *tmp = xasprintf("%s.tmp-%ld", o->manifest, (long)getpid());
        struct diag *quiet = diag_new();
        if (fsio_write(tmp, b.data, b.len, quiet) < 0 || rename(tmp, o->manifest) < 0)
                unlink(tmp);
        diag_free(quiet);
        free(tmp);
        buf_free(&b);
}

/* ---- folders ---- */

/* Splits "a/b/site" into parent "a/b" and name "site" (parent "." when none). */
static void split(const char *path, char **parent, char **name)
{
        char *p = xstrdup(path);
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
                p[--n] = '\0';
        char *slash = strrchr(p, '/');
        if (!slash) {
                *parent = xstrdup(".");
                *name = p;
                return;
        }
        *name = xstrdup(slash + 1);
        *slash = '\0';
        *parent = xstrdup(p[0] ? p : "/");
        free(p);
}

/* Removes ".NAME.tmp-PID" and ".NAME.old-PID" folders whose process is gone: what a
 * killed build leaves behind. */
static void sweep_stale(const char *parent, const char *name)
{
        DIR *dh = opendir(parent);
        if (!dh)
                return;
        char *tmp_prefix = xasprintf(".%s.tmp-", name), *old_prefix = xasprintf(".%s.old-", name);
        struct dirent *e;
        while ((e = readdir(dh))) {
                const char *rest = NULL;
                if (!strncmp(e->d_name, tmp_prefix, strlen(tmp_prefix)))
                        rest = e->d_name + strlen(tmp_prefix);
                else if (!strncmp(e->d_name, old_prefix, strlen(old_prefix)))
                        rest = e->d_name + strlen(old_prefix);
                if (!rest)
                        continue;
                long pid = strtol(rest, NULL, 10);
                if (pid > 0 && pid != getpid() && kill((pid_t)pid, 0) == 0)
                        continue; /* another build is running */
                char *path = xasprintf("%s/%s", parent, e->d_name);
                fsio_remove_tree(path);
                free(path);
        }
        closedir(dh);
        free(tmp_prefix);
        free(old_prefix);
}

/* The output folder is replaced whole: refuse anything that is not a folder a build
 * wrote (a file, or a non-empty folder without index.html and sitemap.xml, such as
 * content/), and a folder this user cannot replace. Returns 0, or -1 after reporting. */
static int refuse_target(const char *out_dir, struct diag *d)
{
        struct stat st;
        if (lstat(out_dir, &st) < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0; /* nothing to replace (creating it reports) */
                diag_error(d, out_dir, 0, 0, "cannot use the output folder: %s", strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                diag_error(d, out_dir, 0, 0,
                           "exists and is not a folder: the output folder is replaced whole, so "
                           "it is left alone; choose another --out");
                return -1;
        }
        DIR *dh = opendir(out_dir);
        int empty = 1;
        struct dirent *e;
        while (dh && empty && (e = readdir(dh)))
                empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
        if (dh)
                closedir(dh);
        char *index = xasprintf("%s/index.html", out_dir);
        char *map = xasprintf("%s/sitemap.xml", out_dir);
        int site = access(index, F_OK) == 0 && access(map, F_OK) == 0;
        free(index);
        free(map);
        if (!empty && !site) {
                diag_error(d, out_dir, 0, 0,
                           "is not a site gen built (no index.html and sitemap.xml): the output "
                           "folder is replaced whole, so it is left alone; choose another --out");
                return -1;
        }
        /* the previous site becomes the next build's spare tree: it must stay writable */
        if (faccessat(AT_FDCWD, out_dir, W_OK | X_OK, AT_EACCESS) < 0) {
                diag_error(d, out_dir, 0, 0, "cannot replace the output folder: %s",
                           strerror(errno));
                return -1;
        }
        return 0;
}

static uint64_t ino_of_fd(int fd)
{
        struct stat st;
        return fd >= 0 && fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Claims the spare tree as the build folder (one rename, so two builds never share it).
 * Returns its inode, or 0 when there is none to use (then the build folder is new). */
static uint64_t claim_spare(struct output *o)
{
        struct stat st;
        if (lstat(o->spare, &st) < 0)
                return 0;
        if (!S_ISDIR(st.st_mode) || faccessat(AT_FDCWD, o->spare, W_OK | X_OK, AT_EACCESS) < 0 ||
            rename(o->spare, o->tmp) < 0) {
                fsio_remove_tree(o->spare);
                return 0;
        }
        return (uint64_t)st.st_ino;
}

struct output *output_begin(const char *out_dir, struct diag *d)
{
        char *parent, *name;
        split(out_dir, &parent, &name);
        struct output *o = NULL;
        if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "/")) {
                diag_error(d, out_dir, 0, 0, "the output folder must have a name of its own");
                goto out;
        }
        if (refuse_target(out_dir, d) < 0)
                goto out;
        if (fsio_mkdirs(parent) < 0) {
                diag_error(d, parent, 0, 0, "cannot create folder: %s", strerror(errno));
                goto out;
        }
        sweep_stale(parent, name);
        o = xcalloc(1, sizeof *o);
        pthread_mutex_init(&o->lock, NULL);
        o->wfd = o->livefd = -1;
        o->final = xstrdup(out_dir);
        o->tmp = xasprintf("%s/.%s.tmp-%ld", parent, name, (long)getpid());
        o->spare = xasprintf("%s/.%s.prev", parent, name);
        o->manifest = xasprintf("%s/.%s.manifest", parent, name);
        o->livefd = open(out_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        o->live_ino = ino_of_fd(o->livefd);
        fsio_remove_tree(o->tmp);
        uint64_t spare_ino = claim_spare(o);
        manifest_read(o, spare_ino);
        /* this build writes about as many files as the last one published */
        o->built.cap = o->live.n;
        o->built.v = xrealloc(o->built.v, (o->built.cap ? o->built.cap : 1) * sizeof *o->built.v);
        if (spare_ino && !o->previous_known) {
                /* a spare whose files are not known cannot be trusted to hold only ours */
                fsio_remove_tree(o->tmp);
                spare_ino = 0;
        }
        o->fresh = !spare_ino;
        if (!spare_ino && mkdir(o->tmp, 0755) < 0) {
                diag_error(d, out_dir, 0, 0, "cannot create the build folder %s: %s", o->tmp,
                           strerror(errno));
                output_abort(o);
                o = NULL;
                goto out;
        }
        o->wfd = open(o->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        o->tmp_ino = ino_of_fd(o->wfd);
        if (o->wfd < 0) {
                diag_error(d, out_dir, 0, 0, "cannot open the build folder %s: %s", o->tmp,
                           strerror(errno));
                output_abort(o);
                o = NULL;
        }
out:
        free(parent);
        free(name);
        return o;
}

const char *output_path(const struct output *o)
{
        return o->tmp;
}

bool output_path_ok(const char *rel)
{
        if (!rel[0] || rel[0] == '/')
                return false;
        const char *seg = rel;
        for (const char *p = rel;; p++) {
                if (((unsigned char)*p < 0x20 && *p) || *p == 0x7F)
                        return false;
                if (*p == '\\')
                        return false;
                if (*p == '/' || !*p) {
                        size_t n = (size_t)(p - seg);
                        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
                                return false;
                        if (n == 0) /* "a//b" or "a/": no file name */
                                return false;
                        if (!*p)
                                break;
                        seg = p + 1;
                }
        }
        return true;
}

/* True when the build tree is known to have rel's folder (a top-level file's is the
 * tree itself). */
static bool parent_known(struct output *o, const char *rel)
{
        const char *slash = strrchr(rel, '/');
        if (!slash)
                return true;
        pthread_mutex_lock(&o->lock);
        bool known = dirs_has(&o->dirs, rel, (size_t)(slash - rel));
        pthread_mutex_unlock(&o->lock);
        return known;
}

/* Makes rel's parent folders in the build tree (those not known to be there); a file
 * left where a folder must now be (by an older build) is removed. Returns 0 or -1 (errno
 * set). */
static int make_parents(struct output *o, const char *rel)
{
        char *p = xstrdup(rel);
        int rc = 0;
        for (char *s = strchr(p, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
                pthread_mutex_lock(&o->lock);
                bool known = dirs_has(&o->dirs, p, (size_t)(s - p));
                pthread_mutex_unlock(&o->lock);
                if (known)
                        continue;
                *s = '\0';
                struct stat st;
                if (mkdirat(o->wfd, p, 0755) < 0) {
                        if (errno != EEXIST)
                                rc = -1;
                        else if (fstatat(o->wfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                 !S_ISDIR(st.st_mode) &&
                                 (unlinkat(o->wfd, p, 0) < 0 || mkdirat(o->wfd, p, 0755) < 0))
                                rc = -1;
                }
                if (rc == 0) {
                        pthread_mutex_lock(&o->lock);
                        dirs_add(&o->dirs, p, strlen(p));
                        pthread_mutex_unlock(&o->lock);
                }
                *s = '/';
        }
        free(p);
        return rc;
}

/* Removes whatever the build tree has at rel (a file, or a folder an older build left
 * where a file must now be). */
static void clear_path(struct output *o, const char *rel)
{
        if (unlinkat(o->wfd, rel, 0) == 0 || errno == ENOENT || errno == ENOTDIR)
                return;
        if (errno == EISDIR || errno == EPERM) {
                char *path = xasprintf("%s/%s", o->tmp, rel);
                fsio_remove_tree(path);
                free(path);
        }
}

/* Reports errno for rel in the build folder. Returns -1. */
static int write_error(struct output *o, const char *rel, struct diag *d)
{
        char *path = xasprintf("%s/%s", o->tmp, rel);
        diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
        free(path);
        return -1;
}

/* Creates rel in the build tree for writing. Returns the descriptor, or -1 (errno set). */
static int create_at(struct output *o, const char *rel)
{
        return openat(o->wfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
}

/* Writes data to rel as a new file (its old name unlinked first: it may be a link shared
 * with the published tree). Fills e's inode and mtime. Returns 0, or -1 after reporting. */
static int write_new(struct output *o, const char *rel, const void *data, size_t len,
                     struct entry *e, struct diag *d)
{
        /* in a fresh tree nothing is in the way, and a folder not yet known is not there */
        if (!o->fresh)
                clear_path(o, rel);
        else if (!parent_known(o, rel) && make_parents(o, rel) < 0)
                return write_error(o, rel, d);
        int fd = create_at(o, rel);
        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && make_parents(o, rel) == 0)
                fd = create_at(o, rel);
        if (fd < 0 && errno == EEXIST && o->fresh) { /* this build wrote rel before */
                clear_path(o, rel);
                fd = create_at(o, rel);
        }
        if (fd < 0)
                return write_error(o, rel, d);
        if (fsio_write_fd(fd, data, len) < 0) {
                write_error(o, rel, d);
                close(fd);
                return -1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0) {
                write_error(o, rel, d);
                close(fd);
                return -1;
        }
        if (close(fd) < 0)
                return write_error(o, rel, d);
        e->ino = (uint64_t)st.st_ino;
        e->mtime_ns = mtime_ns(&st);
        return 0;
}

/* True when the published file rel is still the one its entry l records (inode, size and
 * mtime): a file edited or replaced by hand is not trusted. */
static bool live_unchanged(struct output *o, const struct entry *l, const char *rel)
{
        struct stat ls;
        return fstatat(o->livefd, rel, &ls, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(ls.st_mode) &&
               (uint64_t)ls.st_ino == l->ino && ls.st_size == l->size &&
               mtime_ns(&ls) == l->mtime_ns;
}

/* Makes the build tree's rel the published file l: already the same inode, or a new hard
 * link to it. Fills e's inode and mtime. Returns 1 when done, 0 when rel must be written. */
static int link_published(struct output *o, const char *rel, const struct entry *l, struct entry *e)
{
        struct stat ws;
        e->ino = l->ino;
        e->mtime_ns = l->mtime_ns;
        if (fstatat(o->wfd, rel, &ws, AT_SYMLINK_NOFOLLOW) == 0 && (uint64_t)ws.st_ino == l->ino)
                return 1;
        clear_path(o, rel);
        if (linkat(o->livefd, rel, o->wfd, rel, 0) == 0)
                return 1;
        if (errno == ENOENT && make_parents(o, rel) == 0 &&
            linkat(o->livefd, rel, o->wfd, rel, 0) == 0)
                return 1;
        return 0; /* no hard links here (another file system type): write it */
}

/* When the published tree holds rel with exactly these bytes (hash and size recorded, and
 * the file still the one recorded), makes the build tree's rel that same file. Fills e.
 * Returns 1 when kept, 0 when rel must be written. */
static int keep_published(struct output *o, const char *rel, size_t len, struct entry *e)
{
        const struct entry *l = entries_find(&o->live, rel);
        if (!l || l->size != (int64_t)len || memcmp(l->hash, e->hash, 32) ||
            !live_unchanged(o, l, rel))
                return 0;
        return link_published(o, rel, l, e);
}

/* Records e (taking e->rel) as part of the new build. */
static void built_add(struct output *o, struct entry *e, int kept)
{
        pthread_mutex_lock(&o->lock);
        entries_add(&o->built, e);
        if (kept)
                o->kept++;
        else
                o->written++;
        pthread_mutex_unlock(&o->lock);
}

/* output_write and output_write_key: key may be NULL. */
static int write_entry(struct output *o, const char *rel, const void *data, size_t len,
                       const unsigned char *key, struct diag *d)
{
        if (!output_path_ok(rel)) {
                diag_error(d, rel, 0, 0, "refusing to write outside the output folder");
                return -1;
        }
        struct entry e = {.size = (int64_t)len};
        digest_sha256(e.hash, data, len);
        if (key) {
                memcpy(e.key, key, 32);
                e.keyed = true;
        }
        int kept = keep_published(o, rel, len, &e);
        if (!kept && write_new(o, rel, data, len, &e, d) < 0)
                return -1;
        e.rel = xstrdup(rel);
        built_add(o, &e, kept);
        return 0;
}

int output_write(struct output *o, const char *rel, const void *data, size_t len, struct diag *d)
{
        return write_entry(o, rel, data, len, NULL, d);
}

int output_write_key(struct output *o, const char *rel, const void *data, size_t len,
                     const unsigned char key[32], struct diag *d)
{
        return write_entry(o, rel, data, len, key, d);
}

/* The published file rel's entry when it was written with key and is still as written,
 * else NULL. Owned by o. */
static const struct entry *keyed_live(struct output *o, const char *rel,
                                      const unsigned char key[32])
{
        if (!output_path_ok(rel))
                return NULL; /* output_write_key reports it */
        const struct entry *l = entries_find(&o->live, rel);
        if (!l || !l->keyed || memcmp(l->key, key, 32) || !live_unchanged(o, l, rel))
                return NULL;
        return l;
}

bool output_can_keep(struct output *o, const char *rel, const unsigned char key[32])
{
        return keyed_live(o, rel, key) != NULL;
}

int output_read_live(struct output *o, const char *rel, struct buf *out)
{
        if (o->livefd < 0 || !output_path_ok(rel))
                return -1;
        int fd = openat(o->livefd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -1;
        int rc = -1;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FSIO_MAX_BYTES)
                goto out;
        size_t start = out->len, want = (size_t)st.st_size;
        buf_grow(out, want);
        while (out->len - start < want) {
                ssize_t r = read(fd, out->data + out->len, want - (out->len - start));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                out->len += (size_t)r;
        }
        out->data[out->len] = '\0';
        rc = out->len - start == want ? 0 : -1;
out:
        close(fd);
        return rc;
}

/* Makes the published file l part of the new build as it is. Returns false when it
 * must be written instead. */
static bool keep_live(struct output *o, const struct entry *l)
{
        struct entry e = *l;
        if (!link_published(o, l->rel, l, &e))
                return false;
        e.rel = xstrdup(l->rel);
        built_add(o, &e, 1);
        return true;
}

bool output_keep(struct output *o, const char *rel, const unsigned char key[32])
{
        const struct entry *l = keyed_live(o, rel, key);
        return l && keep_live(o, l);
}

int output_keep_unwritten(struct output *o)
{
        if (!o->live.n)
                return -1; /* nothing published, or not known */
        entries_reindex(&o->built);
        size_t n = o->built.n; /* the files written so far: the table holds only them */
        for (size_t i = 0; i < o->live.n; i++) {
                const struct entry *l = &o->live.v[i];
                if (n && entries_find(&o->built, l->rel))
                        continue;
                if (!live_unchanged(o, l, l->rel) || !keep_live(o, l))
                        return -1;
        }
        return 0;
}

void output_counts(const struct output *o, long *written, long *kept)
{
        *written = o->written;
        *kept = o->kept;
}

static int cmp_rel_desc(const void *a, const void *b)
{
        return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Removes from the build tree what the spare held and this build did not write, then the
 * folders that became empty (deepest first). */
static void remove_leftovers(struct output *o)
{
        entries_reindex(&o->built);
        size_t n = 0;
        char **dirs = NULL;
        for (size_t i = 0; i < o->previous.n; i++) {
                const char *rel = o->previous.v[i].rel;
                if (entries_find(&o->built, rel))
                        continue;
                unlinkat(o->wfd, rel, 0);
                for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
                        dirs = xrealloc(dirs, (n + 1) * sizeof *dirs);
                        dirs[n++] = xstrndup(rel, (size_t)(s - rel));
                }
        }
        if (n) /* "a/b" sorts after "a": removed first */
                qsort(dirs, n, sizeof *dirs, cmp_rel_desc);
        for (size_t i = 0; i < n; i++) {
                if (i == 0 || strcmp(dirs[i], dirs[i - 1]))
                        unlinkat(o->wfd, dirs[i], AT_REMOVEDIR); /* fails while not empty */
                free(dirs[i]);
        }
        free(dirs);
}

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const struct entry *)a)->rel, ((const struct entry *)b)->rel);
}

/* Frees o; the folders stay as they are. */
static void output_free(struct output *o)
{
        if (o->wfd >= 0)
                close(o->wfd);
        if (o->livefd >= 0)
                close(o->livefd);
        entries_free(&o->live);
        entries_free(&o->previous);
        entries_free(&o->built);
        dirs_free(&o->dirs);
        pthread_mutex_destroy(&o->lock);
        free(o->final);
        free(o->tmp);
        free(o->spare);
        free(o->manifest);
        free(o);
}

int output_commit(struct output *o, struct diag *d)
{
        int rc = 0;
        remove_leftovers(o);
        /* the manifest lists files in one order whatever the threads did */
        if (o->built.n)
                qsort(o->built.v, o->built.n, sizeof *o->built.v, cmp_entry);
        struct stat st;
        bool had_site = !(lstat(o->final, &st) < 0 && errno == ENOENT);
        if (!had_site) {
                if (rename(o->tmp, o->final) < 0) {
                        diag_error(d, o->final, 0, 0, "cannot publish the build: %s",
                                   strerror(errno));
                        rc = -1;
                }
        } else if (syscall(SYS_renameat2, AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) <
                   0) {
                diag_error(d, o->final, 0, 0, "cannot swap in the new build: %s", strerror(errno));
                rc = -1;
        }
        if (rc < 0) {
                output_abort(o);
                return rc;
        }
        /* o->tmp now holds the previous site (if any): it becomes the spare when it is the
         * tree the manifest described (its files known), else it is removed. */
        uint64_t spare_ino = 0;
        if (had_site) {
                struct stat ts;
                bool known = o->live_ino && o->live.n && lstat(o->tmp, &ts) == 0 &&
                             (uint64_t)ts.st_ino == o->live_ino;
                fsio_remove_tree(o->spare);
                if (known && rename(o->tmp, o->spare) == 0)
                        spare_ino = o->live_ino;
                else
                        fsio_remove_tree(o->tmp);
        }
        manifest_write(o, o->tmp_ino, &o->built, spare_ino, &o->live, NULL);
        output_free(o);
        return 0;
}

void output_abort(struct output *o)
{
        if (!o)
                return;
        /* The unfinished tree goes back as the spare (the published site is untouched), so
         * that the next build need not start from nothing; it holds the spare's files plus
         * what this build wrote. */
        struct stat st;
        if (o->wfd >= 0 && lstat(o->spare, &st) < 0 && errno == ENOENT &&
            rename(o->tmp, o->spare) == 0)
                manifest_write(o, o->live_ino, &o->live, o->tmp_ino, &o->previous, &o->built);
        else
                fsio_remove_tree(o->tmp);
        output_free(o);
}
