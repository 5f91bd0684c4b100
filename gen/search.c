/* search: the static search index (tokeniser, query semantics and format: search.h).
 *
 * search_add normalises and tokenises each document at once, keeps only its record
 * (title, URL, date, topics, kind, a short snippet) and appends its postings to a shared
 * token table; search_write numbers the documents (newest first, then by URL), sorts
 * every posting list by that number and writes the shards. */
#include "search.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#define WORD_MAX_CHARS 64   /* a longer Latin word is indexed by its first 64 characters */
#define SNIPPET_CHARS  100  /* characters of the default snippet kept in a record */
#define SHARD_TARGET   8192 /* bytes per shard the shard count aims at */
#define SHARD_MAX      4096 /* at most this many shard files (a power of two) */
#define CHUNK_DOCS     4    /* records per record file */
#define WORD_KEY_CHARS 2    /* a word's shard is chosen by its first characters */
#define FORMAT_VERSION 1

/* Token classes: the first byte of every key in the index. */
#define K_UNI   'u' /* one CJK character: docs only */
#define K_BI    'b' /* two CJK characters: docs and positions */
#define K_WORD  'w' /* a Latin (non-CJK) word: docs and positions */
#define K_START 's' /* a CJK character directly after a word: positions */
#define K_END   'f' /* a CJK character directly before a word: positions */
#define K_TOPIC 't' /* a topic slug: the documents of that topic */

/* One document's record; the text itself is not kept. */
struct sdoc {
        char *url;       /* site-relative */
        char *title;     /* as given */
        char *date;      /* "YYYY-MM-DD" or "" */
        char *kind;      /* "article", "page", "dataset" */
        char *snippet;   /* the default snippet: the text's line after the title, cut */
        char **slugs;    /* topic slugs */
        char **names;    /* topic names, parallel to slugs */
        size_t ntopics;  /* entries in slugs and names */
        uint32_t length; /* positions its text takes */
        uint32_t id;     /* number in the written index (search_write) */
};

/* One token of the whole index. */
struct stok {
        char *key;       /* class byte + folded UTF-8 text, not NUL-terminated */
        size_t klen;     /* bytes in key */
        struct buf ent;  /* entries in arrival order: doc (arrival number), tf*2+title,
                            then tf position gaps when the class has positions */
        struct buf post; /* final postings: doc gap, tf*2+title (search_write) */
        struct buf posn; /* final positions, same order (search_write) */
        uint32_t df;     /* documents */
        uint32_t shard;  /* shard number (search_write) */
        uint32_t hash;   /* fnv1a of the key */
};

struct search_index {
        pthread_mutex_t lock; /* guards everything below */
        struct sdoc *docs;    /* in arrival order */
        size_t ndocs, capdocs;
        struct stok *toks;
        size_t ntoks, captoks;
        uint32_t *table; /* open addressing over toks: index + 1, 0 = empty */
        size_t tcap;     /* slots in table, a power of two */
};

/* One token of one document while it is tokenised. */
struct ltok {
        size_t key;    /* offset of the key in the document's key arena */
        uint32_t hash; /* fnv1a of the key */
        size_t klen;   /* bytes */
        uint32_t tf;   /* occurrences */
        bool title;    /* also in the title */
        uint32_t *pos; /* positions, increasing (NULL for classes without) */
        size_t npos, cappos;
};

/* A document's tokens: an arena of keys and a small hash table. */
struct ltab {
        struct buf keys;   /* the keys, back to back */
        struct ltok *toks; /* in first-seen order */
        size_t ntoks, captoks;
        uint32_t *slots; /* index + 1 into toks */
        size_t nslots;   /* a power of two */
        bool title_pass; /* adding the title: mark tokens instead of counting them */
};

/* Returns the 32-bit FNV-1a hash of n bytes (the browser computes the same). */
static uint32_t fnv1a(const void *p, size_t n)
{
        const unsigned char *s = p;
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++) {
                h ^= s[i];
                h *= 16777619u;
        }
        return h;
}

/* Appends x as an unsigned LEB128 varint. */
static void put_varint(struct buf *b, uint64_t x)
{
        buf_grow(b, 11);
        unsigned char *d = (unsigned char *)b->data + b->len;
        size_t n = 0;
        do {
                unsigned char c = x & 0x7f;
                x >>= 7;
                d[n++] = c | (x ? 0x80 : 0);
        } while (x);
        b->len += n;
        b->data[b->len] = '\0';
}

/* Reads a varint at *p (below end) and advances *p. Returns the value (0 past the end). */
static uint64_t get_varint(const unsigned char **p, const unsigned char *end)
{
        uint64_t x = 0;
        for (int shift = 0; *p < end && shift < 64; shift += 7) {
                unsigned char c = *(*p)++;
                x |= (uint64_t)(c & 0x7f) << shift;
                if (!(c & 0x80))
                        break;
        }
        return x;
}

/* A bit stream written into a buf, least significant bit of each byte first. */
struct bits {
        struct buf *b; /* destination */
        uint64_t acc;  /* bits not yet written */
        int n;         /* how many */
};

/* Appends the low n (at most 32) bits of v. */
static void bits_put(struct bits *w, uint64_t v, int n)
{
        if (n <= 0)
                return;
        w->acc |= (v & ((UINT64_C(1) << n) - 1)) << w->n;
        w->n += n;
        if (w->n < 8)
                return;
        buf_grow(w->b, 8);
        struct buf *b = w->b;
        while (w->n >= 8) {
                b->data[b->len++] = (char)(w->acc & 0xff);
                w->acc >>= 8;
                w->n -= 8;
        }
        b->data[b->len] = '\0';
}

/* Writes the last partial byte: every token's data starts on a byte boundary. */
static void bits_flush(struct bits *w)
{
        if (w->n)
                buf_putc(w->b, (char)(w->acc & 0xff));
        w->acc = 0;
        w->n = 0;
}

/* Appends q one bits. */
static void bits_ones(struct bits *w, uint32_t q)
{
        while (q >= 16) {
                bits_put(w, 0xffff, 16);
                q -= 16;
        }
        bits_put(w, (UINT64_C(1) << q) - 1, (int)q);
}

/* Golomb-Rice code of v with parameter k: v >> k in unary (ones and a zero), then the low
 * k bits. A quotient of RICE_ESCAPE or more is written as RICE_ESCAPE ones and 32 bits. */
#define RICE_ESCAPE 24
static void put_rice(struct bits *w, uint32_t v, int k)
{
        uint32_t q = v >> k;
        if (q >= RICE_ESCAPE) {
                bits_ones(w, RICE_ESCAPE);
                bits_put(w, v, 32);
                return;
        }
        bits_ones(w, q);
        bits_put(w, 0, 1);
        bits_put(w, v, k);
}

/* Number of bits in x (0 for 0). */
static int bit_length(uint64_t x)
{
        int n = 0;
        while (x) {
                n++;
                x >>= 1;
        }
        return n;
}

/* Elias gamma code of x >= 1: bit_length(x) - 1 ones, a zero, the low bits of x. */
static void put_gamma(struct bits *w, uint32_t x)
{
        int n = bit_length(x);
        bits_ones(w, (uint32_t)(n - 1));
        bits_put(w, 0, 1);
        bits_put(w, x, n - 1);
}

/* floor(log2(a / b)), 0 when a < 2b: the Rice parameter for gaps of mean about a / b. */
static int rice_k(uint64_t a, uint64_t b)
{
        uint64_t x = b ? a / b : a;
        return x > 1 ? bit_length(x) - 1 : 0;
}

/* True for code points of the ideographic blocks: Han of every extension and the
 * compatibility ideographs, CJK whatever their category in this Unicode version. */
static bool is_ideograph_block(utf8proc_int32_t c)
{
        return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
               (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* True for the other blocks of scripts written without spaces between words that are
 * tokenised like Han: kana, Hangul, Bopomofo, Yi, Tangut, Nushu, ideographic numbers and
 * iteration marks. Only their letters, digits and marks count; punctuation separates. */
static bool is_cjk_block(utf8proc_int32_t c)
{
        static const utf8proc_int32_t ranges[][2] = {
            {0x1100, 0x11FF},   {0x2E80, 0x2FDF},   {0x3000, 0x303F}, {0x3040, 0x30FF},
            {0x3100, 0x312F},   {0x3130, 0x318F},   {0x3190, 0x31FF}, {0xA000, 0xA4CF},
            {0xA960, 0xA97F},   {0xAC00, 0xD7FF},   {0xFF65, 0xFFDC}, {0x16FE0, 0x16FFF},
            {0x17000, 0x18DFF}, {0x1AFF0, 0x1B2FF},
        };
        for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
                if (c >= ranges[i][0] && c <= ranges[i][1])
                        return true;
        return false;
}

enum cls { C_SEP, C_CJK, C_WORD, C_SKIP };

/* The tokeniser's class of one (already normalised) code point: CJK, part of a word,
 * skipped (format characters and variation selectors, invisible) or a separator. */
static enum cls classify(utf8proc_int32_t c)
{
        if (c < 0x80)
                return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? C_WORD
                                                                                          : C_SEP;
        if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF))
                return C_SKIP;
        if (is_ideograph_block(c))
                return C_CJK;
        switch (utf8proc_category(c)) {
        case UTF8PROC_CATEGORY_CF:
                return C_SKIP;
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
        case UTF8PROC_CATEGORY_ME:
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
                return is_cjk_block(c) ? C_CJK : C_WORD;
        default:
                return C_SEP;
        }
}

/* True for the code points that NFKC and case folding leave alone or map to one ASCII
 * character (ASCII capitals, fullwidth ASCII), and that never compose with a neighbour:
 * most Chinese and English text is made only of these. */
static bool folds_simply(utf8proc_int32_t c)
{
        return (c > 0 && c < 0x80) || (c >= 0x4E00 && c <= 0x9FFF) ||
               (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xFF01 && c <= 0xFF5E) || c == 0x3001 ||
               c == 0x3002 || (c >= 0x3008 && c <= 0x3011) || (c >= 0x2018 && c <= 0x201D) ||
               c == 0x2014 || c == 0x00B7;
}

/* Returns s (n bytes) NFKC-normalised and case-folded, invalid UTF-8 replaced by U+FFFD,
 * NUL by a space. Text made only of characters that fold simply is folded here; the rest
 * goes through utf8proc. Caller frees with free(). */
static char *fold(const char *s, size_t n, size_t *outlen)
{
        struct buf clean = {0};
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
        bool simple = true;
        size_t i = 0;
        while (i < n) {
                utf8proc_int32_t c;
                utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
                if (k <= 0 || c == 0) {
                        buf_puts(&clean, k <= 0 ? "\xEF\xBF\xBD" : " ");
                        simple = simple && k > 0;
                        i++;
                        continue;
                }
                if (!folds_simply(c))
                        simple = false;
                if (c >= 0xFF01 && c <= 0xFF5E)
                        c -= 0xFEE0; /* fullwidth ASCII */
                if (c >= 'A' && c <= 'Z')
                        c += 'a' - 'A';
                if (c < 0x80)
                        buf_putc(&clean, (char)c);
                else
                        buf_put(&clean, p + i, (size_t)k);
                i += (size_t)k;
        }
        if (simple) {
                *outlen = clean.len;
                return buf_detach(&clean);
        }
        utf8proc_uint8_t *out = NULL;
        utf8proc_ssize_t r = utf8proc_map(
            (const utf8proc_uint8_t *)buf_cstr(&clean), (utf8proc_ssize_t)clean.len, &out,
            UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STABLE);
        buf_free(&clean);
        if (r < 0) {
                free(out);
                *outlen = 0;
                return xstrdup("");
        }
        *outlen = (size_t)r;
        return (char *)out;
}

/* Receives one token: class, folded text, position (for classes that have one). */
typedef void (*tok_fn)(void *ctx, char cls, const char *s, size_t len, uint32_t pos);

/* The tokeniser over folded UTF-8: CJK runs give each character (K_UNI) and each pair of
 * neighbours (K_BI); other letters, digits and marks form words (K_WORD), cut at
 * WORD_MAX_CHARS; a CJK run that touches a word gives K_START / K_END. Positions count
 * CJK characters, words and separator runs, so that two tokens are adjacent in the text
 * exactly when their positions are consecutive. Calls fn for each token in text order;
 * returns the number of positions. */
static uint32_t tokenize(const char *s, size_t n, tok_fn fn, void *ctx)
{
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
        enum cls prev = C_SEP;
        char pc[4], pair[8], word[WORD_MAX_CHARS * 4];
        size_t pclen = 0, wlen = 0, wchars = 0;
        uint32_t pos = 0;
        size_t i = 0;
        while (i < n) {
                utf8proc_int32_t c = p[i];
                utf8proc_ssize_t k = 1;
                if (c >= 0x80)
                        k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
                if (k <= 0) {
                        i++;
                        continue;
                }
                const char *cs = s + i;
                i += (size_t)k;
                enum cls cl = classify(c);
                if (cl == C_SKIP)
                        continue;
                if (cl != C_WORD && prev == C_WORD) {
                        fn(ctx, K_WORD, word, wlen, pos++);
                        if (cl == C_CJK)
                                fn(ctx, K_START, cs, (size_t)k, pos);
                }
                if (cl == C_CJK) {
                        fn(ctx, K_UNI, cs, (size_t)k, pos);
                        if (prev == C_CJK) {
                                memcpy(pair, pc, pclen);
                                memcpy(pair + pclen, cs, (size_t)k);
                                fn(ctx, K_BI, pair, pclen + (size_t)k, pos - 1);
                        }
                        memcpy(pc, cs, (size_t)k);
                        pclen = (size_t)k;
                        pos++;
                } else if (cl == C_WORD) {
                        if (prev == C_CJK)
                                fn(ctx, K_END, pc, pclen, pos - 1);
                        if (prev != C_WORD)
                                wlen = wchars = 0;
                        if (wchars < WORD_MAX_CHARS) {
                                memcpy(word + wlen, cs, (size_t)k);
                                wlen += (size_t)k;
                                wchars++;
                        }
                } else if (prev != C_SEP) {
                        pos++; /* a separator run takes one position */
                }
                prev = cl;
        }
        if (prev == C_WORD)
                fn(ctx, K_WORD, word, wlen, pos++);
        return pos;
}

/* Returns the slot of key in t (its index + 1, or 0 when absent) and where it would go. */
static uint32_t ltab_find(const struct ltab *t, const char *key, size_t klen, uint32_t hash,
                          size_t *slot)
{
        size_t mask = t->nslots - 1;
        size_t j = hash & mask;
        for (size_t probe = 0; probe < t->nslots; probe++, j = (j + 1) & mask) {
                uint32_t v = t->slots[j];
                if (!v)
                        break;
                const struct ltok *lt = &t->toks[v - 1];
                if (lt->hash == hash && lt->klen == klen &&
                    !memcmp(t->keys.data + lt->key, key, klen)) {
                        *slot = j;
                        return v;
                }
        }
        *slot = j;
        return 0;
}

/* Doubles the table's slots and reinserts every token. */
static void ltab_grow(struct ltab *t)
{
        free(t->slots);
        t->nslots *= 2;
        t->slots = xcalloc(t->nslots, sizeof *t->slots);
        for (size_t i = 0; i < t->ntoks; i++) {
                size_t slot;
                (void)ltab_find(t, t->keys.data + t->toks[i].key, t->toks[i].klen, t->toks[i].hash,
                                &slot);
                t->slots[slot] = (uint32_t)(i + 1);
        }
}

/* tok_fn for one document: counts tf and records positions (or, for the title, marks). */
static void ltab_add(void *ctx, char cls, const char *s, size_t len, uint32_t pos)
{
        struct ltab *t = ctx;
        char key[1 + WORD_MAX_CHARS * 4];
        key[0] = cls;
        memcpy(key + 1, s, len);
        size_t klen = len + 1, slot;
        uint32_t hash = fnv1a(key, klen);
        uint32_t v = ltab_find(t, key, klen, hash, &slot);
        if (!v) {
                if (t->title_pass)
                        return;
                if ((t->ntoks + 1) * 2 > t->nslots) {
                        ltab_grow(t);
                        (void)ltab_find(t, key, klen, hash, &slot);
                }
                if (t->ntoks == t->captoks) {
                        t->captoks = t->captoks ? t->captoks * 2 : 256;
                        t->toks = xrealloc(t->toks, t->captoks * sizeof *t->toks);
                }
                struct ltok *nt = &t->toks[t->ntoks];
                memset(nt, 0, sizeof *nt);
                nt->key = t->keys.len;
                nt->klen = klen;
                nt->hash = hash;
                buf_put(&t->keys, key, klen);
                v = (uint32_t)++t->ntoks;
                t->slots[slot] = v;
        }
        struct ltok *lt = &t->toks[v - 1];
        if (t->title_pass) {
                lt->title = true;
                return;
        }
        lt->tf++;
        if (cls == K_UNI)
                return;
        if (lt->npos == lt->cappos) {
                lt->cappos = lt->cappos ? lt->cappos * 2 : 4;
                lt->pos = xrealloc(lt->pos, lt->cappos * sizeof *lt->pos);
        }
        lt->pos[lt->npos++] = pos;
}

/* Frees what a document's table holds. */
static void ltab_free(struct ltab *t)
{
        for (size_t i = 0; i < t->ntoks; i++)
                free(t->toks[i].pos);
        free(t->toks);
        free(t->slots);
        buf_free(&t->keys);
}

/* Returns the global token for key, adding it when new. Caller holds the lock. */
static struct stok *gtok(struct search_index *s, const char *key, size_t klen, uint32_t hash)
{
        size_t mask = s->tcap - 1;
        size_t j = hash & mask;
        for (size_t probe = 0; probe < s->tcap; probe++, j = (j + 1) & mask) {
                uint32_t v = s->table[j];
                if (!v)
                        break;
                struct stok *t = &s->toks[v - 1];
                if (t->hash == hash && t->klen == klen && !memcmp(t->key, key, klen))
                        return t;
        }
        if ((s->ntoks + 1) * 2 > s->tcap) {
                free(s->table);
                s->tcap *= 2;
                s->table = xcalloc(s->tcap, sizeof *s->table);
                mask = s->tcap - 1;
                for (size_t i = 0; i < s->ntoks; i++) {
                        size_t h = s->toks[i].hash & mask;
                        while (s->table[h])
                                h = (h + 1) & mask;
                        s->table[h] = (uint32_t)(i + 1);
                }
                j = hash & mask;
                while (s->table[j])
                        j = (j + 1) & mask;
        }
        if (s->ntoks == s->captoks) {
                s->captoks = s->captoks ? s->captoks * 2 : 1024;
                s->toks = xrealloc(s->toks, s->captoks * sizeof *s->toks);
        }
        struct stok *t = &s->toks[s->ntoks];
        memset(t, 0, sizeof *t);
        t->key = xmalloc(klen);
        memcpy(t->key, key, klen);
        t->klen = klen;
        t->hash = hash;
        s->table[j] = (uint32_t)++s->ntoks;
        return t;
}

struct search_index *search_new(void)
{
        struct search_index *s = xcalloc(1, sizeof *s);
        pthread_mutex_init(&s->lock, NULL);
        s->tcap = 1024;
        s->table = xcalloc(s->tcap, sizeof *s->table);
        return s;
}

/* Frees one record's strings. */
static void sdoc_free(struct sdoc *d)
{
        free(d->url);
        free(d->title);
        free(d->date);
        free(d->kind);
        free(d->snippet);
        for (size_t i = 0; i < d->ntopics; i++) {
                free(d->slugs[i]);
                free(d->names[i]);
        }
        free(d->slugs);
        free(d->names);
}

void search_free(struct search_index *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->ndocs; i++)
                sdoc_free(&s->docs[i]);
        for (size_t i = 0; i < s->ntoks; i++) {
                free(s->toks[i].key);
                buf_free(&s->toks[i].ent);
                buf_free(&s->toks[i].post);
                buf_free(&s->toks[i].posn);
        }
        free(s->docs);
        free(s->toks);
        free(s->table);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

/* Returns the default snippet: the first line of text after the title line, at most
 * SNIPPET_CHARS characters (an ellipsis marks a cut). Caller frees with free(). */
static char *make_snippet(const char *text, const char *title)
{
        const char *line = text;
        size_t tl = strlen(title);
        if (!strncmp(text, title, tl) && text[tl] == '\n')
                line = text + tl + 1;
        while (*line == '\n')
                line++;
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)line;
        size_t i = 0, chars = 0;
        while (p[i] && p[i] != '\n' && chars < SNIPPET_CHARS) {
                utf8proc_int32_t c;
                utf8proc_ssize_t k = utf8proc_iterate(p + i, -1, &c);
                i += k > 0 ? (size_t)k : 1;
                chars++;
        }
        char *out = xstrndup(line, i);
        if (p[i] && p[i] != '\n') {
                char *cut = xasprintf("%s…", out);
                free(out);
                out = cut;
        }
        return out;
}

void search_add(struct search_index *s, const char *url, const char *title, const char *date,
                json_t *topics, const char *kind, const char *text)
{
        struct ltab t = {0};
        t.nslots = 1024;
        t.slots = xcalloc(t.nslots, sizeof *t.slots);
        title = title ? title : "";
        text = text ? text : "";
        /* the text starts with the title; a caller's text without it gets it here */
        size_t tl = strlen(title);
        char *full = NULL;
        if (strncmp(text, title, tl) || (text[tl] != '\n' && text[tl] != '\0'))
                full = xasprintf("%s\n%s", title, text);
        size_t n;
        char *folded = fold(full ? full : text, strlen(full ? full : text), &n);
        uint32_t length = tokenize(folded, n, ltab_add, &t);
        free(folded);
        folded = fold(title, tl, &n);
        t.title_pass = true;
        tokenize(folded, n, ltab_add, &t);
        free(folded);

        struct sdoc d = {0};
        d.url = xstrdup(url ? url : "");
        d.title = xstrdup(title);
        d.date = xstrdup(date ? date : "");
        d.kind = xstrdup(kind ? kind : "page");
        d.length = length;
        d.snippet = make_snippet(full ? full : text, title);
        free(full);
        size_t nt = json_is_array(topics) ? json_array_size(topics) : 0;
        d.slugs = xcalloc(nt, sizeof *d.slugs);
        d.names = xcalloc(nt, sizeof *d.names);
        for (size_t i = 0; i < nt; i++) {
                json_t *o = json_array_get(topics, i);
                const char *slug = json_string_value(json_object_get(o, "slug"));
                const char *name = json_string_value(json_object_get(o, "name"));
                if (!slug)
                        continue;
                d.slugs[d.ntopics] = xstrdup(slug);
                d.names[d.ntopics++] = xstrdup(name ? name : slug);
        }

        /* entries are encoded outside the lock, then appended under it */
        struct buf ent = {0};
        size_t *ends = xcalloc(t.ntoks, sizeof *ends);
        for (size_t i = 0; i < t.ntoks; i++) {
                struct ltok *lt = &t.toks[i];
                put_varint(&ent, (uint64_t)lt->tf * 2 + (lt->title ? 1 : 0));
                uint32_t last = 0;
                for (size_t j = 0; j < lt->npos; j++) {
                        put_varint(&ent, j ? lt->pos[j] - last - 1 : lt->pos[j]);
                        last = lt->pos[j];
                }
                ends[i] = ent.len;
        }

        pthread_mutex_lock(&s->lock);
        uint32_t arrival = (uint32_t)s->ndocs;
        if (s->ndocs == s->capdocs) {
                s->capdocs = s->capdocs ? s->capdocs * 2 : 256;
                s->docs = xrealloc(s->docs, s->capdocs * sizeof *s->docs);
        }
        s->docs[s->ndocs++] = d;
        size_t start = 0;
        for (size_t i = 0; i < t.ntoks; i++) {
                struct ltok *lt = &t.toks[i];
                if (!lt->tf) /* only in the title, which is part of the text: cannot happen */
                        continue;
                struct stok *g = gtok(s, t.keys.data + lt->key, lt->klen, lt->hash);
                put_varint(&g->ent, arrival);
                buf_put(&g->ent, ent.data + start, ends[i] - start);
                g->df++;
                start = ends[i];
        }
        pthread_mutex_unlock(&s->lock);
        free(ends);
        buf_free(&ent);
        ltab_free(&t);
}

/* Orders records newest first (undated last), then by URL, then by the other fields, so
 * that the numbering does not depend on the order of search_add calls. */
static int doc_cmp(const void *a, const void *b)
{
        const struct sdoc *x = *(struct sdoc *const *)a, *y = *(struct sdoc *const *)b;
        int c;
        if ((!*x->date) != (!*y->date))
                return *x->date ? -1 : 1;
        if ((c = strcmp(y->date, x->date)))
                return c;
        if ((c = strcmp(x->url, y->url)) || (c = strcmp(x->title, y->title)) ||
            (c = strcmp(x->kind, y->kind)) || (c = strcmp(x->snippet, y->snippet)))
                return c;
        return 0;
}

/* One posting while a list is renumbered. */
struct post {
        uint32_t id;     /* final document number */
        uint32_t tf2;    /* tf * 2 + title */
        size_t off, len; /* its position gaps in the token's entries */
};

/* Orders postings by document number. */
static int post_cmp(const void *a, const void *b)
{
        const struct post *x = a, *y = b;
        return x->id < y->id ? -1 : x->id > y->id;
}

/* True when tokens of this class carry positions. */
static bool has_positions(char cls)
{
        return cls == K_BI || cls == K_WORD || cls == K_START || cls == K_END;
}

/* Turns a token's arrival-order entries into its final postings and positions, sorted by
 * document number (ids maps arrival numbers to final numbers), and frees the entries.
 * Postings: per document the gap to the previous one (Rice, k from ndocs / df), tf
 * (gamma) and the title bit. Positions: per document tf gaps (Rice, k from the average
 * document length / (tf + 1)). See search.h. */
static void finish_token(struct stok *t, const uint32_t *ids, size_t ndocs, uint32_t avglen)
{
        struct post *ps = xcalloc(t->df, sizeof *ps);
        const unsigned char *base = (const unsigned char *)t->ent.data;
        const unsigned char *p = base, *end = base + t->ent.len;
        bool withpos = has_positions(t->key[0]);
        size_t n = 0;
        while (p < end && n < t->df) {
                struct post *q = &ps[n++];
                q->id = ids[get_varint(&p, end)];
                q->tf2 = (uint32_t)get_varint(&p, end);
                q->off = (size_t)(p - base);
                if (withpos)
                        for (uint32_t j = 0; j < q->tf2 / 2 && p < end; j++)
                                (void)get_varint(&p, end);
                q->len = (size_t)(p - base) - q->off;
        }
        bool sorted = true;
        for (size_t i = 1; i < n && sorted; i++)
                sorted = ps[i - 1].id < ps[i].id;
        if (!sorted)
                qsort(ps, n, sizeof *ps, post_cmp);
        struct bits w = {&t->post, 0, 0}, wp = {&t->posn, 0, 0};
        int kd = rice_k(ndocs, n);
        uint32_t last = 0;
        for (size_t i = 0; i < n; i++) {
                uint32_t tf = ps[i].tf2 / 2;
                put_rice(&w, i ? ps[i].id - last - 1 : ps[i].id, kd);
                put_gamma(&w, tf);
                bits_put(&w, ps[i].tf2 & 1, 1);
                last = ps[i].id;
                if (!withpos)
                        continue;
                int kp = rice_k(avglen, (uint64_t)tf + 1);
                const unsigned char *g = base + ps[i].off, *gend = g + ps[i].len;
                for (uint32_t j = 0; j < tf; j++)
                        put_rice(&wp, (uint32_t)get_varint(&g, gend), kp);
        }
        bits_flush(&w);
        bits_flush(&wp);
        t->df = (uint32_t)n;
        free(ps);
        buf_free(&t->ent);
}

/* The bytes that choose a token's shard: a word's class byte and first WORD_KEY_CHARS
 * characters (so that every word with a given prefix is in one shard), else the key. */
static size_t shard_key_len(const struct stok *t)
{
        if (t->key[0] != K_WORD)
                return t->klen;
        size_t i = 1;
        for (int chars = 0; i < t->klen && chars < WORD_KEY_CHARS; chars++) {
                i++;
                while (i < t->klen && ((unsigned char)t->key[i] & 0xC0) == 0x80)
                        i++;
        }
        return i;
}

/* Orders tokens by shard, then by key bytes. */
static int tok_cmp(const void *a, const void *b)
{
        const struct stok *x = *(struct stok *const *)a, *y = *(struct stok *const *)b;
        if (x->shard != y->shard)
                return x->shard < y->shard ? -1 : 1;
        size_t n = x->klen < y->klen ? x->klen : y->klen;
        int c = memcmp(x->key, y->key, n);
        if (c)
                return c;
        return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* Orders C strings (for qsort over char *). */
static int str_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Emits json (compact, keys in order) at rel. Returns 0 or -1. Steals json. */
static int emit_json(search_emit_fn emit, void *ctx, const char *rel, json_t *json)
{
        char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(json);
        if (!text)
                return -1;
        struct buf b = {0};
        buf_puts(&b, text);
        buf_putc(&b, '\n');
        free(text);
        int rc = emit(ctx, rel, &b);
        buf_free(&b);
        return rc;
}

/* Adds a K_TOPIC token per topic slug with the documents of that topic, coded as other
 * postings (tf 1, no title bit). search_write owns s: no lock. */
static void add_topic_tokens(struct search_index *s, struct sdoc **order, char **slugs,
                             size_t nslugs)
{
        bool *in = xcalloc(s->ndocs, sizeof *in);
        for (size_t k = 0; k < nslugs; k++) {
                size_t df = 0;
                for (size_t i = 0; i < s->ndocs; i++) {
                        in[i] = false;
                        for (size_t j = 0; j < order[i]->ntopics && !in[i]; j++)
                                in[i] = !strcmp(order[i]->slugs[j], slugs[k]);
                        df += in[i];
                }
                struct buf key = {0};
                buf_putc(&key, K_TOPIC);
                buf_puts(&key, slugs[k]);
                struct stok *t = gtok(s, key.data, key.len, fnv1a(key.data, key.len));
                buf_free(&key);
                struct bits w = {&t->post, 0, 0};
                int kd = rice_k(s->ndocs, df);
                uint32_t last = 0;
                bool first = true;
                for (size_t i = 0; i < s->ndocs; i++) {
                        if (!in[i])
                                continue;
                        put_rice(&w, first ? (uint32_t)i : (uint32_t)i - last - 1, kd);
                        put_gamma(&w, 1);
                        bits_put(&w, 0, 1);
                        last = (uint32_t)i;
                        first = false;
                }
                bits_flush(&w);
                t->df = (uint32_t)df;
        }
        free(in);
}

/* Writes meta.json: format version, counts, shard count, topics and the document
 * ranges of each year. Returns 0 or -1. */
static int write_meta(struct search_index *s, struct sdoc **order, char **slugs, char **names,
                      size_t nslugs, uint32_t shards, uint32_t avglen, search_emit_fn emit,
                      void *ctx)
{
        json_t *topics = json_array(), *years = json_array();
        for (size_t k = 0; k < nslugs; k++)
                json_array_append_new(topics, json_pack("[s,s]", slugs[k], names[k]));
        size_t i = 0;
        while (i < s->ndocs && strlen(order[i]->date) >= 4) {
                size_t j = i;
                while (j < s->ndocs && strlen(order[j]->date) >= 4 &&
                       !strncmp(order[j]->date, order[i]->date, 4))
                        j++;
                json_array_append_new(years, json_pack("[s#,I,I]", order[i]->date, 4, (json_int_t)i,
                                                       (json_int_t)(j - i)));
                i = j;
        }
        json_t *meta = json_pack("{s:i, s:I, s:i, s:I, s:i, s:i, s:o, s:o}", "version",
                                 FORMAT_VERSION, "docs", (json_int_t)s->ndocs, "shards",
                                 (int)shards, "avglen", (json_int_t)avglen, "chunk", CHUNK_DOCS,
                                 "wordkey", WORD_KEY_CHARS, "topics", topics, "years", years);
        return emit_json(emit, ctx, "search/idx/meta.json", meta);
}

/* Writes the records, CHUNK_DOCS per file d/N.json:
 * [url, title, date, kind, [topic numbers], snippet]. Returns 0 or -1. */
static int write_records(struct search_index *s, struct sdoc **order, char **slugs, size_t nslugs,
                         search_emit_fn emit, void *ctx)
{
        for (size_t c = 0; c * CHUNK_DOCS < s->ndocs; c++) {
                json_t *chunk = json_array();
                for (size_t i = c * CHUNK_DOCS; i < s->ndocs && i < (c + 1) * CHUNK_DOCS; i++) {
                        struct sdoc *d = order[i];
                        json_t *tn = json_array();
                        for (size_t k = 0; k < nslugs; k++)
                                for (size_t j = 0; j < d->ntopics; j++)
                                        if (!strcmp(d->slugs[j], slugs[k])) {
                                                json_array_append_new(tn, json_integer((int)k));
                                                break;
                                        }
                        json_array_append_new(chunk, json_pack("[s,s,s,s,o,s]", d->url, d->title,
                                                               d->date, d->kind, tn, d->snippet));
                }
                char rel[64];
                snprintf(rel, sizeof rel, "search/idx/d/%zu.json", c);
                if (emit_json(emit, ctx, rel, chunk) < 0)
                        return -1;
        }
        return 0;
}

/* Writes the shards: p/XXX.bin, a directory (count, then per token: key length, key, df,
 * postings bytes, positions bytes) followed by the postings, and q/XXX.bin, the positions
 * of the same tokens back to back. Every shard file is written, empty or not. Also
 * words.json, the word shard keys (for one-letter prefix queries). Returns 0 or -1. */
static int write_shards(struct search_index *s, uint32_t shards, search_emit_fn emit, void *ctx)
{
        int rc = -1;
        struct stok **sorted = xcalloc(s->ntoks, sizeof *sorted);
        json_t *wkeys = json_array();
        for (size_t i = 0; i < s->ntoks; i++) {
                sorted[i] = &s->toks[i];
                sorted[i]->shard = fnv1a(sorted[i]->key, shard_key_len(sorted[i])) & (shards - 1);
        }
        qsort(sorted, s->ntoks, sizeof *sorted, tok_cmp);
        /* the word keys, in key order: sort a copy by key alone */
        char **keys = xcalloc(s->ntoks, sizeof *keys);
        size_t nkeys = 0;
        for (size_t i = 0; i < s->ntoks; i++)
                if (sorted[i]->key[0] == K_WORD)
                        keys[nkeys++] = xstrndup(sorted[i]->key + 1, shard_key_len(sorted[i]) - 1);
        qsort(keys, nkeys, sizeof *keys, str_cmp);
        for (size_t i = 0; i < nkeys; i++)
                if (!i || strcmp(keys[i], keys[i - 1]))
                        json_array_append_new(wkeys, json_string(keys[i]));
        for (size_t i = 0; i < nkeys; i++)
                free(keys[i]);
        free(keys);

        size_t i = 0;
        struct buf dir = {0}, blobs = {0}, pos = {0};
        for (uint32_t sh = 0; sh < shards; sh++) {
                size_t j = i;
                while (j < s->ntoks && sorted[j]->shard == sh)
                        j++;
                buf_reset(&dir);
                buf_reset(&blobs);
                buf_reset(&pos);
                put_varint(&dir, j - i);
                for (size_t k = i; k < j; k++) {
                        struct stok *t = sorted[k];
                        put_varint(&dir, t->klen);
                        buf_put(&dir, t->key, t->klen);
                        put_varint(&dir, t->df);
                        put_varint(&dir, t->post.len);
                        put_varint(&dir, t->posn.len);
                        buf_put(&blobs, t->post.data, t->post.len);
                        buf_put(&pos, t->posn.data, t->posn.len);
                }
                buf_put(&dir, blobs.data, blobs.len);
                char rel[64];
                snprintf(rel, sizeof rel, "search/idx/p/%03x.bin", (unsigned)sh);
                if (emit(ctx, rel, &dir) < 0)
                        goto out;
                snprintf(rel, sizeof rel, "search/idx/q/%03x.bin", (unsigned)sh);
                if (emit(ctx, rel, &pos) < 0)
                        goto out;
                i = j;
        }
        rc = emit_json(emit, ctx, "search/idx/words.json", wkeys);
        wkeys = NULL;
out:
        json_decref(wkeys);
        buf_free(&dir);
        buf_free(&blobs);
        buf_free(&pos);
        free(sorted);
        return rc;
}

int search_write(struct search_index *s, search_emit_fn emit, void *ctx)
{
        int rc = -1;
        struct sdoc **order = xcalloc(s->ndocs, sizeof *order);
        uint32_t *ids = xcalloc(s->ndocs, sizeof *ids);
        char **slugs = NULL, **names = NULL;
        size_t nslugs = 0, all = 0;
        for (size_t i = 0; i < s->ndocs; i++)
                order[i] = &s->docs[i];
        qsort(order, s->ndocs, sizeof *order, doc_cmp);
        for (size_t i = 0; i < s->ndocs; i++) {
                order[i]->id = (uint32_t)i;
                ids[order[i] - s->docs] = (uint32_t)i;
                all += order[i]->ntopics;
        }
        /* topics: every slug once, sorted; its name from the first record in order */
        slugs = xcalloc(all, sizeof *slugs);
        names = xcalloc(all, sizeof *names);
        for (size_t i = 0; i < s->ndocs; i++)
                for (size_t j = 0; j < order[i]->ntopics; j++)
                        slugs[nslugs++] = order[i]->slugs[j];
        qsort(slugs, nslugs, sizeof *slugs, str_cmp);
        size_t u = 0;
        for (size_t i = 0; i < nslugs; i++)
                if (!u || strcmp(slugs[i], slugs[u - 1]))
                        slugs[u++] = slugs[i];
        nslugs = u;
        for (size_t k = 0; k < nslugs; k++)
                for (size_t i = 0; i < s->ndocs && !names[k]; i++)
                        for (size_t j = 0; j < order[i]->ntopics; j++)
                                if (!strcmp(order[i]->slugs[j], slugs[k])) {
                                        names[k] = order[i]->names[j];
                                        break;
                                }

        uint64_t positions = 0;
        for (size_t i = 0; i < s->ndocs; i++)
                positions += s->docs[i].length;
        uint32_t avglen = s->ndocs ? (uint32_t)(positions / s->ndocs) : 0;
        size_t total = 0;
        for (size_t i = 0; i < s->ntoks; i++)
                if (s->toks[i].ent.len)
                        finish_token(&s->toks[i], ids, s->ndocs, avglen);
        add_topic_tokens(s, order, slugs, nslugs);
        for (size_t i = 0; i < s->ntoks; i++)
                total += s->toks[i].post.len + s->toks[i].posn.len + s->toks[i].klen + 4;
        uint32_t shards = 1;
        while (shards < SHARD_MAX && total / shards > SHARD_TARGET)
                shards *= 2;

        if (write_meta(s, order, slugs, names, nslugs, shards, avglen, emit, ctx) < 0 ||
            write_records(s, order, slugs, nslugs, emit, ctx) < 0 ||
            write_shards(s, shards, emit, ctx) < 0)
                goto out;
        rc = 0;
out:
        free(slugs);
        free(names);
        free(order);
        free(ids);
        return rc;
}

/* True when the element name (len bytes, lower case) starts or ends a line of text. */
static bool is_block(const char *name, size_t len)
{
        static const char *const blocks[] = {
            "p",       "h1",      "h2",         "h3",         "h4",    "h5",      "h6",
            "li",      "pre",     "td",         "th",         "tr",    "caption", "dt",
            "dd",      "div",     "table",      "ul",         "ol",    "figure",  "section",
            "details", "summary", "figcaption", "blockquote", "br",    "hr",      "article",
            "header",  "footer",  "aside",      "dl",         "thead", "tbody",   "tfoot",
            "main",    "nav",     NULL};
        for (const char *const *b = blocks; *b; b++)
                if (strlen(*b) == len && !memcmp(*b, name, len))
                        return true;
        return false;
}

/* Appends a newline unless out is empty or already ends a line. */
static void end_line(struct buf *out)
{
        if (out->len && out->data[out->len - 1] != '\n')
                buf_putc(out, '\n');
}

/* Decodes the character reference at s (just after '&', up to end) into out. Returns the
 * bytes it took after the '&', 0 when it is not one (the '&' is then literal). */
static size_t put_entity(struct buf *out, const char *s, const char *end)
{
        static const char *const names[][2] = {{"amp;", "&"},  {"lt;", "<"},
                                               {"gt;", ">"},   {"quot;", "\""},
                                               {"apos;", "'"}, {"nbsp;", "\xC2\xA0"}};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
                size_t n = strlen(names[i][0]);
                if ((size_t)(end - s) >= n && !memcmp(s, names[i][0], n)) {
                        buf_puts(out, names[i][1]);
                        return n;
                }
        }
        if (s >= end || *s != '#')
                return 0;
        const char *p = s + 1;
        int base = 10;
        if (p < end && (*p == 'x' || *p == 'X')) {
                base = 16;
                p++;
        }
        uint32_t cp = 0;
        int digits = 0;
        for (; p < end && digits < 8; p++, digits++) {
                int d = *p >= '0' && *p <= '9'                 ? *p - '0'
                        : base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                        : base == 16 && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                                               : -1;
                if (d < 0)
                        break;
                cp = cp * (uint32_t)base + (uint32_t)d;
        }
        if (!digits || p >= end || *p != ';')
                return 0;
        utf8proc_uint8_t enc[4];
        if (!utf8proc_codepoint_valid((utf8proc_int32_t)cp) || cp == 0)
                cp = 0xFFFD;
        buf_put(out, enc, (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, enc));
        return (size_t)(p + 1 - s);
}

/* Appends text (len bytes) with its character references decoded. In running text (not
 * pre) a line break is a space after an ASCII character and nothing after another one or
 * at the start of a line, as cmark's soft breaks read. */
static void put_text(struct buf *out, const char *s, size_t len, bool pre)
{
        const char *end = s + len;
        while (s < end) {
                if (*s == '&') {
                        size_t n = put_entity(out, s + 1, end);
                        if (n) {
                                s += n + 1;
                                continue;
                        }
                }
                if (*s == '\n' && !pre) {
                        unsigned char last =
                            out->len ? (unsigned char)out->data[out->len - 1] : '\n';
                        if (last != '\n' && last < 0x80)
                                buf_putc(out, ' ');
                        s++;
                        continue;
                }
                buf_putc(out, *s++);
        }
}

/* Appends the value of attribute name in the tag's attributes (a .. end), decoded. */
static void put_attr(struct buf *out, const char *a, const char *end, const char *name)
{
        size_t nlen = strlen(name);
        while (a < end) {
                while (a < end && (*a == ' ' || *a == '\n' || *a == '\t' || *a == '/'))
                        a++;
                const char *n = a;
                while (a < end && *a != '=' && *a != ' ' && *a != '>' && *a != '/')
                        a++;
                bool match = (size_t)(a - n) == nlen && !strncasecmp(n, name, nlen);
                if (a >= end || *a != '=')
                        continue;
                a++;
                char q = (a < end && (*a == '"' || *a == '\'')) ? *a++ : 0;
                const char *v = a;
                while (a < end && (q ? *a != q : (*a != ' ' && *a != '>')))
                        a++;
                if (match)
                        put_text(out, v, (size_t)(a - v), false);
                if (q && a < end)
                        a++;
        }
}

void search_html_text(struct buf *out, const char *html)
{
        const char *s = html, *end = html + strlen(html);
        int skip = 0, pre = 0; /* depth inside svg/script/style, inside pre */
        while (s < end) {
                if (*s != '<') {
                        const char *t = s;
                        while (s < end && *s != '<')
                                s++;
                        if (!skip)
                                put_text(out, t, (size_t)(s - t), pre > 0);
                        continue;
                }
                if (!strncmp(s, "<!--", 4)) {
                        const char *c = strstr(s + 4, "-->");
                        s = c ? c + 3 : end;
                        continue;
                }
                /* a tag: name, attributes (quoted values may hold '>'), '>' */
                const char *p = s + 1;
                bool closing = p < end && *p == '/';
                if (closing)
                        p++;
                const char *name = p;
                while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                                   (*p >= '0' && *p <= '9')))
                        p++;
                size_t nlen = (size_t)(p - name);
                const char *attrs = p;
                char q = 0;
                while (p < end && (q || *p != '>')) {
                        if (q && *p == q)
                                q = 0;
                        else if (!q && (*p == '"' || *p == '\''))
                                q = *p;
                        p++;
                }
                bool self = p > attrs && p[-1] == '/';
                char lower[16] = {0};
                for (size_t i = 0; i < nlen && i < sizeof lower - 1; i++)
                        lower[i] = (char)(name[i] | 0x20);
                bool hidden =
                    nlen < sizeof lower &&
                    (!strcmp(lower, "svg") || !strcmp(lower, "script") || !strcmp(lower, "style"));
                if (!nlen) {
                        /* "<" not starting a tag, or <!DOCTYPE ...>: text / skipped */
                        if (s[1] != '!' && !skip)
                                put_text(out, s, 1, pre > 0);
                        s = s[1] == '!' ? (p < end ? p + 1 : end) : s + 1;
                        continue;
                }
                s = p < end ? p + 1 : end;
                if (hidden && !self && !closing && strcmp(lower, "svg")) {
                        /* script and style hold raw text up to their end tag */
                        char endtag[sizeof lower + 2];
                        snprintf(endtag, sizeof endtag, "</%s", lower);
                        const char *e = strcasestr(s, endtag);
                        s = e ? e : end;
                        continue;
                }
                if (hidden && !self) {
                        skip += closing ? (skip > 0 ? -1 : 0) : 1;
                        continue;
                }
                if (skip)
                        continue;
                if (nlen == 3 && !strcmp(lower, "pre") && !self)
                        pre += closing ? (pre > 0 ? -1 : 0) : 1;
                if (is_block(lower, nlen) && nlen < sizeof lower)
                        end_line(out);
                else if (!closing && nlen == 3 && !strcmp(lower, "img"))
                        put_attr(out, attrs, p, "alt");
        }
}

/* tok_fn for search_tokens: appends the characters, pairs and words. */
static void json_add(void *ctx, char cls, const char *s, size_t len, uint32_t pos)
{
        (void)pos;
        if (cls == K_UNI || cls == K_BI || cls == K_WORD)
                json_array_append_new(ctx, json_stringn(s, len));
}

json_t *search_tokens(const char *text)
{
        size_t n;
        char *folded = fold(text, strlen(text), &n);
        json_t *out = json_array();
        tokenize(folded, n, json_add, out);
        free(folded);
        return out;
}
