/* check: the smallest test harness. Each CHECK prints "PASS name" or "FAIL name: where";
 * tests/run.sh counts those lines. A unit test program returns check_exit(). */
#ifndef GONGBAO_CHECK_H
#define GONGBAO_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond, name)                                                                          \
        do {                                                                                       \
                if (cond)                                                                          \
                        printf("PASS %s\n", (name));                                               \
                else {                                                                             \
                        printf("FAIL %s: %s:%d: %s\n", (name), __FILE__, __LINE__, #cond);         \
                        check_failures++;                                                          \
                }                                                                                  \
        } while (0)

/* Compares two strings and shows both when they differ. */
#define CHECK_STR(got, want, name)                                                                 \
        do {                                                                                       \
                const char *g_ = (got), *w_ = (want);                                              \
                if (g_ && w_ && !strcmp(g_, w_))                                                   \
                        printf("PASS %s\n", (name));                                               \
                else {                                                                             \
                        printf("FAIL %s: %s:%d:\n  got:  %s\n  want: %s\n", (name), __FILE__,      \
                               __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                  \
                        check_failures++;                                                          \
                }                                                                                  \
        } while (0)

static inline int check_exit(void)
{
        return check_failures ? 1 : 0;
}

#endif
