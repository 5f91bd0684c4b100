/* diag: collects `path:line:col: error: message` diagnostics.
 * Every module reports through a struct diag instead of printing; main prints them.
 * Safe to use from several threads at once. */
#ifndef GONGBAO_DIAG_H
#define GONGBAO_DIAG_H

#include <stdio.h>

enum diag_level { DIAG_WARNING, DIAG_ERROR };

struct diag;

/* Returns a new, empty collection. Caller frees with diag_free. */
struct diag *diag_new(void);
void diag_free(struct diag *d);

/* Records one diagnostic. path may be NULL (a whole-program problem); line and col are
 * 1-based, 0 when unknown (then left out of the message). */
void diag_error(struct diag *d, const char *path, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_warn(struct diag *d, const char *path, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

int diag_errors(const struct diag *d);
int diag_warnings(const struct diag *d);

/* Writes every diagnostic recorded so far to f, sorted by path, line and column so the
 * output does not depend on the order in which threads reported them, then forgets them. */
void diag_flush(struct diag *d, FILE *f);

/* Moves the messages of src into dst (used to test a block of work in isolation). */
void diag_merge(struct diag *dst, struct diag *src);

#endif
