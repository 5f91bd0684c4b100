/* pool: a minimal pthread work pool. */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define POOL_MAX_THREADS 64

struct work {
        int (*fn)(void *arg, size_t i);
        void *arg;
        size_t n;
        atomic_size_t next;
        atomic_int failed;
};

int pool_default_jobs(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : n > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)n;
}

static void *worker(void *p)
{
        struct work *w = p;
        for (;;) {
                size_t i = atomic_fetch_add(&w->next, 1);
                if (i >= w->n)
                        break;
                if (w->fn(w->arg, i) < 0)
                        atomic_store(&w->failed, 1);
        }
        return NULL;
}

int pool_run(int jobs, size_t n, int (*fn)(void *arg, size_t i), void *arg)
{
        struct work w = {fn, arg, n, 0, 0};
        if (jobs > POOL_MAX_THREADS)
                jobs = POOL_MAX_THREADS;
        if ((size_t)jobs > n)
                jobs = (int)n;
        if (jobs <= 1) {
                worker(&w);
                return atomic_load(&w.failed) ? -1 : 0;
        }
        pthread_t threads[POOL_MAX_THREADS];
        int started = 0;
        for (; started < jobs - 1; started++)
                if (pthread_create(&threads[started], NULL, worker, &w) != 0)
                        break; /* fewer threads: the work still gets done below */
        worker(&w);
        for (int t = 0; t < started; t++)
                pthread_join(threads[t], NULL);
        return atomic_load(&w.failed) ? -1 : 0;
}
