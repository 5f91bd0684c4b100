/* search: the static search index (tokeniser, query semantics and format: search.h).
 *
 * search_put (and search_add) normalises and tokenises each document at once and keeps only
 * its record (title, URL, date, topics, kind, a short snippet) and, per token, an entry:
 * tf, title bit, positions. Each caller works in a part of the index that no other thread
 * touches meanwhile (parts come from an idle list, so there are as many as concurrent
 * callers): no lock is held while a document is tokenised and its entries are filed. A
 * part keeps a dictionary of the tokens it has seen and appends each token's entries to a
 * chain of blocks of its own, so that search_write reads every token's postings in one
 * place.
 *
 * Entries are compact (a document gap and tf in a byte or two, positions Golomb-Rice
 * coded): the index takes about what the files will.
 *
 * A rebuild need not tokenise an article's text again: search_pack gives the tokens of a
 * text in a compact form that the body cache keeps, and search_put tokenises only the
 * title and summary lines, then lists the packed tokens after them, their positions moved
 * past those lines (a line break ends every word and run, and folding never crosses one,
 * so the positions and keys are those of the whole text).
 *
 * Nor need a rebuild tokenise, or even read, a document the published index holds as it
 * is: with the previous build's memo (search_begin), a document whose ident (URL, title,
 * summary, text key) the memo lists keeps its postings there, and only documents that are
 * new or changed are tokenised. search_write numbers the documents (oldest first, see
 * doc_cmp), merges the parts' dictionaries, and writes shard by shard: a shard no change
 * touches is kept as published; any other is coded from its published files (read back
 * and checked against the memo's digests: the postings of changed and removed documents
 * dropped, those of renumbered ones renumbered, a token no change touches copied as it
 * is) and this build's entries, read from the chains, sorted by document number (they come
 * nearly sorted) and merged in. Without a memo every shard is coded from the entries. The
 * bytes do not depend on which way a shard was made: each list's coding parameters come
 * from the list alone. */
#include "search.h"
#include "digest.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <utf8proc.h>

#define WORD_MAX_CHARS 64   /* a longer Latin word is indexed by its first 64 characters */
#define SNIPPET_CHARS  100  /* characters of the default snippet kept in a record */
#define SHARD_MAX      4096 /* at most this many shard files (a power of two) */
#define CHUNK_DOCS     4    /* records per record file */
#define WORD_KEY_CHARS 2    /* a word's shard is chosen by its first characters */
#define FORMAT_VERSION 2
#define SHARD_DOCS     2          /* documents per shard the shard count aims at */
#define PARAM_BITS     5          /* bits of a list's Rice parameter, at the start of its stream */
#define NO_DOC         UINT32_MAX /* no document (a document number) */
#define SCRATCH_KEEP   (1 << 20)  /* a part keeps scratch buffers up to this size */
#define DOC_SLOTS      4096       /* slots of a document's token table to start with */
#define SLAB_BYTES     (2 << 20)  /* a part takes memory for its chains this much at a time */
#define AHEAD          8          /* tokens ahead whose memory is asked for early */
#define BLOCK_FIRST    32         /* bytes of a token's first block of entries */
#define BLOCK_MAX      1024       /* blocks grow by doubling up to this (or an entry's size) */

/* Token classes: the first byte of every key in the index. */
#define K_UNI   'u' /* one CJK character: docs only */
#define K_BI    'b' /* two CJK characters: docs and positions */
#define K_WORD  'w' /* a Latin (non-CJK) word: docs and positions */
#define K_START 's' /* a CJK character directly after a word: positions */
#define K_END   'f' /* a CJK character directly before a word: positions */
#define K_TOPIC 't' /* a topic slug: the documents of that topic */

struct dentry;

/* One document's record; the text itself is not kept. */
struct sdoc {
        char *url;               /* site-relative */
        char *title;             /* as given */
        char *date;              /* "YYYY-MM-DD" or "" */
        char *kind;              /* "article", "page", "dataset" */
        char *snippet;           /* the default snippet: the text's line after the title, cut */
        char **slugs;            /* topic slugs */
        char **names;            /* topic names, parallel to slugs */
        size_t ntopics;          /* entries in slugs and names */
        uint32_t length;         /* positions its text takes (when tokenised here) */
        uint32_t id;             /* number in the written index (search_write) */
        uint32_t old;            /* its number in the published index (memo), or NO_DOC */
        bool tokenised;          /* its entries are in its part's chains */
        unsigned char ident[32]; /* what names its tokens and record (doc_ident) */
        unsigned char *bits;     /* with a memo made and its text tokenised here: the
                                    shards its tokens are in, a bit each; else NULL */
        unsigned char *changed;  /* when it replaces document replaces of the memo (the same
                                    URL, title and summary, another text): the shards whose
                                    postings of it differ, a bit each; else NULL */
        uint32_t replaces;
};

/* A block of a token's chain of entries. An entry never straddles two blocks: a varint
 * head, (document number in the part - the previous entry's) * 8 + c, where c < 7 stands
 * for tf*2+title = c + 2 and c = 7 for a varint tf*2+title after the head; then, for
 * classes with positions, the tf position gaps (the first position, then each next one
 * minus the previous one minus one), Golomb-Rice coded with the parameter the document's
 * length gives (entry_k), up to the next byte. */
struct blk {
        struct blk *next;     /* the next block of the chain */
        size_t used;          /* bytes of data in use (set when the block is done) */
        unsigned char data[]; /* the entries */
};

/* A token in a part's dictionary. */
struct ptok {
        uint64_t head;      /* the key's first 8 bytes, zero-padded */
        size_t key;         /* offset of the key (class byte + folded text) in the key arena */
        uint32_t klen;      /* bytes in the key */
        uint32_t df;        /* documents of this part that hold it */
        uint32_t lastdoc;   /* the document of its last entry */
        uint32_t shard;     /* its shard (when the part notes shards: part->shard_mask) */
        struct blk *first;  /* its chain of entries, in the order of the documents */
        struct blk *last;   /* the chain's last block */
        unsigned char *at;  /* where the next entry goes in it */
        unsigned char *end; /* its end */
};

/* A token of the document being added. Its occurrences are in the part's list of
 * occurrences and, for a text added packed (unpack_doc), in the packed form. */
struct dtok {
        uint64_t head;  /* the key's first 8 bytes, zero-padded */
        uint64_t hash;  /* key_hash of the key */
        uint32_t key;   /* offset of the key in the part's dkeys */
        uint32_t klen;  /* bytes in the key */
        uint32_t tf;    /* occurrences in the text */
        uint32_t tok;   /* its number in the part's dictionary (part_file) */
        uint32_t gaps;  /* offset in pk of its packed positions' gaps (varints) */
        uint32_t ngaps; /* how many; their bytes end at gaps_end */
        uint32_t gaps_end;
        bool title;  /* also in the title */
        bool haspos; /* its class records positions (then it has tf of them) */
        bool packed; /* from a packed text (unpack_doc): in no slot of the document's table */
};

/* What one caller of search_add at a time builds: records, a dictionary of the tokens
 * seen and their chains of entries. */
struct part {
        struct part *next;      /* every part of the index */
        struct part *next_idle; /* parts no search_add uses at the moment */
        struct sdoc *docs;      /* the documents, in arrival order (their numbers here) */
        uint32_t *lens;         /* their lengths in positions (a copy, packed) */
        size_t ndocs, capdocs;
        struct buf keys;   /* the dictionary's keys, back to back */
        struct ptok *toks; /* the dictionary */
        size_t ntoks, captoks;
        uint64_t *slots; /* open addressing over toks: hash tag << 32 | index + 1, 0 = empty */
        size_t nslots;   /* a power of two */
        void *slabs;     /* the memory of the chains: a list of slabs, each starting with
                            the pointer to the next */
        unsigned char *free_at, *free_end; /* the unused rest of the current slab */
        uint32_t *ids;                     /* each document's number in the index (search_write) */
        bool note_shards;                  /* documents list the shards of their tokens */
        uint32_t shard_mask;               /* then: the shard count - 1 */
        /* scratch for the document being added */
        bool title_pass;    /* adding the title: mark tokens instead of counting them */
        struct buf folded;  /* folded text */
        struct buf clean;   /* text on its way to folding */
        struct buf dkeys;   /* its tokens' keys */
        struct dtok *dtoks; /* its tokens in first-seen order */
        size_t ndtoks, capdtoks;
        uint32_t *dslots;          /* open addressing over dtoks: index + 1, 0 = empty */
        size_t ndslots, capdslots; /* slots in use (a power of two), allocated */
        uint32_t *occs;            /* the tokens of the occurrences with positions, in text order */
        size_t nocc, capocc;
        struct buf opos;      /* their positions: varint differences (zigzag) to the previous */
        uint32_t olast;       /* the last one */
        struct dentry *dents; /* where each token's entry is being written (part_file) */
        size_t capdents;
        const unsigned char *pk; /* the packed form of its text (unpack_doc), or NULL */
        uint32_t pkoff;          /* the positions before that text */
};

/* A string of a memo (a topic slug or a word key), with a digest for topics. */
struct mstr {
        const char *s;           /* its bytes, in the memo */
        size_t len;              /* how many */
        const unsigned char *md; /* a topic's: the digest of its documents (topic_digest) */
};

/* The memo of a build (search_memo), as search_begin reads it: what the next build needs to
 * update that build's index in place. Pointers are into raw. */
struct memo {
        struct buf raw;             /* the bytes */
        uint32_t shards;            /* the index's shard count */
        size_t ndocs;               /* its documents */
        size_t bmbytes;             /* bytes of a document's shard bits: (shards + 7) / 8 */
        const unsigned char *files; /* per shard the SHA-256 of p/XXX.bin, then of q/XXX.bin */
        const unsigned char *docs;  /* per document, by number: its ident, then its shard bits */
        struct mstr *topics;        /* every topic slug, sorted, with its digest */
        size_t ntopics;
        struct mstr *words; /* the word keys (words.json), sorted */
        size_t nwords;
        uint32_t *table; /* open addressing over docs by ident: number + 1, 0 = empty */
        size_t tcap;     /* slots, a power of two */
};

struct search_index {
        pthread_mutex_t lock; /* guards the two lists of parts */
        struct part *parts;   /* every part */
        struct part *idle;    /* the parts not in use */
        /* set by search_begin, only read afterwards */
        bool begun;                /* search_begin was called */
        bool keyed;                /* files are written with keys and a memo is made */
        bool incremental;          /* old describes the published index: update it */
        size_t expect;             /* the documents search_begin was told of */
        uint32_t shards;           /* the shard count they give */
        unsigned char salt[32];    /* what the memo must have been made with */
        struct memo old;           /* the published index's memo (when incremental) */
        struct buf next;           /* the memo search_write made, for search_memo */
        bool next_ready;           /* next is complete */
        unsigned char given[32];   /* the checksum of the memo search_begin was given */
        bool have_given;           /* it was given one */
        struct search_stats stats; /* what search_write did */
};

/* Frees what memo_read made. */
static void memo_free(struct memo *m)
{
        buf_free(&m->raw);
        free(m->topics);
        free(m->words);
        free(m->table);
        memset(m, 0, sizeof *m);
}

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

/* A 64-bit finaliser (splitmix64): every input bit affects every output bit. */
static uint64_t mix64(uint64_t x)
{
        x ^= x >> 30;
        x *= UINT64_C(0xbf58476d1ce4e5b9);
        x ^= x >> 27;
        x *= UINT64_C(0x94d049bb133111eb);
        return x ^ (x >> 31);
}

/* Bytes of x as an unsigned LEB128 varint. */
static size_t varint_len(uint64_t x)
{
        size_t n = 1;
        while (x >= 0x80) {
                x >>= 7;
                n++;
        }
        return n;
}

/* Writes x as an unsigned LEB128 varint at d (room for 10 bytes). Returns the byte after. */
static unsigned char *varint_to(unsigned char *d, uint64_t x)
{
        while (x >= 0x80) {
                *d++ = (unsigned char)(x | 0x80);
                x >>= 7;
        }
        *d++ = (unsigned char)x;
        return d;
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

/* Reads a varint at *p (below end) and advances *p: get_varint with the one-byte case
 * inline. */
static inline uint64_t next_varint(const unsigned char **p, const unsigned char *end)
{
        if (*p < end && **p < 0x80)
                return *(*p)++;
        return get_varint(p, end);
}

/* Number of bits in x (0 for 0). */
static int bit_length(uint64_t x)
{
        return x ? 64 - __builtin_clzll(x) : 0;
}

/* floor(log2(a / b)), 0 when a < 2b: the Rice parameter for gaps of mean about a / b. */
static int rice_k(uint64_t a, uint64_t b)
{
        uint64_t x = b ? a / b : a;
        return x > 1 ? bit_length(x) - 1 : 0;
}

/* A bit stream written in place, least significant bit of each byte first, eight bytes
 * at a time: the streams of thousands of tokens grow at once, and storing a word instead
 * of a byte touches each one's memory an eighth as often. */
struct bitw {
        unsigned char *p; /* where the next eight bytes go */
        uint64_t acc;     /* bits not yet stored */
        int n;            /* how many (fewer than 64) */
};

/* Reads 8 bytes at p, the first the least significant (one load where that is the CPU's
 * order). */
static inline uint64_t load_le64(const void *p)
{
        const unsigned char *b = p;
        return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
               (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
               (uint64_t)b[7] << 56;
}

/* Stores x at p, least significant byte first. */
static inline void store_le64(unsigned char *p, uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(p, &x, 8);
#else
        for (int i = 0; i < 8; i++)
                p[i] = (unsigned char)(x >> (8 * i));
#endif
}

/* Appends the n (1 to 56) bits of v, which has no higher bits set. */
static inline void bw_put(struct bitw *w, uint64_t v, int n)
{
        w->acc |= v << w->n;
        if (w->n + n < 64) {
                w->n += n;
                return;
        }
        store_le64(w->p, w->acc);
        w->p += 8;
        w->acc = v >> (64 - w->n); /* w->n >= 8 here */
        w->n += n - 64;
}

/* Stores the bits not yet stored, the last byte padded with zeros: every token's data
 * starts on a byte boundary. */
static void bw_flush(struct bitw *w)
{
        for (; w->n > 0; w->n -= 8) {
                *w->p++ = (unsigned char)w->acc;
                w->acc >>= 8;
        }
        w->acc = 0;
        w->n = 0;
}

/* Golomb-Rice code of v with parameter k (at most 31): v >> k in unary (ones and a zero),
 * then the low k bits. A quotient of RICE_ESCAPE or more is written as RICE_ESCAPE ones
 * and 32 bits. */
#define RICE_ESCAPE 24
static inline void bw_rice(struct bitw *w, uint32_t v, int k)
{
        uint32_t q = v >> k;
        if (q >= RICE_ESCAPE) {
                bw_put(w, (UINT64_C(1) << RICE_ESCAPE) - 1, RICE_ESCAPE);
                bw_put(w, v, 32);
                return;
        }
        uint64_t low = v & ((UINT64_C(1) << k) - 1);
        bw_put(w, ((UINT64_C(1) << q) - 1) | low << (q + 1), (int)q + 1 + k);
}

/* Elias gamma code of x >= 1: bit_length(x) - 1 ones, a zero, the low bits of x. */
static inline void bw_gamma(struct bitw *w, uint32_t x)
{
        int n = bit_length(x);
        uint64_t ones = (UINT64_C(1) << (n - 1)) - 1;
        uint64_t low = x & ones;
        if (2 * n - 1 <= 56) {
                bw_put(w, ones | low << n, 2 * n - 1);
                return;
        }
        bw_put(w, ones, n);
        bw_put(w, low, n - 1);
}

/* Bits of the Rice code of v with parameter k. */
static inline uint64_t rice_len(uint32_t v, int k)
{
        uint32_t q = v >> k;
        return q >= RICE_ESCAPE ? RICE_ESCAPE + 32 : q + 1 + (uint64_t)k;
}

/* The Rice parameter of the position gaps of an entry: tf positions in a document of
 * len positions. */
static inline int entry_k(uint32_t len, uint32_t tf)
{
        return rice_k(len, (uint64_t)tf + 1);
}

/* A bit stream read from memory, least significant bit of each byte first. */
struct bitr {
        const unsigned char *p, *end; /* the bytes not yet in acc */
        uint64_t acc;                 /* bits read ahead */
        int n;                        /* how many */
};

/* Reads bytes into r->acc while it has room for one and there are any. */
static inline void br_fill(struct bitr *r)
{
        if (r->end - r->p >= 8 && r->n < 64) { /* the whole bytes that fit, one load */
                int bytes = (63 - r->n) / 8;
                r->acc |= load_le64(r->p) << r->n;
                r->p += bytes;
                r->n += 8 * bytes;
                return;
        }
        while (r->n <= 56 && r->p < r->end) {
                r->acc |= (uint64_t)*r->p++ << r->n;
                r->n += 8;
        }
}

/* Reads a value bw_rice wrote with parameter k. */
static inline uint32_t br_rice(struct bitr *r, int k)
{
        br_fill(r);
        uint64_t zeros = ~r->acc;
        int q = zeros ? __builtin_ctzll(zeros) : 64; /* the ones before the first zero */
        uint32_t v;
        if (q >= RICE_ESCAPE) {
                r->acc >>= RICE_ESCAPE;
                v = (uint32_t)r->acc;
                r->acc >>= 32;
                r->n -= RICE_ESCAPE + 32;
                return v;
        }
        r->acc >>= q + 1;
        v = (uint32_t)q << k | (uint32_t)(r->acc & ((UINT64_C(1) << k) - 1));
        r->acc >>= k;
        r->n -= q + 1 + k;
        return v;
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
static enum cls classify_slow(utf8proc_int32_t c)
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

/* classify, with ASCII and the main Han block (most characters) inline. */
static inline enum cls classify(utf8proc_int32_t c)
{
        if (c < 0x80)
                return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? C_WORD
                                                                                          : C_SEP;
        if (c >= 0x4E00 && c <= 0x9FFF)
                return C_CJK;
        return classify_slow(c);
}

/* True for the code points that NFKC and case folding leave alone or map to one ASCII
 * character (ASCII capitals, fullwidth ASCII), and that never compose with a neighbour:
 * most Chinese and English text is made only of these. */
static inline bool folds_simply(utf8proc_int32_t c)
{
        return (c > 0 && c < 0x80) || (c >= 0x4E00 && c <= 0x9FFF) ||
               (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xFF01 && c <= 0xFF5E) || c == 0x3001 ||
               c == 0x3002 || (c >= 0x3008 && c <= 0x3011) || (c >= 0x2018 && c <= 0x201D) ||
               c == 0x2014 || c == 0x00B7;
}

/* Decodes the UTF-8 character at p (n > 0 bytes left) into *c. Returns its length, or
 * what utf8proc_iterate returns for invalid UTF-8 (<= 0). ASCII and the three-byte
 * characters that cannot be overlong or surrogates (all of Han) are decoded inline. */
static inline utf8proc_ssize_t next_char(const unsigned char *p, size_t n, utf8proc_int32_t *c)
{
        if (p[0] < 0x80) {
                *c = p[0];
                return 1;
        }
        if (p[0] >= 0xE1 && p[0] <= 0xEF && p[0] != 0xED && n >= 3 && (p[1] & 0xC0) == 0x80 &&
            (p[2] & 0xC0) == 0x80) {
                *c = (p[0] & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
                return 3;
        }
        return utf8proc_iterate(p, (utf8proc_ssize_t)n, c);
}

/* Writes s (n bytes) into out (emptied first) with invalid UTF-8 replaced by U+FFFD, NUL
 * by a space, fullwidth ASCII by ASCII and ASCII capitals by small letters. Returns true
 * when every character folds simply: out is then the folded text. */
static bool clean_text(struct buf *out, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;
        bool simple = true;
        buf_reset(out);
        buf_grow(out, n); /* enough unless a byte is invalid: 1 byte becomes 3 */
        unsigned char *d = (unsigned char *)out->data;
        size_t i = 0;
        while (i < n) {
                unsigned char b = p[i];
                if (b < 0x80) {
                        *d++ = b == 0 ? ' ' : (b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b;
                        i++;
                        continue;
                }
                utf8proc_int32_t c;
                utf8proc_ssize_t k = next_char(p + i, n - i, &c);
                if (k <= 0) {
                        out->len = (size_t)(d - (unsigned char *)out->data);
                        buf_grow(out, n - i + 2);
                        d = (unsigned char *)out->data + out->len;
                        memcpy(d, "\xEF\xBF\xBD", 3);
                        d += 3;
                        simple = false;
                        i++;
                        continue;
                }
                if (simple && !folds_simply(c))
                        simple = false;
                if (c >= 0xFF01 && c <= 0xFF5E) {
                        c -= 0xFEE0; /* fullwidth ASCII */
                        *d++ = (unsigned char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
                } else if (k == 3) {
                        d[0] = p[i], d[1] = p[i + 1], d[2] = p[i + 2];
                        d += 3;
                } else {
                        memcpy(d, p + i, (size_t)k);
                        d += k;
                }
                i += (size_t)k;
        }
        out->len = (size_t)(d - (unsigned char *)out->data);
        out->data[out->len] = '\0';
        return simple;
}

/* Writes into out (emptied first) the NFKC normalisation and case folding of clean text s
 * (n bytes, valid UTF-8). utf8proc sees only the runs of characters that do not fold
 * simply, each with the character before it: a character that folds simply maps to itself,
 * is a starter and is never the second of a composition, so neither composition nor
 * canonical reordering crosses the place just before it, and mapping the pieces gives the
 * bytes mapping the whole text gives. On an error of utf8proc out is left empty, as when
 * the whole text fails, and -1 is returned; else 0. */
static int fold_pieces(struct buf *out, const char *s, size_t n)
{
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
        size_t i = 0, done = 0, prev = 0; /* s[done, i) is copied as is; prev: the last start */
        buf_reset(out);
        while (i < n) {
                utf8proc_int32_t c;
                utf8proc_ssize_t k = next_char(p + i, n - i, &c);
                if (k <= 0 || folds_simply(c)) {
                        prev = i;
                        i += k > 0 ? (size_t)k : 1;
                        continue;
                }
                size_t start = i ? prev : 0;
                while (i < n && ((k = next_char(p + i, n - i, &c)) <= 0 || !folds_simply(c)))
                        i += k > 0 ? (size_t)k : 1;
                buf_put(out, s + done, start - done);
                utf8proc_uint8_t *m = NULL;
                utf8proc_ssize_t r = utf8proc_map(p + start, (utf8proc_ssize_t)(i - start), &m,
                                                  UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                      UTF8PROC_CASEFOLD | UTF8PROC_STABLE);
                if (r < 0) {
                        free(m);
                        buf_reset(out);
                        return -1;
                }
                buf_put(out, m, (size_t)r);
                free(m);
                done = i;
        }
        buf_put(out, s + done, n - done);
        return 0;
}

/* Writes into out (emptied first) s (n bytes) NFKC-normalised and case-folded, invalid
 * UTF-8 replaced by U+FFFD, NUL by a space, and followed by 8 zero bytes (besides the
 * NUL). Text made only of characters that fold simply is folded here; the other
 * characters go through utf8proc. tmp is scratch space. Returns 0, or -1 when utf8proc
 * failed (out is then empty). */
static int fold(struct buf *out, struct buf *tmp, const char *s, size_t n)
{
        int rc = 0;
        if (!clean_text(out, s, n)) {
                struct buf t = *tmp;
                *tmp = *out;
                *out = t;
                rc = fold_pieces(out, tmp->data, tmp->len);
        }
        buf_grow(out, 8); /* 8 zero bytes after the text, for the tokeniser */
        memset(out->data + out->len, 0, 9);
        return rc;
}

/* Receives one token: class, folded text, position (for classes that have one). The 8
 * bytes at s can be read, whatever len. */
typedef void (*tok_fn)(void *ctx, char cls, const char *s, size_t len, uint32_t pos);

/* The tokeniser over folded UTF-8: CJK runs give each character (K_UNI) and each pair of
 * neighbours (K_BI); other letters, digits and marks form words (K_WORD), cut at
 * WORD_MAX_CHARS; a CJK run that touches a word gives K_START / K_END. Positions count
 * CJK characters, words and separator runs, so that two tokens are adjacent in the text
 * exactly when their positions are consecutive. Calls fn for each token in text order;
 * returns the number of positions. s is followed by 8 bytes that can be read (fold's
 * padding). Inlined, so that each caller's fn is called directly. */
static inline __attribute__((always_inline)) uint32_t tokenize(const char *s, size_t n, tok_fn fn,
                                                               void *ctx)
{
        const unsigned char *p = (const unsigned char *)s;
        enum cls prev = C_SEP;
        /* with 8 bytes to spare: fn may read 8 bytes at any token (see tok_fn) */
        char pc[8] = {0}, pair[16] = {0}, word[WORD_MAX_CHARS * 4 + 8] = {0};
        size_t pclen = 0, wlen = 0, wchars = 0;
        uint32_t pos = 0;
        size_t i = 0;
        while (i < n) {
                utf8proc_int32_t c;
                utf8proc_ssize_t k = next_char(p + i, n - i, &c);
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
                                memcpy(pair, pc, 4); /* k <= 4, and s is padded */
                                memcpy(pair + pclen, cs, 4);
                                fn(ctx, K_BI, pair, pclen + (size_t)k, pos - 1);
                        }
                        memcpy(pc, cs, 4);
                        pclen = (size_t)k;
                        pos++;
                } else if (cl == C_WORD) {
                        if (prev == C_CJK)
                                fn(ctx, K_END, pc, pclen, pos - 1);
                        if (prev != C_WORD)
                                wlen = wchars = 0;
                        if (wchars < WORD_MAX_CHARS) {
                                memcpy(word + wlen, cs, 4);
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

/* True when tokens of this class carry positions. */
static bool has_positions(char cls)
{
        return cls == K_BI || cls == K_WORD || cls == K_START || cls == K_END;
}

/* Returns the first eight bytes of k (n bytes; fewer are zero-padded) as a number. */
static uint64_t key_head(const char *k, size_t n)
{
        uint64_t h = 0;
        for (size_t i = 0; i < n && i < 8; i++)
                h |= (uint64_t)(unsigned char)k[i] << (8 * i);
        return h;
}

/* The bytes of key (klen bytes) that choose its shard: a word's class byte and first
 * WORD_KEY_CHARS characters (so that every word with a given prefix is in one shard), else
 * the whole key. */
static size_t key_shard_len(const char *key, size_t klen)
{
        if (key[0] != K_WORD)
                return klen;
        size_t i = 1;
        for (int chars = 0; i < klen && chars < WORD_KEY_CHARS; chars++) {
                i++;
                while (i < klen && ((unsigned char)key[i] & 0xC0) == 0x80)
                        i++;
        }
        return i;
}

/* The shard of key (klen bytes) among mask + 1 shards (a power of two). */
static uint32_t key_shard(const char *key, size_t klen, uint32_t mask)
{
        return fnv1a(key, key_shard_len(key, klen)) & mask;
}

/* Returns a hash of a key of n bytes for the in-memory tables, eight bytes at a time
 * (FNV-1a, which the files need, takes a multiplication per byte): head is its key_head,
 * rest its bytes after the eighth. */
static inline __attribute__((always_inline)) uint64_t key_hash(uint64_t head, size_t n,
                                                               const char *rest)
{
        uint64_t h = mix64(head ^ ((uint64_t)n << 56) ^ UINT64_C(0x9e3779b97f4a7c15));
        for (size_t i = 8; i < n; i += 8)
                h = mix64(h ^ key_head(rest + i - 8, n - i));
        return h;
}

/* Returns the number + 1 of the document's token with a key of klen bytes (head and hash
 * as key_head and key_hash give, rest its bytes after the eighth), 0 when it has none yet;
 * *slot is where it is or would go. */
static inline uint32_t doc_find(const struct part *p, const char *rest, uint32_t klen,
                                uint64_t head, uint64_t hash, size_t *slot)
{
        size_t mask = p->ndslots - 1, j = (size_t)hash & mask;
        for (;; j = (j + 1) & mask) {
                uint32_t v = p->dslots[j];
                if (!v)
                        break;
                const struct dtok *t = &p->dtoks[v - 1];
                if (t->hash == hash && t->klen == klen && t->head == head &&
                    (klen <= 8 || !memcmp(p->dkeys.data + t->key + 8, rest, klen - 8))) {
                        *slot = j;
                        return v;
                }
        }
        *slot = j;
        return 0;
}

/* Empties the document's token table for the next document. */
static void doc_reset(struct part *p)
{
        p->ndtoks = p->nocc = 0;
        p->pk = NULL;
        p->pkoff = 0;
        buf_reset(&p->opos);
        p->olast = 0;
        buf_reset(&p->dkeys);
        p->ndslots = DOC_SLOTS;
        if (p->capdslots < p->ndslots) {
                free(p->dslots);
                p->capdslots = p->ndslots;
                p->dslots = xmalloc(p->capdslots * sizeof *p->dslots);
        }
        memset(p->dslots, 0, p->ndslots * sizeof *p->dslots);
}

/* Doubles the slots of the document's token table and puts every token back. */
static void doc_grow(struct part *p)
{
        p->ndslots *= 2;
        if (p->capdslots < p->ndslots) {
                free(p->dslots);
                p->capdslots = p->ndslots;
                p->dslots = xmalloc(p->capdslots * sizeof *p->dslots);
        }
        memset(p->dslots, 0, p->ndslots * sizeof *p->dslots);
        size_t mask = p->ndslots - 1;
        for (size_t i = 0; i < p->ndtoks; i++) {
                if (p->dtoks[i].packed)
                        continue;
                size_t j = (size_t)p->dtoks[i].hash & mask;
                while (p->dslots[j])
                        j = (j + 1) & mask;
                p->dslots[j] = (uint32_t)(i + 1);
        }
}

/* Adds a token the document does not have yet (key: class cls and the len bytes at s;
 * slot from doc_find). Returns its number + 1. */
static uint32_t doc_add(struct part *p, char cls, const char *s, uint32_t len, uint64_t head,
                        uint64_t hash, size_t slot)
{
        if ((p->ndtoks + 1) * 2 > p->ndslots) {
                doc_grow(p);
                (void)doc_find(p, s + 7, len + 1, head, hash, &slot);
        }
        if (p->ndtoks == p->capdtoks) {
                p->capdtoks = p->capdtoks ? p->capdtoks * 2 : 1024;
                p->dtoks = xrealloc(p->dtoks, p->capdtoks * sizeof *p->dtoks);
        }
        p->dtoks[p->ndtoks] = (struct dtok){.head = head,
                                            .hash = hash,
                                            .key = (uint32_t)p->dkeys.len,
                                            .klen = len + 1,
                                            .haspos = has_positions(cls)};
        buf_grow(&p->dkeys, len + 1);
        p->dkeys.data[p->dkeys.len] = cls;
        memcpy(p->dkeys.data + p->dkeys.len + 1, s, len);
        p->dkeys.len += len + 1;
        p->dkeys.data[p->dkeys.len] = '\0';
        p->dslots[slot] = (uint32_t)++p->ndtoks;
        return (uint32_t)p->ndtoks;
}

/* Notes an occurrence at pos of the document's token dtok (one of a class with positions).
 * Inlined: it runs for every occurrence. */
static inline __attribute__((always_inline)) void note_occurrence(struct part *p, uint32_t dtok,
                                                                  uint32_t pos)
{
        if (p->nocc == p->capocc) {
                p->capocc = p->capocc ? p->capocc * 2 : 4096;
                p->occs = xrealloc(p->occs, p->capocc * sizeof *p->occs);
        }
        p->occs[p->nocc++] = dtok;
        /* positions barely move from one occurrence to the next: a byte each, mostly */
        int64_t d = (int64_t)pos - p->olast;
        if (p->opos.cap - p->opos.len < 11)
                buf_grow(&p->opos, 10);
        unsigned char *o = (unsigned char *)p->opos.data + p->opos.len;
        o = varint_to(o, d < 0 ? ((uint64_t)-d << 1) - 1 : (uint64_t)d << 1);
        p->opos.len = (size_t)(o - (unsigned char *)p->opos.data);
        p->opos.data[p->opos.len] = '\0';
        p->olast = pos;
}

/* tok_fn for a document: counts tf and notes positions in the part's scratch (or, for the
 * title, marks the document's tokens it holds). */
static inline __attribute__((always_inline)) void part_token(void *ctx, char cls, const char *s,
                                                             size_t len, uint32_t pos)
{
        struct part *p = ctx;
        /* the key is cls and s: its first 8 bytes from one load (s is padded) */
        uint32_t klen = (uint32_t)len + 1;
        uint64_t low = load_le64(s);
        if (len < 7)
                low &= (UINT64_C(1) << (8 * len)) - 1;
        uint64_t head = (unsigned char)cls | low << 8, hash = key_hash(head, klen, s + 7);
        size_t slot;
        uint32_t v = doc_find(p, s + 7, klen, head, hash, &slot);
        if (p->title_pass) {
                if (v)
                        p->dtoks[v - 1].title = true;
                return;
        }
        if (!v)
                v = doc_add(p, cls, s, (uint32_t)len, head, hash, slot);
        p->dtoks[v - 1].tf++;
        if (cls == K_UNI)
                return;
        note_occurrence(p, v - 1, pos);
}

/* Doubles the slots of p's dictionary and puts every token back. */
static void dict_grow(struct part *p)
{
        free(p->slots);
        p->nslots *= 2;
        p->slots = xcalloc(p->nslots, sizeof *p->slots);
        size_t mask = p->nslots - 1;
        for (size_t i = 0; i < p->ntoks; i++) {
                const struct ptok *t = &p->toks[i];
                uint64_t h = key_hash(t->head, t->klen, p->keys.data + t->key + 8);
                size_t j = (size_t)h & mask;
                while (p->slots[j])
                        j = (j + 1) & mask;
                p->slots[j] = (h >> 32 << 32) | (i + 1);
        }
}

/* Returns the number of document token d's token (key its key) in p's dictionary, added
 * when new. */
static uint32_t dict_get(struct part *p, const struct dtok *d, const char *key)
{
        if ((p->ntoks + 1) * 2 > p->nslots)
                dict_grow(p);
        size_t mask = p->nslots - 1, j = (size_t)d->hash & mask;
        uint64_t tag = d->hash >> 32 << 32;
        for (;; j = (j + 1) & mask) {
                uint64_t v = p->slots[j];
                if (!v)
                        break;
                if ((v >> 32 << 32) != tag)
                        continue;
                const struct ptok *t = &p->toks[(uint32_t)v - 1];
                if (t->klen == d->klen && t->head == d->head &&
                    (d->klen <= 8 || !memcmp(p->keys.data + t->key + 8, key + 8, d->klen - 8)))
                        return (uint32_t)v - 1;
        }
        if (p->ntoks == p->captoks) {
                p->captoks = p->captoks ? p->captoks * 2 : 1024;
                p->toks = xrealloc(p->toks, p->captoks * sizeof *p->toks);
        }
        p->toks[p->ntoks] = (struct ptok){.head = d->head, .key = p->keys.len, .klen = d->klen};
        if (p->note_shards)
                p->toks[p->ntoks].shard = key_shard(key, d->klen, p->shard_mask);
        buf_put(&p->keys, key, d->klen);
        p->slots[j] = tag | ++p->ntoks;
        return (uint32_t)p->ntoks - 1;
}

/* Returns a slab of size bytes, aligned on SLAB_BYTES when it is that large, and then in
 * huge pages where the system gives them on request: the chains' writes land anywhere in
 * tens of megabytes, and a page fault or a TLB miss for every 4 KB of them cost as much
 * as the writes. Freed with free(). */
static void *slab_new(size_t size)
{
        void *m = NULL;
        if (size != SLAB_BYTES)
                return xmalloc(size);
        if (posix_memalign(&m, SLAB_BYTES, size))
                return xmalloc(size);
#ifdef MADV_HUGEPAGE
        (void)madvise(m, size, MADV_HUGEPAGE); /* a hint: without it, 4 KB pages */
#endif
        return m;
}

/* Returns n bytes (a multiple of 8) of p's chain memory, freed with the part. */
static void *slab_alloc(struct part *p, size_t n)
{
        if ((size_t)(p->free_end - p->free_at) < n) {
                size_t size = n > SLAB_BYTES / 4 ? sizeof(void *) + n : SLAB_BYTES;
                void **slab = slab_new(size);
                *slab = p->slabs;
                p->slabs = slab;
                if (n > SLAB_BYTES / 4) /* a block of its own: keep the current slab */
                        return slab + 1;
                p->free_at = (unsigned char *)(slab + 1);
                p->free_end = (unsigned char *)slab + size;
        }
        void *r = p->free_at;
        p->free_at += n;
        return r;
}

/* Returns room for an entry of n bytes at the end of t's chain: a new block when the last
 * one has not that much left, twice as large as that one up to BLOCK_MAX. */
static unsigned char *chain_room(struct part *p, struct ptok *t, size_t n)
{
        if ((size_t)(t->end - t->at) >= n)
                return t->at;
        size_t prev = t->last ? (size_t)(t->end - t->last->data) : 0;
        size_t cap = !prev ? BLOCK_FIRST : prev >= BLOCK_MAX / 2 ? BLOCK_MAX : prev * 2;
        if (cap < n)
                cap = (n + 7) & ~(size_t)7;
        struct blk *nb = slab_alloc(p, sizeof *nb + cap);
        nb->next = NULL;
        nb->used = 0;
        if (t->last) {
                t->last->used = (size_t)(t->at - t->last->data);
                t->last->next = nb;
        } else {
                t->first = nb;
        }
        t->last = nb;
        t->at = nb->data;
        t->end = nb->data + cap;
        return t->at;
}

/* Where the entry of a document token is being written (part_file). */
struct dentry {
        struct bitw w; /* its position gaps' bits (second pass) */
        uint64_t bits; /* how many they take (first pass) */
        uint32_t last; /* its last position (UINT32_MAX: none yet) */
        int k;         /* their Rice parameter */
};

/* Starts the entry of document token d (doc: its document's number in the part) at the end
 * of t's chain: sizes it from the gaps between the positions of the document's
 * occurrences, writes the head and leaves e ready for the gaps (format: struct blk). */
static void start_entry(struct part *p, struct ptok *t, const struct dtok *d, uint32_t doc,
                        struct dentry *e)
{
        uint64_t tf2 = (uint64_t)d->tf * 2 + d->title;
        uint64_t head = (uint64_t)(doc - t->lastdoc) * 8 + (tf2 - 2 < 7 ? tf2 - 2 : 7);
        size_t len =
            varint_len(head) + (tf2 - 2 < 7 ? 0 : varint_len(tf2)) + (size_t)((e->bits + 7) / 8);
        unsigned char *o = varint_to(chain_room(p, t, len), head);
        if (tf2 - 2 >= 7)
                o = varint_to(o, tf2);
        e->w = (struct bitw){o, 0, 0};
        e->last = UINT32_MAX;
        t->lastdoc = doc;
        t->df++;
}

/* Returns the position after prev that the varint (zigzag) at *q gives; advances *q. */
static inline uint32_t next_pos(const unsigned char **q, uint32_t prev)
{
        uint64_t z = next_varint(q, *q + 10);
        return z & 1 ? prev - (uint32_t)((z + 1) >> 1) : prev + (uint32_t)(z >> 1);
}

/* First pass over the document's occurrences: the Rice parameter, and the bits the
 * position gaps take, of each token's entry (doc: the document's number in the part). */
static void size_entries(struct part *p, uint32_t doc)
{
        if (p->ndtoks > p->capdents) {
                free(p->dents);
                p->capdents = p->ndtoks;
                p->dents = xmalloc(p->capdents * sizeof *p->dents);
        }
        for (size_t i = 0; i < p->ndtoks; i++)
                p->dents[i] =
                    (struct dentry){.last = UINT32_MAX, .k = entry_k(p->lens[doc], p->dtoks[i].tf)};
        const unsigned char *q = (const unsigned char *)p->opos.data;
        uint32_t pos = 0;
        for (size_t i = 0; i < p->nocc; i++) {
                struct dentry *x = &p->dents[p->occs[i]];
                pos = next_pos(&q, pos);
                x->bits += rice_len(pos - x->last - 1, x->k); /* the first: pos */
                x->last = pos;
        }
        if (!p->pk)
                return;
        /* a packed text's positions come after those in the list, each token's together:
         * gaps already, but for the first one */
        for (size_t i = 0; i < p->ndtoks; i++) {
                const struct dtok *t = &p->dtoks[i];
                struct dentry *x = &p->dents[i];
                const unsigned char *g = p->pk + t->gaps, *end = p->pk + t->gaps_end;
                for (uint32_t j = 0; j < t->ngaps; j++) {
                        uint32_t v = (uint32_t)next_varint(&g, end);
                        x->bits += rice_len(j ? v : p->pkoff + v - x->last - 1, x->k);
                }
        }
}

/* Finds (or adds) every token of the document in p's dictionary. Each one's entry there is,
 * for all but the most frequent tokens, out of cache: the slots and entries of the tokens
 * a few ahead are asked for early. */
static void find_tokens(struct part *p)
{
        size_t n = p->ndtoks;
        for (size_t i = 0; i < n; i++) {
                if (i + 2 * AHEAD < n)
                        __builtin_prefetch(
                            &p->slots[p->dtoks[i + 2 * AHEAD].hash & (p->nslots - 1)]);
                if (i + AHEAD < n) {
                        uint64_t v = p->slots[p->dtoks[i + AHEAD].hash & (p->nslots - 1)];
                        if (v)
                                __builtin_prefetch(&p->toks[(uint32_t)v - 1]);
                }
                p->dtoks[i].tok = dict_get(p, &p->dtoks[i], p->dkeys.data + p->dtoks[i].key);
        }
}

/* Second pass over the document's occurrences: writes the position gaps into the entries
 * start_entry began, and ends them. */
static void write_gaps(struct part *p)
{
        const unsigned char *q = (const unsigned char *)p->opos.data;
        uint32_t pos = 0;
        for (size_t i = 0; i < p->nocc; i++) {
                struct dentry *x = &p->dents[p->occs[i]];
                pos = next_pos(&q, pos);
                bw_rice(&x->w, pos - x->last - 1, x->k);
                x->last = pos;
        }
        for (size_t i = 0; i < p->ndtoks; i++) {
                const struct dtok *t = &p->dtoks[i];
                struct dentry *x = &p->dents[i];
                if (p->pk) { /* as size_entries reads them */
                        const unsigned char *g = p->pk + t->gaps, *end = p->pk + t->gaps_end;
                        for (uint32_t j = 0; j < t->ngaps; j++) {
                                uint32_t v = (uint32_t)next_varint(&g, end);
                                bw_rice(&x->w, j ? v : p->pkoff + v - x->last - 1, x->k);
                        }
                }
                bw_flush(&p->dents[i].w);
                p->toks[p->dtoks[i].tok].at = p->dents[i].w.p;
        }
}

/* Files the entries of the document just tokenised in p (its number in the part: doc),
 * one per token, at the ends of the tokens' chains, and sets in bits (when not NULL) the
 * shards of its tokens. The positions go from the list of occurrences straight into the
 * entries, in two passes: one to size them, one to write. */
static void part_file(struct part *p, uint32_t doc, unsigned char *bits)
{
        size_entries(p, doc);
        find_tokens(p);
        for (size_t i = 0; bits && i < p->ndtoks; i++) {
                uint32_t sh = p->toks[p->dtoks[i].tok].shard;
                bits[sh / 8] |= (unsigned char)(1u << (sh % 8));
        }
        for (size_t i = 0; i < p->ndtoks; i++) {
                /* the ends of the chains, out of cache too */
                if (i + AHEAD < p->ndtoks)
                        __builtin_prefetch(p->toks[p->dtoks[i + AHEAD].tok].at, 1);
                start_entry(p, &p->toks[p->dtoks[i].tok], &p->dtoks[i], doc, &p->dents[i]);
        }
        write_gaps(p);
}

/* Returns a new empty part. Caller frees with part_free. */
static struct part *part_new(void)
{
        struct part *p = xcalloc(1, sizeof *p);
        p->nslots = 1024;
        p->slots = xcalloc(p->nslots, sizeof *p->slots);
        return p;
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
        free(d->bits);
        free(d->changed);
}

/* Frees p's dictionary (not the keys: the index's tokens and the word keys written last
 * point into them). Megabytes, of no use once merge_tokens has listed every token's
 * chains. */
static void part_drop_dictionary(struct part *p)
{
        free(p->toks);
        free(p->slots);
        p->toks = NULL;
        p->slots = NULL;
        p->ntoks = p->captoks = p->nslots = 0;
}

/* Frees p's chains of entries and its dictionary. The largest part of the index's
 * memory, and of no use once the shards are coded. */
static void part_drop_chains(struct part *p)
{
        while (p->slabs) {
                void *next = *(void **)p->slabs;
                free(p->slabs);
                p->slabs = next;
        }
        p->free_at = p->free_end = NULL;
        part_drop_dictionary(p);
}

/* Frees a part and everything it holds. */
static void part_free(struct part *p)
{
        for (size_t i = 0; i < p->ndocs; i++)
                sdoc_free(&p->docs[i]);
        free(p->docs);
        free(p->lens);
        buf_free(&p->keys);
        part_drop_chains(p);
        free(p->ids);
        buf_free(&p->folded);
        buf_free(&p->clean);
        buf_free(&p->dkeys);
        free(p->dtoks);
        free(p->dslots);
        free(p->occs);
        buf_free(&p->opos);
        free(p->dents);
        free(p);
}

/* Returns a part no other search_add is using, made when all are busy. The caller gives it
 * back with part_give. */
static struct part *part_take(struct search_index *s)
{
        pthread_mutex_lock(&s->lock);
        struct part *p = s->idle;
        if (p) {
                s->idle = p->next_idle;
        } else {
                p = part_new();
                p->next = s->parts;
                s->parts = p;
        }
        pthread_mutex_unlock(&s->lock);
        return p;
}

/* Puts a part taken with part_take back on the idle list. */
static void part_give(struct search_index *s, struct part *p)
{
        pthread_mutex_lock(&s->lock);
        p->next_idle = s->idle;
        s->idle = p;
        pthread_mutex_unlock(&s->lock);
}

struct search_index *search_new(void)
{
        struct search_index *s = xcalloc(1, sizeof *s);
        pthread_mutex_init(&s->lock, NULL);
        return s;
}

void search_free(struct search_index *s)
{
        if (!s)
                return;
        while (s->parts) {
                struct part *p = s->parts;
                s->parts = p->next;
                part_free(p);
        }
        memo_free(&s->old);
        buf_free(&s->next);
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

/* Fills a record's fields (all but its length and number). */
static void make_record(struct sdoc *d, const char *url, const char *title, const char *date,
                        json_t *topics, const char *kind, const char *text)
{
        d->url = xstrdup(url ? url : "");
        d->title = xstrdup(title);
        d->date = xstrdup(date ? date : "");
        d->kind = xstrdup(kind ? kind : "page");
        d->snippet = make_snippet(text, title);
        size_t nt = json_is_array(topics) ? json_array_size(topics) : 0;
        d->slugs = xcalloc(nt, sizeof *d->slugs);
        d->names = xcalloc(nt, sizeof *d->names);
        for (size_t i = 0; i < nt; i++) {
                json_t *o = json_array_get(topics, i);
                const char *slug = json_string_value(json_object_get(o, "slug"));
                const char *name = json_string_value(json_object_get(o, "name"));
                if (!slug)
                        continue;
                d->slugs[d->ntopics] = xstrdup(slug);
                d->names[d->ntopics++] = xstrdup(name ? name : slug);
        }
}

/* Frees what a part's scratch holds beyond SCRATCH_KEEP bytes (after a huge document). */
static void part_trim(struct part *p)
{
        if (p->folded.cap > SCRATCH_KEEP)
                buf_free(&p->folded);
        if (p->clean.cap > SCRATCH_KEEP)
                buf_free(&p->clean);
        if (p->dkeys.cap > SCRATCH_KEEP)
                buf_free(&p->dkeys);
        if (p->capdtoks * sizeof *p->dtoks > SCRATCH_KEEP) {
                free(p->dtoks);
                p->dtoks = NULL;
                p->capdtoks = p->ndtoks = 0;
        }
        if (p->capdslots * sizeof *p->dslots > SCRATCH_KEEP) {
                free(p->dslots);
                p->dslots = NULL;
                p->capdslots = 0;
        }
        if (p->capocc * sizeof *p->occs > SCRATCH_KEEP) {
                free(p->occs);
                p->occs = NULL;
                p->capocc = p->nocc = 0;
        }
        if (p->opos.cap > SCRATCH_KEEP)
                buf_free(&p->opos);
        if (p->capdents * sizeof *p->dents > SCRATCH_KEEP) {
                free(p->dents);
                p->dents = NULL;
                p->capdents = 0;
        }
}

/* ---- packed tokens: a text's tokens kept between builds (search_pack) ----
 * PACK_MAGIC, varint positions of the text, then the tokens of the document's table:
 * varint count of its single CJK characters (K_UNI), each as its UTF-8 bytes and varint
 * tf; varint count of the other tokens, each as its class byte, its text (a pair, K_BI:
 * the varint numbers of its two characters among the K_UNI tokens; K_START and K_END: the
 * number of the character; a word: varint length and bytes), varint tf, and the varint
 * byte count of tf varints: the first position, then each next one minus the previous
 * one minus one (what the entry's Rice codes hold). Pairs are most of a text's tokens:
 * naming their characters by number instead of spelling them saves a third of the form.
 * Reading it back costs no folding, decoding or hashing per occurrence. */
#define PACK_MAGIC 0xB2 /* not a byte UTF-8 text starts with */

/* Appends x to b as a varint. */
static void put_varint(struct buf *b, uint64_t x)
{
        buf_grow(b, 10);
        unsigned char *d = varint_to((unsigned char *)b->data + b->len, x);
        b->len = (size_t)(d - (unsigned char *)b->data);
        b->data[b->len] = '\0';
}

/* Bytes of the UTF-8 character whose first byte is c, 0 when c cannot start one. */
static size_t utf8_len(unsigned char c)
{
        return c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
}

/* The number + 1 of the document's K_UNI token for the character at s (n bytes, at most
 * 4) in p's table, 0 when it has none. */
static uint32_t uni_find(const struct part *p, const char *s, size_t n)
{
        char key[8] = {K_UNI};
        memcpy(key + 1, s, n);
        uint64_t head = key_head(key, n + 1);
        size_t slot;
        return doc_find(p, key, (uint32_t)n + 1, head, key_hash(head, n + 1, key), &slot);
}

/* Appends the packed form of the document in p's token table (len positions) to out.
 * Returns 0, or -1 when a character of a token has no K_UNI token (out is then as it
 * was; the tokeniser gives every CJK character one). */
static int pack_doc(const struct part *p, uint32_t len, struct buf *out)
{
        int rc = -1;
        size_t start = out->len, nuni = 0;
        /* each token's positions together: their slots by counting, then in text order */
        size_t *at = xcalloc(p->ndtoks + 1, sizeof *at);
        uint32_t *pos = xcalloc(p->nocc ? p->nocc : 1, sizeof *pos);
        uint32_t *num = xcalloc(p->ndtoks ? p->ndtoks : 1, sizeof *num); /* K_UNI numbers */
        for (size_t i = 0; i < p->ndtoks; i++) {
                at[i + 1] = at[i] + (p->dtoks[i].haspos ? p->dtoks[i].tf : 0);
                if (p->dkeys.data[p->dtoks[i].key] == K_UNI)
                        num[i] = (uint32_t)nuni++;
        }
        const unsigned char *q = (const unsigned char *)p->opos.data;
        uint32_t x = 0;
        for (size_t i = 0; i < p->nocc; i++) {
                x = next_pos(&q, x);
                pos[at[p->occs[i]]++] = x;
        }
        buf_putc(out, (char)PACK_MAGIC);
        put_varint(out, len);
        put_varint(out, nuni);
        for (size_t i = 0; i < p->ndtoks; i++) {
                const struct dtok *t = &p->dtoks[i];
                if (p->dkeys.data[t->key] != K_UNI)
                        continue;
                buf_put(out, p->dkeys.data + t->key + 1, t->klen - 1);
                put_varint(out, t->tf);
        }
        put_varint(out, p->ndtoks - nuni);
        struct buf gaps = {0};
        for (size_t i = 0; i < p->ndtoks; i++) {
                const struct dtok *t = &p->dtoks[i];
                const char *key = p->dkeys.data + t->key;
                if (key[0] == K_UNI)
                        continue;
                buf_putc(out, key[0]);
                if (key[0] == K_WORD) {
                        put_varint(out, t->klen - 1);
                        buf_put(out, key + 1, t->klen - 1);
                } else { /* its characters' numbers */
                        for (size_t c = 1, n; c < t->klen; c += n) {
                                n = utf8_len((unsigned char)key[c]);
                                uint32_t v = n && n <= t->klen - c ? uni_find(p, key + c, n) : 0;
                                if (!v)
                                        goto out;
                                put_varint(out, num[v - 1]);
                        }
                }
                put_varint(out, t->tf);
                const uint32_t *tp = pos + at[i] - t->tf; /* at[i] is now its end */
                buf_reset(&gaps);
                for (uint32_t j = 0; j < t->tf; j++)
                        put_varint(&gaps, j ? tp[j] - tp[j - 1] - 1 : tp[j]);
                put_varint(out, gaps.len);
                buf_put(out, gaps.data, gaps.len);
        }
        rc = 0;
out:
        if (rc < 0 && out->data) {
                out->len = start;
                out->data[start] = '\0';
        }
        buf_free(&gaps);
        free(num);
        free(at);
        free(pos);
        return rc;
}

int search_pack(struct search_index *s, struct buf *out, const char *text)
{
        struct part *p = part_take(s);
        doc_reset(p);
        int rc = fold(&p->folded, &p->clean, text, strlen(text));
        if (rc == 0) {
                p->title_pass = false;
                uint32_t len = tokenize(p->folded.data, p->folded.len, part_token, p);
                rc = pack_doc(p, len, out);
        }
        part_trim(p);
        part_give(s, p);
        return rc;
}

/* Adds to the document in p's table the packed token whose key is cls, na bytes at a
 * (in p->pk when a_in_pk, else in p->dkeys) and nb bytes at b in p->dkeys, with tf
 * occurrences whose gaps are p->pk[gaps, gaps_end); a token the table has (from the title
 * or summary) gets them added. Returns the token's number, or -1 when its tf overflows. */
static int64_t packed_token(struct part *p, char cls, size_t a, size_t na, bool a_in_pk, size_t b,
                            size_t nb, uint64_t tf, size_t gaps, size_t gaps_end)
{
        size_t klen = 1 + na + nb;
        buf_grow(&p->dkeys, klen); /* first: the bytes may lie in dkeys */
        char *key = p->dkeys.data + p->dkeys.len;
        key[0] = cls;
        memcpy(key + 1, a_in_pk ? (const char *)p->pk + a : p->dkeys.data + a, na);
        memcpy(key + 1 + na, p->dkeys.data + b, nb);
        key[klen] = '\0';
        struct dtok t = {.head = key_head(key, klen),
                         .key = (uint32_t)p->dkeys.len,
                         .klen = (uint32_t)klen,
                         .tf = (uint32_t)tf,
                         .gaps = (uint32_t)gaps,
                         .ngaps = cls != K_UNI ? (uint32_t)tf : 0,
                         .gaps_end = (uint32_t)gaps_end,
                         .haspos = cls != K_UNI,
                         .packed = true};
        const char *rest = klen > 8 ? key + 8 : key; /* the bytes after the eighth */
        t.hash = key_hash(t.head, klen, rest);
        size_t slot;
        uint32_t v = doc_find(p, rest, t.klen, t.head, t.hash, &slot);
        if (v) {
                struct dtok *d = &p->dtoks[v - 1];
                if (d->tf > UINT32_MAX - t.tf)
                        return -1;
                d->tf += t.tf;
                d->gaps = t.gaps;
                d->ngaps = t.ngaps;
                d->gaps_end = t.gaps_end;
                return (int64_t)v - 1;
        }
        p->dkeys.len += klen;
        if (p->ndtoks == p->capdtoks) {
                p->capdtoks = p->capdtoks ? p->capdtoks * 2 : 1024;
                p->dtoks = xrealloc(p->dtoks, p->capdtoks * sizeof *p->dtoks);
        }
        p->dtoks[p->ndtoks] = t;
        return (int64_t)p->ndtoks++;
}

/* Adds to the document in p's token table (its first off positions: the title and summary
 * lines) the tokens packed at pk (n bytes; kept until part_file), and sets *len to off +
 * the text's positions. A token the table has gets the packed occurrences too; the others
 * (most) are only listed: the title pass finds none of them, its tokens all being in the
 * first line. Returns 0, or -1 when the packed form is damaged. */
static int unpack_doc(struct part *p, const unsigned char *pk, size_t n, uint32_t off,
                      uint32_t *len)
{
        const unsigned char *q = pk, *end = pk + n;
        if (!n || n > UINT32_MAX || *q++ != PACK_MAGIC)
                return -1;
        uint64_t tlen = get_varint(&q, end), nuni = get_varint(&q, end);
        if (tlen > UINT32_MAX - off || nuni > (uint64_t)(end - q))
                return -1;
        int rc = -1;
        p->pk = pk;
        p->pkoff = off;
        uint32_t *uni = xcalloc(nuni ? nuni : 1, sizeof *uni); /* K_UNI number: token */
        for (uint64_t i = 0; i < nuni; i++) {
                size_t cn = q < end ? utf8_len(*q) : 0;
                if (!cn || cn > (size_t)(end - q))
                        goto out;
                size_t c = (size_t)(q - pk);
                q += cn;
                uint64_t tf = get_varint(&q, end);
                int64_t v =
                    tf && tf <= tlen ? packed_token(p, K_UNI, c, cn, true, 0, 0, tf, 0, 0) : -1;
                if (v < 0)
                        goto out;
                uni[i] = (uint32_t)v;
        }
        uint64_t nrest = get_varint(&q, end);
        for (uint64_t i = 0; i < nrest; i++) {
                if (q >= end)
                        goto out;
                char cls = (char)*q++;
                size_t a = 0, na = 0, b = 0, nb = 0;
                if (cls == K_WORD) {
                        uint64_t kl = get_varint(&q, end);
                        if (!kl || kl > WORD_MAX_CHARS * 4 || kl > (uint64_t)(end - q))
                                goto out;
                        a = (size_t)(q - pk);
                        na = (size_t)kl;
                        q += kl;
                } else if (cls == K_BI || cls == K_START || cls == K_END) {
                        uint64_t x = get_varint(&q, end), y = cls == K_BI ? get_varint(&q, end) : 0;
                        if (x >= nuni || y >= nuni)
                                goto out;
                        a = p->dtoks[uni[x]].key + 1;
                        na = p->dtoks[uni[x]].klen - 1;
                        if (cls == K_BI) {
                                b = p->dtoks[uni[y]].key + 1;
                                nb = p->dtoks[uni[y]].klen - 1;
                        }
                } else {
                        goto out;
                }
                uint64_t tf = get_varint(&q, end), nbytes = get_varint(&q, end);
                if (!tf || tf > tlen || nbytes > (uint64_t)(end - q))
                        goto out;
                size_t gaps = (size_t)(q - pk);
                q += nbytes;
                if (packed_token(p, cls, a, na, cls == K_WORD, b, nb, tf, gaps, gaps + nbytes) < 0)
                        goto out;
        }
        if (q != end)
                goto out;
        *len = off + (uint32_t)tlen;
        rc = 0;
out:
        free(uni);
        return rc;
}

/* Tokenises into p's empty token table the text body (bytes) whose first head bytes,
 * ending a line, are tokenised here and the rest of which was packed (packed, n bytes)
 * and sets *len to its positions. Returns 0, or -1 when that cannot be done (then the
 * table is to be emptied and the whole text tokenised). The text after a line break is
 * tokenised as when it starts a text: a line break ends words and CJK runs, and folding
 * works on it apart (nothing composes with a line break or reorders across it). */
static int tokenize_spliced(struct part *p, const char *body, size_t head, const void *packed,
                            size_t n, uint32_t *len)
{
        if (!head || body[head - 1] != '\n' || fold(&p->folded, &p->clean, body, head) < 0)
                return -1;
        p->title_pass = false;
        uint32_t off = tokenize(p->folded.data, p->folded.len, part_token, p);
        return unpack_doc(p, packed, n, off, len);
}

/* ---- documents: what names them, and adding them ---- */

/* True when summary has a character that is not a line break: then the default snippet
 * comes from it, not from the text after it (make_snippet). */
static bool has_line(const char *summary)
{
        return summary && summary[strspn(summary, "\n")];
}

/* The ident of a document given with search_put: the SHA-256 of its URL, title, summary and
 * text key, which are what its tokens and its snippet are made from (its date, kind and
 * topics are not: a document whose only those changed keeps its tokens). */
static void put_ident(unsigned char out[32], const struct search_doc *d,
                      const unsigned char textkey[32])
{
        struct buf b = {0};
        buf_puts(&b, "search-doc");
        const char *const parts[] = {d->url, d->title, d->summary};
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
                buf_putc(&b, '\0');
                buf_puts(&b, parts[i] ? parts[i] : "");
        }
        buf_putc(&b, '\0');
        buf_put(&b, textkey, 32);
        digest_sha256(out, b.data, b.len);
        buf_free(&b);
}

/* The number in the memo m of the document whose ident is id, or NO_DOC. */
static uint32_t memo_find(const struct memo *m, const unsigned char id[32])
{
        if (!m->tcap)
                return NO_DOC;
        uint64_t h;
        memcpy(&h, id, sizeof h);
        for (size_t j = (size_t)h & (m->tcap - 1);; j = (j + 1) & (m->tcap - 1)) {
                uint32_t v = m->table[j];
                if (!v)
                        return NO_DOC;
                if (!memcmp(m->docs + (v - 1) * (32 + m->bmbytes), id, 32))
                        return v - 1;
        }
}

bool search_wants(struct search_index *s, struct search_doc *d)
{
        if (!s->incremental || !d->textkey || !has_line(d->summary))
                return true;
        put_ident(d->ident, d, d->textkey);
        d->has_ident = true;
        return memo_find(&s->old, d->ident) == NO_DOC;
}

/* One token of a packed form (packed_tokens): its key (class byte and text, in a buffer)
 * and the bytes that hold its tf and positions there. */
struct pk_token {
        size_t key, klen;
        const unsigned char *val;
        size_t nval;
};

/* The tokens of the packed form pk (n bytes), keys into keys. Returns how many (in *out,
 * which the caller frees), or -1 when it does not decode. */
static long packed_tokens(const unsigned char *pk, size_t n, struct buf *keys,
                          struct pk_token **out)
{
        const unsigned char *q = pk, *end = pk + n;
        *out = NULL;
        if (!n || *q++ != PACK_MAGIC)
                return -1;
        (void)get_varint(&q, end);
        uint64_t nuni = get_varint(&q, end);
        if (nuni > (uint64_t)(end - q))
                return -1;
        struct pk_token *t = xcalloc(nuni + 1, sizeof *t);
        size_t nt = 0, cap = nuni + 1;
        for (uint64_t i = 0; i < nuni; i++, nt++) {
                size_t cn = q < end ? utf8_len(*q) : 0;
                if (!cn || cn > (size_t)(end - q))
                        goto bad;
                t[nt].key = keys->len;
                buf_putc(keys, K_UNI);
                buf_put(keys, q, cn);
                t[nt].klen = cn + 1;
                q += cn;
                t[nt].val = q;
                (void)get_varint(&q, end);
                t[nt].nval = (size_t)(q - t[nt].val);
        }
        uint64_t nrest = q < end ? get_varint(&q, end) : 0;
        for (uint64_t i = 0; i < nrest; i++, nt++) {
                if (q >= end)
                        goto bad;
                if (nt == cap) {
                        cap *= 2;
                        t = xrealloc(t, cap * sizeof *t);
                }
                char cls = (char)*q++;
                t[nt].key = keys->len;
                buf_putc(keys, cls);
                if (cls == K_WORD) {
                        uint64_t kl = get_varint(&q, end);
                        if (!kl || kl > (uint64_t)(end - q))
                                goto bad;
                        buf_put(keys, q, (size_t)kl);
                        q += kl;
                } else if (cls == K_BI || cls == K_START || cls == K_END) {
                        for (int c = 0; c < (cls == K_BI ? 2 : 1); c++) {
                                uint64_t x = get_varint(&q, end);
                                if (x >= nuni)
                                        goto bad;
                                buf_grow(keys, t[x].klen); /* first: the bytes are in keys */
                                buf_put(keys, keys->data + t[x].key + 1, t[x].klen - 1);
                        }
                } else {
                        goto bad;
                }
                t[nt].klen = keys->len - t[nt].key;
                t[nt].val = q;
                (void)get_varint(&q, end);
                uint64_t nbytes = get_varint(&q, end);
                if (nbytes > (uint64_t)(end - q))
                        goto bad;
                q += nbytes;
                t[nt].nval = (size_t)(q - t[nt].val);
        }
        if (q != end)
                goto bad;
        *out = t;
        return (long)nt;
bad:
        free(t);
        return -1;
}

static int key_cmp(const char *x, size_t xn, const char *y, size_t yn);

/* Orders packed_tokens' tokens by key (keys: their buffer's bytes). */
static int pk_cmp(const void *a, const void *b, void *keys)
{
        const struct pk_token *x = a, *y = b;
        const char *k = keys;
        return key_cmp(k + x->key, x->klen, k + y->key, y->klen);
}

/* The shards (a bit each, of shards) whose postings of a document change when the tokens
 * of its text go from old to new (packed forms, nold and nnew bytes), its title and
 * summary lines staying the same: those of the tokens it gains or loses or whose tf or
 * positions change. A new bitmap, or NULL when a form does not decode. */
static unsigned char *changed_shards(const void *old, size_t nold, const void *new, size_t nnew,
                                     uint32_t shards)
{
        struct buf keys = {0};
        struct pk_token *a = NULL, *b = NULL;
        long na = packed_tokens(old, nold, &keys, &a);
        long nb = na < 0 ? -1 : packed_tokens(new, nnew, &keys, &b);
        unsigned char *bits = NULL;
        if (nb < 0)
                goto out;
        qsort_r(a, (size_t)na, sizeof *a, pk_cmp, keys.data);
        qsort_r(b, (size_t)nb, sizeof *b, pk_cmp, keys.data);
        bits = xcalloc((shards + 7) / 8, 1);
        long i = 0, j = 0;
        while (i < na || j < nb) {
                int c = i == na   ? 1
                        : j == nb ? -1
                                  : key_cmp(keys.data + a[i].key, a[i].klen, keys.data + b[j].key,
                                            b[j].klen);
                const struct pk_token *t = c <= 0 ? &a[i] : &b[j];
                if (c || a[i].nval != b[j].nval || memcmp(a[i].val, b[j].val, a[i].nval)) {
                        uint32_t sh = key_shard(keys.data + t->key, t->klen, shards - 1);
                        bits[sh / 8] |= (unsigned char)(1u << (sh % 8));
                }
                i += c <= 0;
                j += c >= 0;
        }
out:
        free(a);
        free(b);
        buf_free(&keys);
        return bits;
}

/* A document on its way into the index (put_doc). */
struct docin {
        const char *url, *title, *date, *kind; /* its record's fields */
        json_t *topics;                        /* [{slug, name}] */
        const char *text;   /* the whole text, title first; when not given, only the title
                               and summary lines (they make the snippet) */
        bool given;         /* text is the whole text */
        bool needed;        /* the index needs its text even when the memo has it */
        size_t head;        /* with packed: the bytes of text tokenised here */
        const void *packed; /* the tokens of text after head (search_pack), or NULL */
        size_t npacked;
        unsigned char ident[32]; /* its ident */
        unsigned char *changed;  /* see struct sdoc (taken) */
        uint32_t replaces;
};

/* Appends d (taken) to p's documents, with its length. */
static void part_add_doc(struct part *p, const struct sdoc *d)
{
        if (p->ndocs == p->capdocs) {
                p->capdocs = p->capdocs ? p->capdocs * 2 : 256;
                p->docs = xrealloc(p->docs, p->capdocs * sizeof *p->docs);
                p->lens = xrealloc(p->lens, p->capdocs * sizeof *p->lens);
        }
        p->lens[p->ndocs] = d->length;
        p->docs[p->ndocs++] = *d;
}

/* Adds a document: its record and, when the index needs them, its text's entries. */
static void put_doc(struct search_index *s, const struct docin *in)
{
        const char *title = in->title ? in->title : "", *text = in->text;
        size_t tl = strlen(title), blen = strlen(text);
        const void *packed = in->packed;
        struct sdoc d = {0};
        make_record(&d, in->url, title, in->date, in->topics, in->kind, text);
        memcpy(d.ident, in->ident, sizeof d.ident);
        d.changed = in->changed;
        d.replaces = in->replaces;
        d.old = s->incremental && !in->needed ? memo_find(&s->old, d.ident) : NO_DOC;
        d.id = NO_DOC;
        /* a document the published index holds as it is needs no entries (see search.h) */
        bool tokenise = in->given && d.old == NO_DOC;
        struct part *p = part_take(s);
        if (tokenise) {
                p->note_shards = s->keyed;
                p->shard_mask = s->shards - 1;
                if (s->keyed)
                        d.bits = xcalloc((s->shards + 7) / 8, 1);
                doc_reset(p);
                /* the title must be in the part tokenised here (see unpack_doc) */
                if (!packed || in->head > blen || in->head <= tl ||
                    tokenize_spliced(p, text, in->head, packed, in->npacked, &d.length) < 0) {
                        doc_reset(p);
                        fold(&p->folded, &p->clean, text, blen);
                        p->title_pass = false;
                        d.length = tokenize(p->folded.data, p->folded.len, part_token, p);
                }
                fold(&p->folded, &p->clean, title, tl);
                p->title_pass = true;
                tokenize(p->folded.data, p->folded.len, part_token, p);
                d.tokenised = true;
        }
        uint32_t at = (uint32_t)p->ndocs;
        part_add_doc(p, &d); /* first: part_file reads its length */
        if (tokenise) {
                part_file(p, at, d.bits);
                p->pk = NULL; /* the caller's */
        }
        part_trim(p);
        part_give(s, p);
}

void search_add(struct search_index *s, const char *url, const char *title, const char *date,
                json_t *topics, const char *kind, const char *text)
{
        title = title ? title : "";
        text = text ? text : "";
        /* the text starts with the title; a caller's text without it gets it here */
        size_t tl = strlen(title);
        char *full = NULL;
        if (strncmp(text, title, tl) || (text[tl] != '\n' && text[tl] != '\0'))
                full = xasprintf("%s\n%s", title, text);
        struct docin in = {.url = url,
                           .title = title,
                           .date = date,
                           .kind = kind,
                           .topics = topics,
                           .text = full ? full : text,
                           .given = true};
        if (s->keyed) { /* else no memo is made or read: nothing needs the ident */
                struct buf b = {0};
                buf_puts(&b, "search-text");
                buf_putc(&b, '\0');
                buf_puts(&b, url ? url : "");
                buf_putc(&b, '\0');
                buf_puts(&b, in.text);
                digest_sha256(in.ident, b.data, b.len);
                buf_free(&b);
        }
        put_doc(s, &in);
        free(full);
}

void search_put(struct search_index *s, const struct search_doc *d)
{
        struct buf text = {0};
        buf_puts(&text, d->title ? d->title : "");
        buf_putc(&text, '\n');
        buf_puts(&text, d->summary ? d->summary : "");
        buf_putc(&text, '\n');
        size_t head = text.len; /* the title and summary lines: tokenised here */
        if (d->text)
                buf_puts(&text, d->text);
        struct docin in = {.url = d->url,
                           .title = d->title,
                           .date = d->date,
                           .kind = d->kind,
                           .topics = d->topics,
                           .text = buf_cstr(&text),
                           .given = d->text != NULL,
                           .needed = !d->text && (!d->textkey || !has_line(d->summary)),
                           .head = head,
                           .packed = d->packed,
                           .npacked = d->npacked};
        if (s->incremental && d->old_textkey && d->old_packed && d->packed && d->text) {
                unsigned char was[32];
                put_ident(was, d, d->old_textkey);
                uint32_t r = memo_find(&s->old, was);
                if (r != NO_DOC && (in.changed = changed_shards(d->old_packed, d->nold_packed,
                                                                d->packed, d->npacked, s->shards)))
                        in.replaces = r;
        }
        if (s->keyed) { /* else no memo is made or read: nothing needs the ident */
                if (d->has_ident) {
                        memcpy(in.ident, d->ident, sizeof in.ident); /* search_wants made it */
                } else {
                        unsigned char key[32];
                        if (d->textkey)
                                memcpy(key, d->textkey, sizeof key);
                        else
                                digest_sha256(key, d->text ? d->text : "",
                                              d->text ? strlen(d->text) : 0);
                        put_ident(in.ident, d, key);
                }
        }
        put_doc(s, &in);
        buf_free(&text);
}

/* ---- the documents as they were: search_docs and search_put_docs ---- */

static void put_field(struct buf *out, const char *s)
{
        put_varint(out, strlen(s));
        buf_puts(out, s);
}

/* A field put_field wrote, at *p (advanced), as a new string; NULL when it does not fit
 * or holds a NUL. */
static char *take_field(const unsigned char **p, const unsigned char *end)
{
        if (*p >= end)
                return NULL;
        uint64_t n = get_varint(p, end);
        if (n > (uint64_t)(end - *p) || memchr(*p, '\0', (size_t)n))
                return NULL;
        char *s = xstrndup((const char *)*p, (size_t)n);
        *p += n;
        return s;
}

int search_docs(const struct search_index *s, struct buf *out)
{
        if (!s->keyed)
                return -1;
        for (struct part *p = s->parts; p; p = p->next)
                for (size_t i = 0; i < p->ndocs; i++) {
                        const struct sdoc *d = &p->docs[i];
                        buf_put(out, d->ident, sizeof d->ident);
                        const char *const fields[] = {d->url, d->title, d->date, d->kind,
                                                      d->snippet};
                        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
                                put_field(out, fields[f]);
                        put_varint(out, d->ntopics);
                        for (size_t t = 0; t < d->ntopics; t++) {
                                put_field(out, d->slugs[t]);
                                put_field(out, d->names[t]);
                        }
                }
        return 0;
}

/* One document of search_docs's form at *p (advanced) into d; false when it does not fit. */
static bool take_doc(const unsigned char **p, const unsigned char *end, struct sdoc *d)
{
        if (end - *p < 32)
                return false;
        memcpy(d->ident, *p, 32);
        *p += 32;
        char **fields[] = {&d->url, &d->title, &d->date, &d->kind, &d->snippet};
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
                if (!(*fields[f] = take_field(p, end)))
                        return false;
        uint64_t nt = *p < end ? get_varint(p, end) : UINT64_MAX;
        if (nt > (uint64_t)(end - *p) / 2)
                return false;
        d->slugs = xcalloc(nt ? nt : 1, sizeof *d->slugs);
        d->names = xcalloc(nt ? nt : 1, sizeof *d->names);
        for (; d->ntopics < nt; d->ntopics++) {
                d->slugs[d->ntopics] = take_field(p, end);
                d->names[d->ntopics] = take_field(p, end);
                if (!d->slugs[d->ntopics] || !d->names[d->ntopics]) {
                        d->ntopics++; /* freed with the rest */
                        return false;
                }
        }
        return true;
}

/* True when url is one of list (NULL-terminated; NULL: none). */
static bool url_listed(const char *url, const char *const *list)
{
        for (; list && *list; list++)
                if (!strcmp(url, *list))
                        return true;
        return false;
}

int search_put_docs(struct search_index *s, const void *docs, size_t len, const char *const *except)
{
        if (!s->incremental)
                return -1;
        const unsigned char *p = docs, *end = p + len;
        struct part *part = part_take(s);
        int rc = 0;
        while (p < end) {
                struct sdoc d = {0};
                if (!take_doc(&p, end, &d)) {
                        sdoc_free(&d);
                        rc = -1;
                        break;
                }
                if (url_listed(d.url, except)) {
                        sdoc_free(&d);
                        continue;
                }
                d.old = memo_find(&s->old, d.ident);
                d.id = NO_DOC;
                if (d.old == NO_DOC) { /* not in the published index: its text is needed */
                        sdoc_free(&d);
                        rc = -1;
                        break;
                }
                part_add_doc(part, &d);
        }
        part_give(s, part);
        return rc;
}

/* Orders records oldest first: undated ones first, then by date, those of one day by URL
 * from the last to the first, then by the other fields likewise (the reverse of "newest
 * first, then by URL"), so that the numbering does not depend on the order of the calls,
 * the browser ranks a higher number as newer, and a new newest article takes the next
 * number. */
static int doc_cmp(const void *a, const void *b)
{
        const struct sdoc *x = *(struct sdoc *const *)b, *y = *(struct sdoc *const *)a;
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

/* A token of the whole index while search_write codes it: one of the parts' tokens (the
 * entries of the documents tokenised in this build) or a topic. */
struct wtok {
        const char *key;   /* class byte + folded text, not NUL-terminated (a part's) */
        size_t klen;       /* bytes in key */
        size_t member;     /* its part tokens are members[member, member + nmembers) */
        uint32_t nmembers; /* parts that have it */
        uint32_t topic;    /* for a K_TOPIC token, its topic number + 1 */
        uint32_t df;       /* documents (of this build's entries) */
        uint32_t shard;    /* shard number */
};

/* A part's token that is part of an index token. */
struct member {
        const struct part *part; /* the part */
        const struct blk *first; /* its token's chain (copied here: the tokens are coded
                                    in another order than the parts list them) */
};

/* One posting while a token is coded. */
struct post {
        uint32_t id;  /* document number */
        uint32_t tf2; /* tf * 2 + title */
        size_t pos;   /* its position gaps are l->gaps[pos, pos + tf) */
};

/* A token of a published shard (read_shard): pointers into the shard's files. */
struct otok {
        const char *key;        /* class byte + folded text */
        size_t klen;            /* bytes in key */
        uint32_t df;            /* documents */
        const unsigned char *p; /* its postings */
        size_t plen;            /* their bytes */
        const unsigned char *q; /* its positions */
        size_t qlen;            /* their bytes */
};

/* How a shard is written (layout's affected). */
enum { SH_KEEP, SH_ADD, SH_MOVE };

/* A word key (words.json): a word's first WORD_KEY_CHARS characters. */
struct wkey {
        unsigned char len;          /* bytes in s */
        char s[4 * WORD_KEY_CHARS]; /* the key */
};

/* A list of word keys. */
struct wkeys {
        struct wkey *v; /* the keys */
        size_t n, cap;  /* in use, allocated */
};

struct worker;

/* Everything search_write builds. */
struct layout {
        struct search_index *s;
        const struct search_io *io;
        struct diag *d;
        struct sdoc **order;        /* the records in index order */
        size_t ndocs;               /* how many */
        uint32_t *old_new;          /* per document of the memo: its number now, or NO_DOC (it
                                       changed or is gone) */
        char **slugs;               /* every topic slug once, sorted */
        char **names;               /* their names, from the newest record with each */
        size_t nslugs;              /* how many */
        uint32_t *dtopics;          /* per record in order, its topic numbers, sorted, once each */
        size_t *dtopic_at;          /* record i's are dtopics[dtopic_at[i], dtopic_at[i + 1]) */
        struct wtok *toks;          /* every token: the parts' and one per topic (K_TOPIC) */
        size_t ntoks;               /* how many */
        struct member *members;     /* the parts' tokens, grouped by index token */
        uint32_t *table;            /* open addressing over toks: index + 1, 0 = empty */
        size_t tcap;                /* slots in table, a power of two */
        struct buf tkeys;           /* the topic tokens' keys */
        uint32_t *topic_tok;        /* the token of each topic number */
        uint32_t *topic_docs;       /* per topic, its records, in order */
        size_t *topic_at;           /* topic k's are topic_docs[topic_at[k], topic_at[k + 1]) */
        uint32_t shards;            /* shard count */
        struct wtok **sorted;       /* toks by shard, then key */
        size_t *shard_at;           /* shard i's tokens are sorted[shard_at[i], shard_at[i + 1]) */
        unsigned char *affected;    /* per shard: SH_KEEP (kept as published), SH_ADD (new
                                       entries or topics: the tokens that have none are copied
                                       unread), SH_MOVE (documents removed or renumbered: every
                                       token is read) */
        unsigned char (*files)[64]; /* per shard: SHA-256 of its p and q files */
        unsigned char *topic_md;    /* per topic number: the digest of its documents */
        struct wkeys words;         /* the word keys, in the end (write_words) */
        pthread_mutex_t lock;       /* guards idle and failed: shards are coded on threads */
        struct worker *idle;        /* the workers no thread uses at the moment */
        struct worker *workers;     /* every worker */
        bool failed;                /* a shard failed: code no more */
        uint32_t max_dirty;         /* the memo's last document gone or renumbered, or NO_DOC */
};

/* A thread's scratch for coding shards, and the word keys of the shards it wrote. */
struct worker {
        struct layout *l;         /* what the threads share (each shard's files[] its own) */
        struct worker *next;      /* in the layout's list of every worker */
        struct worker *next_idle; /* in its idle list */
        struct otok *otoks;       /* the published shard's tokens (read_shard) */
        size_t notoks, capotoks;
        struct buf oldp, oldq;  /* the published shard's files */
        struct buf dir, pb, qb; /* the shard being written: its directory's entries, the
                                   postings, the positions */
        struct buf pf;          /* its p file */
        size_t nentries;        /* entries in dir */
        struct wkeys words;     /* the word keys of the shards written */
        struct post *posts;     /* the postings of the token being coded */
        struct post *spare;     /* room of the same size, for merging */
        size_t capposts;        /* allocated */
        uint32_t *gaps;         /* their position gaps */
        size_t ngaps, capgaps;  /* in use, allocated */
        struct post *olds;      /* a published list as it was (code_token) */
        size_t capolds;         /* allocated */
};

/* Orders C strings (for qsort over char *). */
static int str_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Numbers the records (doc_cmp; each part's numbers in part->ids), matches them with the
 * memo's (old_new) and lists the topics: every slug once, sorted, with the name the newest
 * record gives it, and each record's topic numbers. */
static void order_docs(struct search_index *s, struct layout *l)
{
        size_t all = 0;
        for (const struct part *p = s->parts; p; p = p->next)
                l->ndocs += p->ndocs;
        l->order = xcalloc(l->ndocs ? l->ndocs : 1, sizeof *l->order);
        size_t n = 0;
        for (struct part *p = s->parts; p; p = p->next)
                for (size_t i = 0; i < p->ndocs; i++) {
                        l->order[n++] = &p->docs[i];
                        all += p->docs[i].ntopics;
                }
        qsort(l->order, l->ndocs, sizeof *l->order, doc_cmp);
        for (size_t i = 0; i < l->ndocs; i++)
                l->order[i]->id = (uint32_t)i;
        for (struct part *p = s->parts; p; p = p->next) {
                free(p->ids);
                p->ids = xcalloc(p->ndocs ? p->ndocs : 1, sizeof *p->ids);
                for (size_t i = 0; i < p->ndocs; i++)
                        p->ids[i] = p->docs[i].id;
        }
        size_t nold = s->incremental ? s->old.ndocs : 0;
        l->old_new = xmalloc((nold ? nold : 1) * sizeof *l->old_new);
        for (size_t i = 0; i < nold; i++)
                l->old_new[i] = NO_DOC;
        for (size_t i = 0; i < l->ndocs; i++)
                if (l->order[i]->old != NO_DOC)
                        l->old_new[l->order[i]->old] = (uint32_t)i;

        l->slugs = xcalloc(all ? all : 1, sizeof *l->slugs);
        l->names = xcalloc(all ? all : 1, sizeof *l->names);
        for (size_t i = 0; i < l->ndocs; i++)
                for (size_t j = 0; j < l->order[i]->ntopics; j++)
                        l->slugs[l->nslugs++] = l->order[i]->slugs[j];
        qsort(l->slugs, l->nslugs, sizeof *l->slugs, str_cmp);
        size_t u = 0;
        for (size_t i = 0; i < l->nslugs; i++)
                if (!u || strcmp(l->slugs[i], l->slugs[u - 1]))
                        l->slugs[u++] = l->slugs[i];
        l->nslugs = u;

        l->dtopics = xcalloc(all ? all : 1, sizeof *l->dtopics);
        l->dtopic_at = xcalloc(l->ndocs + 1, sizeof *l->dtopic_at);
        size_t at = 0;
        for (size_t i = 0; i < l->ndocs; i++) {
                const struct sdoc *d = l->order[i];
                size_t first = at;
                for (size_t j = 0; j < d->ntopics; j++) {
                        char **hit =
                            bsearch(&d->slugs[j], l->slugs, l->nslugs, sizeof *l->slugs, str_cmp);
                        uint32_t k = (uint32_t)(hit - l->slugs);
                        l->names[k] = d->names[j]; /* the newest record's, in the end */
                        /* insert in order, once */
                        size_t x = first;
                        while (x < at && l->dtopics[x] < k)
                                x++;
                        if (x < at && l->dtopics[x] == k)
                                continue;
                        memmove(l->dtopics + x + 1, l->dtopics + x, (at - x) * sizeof *l->dtopics);
                        l->dtopics[x] = k;
                        at++;
                }
                l->dtopic_at[i + 1] = at;
        }
}

/* Orders tokens of one shard by key bytes (a shorter key before the longer ones it starts). */
static int key_cmp(const char *x, size_t xn, const char *y, size_t yn)
{
        int c = memcmp(x, y, xn < yn ? xn : yn);
        if (c)
                return c;
        return xn < yn ? -1 : xn > yn;
}

/* key_cmp for qsort over struct wtok *. */
static int tok_cmp(const void *a, const void *b)
{
        const struct wtok *x = *(struct wtok *const *)a, *y = *(struct wtok *const *)b;
        return key_cmp(x->key, x->klen, y->key, y->klen);
}

/* Emits json (compact, keys in order) at rel, with key when not NULL. Returns 0 or -1.
 * Steals json. */
static int emit_json(const struct search_io *io, const char *rel, json_t *json,
                     const unsigned char *key)
{
        char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(json);
        if (!text)
                return -1;
        struct buf b = {0};
        buf_puts(&b, text);
        buf_putc(&b, '\n');
        free(text);
        int rc = io->emit(io->ctx, rel, &b, key);
        buf_free(&b);
        return rc;
}

/* Writes meta.json: format version, counts, shard count, topics and the document
 * ranges of each year, newest first. Returns 0 or -1. */
static int write_meta(const struct layout *l)
{
        json_t *topics = json_array(), *years = json_array();
        for (size_t k = 0; k < l->nslugs; k++)
                json_array_append_new(topics, json_pack("[s,s]", l->slugs[k], l->names[k]));
        size_t j = l->ndocs; /* the years' documents are [i, j), the newest at the end */
        while (j > 0 && strlen(l->order[j - 1]->date) >= 4) {
                size_t i = j - 1;
                while (i > 0 && strlen(l->order[i - 1]->date) >= 4 &&
                       !strncmp(l->order[i - 1]->date, l->order[j - 1]->date, 4))
                        i--;
                json_array_append_new(years, json_pack("[s#,I,I]", l->order[i]->date, 4,
                                                       (json_int_t)i, (json_int_t)(j - i)));
                j = i;
        }
        json_t *meta =
            json_pack("{s:i, s:I, s:i, s:i, s:i, s:o, s:o}", "version", FORMAT_VERSION, "docs",
                      (json_int_t)l->ndocs, "shards", (int)l->shards, "chunk", CHUNK_DOCS,
                      "wordkey", WORD_KEY_CHARS, "topics", topics, "years", years);
        return emit_json(l->io, "search/idx/meta.json", meta, NULL);
}

/* The key of record file c: the salt, the format and every field of its records, which are
 * what its bytes are made from. */
static void records_key(const struct layout *l, size_t c, unsigned char key[32])
{
        struct buf b = {0};
        buf_printf(&b, "search-records %d %zu", FORMAT_VERSION, c);
        buf_put(&b, l->s->salt, sizeof l->s->salt);
        for (size_t i = c * CHUNK_DOCS; i < l->ndocs && i < (c + 1) * CHUNK_DOCS; i++) {
                const struct sdoc *d = l->order[i];
                const char *const f[] = {d->url, d->title, d->date, d->kind, d->snippet};
                for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
                        buf_puts(&b, f[k]);
                        buf_putc(&b, '\0');
                }
                for (size_t k = l->dtopic_at[i]; k < l->dtopic_at[i + 1]; k++)
                        buf_printf(&b, "%u,", (unsigned)l->dtopics[k]);
                buf_putc(&b, '\n');
        }
        digest_sha256(key, b.data, b.len);
        buf_free(&b);
}

/* Writes the records, CHUNK_DOCS per file d/N.json:
 * [url, title, date, kind, [topic numbers], snippet]. With keys, a file whose records did
 * not change is kept as published. Returns 0 or -1. */
static int write_records(const struct layout *l)
{
        for (size_t c = 0; c * CHUNK_DOCS < l->ndocs; c++) {
                char rel[64];
                snprintf(rel, sizeof rel, "search/idx/d/%zu.json", c);
                unsigned char key[32];
                if (l->s->keyed) {
                        records_key(l, c, key);
                        if (l->io->keep(l->io->ctx, rel, key, false))
                                continue;
                }
                json_t *chunk = json_array();
                for (size_t i = c * CHUNK_DOCS; i < l->ndocs && i < (c + 1) * CHUNK_DOCS; i++) {
                        const struct sdoc *d = l->order[i];
                        json_t *tn = json_array();
                        for (size_t k = l->dtopic_at[i]; k < l->dtopic_at[i + 1]; k++)
                                json_array_append_new(tn, json_integer((int)l->dtopics[k]));
                        json_array_append_new(chunk, json_pack("[s,s,s,s,o,s]", d->url, d->title,
                                                               d->date, d->kind, tn, d->snippet));
                }
                if (emit_json(l->io, rel, chunk, l->s->keyed ? key : NULL) < 0)
                        return -1;
        }
        return 0;
}

/* Adds a word key (len bytes at s, at most 4 * WORD_KEY_CHARS) to k. */
static void note_word(struct wkeys *k, const char *s, size_t len)
{
        if (k->n == k->cap) {
                k->cap = k->cap ? k->cap * 2 : 1024;
                k->v = xrealloc(k->v, k->cap * sizeof *k->v);
        }
        struct wkey *w = &k->v[k->n++];
        w->len = (unsigned char)(len < sizeof w->s ? len : sizeof w->s);
        memcpy(w->s, s, w->len);
}

/* Orders word keys by their bytes (then the shorter first), as in words.json. */
static int wkey_cmp(const void *a, const void *b)
{
        const struct wkey *x = a, *y = b;
        return key_cmp(x->s, x->len, y->s, y->len);
}

/* Writes words.json: the word shard keys, sorted, once each (for one-letter prefix
 * queries): those of the shards written (each worker noted them) and, from the memo, those
 * of the shards kept. Returns 0 or -1. */
static int write_words(struct layout *l)
{
        struct wkeys *k = &l->words;
        const struct memo *m = &l->s->old;
        for (size_t i = 0; l->s->incremental && i < m->nwords; i++) {
                char key[4 * WORD_KEY_CHARS + 1] = {K_WORD};
                memcpy(key + 1, m->words[i].s, m->words[i].len); /* memo_read checked it */
                if (!l->affected[key_shard(key, m->words[i].len + 1, l->shards - 1)])
                        note_word(k, m->words[i].s, m->words[i].len);
        }
        for (const struct worker *w = l->workers; w; w = w->next)
                for (size_t i = 0; i < w->words.n; i++)
                        note_word(k, w->words.v[i].s, w->words.v[i].len);
        if (k->n)
                qsort(k->v, k->n, sizeof *k->v, wkey_cmp);
        size_t u = 0;
        for (size_t i = 0; i < k->n; i++)
                if (!u || wkey_cmp(&k->v[i], &k->v[u - 1]))
                        k->v[u++] = k->v[i];
        k->n = u;
        json_t *keys = json_array();
        for (size_t i = 0; i < k->n; i++)
                json_array_append_new(keys, json_stringn(k->v[i].s, k->v[i].len));
        return emit_json(l->io, "search/idx/words.json", keys, NULL);
}

/* Returns the number of the token with key in l's table, adding it when new (the table
 * has room). */
static uint32_t wtok_intern(struct layout *l, const char *key, size_t klen)
{
        size_t mask = l->tcap - 1, j = (size_t)key_hash(key_head(key, klen), klen, key + 8) & mask;
        for (; l->table[j]; j = (j + 1) & mask) {
                const struct wtok *t = &l->toks[l->table[j] - 1];
                if (t->klen == klen && !memcmp(t->key, key, klen))
                        return l->table[j] - 1;
        }
        struct wtok *t = &l->toks[l->ntoks];
        memset(t, 0, sizeof *t);
        t->key = key;
        t->klen = klen;
        l->table[j] = (uint32_t)++l->ntoks;
        return l->table[j] - 1;
}

/* The digest of the documents of topic k (their numbers), which tells whether its list
 * changed since the memo's build. */
static void topic_digest(const struct layout *l, size_t k, unsigned char md[32])
{
        struct buf b = {0};
        buf_puts(&b, l->slugs[k]);
        buf_putc(&b, '\0');
        for (size_t i = l->topic_at[k]; i < l->topic_at[k + 1]; i++) {
                uint32_t id = l->topic_docs[i];
                unsigned char le[4] = {(unsigned char)id, (unsigned char)(id >> 8),
                                       (unsigned char)(id >> 16), (unsigned char)(id >> 24)};
                buf_put(&b, le, 4);
        }
        digest_sha256(md, b.data, b.len);
        buf_free(&b);
}

/* Makes the index's token table: every part's dictionary merged, the part tokens of each
 * index token listed in members, and a K_TOPIC token per topic with its records. */
static void merge_tokens(struct search_index *s, struct layout *l)
{
        size_t most = l->nslugs, nmembers = 0;
        for (const struct part *p = s->parts; p; p = p->next)
                nmembers += p->ntoks;
        most += nmembers;
        l->toks = xcalloc(most ? most : 1, sizeof *l->toks);
        l->tcap = 1024;
        while (l->tcap < most * 2)
                l->tcap *= 2;
        l->table = xcalloc(l->tcap, sizeof *l->table);
        uint32_t *gid = xcalloc(nmembers ? nmembers : 1, sizeof *gid);
        size_t m = 0;
        for (struct part *p = s->parts; p; p = p->next)
                for (size_t i = 0; i < p->ntoks; i++) {
                        struct ptok *t = &p->toks[i];
                        if (t->last) /* the last block's length, for the readers */
                                t->last->used = (size_t)(t->at - t->last->data);
                        gid[m] = wtok_intern(l, p->keys.data + p->toks[i].key, p->toks[i].klen);
                        l->toks[gid[m]].nmembers++;
                        l->toks[gid[m++]].df += p->toks[i].df;
                }
        size_t at = 0;
        for (size_t i = 0; i < l->ntoks; i++) {
                l->toks[i].member = at;
                at += l->toks[i].nmembers;
                l->toks[i].nmembers = 0;
        }
        l->members = xcalloc(nmembers ? nmembers : 1, sizeof *l->members);
        m = 0;
        for (const struct part *p = s->parts; p; p = p->next)
                for (size_t i = 0; i < p->ntoks; i++) {
                        struct wtok *t = &l->toks[gid[m++]];
                        l->members[t->member + t->nmembers++] =
                            (struct member){p, p->toks[i].first};
                }
        free(gid);
        for (struct part *p = s->parts; p; p = p->next) /* the members lead to the chains */
                part_drop_dictionary(p);

        size_t *start = xcalloc(l->nslugs + 1, sizeof *start);
        for (size_t k = 0; k < l->nslugs; k++) {
                start[k] = l->tkeys.len;
                buf_putc(&l->tkeys, K_TOPIC);
                buf_puts(&l->tkeys, l->slugs[k]);
        }
        start[l->nslugs] = l->tkeys.len;
        l->topic_tok = xcalloc(l->nslugs ? l->nslugs : 1, sizeof *l->topic_tok);
        for (size_t k = 0; k < l->nslugs; k++) {
                l->topic_tok[k] = wtok_intern(l, l->tkeys.data + start[k], start[k + 1] - start[k]);
                l->toks[l->topic_tok[k]].topic = (uint32_t)k + 1;
        }
        free(start);
        /* each topic's records, in order (counting sort of the records' topic numbers) */
        size_t all = l->dtopic_at[l->ndocs];
        l->topic_at = xcalloc(l->nslugs + 1, sizeof *l->topic_at);
        l->topic_docs = xcalloc(all ? all : 1, sizeof *l->topic_docs);
        for (size_t i = 0; i < all; i++)
                l->topic_at[l->dtopics[i] + 1]++;
        for (size_t k = 0; k < l->nslugs; k++)
                l->topic_at[k + 1] += l->topic_at[k];
        size_t *fill = xcalloc(l->nslugs ? l->nslugs : 1, sizeof *fill);
        for (size_t i = 0; i < l->ndocs; i++)
                for (size_t j = l->dtopic_at[i]; j < l->dtopic_at[i + 1]; j++) {
                        uint32_t k = l->dtopics[j];
                        l->topic_docs[l->topic_at[k] + fill[k]++] = (uint32_t)i;
                }
        free(fill);
        l->topic_md = xcalloc(l->nslugs ? l->nslugs : 1, 32);
        for (size_t k = 0; k < l->nslugs; k++) {
                l->toks[l->topic_tok[k]].df = (uint32_t)(l->topic_at[k + 1] - l->topic_at[k]);
                topic_digest(l, k, l->topic_md + 32 * k);
        }
}

/* Makes room for n postings in l->posts and l->spare, keeping those in l->posts. */
static void posts_room(struct worker *w, size_t n)
{
        if (n <= w->capposts)
                return;
        w->capposts = n > 2 * w->capposts ? n : 2 * w->capposts;
        w->posts = xrealloc(w->posts, w->capposts * sizeof *w->posts);
        free(w->spare);
        w->spare = xmalloc(w->capposts * sizeof *w->spare);
}

/* Makes room for n more position gaps in l->gaps. */
static void gaps_room(struct worker *w, size_t n)
{
        if (w->ngaps + n <= w->capgaps)
                return;
        w->capgaps = (w->ngaps + n) * 2;
        w->gaps = xrealloc(w->gaps, w->capgaps * sizeof *w->gaps);
}

/* Sorts the n postings at ps (into l->spare: swapped with l->posts, which ps is the start
 * of, when done) by document number, a byte at a time (LSD radix). */
static void radix_posts(struct worker *w, struct post *ps, size_t n)
{
        struct post *from = ps, *to = w->spare + (ps - w->posts);
        for (int shift = 0; shift < 32 && (w->l->ndocs - 1) >> shift; shift += 8) {
                size_t count[257] = {0};
                for (size_t i = 0; i < n; i++)
                        count[(from[i].id >> shift & 0xff) + 1]++;
                for (int b = 0; b < 256; b++)
                        count[b + 1] += count[b];
                for (size_t i = 0; i < n; i++)
                        to[count[from[i].id >> shift & 0xff]++] = from[i];
                struct post *t = from;
                from = to;
                to = t;
        }
        if (from != ps)
                memcpy(ps, from, n * sizeof *ps);
}

/* Sorts n postings by document number. They come nearly sorted, or nearly in reverse (a
 * part's documents come in the model's order, newest first, and are numbered oldest
 * first): reversed then, insertion sort does it in about linear time; a radix sort takes
 * over when it would not. */
static void sort_posts(struct worker *w, struct post *ps, size_t n)
{
        if (n > 1 && ps[0].id > ps[n - 1].id)
                for (size_t i = 0, j = n - 1; i < j; i++, j--) {
                        struct post t = ps[i];
                        ps[i] = ps[j];
                        ps[j] = t;
                }
        size_t moves = 0, budget = 8 * n + 64;
        for (size_t i = 1; i < n; i++) {
                if (ps[i - 1].id < ps[i].id)
                        continue;
                struct post x = ps[i];
                size_t j = i;
                while (j > 0 && ps[j - 1].id > x.id) {
                        ps[j] = ps[j - 1];
                        j--;
                }
                ps[j] = x;
                moves += i - j;
                if (moves > budget) {
                        radix_posts(w, ps, n);
                        return;
                }
        }
}

/* Decodes the entry at *p (below end) of a part's chain, the document before it being
 * *doc, into post (and its position gaps into l->gaps); advances *p and *doc. */
static void read_entry(struct worker *w, const struct part *part, bool withpos,
                       const unsigned char **p, const unsigned char *end, uint32_t *doc,
                       struct post *post)
{
        uint64_t head = next_varint(p, end);
        *doc += (uint32_t)(head / 8);
        uint32_t tf2 = head % 8 < 7 ? (uint32_t)(head % 8) + 2 : (uint32_t)next_varint(p, end);
        *post = (struct post){part->ids[*doc], tf2, w->ngaps};
        if (!withpos)
                return;
        uint32_t tf = tf2 / 2;
        gaps_room(w, tf);
        int k = entry_k(part->lens[*doc], tf);
        struct bitr r = {*p, end, 0, 0};
        for (uint32_t j = 0; j < tf; j++)
                w->gaps[w->ngaps++] = br_rice(&r, k);
        *p = r.p - r.n / 8; /* the entry ends on a byte */
}

/* Merges the sorted runs l->posts[0, start) and l->posts[start, n) (by way of l->spare). */
static void merge_runs(struct worker *w, size_t start, size_t n)
{
        struct post *a = w->posts, *m = w->spare;
        if (!start || start == n || a[start - 1].id < a[start].id)
                return;
        size_t i = 0, j = start, k = 0;
        while (i < start && j < n)
                m[k++] = a[i].id < a[j].id ? a[i++] : a[j++];
        while (i < start)
                m[k++] = a[i++];
        while (j < n)
                m[k++] = a[j++];
        w->posts = m;
        w->spare = a;
}

/* Reads token t's entries from its parts' chains into l->posts after the n sorted
 * postings there, keeping all sorted by document number, and their position gaps into
 * l->gaps. Returns how many postings l->posts then holds. */
static size_t gather_posts(struct worker *w, const struct wtok *t, size_t n)
{
        bool withpos = has_positions(t->key[0]);
        posts_room(w, n + t->df);
        size_t cap = n + t->df;
        for (size_t m = t->member; m < t->member + t->nmembers; m++) {
                const struct part *part = w->l->members[m].part;
                uint32_t doc = 0;
                size_t start = n;
                for (const struct blk *b = w->l->members[m].first; b; b = b->next) {
                        if (b->next) /* blocks lie anywhere: ask for the next one early */
                                __builtin_prefetch(b->next);
                        const unsigned char *p = b->data, *end = b->data + b->used;
                        while (p < end && n < cap)
                                read_entry(w, part, withpos, &p, end, &doc, &w->posts[n++]);
                }
                /* a part's entries are in the order its documents came, nearly the index's */
                sort_posts(w, w->posts + start, n - start);
                merge_runs(w, start, n);
        }
        return n;
}

/* The Rice parameter of the positions of a posting with tf occurrences in a list whose
 * parameter is kq: kq - floor(log2(tf + 1)), at least 0 (gaps shrink as tf grows). */
static inline int pos_k(int kq, uint32_t tf)
{
        int c = bit_length((uint64_t)tf + 1) - 1;
        return kq > c ? kq - c : 0;
}

/* The Rice parameter (0 to 31) that codes a list's gaps in about the fewest bits: the
 * gaps in classes c (0 to 32; class c takes the parameter k - c, at least 0), ngap[c] of
 * them summing to sum[c]. Near enough: a class's gaps are shifted together (the low bits
 * of each are told apart by less than one unary bit per gap), and escapes are not
 * counted. The last k of the first minimum from 0 up. Any rule would do for the decoder
 * (it reads the parameter); this one depends only on the list. */
static int best_k(const uint64_t ngap[33], const uint64_t sum[33])
{
        int used[33], nused = 0; /* the classes that have gaps: a few */
        for (int c = 0; c < 33; c++)
                if (ngap[c])
                        used[nused++] = c;
        /* the bits stay, fall, then rise as k grows: walk up while they do not rise */
        int k = 0;
        uint64_t least = UINT64_MAX;
        for (; k < 32; k++) {
                uint64_t bits = 0;
                for (int i = 0; i < nused; i++) {
                        int c = used[i], kc = k > c ? k - c : 0;
                        bits += ngap[c] * (1 + (uint64_t)kc) + (sum[c] >> kc);
                }
                if (bits > least)
                        break;
                least = bits;
        }
        return k - 1;
}

/* Appends to out the postings of the n postings at ps (sorted by document number): a Rice
 * parameter chosen from them (best_k), then per posting the gap to the previous document
 * (the first: its number), tf (gamma) and the title bit, up to the next byte. */
static void encode_postings(struct buf *out, const struct post *ps, size_t n)
{
        /* the gaps sum to the last number + 1 - n */
        uint64_t ngap[33] = {n}, sum[33] = {(uint64_t)ps[n - 1].id + 1 - n};
        int kd = best_k(ngap, sum);
        buf_grow(out, n * 15 + 16); /* a posting takes at most 56 + 63 + 1 bits */
        struct bitw w = {(unsigned char *)out->data + out->len, 0, 0};
        bw_put(&w, (uint64_t)kd, PARAM_BITS);
        uint32_t last = UINT32_MAX; /* so that the first gap is the first number */
        for (size_t i = 0; i < n; i++) {
                bw_rice(&w, ps[i].id - last - 1, kd);
                bw_gamma(&w, ps[i].tf2 / 2);
                bw_put(&w, ps[i].tf2 & 1, 1);
                last = ps[i].id;
        }
        bw_flush(&w);
        out->len = (size_t)(w.p - (unsigned char *)out->data);
        out->data[out->len] = '\0';
}

/* Appends to out the positions of the n postings at ps, whose gaps are in gaps: a
 * parameter kq chosen from them (best_k, each posting's gaps in the class pos_k takes from
 * kq), then per posting its tf gaps, Rice with pos_k(kq, tf), up to the next byte. */
static void encode_positions(struct buf *out, const struct post *ps, size_t n, const uint32_t *gaps)
{
        uint64_t count = 0, ngap[33] = {0}, sum[33] = {0};
        for (size_t i = 0; i < n; i++) {
                uint32_t tf = ps[i].tf2 / 2;
                uint64_t s = 0;
                for (uint32_t j = 0; j < tf; j++)
                        s += gaps[ps[i].pos + j];
                int c = bit_length((uint64_t)tf + 1) - 1; /* floor(log2(tf + 1)): pos_k's */
                ngap[c] += tf;
                sum[c] += s;
                count += tf;
        }
        int kq = best_k(ngap, sum);
        buf_grow(out, count * 7 + 16); /* a gap takes at most 56 bits */
        struct bitw w = {(unsigned char *)out->data + out->len, 0, 0};
        bw_put(&w, (uint64_t)kq, PARAM_BITS);
        for (size_t i = 0; i < n; i++) {
                uint32_t tf = ps[i].tf2 / 2;
                int k = pos_k(kq, tf);
                const uint32_t *g = gaps + ps[i].pos;
                for (uint32_t j = 0; j < tf; j++)
                        bw_rice(&w, g[j], k);
        }
        bw_flush(&w);
        out->len = (size_t)(w.p - (unsigned char *)out->data);
        out->data[out->len] = '\0';
}

/* Reads n (at most 32) bits. */
static inline uint32_t br_bits(struct bitr *r, int n)
{
        br_fill(r);
        uint32_t v = (uint32_t)(r->acc & ((UINT64_C(1) << n) - 1));
        r->acc >>= n;
        r->n -= n;
        return v;
}

/* Reads a value bw_gamma wrote (0 for a damaged code: more than 31 ones). */
static inline uint32_t br_gamma(struct bitr *r)
{
        br_fill(r);
        uint64_t zeros = ~r->acc;
        int q = zeros ? __builtin_ctzll(zeros) : 64;
        if (q > 31) {
                r->n = -1;
                return 0;
        }
        r->acc >>= q + 1;
        r->n -= q + 1;
        return (UINT32_C(1) << q) | (q ? br_bits(r, q) : 0);
}

/* Decodes the df postings at p (len bytes) into ps, numbers as written. Returns 0, or -1
 * when they do not fit. */
static int decode_postings(const unsigned char *p, size_t len, uint32_t df, struct post *ps)
{
        struct bitr r = {p, p + len, 0, 0};
        int kd = (int)br_bits(&r, PARAM_BITS);
        uint32_t id = UINT32_MAX;
        for (uint32_t i = 0; i < df; i++) {
                id += br_rice(&r, kd) + 1;
                uint32_t tf = br_gamma(&r);
                uint32_t title = br_bits(&r, 1);
                if (r.n < 0 || !tf || tf > UINT32_MAX / 2)
                        return -1;
                ps[i] = (struct post){id, tf * 2 + title, 0};
        }
        return 0;
}

/* Decodes the positions at q (len bytes) of the n postings at ps into l->gaps, setting
 * each one's pos. Returns 0, or -1 when they do not fit. */
static int decode_positions(struct worker *w, const unsigned char *q, size_t len, struct post *ps,
                            size_t n)
{
        struct bitr r = {q, q + len, 0, 0};
        int kq = (int)br_bits(&r, PARAM_BITS);
        for (size_t i = 0; i < n; i++) {
                uint32_t tf = ps[i].tf2 / 2;
                if (tf > len * 8) /* each gap takes a bit at least */
                        return -1;
                gaps_room(w, tf);
                ps[i].pos = w->ngaps;
                int k = pos_k(kq, tf);
                for (uint32_t j = 0; j < tf; j++)
                        w->gaps[w->ngaps++] = br_rice(&r, k);
                if (r.n < 0)
                        return -1;
        }
        return 0;
}

/* Appends a directory entry to the shard being written, for a token whose postings and
 * positions (plen and qlen bytes) end its w->pb and w->qb. */
static void put_entry(struct worker *w, const char *key, size_t klen, uint32_t df, size_t plen,
                      size_t qlen)
{
        buf_grow(&w->dir, klen + 40);
        unsigned char *d = (unsigned char *)w->dir.data + w->dir.len;
        d = varint_to(d, klen);
        memcpy(d, key, klen);
        d += klen;
        d = varint_to(d, df);
        d = varint_to(d, plen);
        d = varint_to(d, qlen);
        w->dir.len = (size_t)(d - (unsigned char *)w->dir.data);
        w->dir.data[w->dir.len] = '\0';
        w->nentries++;
        if (key[0] == K_WORD)
                note_word(&w->words, key + 1, key_shard_len(key, klen) - 1);
}

/* Appends a directory entry and the token's bytes to the shard being written. */
static void put_token(struct worker *w, const char *key, size_t klen, uint32_t df, const void *p,
                      size_t plen, const void *q, size_t qlen)
{
        buf_put(&w->pb, p, plen);
        buf_put(&w->qb, q, qlen);
        put_entry(w, key, klen, df, plen, qlen);
}

/* Codes the n postings in l->posts (sorted) of the token key into the shard being written;
 * q (qlen bytes) are its positions as published when not NULL, else they are coded from
 * l->gaps. */
static void code_posts(struct worker *w, const char *key, size_t klen, size_t n,
                       const unsigned char *q, size_t qlen)
{
        if (!n)
                return; /* no document has it any more */
        size_t p0 = w->pb.len, q0 = w->qb.len;
        encode_postings(&w->pb, w->posts, n);
        if (has_positions(key[0]) && !q) {
                encode_positions(&w->qb, w->posts, n, w->gaps);
        } else if (has_positions(key[0])) {
                buf_put(&w->qb, q, qlen);
        }
        put_entry(w, key, klen, (uint32_t)n, w->pb.len - p0, w->qb.len - q0);
}

/* Codes topic k's token: its records' postings, with tf 1 and no title bit. */
static void code_topic(struct worker *w, const struct wtok *t, size_t k)
{
        size_t n = w->l->topic_at[k + 1] - w->l->topic_at[k];
        posts_room(w, n);
        for (size_t i = 0; i < n; i++)
                w->posts[i] = (struct post){w->l->topic_docs[w->l->topic_at[k] + i], 2, 0};
        code_posts(w, t->key, t->klen, n, NULL, 0);
}

/* Whether the published list o holds a document of the memo that is gone or renumbered:
 * 1, 0, or -1 when it does not decode. Reads only up to the last such document. */
static int list_touched(const struct layout *l, const struct otok *o)
{
        if (l->max_dirty == NO_DOC)
                return 0;
        struct bitr r = {o->p, o->p + o->plen, 0, 0};
        int kd = (int)br_bits(&r, PARAM_BITS);
        uint32_t id = UINT32_MAX;
        for (uint32_t i = 0; i < o->df; i++) {
                id += br_rice(&r, kd) + 1;
                if (r.n < 0 || id >= l->s->old.ndocs)
                        return -1;
                if (id > l->max_dirty)
                        return 0;
                if (l->old_new[id] != id)
                        return 1;
                (void)br_gamma(&r);
                (void)br_bits(&r, 1);
        }
        return r.n < 0 ? -1 : 0;
}

/* True when the n postings in w->posts are the list w->olds held (numbers, tf, title bits,
 * positions): then the published bytes are the ones coding them would give. */
static bool same_list(const struct worker *w, size_t n, size_t nold, bool withpos)
{
        if (n != nold)
                return false;
        for (size_t i = 0; i < n; i++) {
                const struct post *a = &w->posts[i], *b = &w->olds[i];
                if (a->id != b->id || a->tf2 != b->tf2 ||
                    (withpos &&
                     memcmp(w->gaps + a->pos, w->gaps + b->pos, (a->tf2 / 2) * sizeof *w->gaps)))
                        return false;
        }
        return true;
}

/* Codes a token of the shard being written: o its published postings (NULL: none), t its
 * entries of this build (NULL: none). A published list no change touches, or that comes
 * out the same, is copied as it is. Returns 0, or -1 when the published postings do not
 * decode. */
static int code_token(struct worker *w, const struct otok *o, const struct wtok *t, int how)
{
        if ((t && t->topic) || (!t && o->key[0] == K_TOPIC)) { /* from the records alone */
                if (t)
                        code_topic(w, t, t->topic - 1);
                return 0;
        }
        size_t n = 0;
        w->ngaps = 0;
        const unsigned char *q = NULL; /* its published positions, when they stay */
        size_t qlen = 0;
        bool withpos = has_positions((o ? o->key : t->key)[0]);
        if (o) {
                int touched = t ? 1 : how == SH_ADD ? 0 : list_touched(w->l, o);
                if (touched < 0)
                        return -1;
                if (!touched) { /* no document of it changed */
                        put_token(w, o->key, o->klen, o->df, o->p, o->plen, o->q, o->qlen);
                        return 0;
                }
                posts_room(w, o->df + (t ? t->df : 0));
                if (decode_postings(o->p, o->plen, o->df, w->posts) < 0)
                        return -1;
                if (t && o->df > w->capolds) {
                        w->capolds = o->df > 2 * w->capolds ? o->df : 2 * w->capolds;
                        w->olds = xrealloc(w->olds, w->capolds * sizeof *w->olds);
                }
                if (t) /* as published, to tell whether this build changes it at all */
                        memcpy(w->olds, w->posts, o->df * sizeof *w->olds);
                bool dropped = false, moved = false, sorted = true;
                uint32_t prev = NO_DOC; /* the last number kept */
                for (uint32_t i = 0; i < o->df; i++) {
                        uint32_t was = w->posts[i].id;
                        if (was >= w->l->s->old.ndocs)
                                return -1;
                        uint32_t now = w->l->old_new[was];
                        dropped |= now == NO_DOC;
                        moved |= now != was;
                        w->posts[i].id = now;
                        if (now == NO_DOC)
                                continue;
                        if (prev != NO_DOC && now < prev)
                                sorted = false;
                        prev = now;
                }
                if (!t && !moved) {
                        put_token(w, o->key, o->klen, o->df, o->p, o->plen, o->q, o->qlen);
                        return 0;
                }
                /* the positions are coded again when the list of documents changes other
                 * than by their numbers, which they do not hold */
                if (!withpos || (!t && !dropped && sorted)) {
                        q = o->q;
                        qlen = o->qlen;
                } else if (decode_positions(w, o->q, o->qlen, w->posts, o->df) < 0) {
                        return -1;
                }
                for (uint32_t i = 0; t && i < o->df; i++)
                        w->olds[i].pos = w->posts[i].pos;
                for (uint32_t i = 0; i < o->df; i++)
                        if (w->posts[i].id != NO_DOC)
                                w->posts[n++] = w->posts[i];
                if (!sorted)
                        sort_posts(w, w->posts, n);
        }
        if (t)
                n = gather_posts(w, t, n);
        if (o && t && same_list(w, n, o->df, withpos)) {
                put_token(w, o->key, o->klen, o->df, o->p, o->plen, o->q, o->qlen);
                return 0;
        }
        code_posts(w, o ? o->key : t->key, o ? o->klen : t->klen, n, q, qlen);
        return 0;
}

/* Reads the published shard sh (its files checked against the digests the memo recorded)
 * into l->otoks. Returns 0, or -1 after reporting. */
static int read_shard(struct worker *w, uint32_t sh)
{
        char rel[2][64];
        snprintf(rel[0], sizeof rel[0], "search/idx/p/%03x.bin", (unsigned)sh);
        snprintf(rel[1], sizeof rel[1], "search/idx/q/%03x.bin", (unsigned)sh);
        struct buf *b[2] = {&w->oldp, &w->oldq};
        for (int i = 0; i < 2; i++) {
                unsigned char md[32];
                buf_reset(b[i]);
                int rc = w->l->io->read(w->l->io->ctx, rel[i], b[i]);
                if (rc == 0)
                        digest_sha256(md, b[i]->data ? b[i]->data : "", b[i]->len);
                if (rc < 0 || memcmp(md, w->l->s->old.files + 64 * (size_t)sh + 32 * i, 32)) {
                        diag_error(w->l->d, rel[i], 0, 0,
                                   "the published search index changed during the build");
                        return -1;
                }
        }
        const unsigned char *p = (const unsigned char *)w->oldp.data, *end = p + w->oldp.len;
        uint64_t count = get_varint(&p, end);
        if (count > w->oldp.len)
                goto bad;
        w->notoks = 0;
        if (count > w->capotoks) {
                w->capotoks = (size_t)count;
                w->otoks = xrealloc(w->otoks, w->capotoks * sizeof *w->otoks);
        }
        for (uint64_t k = 0; k < count; k++) {
                struct otok *o = &w->otoks[w->notoks++];
                uint64_t klen = get_varint(&p, end);
                if (!klen || klen > (uint64_t)(end - p))
                        goto bad;
                o->key = (const char *)p;
                o->klen = (size_t)klen;
                p += klen;
                uint64_t df = get_varint(&p, end), plen = get_varint(&p, end),
                         qlen = get_varint(&p, end);
                if (!df || df > UINT32_MAX || plen > w->oldp.len || qlen > w->oldq.len)
                        goto bad;
                o->df = (uint32_t)df;
                o->plen = (size_t)plen;
                o->qlen = (size_t)qlen;
        }
        size_t poff = (size_t)(p - (const unsigned char *)w->oldp.data), qoff = 0;
        for (size_t k = 0; k < w->notoks; k++) {
                struct otok *o = &w->otoks[k];
                if (o->plen > w->oldp.len - poff || o->qlen > w->oldq.len - qoff)
                        goto bad;
                o->p = (const unsigned char *)w->oldp.data + poff;
                o->q = (const unsigned char *)w->oldq.data + qoff;
                poff += o->plen;
                qoff += o->qlen;
        }
        if (poff != w->oldp.len || qoff != w->oldq.len)
                goto bad;
        return 0;
bad:
        diag_error(w->l->d, rel[0], 0, 0, "the published search index does not decode");
        return -1;
}

/* Writes shard sh: p/XXX.bin, a directory (count, then per token: key length, key, df,
 * postings bytes, positions bytes) followed by the postings, and q/XXX.bin, the positions
 * of the same tokens back to back. A shard nothing changed in is kept as published; one
 * something changed in is the published one with this build's changes (see search.h).
 * Returns 0, or -1 (after reporting when emit did not). */
static int write_shard(struct worker *w, uint32_t sh)
{
        const struct search_io *io = w->l->io;
        char prel[64], qrel[64];
        snprintf(prel, sizeof prel, "search/idx/p/%03x.bin", (unsigned)sh);
        snprintf(qrel, sizeof qrel, "search/idx/q/%03x.bin", (unsigned)sh);
        if (!w->l->affected[sh]) {
                memcpy(w->l->files[sh], w->l->s->old.files + 64 * (size_t)sh, 64);
                if (io->keep(io->ctx, prel, w->l->files[sh], false) &&
                    io->keep(io->ctx, qrel, w->l->files[sh] + 32, false))
                        return 0;
                diag_error(w->l->d, prel, 0, 0,
                           "the published search index changed during the build");
                return -1;
        }
        w->notoks = 0;
        if (w->l->s->incremental && read_shard(w, sh) < 0)
                return -1;
        buf_reset(&w->dir);
        buf_reset(&w->pb);
        buf_reset(&w->qb);
        w->nentries = 0;
        size_t i = 0, j = w->l->shard_at[sh], jend = w->l->shard_at[sh + 1];
        while (i < w->notoks || j < jend) {
                const struct otok *o = i < w->notoks ? &w->otoks[i] : NULL;
                const struct wtok *t = j < jend ? w->l->sorted[j] : NULL;
                int c = !o ? 1 : !t ? -1 : key_cmp(o->key, o->klen, t->key, t->klen);
                if (j + AHEAD < jend)
                        for (size_t m = w->l->sorted[j + AHEAD]->member;
                             m <
                             w->l->sorted[j + AHEAD]->member + w->l->sorted[j + AHEAD]->nmembers;
                             m++)
                                __builtin_prefetch(w->l->members[m].first);
                if (code_token(w, c <= 0 ? o : NULL, c >= 0 ? t : NULL, w->l->affected[sh]) < 0) {
                        diag_error(w->l->d, prel, 0, 0,
                                   "the published search index does not decode");
                        return -1;
                }
                i += c <= 0;
                j += c >= 0;
        }
        buf_reset(&w->pf);
        put_varint(&w->pf, w->nentries);
        buf_put(&w->pf, w->dir.data, w->dir.len);
        buf_put(&w->pf, w->pb.data, w->pb.len);
        buf_grow(&w->pf, 0);
        buf_grow(&w->qb, 0);
        if (w->l->s->keyed) { /* the keys, and the memo's digests */
                digest_sha256(w->l->files[sh], w->pf.data, w->pf.len);
                digest_sha256(w->l->files[sh] + 32, w->qb.data, w->qb.len);
        }
        bool keys = w->l->s->keyed;
        if (io->emit(io->ctx, prel, &w->pf, keys ? w->l->files[sh] : NULL) < 0 ||
            io->emit(io->ctx, qrel, &w->qb, keys ? w->l->files[sh] + 32 : NULL) < 0)
                return -1;
        return 0;
}

/* Codes shard i (pool-style: safe on several threads): on a worker no other thread uses
 * meanwhile. Returns 0, or -1 after reporting (when emit did not). */
static int shard_one(void *arg, size_t i)
{
        struct layout *l = arg;
        pthread_mutex_lock(&l->lock);
        struct worker *w = l->failed ? NULL : l->idle;
        if (w) {
                l->idle = w->next_idle;
        } else if (!l->failed) {
                w = xcalloc(1, sizeof *w);
                w->l = l;
                w->next = l->workers;
                l->workers = w;
        }
        pthread_mutex_unlock(&l->lock);
        if (!w)
                return -1; /* another shard failed: the index is not written */
        int rc = write_shard(w, (uint32_t)i);
        pthread_mutex_lock(&l->lock);
        w->next_idle = l->idle;
        l->idle = w;
        l->failed |= rc < 0;
        pthread_mutex_unlock(&l->lock);
        return rc;
}

/* Codes every shard on this thread. Returns 0 or -1. */
static int shards_here(struct layout *l)
{
        for (uint32_t sh = 0; sh < l->shards; sh++)
                if (shard_one(l, sh) < 0)
                        return -1;
        return 0;
}

/* Gives each token its shard (of l->shards), sorts the tokens by shard, then key, and
 * marks the shards that change (all without a memo): those of the tokens of this build's
 * entries and of topics whose documents changed (SH_ADD), and those of the documents of
 * the memo that are gone, changed or renumbered (SH_MOVE). */
/* Whether every document tokenised in this build replaces one of the memo under the same
 * number, its changed shards known (search_doc's old_packed): then only those shards
 * change, not every shard its tokens are in. */
static bool replaced_in_place(const struct search_index *s, const struct layout *l)
{
        if (!s->incremental)
                return false;
        for (size_t i = 0; i < l->ndocs; i++) {
                const struct sdoc *d = l->order[i];
                if (d->tokenised && (!d->changed || d->id != d->replaces))
                        return false;
        }
        return true;
}

static void plan_shards(struct search_index *s, struct layout *l)
{
        bool replaced = replaced_in_place(s, l);
        l->shard_at = xcalloc(l->shards + 1, sizeof *l->shard_at);
        l->affected = xcalloc(l->shards, 1);
        l->files = xcalloc(l->shards, sizeof *l->files);
        for (size_t i = 0; i < l->ntoks; i++) {
                struct wtok *t = &l->toks[i];
                t->shard = key_shard(t->key, t->klen, l->shards - 1);
                l->shard_at[t->shard + 1]++;
                if (!t->topic && !replaced)
                        l->affected[t->shard] = SH_ADD;
        }
        for (uint32_t sh = 0; sh < l->shards; sh++)
                l->shard_at[sh + 1] += l->shard_at[sh];
        size_t *fill = xcalloc(l->shards, sizeof *fill);
        l->sorted = xcalloc(l->ntoks ? l->ntoks : 1, sizeof *l->sorted);
        for (size_t i = 0; i < l->ntoks; i++) {
                uint32_t sh = l->toks[i].shard;
                l->sorted[l->shard_at[sh] + fill[sh]++] = &l->toks[i];
        }
        free(fill);
        for (uint32_t sh = 0; sh < l->shards; sh++)
                qsort(l->sorted + l->shard_at[sh], l->shard_at[sh + 1] - l->shard_at[sh],
                      sizeof *l->sorted, tok_cmp);
        if (!s->incremental) {
                memset(l->affected, SH_MOVE, l->shards);
                return;
        }
        const struct memo *m = &s->old;
        /* topics: those whose documents are not the memo's, and those gone */
        size_t a = 0, b = 0;
        while (a < l->nslugs || b < m->ntopics) {
                int c = a == l->nslugs    ? 1
                        : b == m->ntopics ? -1
                                          : key_cmp(l->slugs[a], strlen(l->slugs[a]),
                                                    m->topics[b].s, m->topics[b].len);
                const char *slug = c <= 0 ? l->slugs[a] : m->topics[b].s;
                size_t len = c <= 0 ? strlen(l->slugs[a]) : m->topics[b].len;
                if (c || memcmp(l->topic_md + 32 * a, m->topics[b].md, 32)) {
                        char *key = xasprintf("%c%.*s", K_TOPIC, (int)len, slug);
                        uint32_t sh = key_shard(key, len + 1, l->shards - 1);
                        if (!l->affected[sh])
                                l->affected[sh] = SH_ADD;
                        free(key);
                }
                a += c <= 0;
                b += c >= 0;
        }
        /* documents replaced in place: the shards whose postings of them change, every
         * token read (the old postings go, the new ones come) */
        bool *in_place = NULL;
        if (replaced) {
                in_place = xcalloc(m->ndocs ? m->ndocs : 1, sizeof *in_place);
                for (size_t i = 0; i < l->ndocs; i++) {
                        const struct sdoc *d = l->order[i];
                        if (!d->tokenised)
                                continue;
                        in_place[d->replaces] = true;
                        for (uint32_t sh = 0; sh < l->shards; sh++)
                                if (d->changed[sh / 8] >> (sh % 8) & 1)
                                        l->affected[sh] = SH_MOVE;
                }
        }
        /* the memo's documents whose postings go or move: every token of their shards is
         * read, to find them */
        l->max_dirty = NO_DOC;
        for (size_t x = 0; x < m->ndocs; x++) {
                if (l->old_new[x] == x)
                        continue;
                l->max_dirty = (uint32_t)x;
                if (in_place && in_place[x])
                        continue; /* its other shards hold its postings as they stay */
                const unsigned char *bits = m->docs + x * (32 + m->bmbytes) + 32;
                for (size_t k = 0; k < m->bmbytes; k++)
                        for (unsigned v = bits[k]; v; v &= v - 1)
                                l->affected[k * 8 + (size_t)__builtin_ctz(v)] = SH_MOVE;
        }
        free(in_place);
}

/* Frees what search_write built. */
static void layout_free(struct layout *l)
{
        free(l->order);
        free(l->old_new);
        free(l->slugs);
        free(l->names);
        free(l->dtopics);
        free(l->dtopic_at);
        free(l->toks);
        free(l->members);
        free(l->table);
        buf_free(&l->tkeys);
        free(l->topic_tok);
        free(l->topic_docs);
        free(l->topic_at);
        free(l->topic_md);
        free(l->sorted);
        free(l->shard_at);
        free(l->affected);
        free(l->files);
        free(l->words.v);
        while (l->workers) {
                struct worker *w = l->workers;
                l->workers = w->next;
                free(w->otoks);
                struct buf *bufs[] = {&w->oldp, &w->oldq, &w->dir, &w->pb, &w->qb, &w->pf};
                for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
                        buf_free(bufs[i]);
                free(w->words.v);
                free(w->posts);
                free(w->spare);
                free(w->gaps);
                free(w->olds);
                free(w);
        }
}

/* ---- the memo: what the next build needs to update this build's index in place ----
 * MEMO_MAGIC, varint format version, the salt (32 bytes), varint shards, documents, topics
 * and word keys; per shard the SHA-256 of its p and q files; per document by number its
 * ident and its shard bits ((shards + 7) / 8 bytes); per topic varint length, slug and the
 * digest of its documents (topic_digest); per word key varint length and bytes; then the
 * SHA-256 of everything before. */
#define MEMO_MAGIC "gongbao-search-memo\n"

/* The shard count for ndocs documents: the power of two at or above ndocs / SHARD_DOCS,
 * at least 1, at most SHARD_MAX. */
static uint32_t shard_count(size_t ndocs)
{
        uint32_t shards = 1;
        while (shards < SHARD_MAX && (size_t)shards * SHARD_DOCS < ndocs)
                shards *= 2;
        return shards;
}

/* Appends the memo of the index l wrote to out. */
static void make_memo(const struct search_index *s, const struct layout *l, struct buf *out)
{
        size_t bm = (l->shards + 7) / 8, start = out->len;
        size_t need = 256 + 64 * (size_t)l->shards + (32 + bm) * l->ndocs;
        for (size_t k = 0; k < l->nslugs; k++)
                need += 10 + strlen(l->slugs[k]) + 32;
        for (size_t i = 0; i < l->words.n; i++)
                need += 10 + l->words.v[i].len;
        buf_reserve(out, need); /* megabytes: no room to spare */
        buf_puts(out, MEMO_MAGIC);
        put_varint(out, FORMAT_VERSION);
        buf_put(out, s->salt, sizeof s->salt);
        put_varint(out, l->shards);
        put_varint(out, l->ndocs);
        put_varint(out, l->nslugs);
        put_varint(out, l->words.n);
        buf_put(out, l->files, 64 * (size_t)l->shards);
        for (size_t i = 0; i < l->ndocs; i++) {
                const struct sdoc *d = l->order[i];
                buf_put(out, d->ident, 32);
                if (d->bits)
                        buf_put(out, d->bits, bm);
                else if (d->old != NO_DOC)
                        buf_put(out, s->old.docs + d->old * (32 + bm) + 32, bm);
                else
                        for (size_t k = 0; k < bm; k++)
                                buf_putc(out, '\0');
        }
        for (size_t k = 0; k < l->nslugs; k++) {
                put_varint(out, strlen(l->slugs[k]));
                buf_puts(out, l->slugs[k]);
                buf_put(out, l->topic_md + 32 * k, 32);
        }
        for (size_t i = 0; i < l->words.n; i++) {
                put_varint(out, l->words.v[i].len);
                buf_put(out, l->words.v[i].s, l->words.v[i].len);
        }
        unsigned char md[32];
        digest_sha256(md, out->data + start, out->len - start);
        buf_put(out, md, sizeof md);
}

/* Reads n bytes at *p (below end): returns where they start and advances *p, or returns
 * NULL when there are fewer. */
static const unsigned char *take(const unsigned char **p, const unsigned char *end, size_t n)
{
        if ((size_t)(end - *p) < n)
                return NULL;
        const unsigned char *r = *p;
        *p += n;
        return r;
}

/* Reads count strings (varint length, bytes; with a digest when md) into *out. Returns 0,
 * or -1 when they do not fit or are not sorted and unique. */
static int memo_strings(const unsigned char **p, const unsigned char *end, size_t count, bool md,
                        struct mstr **out)
{
        *out = xcalloc(count ? count : 1, sizeof **out);
        for (size_t i = 0; i < count; i++) {
                uint64_t len = get_varint(p, end);
                const unsigned char *s = len < 4096 ? take(p, end, (size_t)len) : NULL;
                const unsigned char *d = md ? take(p, end, 32) : NULL;
                if (!s || (md && !d))
                        return -1;
                (*out)[i] = (struct mstr){(const char *)s, (size_t)len, d};
                if (i && key_cmp((*out)[i - 1].s, (*out)[i - 1].len, (*out)[i].s, len) >= 0)
                        return -1;
        }
        return 0;
}

/* Reads the memo in data (taking its bytes: data is left empty) into m when it is whole,
 * was made with salt and the format of this binary and has shards shards. Returns 0, or -1
 * (m is then empty). */
static int memo_read(struct memo *m, struct buf *data, const unsigned char salt[32],
                     uint32_t shards)
{
        memset(m, 0, sizeof *m);
        m->raw = *data; /* taken, not copied: it is megabytes */
        memset(data, 0, sizeof *data);
        size_t ml = strlen(MEMO_MAGIC), n = m->raw.len;
        unsigned char md[32];
        if (n < ml + 32 || memcmp(m->raw.data, MEMO_MAGIC, ml))
                goto bad;
        digest_sha256(md, m->raw.data, n - 32);
        if (memcmp(md, m->raw.data + n - 32, 32))
                goto bad;
        const unsigned char *p = (const unsigned char *)m->raw.data + ml, *end = p + n - 32 - ml;
        const unsigned char *s;
        uint64_t version = get_varint(&p, end);
        if (version != FORMAT_VERSION || !(s = take(&p, end, 32)) || memcmp(s, salt, 32))
                goto bad;
        uint64_t sh = get_varint(&p, end), nd = get_varint(&p, end), nt = get_varint(&p, end),
                 nw = get_varint(&p, end);
        m->shards = (uint32_t)sh;
        m->bmbytes = (shards + 7) / 8;
        if (sh != shards || nd >= NO_DOC || nd > (uint64_t)(end - p) / (32 + m->bmbytes) ||
            nt > (uint64_t)(end - p) || nw > (uint64_t)(end - p))
                goto bad;
        m->ndocs = (size_t)nd;
        if (!(m->files = take(&p, end, 64 * (size_t)shards)) ||
            !(m->docs = take(&p, end, (32 + m->bmbytes) * m->ndocs)))
                goto bad;
        m->ntopics = (size_t)nt;
        m->nwords = (size_t)nw;
        if (memo_strings(&p, end, m->ntopics, true, &m->topics) < 0 ||
            memo_strings(&p, end, m->nwords, false, &m->words) < 0 || p != end)
                goto bad;
        for (size_t i = 0; i < m->nwords; i++)
                if (m->words[i].len > 4 * WORD_KEY_CHARS)
                        goto bad;
        m->tcap = 1024;
        while (m->tcap < 2 * m->ndocs)
                m->tcap *= 2;
        m->table = xcalloc(m->tcap, sizeof *m->table);
        for (size_t i = 0; i < m->ndocs; i++) {
                const unsigned char *id = m->docs + i * (32 + m->bmbytes);
                if (memo_find(m, id) != NO_DOC)
                        goto bad; /* one document twice: not a memo search_write made */
                uint64_t h;
                memcpy(&h, id, sizeof h);
                size_t j = (size_t)h & (m->tcap - 1);
                while (m->table[j])
                        j = (j + 1) & (m->tcap - 1);
                m->table[j] = (uint32_t)i + 1;
        }
        return 0;
bad:
        memo_free(m);
        return -1;
}

/* True when every shard file the memo m recorded is the published one (io->keep, dry). */
static bool memo_published(const struct memo *m, const struct search_io *io)
{
        for (uint32_t sh = 0; sh < m->shards; sh++) {
                char rel[64];
                snprintf(rel, sizeof rel, "search/idx/p/%03x.bin", (unsigned)sh);
                if (!io->keep(io->ctx, rel, m->files + 64 * (size_t)sh, true))
                        return false;
                snprintf(rel, sizeof rel, "search/idx/q/%03x.bin", (unsigned)sh);
                if (!io->keep(io->ctx, rel, m->files + 64 * (size_t)sh + 32, true))
                        return false;
        }
        return true;
}

bool search_begin(struct search_index *s, const struct search_io *io, struct buf *memo,
                  const unsigned char salt[32], size_t ndocs)
{
        s->begun = true;
        s->expect = ndocs;
        s->shards = shard_count(ndocs);
        s->keyed = io && io->keep && io->read;
        memset(s->salt, 0, sizeof s->salt);
        if (salt)
                memcpy(s->salt, salt, sizeof s->salt);
        memo_free(&s->old);
        s->have_given = memo && memo->len >= 32;
        if (s->have_given)
                memcpy(s->given, memo->data + memo->len - 32, 32);
        s->incremental = s->keyed && memo && memo_read(&s->old, memo, s->salt, s->shards) == 0 &&
                         memo_published(&s->old, io);
        if (!s->incremental)
                memo_free(&s->old);
        return s->incremental;
}

int search_write(struct search_index *s, const struct search_io *io, struct diag *d)
{
        int rc = -1;
        struct layout l = {.s = s, .io = io, .d = d};
        pthread_mutex_init(&l.lock, NULL);
        order_docs(s, &l);
        if (s->begun && l.ndocs != s->expect) {
                diag_error(d, "search/idx", 0, 0, "%zu documents indexed, %zu expected", l.ndocs,
                           s->expect);
                goto out;
        }
        for (size_t i = 0; i < l.ndocs; i++)
                if (l.order[i]->old == NO_DOC && !l.order[i]->tokenised) {
                        diag_error(d, "search/idx", 0, 0,
                                   "%s: the search index needs this document's text",
                                   l.order[i]->url);
                        goto out;
                }
        l.shards = s->begun ? s->shards : shard_count(l.ndocs);
        merge_tokens(s, &l);
        plan_shards(s, &l);
        if (write_meta(&l) < 0 || write_records(&l) < 0)
                goto out;
        s->stats =
            (struct search_stats){.in_place = s->incremental, .docs = l.ndocs, .shards = l.shards};
        for (size_t i = 0; i < l.ndocs; i++)
                s->stats.tokenised += l.order[i]->tokenised;
        for (uint32_t sh = 0; sh < l.shards; sh++)
                s->stats.coded += l.affected[sh] != SH_KEEP;
        if (io->run ? io->run(io->ctx, l.shards, shard_one, &l) < 0 : shards_here(&l) < 0)
                goto out;
        /* the memo below is megabytes too: the chains make room for it (the peak of a build) */
        for (struct part *p = s->parts; p; p = p->next)
                part_drop_chains(p);
        if (write_words(&l) < 0)
                goto out;
        buf_free(&s->next);
        s->next_ready = s->keyed;
        if (s->keyed)
                make_memo(s, &l, &s->next);
        rc = 0;
out:
        layout_free(&l);
        pthread_mutex_destroy(&l.lock);
        return rc;
}

const struct search_stats *search_stats(const struct search_index *s)
{
        return &s->stats;
}

int search_memo(struct search_index *s, struct buf *out)
{
        if (!s->next_ready)
                return -1;
        /* the checksum ends the memo: the same one, the same bytes */
        if (s->have_given && !memcmp(s->next.data + s->next.len - 32, s->given, 32))
                return 0;
        if (!out->len) { /* megabytes: handed over, not copied */
                buf_free(out);
                *out = s->next;
                memset(&s->next, 0, sizeof s->next);
                s->next_ready = false;
                return 1;
        }
        buf_put(out, s->next.data, s->next.len);
        return 1;
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
                /* copy up to the next character reference or line break at once */
                const char *run = s;
                while (s < end && *s != '&' && (pre || *s != '\n'))
                        s++;
                buf_put(out, run, (size_t)(s - run));
                if (s == end)
                        break;
                if (*s == '&') {
                        size_t n = put_entity(out, s + 1, end);
                        if (!n)
                                buf_putc(out, '&');
                        s += n + 1;
                        continue;
                }
                unsigned char last = out->len ? (unsigned char)out->data[out->len - 1] : '\n';
                if (last != '\n' && last < 0x80)
                        buf_putc(out, ' ');
                s++;
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
        struct buf folded = {0}, tmp = {0};
        fold(&folded, &tmp, text, strlen(text));
        json_t *out = json_array();
        tokenize(folded.data, folded.len, json_add, out);
        buf_free(&folded);
        buf_free(&tmp);
        return out;
}
