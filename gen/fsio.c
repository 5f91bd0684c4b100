/* fsio: file system access. */
#include "fsio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads fd to its end into out: into the room out has while there is some, then
 * through a small chunk, so that the end of a file of exactly the size fstat gave is
 * found without growing. Returns 0, or -1 after reporting. */
static int read_all(int fd, struct buf *out, const char *path, struct diag *d)
{
        char chunk[4096];
        for (;;) {
                size_t room = out->cap - out->len - 1;
                ssize_t n =
                    read(fd, room ? out->data + out->len : chunk, room ? room : sizeof chunk);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
                        return -1;
                }
                if (n == 0)
                        return 0;
                if (out->len + (size_t)n > (size_t)FSIO_MAX_BYTES) { /* it grew while read */
                        diag_error(d, path, 0, 0, "cannot read: larger than %ld MB",
                                   FSIO_MAX_BYTES >> 20);
                        return -1;
                }
                if (!room) {
                        buf_put(out, chunk, (size_t)n);
                        continue;
                }
                out->len += (size_t)n;
                out->data[out->len] = '\0';
        }
}

int fsio_read(const char *path, struct buf *out, struct diag *d)
{
        buf_reset(out);
        /* O_NOFOLLOW: a link is refused, not read through; O_NONBLOCK: opening a FIFO
         * does not wait for a writer (it is then refused as not a regular file). */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ELOOP)
                        diag_error(d, path, 0, 0,
                                   "cannot read: a symbolic link (links are not followed; copy "
                                   "the file instead)");
                else
                        diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
                return -1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0) {
                diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
                close(fd);
                return -1;
        }
        if (!S_ISREG(st.st_mode)) {
                diag_error(d, path, 0, 0, "cannot read: %s",
                           S_ISDIR(st.st_mode) ? "a folder, not a file"
                                               : "not a regular file (a FIFO, socket or device)");
                close(fd);
                return -1;
        }
        if (st.st_size > FSIO_MAX_BYTES) {
                diag_error(d, path, 0, 0, "cannot read: larger than %ld MB", FSIO_MAX_BYTES >> 20);
                close(fd);
                return -1;
        }
        /* Room for exactly the file and its NUL: most files are a few kilobytes, and a
         * 64 KB margin on each read only made every buffer a large block for malloc to
         * carve and merge back. A file that grows while it is read gets more room. */
        if (out->cap < (size_t)st.st_size + 1) {
                out->data = xrealloc(out->data, (size_t)st.st_size + 1);
                out->cap = (size_t)st.st_size + 1;
        }
        out->data[0] = '\0';
        int rc = read_all(fd, out, path, d);
        close(fd);
        return rc;
}

bool fsio_is_dir(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_json_strings(const void *a, const void *b)
{
        return strcmp(json_string_value(*(json_t *const *)a),
                      json_string_value(*(json_t *const *)b));
}

static int ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && !strcmp(s + n - m, suffix);
}

bool fsio_has_control(const char *name)
{
        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
                if (*p < 0x20 || *p == 0x7F)
                        return true;
        return false;
}

char *fsio_printable(const char *path)
{
        char *s = xstrdup(path);
        for (unsigned char *p = (unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7F)
                        *p = '?';
        return s;
}

/* The type of directory entry e (at path) in st->st_mode: from readdir when the file
 * system gives it, which spares a 10,000-article walk as many lstat calls; else lstat. */
static int entry_stat(const struct dirent *e, const char *path, struct stat *st)
{
        switch (e->d_type) {
        case DT_REG:
                st->st_mode = S_IFREG;
                return 0;
        case DT_DIR:
                st->st_mode = S_IFDIR;
                return 0;
        case DT_LNK:
                st->st_mode = S_IFLNK;
                return 0;
        default:
                return lstat(path, st);
        }
}

static int list_into(const char *dir, const char *suffix, json_t *out, int depth, struct diag *d)
{
        if (depth > FSIO_MAX_DEPTH) {
                diag_error(d, dir, 0, 0, "folders nested deeper than %d levels", FSIO_MAX_DEPTH);
                return -1;
        }
        DIR *dh = opendir(dir);
        if (!dh) {
                diag_error(d, dir, 0, 0, "cannot open folder: %s", strerror(errno));
                return -1;
        }
        int rc = 0;
        struct dirent *e;
        while ((e = readdir(dh))) {
                if (e->d_name[0] == '.')
                        continue;
                char *path = xasprintf("%s/%s", dir, e->d_name);
                struct stat st;
                if (fsio_has_control(e->d_name)) {
                        char *shown = fsio_printable(path);
                        diag_error(d, shown, 0, 0,
                                   "a file name with a control character (a line break?): "
                                   "rename it");
                        free(shown);
                        rc = -1;
                } else if (entry_stat(e, path, &st) < 0) {
                        diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
                        rc = -1;
                } else if (S_ISLNK(st.st_mode)) {
                        diag_error(d, path, 0, 0,
                                   "symbolic links are not followed; copy the file instead");
                        rc = -1;
                } else if (S_ISDIR(st.st_mode)) {
                        if (list_into(path, suffix, out, depth + 1, d) < 0)
                                rc = -1;
                } else if (S_ISREG(st.st_mode) && ends_with(e->d_name, suffix)) {
                        json_t *name = json_string(path); /* NULL unless valid UTF-8 */
                        if (name) {
                                json_array_append_new(out, name);
                        } else {
                                diag_error(d, path, 0, 0,
                                           "a file name that is not UTF-8: rename it (it would "
                                           "be left out)");
                                rc = -1;
                        }
                } else if (!S_ISREG(st.st_mode) && ends_with(e->d_name, suffix)) {
                        diag_error(d, path, 0, 0,
                                   "not a regular file or folder (a FIFO, socket or device)");
                        rc = -1;
                }
                free(path);
        }
        closedir(dh);
        return rc;
}

json_t *fsio_list(const char *dir, const char *suffix, struct diag *d)
{
        json_t *out = json_array();
        struct stat st;
        if (lstat(dir, &st) < 0) {
                if (errno == ENOENT)
                        return out;
                diag_error(d, dir, 0, 0, "cannot open folder: %s", strerror(errno));
                json_decref(out);
                return NULL;
        }
        if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
                diag_error(d, dir, 0, 0, "%s",
                           S_ISLNK(st.st_mode)
                               ? "symbolic links are not followed; use the folder itself"
                               : "not a folder");
                json_decref(out);
                return NULL;
        }
        if (list_into(dir, suffix, out, 0, d) < 0) {
                json_decref(out);
                return NULL;
        }
        /* Sort in place through jansson's array storage via a copy: jansson has no sort. */
        size_t n = json_array_size(out);
        json_t **items = xmalloc((n ? n : 1) * sizeof *items);
        for (size_t i = 0; i < n; i++)
                items[i] = json_incref(json_array_get(out, i));
        qsort(items, n, sizeof *items, cmp_json_strings);
        json_array_clear(out);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(out, items[i]);
        free(items);
        return out;
}

int fsio_mkdirs(const char *path)
{
        char *p = xstrdup(path);
        int rc = 0;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                        rc = -1;
                        break;
                }
                *s = '/';
        }
        if (rc == 0 && mkdir(p, 0755) < 0 && errno != EEXIST)
                rc = -1;
        free(p);
        return rc;
}

static int mkparent(const char *path)
{
        char *p = xstrdup(path);
        char *slash = strrchr(p, '/');
        int rc = 0;
        if (slash && slash != p) {
                *slash = '\0';
                rc = fsio_mkdirs(p);
        }
        free(p);
        return rc;
}

int fsio_write_fd(int fd, const void *data, size_t len)
{
        const char *p = data;
        while (len) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -1;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int fsio_write(const char *path, const void *data, size_t len, struct diag *d)
{
        if (mkparent(path) < 0) {
                diag_error(d, path, 0, 0, "cannot create folder: %s", strerror(errno));
                return -1;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
                diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
                return -1;
        }
        if (fsio_write_fd(fd, data, len) < 0) {
                diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
                close(fd);
                return -1;
        }
        if (close(fd) < 0) {
                diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
                return -1;
        }
        return 0;
}

int fsio_copy_tree(const char *src, const char *dst, struct diag *d)
{
        json_t *files = fsio_list(src, "", d);
        if (!files)
                return -1;
        int rc = 0;
        size_t n = strlen(src);
        struct buf data = {0};
        size_t i;
        json_t *v;
        json_array_foreach(files, i, v)
        {
                const char *path = json_string_value(v);
                char *to = xasprintf("%s%s", dst, path + n);
                if (fsio_read(path, &data, d) < 0 || fsio_write(to, data.data, data.len, d) < 0)
                        rc = -1;
                free(to);
                if (rc < 0)
                        break;
        }
        buf_free(&data);
        json_decref(files);
        return rc;
}

/* Removes everything inside the directory dirfd (which it closes), working relative to
 * it with unlinkat so that no path is rebuilt and no entry is looked up twice. */
static int remove_inside(int dirfd, int depth)
{
        DIR *dh = fdopendir(dirfd);
        if (!dh) {
                close(dirfd);
                return -1;
        }
        int rc = 0;
        struct dirent *e;
        while ((e = readdir(dh))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                        continue;
                int is_dir = e->d_type == DT_DIR;
                if (e->d_type == DT_UNKNOWN) {
                        struct stat st;
                        is_dir = fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                 S_ISDIR(st.st_mode);
                }
                if (!is_dir) {
                        if (unlinkat(dirfd, e->d_name, 0) < 0 && errno != ENOENT)
                                rc = -1;
                        continue;
                }
                int sub =
                    depth < 4 * FSIO_MAX_DEPTH
                        ? openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                        : -1;
                if (sub < 0 || remove_inside(sub, depth + 1) < 0 ||
                    unlinkat(dirfd, e->d_name, AT_REMOVEDIR) < 0)
                        rc = -1;
        }
        closedir(dh);
        return rc;
}

int fsio_remove_tree(const char *path)
{
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -1;
        if (!S_ISDIR(st.st_mode))
                return unlink(path);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -1;
        int rc = remove_inside(fd, 0);
        if (rmdir(path) < 0)
                rc = -1;
        return rc;
}
