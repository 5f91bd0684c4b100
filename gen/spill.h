/* spill: strings parked outside memory between two steps of a build. The article bodies
 * are all rendered before the first article page is written (every page shows other
 * articles' summaries), and held in memory they would make a build's memory grow with
 * the site. They are written instead to an unnamed temporary file (O_TMPFILE: it has no
 * name, so nothing appears anywhere and the kernel drops it when the build ends, even a
 * killed one) and read back once when their page is written. Without such a file
 * (checking, or a file system without O_TMPFILE) they stay in memory. */
#ifndef GONGBAO_SPILL_H
#define GONGBAO_SPILL_H

#include <stddef.h>

struct spill;

/* A store for n strings, in an unnamed file in folder dir (NULL: in memory). Caller frees
 * with spill_free. */
struct spill *spill_new(const char *dir, size_t n);
void spill_free(struct spill *s);

/* Parks string i (taking s; NULL is an empty string); what cannot be written (a full
 * disk) stays in memory. Safe from several threads for different i. Returns 0. */
int spill_put(struct spill *sp, size_t i, char *s);

/* String i, removed from the store. Caller frees. "" when it was never put; NULL when it
 * cannot be read back (errno says why). */
char *spill_take(struct spill *sp, size_t i);

#endif
