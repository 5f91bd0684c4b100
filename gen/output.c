/* output: atomic build folder. */
#include "output.h"
#include "fsio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

struct output {
        char *final; /* the published folder, e.g. "site" */
        char *tmp;   /* ".site.tmp-PID" beside it */
};

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
 * content/). Returns 0, or -1 after reporting. */
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
        return 0;
}

struct output *output_begin(const char *out_dir, struct diag *d)
{
        char *parent, *name;
        split(out_dir, &parent, &name);
        if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "/")) {
                diag_error(d, out_dir, 0, 0, "the output folder must have a name of its own");
                free(parent);
                free(name);
                return NULL;
        }
        if (refuse_target(out_dir, d) < 0) {
                free(parent);
                free(name);
                return NULL;
        }
        if (fsio_mkdirs(parent) < 0) {
                diag_error(d, parent, 0, 0, "cannot create folder: %s", strerror(errno));
                free(parent);
                free(name);
                return NULL;
        }
        sweep_stale(parent, name);
        struct output *o = xcalloc(1, sizeof *o);
        o->final = xstrdup(out_dir);
        o->tmp = xasprintf("%s/.%s.tmp-%ld", parent, name, (long)getpid());
        free(parent);
        free(name);
        fsio_remove_tree(o->tmp);
        if (mkdir(o->tmp, 0755) < 0) {
                diag_error(d, out_dir, 0, 0, "cannot create the build folder %s: %s", o->tmp,
                           strerror(errno));
                output_abort(o);
                return NULL;
        }
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

int output_write(struct output *o, const char *rel, const void *data, size_t len, struct diag *d)
{
        if (!output_path_ok(rel)) {
                diag_error(d, rel, 0, 0, "refusing to write outside the output folder");
                return -1;
        }
        char *path = xasprintf("%s/%s", o->tmp, rel);
        int rc = fsio_write(path, data, len, d);
        free(path);
        return rc;
}

int output_commit(struct output *o, struct diag *d)
{
        int rc = 0;
        struct stat st;
        if (lstat(o->final, &st) < 0 && errno == ENOENT) {
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
        /* After the exchange o->tmp holds the previous site; either way it goes. */
        fsio_remove_tree(o->tmp);
        free(o->final);
        free(o->tmp);
        free(o);
        return rc;
}

void output_abort(struct output *o)
{
        if (!o)
                return;
        fsio_remove_tree(o->tmp);
        free(o->final);
        free(o->tmp);
        free(o);
}
