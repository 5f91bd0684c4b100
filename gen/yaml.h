/* yaml: a YAML document (libyaml) read into a small tree that keeps every node's
 * source position, so that the schema checks in config and frontmatter can point
 * at the exact line and column of a wrong value. Anchors and aliases are refused
 * (no "billion laughs"), duplicate keys are errors, nesting is bounded. */
#ifndef GONGBAO_YAML_H
#define GONGBAO_YAML_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stdbool.h>

#define YAML_MAX_DEPTH 32

enum ynode_kind { YNODE_SCALAR, YNODE_SEQUENCE, YNODE_MAPPING };

/* One node. For a mapping, children alternate key, value; for a sequence they are the
 * items. A scalar's text is NUL-terminated (it may contain no NUL: such input is refused). */
struct ynode {
        enum ynode_kind kind;
        int line, col;       /* 1-based position in the file */
        char *text;          /* scalar text, NULL otherwise */
        bool plain;          /* scalar written without quotes (so `true`, `12` may be typed) */
        struct ynode **kids; /* children */
        size_t nkids;
};

/* Parses the one document in text[0..len) (empty input gives an empty mapping; a leading
 * UTF-8 byte order mark is skipped).
 * line_offset is added to every line so that front matter reports file lines.
 * Returns the root, or NULL after reporting to d. Caller frees with ynode_free. */
struct ynode *yaml_load(const char *text, size_t len, const char *path, int line_offset,
                        struct diag *d);
void ynode_free(struct ynode *n);

/* Looks up key in a mapping; NULL when absent. Owned by the mapping. */
struct ynode *ynode_get(const struct ynode *map, const char *key);

/* Type checks on one value; each reports "<what> must be ..." at the node and returns -1. */
int ynode_string(const struct ynode *n, const char *path, const char *what, struct diag *d,
                 const char **out) WUR;
int ynode_bool(const struct ynode *n, const char *path, const char *what, struct diag *d,
               bool *out) WUR;
int ynode_int(const struct ynode *n, const char *path, const char *what, long min, long max,
              struct diag *d, long *out) WUR;
/* A list of strings (a single scalar is refused): returns a new json array of strings, or
 * NULL after reporting. Caller owns the array. */
json_t *ynode_string_list(const struct ynode *n, const char *path, const char *what,
                          struct diag *d);
/* Reports every key of map not in the NULL-terminated list allowed; returns -1 if any. */
int ynode_check_keys(const struct ynode *map, const char *path, const char *const *allowed,
                     struct diag *d) WUR;

#endif
