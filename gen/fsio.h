/* fsio: reading files, walking folders, writing and copying, removing trees.
 * Symbolic links are never followed while walking or copying, so nothing outside the
 * tree is read or published through a link, and a link loop cannot recurse. */
#ifndef GONGBAO_FSIO_H
#define GONGBAO_FSIO_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stdbool.h>

#define FSIO_MAX_DEPTH 32
#define FSIO_MAX_BYTES (1L << 30) /* the largest file fsio_read reads */

/* Reads the whole regular file into out (replacing its contents). A symbolic link, a
 * folder, a FIFO or device, or a file larger than FSIO_MAX_BYTES is refused. Returns 0, or
 * -1 after reporting. */
int fsio_read(const char *path, struct buf *out, struct diag *d) WUR;

/* True when path exists and is a directory (links not followed). */
bool fsio_is_dir(const char *path);

/* Lists the regular files below dir whose names end in suffix ("" for all), recursively,
 * as paths starting with dir, sorted bytewise. Hidden entries (".x") are skipped; a
 * symbolic link, or a FIFO, socket or device whose name ends in suffix, is reported as an
 * error. Returns a new json array (caller decrefs), or
 * NULL after reporting (a missing dir gives an empty array). */
json_t *fsio_list(const char *dir, const char *suffix, struct diag *d);

/* True when name holds a control character (a line break would split a message). */
bool fsio_has_control(const char *name);
/* A copy of path with control characters shown as '?', for messages. Caller frees. */
char *fsio_printable(const char *path);

/* Creates path and its missing parents (mode 0755). Returns 0 or -1 (errno set). */
int fsio_mkdirs(const char *path) WUR;

/* Writes len bytes to path, creating parent folders. Returns 0, or -1 after reporting. */
int fsio_write(const char *path, const void *data, size_t len, struct diag *d) WUR;
/* Writes all len bytes to fd (retrying short writes). Returns 0, or -1 with errno set. */
int fsio_write_fd(int fd, const void *data, size_t len) WUR;

/* Copies every regular file below src to the same place below dst (src may be missing).
 * Returns 0, or -1 after reporting. */
int fsio_copy_tree(const char *src, const char *dst, struct diag *d) WUR;

/* Removes path and everything below it (links themselves, never their targets).
 * Returns 0 or -1. */
int fsio_remove_tree(const char *path);

#endif
