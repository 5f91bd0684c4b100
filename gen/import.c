/* import: newspaper pages into drafts. The page is read as blocks (its non-blank lines),
 * each block classified (paragraph, short heading-like line, byline, dateline, photo
 * credit, caption, column label), repeats dropped page-wide, then the blocks are grouped
 * into articles, headlines that the layout put away from their text are matched back by
 * their words, and each article's broken sentences are joined. */
#include "import.h"
#include "utf8.h"
#include "date.h"
#include "fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SHORT  40   /* code points: longer lines are paragraphs */
#define MAX_BYLINE 60   /* code points of a byline or credit line */
#define MIN_REPEAT 10   /* code points: shorter paragraphs may repeat legitimately */
#define HEAD_LOW   0.2  /* a headline sharing fewer of its words with its text is doubtful */
#define HEAD_MATCH 0.5  /* a doubtful headline moves to a text sharing this many words */
#define MAX_NEAR   2000 /* blocks: above, only exact repeats are looked for */
#define MAX_MATCH  200  /* articles: above, headlines are not matched to texts */

/* ---------------------------------------------------------------------------------------
 * UTF-8 and characters */

/* The code point that ends s[0..len); 0 when empty. */
static int u8_last(const char *s, size_t len)
{
        if (!len)
                return 0;
        size_t i = len - 1;
        while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80 && len - i < 4)
                i--;
        int cp;
        utf8_next(s + i, &cp);
        return cp;
}

static size_t u8_len(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xC0) != 0x80;
        return n;
}

static bool is_digit(int cp)
{
        return cp >= '0' && cp <= '9';
}

static bool is_space(int cp)
{
        return cp == ' ' || cp == '\t' || cp == '\r' || cp == 0x3000 || cp == 0xA0;
}

static bool starts(const char *s, const char *prefix)
{
        return !strncmp(s, prefix, strlen(prefix));
}

static bool ends(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && !memcmp(s + a - b, suffix, b);
}

/* A copy of s[0..n) without leading and trailing spaces (ASCII, ideographic, no-break).
 * Caller frees. */
static char *trim_dup(const char *s, size_t n)
{
        const char *e = s + n;
        int cp;
        while (s < e) {
                int k = utf8_next(s, &cp);
                if (!is_space(cp))
                        break;
                s += k;
        }
        while (e > s) {
                size_t i = (size_t)(e - s) - 1;
                while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
                        i--;
                utf8_next(s + i, &cp);
                if (!is_space(cp))
                        break;
                e = s + i;
        }
        return xstrndup(s, (size_t)(e - s));
}

/* Skips spaces at *p. */
static void skip_spaces(const char **p)
{
        int cp;
        while (**p) {
                int k = utf8_next(*p, &cp);
                if (!is_space(cp))
                        return;
                *p += k;
        }
}

int import_end_kind(const char *para)
{
        size_t len = strlen(para);
        while (len && (para[len - 1] == ' ' || para[len - 1] == '\t'))
                len--;
        int cp = u8_last(para, len);
        if (!cp)
                return 1;
        switch (cp) {
        case 0x3002: /* 。 */
        case 0xFF01: /* ！ */
        case 0xFF1F: /* ？ */
        case 0x2026: /* … */
        case 0xFF0E: /* ． */
        case '!':
        case '?':
        case '.':
                return 2;
        case 0xFF09: /* ） */
        case ')':
                return 2;
        case 0x201D: /* ” */
        case 0x2019: /* ’ */
        case 0x300D: /* 」 */
        case 0x300F: /* 』 */
        case 0x300B: /* 》 */
        case 0x3011: /* 】 */
        case '"': {
                size_t k = len - 1;
                while (k > 0 && ((unsigned char)para[k] & 0xC0) == 0x80)
                        k--;
                int before = u8_last(para, k);
                return before == 0x3002 || before == 0xFF01 || before == 0xFF1F ||
                               before == 0x2026 || before == '!' || before == '?'
                           ? 2
                           : 1;
        }
        case 0xFF0C: /* ， */
        case 0x3001: /* 、 */
        case ',':
        case 0x201C: /* “ */
        case 0x2018: /* ‘ */
        case 0x300C: /* 「 */
        case 0x300A: /* 《 */
        case 0xFF08: /* （ */
        case '(':
                return 0;
        default:
                return utf8_is_han(cp) || is_digit(cp) ||
                               (cp < 0x80 && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'))
                           ? 0
                           : 1;
        }
}

/* Counts the pause marks inside s (，,；;) that make a line read as a sentence. */
static int pauses(const char *s)
{
        int n = 0, cp;
        while (*s) {
                s += utf8_next(s, &cp);
                n += cp == 0xFF0C || cp == ',' || cp == 0xFF1B || cp == ';';
        }
        return n;
}

/* ---------------------------------------------------------------------------------------
 * Names, bylines and datelines */

static const char surnames[] =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应"
    "臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝蔺郁钮";
static const char *const compound_surnames[] = {"欧阳", "司马", "上官", "诸葛", "东方",
                                                "皇甫", "尉迟", "公孙", "慕容", "长孙",
                                                "宇文", "司徒", "夏侯", "令狐", NULL};

/* Column labels and kickers a page sets above a headline. */
static const char *const labels[] = {
    "时评",       "社会时评", "评论",     "短评", "快评", "新闻评论", "资政一策", "言论", "观察",
    "本报评论员", "图片新闻", "新闻速递", "要闻", "特稿", "综述",     "图说",     NULL};

/* Byline keywords, longest first. */
static const char *const reporter_words[] = {
    "本报全媒体记者", "本报特约记者", "本报见习记者", "本报通讯员", "本报记者",
    "新华社记者",     "中新社记者",   "全媒体记者",   "特约通讯员", "特约记者",
    "见习记者",       "通讯员",       "实习生",       "记者",       NULL};

/* Agencies whose datelines start or end a story. */
static const char *const agencies[] = {"新华社", "中新社", "中新网", "人民网",
                                       "央视网", "本报",   NULL};

static bool in_list(const char *s, const char *const *list)
{
        for (; *list; list++)
                if (!strcmp(s, *list))
                        return true;
        return false;
}

/* The length of the word from list that s starts with, or 0. */
static size_t starts_list(const char *s, const char *const *list)
{
        for (; *list; list++)
                if (starts(s, *list))
                        return strlen(*list);
        return 0;
}

/* True when s (a whole token) reads as a Chinese personal name: 2–4 Han characters
 * starting with a common surname. */
static bool is_name(const char *s)
{
        size_t n = 0;
        int cp;
        for (const char *p = s; *p;) {
                p += utf8_next(p, &cp);
                if (!utf8_is_han(cp))
                        return false;
                n++;
        }
        if (n < 2 || n > 4)
                return false;
        if (starts_list(s, compound_surnames))
                return n >= 3;
        int k = utf8_next(s, &cp);
        for (const char *p = surnames; *p;) {
                int c2, k2 = utf8_next(p, &c2);
                if (c2 == cp)
                        return true;
                p += k2;
        }
        (void)k;
        return false;
}

/* Adds the names in token (one name, or several run together: 陈旭李平毛鑫) to authors.
 * Returns false when token is not made of names. */
static bool add_names(const char *tok, json_t *authors)
{
        if (is_name(tok)) {
                json_array_append_new(authors, json_string(tok));
                return true;
        }
        size_t n = u8_len(tok);
        for (size_t w = 2; w <= 3; w++) {
                if (n < 2 * w || n % w)
                        continue;
                json_t *found = json_array();
                bool ok = true;
                const char *p = tok;
                while (*p && ok) {
                        const char *q = p;
                        int cp;
                        for (size_t i = 0; i < w; i++)
                                q += utf8_next(q, &cp);
                        char *name = xstrndup(p, (size_t)(q - p));
                        ok = is_name(name);
                        json_array_append_new(found, json_string(name));
                        free(name);
                        p = q;
                }
                if (ok) {
                        json_array_extend(authors, found);
                        json_decref(found);
                        return true;
                }
                json_decref(found);
        }
        return false;
}

/* Reads s as a list of names with reporter keywords ("记者 郝帅鹏 李敖民 通讯员 郭志强",
 * "本报记者 高睿", "记者徐伟伦") up to its end. Returns the names, or NULL when something
 * else is in it. *keyword tells whether a reporter word was seen; *source is set to
 * "新华社" for 新华社记者. */
static json_t *parse_names(const char *s, bool *keyword, const char **source)
{
        json_t *authors = json_array();
        const char *p = s;
        *keyword = false;
        while (1) {
                skip_spaces(&p);
                int cp;
                while (*p && (utf8_next(p, &cp), cp == 0x3001 || cp == 0xFF0C || cp == ',' ||
                                                     cp == 0x25A1 || cp == 0x25A0)) {
                        p += utf8_next(p, &cp); /* 、，□■ between names */
                        skip_spaces(&p);
                }
                if (!*p)
                        break;
                size_t kw = starts_list(p, reporter_words);
                if (kw) {
                        if (starts(p, "新华社") && source)
                                *source = "新华社";
                        *keyword = true;
                        p += kw;
                        continue;
                }
                const char *q = p;
                while (*q) {
                        int k = utf8_next(q, &cp);
                        if (is_space(cp) || cp == 0x3001 || cp == 0xFF0C || cp == ',')
                                break;
                        q += k;
                }
                char *tok = xstrndup(p, (size_t)(q - p));
                bool ok = add_names(tok, authors);
                free(tok);
                if (!ok) {
                        json_decref(authors);
                        return NULL;
                }
                p = q;
        }
        return authors;
}

/* Reads a date "[YYYY年]M月D日" at *p, moving past it. Returns true and fills y (0 when
 * absent), m, d. */
static bool read_date(const char **p, int *y, int *m, int *d)
{
        const char *s = *p;
        long v[3];
        int n = 0;
        const char *marks[] = {"年", "月", "日"};
        int which[3];
        while (n < 3 && is_digit((unsigned char)*s)) {
                char *e;
                v[n] = strtol(s, &e, 10);
                if (e - s > 4)
                        return false;
                int k = -1;
                for (int j = 0; j < 3; j++)
                        if (starts(e, marks[j]))
                                k = j;
                if (k < 0 || (n && k <= which[n - 1]))
                        break;
                which[n++] = k;
                s = e + strlen(marks[k]);
                if (k == 2)
                        break;
        }
        if (n < 2 || which[n - 1] != 2 || which[n - 2] != 1)
                return false;
        *y = n == 3 && which[0] == 0 ? (int)v[0] : 0;
        *m = (int)v[n - 2];
        *d = (int)v[n - 1];
        if (*m < 1 || *m > 12 || *d < 1 || *d > 31 || (*y && (*y < 1900 || *y > 2999)))
                return false;
        *p = s;
        return true;
}

/* The text of a bracketed group at *p: （…） or (…). Moves past it and returns the inside
 * (caller frees), or NULL when *p does not start one. */
static char *read_paren(const char **p)
{
        const char *s = *p;
        const char *close;
        if (starts(s, "（"))
                s += 3, close = "）";
        else if (*s == '(')
                s += 1, close = ")";
        else
                return NULL;
        const char *e = strstr(s, close);
        if (!e)
                return NULL;
        char *in = xstrndup(s, (size_t)(e - s));
        *p = e + strlen(close);
        return in;
}

static void set_date(json_t *o, int y, int m, int d)
{
        if (y)
                json_object_set_new(o, "year", json_integer(y));
        json_object_set_new(o, "month", json_integer(m));
        json_object_set_new(o, "day", json_integer(d));
}

/* Reads an agency dateline at s: 新华社北京12月2日电, 本报北京1月14日电（记者 X）. */
static json_t *read_dateline(const char *s)
{
        size_t a = starts_list(s, agencies);
        if (!a)
                return NULL;
        const char *p = s + a;
        const char *place = p;
        int cp;
        while (*p && !is_digit((unsigned char)*p)) {
                int k = utf8_next(p, &cp);
                if (!utf8_is_han(cp) || (size_t)(p - place) > 30)
                        return NULL;
                p += k;
        }
        size_t place_len = (size_t)(p - place);
        int y, m, d;
        if (!read_date(&p, &y, &m, &d) || !starts(p, "电"))
                return NULL;
        p += strlen("电");
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string("dateline"));
        char *src = xstrndup(s, a);
        if (strcmp(src, "本报"))
                json_object_set_new(o, "source", json_string(src));
        free(src);
        if (place_len) {
                char *pl = xstrndup(place, place_len);
                json_object_set_new(o, "place", json_string(pl));
                free(pl);
        }
        set_date(o, y, m, d);
        json_t *authors = json_array();
        const char *q = p;
        skip_spaces(&q);
        char *in = read_paren(&q);
        if (in) {
                bool kw;
                json_t *names = parse_names(in, &kw, NULL);
                if (names) {
                        json_array_extend(authors, names);
                        json_decref(names);
                        p = q;
                }
                free(in);
        }
        json_object_set_new(o, "authors", authors);
        skip_spaces(&p);
        if (*p) {
                json_object_set_new(o, "kind", json_string("lead"));
                json_object_set_new(o, "rest", json_string(p));
        }
        return o;
}

/* Reads 本报讯 with its credit: 本报讯（鲁选泽）…, 本报讯 记者徐伟伦 1月14日，… */
static json_t *read_benbaoxun(const char *s)
{
        if (!starts(s, "本报讯"))
                return NULL;
        const char *p = s + strlen("本报讯");
        json_t *o = json_object();
        json_t *authors = json_array();
        json_object_set_new(o, "authors", authors);
        skip_spaces(&p);
        const char *q = p;
        char *in = read_paren(&q);
        if (in) {
                bool kw;
                json_t *names = parse_names(in, &kw, NULL);
                if (names) {
                        json_array_extend(authors, names);
                        json_decref(names);
                        p = q;
                }
                free(in);
        } else {
                /* tokens "记者徐伟伦" or "记者 徐伟伦" until the first that is not a name */
                while (*p) {
                        size_t kw = starts_list(p, reporter_words);
                        const char *t = p + kw;
                        skip_spaces(&t);
                        const char *e = t;
                        int cp;
                        while (*e) {
                                int k = utf8_next(e, &cp);
                                if (is_space(cp))
                                        break;
                                e += k;
                        }
                        char *tok = xstrndup(t, (size_t)(e - t));
                        bool name = (kw || json_array_size(authors)) && add_names(tok, authors);
                        free(tok);
                        if (!name)
                                break;
                        p = e;
                        skip_spaces(&p);
                }
        }
        skip_spaces(&p);
        json_object_set_new(o, "kind", json_string(*p ? "lead" : "dateline"));
        if (*p)
                json_object_set_new(o, "rest", json_string(p));
        return o;
}

/* A source line: 据《山西日报》, 来源：X (already without brackets). */
static json_t *read_source(const char *s)
{
        const char *p = s;
        if (starts(p, "据"))
                p += strlen("据");
        else if (starts(p, "来源："))
                p += strlen("来源：");
        else
                return NULL;
        skip_spaces(&p);
        char *name;
        if (starts(p, "《") && ends(p, "》") && strlen(p) > 6)
                name = xstrndup(p + 3, strlen(p) - 6);
        else if (starts_list(p, agencies) == strlen(p) ||
                 (ends(p, "报道") && starts_list(p, agencies) == strlen(p) - strlen("报道")))
                name = xstrndup(p, starts_list(p, agencies));
        else
                return NULL;
        if (!*name || u8_len(name) > 20) {
                free(name);
                return NULL;
        }
        json_t *o = json_pack("{s:s, s:s, s:[]}", "kind", "source", "source", name, "authors");
        free(name);
        return o;
}

/* A photo credit: 新华社记者 才扬 摄, 西柏坡纪念馆供图, 新华社发. */
static json_t *read_photo(const char *s)
{
        if (strstr(s, "。") || strstr(s, "，") || u8_len(s) > 30)
                return NULL;
        if (!strcmp(s, "新华社发") || !strcmp(s, "中新社发") || !strcmp(s, "资料图片") ||
            ends(s, "供图") || ends(s, "摄") || ends(s, "摄影")) {
                json_t *o = json_pack("{s:s, s:[]}", "kind", "photo", "authors");
                if (starts(s, "新华社"))
                        json_object_set_new(o, "source", json_string("新华社"));
                return o;
        }
        return NULL;
}

json_t *import_credit(const char *line, int names_only)
{
        char *s = trim_dup(line, strlen(line));
        json_t *o = NULL;
        size_t n = u8_len(s);
        const char *p = s;
        if (!*s)
                goto out;
        if ((o = read_dateline(p)) || (o = read_benbaoxun(p)))
                goto out;
        if (n > MAX_BYLINE)
                goto out;
        {
                const char *q = p;
                char *in = read_paren(&q);
                skip_spaces(&q);
                if (in && !*q) { /* the whole line in brackets */
                        char *t = trim_dup(in, strlen(in));
                        o = read_dateline(t);
                        if (!o)
                                o = read_source(t);
                        if (!o)
                                o = read_photo(t);
                        if (!o) {
                                bool kw;
                                json_t *names = parse_names(t, &kw, NULL);
                                if (names && kw && json_array_size(names))
                                        o = json_pack("{s:s, s:o}", "kind", "byline", "authors",
                                                      names);
                                else
                                        json_decref(names);
                        }
                        free(t);
                        free(in);
                        goto out;
                }
                free(in);
        }
        if ((o = read_source(p)) || (o = read_photo(p)))
                goto out;
        {
                bool boxed = starts(p, "□") || starts(p, "■");
                bool kw;
                const char *src = NULL;
                json_t *names = parse_names(p, &kw, &src);
                if (names && (kw || boxed || names_only) &&
                    (json_array_size(names) || (src && kw))) {
                        o = json_pack("{s:s, s:o}", "kind", "byline", "authors", names);
                        if (src)
                                json_object_set_new(o, "source", json_string(src));
                        if (!kw && !boxed)
                                json_object_set_new(o, "guess", json_true());
                } else
                        json_decref(names);
        }
out:
        free(s);
        return o;
}

/* ---------------------------------------------------------------------------------------
 * Blocks: the page's non-blank lines, classified */

enum kind { K_PARA, K_SHORT, K_BANNER, K_LABEL, K_BYLINE, K_LEAD, K_END, K_PHOTO, K_CAPTION };

struct block {
        char *text; /* the line without surrounding spaces, punctuation made full width */
        int line;   /* 1-based line in the page */
        enum kind kind;
        json_t *info; /* import_credit's reading (bylines, leads, ends, photos), or NULL */
        json_t *tail; /* a credit or dateline cut from the paragraph's end, or NULL */
        char *tail_text;
        char *credit; /* a caption's photo credit, or NULL */
        bool dropped; /* a repeat, or a credit folded into its caption */
        int fixes;    /* half-width marks made full width */
};

static void put_cp(struct buf *b, int cp)
{
        char s[4];
        int n;
        if (cp < 0x80)
                s[0] = (char)cp, n = 1;
        else if (cp < 0x800)
                s[0] = (char)(0xC0 | (cp >> 6)), s[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
        else if (cp < 0x10000)
                s[0] = (char)(0xE0 | (cp >> 12)), s[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
                s[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
        else
                s[0] = (char)(0xF0 | (cp >> 18)), s[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
                s[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), s[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
        buf_put(b, s, (size_t)n);
}

/* True for characters after which Chinese punctuation belongs: Han and the closing marks. */
static bool cjk_before(int cp)
{
        return utf8_is_han(cp) || cp == 0x201D || cp == 0x2019 || cp == 0x300D || cp == 0x300F ||
               cp == 0x300B || cp == 0xFF09 || cp == 0x3011;
}

/* Returns s with the half-width , : ; ? ! ( ) of Chinese text made full width (a comma
 * after a Han character, brackets around Chinese words); *count is how many changed.
 * Caller frees. */
static char *full_width(const char *s, int *count)
{
        size_t n = 0, cap = strlen(s) + 1;
        int *cp = xmalloc(cap * sizeof *cp);
        for (const char *p = s; *p;)
                p += utf8_next(p, &cp[n++]);
        bool *conv = xcalloc(n + 1, 1);
        *count = 0;
        for (size_t i = 0; i < n; i++) {
                int c = cp[i], prev = i ? cp[i - 1] : 0, next = i + 1 < n ? cp[i + 1] : 0;
                if ((c == ',' || c == ';' || c == '!' || c == '?' ||
                     (c == ':' && !is_digit(next))) &&
                    cjk_before(prev))
                        conv[i] = true;
                else if (c == '(') {
                        size_t j = i + 1;
                        bool han = false;
                        while (j < n && cp[j] != ')' && cp[j] != '(' && j - i < 200)
                                han |= utf8_is_han(cp[j++]);
                        if (j < n && cp[j] == ')' && han &&
                            (utf8_is_han(prev) || utf8_is_han(next) || cjk_before(prev) || !prev))
                                conv[i] = conv[j] = true;
                }
        }
        struct buf b = {0};
        for (size_t i = 0; i < n; i++) {
                int c = cp[i];
                if (!conv[i]) {
                        put_cp(&b, c);
                        continue;
                }
                (*count)++;
                put_cp(&b, c == ','   ? 0xFF0C
                           : c == ';' ? 0xFF1B
                           : c == '!' ? 0xFF01
                           : c == '?' ? 0xFF1F
                           : c == ':' ? 0xFF1A
                           : c == '(' ? 0xFF08
                                      : 0xFF09);
                if (c != '(' && i + 2 < n && cp[i + 1] == ' ' && utf8_is_han(cp[i + 2]))
                        i++; /* "医保, 基金": the space went with the comma */
        }
        free(cp);
        free(conv);
        if (!b.len)
                buf_puts(&b, "");
        return buf_detach(&b);
}

/* Cuts a credit (（记者陈旭 陈健）) or a dateline (新华社北京12月2日电) off the end of a
 * paragraph into b->tail. */
static void cut_tail(struct block *b)
{
        char *t = b->text;
        size_t len = strlen(t);
        if (ends(t, "）") || ends(t, ")")) {
                const char *open = NULL;
                for (const char *p = t; (p = strstr(p, ends(t, "）") ? "（" : "(")); p++)
                        open = p;
                if (open && open > t) {
                        size_t olen = starts(open, "（") ? 3 : 1;
                        size_t clen = ends(t, "）") ? 3 : 1;
                        char *in = xstrndup(open + olen, len - (size_t)(open - t) - olen - clen);
                        bool kw;
                        json_t *names = parse_names(in, &kw, NULL);
                        json_t *dl = names ? NULL : read_dateline(in);
                        if ((names && kw && json_array_size(names)) ||
                            (dl &&
                             !strcmp(json_string_value(json_object_get(dl, "kind")), "dateline"))) {
                                b->tail = names ? json_pack("{s:s, s:O}", "kind", "byline",
                                                            "authors", names)
                                                : json_incref(dl);
                                b->tail_text = xstrdup(open);
                                t[open - t] = '\0';
                        }
                        json_decref(names);
                        json_decref(dl);
                        free(in);
                        if (b->tail)
                                return;
                }
        }
        for (const char *const *a = agencies; *a; a++) {
                const char *p = t, *hit = NULL;
                while ((p = strstr(p, *a))) {
                        hit = p;
                        p += strlen(*a);
                }
                if (!hit || hit == t)
                        continue;
                json_t *dl = read_dateline(hit);
                if (dl && !strcmp(json_string_value(json_object_get(dl, "kind")), "dateline")) {
                        int before = u8_last(t, (size_t)(hit - t));
                        if (before == 0x3002 || before == ' ' || before == 0xFF01 ||
                            before == 0xFF1F || before == 0x201D) {
                                b->tail = dl;
                                b->tail_text = xstrdup(hit);
                                t[hit - t] = '\0';
                                char *trim = trim_dup(t, strlen(t));
                                free(b->text);
                                b->text = trim;
                                return;
                        }
                }
                json_decref(dl);
        }
}

/* Reads the page's non-blank lines into *out. Returns the count. */
static size_t read_blocks(const char *text, size_t len, struct block **out)
{
        size_t n = 0, cap = 64;
        struct block *b = xcalloc(cap, sizeof *b);
        const char *p = text, *end = text + len;
        int line = 0;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                line++;
                char *t = trim_dup(p, (size_t)(e - p));
                p = nl ? nl + 1 : end;
                if (!*t) {
                        free(t);
                        continue;
                }
                if (n == cap)
                        b = xrealloc(b, (cap *= 2) * sizeof *b);
                memset(&b[n], 0, sizeof b[n]);
                b[n].text = full_width(t, &b[n].fixes);
                b[n].line = line;
                free(t);
                n++;
        }
        *out = b;
        return n;
}

static void free_blocks(struct block *b, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(b[i].text);
                free(b[i].credit);
                free(b[i].tail_text);
                json_decref(b[i].info);
                json_decref(b[i].tail);
        }
        free(b);
}

static bool heading_like(enum kind k)
{
        return k == K_SHORT || k == K_BANNER || k == K_LABEL;
}

/* Gives every block its kind. */
static void classify(struct block *b, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const char *t = b[i].text;
                size_t len = u8_len(t);
                if (starts(t, "【") && ends(t, "】") && len <= MAX_SHORT && len > 2) {
                        b[i].kind = K_BANNER;
                        continue;
                }
                if (in_list(t, labels)) {
                        b[i].kind = K_LABEL;
                        continue;
                }
                bool after_head = i > 0 && heading_like(b[i - 1].kind);
                json_t *info = import_credit(t, after_head);
                if (info) {
                        const char *k = json_string_value(json_object_get(info, "kind"));
                        b[i].info = info;
                        b[i].kind = !strcmp(k, "byline")  ? K_BYLINE
                                    : !strcmp(k, "lead")  ? K_LEAD
                                    : !strcmp(k, "photo") ? K_PHOTO
                                                          : K_END;
                        continue;
                }
                const char *stop = strstr(t, "。");
                if (stop && stop[3] && !strstr(stop + 3, "。") && (info = read_photo(stop + 3))) {
                        b[i].kind = K_CAPTION; /* ……旧址原貌。西柏坡纪念馆供图 */
                        b[i].info = info;
                        b[i].credit = xstrdup(stop + 3);
                        b[i].text[stop + 3 - t] = '\0';
                        continue;
                }
                cut_tail(&b[i]);
                if (b[i].tail) { /* a sentence followed by its dateline or credit */
                        b[i].kind = K_PARA;
                        continue;
                }
                if (len <= MAX_SHORT && import_end_kind(t) != 2 && pauses(t) <= 1) {
                        b[i].kind = K_SHORT;
                        continue;
                }
                b[i].kind = K_PARA;
        }
        /* a paragraph just before a photo credit is its caption */
        for (size_t i = 0; i < n; i++) {
                if (b[i].kind != K_PARA || b[i].tail)
                        continue;
                if (i + 1 < n && b[i + 1].kind == K_PHOTO) {
                        b[i].kind = K_CAPTION;
                        b[i].credit = xstrdup(b[i + 1].text);
                        b[i].info = b[i + 1].info;
                        b[i + 1].info = NULL;
                        b[i + 1].dropped = true;
                        continue;
                }
        }
}

/* The code points of s without spaces, for comparing paragraphs. */
static int *cps(const char *s, size_t *n)
{
        int *a = xmalloc((strlen(s) + 1) * sizeof *a);
        *n = 0;
        while (*s) {
                int c;
                s += utf8_next(s, &c);
                if (!is_space(c))
                        a[(*n)++] = c;
        }
        return a;
}

/* The edit distance between a and b when it is at most max, else max + 1. */
static int distance(const int *a, size_t na, const int *b, size_t nb, int max)
{
        if ((na > nb ? na - nb : nb - na) > (size_t)max)
                return max + 1;
        int *prev = xmalloc((nb + 1) * sizeof *prev), *cur = xmalloc((nb + 1) * sizeof *cur);
        for (size_t j = 0; j <= nb; j++)
                prev[j] = (int)j;
        int best = 0;
        for (size_t i = 1; i <= na; i++) {
                cur[0] = (int)i;
                best = cur[0];
                for (size_t j = 1; j <= nb; j++) {
                        if ((i > j ? i - j : j - i) > (size_t)max) {
                                cur[j] = max + 1;
                                continue;
                        }
                        int v = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        if (prev[j] + 1 < v)
                                v = prev[j] + 1;
                        if (cur[j - 1] + 1 < v)
                                v = cur[j - 1] + 1;
                        cur[j] = v > max + 1 ? max + 1 : v;
                        if (cur[j] < best)
                                best = cur[j];
                }
                int *t = prev;
                prev = cur;
                cur = t;
                if (best > max)
                        break;
        }
        int d = best > max ? max + 1 : prev[nb];
        free(prev);
        free(cur);
        return d > max ? max + 1 : d;
}

static size_t root(size_t *parent, size_t i)
{
        while (parent[i] != i)
                i = parent[i] = parent[parent[i]];
        return i;
}

/* Drops paragraphs the layout printed more than once, page-wide: of each group of equal
 * or nearly equal paragraphs the last copy stays (a layout repeats an article's text
 * ahead of its place), with the fullest wording of the group. */
static void drop_repeats(struct block *b, size_t n, json_t *report)
{
        int **c = xcalloc(n + 1, sizeof *c);
        size_t *len = xcalloc(n + 1, sizeof *len), *parent = xmalloc((n + 1) * sizeof *parent);
        for (size_t i = 0; i < n; i++) {
                parent[i] = i;
                if (!b[i].dropped && (b[i].kind == K_PARA || b[i].kind == K_CAPTION))
                        c[i] = cps(b[i].text, &len[i]);
                if (c[i] && len[i] < MIN_REPEAT) {
                        free(c[i]);
                        c[i] = NULL;
                }
        }
        json_t *exact = json_object(); /* text without spaces -> a block with it */
        for (size_t i = 0; i < n && n > MAX_NEAR; i++) {
                if (!c[i])
                        continue;
                struct buf key = {0};
                for (size_t k = 0; k < len[i]; k++)
                        put_cp(&key, c[i][k]);
                json_t *prev = json_object_get(exact, buf_cstr(&key));
                if (prev)
                        parent[root(parent, (size_t)json_integer_value(prev))] = root(parent, i);
                json_object_set_new(exact, buf_cstr(&key), json_integer((json_int_t)i));
                buf_free(&key);
        }
        json_decref(exact);
        for (size_t i = 0; i < n && n <= MAX_NEAR; i++)
                for (size_t j = i + 1; c[i] && j < n; j++) {
                        if (!c[j])
                                continue;
                        bool same = len[i] == len[j] && !memcmp(c[i], c[j], len[i] * sizeof(int));
                        if (!same && len[i] >= 20) {
                                int max = 1 + (int)(len[i] / 100);
                                same = distance(c[i], len[i], c[j], len[j], max) <= max;
                        }
                        if (same)
                                parent[root(parent, i)] = root(parent, j);
                }
        for (size_t i = 0; i < n; i++) {
                if (!c[i])
                        continue;
                size_t r = root(parent, i), last = i, fullest = i;
                for (size_t j = i; j < n; j++)
                        if (c[j] && root(parent, j) == r) {
                                last = j;
                                if (len[j] > len[fullest])
                                        fullest = j;
                        }
                if (last == i)
                        continue;
                b[i].dropped = true;
                json_array_append_new(
                    report, json_sprintf("line %d: repeated paragraph dropped (the copy at "
                                         "line %d is kept)",
                                         b[i].line, b[last].line));
                if (len[fullest] > len[last] && fullest == i) {
                        free(b[last].text);
                        b[last].text = xstrdup(b[i].text);
                        json_array_append_new(
                            report, json_sprintf("line %d: kept the fuller wording of line %d",
                                                 b[last].line, b[i].line));
                        free(c[last]);
                        c[last] = cps(b[last].text, &len[last]);
                }
        }
        for (size_t i = 0; i < n; i++)
                free(c[i]);
        free(c);
        free(len);
        free(parent);
}

/* ---------------------------------------------------------------------------------------
 * Articles */

enum item_kind { IT_PARA, IT_HEAD, IT_NOTE };

/* One piece of an article's body. */
struct item {
        enum item_kind kind;
        char *text; /* without Markdown */
        int line;   /* its first line in the page */
        int last;   /* its last line (after joins) */
};

/* An article being put together. */
struct art {
        struct item *items; /* the body in order */
        size_t n, cap;
        json_t *head;    /* the headline lines [{text, line}] */
        json_t *meta;    /* authors [], tags [], source, place, month, day, year, date_line */
        json_t *changed; /* report lines: what import did */
        json_t *unsure;  /* report lines: what an editor should check */
        bool ended;      /* an end-of-story dateline was seen */
        bool orphan;     /* a headline with no text (placed away from its article) */
        int fixes;       /* half-width marks made full width */
};

static struct art *art_new(void)
{
        struct art *a = xcalloc(1, sizeof *a);
        a->head = json_array();
        a->meta = json_pack("{s:[], s:[]}", "authors", "tags");
        a->changed = json_array();
        a->unsure = json_array();
        return a;
}

static void art_free(struct art *a)
{
        if (!a)
                return;
        for (size_t i = 0; i < a->n; i++)
                free(a->items[i].text);
        free(a->items);
        json_decref(a->head);
        json_decref(a->meta);
        json_decref(a->changed);
        json_decref(a->unsure);
        free(a);
}

static void add_item(struct art *a, enum item_kind k, const char *text, int line)
{
        if (a->n == a->cap)
                a->items =
                    xrealloc(a->items, (a->cap = a->cap ? a->cap * 2 : 16) * sizeof *a->items);
        a->items[a->n++] = (struct item){k, xstrdup(text), line, line};
}

static bool has_body(const struct art *a)
{
        for (size_t i = 0; i < a->n; i++)
                if (a->items[i].kind == IT_PARA)
                        return true;
        return false;
}

static int first_line(const struct art *a)
{
        int line = a->n ? a->items[0].line : 0;
        json_t *h = json_array_get(a->head, 0);
        int hl = (int)json_integer_value(json_object_get(h, "line"));
        return hl && (!line || hl < line) ? hl : line;
}

static void note(json_t *list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(json_t *list, const char *fmt, ...)
{
        struct buf b = {0};
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        json_array_append_new(list, json_string(buf_cstr(&b)));
        buf_free(&b);
}

/* Takes what a byline, dateline or credit says into the article (first wins). */
static void absorb(struct art *a, json_t *info, int line, const char *text, bool authors_too)
{
        json_t *names = json_object_get(a->meta, "authors");
        size_t i;
        json_t *v;
        struct buf said = {0};
        if (authors_too)
                json_array_foreach(json_object_get(info, "authors"), i, v)
                {
                        bool have = false;
                        for (size_t j = 0; j < json_array_size(names); j++)
                                have |= json_equal(json_array_get(names, j), v);
                        if (!have) {
                                json_array_append(names, v);
                                buf_printf(&said, "%sauthor %s", said.len ? ", " : "",
                                           json_string_value(v));
                        }
                }
        static const char *const keys[] = {"source", "place", NULL};
        for (const char *const *k = keys; *k; k++)
                if ((v = json_object_get(info, *k)) && !json_object_get(a->meta, *k)) {
                        json_object_set(a->meta, *k, v);
                        buf_printf(&said, "%s%s %s", said.len ? ", " : "", *k,
                                   json_string_value(v));
                }
        if (json_object_get(info, "month") && !json_object_get(a->meta, "month")) {
                json_object_set(a->meta, "month", json_object_get(info, "month"));
                json_object_set(a->meta, "day", json_object_get(info, "day"));
                if (json_object_get(info, "year"))
                        json_object_set(a->meta, "year", json_object_get(info, "year"));
                json_object_set_new(a->meta, "date_line", json_integer(line));
                buf_printf(&said, "%sdate", said.len ? ", " : "");
        }
        if (said.len)
                note(a->changed, "line %d: “%s” read as %s", line, text, buf_cstr(&said));
        else
                note(a->changed, "line %d: “%s” taken out of the text", line, text);
        if (json_is_true(json_object_get(info, "guess")))
                note(a->unsure, "line %d: “%s” taken for the author's name", line, text);
        buf_free(&said);
}

/* A page being split: its articles in order. */
struct page {
        struct art **arts;
        size_t n, cap;
        json_t *report; /* page-level report lines */
};

static struct art *page_add(struct page *pg)
{
        if (pg->n == pg->cap)
                pg->arts =
                    xrealloc(pg->arts, (pg->cap = pg->cap ? pg->cap * 2 : 8) * sizeof *pg->arts);
        return pg->arts[pg->n++] = art_new();
}

/* A caption or photo credit as the text of a note. Caller frees. */
static char *photo_note(const struct block *x)
{
        if (x->kind == K_CAPTION)
                return x->credit ? xasprintf("【图】%s（%s）", x->text, x->credit)
                                 : xasprintf("【图】%s", x->text);
        return xasprintf("【图】%s", x->text);
}

/* Heading lines in an article's text: a line cut in two by the layout (跨省共济，将“盘活”
 * 更多医保个 / 账资金——) is joined; each becomes a subheading. */
static void add_subheads(struct art *a, struct block *b, size_t from, size_t to)
{
        for (size_t i = from; i < to; i++) {
                if (b[i].dropped)
                        continue;
                if (b[i].kind == K_PHOTO) {
                        char *t = photo_note(&b[i]);
                        add_item(a, IT_NOTE, t, b[i].line);
                        free(t);
                        continue;
                }
                struct buf t = {0};
                buf_puts(&t, b[i].text);
                int line = b[i].line, last = line;
                size_t j = i + 1;
                while (j < to && !b[j].dropped && b[j].kind == K_SHORT &&
                       import_end_kind(t.data) == 0 &&
                       (pauses(t.data) || strstr(t.data, "：") || strstr(t.data, ":"))) {
                        buf_puts(&t, b[j].text);
                        note(a->changed, "lines %d and %d: heading broken across lines joined",
                             line, b[j].line);
                        last = b[j].line;
                        i = j++;
                }
                add_item(a, IT_HEAD, t.data, line);
                a->items[a->n - 1].last = last;
                buf_free(&t);
        }
}

/* Groups the blocks into articles. */
static void segment(struct block *b, size_t n, struct page *pg)
{
        struct art *cur = NULL;
        for (size_t i = 0; i < n; i++) {
                struct block *x = &b[i];
                if (x->dropped)
                        continue;
                switch (x->kind) {
                case K_SHORT:
                case K_BANNER:
                case K_LABEL: {
                        size_t j = i, last = i;
                        bool label = false;
                        while (j < n &&
                               (b[j].dropped || heading_like(b[j].kind) || b[j].kind == K_PHOTO)) {
                                if (!b[j].dropped) {
                                        last = j;
                                        label |= b[j].kind != K_SHORT && b[j].kind != K_PHOTO;
                                }
                                j++;
                        }
                        int nk = j < n ? (int)b[j].kind : -1;
                        bool start = !cur || cur->ended || nk == K_BYLINE || nk == K_LEAD ||
                                     nk == K_CAPTION || label || j == n;
                        if (!start) {
                                add_subheads(cur, b, i, j);
                                i = last;
                                break;
                        }
                        struct art *prev = cur;
                        cur = page_add(pg);
                        cur->orphan = j == n;
                        if (cur->orphan && prev && has_body(prev)) { /* its captions */
                                size_t k = prev->n;
                                while (k > 0 && prev->items[k - 1].kind == IT_NOTE)
                                        k--;
                                for (size_t m = k; m < prev->n; m++) {
                                        cur->items =
                                            xrealloc(cur->items, (cur->n + 1) * sizeof *cur->items);
                                        cur->cap = cur->n + 1;
                                        cur->items[cur->n++] = prev->items[m];
                                }
                                prev->n = k;
                        }
                        for (size_t k = i; k < j; k++) {
                                struct block *h = &b[k];
                                if (h->dropped)
                                        continue;
                                if (h->kind == K_SHORT)
                                        json_array_append_new(cur->head,
                                                              json_pack("{s:s, s:i}", "text",
                                                                        h->text, "line", h->line));
                                else if (h->kind == K_PHOTO) {
                                        char *t = photo_note(h);
                                        add_item(cur, IT_NOTE, t, h->line);
                                        free(t);
                                        note(cur->changed, "line %d: photo credit made a note",
                                             h->line);
                                } else {
                                        const char *tag = h->text;
                                        char *inner = h->kind == K_BANNER
                                                          ? xstrndup(tag + 3, strlen(tag) - 6)
                                                          : xstrdup(tag);
                                        json_array_append_new(json_object_get(cur->meta, "tags"),
                                                              json_string(inner));
                                        note(cur->changed, "line %d: column label “%s” made a tag",
                                             h->line, inner);
                                        free(inner);
                                }
                        }
                        i = last;
                        break;
                }
                case K_BYLINE:
                        if (!cur || cur->ended || has_body(cur))
                                cur = page_add(pg);
                        absorb(cur, x->info, x->line, x->text, true);
                        break;
                case K_LEAD: {
                        if (!cur || cur->ended || has_body(cur))
                                cur = page_add(pg);
                        const char *rest = json_string_value(json_object_get(x->info, "rest"));
                        char *head = xstrndup(x->text, strlen(x->text) - strlen(rest));
                        char *h = trim_dup(head, strlen(head));
                        absorb(cur, x->info, x->line, h, true);
                        add_item(cur, IT_PARA, rest, x->line);
                        free(head);
                        free(h);
                        break;
                }
                case K_END:
                        if (!cur) {
                                note(pg->report, "line %d: “%s” comes before any article: dropped",
                                     x->line, x->text);
                                break;
                        }
                        absorb(cur, x->info, x->line, x->text, true);
                        cur->ended = true;
                        break;
                case K_PARA:
                        if (!cur || cur->ended)
                                cur = page_add(pg);
                        add_item(cur, IT_PARA, x->text, x->line);
                        if (x->tail)
                                absorb(cur, x->tail, x->line, x->tail_text, true);
                        break;
                case K_CAPTION:
                case K_PHOTO: {
                        if (!cur)
                                cur = page_add(pg);
                        char *t = photo_note(x);
                        add_item(cur, IT_NOTE, t, x->line);
                        free(t);
                        note(cur->changed, "line %d: %s made a note", x->line,
                             x->kind == K_CAPTION ? "caption" : "photo credit");
                        if (x->info && json_object_get(x->info, "source"))
                                absorb(cur, x->info, x->line, x->credit ? x->credit : x->text,
                                       false);
                        break;
                }
                }
                if (cur)
                        cur->fixes += x->fixes;
        }
}

/* ---------------------------------------------------------------------------------------
 * Headlines matched to their text */

/* The share of the headline's two-character words (adjacent Han characters) that the
 * text also has: 0 to 1. */
static double head_score(const char *head, const char *body)
{
        int total = 0, found = 0, c1, c2;
        for (const char *p = head; *p;) {
                int k1 = utf8_next(p, &c1);
                if (!p[k1])
                        break;
                int k2 = utf8_next(p + k1, &c2);
                if (utf8_is_han(c1) && utf8_is_han(c2)) {
                        char *bi = xstrndup(p, (size_t)(k1 + k2));
                        total++;
                        found += strstr(body, bi) != NULL;
                        free(bi);
                }
                p += k1;
        }
        return total ? (double)found / total : 0;
}

/* The headline lines joined: a kicker ending in —— or ： runs into the next line, other
 * lines are separated by a space. Caller frees. */
static char *head_text(const struct art *a)
{
        struct buf b = {0};
        size_t i;
        json_t *h;
        json_array_foreach(a->head, i, h)
        {
                const char *t = json_string_value(json_object_get(h, "text"));
                if (b.len && !ends(b.data, "——") && !ends(b.data, "：") && !ends(b.data, "—"))
                        buf_putc(&b, ' ');
                buf_puts(&b, t);
        }
        buf_puts(&b, "");
        return buf_detach(&b);
}

/* The article's paragraphs run together. Caller frees. */
static char *body_text(const struct art *a)
{
        struct buf b = {0};
        for (size_t i = 0; i < a->n; i++)
                buf_puts(&b, a->items[i].text);
        buf_puts(&b, "");
        return buf_detach(&b);
}

/* The headline's score against its own text, or -1 when it has no headline. */
static double own_score(const struct art *a)
{
        if (!json_array_size(a->head))
                return -1;
        char *h = head_text(a), *b = body_text(a);
        double s = head_score(h, b);
        free(h);
        free(b);
        return s;
}

static void swap_json(json_t **x, json_t **y)
{
        json_t *t = *x;
        *x = *y;
        *y = t;
}

/* Moves headlines that share few words with their text (and headlines the layout set
 * apart, with no text) to the article without a headline, or with a doubtful one, whose
 * text they match best. */
static void match_headlines(struct page *pg)
{
        for (size_t round = 0; round < 2 * pg->n + 2; round++) {
                double best = 0;
                struct art *bc = NULL, *bt = NULL;
                for (size_t t = 0; t < pg->n; t++) {
                        struct art *at = pg->arts[t];
                        double own = own_score(at);
                        if (at->orphan || !has_body(at) || own >= HEAD_LOW)
                                continue;
                        char *body = body_text(at);
                        for (size_t c = 0; c < pg->n; c++) {
                                struct art *ac = pg->arts[c];
                                if (ac == at || !json_array_size(ac->head) ||
                                    (!ac->orphan && own_score(ac) >= HEAD_LOW))
                                        continue;
                                char *h = head_text(ac);
                                double s = head_score(h, body);
                                free(h);
                                if (s >= HEAD_MATCH && s > own + 0.3 && s > best) {
                                        best = s;
                                        bc = ac;
                                        bt = at;
                                }
                        }
                        free(body);
                }
                if (!bc)
                        break;
                json_t *h0 = json_array_get(bc->head, 0);
                char *h = head_text(bc);
                note(bt->unsure,
                     "line %d: the headline “%s” stood away from this text; it was matched to "
                     "it by its words (%.0f%% shared): check it",
                     (int)json_integer_value(json_object_get(h0, "line")), h, best * 100);
                free(h);
                swap_json(&bc->head, &bt->head);
                json_t *tags = json_object_get(bc->meta, "tags");
                json_incref(tags);
                json_object_set(bc->meta, "tags", json_object_get(bt->meta, "tags"));
                json_object_set_new(bt->meta, "tags", tags);
                if (bc->orphan) { /* its captions come along */
                        for (size_t k = 0; k < bc->n; k++) {
                                add_item(bt, bc->items[k].kind, bc->items[k].text,
                                         bc->items[k].line);
                                free(bc->items[k].text);
                        }
                        bc->n = 0;
                }
        }
        /* orphans left: their captions go to the article before, the headline is reported */
        size_t w = 0;
        for (size_t i = 0; i < pg->n; i++) {
                struct art *a = pg->arts[i];
                if (!a->orphan) {
                        pg->arts[w++] = a;
                        continue;
                }
                if (json_array_size(a->head)) {
                        char *h = head_text(a);
                        note(pg->report,
                             "line %d: the headline “%s” has no text on the page: left out",
                             (int)json_integer_value(
                                 json_object_get(json_array_get(a->head, 0), "line")),
                             h);
                        free(h);
                }
                struct art *prev = w ? pg->arts[w - 1] : NULL;
                for (size_t k = 0; k < a->n; k++) {
                        if (prev)
                                add_item(prev, a->items[k].kind, a->items[k].text,
                                         a->items[k].line);
                        else
                                note(pg->report, "line %d: “%s” dropped", a->items[k].line,
                                     a->items[k].text);
                }
                art_free(a);
        }
        pg->n = w;
}

/* ---------------------------------------------------------------------------------------
 * Finishing an article */

/* What every article of a page shares. */
struct ctx {
        const char *path;
        const struct import_opts *opts;
        int tz;             /* minutes east of UTC */
        bool opt_date;      /* --date was given */
        struct gdate given; /* --date */
        int ry, rm, rd;     /* the reference date (--date, else the page's), ry 0 when none */
        int py, pm, pd;     /* the date the page mentions most, py 0 when none */
};

/* a followed by b; a space between two Latin letters. Caller frees. */
static char *join2(const char *a, const char *b)
{
        int x = u8_last(a, strlen(a)), y;
        utf8_next(b, &y);
        bool latin = x < 0x80 && y < 0x80 && ((x | 0x20) >= 'a' && (x | 0x20) <= 'z') &&
                     ((y | 0x20) >= 'a' && (y | 0x20) <= 'z');
        return xasprintf("%s%s%s", a, latin ? " " : "", b);
}

static void insert_item(struct art *a, size_t at, enum item_kind k, const char *text, int line)
{
        add_item(a, k, text, line);
        struct item it = a->items[a->n - 1];
        memmove(&a->items[at + 1], &a->items[at], (a->n - 1 - at) * sizeof *a->items);
        a->items[at] = it;
}

#define TRUNCATED_NOTE "【待核】上一段在原版面中没有结束，续文不在本版，请核对原报。"

/* Joins paragraphs that the layout broke mid-sentence; marks those whose rest is not on
 * the page. */
static void join_broken(struct art *a)
{
        for (size_t i = 0; i < a->n; i++) {
                struct item *it = &a->items[i];
                if (it->kind != IT_PARA)
                        continue;
                while (import_end_kind(it->text) == 0) {
                        size_t j = i + 1;
                        while (j < a->n && a->items[j].kind == IT_NOTE)
                                j++;
                        if (j >= a->n || a->items[j].kind != IT_PARA)
                                break;
                        note(a->changed, "lines %d and %d: sentence broken across lines joined",
                             it->last, a->items[j].line);
                        char *t = join2(it->text, a->items[j].text);
                        free(it->text);
                        it->text = t;
                        it->last = a->items[j].last;
                        free(a->items[j].text);
                        memmove(&a->items[j], &a->items[j + 1], (a->n - j - 1) * sizeof *a->items);
                        a->n--;
                }
                size_t j = i + 1;
                while (j < a->n && a->items[j].kind != IT_PARA)
                        j++;
                int endc = u8_last(it->text, strlen(it->text));
                if (import_end_kind(it->text) == 0 ||
                    (j >= a->n && (endc == 0xFF1B || endc == 0xFF1A))) { /* last, ends in ；： */
                        note(a->unsure,
                             "line %d: the paragraph stops mid-sentence and the rest is not on "
                             "the page (marked 【待核】 in the draft)",
                             it->last);
                        insert_item(a, i + 1, IT_NOTE, TRUNCATED_NOTE, it->last);
                        i++;
                }
        }
}

/* Notes paragraphs that start mid-sentence and spaces where quotation marks were lost. */
static void check_text(struct art *a)
{
        int lost = 0, lost_line = 0;
        for (size_t i = 0; i < a->n; i++) {
                const struct item *it = &a->items[i];
                if (it->kind != IT_PARA)
                        continue;
                int c1, c2 = 0;
                int k = utf8_next(it->text, &c1);
                if (it->text[k])
                        utf8_next(it->text + k, &c2);
                if ((utf8_is_han(c1) && (c2 == 0x3002 || c2 == 0xFF0C)) || c1 == 0xFF0C ||
                    c1 == 0x3002 || c1 == 0x3001 || c1 == 0x201D || c1 == 0xFF09)
                        note(a->unsure,
                             "line %d: the paragraph seems to start mid-sentence; its beginning "
                             "may be missing",
                             it->line);
                int prev2 = 0, prev = 0, c;
                for (const char *p = it->text; *p;) {
                        p += utf8_next(p, &c);
                        if (utf8_is_han(prev2) && prev == ' ' && utf8_is_han(c)) {
                                if (!lost++)
                                        lost_line = it->line;
                        }
                        prev2 = prev;
                        prev = c;
                }
        }
        if (lost)
                note(a->unsure,
                     "line %d: %d space%s between Chinese characters (first here): quotation "
                     "marks may have been lost",
                     lost_line, lost, lost == 1 ? "" : "s");
}

/* The first sentence of the text, for an article whose headline was not found. */
static char *guess_title(const struct art *a)
{
        for (size_t i = 0; i < a->n; i++) {
                if (a->items[i].kind != IT_PARA)
                        continue;
                const char *p = a->items[i].text;
                int y, m, d, c;
                const char *q = p;
                if (read_date(&q, &y, &m, &d)) {
                        for (int k = 0; k < 3 && *q && !starts(q, "，"); k++)
                                q += utf8_next(q, &c);
                        if (starts(q, "，"))
                                p = q + strlen("，");
                }
                if (starts(p, "近日，") || starts(p, "日前，"))
                        p += strlen("近日，");
                struct buf b = {0};
                int n = 0;
                while (*p && n < 40) {
                        int k = utf8_next(p, &c);
                        if (c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF1B ||
                            (c == 0xFF0C && n >= 12))
                                break;
                        buf_put(&b, p, (size_t)k);
                        p += k;
                        n++;
                }
                buf_puts(&b, "");
                return buf_detach(&b);
        }
        return xstrdup("（无标题）");
}

/* date "YYYY-MM-DD" at midnight in the zone, as RFC 3339 into out. Returns false when
 * there is no such day. */
static bool day_string(int y, int m, int d, int tz, struct buf *out)
{
        char s[32];
        snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
        struct gdate g;
        const char *why;
        if (date_parse(s, tz, &g, &why) < 0)
                return false;
        struct gdate_fields f;
        date_fields(&g, &f);
        if (f.day != d || f.month != m)
                return false;
        date_rfc3339(out, &g);
        return true;
}

/* The year of month/day seen from the reference date: the same year unless that would
 * be more than a month after it. */
static int year_for(const struct ctx *cx, int m, int d)
{
        if (!cx->ry)
                return 0;
        return m * 31 + d > cx->rm * 31 + cx->rd + 31 ? cx->ry - 1 : cx->ry;
}

/* Works out the article's date into out and says where it came from. Returns false
 * when there is none. */
static bool article_date(const struct art *a, const struct ctx *cx, struct buf *out,
                         const char **how)
{
        int m = (int)json_integer_value(json_object_get(a->meta, "month"));
        int d = (int)json_integer_value(json_object_get(a->meta, "day"));
        int y = (int)json_integer_value(json_object_get(a->meta, "year"));
        if (m && (y || (y = year_for(cx, m, d))) && day_string(y, m, d, cx->tz, out)) {
                *how = json_object_get(a->meta, "year") ? "the dateline"
                       : cx->opt_date                   ? "the dateline (year from --date)"
                                                        : "the dateline (year from the page)";
                return true;
        }
        if (cx->opt_date) {
                date_rfc3339(out, &cx->given);
                *how = "--date";
                return true;
        }
        for (size_t i = 0; i < a->n; i++) {
                if (a->items[i].kind != IT_PARA)
                        continue;
                const char *p = a->items[i].text;
                if (read_date(&p, &y, &m, &d) && (y || (y = year_for(cx, m, d))) &&
                    day_string(y, m, d, cx->tz, out)) {
                        *how = "the first sentence";
                        return true;
                }
                break;
        }
        if (cx->py && day_string(cx->py, cx->pm, cx->pd, cx->tz, out)) {
                *how = "the date the page mentions most";
                return true;
        }
        return false;
}

/* Appends s with the characters Markdown would read as markup escaped. */
static void md_escape(struct buf *out, const char *s)
{
        const char *p = s;
        if (*p == '#' || *p == '>' || *p == '-' || *p == '+' || *p == '=' || *p == '|')
                buf_putc(out, '\\');
        else if (is_digit((unsigned char)*p)) {
                while (is_digit((unsigned char)*p))
                        buf_putc(out, *p++);
                if (*p == '.' || *p == ')')
                        buf_putc(out, '\\');
        }
        for (; *p; p++) {
                if (strchr("\\`*_[]<&", *p))
                        buf_putc(out, '\\');
                buf_putc(out, *p);
        }
}

/* The article as json (see import_parse), or NULL when it has no date. */
static json_t *finish(struct art *a, size_t num, const char *stem, const struct ctx *cx,
                      struct diag *d)
{
        join_broken(a);
        check_text(a);
        int first = first_line(a), last = first;
        for (size_t i = 0; i < a->n; i++)
                if (a->items[i].last > last)
                        last = a->items[i].last;
        char *title;
        if (json_array_size(a->head)) {
                title = head_text(a);
                if (json_array_size(a->head) > 1)
                        note(a->unsure,
                             "line %d: the title joins %zu headline lines (kicker, headline, "
                             "subtitle): keep the main one",
                             first, json_array_size(a->head));
        } else {
                title = guess_title(a);
                note(a->unsure, "line %d: no headline found: the title “%s” is the first sentence",
                     first, title);
        }
        struct buf date = {0};
        const char *how = NULL;
        if (!article_date(a, cx, &date, &how)) {
                diag_error(d, cx->path, first, 1,
                           "no date for the article “%s”: give the page's date with --date "
                           "YYYY-MM-DD (no file was written)",
                           title);
                free(title);
                buf_free(&date);
                return NULL;
        }
        if (strcmp(how, "--date") && strcmp(how, "the dateline") &&
            strcmp(how, "the dateline (year from --date)"))
                note(a->unsure, "date %s taken from %s: check it", buf_cstr(&date), how);
        else
                note(a->changed, "date %s from %s", buf_cstr(&date), how);
        json_t *o =
            json_pack("{s:s, s:s, s:o, s:i, s:i}", "title", title, "date", buf_cstr(&date), "slug",
                      json_sprintf("%s-%zu", stem, num), "first_line", first, "last_line", last);
        free(title);
        buf_free(&date);
        json_t *src = json_object_get(a->meta, "source");
        if (src)
                json_object_set(o, "source", src);
        else if (cx->opts->source && *cx->opts->source)
                json_object_set_new(o, "source", json_string(cx->opts->source));
        else
                note(a->unsure, "no source found: pass --source or add source: to the draft");
        json_t *authors = json_object_get(a->meta, "authors");
        if (json_array_size(authors)) {
                struct buf b = {0};
                size_t i;
                json_t *v;
                json_array_foreach(authors, i, v)
                {
                        if (i)
                                buf_puts(&b, "、");
                        buf_puts(&b, json_string_value(v));
                }
                json_object_set_new(o, "author", json_string(buf_cstr(&b)));
                buf_free(&b);
        }
        json_t *place = json_object_get(a->meta, "place");
        if (place) {
                json_object_set(o, "region", place);
                note(a->unsure,
                     "region %s is where the story was filed (the dateline): change it if the "
                     "story is about another place",
                     json_string_value(place));
        }
        json_object_set(o, "tags", json_object_get(a->meta, "tags"));
        if (a->fixes)
                note(a->changed, "%d half-width punctuation mark%s made full width (, -> ，)",
                     a->fixes, a->fixes == 1 ? "" : "s");
        struct buf body = {0};
        for (size_t i = 0; i < a->n; i++) {
                const struct item *it = &a->items[i];
                if (body.len)
                        buf_putc(&body, '\n');
                if (it->kind == IT_HEAD)
                        buf_puts(&body, "## ");
                else if (it->kind == IT_NOTE)
                        buf_puts(&body, "> ");
                md_escape(&body, it->text);
                buf_putc(&body, '\n');
        }
        if (!body.len)
                buf_puts(&body, "");
        json_object_set_new(o, "body", json_string(buf_cstr(&body)));
        buf_free(&body);
        json_object_set(o, "changed", a->changed);
        json_object_set(o, "unsure", a->unsure);
        return o;
}

/* ---------------------------------------------------------------------------------------
 * The page */

/* The full date (YYYY年M月D日) the text mentions most; the latest on a tie. */
static void page_date(const char *text, int *py, int *pm, int *pd)
{
        json_t *seen = json_object();
        *py = *pm = *pd = 0;
        int best = 0;
        for (const char *p = text; *p; p++) {
                if (!is_digit((unsigned char)*p) || (p > text && is_digit((unsigned char)p[-1])))
                        continue;
                const char *q = p;
                int y, m, d;
                if (!read_date(&q, &y, &m, &d) || !y)
                        continue;
                char key[16];
                snprintf(key, sizeof key, "%04d%02d%02d", y, m, d);
                int n = (int)json_integer_value(json_object_get(seen, key)) + 1;
                json_object_set_new(seen, key, json_integer(n));
                if (n > best || (n == best && y * 400 + m * 32 + d > *py * 400 + *pm * 32 + *pd)) {
                        best = n;
                        *py = y, *pm = m, *pd = d;
                }
        }
        json_decref(seen);
}

/* The page's file stem as a slug: lowercase ASCII letters and digits, other runs made
 * '-'. Caller frees. */
static char *slug_stem(const char *stem)
{
        struct buf b = {0};
        bool dash = false;
        for (const unsigned char *p = (const unsigned char *)stem; *p && b.len < 60; p++) {
                unsigned char c = *p;
                if (c >= 'A' && c <= 'Z')
                        c |= 0x20;
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                        if (dash && b.len)
                                buf_putc(&b, '-');
                        buf_putc(&b, (char)c);
                        dash = false;
                } else
                        dash = true;
        }
        if (!b.len)
                buf_puts(&b, "import");
        return buf_detach(&b);
}

json_t *import_parse(const char *path, const char *stem, const char *text, size_t len,
                     const struct import_opts *opts, struct diag *d)
{
        struct ctx cx = {
            path, opts, opts->tz_offset ? opts->tz_offset : 480, false, {0, 0}, 0, 0, 0, 0, 0, 0};
        if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
                text += 3, len -= 3;
        if (memchr(text, '\0', len)) {
                diag_error(d, path, 0, 0, "NUL byte in the page: is it a text file?");
                return NULL;
        }
        for (size_t i = 0, line = 1; i < len;) {
                int cp;
                int k = utf8_next(text + i, &cp);
                if ((unsigned char)text[i] >= 0x80 && (k == 1 || i + (size_t)k > len)) {
                        diag_error(d, path, (int)line, 0,
                                   "invalid UTF-8 (byte 0x%02X): convert the page to UTF-8 first "
                                   "(iconv -f GB18030 -t UTF-8)",
                                   (unsigned char)text[i]);
                        return NULL;
                }
                line += cp == '\n';
                i += (size_t)k;
        }
        if (opts->date) {
                const char *why;
                if (date_parse(opts->date, cx.tz, &cx.given, &why) < 0) {
                        diag_error(d, NULL, 0, 0, "--date '%s': %s (use YYYY-MM-DD)", opts->date,
                                   why);
                        return NULL;
                }
                cx.opt_date = true;
        }
        char *copy = xstrndup(text, len);
        page_date(copy, &cx.py, &cx.pm, &cx.pd);
        if (cx.opt_date) {
                struct gdate_fields f;
                date_fields(&cx.given, &f);
                cx.ry = f.year, cx.rm = f.month, cx.rd = f.day;
        } else
                cx.ry = cx.py, cx.rm = cx.pm, cx.rd = cx.pd;
        struct block *b;
        size_t n = read_blocks(copy, len, &b);
        free(copy);
        struct page pg = {NULL, 0, 0, json_array()};
        classify(b, n);
        drop_repeats(b, n, pg.report);
        segment(b, n, &pg);
        if (pg.n <= MAX_MATCH)
                match_headlines(&pg);
        char *slug = slug_stem(stem);
        json_t *arts = json_array();
        bool failed = false;
        for (size_t i = 0; i < pg.n; i++) {
                json_t *o = finish(pg.arts[i], i + 1, slug, &cx, d);
                if (o)
                        json_array_append_new(arts, o);
                else
                        failed = true;
                art_free(pg.arts[i]);
        }
        free(pg.arts);
        free(slug);
        free_blocks(b, n);
        json_t *out = NULL;
        if (!failed)
                out = json_pack("{s:o, s:o}", "articles", arts, "dropped", pg.report);
        else {
                json_decref(arts);
                json_decref(pg.report);
        }
        return out;
}

/* Appends s as a double-quoted YAML scalar. */
static void yaml_str(struct buf *out, const char *s)
{
        buf_putc(out, '"');
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        buf_putc(out, '\\');
                if ((unsigned char)*s < 0x20)
                        buf_putc(out, ' ');
                else
                        buf_putc(out, *s);
        }
        buf_putc(out, '"');
}

char *import_draft(json_t *article)
{
        struct buf b = {0};
        buf_puts(&b, "---\ntitle: ");
        yaml_str(&b, json_string_value(json_object_get(article, "title")));
        buf_printf(&b, "\ndate: %s\n", json_string_value(json_object_get(article, "date")));
        static const char *const keys[] = {"source", "author", "region", NULL};
        for (const char *const *k = keys; *k; k++) {
                const char *v = json_string_value(json_object_get(article, *k));
                if (!v)
                        continue;
                buf_printf(&b, "%s: ", *k);
                yaml_str(&b, v);
                buf_putc(&b, '\n');
        }
        json_t *tags = json_object_get(article, "tags");
        if (json_array_size(tags)) {
                buf_puts(&b, "tags: [");
                size_t i;
                json_t *v;
                json_array_foreach(tags, i, v)
                {
                        if (i)
                                buf_puts(&b, ", ");
                        yaml_str(&b, json_string_value(v));
                }
                buf_puts(&b, "]\n");
        }
        buf_printf(&b, "slug: %s\ndraft: true\n---\n\n%s",
                   json_string_value(json_object_get(article, "slug")),
                   json_string_value(json_object_get(article, "body")));
        return buf_detach(&b);
}

/* The report for a page: what each draft got, what was changed, what to check. */
static char *report_text(json_t *page, const char *path, const struct import_opts *opts)
{
        struct buf b = {0};
        json_t *arts = json_object_get(page, "articles");
        buf_printf(&b, "gen import %s: %zu article%s\n", path, json_array_size(arts),
                   json_array_size(arts) == 1 ? "" : "s");
        if (opts->date)
                buf_printf(&b, "--date %s\n", opts->date);
        if (opts->source)
                buf_printf(&b, "--source %s\n", opts->source);
        size_t i, j;
        json_t *a, *v;
        json_array_foreach(arts, i, a)
        {
                const char *file = json_string_value(json_object_get(a, "file"));
                buf_printf(&b, "\n== %zu. %s (page lines %d-%d)\n", i + 1,
                           file ? file : json_string_value(json_object_get(a, "slug")),
                           (int)json_integer_value(json_object_get(a, "first_line")),
                           (int)json_integer_value(json_object_get(a, "last_line")));
                static const char *const keys[] = {"title",  "date",   "source",
                                                   "author", "region", NULL};
                for (const char *const *k = keys; *k; k++)
                        if ((v = json_object_get(a, *k)))
                                buf_printf(&b, "%-7s %s\n", *k, json_string_value(v));
                static const char *const lists[] = {"changed", "unsure", NULL};
                static const char *const names[] = {"changed:", "check:", NULL};
                for (int k = 0; lists[k]; k++) {
                        json_t *l = json_object_get(a, lists[k]);
                        if (!json_array_size(l))
                                continue;
                        buf_printf(&b, "%s\n", names[k]);
                        json_array_foreach(l, j, v)
                            buf_printf(&b, "  - %s\n", json_string_value(v));
                }
        }
        json_t *dropped = json_object_get(page, "dropped");
        if (json_array_size(dropped)) {
                buf_puts(&b, "\n== the page\n");
                json_array_foreach(dropped, j, v) buf_printf(&b, "  - %s\n", json_string_value(v));
        }
        return buf_detach(&b);
}

/* Creates dir/base<ext> or, when it exists, dir/base-2<ext>, -3 ...: never overwrites.
 * Returns the open descriptor and sets *name (caller frees) to the stem used, or -1
 * after reporting. */
static int create_new(const char *dir, const char *base, const char *ext, char **name,
                      struct diag *d)
{
        for (int k = 1; k < 10000; k++) {
                char *stem = k == 1 ? xstrdup(base) : xasprintf("%s-%d", base, k);
                char *path = xasprintf("%s/%s%s", dir, stem, ext);
                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
                int err = errno;
                free(path);
                if (fd >= 0) {
                        *name = stem;
                        return fd;
                }
                free(stem);
                if (err != EEXIST) {
                        diag_error(d, dir, 0, 0, "cannot create %s%s: %s", base, ext,
                                   strerror(err));
                        return -1;
                }
        }
        diag_error(d, dir, 0, 0, "no free name for %s%s", base, ext);
        return -1;
}

/* Writes text to fd and closes it. Returns 0, or -1 after reporting. */
static int write_close(int fd, const char *dir, const char *name, const char *text, struct diag *d)
{
        size_t len = strlen(text), done = 0;
        while (done < len) {
                ssize_t w = write(fd, text + done, len - done);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        diag_error(d, dir, 0, 0, "cannot write %s: %s", name, strerror(errno));
                        close(fd);
                        return -1;
                }
                done += (size_t)w;
        }
        if (close(fd) < 0) {
                diag_error(d, dir, 0, 0, "cannot write %s: %s", name, strerror(errno));
                return -1;
        }
        return 0;
}

int import_file(const char *path, const struct import_opts *opts, struct diag *d)
{
        const char *into = opts->into ? opts->into : "content/articles/imported";
        struct buf text = {0};
        json_t *page = NULL;
        char *report = NULL;
        int rc = -1;
        if (fsio_read(path, &text, d) < 0)
                goto out;
        if ((long)text.len > IMPORT_MAX_BYTES) {
                diag_error(d, path, 0, 0, "page is larger than %ld MiB", IMPORT_MAX_BYTES >> 20);
                goto out;
        }
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        const char *dot = strrchr(base, '.');
        char *stem = dot && dot != base ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
        char *slug = slug_stem(stem);
        free(stem);
        page = import_parse(path, slug, buf_cstr(&text), text.len, opts, d);
        if (!page) {
                free(slug);
                goto out;
        }
        if (fsio_mkdirs(into) < 0) {
                diag_error(d, into, 0, 0, "cannot create folder: %s", strerror(errno));
                free(slug);
                goto out;
        }
        size_t i;
        json_t *a;
        rc = 0;
        json_array_foreach(json_object_get(page, "articles"), i, a)
        {
                char *name = NULL;
                int fd = create_new(into, json_string_value(json_object_get(a, "slug")), ".md",
                                    &name, d);
                if (fd < 0) {
                        rc = -1;
                        break;
                }
                json_object_set_new(a, "slug", json_string(name));
                json_object_set_new(a, "file", json_sprintf("%s.md", name));
                char *draft = import_draft(a);
                if (write_close(fd, into, name, draft, d) < 0)
                        rc = -1;
                else if (opts->out)
                        fprintf(opts->out, "%s/%s.md\n", into, name);
                free(draft);
                free(name);
                if (rc < 0)
                        break;
        }
        report = report_text(page, path, opts);
        char *rname = NULL, *rbase = xasprintf("%s.report", slug);
        int fd = create_new(into, rbase, ".txt", &rname, d);
        if (fd < 0 || write_close(fd, into, rname, report, d) < 0)
                rc = -1;
        else if (opts->out)
                fprintf(opts->out, "%s/%s.txt: %zu article%s from %s; read this report\n", into,
                        rname, json_array_size(json_object_get(page, "articles")),
                        json_array_size(json_object_get(page, "articles")) == 1 ? "" : "s", path);
        free(rname);
        free(rbase);
        free(slug);
out:
        free(report);
        json_decref(page);
        buf_free(&text);
        return rc;
}
