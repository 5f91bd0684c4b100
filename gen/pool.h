/* pool: runs one function over the indices 0..n-1 on a few threads. Work is handed out
 * one index at a time from a shared counter, so uneven items balance themselves. */
#ifndef GONGBAO_POOL_H
#define GONGBAO_POOL_H

#include "buf.h"

#include <stddef.h>

/* The number of online CPUs (at least 1): the default for --jobs. */
int pool_default_jobs(void);

/* Calls fn(arg, i) for every i in 0..n-1 on up to jobs threads (jobs <= 1: on this
 * thread, in order). Every index runs even when some fail. Returns 0, or -1 when any call
 * returned -1. fn must be safe to run concurrently with itself. */
int pool_run(int jobs, size_t n, int (*fn)(void *arg, size_t i), void *arg) WUR;

#endif
