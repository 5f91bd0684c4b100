/* output: the build is written into a folder beside the output folder and swapped in with
 * one atomic rename only when everything succeeded, so a failed or killed build leaves the
 * previous site exactly as it was. Nothing is written outside the folder. Write-if-changed:
 * the previous tree is kept as a spare (".NAME.prev", with ".NAME.manifest") and brought up
 * to date, and a file whose bytes did not change keeps its inode and mtime (a hard link to
 * the published copy). */
#ifndef GONGBAO_OUTPUT_H
#define GONGBAO_OUTPUT_H

#include "buf.h"
#include "diag.h"

#include <stdbool.h>

struct output;

/* Starts a build of out_dir (e.g. "site"): removes folders left by killed builds and
 * claims the spare tree as ".site.tmp-PID" (or creates it). Returns the handle or NULL after
 * reporting. Finish with output_commit or output_abort. */
struct output *output_begin(const char *out_dir, struct diag *d);

/* Writes data to rel (a relative path such as "articles/x/index.html") inside the new
 * build. rel must not be absolute or contain "." or ".." segments or control
 * characters. Safe to call from several threads. Returns 0, or -1 after reporting. */
int output_write(struct output *o, const char *rel, const void *data, size_t len,
                 struct diag *d) WUR;

/* output_write, and records key with the file: a digest of everything data was made
 * from, so that a later build with the same key can keep the file without making the
 * bytes again (output_keep). */
int output_write_key(struct output *o, const char *rel, const void *data, size_t len,
                     const unsigned char key[32], struct diag *d) WUR;

/* When the published file rel was written with this key (output_write_key) and is still
 * the file recorded (not edited or replaced since), keeps it in the new build as it is
 * and returns true; otherwise does nothing and returns false (then write it). Safe to
 * call from several threads. */
bool output_keep(struct output *o, const char *rel, const unsigned char key[32]);

/* True when output_keep would keep rel with key; keeps nothing. Safe from several
 * threads. */
bool output_can_keep(struct output *o, const char *rel, const unsigned char key[32]);

/* Appends the published file rel (as the previous build left it; no check against the
 * manifest: a caller that needs one compares the bytes with what it recorded) to out.
 * Returns 0, or -1 when there is none or it cannot be read. */
int output_read_live(struct output *o, const char *rel, struct buf *out) WUR;

/* The folder the new build is being written to (owned by o). */
const char *output_path(const struct output *o);

/* True when rel is a path output_write accepts. */
bool output_path_ok(const char *rel);

/* Keeps every published file this build has not written (the quick rebuild, quick.h:
 * all but a few files are as published), each checked as output_keep checks it. Returns
 * 0, or -1 when a published file is not the one recorded (edited or replaced since) or
 * nothing is recorded: then the build must make every file itself. Call from one thread,
 * after the writes. */
int output_keep_unwritten(struct output *o) WUR;

/* Swaps the new build in atomically (renameat2 RENAME_EXCHANGE, or rename when there is
 * no previous site), keeps the old one as the spare and frees o. Returns 0, or -1 after reporting
 * (then the previous site is untouched and o is freed). */
int output_commit(struct output *o, struct diag *d) WUR;

/* How many files this build wrote, and how many it kept because their bytes had not
 * changed. */
void output_counts(const struct output *o, long *written, long *kept);

/* Gives the unfinished build back as the spare (or removes it) and frees o. NULL is a
 * no-op. */
void output_abort(struct output *o);

#endif
