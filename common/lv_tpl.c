/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_tpl.c - the Mustache parser and renderer (see lv_tpl.h).
 *
 * Parsing turns the source into a tree of nodes whose text points into
 * copies of the source kept by the template (the original, and the
 * replacement text of every translated section). Text is cut at every
 * newline, so each node knows whether it begins a source line ("bol"):
 * that is where a standalone partial's indentation is written when the
 * tree is rendered, instead of re-indenting and re-parsing the partial's
 * source as the specification describes it.
 *
 * Standalone lines follow the specification: a line holding only
 * whitespace and one section, inverted, closing, comment, partial or
 * set-delimiter tag is removed whole. Parent {{<p}}...{{/p}} and block
 * {{$b}}...{{/b}} tags count as a pair: the pair is standalone when the
 * opening tag begins its line and the closing tag ends its line, and the
 * whitespace before the opening tag becomes the indentation of what they
 * expand to. A block whose opening tag ends its line (inside a parent, or
 * standalone) takes its indentation from its first content line instead
 * ("intrinsic" indentation), which is removed from every line of the
 * content by a pass over the finished tree (outer blocks first) and added
 * back where the block is expanded.
 *
 * Rendering walks the tree with a stack of contexts (jansson values), a
 * stack of parent overrides (searched from the outermost, which wins), the
 * current indentation and a step counter; it never writes to the tree.
 */
#include "lv_tpl.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"

#define TPL_MAX_DELIM 16   /* bytes in a custom delimiter */
#define TPL_MAX_CTX 512    /* contexts pushed by sections while rendering */

enum tpl_kind {
	TPL_TEXT,
	TPL_VAR,      /* {{x}}: escaped */
	TPL_RAW,      /* {{{x}}}, {{&x}} */
	TPL_SECTION,  /* {{#x}} */
	TPL_INVERTED, /* {{^x}} */
	TPL_PARTIAL,  /* {{>x}} */
	TPL_PARENT,   /* {{<x}}: kids are the overriding blocks */
	TPL_BLOCK,    /* {{$x}}: kids are the default content */
	TPL_ROOT      /* the parse frame of the template itself */
};

struct tpl_str {
	const char *p;
	size_t n;
};

struct tpl_node {
	unsigned char kind;
	unsigned char bol;        /* the first output of its source line */
	unsigned char line_start; /* TEXT: begins exactly where its line does */
	unsigned char first;      /* first of block content begun mid-line */
	unsigned char tail;       /* empty line end of block content */
	unsigned char standalone; /* PARTIAL/PARENT: text is the indentation */
	unsigned char indented;   /* BLOCK: content gets indentation + text */
	unsigned char dedented;   /* BLOCK: content lost its own indentation */
	unsigned char intrinsic;  /* BLOCK: text is the first content line's */
	struct tpl_str text;      /* TEXT: bytes; PARTIAL..BLOCK: indent */
	struct tpl_str name;      /* the tag's name, trimmed */
	struct tpl_str *parts;    /* VAR..INVERTED: dotted name; NULL for "." */
	size_t nparts;
	struct tpl_node *kids;
	size_t nkids;
};

struct lv_tpl {
	struct tpl_node *kids;
	size_t nkids;
	char **bufs; /* source copies the nodes point into */
	size_t nbufs;
};

struct tpl_entry {
	char *name;
	size_t len;
	struct lv_tpl *t;
};

struct lv_tpl_set {
	struct tpl_entry *v; /* open addressing, cap a power of two */
	size_t cap;
	size_t n;
};

/* ---------------------------------------------------------------- nodes */

struct tpl_list {
	struct tpl_node *v;
	size_t n;
	size_t cap;
};

static struct tpl_node *list_push(struct tpl_list *l)
{
	struct tpl_node *node;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = lv_realloc(l->v, l->cap * sizeof(*l->v));
	}
	node = &l->v[l->n++];
	memset(node, 0, sizeof(*node));
	return node;
}

static void node_cleanup(struct tpl_node *node);

static void nodes_free(struct tpl_node *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		node_cleanup(&v[i]);
	lv_free(v);
}

static void node_cleanup(struct tpl_node *node)
{
	lv_free(node->parts);
	nodes_free(node->kids, node->nkids);
	node->parts = NULL;
	node->kids = NULL;
	node->nkids = 0;
}

static int str_eq(struct tpl_str a, struct tpl_str b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* ---------------------------------------------------------------- parser */

struct tpl_tag {
	char type;           /* 0 for a variable, else the sigil: '{', '#'.. */
	size_t start;        /* the opening delimiter */
	size_t end;          /* just past the closing delimiter */
	struct tpl_str body; /* the name, trimmed; for '=', the inner text */
	int clear_left;      /* only whitespace before it on its line */
	int clear_right;     /* only whitespace after it, then newline/EOF */
	size_t line_begin;   /* start of the tag's line */
	size_t after_line;   /* past the trailing whitespace and newline */
};

struct tpl_frame {
	struct tpl_list list;
	int kind;
	struct tpl_str name;
	struct tpl_str *parts;
	size_t nparts;
	size_t tag_pos;     /* the opening tag, for messages */
	size_t content_pos; /* where the content begins */
	int content_bol;
	int open_bol;       /* bol of the node this frame becomes */
	int clear_left;     /* of the opening tag */
	int clear_right;
	size_t after;       /* past the opening tag */
	size_t after_line;  /* past its trailing newline, when clear_right */
	struct tpl_str ws;  /* whitespace before a clear_left opening tag */
	int ws_node;        /* ws was added to the enclosing list */
};

struct tpl_parser {
	const char *src;
	size_t len;
	const struct lv_tpl_opts *opts; /* NULL inside a translation */
	struct lv_tpl *t;
	char otag[TPL_MAX_DELIM + 1];
	char ctag[TPL_MAX_DELIM + 2]; /* room for "}" + ctag or "=" + ctag */
	size_t olen;
	size_t clen;
	size_t pos;
	size_t line_begin; /* start of the line pos is on */
	int tag_seen;      /* a tag stands between line_begin and pos */
	int at_bol;        /* the next output begins its source line */
	size_t max_nesting;
	struct tpl_frame frames[LV_TPL_MAX_NESTING + 1];
	size_t nframes;
	char *err;
	size_t errlen;
};

static size_t line_of(const char *src, size_t pos)
{
	size_t line = 1, i;

	for (i = 0; i < pos; i++)
		if (src[i] == '\n')
			line++;
	return line;
}

/* Writes "line N: <fmt>" to the error buffer; returns LV_EINVAL. */
__attribute__((format(printf, 3, 4))) static int
parse_fail(struct tpl_parser *p, size_t pos, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		lv_snprintf(p->err, p->errlen, "line %zu: %s",
			    line_of(p->src, pos), msg);
	}
	return LV_EINVAL;
}

/* A name shortened for a message: at most 40 bytes, and printable. */
static const char *msg_name(struct tpl_str s, char *dst, size_t dstlen)
{
	size_t i, n = s.n < dstlen - 1 ? s.n : dstlen - 1;

	if (n > 40)
		n = 40;
	for (i = 0; i < n; i++)
		dst[i] = (s.p[i] >= 0x20 && s.p[i] < 0x7f) ? s.p[i] : '?';
	dst[n] = '\0';
	return dst;
}

static struct tpl_list *parse_list(struct tpl_parser *p)
{
	return &p->frames[p->nframes - 1].list;
}

/* Appends src[from, to) as text nodes, one per line. */
static void parse_text(struct tpl_parser *p, size_t from, size_t to)
{
	while (from < to) {
		const char *nl = memchr(p->src + from, '\n', to - from);
		size_t end = nl ? (size_t)(nl - p->src) + 1 : to;
		struct tpl_node *node = list_push(parse_list(p));

		node->kind = TPL_TEXT;
		node->text.p = p->src + from;
		node->text.n = end - from;
		node->bol = (unsigned char)p->at_bol;
		node->line_start = from == 0 || p->src[from - 1] == '\n';
		p->at_bol = nl != NULL;
		from = end;
	}
}

/* An empty text node that carries the indentation of a line begun by a
 * closing tag (the indentation belongs inside the section). */
static struct tpl_node *parse_empty_bol(struct tpl_parser *p, size_t pos)
{
	struct tpl_node *node = list_push(parse_list(p));

	node->kind = TPL_TEXT;
	node->text.p = p->src + pos;
	node->text.n = 0;
	node->bol = 1;
	node->line_start = pos == p->line_begin;
	p->at_bol = 0;
	return node;
}

static const char *find_str(const char *hay, size_t hlen, const char *needle,
			    size_t nlen)
{
	return memmem(hay, hlen, needle, nlen);
}

static struct tpl_str str_trim(const char *s, size_t n)
{
	struct tpl_str r;

	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	r.p = s;
	r.n = n;
	return r;
}

/* Reads the tag whose opening delimiter is at q into *tag. */
static int parse_tag(struct tpl_parser *p, size_t q, struct tpl_tag *tag)
{
	const char *src = p->src, *close;
	size_t c = q + p->olen, i;
	char endseq[TPL_MAX_DELIM + 2];
	size_t endlen = p->clen;
	int rc = LV_OK;

	memset(tag, 0, sizeof(*tag));
	tag->start = q;
	if (c < p->len && strchr("{&#^/>!=<$", src[c]) && src[c] != '\0')
		tag->type = src[c++];
	memcpy(endseq, p->ctag, p->clen);
	if (tag->type == '{' || tag->type == '=') {
		endseq[0] = tag->type == '{' ? '}' : '=';
		memcpy(endseq + 1, p->ctag, p->clen);
		endlen = p->clen + 1;
	}
	close = find_str(src + c, p->len - c, endseq, endlen);
	if (close == NULL) {
		rc = parse_fail(p, q, "unclosed tag");
		goto out;
	}
	tag->end = (size_t)(close - src) + endlen;
	tag->body = str_trim(src + c, (size_t)(close - src) - c);

	/* Where the line holding the tag begins, and what is before it. */
	if (q > p->pos) {
		const char *nl = memrchr(src + p->pos, '\n', q - p->pos);

		if (nl) {
			p->line_begin = (size_t)(nl - src) + 1;
			p->tag_seen = 0;
		}
	}
	tag->line_begin = p->line_begin;
	tag->clear_left = !p->tag_seen;
	for (i = p->line_begin; i < q && tag->clear_left; i++)
		if (!is_ws(src[i]))
			tag->clear_left = 0;

	for (i = tag->end; i < p->len && is_ws(src[i]); i++)
		;
	if (i == p->len) {
		tag->clear_right = 1;
	} else if (src[i] == '\n') {
		tag->clear_right = 1;
		i++;
	} else if (src[i] == '\r' && i + 1 < p->len && src[i + 1] == '\n') {
		tag->clear_right = 1;
		i += 2;
	}
	tag->after_line = tag->clear_right ? i : tag->end;
out:
	return rc;
}

/* Checks a partial, parent or block name: not empty, no whitespace. */
static int parse_check_name(struct tpl_parser *p, const struct tpl_tag *tag)
{
	char buf[48];
	size_t i;
	int rc = LV_OK;

	if (tag->body.n == 0)
		rc = parse_fail(p, tag->start, "empty tag name");
	for (i = 0; i < tag->body.n && rc == LV_OK; i++)
		if (is_space(tag->body.p[i]) || tag->body.p[i] == '\0')
			rc = parse_fail(p, tag->start, "invalid tag name '%s'",
					msg_name(tag->body, buf, sizeof(buf)));
	return rc;
}

/* Splits a dotted name into parts. OUT: *parts (NULL for "."), *n. */
static int parse_dotted(struct tpl_parser *p, const struct tpl_tag *tag,
			struct tpl_str **parts, size_t *n)
{
	struct tpl_str name = tag->body, *v = NULL;
	size_t i, k = 1, start = 0;
	char buf[48];
	int rc;

	*parts = NULL;
	*n = 0;
	rc = parse_check_name(p, tag);
	if (rc != LV_OK || (name.n == 1 && name.p[0] == '.'))
		goto out;
	for (i = 0; i < name.n; i++)
		if (name.p[i] == '.')
			k++;
	v = lv_calloc(k, sizeof(*v));
	k = 0;
	for (i = 0; i <= name.n; i++) {
		if (i < name.n && name.p[i] != '.')
			continue;
		if (i == start) {
			rc = parse_fail(p, tag->start, "invalid name '%s'",
					msg_name(name, buf, sizeof(buf)));
			goto out;
		}
		v[k].p = name.p + start;
		v[k].n = i - start;
		k++;
		start = i + 1;
	}
	*parts = v;
	*n = k;
	v = NULL;
out:
	lv_free(v);
	return rc;
}

/* {{=<% %>=}}: the body is "<% %>" (between the equals signs). */
static int parse_set_delims(struct tpl_parser *p, const struct tpl_tag *tag)
{
	struct tpl_str b = tag->body;
	size_t i = 0, o0, o1, c0, c1;
	int rc = LV_OK;

	while (i < b.n && !is_space(b.p[i]))
		i++;
	o0 = 0;
	o1 = i;
	while (i < b.n && is_space(b.p[i]))
		i++;
	c0 = i;
	while (i < b.n && !is_space(b.p[i]))
		i++;
	c1 = i;
	if (o1 == o0 || c1 == c0 || c1 != b.n ||
	    memchr(b.p + o0, '=', o1 - o0) || memchr(b.p + c0, '=', c1 - c0) ||
	    memchr(b.p, '\0', b.n)) {
		rc = parse_fail(p, tag->start, "invalid set-delimiter tag");
	} else if (o1 - o0 > TPL_MAX_DELIM || c1 - c0 > TPL_MAX_DELIM) {
		rc = parse_fail(p, tag->start, "delimiter longer than %d bytes",
				TPL_MAX_DELIM);
	} else {
		memcpy(p->otag, b.p + o0, o1 - o0);
		p->olen = o1 - o0;
		memcpy(p->ctag, b.p + c0, c1 - c0);
		p->clen = c1 - c0;
	}
	return rc;
}

/* Moves past a standalone tag's line: its whitespace was not output. */
static void parse_skip_line(struct tpl_parser *p, const struct tpl_tag *tag)
{
	p->pos = tag->after_line;
	p->line_begin = p->pos;
	p->tag_seen = 0;
	p->at_bol = 1;
}

/* Moves past an inline tag. */
static void parse_skip_tag(struct tpl_parser *p, const struct tpl_tag *tag)
{
	p->pos = tag->end;
	p->tag_seen = 1;
}

static int parse_open(struct tpl_parser *p, const struct tpl_tag *tag)
{
	struct tpl_frame *f;
	int kind, standalone = 0, rc;

	if (p->nframes > p->max_nesting) {
		rc = parse_fail(p, tag->start, "sections nested deeper than %d",
				LV_TPL_MAX_NESTING);
		goto out;
	}
	f = &p->frames[p->nframes];
	memset(f, 0, sizeof(*f));
	switch (tag->type) {
	case '#': kind = TPL_SECTION; break;
	case '^': kind = TPL_INVERTED; break;
	case '<': kind = TPL_PARENT; break;
	default: kind = TPL_BLOCK; break;
	}
	if (kind == TPL_SECTION || kind == TPL_INVERTED)
		rc = parse_dotted(p, tag, &f->parts, &f->nparts);
	else
		rc = parse_check_name(p, tag);
	if (rc != LV_OK)
		goto out;
	f->kind = kind;
	f->name = tag->body;
	f->tag_pos = tag->start;
	f->clear_left = tag->clear_left;
	f->clear_right = tag->clear_right;
	f->after = tag->end;
	f->after_line = tag->after_line;

	if (kind == TPL_SECTION || kind == TPL_INVERTED) {
		standalone = tag->clear_left && tag->clear_right;
		parse_text(p, p->pos,
			   standalone ? tag->line_begin : tag->start);
	} else if (tag->clear_left) {
		/* Whether the pair stands alone is known at its closing tag:
		 * keep the indentation in a node of its own until then. */
		parse_text(p, p->pos, tag->line_begin);
		f->ws.p = p->src + tag->line_begin;
		f->ws.n = tag->start - tag->line_begin;
		if (f->ws.n) {
			parse_text(p, tag->line_begin, tag->start);
			f->ws_node = 1;
		}
	} else {
		parse_text(p, p->pos, tag->start);
	}
	f->open_bol = standalone ? 0 : p->at_bol;
	if (standalone) {
		parse_skip_line(p, tag);
	} else {
		parse_skip_tag(p, tag);
		p->at_bol = 0;
	}
	f->content_pos = p->pos;
	f->content_bol = p->at_bol;
	p->nframes++;
out:
	return rc;
}

static void frame_cleanup(struct tpl_frame *f)
{
	nodes_free(f->list.v, f->list.n);
	lv_free(f->parts);
	f->list.v = NULL;
	f->list.n = 0;
	f->parts = NULL;
}

/* Moves the finished frame f into a node appended to the enclosing list. */
static struct tpl_node *parse_frame_node(struct tpl_parser *p,
					 struct tpl_frame *f)
{
	struct tpl_node *node = list_push(parse_list(p));

	node->kind = (unsigned char)f->kind;
	node->name = f->name;
	node->parts = f->parts;
	node->nparts = f->nparts;
	node->kids = f->list.v;
	node->nkids = f->list.n;
	node->bol = (unsigned char)f->open_bol;
	f->parts = NULL;
	f->list.v = NULL;
	f->list.n = 0;
	return node;
}

static int tpl_parse_into(const char *src, size_t len,
			  const struct lv_tpl_opts *opts, size_t max_nesting,
			  struct lv_tpl *t, struct tpl_list *out, char *err,
			  size_t errlen);

/*
 * Replaces a just-closed translation section by its translation. The hook
 * gets the text between the tags as written; when a tag stood alone on its
 * line, the replacement loses what that line contributed (its whitespace
 * and line end), as the section's own content did.
 */
static int parse_translate(struct tpl_parser *p, struct tpl_frame *f,
			   const struct tpl_tag *close)
{
	struct lv_buf repl;
	struct tpl_list sub = { 0 };
	struct tpl_list *list;
	char suberr[200] = "";
	char buf[48];
	char *copy;
	size_t i, start = 0, len;
	int rc;

	lv_buf_init(&repl, 1u << 24);
	rc = p->opts->xlate(p->opts->xlate_arg, p->src + f->after,
			    close->start - f->after, &repl);
	if (rc != LV_OK) {
		parse_fail(p, f->tag_pos, "translation of '%s' failed",
			   msg_name(f->name, buf, sizeof(buf)));
		goto out;
	}
	/* The template keeps the replacement: its nodes point into it. */
	len = repl.len;
	copy = lv_buf_take(&repl);
	p->t->bufs = lv_realloc(p->t->bufs,
				(p->t->nbufs + 1) * sizeof(*p->t->bufs));
	p->t->bufs[p->t->nbufs++] = copy;
	if (f->clear_left && f->clear_right) {
		while (start < len && is_ws(copy[start]))
			start++;
		if (start < len && copy[start] == '\r' && start + 1 < len &&
		    copy[start + 1] == '\n')
			start++;
		start = start < len && copy[start] == '\n' ? start + 1 : 0;
	}
	if (close->clear_left && close->clear_right) {
		i = len;
		while (i > start && is_ws(copy[i - 1]))
			i--;
		if (i == start || copy[i - 1] == '\n')
			len = i;
	}
	rc = tpl_parse_into(copy + start, len - start, NULL,
			    p->max_nesting + 1 - p->nframes, p->t, &sub, suberr,
			    sizeof(suberr));
	if (rc != LV_OK) {
		parse_fail(p, f->tag_pos, "translation of '%s': %s",
			   msg_name(f->name, buf, sizeof(buf)), suberr);
		goto out;
	}
	if (sub.n > 0 && sub.v[0].bol) {
		sub.v[0].bol = (unsigned char)(f->open_bol || f->content_bol);
		sub.v[0].line_start = sub.v[0].line_start && f->content_bol;
	}
	list = parse_list(p);
	for (i = 0; i < sub.n; i++)
		*list_push(list) = sub.v[i];
	lv_free(sub.v);
	sub.v = NULL;
	sub.n = 0;
out:
	nodes_free(sub.v, sub.n);
	lv_buf_cleanup(&repl);
	return rc;
}

static int parse_close_section(struct tpl_parser *p, const struct tpl_tag *tag)
{
	struct tpl_frame *f = &p->frames[p->nframes - 1];
	int standalone = tag->clear_left && tag->clear_right;
	size_t content_end = standalone ? tag->line_begin : tag->start;
	const struct lv_tpl_opts *o = p->opts;
	int xlate, rc = LV_OK;

	parse_text(p, p->pos, content_end);
	if (!standalone && p->at_bol)
		parse_empty_bol(p, tag->start);
	p->nframes--;
	xlate = o && o->xlate && o->xlate_section && f->kind == TPL_SECTION &&
		f->name.n == strlen(o->xlate_section) &&
		memcmp(f->name.p, o->xlate_section, f->name.n) == 0;
	if (xlate) {
		rc = parse_translate(p, f, tag);
		frame_cleanup(f);
	} else {
		parse_frame_node(p, f);
	}
	if (standalone)
		parse_skip_line(p, tag);
	else
		parse_skip_tag(p, tag);
	if (!standalone)
		p->at_bol = 0;
	return rc;
}

/* Drops the indentation node a pair's opening tag left in the list. */
static void parse_drop_ws(struct tpl_parser *p, const struct tpl_frame *f)
{
	struct tpl_list *l = parse_list(p);

	if (f->ws_node && l->n > 0 && l->v[l->n - 1].kind == TPL_TEXT &&
	    l->v[l->n - 1].text.p == f->ws.p)
		l->n--;
}

static int parse_close_block(struct tpl_parser *p, const struct tpl_tag *tag)
{
	struct tpl_frame *f = &p->frames[p->nframes - 1];
	int in_parent = p->nframes >= 2 &&
			p->frames[p->nframes - 2].kind == TPL_PARENT;
	int pair = f->clear_left && tag->clear_right;
	size_t a = f->clear_right ? f->after_line : f->after, b = tag->start;
	struct tpl_node *node;
	int intrinsic, first_blank = 0;
	const char *s;

	if (tag->clear_left) {
		b = tag->line_begin;
		if (b > a) {
			b--; /* the newline ending the last content line */
			if (b > a && p->src[b - 1] == '\r')
				b--;
		}
	}
	intrinsic = (in_parent || pair) && f->clear_right && b > a;
	if (intrinsic && tag->clear_left) {
		parse_text(p, p->pos, tag->line_begin);
	} else {
		parse_text(p, p->pos, tag->start);
		/* Re-indented as a whole, block content gets no indentation
		 * after its last newline. */
		if (p->at_bol)
			parse_empty_bol(p, tag->start)->tail = 1;
	}
	p->nframes--;
	if (pair)
		parse_drop_ws(p, f);
	node = parse_frame_node(p, f);
	if (intrinsic) {
		/* The opening tag's line end is not content. */
		if (node->nkids > 0 && node->kids[0].kind == TPL_TEXT &&
		    node->kids[0].text.p == p->src + f->after) {
			node_cleanup(&node->kids[0]);
			node->nkids--;
			memmove(node->kids, node->kids + 1,
				node->nkids * sizeof(*node->kids));
		}
		s = p->src + f->after_line;
		first_blank = s[0] == '\n' || (s[0] == '\r' && s[1] == '\n');
		node->text.p = s;
		while (node->text.n < (size_t)(p->src + p->len - s) &&
		       is_ws(s[node->text.n]))
			node->text.n++;
		node->intrinsic = 1;
		node->indented = !first_blank;
		node->dedented = !first_blank;
	} else {
		if (pair) {
			node->text = f->ws;
			node->indented = 1;
		}
		/* The content begins mid-line: when it is indented, its first
		 * line gets the indentation too. */
		if (node->nkids > 0)
			node->kids[0].first = 1;
	}
	if (pair)
		node->bol = 0;
	if (pair && tag->clear_left) {
		parse_skip_line(p, tag);
	} else {
		parse_skip_tag(p, tag);
		p->at_bol = 0;
	}
	return LV_OK;
}

static int parse_close_parent(struct tpl_parser *p, const struct tpl_tag *tag)
{
	struct tpl_frame *f = &p->frames[p->nframes - 1];
	int pair = f->clear_left && tag->clear_right;
	struct tpl_node *node;
	size_t i, k = 0;

	parse_text(p, p->pos, tag->start);
	p->nframes--;
	if (pair)
		parse_drop_ws(p, f);
	node = parse_frame_node(p, f);
	/* Only blocks matter inside a parent: text and other tags are not
	 * rendered. */
	for (i = 0; i < node->nkids; i++) {
		if (node->kids[i].kind == TPL_BLOCK)
			node->kids[k++] = node->kids[i];
		else
			node_cleanup(&node->kids[i]);
	}
	node->nkids = k;
	if (pair) {
		node->standalone = 1;
		node->text = f->ws;
		node->bol = 0;
		parse_skip_line(p, tag);
	} else {
		parse_skip_tag(p, tag);
		p->at_bol = 0;
	}
	return LV_OK;
}

static int parse_close(struct tpl_parser *p, const struct tpl_tag *tag)
{
	struct tpl_frame *f = &p->frames[p->nframes - 1];
	char b1[48], b2[48];
	int rc;

	rc = parse_check_name(p, tag);
	if (rc != LV_OK)
		goto out;
	if (f->kind == TPL_ROOT)
		rc = parse_fail(p, tag->start, "unexpected closing tag '%s'",
				msg_name(tag->body, b1, sizeof(b1)));
	else if (!str_eq(f->name, tag->body))
		rc = parse_fail(p, tag->start,
				"closing tag '%s' does not match '%s' "
				"(line %zu)",
				msg_name(tag->body, b1, sizeof(b1)),
				msg_name(f->name, b2, sizeof(b2)),
				line_of(p->src, f->tag_pos));
	else if (f->kind == TPL_BLOCK)
		rc = parse_close_block(p, tag);
	else if (f->kind == TPL_PARENT)
		rc = parse_close_parent(p, tag);
	else
		rc = parse_close_section(p, tag);
out:
	return rc;
}

/* A tag that outputs nothing and may stand alone: comment, delimiters. */
static int parse_quiet(struct tpl_parser *p, const struct tpl_tag *tag)
{
	int standalone = tag->clear_left && tag->clear_right;
	int rc = LV_OK;

	parse_text(p, p->pos, standalone ? tag->line_begin : tag->start);
	if (tag->type == '=')
		rc = parse_set_delims(p, tag);
	if (standalone)
		parse_skip_line(p, tag);
	else
		parse_skip_tag(p, tag);
	return rc;
}

static int parse_partial(struct tpl_parser *p, const struct tpl_tag *tag)
{
	int standalone = tag->clear_left && tag->clear_right;
	struct tpl_node *node;
	int rc;

	rc = parse_check_name(p, tag);
	if (rc != LV_OK)
		goto out;
	parse_text(p, p->pos, standalone ? tag->line_begin : tag->start);
	node = list_push(parse_list(p));
	node->kind = TPL_PARTIAL;
	node->name = tag->body;
	if (standalone) {
		node->standalone = 1;
		node->text.p = p->src + tag->line_begin;
		node->text.n = tag->start - tag->line_begin;
		parse_skip_line(p, tag);
	} else {
		node->bol = (unsigned char)p->at_bol;
		parse_skip_tag(p, tag);
		p->at_bol = 0;
	}
out:
	return rc;
}

static int parse_var(struct tpl_parser *p, const struct tpl_tag *tag)
{
	struct tpl_str *parts;
	struct tpl_node *node;
	size_t n;
	int rc;

	rc = parse_dotted(p, tag, &parts, &n);
	if (rc != LV_OK)
		goto out;
	parse_text(p, p->pos, tag->start);
	node = list_push(parse_list(p));
	node->kind = tag->type == 0 ? TPL_VAR : TPL_RAW;
	node->name = tag->body;
	node->parts = parts;
	node->nparts = n;
	node->bol = (unsigned char)p->at_bol;
	parse_skip_tag(p, tag);
	p->at_bol = 0;
out:
	return rc;
}

/* Removes the prefixes in strips, in order, from the start of s. */
static void strip_apply(struct tpl_str *s, const struct tpl_str *strips,
			size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strips[i].n && s->n >= strips[i].n &&
		    memcmp(s->p, strips[i].p, strips[i].n) == 0) {
			s->p += strips[i].n;
			s->n -= strips[i].n;
		}
	}
}

/*
 * Removes the intrinsic indentation of blocks from their content, outer
 * blocks first: the indentation of a nested block is measured on its
 * first line once the outer ones have been removed.
 */
static void strip_walk(struct tpl_node *v, size_t n, struct tpl_str *strips,
		       size_t nstrips)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct tpl_node *node = &v[i];

		switch (node->kind) {
		case TPL_TEXT:
			if (node->line_start)
				strip_apply(&node->text, strips, nstrips);
			break;
		case TPL_PARTIAL:
		case TPL_PARENT:
			if (node->standalone)
				strip_apply(&node->text, strips, nstrips);
			strip_walk(node->kids, node->nkids, strips, nstrips);
			break;
		case TPL_BLOCK:
			strip_apply(&node->text, strips, nstrips);
			if (node->intrinsic && node->dedented) {
				strips[nstrips] = node->text;
				strip_walk(node->kids, node->nkids, strips,
					   nstrips + 1);
			} else {
				strip_walk(node->kids, node->nkids, strips,
					   nstrips);
			}
			break;
		default:
			strip_walk(node->kids, node->nkids, strips, nstrips);
			break;
		}
	}
}

/*
 * Parses src into out (the top-level nodes), keeping a copy of nothing:
 * src must live as long as t (it is one of t->bufs).
 */
static int tpl_parse_into(const char *src, size_t len,
			  const struct lv_tpl_opts *opts, size_t max_nesting,
			  struct lv_tpl *t, struct tpl_list *out, char *err,
			  size_t errlen)
{
	struct tpl_parser *p = lv_calloc(1, sizeof(*p));
	struct tpl_tag tag;
	const char *q;
	char buf[48];
	int rc = LV_OK;

	p->src = src;
	p->len = len;
	p->opts = opts;
	p->t = t;
	p->max_nesting = max_nesting;
	memcpy(p->otag, "{{", 2);
	p->olen = 2;
	memcpy(p->ctag, "}}", 2);
	p->clen = 2;
	p->at_bol = 1;
	p->err = err;
	p->errlen = errlen;
	p->frames[0].kind = TPL_ROOT;
	p->nframes = 1;

	while (p->pos < len) {
		q = find_str(src + p->pos, len - p->pos, p->otag, p->olen);
		if (q == NULL) {
			parse_text(p, p->pos, len);
			p->pos = len;
			break;
		}
		rc = parse_tag(p, (size_t)(q - src), &tag);
		if (rc != LV_OK)
			goto out;
		switch (tag.type) {
		case 0:
		case '{':
		case '&':
			rc = parse_var(p, &tag);
			break;
		case '!':
		case '=':
			rc = parse_quiet(p, &tag);
			break;
		case '>':
			rc = parse_partial(p, &tag);
			break;
		case '/':
			rc = parse_close(p, &tag);
			break;
		default:
			rc = parse_open(p, &tag);
			break;
		}
		if (rc != LV_OK)
			goto out;
	}
	if (p->nframes > 1) {
		struct tpl_frame *f = &p->frames[p->nframes - 1];

		rc = parse_fail(p, f->tag_pos, "unclosed section '%s'",
				msg_name(f->name, buf, sizeof(buf)));
		goto out;
	}
	*out = p->frames[0].list;
	p->frames[0].list.v = NULL;
	p->frames[0].list.n = 0;
out:
	while (p->nframes > 0)
		frame_cleanup(&p->frames[--p->nframes]);
	lv_free(p);
	return rc;
}

int lv_tpl_parse(const char *src, size_t len, const struct lv_tpl_opts *opts,
		 struct lv_tpl **out, char *err, size_t errlen)
{
	struct tpl_str strips[LV_TPL_MAX_NESTING + 2];
	struct lv_tpl *t = lv_calloc(1, sizeof(*t));
	struct tpl_list list = { 0 };
	char *copy = lv_malloc(len + 1);
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len)
		memcpy(copy, src, len);
	copy[len] = '\0';
	t->bufs = lv_malloc(sizeof(*t->bufs));
	t->bufs[0] = copy;
	t->nbufs = 1;
	rc = tpl_parse_into(copy, len, opts, LV_TPL_MAX_NESTING, t, &list, err,
			    errlen);
	if (rc != LV_OK)
		goto out;
	t->kids = list.v;
	t->nkids = list.n;
	strip_walk(t->kids, t->nkids, strips, 0);
	*out = t;
	t = NULL;
out:
	lv_tpl_free(t);
	return rc;
}

void lv_tpl_free(struct lv_tpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	nodes_free(t->kids, t->nkids);
	for (i = 0; i < t->nbufs; i++)
		lv_free(t->bufs[i]);
	lv_free(t->bufs);
	lv_free(t);
}

/* ------------------------------------------------------------------ set */

static uint64_t set_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding name, or the empty slot where it would go. */
static struct tpl_entry *set_slot(const struct lv_tpl_set *s, const char *name,
				  size_t n)
{
	size_t i = (size_t)set_hash(name, n) & (s->cap - 1);

	for (;;) {
		struct tpl_entry *e = &s->v[i];

		if (e->name == NULL ||
		    (e->len == n && memcmp(e->name, name, n) == 0))
			return e;
		i = (i + 1) & (s->cap - 1);
	}
}

static const struct lv_tpl *set_find(const struct lv_tpl_set *s,
				     const char *name, size_t n)
{
	if (s == NULL || s->n == 0)
		return NULL;
	return set_slot(s, name, n)->t;
}

struct lv_tpl_set *lv_tpl_set_new(void)
{
	struct lv_tpl_set *s = lv_calloc(1, sizeof(*s));

	s->cap = 16;
	s->v = lv_calloc(s->cap, sizeof(*s->v));
	return s;
}

void lv_tpl_set_free(struct lv_tpl_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->cap; i++) {
		lv_free(s->v[i].name);
		lv_tpl_free(s->v[i].t);
	}
	lv_free(s->v);
	lv_free(s);
}

static void set_grow(struct lv_tpl_set *s)
{
	struct tpl_entry *old = s->v;
	size_t oldcap = s->cap, i;

	s->cap *= 2;
	s->v = lv_calloc(s->cap, sizeof(*s->v));
	for (i = 0; i < oldcap; i++)
		if (old[i].name)
			*set_slot(s, old[i].name, old[i].len) = old[i];
	lv_free(old);
}

int lv_tpl_set_add(struct lv_tpl_set *s, const char *name, struct lv_tpl *t)
{
	struct tpl_entry *e;
	size_t n;
	int rc = LV_OK;

	if (s == NULL || name == NULL || name[0] == '\0' || t == NULL) {
		lv_tpl_free(t);
		rc = LV_EINVAL;
		goto out;
	}
	n = strlen(name);
	if ((s->n + 1) * 2 > s->cap)
		set_grow(s);
	e = set_slot(s, name, n);
	if (e->name) {
		lv_tpl_free(e->t);
	} else {
		e->name = lv_strdup(name);
		e->len = n;
		s->n++;
	}
	e->t = t;
out:
	return rc;
}

int lv_tpl_set_parse(struct lv_tpl_set *s, const char *name, const char *src,
		     size_t len, const struct lv_tpl_opts *opts, char *err,
		     size_t errlen)
{
	struct lv_tpl *t = NULL;
	int rc;

	rc = lv_tpl_parse(src, len, opts, &t, err, errlen);
	if (rc == LV_OK)
		rc = lv_tpl_set_add(s, name, t);
	return rc;
}

const struct lv_tpl *lv_tpl_set_get(const struct lv_tpl_set *s,
				    const char *name)
{
	if (name == NULL)
		return NULL;
	return set_find(s, name, strlen(name));
}

size_t lv_tpl_set_count(const struct lv_tpl_set *s)
{
	return s ? s->n : 0;
}

/* ------------------------------------------------------------- renderer */

struct tpl_override {
	const struct tpl_node *parent; /* its kids are the overriding blocks */
	struct tpl_str ind;            /* indentation where the parent was */
};

struct tpl_render {
	struct lv_buf *out;
	const struct lv_tpl_set *set;
	json_t *ctx[TPL_MAX_CTX];
	size_t nctx;
	struct tpl_override ovr[LV_TPL_MAX_PARTIALS + 1];
	size_t novr;
	size_t ovr_base; /* overrides below this are not visible (partials) */
	unsigned depth;  /* partials, parents and overrides being rendered */
	unsigned long steps;
};

/* An indentation built from pieces; heap is set when it was joined. */
struct tpl_ind {
	struct tpl_str s;
	char *heap;
};

static void ind_join(struct tpl_ind *ind, struct tpl_str a, struct tpl_str b,
		     struct tpl_str c)
{
	char *p;

	ind->heap = NULL;
	if (b.n == 0 && c.n == 0) {
		ind->s = a;
		return;
	}
	if (a.n == 0 && c.n == 0) {
		ind->s = b;
		return;
	}
	if (a.n == 0 && b.n == 0) {
		ind->s = c;
		return;
	}
	p = lv_malloc(a.n + b.n + c.n);
	if (a.n)
		memcpy(p, a.p, a.n);
	if (b.n)
		memcpy(p + a.n, b.p, b.n);
	if (c.n)
		memcpy(p + a.n + b.n, c.p, c.n);
	ind->heap = p;
	ind->s.p = p;
	ind->s.n = a.n + b.n + c.n;
}

static json_t *render_lookup(const struct tpl_render *r,
			     const struct tpl_node *node)
{
	json_t *v = NULL;
	size_t i;

	if (r->nctx == 0)
		return NULL;
	if (node->nparts == 0)
		return r->ctx[r->nctx - 1];
	for (i = r->nctx; i-- > 0;) {
		if (json_is_object(r->ctx[i])) {
			v = json_object_getn(r->ctx[i], node->parts[0].p,
					     node->parts[0].n);
			if (v)
				break;
		}
	}
	for (i = 1; v && i < node->nparts; i++)
		v = json_is_object(v) ? json_object_getn(v, node->parts[i].p,
							 node->parts[i].n)
				      : NULL;
	return v;
}

static int value_truthy(const json_t *v)
{
	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	default:
		return 1;
	}
}

/*
 * The shortest %g form of d that reads back as d (1.21, 85, 1e+21). Livery
 * never calls setlocale(), so the decimal separator is always '.'.
 */
static void real_format(double d, char *buf, size_t len)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static int render_value(struct tpl_render *r, const json_t *v, int escape)
{
	char buf[40];
	const char *s = buf;
	size_t n;

	if (v == NULL)
		return LV_OK;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		break;
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		n = strlen(buf);
		break;
	case JSON_REAL:
		real_format(json_real_value(v), buf, sizeof(buf));
		n = strlen(buf);
		break;
	case JSON_TRUE:
		s = "true";
		n = 4;
		break;
	case JSON_FALSE:
		s = "false";
		n = 5;
		break;
	default:
		return LV_OK;
	}
	return escape ? lv_buf_append_html(r->out, s, n)
		      : lv_buf_append(r->out, s, n);
}

static int render_nodes(struct tpl_render *r, const struct tpl_node *v,
			size_t n, struct tpl_str ind, int in_block);

static int render_push(struct tpl_render *r, json_t *v)
{
	int rc = LV_EINVAL;

	if (r->nctx < TPL_MAX_CTX) {
		r->ctx[r->nctx++] = v;
		rc = LV_OK;
	}
	return rc;
}

static int render_section(struct tpl_render *r, const struct tpl_node *node,
			  struct tpl_str ind)
{
	json_t *v = render_lookup(r, node), *item;
	size_t i;
	int rc = LV_OK;

	if (node->kind == TPL_INVERTED) {
		if (!value_truthy(v))
			rc = render_nodes(r, node->kids, node->nkids, ind, 0);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (++r->steps > LV_TPL_MAX_STEPS) {
				rc = LV_ETOOBIG;
				break;
			}
			rc = render_push(r, item);
			if (rc != LV_OK)
				break;
			rc = render_nodes(r, node->kids, node->nkids, ind, 0);
			r->nctx--;
			if (rc != LV_OK)
				break;
		}
	} else if (value_truthy(v)) {
		rc = render_push(r, v);
		if (rc == LV_OK) {
			rc = render_nodes(r, node->kids, node->nkids, ind, 0);
			r->nctx--;
		}
	}
	return rc;
}

/* A partial {{>x}} or a parent {{<x}}. */
static int render_partial(struct tpl_render *r, const struct tpl_node *node,
			  struct tpl_str ind)
{
	const struct lv_tpl *t = set_find(r->set, node->name.p, node->name.n);
	static const struct tpl_str none = { "", 0 };
	struct tpl_ind sub = { { "", 0 }, NULL };
	size_t base = r->ovr_base;
	int rc = LV_OK;

	if (t == NULL) {
		if (node->kind == TPL_PARENT)
			rc = LV_EINVAL;
		goto out;
	}
	if (r->depth >= LV_TPL_MAX_PARTIALS) {
		rc = LV_EINVAL;
		goto out;
	}
	if (node->standalone)
		ind_join(&sub, ind, node->text, none);
	if (node->kind == TPL_PARENT) {
		r->ovr[r->novr].parent = node;
		r->ovr[r->novr].ind = ind;
		r->novr++;
	} else {
		/* A partial does not see the blocks given to its includer. */
		r->ovr_base = r->novr;
	}
	r->depth++;
	rc = render_nodes(r, t->kids, t->nkids, sub.s, 0);
	r->depth--;
	if (node->kind == TPL_PARENT)
		r->novr--;
	r->ovr_base = base;
out:
	lv_free(sub.heap);
	return rc;
}

static int render_block(struct tpl_render *r, const struct tpl_node *node,
			struct tpl_str ind)
{
	static const struct tpl_str none = { "", 0 };
	const struct tpl_node *found = NULL;
	struct tpl_ind sub = { { "", 0 }, NULL };
	struct tpl_str carried = none;
	size_t i, k;
	int rc;

	for (i = r->ovr_base; i < r->novr && found == NULL; i++) {
		const struct tpl_node *parent = r->ovr[i].parent;

		/* The last of two blocks of the same name in a parent wins. */
		r->steps += parent->nkids;
		for (k = parent->nkids; k-- > 0;) {
			if (str_eq(parent->kids[k].name, node->name)) {
				found = &parent->kids[k];
				if (!found->dedented)
					carried = r->ovr[i].ind;
				break;
			}
		}
	}
	if (found == NULL) {
		if (node->indented)
			ind_join(&sub, ind, node->text, none);
		else
			sub.s = ind;
		rc = render_nodes(r, node->kids, node->nkids, sub.s,
				  node->indented);
		goto out;
	}
	if (r->depth >= LV_TPL_MAX_PARTIALS) {
		rc = LV_EINVAL;
		goto out;
	}
	if (node->indented)
		ind_join(&sub, ind, node->text, carried);
	else
		sub.s = carried;
	r->depth++;
	rc = render_nodes(r, found->kids, found->nkids, sub.s, node->indented);
	r->depth--;
out:
	lv_free(sub.heap);
	return rc;
}

/* True when a text node is an empty source line (never indented). */
static int text_blank(const struct tpl_node *node, int line_start)
{
	const char *s = node->text.p;

	return line_start && node->text.n > 0 &&
	       (s[0] == '\n' || (s[0] == '\r' && node->text.n > 1 &&
				 s[1] == '\n'));
}

/*
 * Renders the nodes v[0..n) with the indentation ind written at the start
 * of each source line. in_block: v is the content of a block re-indented as
 * a whole, whose first line is indented even when it began mid-line, and
 * whose empty last line is not.
 */
static int render_nodes(struct tpl_render *r, const struct tpl_node *v,
			size_t n, struct tpl_str ind, int in_block)
{
	size_t i;
	int rc = LV_OK;

	for (i = 0; i < n && rc == LV_OK; i++) {
		const struct tpl_node *node = &v[i];
		int first = in_block && node->first;
		int bol = (node->bol || first) && !(in_block && node->tail);

		if (++r->steps > LV_TPL_MAX_STEPS) {
			rc = LV_ETOOBIG;
			break;
		}
		if (bol && ind.n > 0 && !node->standalone &&
		    !(node->kind == TPL_BLOCK && node->indented) &&
		    !(node->kind == TPL_TEXT &&
		      text_blank(node, node->line_start || first))) {
			rc = lv_buf_append(r->out, ind.p, ind.n);
			if (rc != LV_OK)
				break;
		}
		switch (node->kind) {
		case TPL_TEXT:
			rc = lv_buf_append(r->out, node->text.p, node->text.n);
			break;
		case TPL_VAR:
		case TPL_RAW:
			rc = render_value(r, render_lookup(r, node),
					  node->kind == TPL_VAR);
			break;
		case TPL_SECTION:
		case TPL_INVERTED:
			rc = render_section(r, node, ind);
			break;
		case TPL_PARTIAL:
		case TPL_PARENT:
			rc = render_partial(r, node, ind);
			break;
		case TPL_BLOCK:
			rc = render_block(r, node, ind);
			break;
		default:
			break;
		}
	}
	return rc;
}

int lv_tpl_render(const struct lv_tpl *t, json_t *data,
		  const struct lv_tpl_set *partials, struct lv_buf *out)
{
	static const struct tpl_str none = { "", 0 };
	struct tpl_render *r = NULL;
	size_t len0 = out->len;
	int rc = LV_EINVAL;

	if (t == NULL)
		goto out;
	r = lv_calloc(1, sizeof(*r));
	r->out = out;
	r->set = partials;
	if (data)
		r->ctx[r->nctx++] = data;
	rc = render_nodes(r, t->kids, t->nkids, none, 0);
	if (rc != LV_OK) {
		out->len = len0;
		if (out->data)
			out->data[len0] = '\0';
	}
out:
	lv_free(r);
	return rc;
}
