/* quick: the record that lets a rebuild after an edit of article bodies alone skip the
 * whole site.
 *
 * After every successful build with the cache and without a single message, main keeps a
 * record in the cache ("quick", sealed like the other memos: another gen or other settings
 * do not use it): every input file and folder (content, templates, static) with its inode,
 * size and times; per published article its file, its body's cache key and the model's
 * article as JSON (what its page and the cards of its neighbours are made from); the
 * site object, the paths links may name, the search index's documents; the inode of the
 * published folder; and the span of time in which the same articles are published.
 *
 * The next build compares the inputs with the record (one lstat each). When only
 * article files changed, each still has the front matter the load memo holds, the record
 * was made for the published folder as it is and the options are the same, the changed
 * bodies are all that has to be built: render_quick (render.h) renders them, writes their
 * pages, updates the search index in place and keeps every other published file; it
 * falls back to the whole build wherever its output could differ from it (a body whose
 * summary, feed copy, chart or lint findings would change something else). */
#ifndef GONGBAO_QUICK_H
#define GONGBAO_QUICK_H

#include "buf.h"
#include "cache.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* One published article of the record. */
struct quick_article {
        char *path;            /* its file */
        unsigned char key[32]; /* its body's cache key */
        char *json;            /* the model's article after its body was applied */
        bool eligible;         /* its body may be rebuilt alone: it cites no dataset */
        bool in_feed;          /* a feed shows it (with its body) */
};

/* One input file or folder, as lstat saw it (all zero: too new to trust). A folder whose
 * stat changed is unchanged while it holds the same names (an editor that saves through a
 * temporary file and a rename changes the folder's times); a file too new to trust, while
 * it holds the same bytes. */
struct quick_input {
        char *path;
        char type; /* 'd' folder, 'a' article file, 'f' any other file, 'n' none there */
        uint64_t ino, size;
        int64_t mtime, ctime;
        unsigned char md[32]; /* a folder's names, or a file's bytes when too new (else 0) */
        bool has_md;
};

struct quick {
        unsigned char opts[32]; /* the options and folder the record was made with */
        char charts[65];        /* the datasets' digest in the keys of bodies that draw
                                   charts (render.c), "" when none did */
        int64_t generation;     /* ties the head to its model part (quick.c) */
        uint64_t site_ino;      /* the published folder it describes */
        int64_t from, until;    /* the build's moment, and the first later one at which an
                                   article is published or expires (INT64_MAX: none) */
        long pages, feeds;      /* what the build's summary counted */
        size_t ndocs;           /* the search index's documents */
        struct quick_input *in;
        size_t nin;
        struct quick_article *art; /* by index in the model */
        size_t nart;
        char *known;     /* the paths links may name, a JSON object */
        char *site;      /* the site object, JSON */
        char *topics;    /* the model's topics (their articles: what their feeds show), JSON */
        struct buf docs; /* the search index's documents (search_docs) */
};

/* The digest of what a record must have been made with besides the cache's salt: the
 * working folder, the folders and the options that change the output. */
void quick_opts(unsigned char out[32], const char *const *parts, size_t n);

/* Adds every file and folder below dir (itself included) to q's inputs, files ending in
 * ".md" below articles_dir (when not NULL) as articles. One changed less than 2 s before
 * since (ns since the epoch, when the build started) is recorded as changed: on a file
 * system with coarse times a later edit in the same tick would keep its times. A dir
 * that does not exist is recorded as such. */
void quick_add_inputs(struct quick *q, const char *dir, const char *articles_dir, int64_t since);

/* Keeps q in cache (best effort), under a new generation. */
void quick_save(struct quick *q, struct cache *cache);

/* Reads the head of the record of cache into q (zeroed first): the options, inputs and
 * the rest quick_changed and the caller check. Returns 0, or -1 when there is none that
 * checks out. */
int quick_load(struct quick *q, struct cache *cache);

/* Reads the rest (the articles, known paths, site object, topics, documents) into q,
 * after quick_load. Returns 0, or -1 when it does not check out or is another build's. */
int quick_load_model(struct quick *q, struct cache *cache);

/* Compares q's inputs with the files. When every changed input is an article file, sets
 * *changed to a NULL-terminated array of their paths (the array the caller frees, the
 * paths borrowed from q) and returns 0; else returns -1 (*changed NULL). */
int quick_changed(const struct quick *q, const char ***changed);

/* The index of the article of q whose file is path, or -1. */
long quick_find(const struct quick *q, const char *path);

/* Refreshes the record of input path (after a build that read it again). */
void quick_restat(struct quick *q, const char *path, int64_t since);

/* Frees what q holds (not q). */
void quick_free(struct quick *q);

#endif
