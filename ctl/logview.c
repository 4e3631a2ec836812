/*
 * logview.c - parse log lines, learn chains, select lines (see logview.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/logview.h"
#include "lib/alloc.h"
#include "lib/util.h"

/* ------------------------------------------------------------ small text */

/* A bounded cursor over one line: reads never pass the end. */
struct text_rd {
	const char *p;
	size_t length, offset;
};

static bool rd_left(const struct text_rd *rd, size_t n)
{
	return n <= rd->length - rd->offset;
}

static bool rd_skip(struct text_rd *rd, const char *literal)
{
	size_t n = strlen(literal);

	if (!rd_left(rd, n) || memcmp(rd->p + rd->offset, literal, n) != 0)
		return false;
	rd->offset += n;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}


static char fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Exactly n digits into *value. */
static bool rd_digits(struct text_rd *rd, size_t n, int *value)
{
	int v = 0;

	if (!rd_left(rd, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = rd->p[rd->offset + i];

		if (!is_digit(c))
			return false;
		v = v * 10 + (c - '0');
	}
	rd->offset += n;
	*value = v;
	return true;
}

/* 1..20 digits, no overflow, into *value. */
static bool rd_u64(struct text_rd *rd, uint64_t *value)
{
	uint64_t v = 0;
	size_t n = 0;

	while (rd_left(rd, 1) && is_digit(rd->p[rd->offset])) {
		unsigned digit = (unsigned)(rd->p[rd->offset] - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
		rd->offset++;
		n++;
	}
	*value = v;
	return n > 0;
}

static bool starts_with(const char *p, size_t length, const char *literal)
{
	size_t n = strlen(literal);

	return length >= n && memcmp(p, literal, n) == 0;
}

/* ------------------------------------------------------------------ time */

/* Days from 1970-01-01 to year-month-day of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
	int64_t era, yoe, doy, doe;

	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	yoe = year - era * 400;
	doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t logview_time_ms(int year, int month, int day, int hour, int minute, int second,
			int millisecond)
{
	int64_t days = days_from_civil(year, month, day);

	return ((days * 24 + hour) * 60 + minute) * 60000 + (int64_t)second * 1000 + millisecond;
}

static bool date_valid(int month, int day, int hour, int minute, int second)
{
	return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 &&
	       second <= 60;
}

/* "YYYY-MM-DD?HH:MM:SS" with separator sep between date and time. */
static bool rd_datetime(struct text_rd *rd, char sep, int64_t *ms)
{
	int year, month, day, hour, minute, second;
	char sep_text[2] = { sep, '\0' };

	if (!rd_digits(rd, 4, &year) || !rd_skip(rd, "-") || !rd_digits(rd, 2, &month) ||
	    !rd_skip(rd, "-") || !rd_digits(rd, 2, &day) || !rd_skip(rd, sep_text) ||
	    !rd_digits(rd, 2, &hour) || !rd_skip(rd, ":") || !rd_digits(rd, 2, &minute) ||
	    !rd_skip(rd, ":") || !rd_digits(rd, 2, &second))
		return false;
	if (!date_valid(month, day, hour, minute, second))
		return false;
	*ms = logview_time_ms(year, month, day, hour, minute, second, 0);
	return true;
}

/* ".ddd..." : the first three digits are milliseconds, the rest is skipped. */
static void rd_fraction(struct text_rd *rd, int64_t *ms)
{
	int scale = 100;

	if (!rd_skip(rd, "."))
		return;
	while (rd_left(rd, 1) && is_digit(rd->p[rd->offset])) {
		*ms += (rd->p[rd->offset] - '0') * scale;
		scale /= 10;
		rd->offset++;
	}
}

int logview_time_parse(const char *text, int64_t now_ms, int64_t *out)
{
	struct text_rd rd = { text, strlen(text), 0 };
	int hour, minute, second = 0;
	int64_t day_ms = 24LL * 3600 * 1000, ms;

	if (text[0] == '-') {
		uint64_t n;
		int64_t unit;

		rd.offset = 1;
		if (!rd_u64(&rd, &n) || !rd_left(&rd, 1) || rd.length - rd.offset != 1)
			return -EINVAL;
		switch (text[rd.offset]) {
		case 's': unit = 1000; break;
		case 'm': unit = 60 * 1000; break;
		case 'h': unit = 3600 * 1000; break;
		case 'd': unit = day_ms; break;
		default: return -EINVAL;
		}
		if (n > (uint64_t)(INT64_MAX / 4) / (uint64_t)unit)
			return -EINVAL;
		*out = now_ms - (int64_t)n * unit;
		return 0;
	}
	if (rd.length >= 10 && text[4] == '-') {
		int year, month, day;

		if (!rd_digits(&rd, 4, &year) || !rd_skip(&rd, "-") || !rd_digits(&rd, 2, &month) ||
		    !rd_skip(&rd, "-") || !rd_digits(&rd, 2, &day))
			return -EINVAL;
		hour = minute = 0;
		if (rd.offset < rd.length && (!rd_skip(&rd, " ") || !rd_digits(&rd, 2, &hour) ||
					      !rd_skip(&rd, ":") || !rd_digits(&rd, 2, &minute)))
			return -EINVAL;
		if (rd_skip(&rd, ":") && !rd_digits(&rd, 2, &second))
			return -EINVAL;
		if (rd.offset != rd.length || !date_valid(month, day, hour, minute, second))
			return -EINVAL;
		*out = logview_time_ms(year, month, day, hour, minute, second, 0);
		return 0;
	}
	if (!rd_digits(&rd, 2, &hour) || !rd_skip(&rd, ":") || !rd_digits(&rd, 2, &minute))
		return -EINVAL;
	if (rd_skip(&rd, ":") && !rd_digits(&rd, 2, &second))
		return -EINVAL;
	if (rd.offset != rd.length || !date_valid(1, 1, hour, minute, second))
		return -EINVAL;
	ms = now_ms - ((now_ms % day_ms) + day_ms) % day_ms;
	*out = ms + ((int64_t)hour * 60 + minute) * 60000 + (int64_t)second * 1000;
	return 0;
}

/* ------------------------------------------------------------- lines */

int logview_serial_parse(struct logview_serial *serial, const char *text)
{
	struct text_rd rd = { text, strlen(text), 0 };
	size_t kind_length = 0;

	while (rd.offset < rd.length && is_lower(text[rd.offset]))
		rd.offset++;
	kind_length = rd.offset;
	if (kind_length >= LOGVIEW_KIND_MAX)
		return -EINVAL;
	if (!rd_skip(&rd, "#") && kind_length > 0)
		return -EINVAL;
	memset(serial, 0, sizeof *serial);
	memcpy(serial->kind, text, kind_length);
	if (!rd_u64(&rd, &serial->serial) || rd.offset != rd.length || serial->serial == 0)
		return -EINVAL;
	return 0;
}

/* One "kind#N" token of a prefix. */
static bool rd_serial(struct text_rd *rd, struct logview_serial *serial)
{
	size_t start = rd->offset, kind_length;

	while (rd_left(rd, 1) && is_lower(rd->p[rd->offset]))
		rd->offset++;
	kind_length = rd->offset - start;
	if (kind_length >= LOGVIEW_KIND_MAX || !rd_skip(rd, "#"))
		return false;
	memset(serial->kind, 0, sizeof serial->kind);
	memcpy(serial->kind, rd->p + start, kind_length);
	return rd_u64(rd, &serial->serial);
}

/* "<prefix>: <text>" or "<text>" from rd's offset to the end. */
static void line_parse_body(struct logview_line *line, struct text_rd *rd)
{
	size_t start = rd->offset;
	unsigned count = 0;

	line->prefix = rd->p + start;
	line->prefix_length = 0;
	line->message = rd->p + start;
	line->message_length = rd->length - start;
	line->path_length = 0;
	for (;;) {
		if (count == LOGVIEW_PATH_MAX || !rd_serial(rd, &line->path[count]))
			return;
		count++;
		if (rd_skip(rd, ": ")) {
			line->prefix_length = rd->offset - 2 - start;
			line->message = rd->p + rd->offset;
			line->message_length = rd->length - rd->offset;
			line->path_length = count;
			return;
		}
		if (!rd_skip(rd, " "))
			return;
	}
}

/* "2026-11-28 07:46:23.098 NOTICE #2 tun#1: ..." */
static bool line_parse_file(struct logview_line *line, struct text_rd *rd)
{
	int64_t ms;
	size_t level_start;
	unsigned level;

	if (!rd_datetime(rd, ' ', &ms) || !rd_left(rd, 1) || rd->p[rd->offset] != '.')
		return false;
	rd_fraction(rd, &ms);
	line->time_length = rd->offset;
	if (!rd_skip(rd, " "))
		return false;
	level_start = rd->offset;
	while (rd_left(rd, 1) && rd->p[rd->offset] >= 'A' && rd->p[rd->offset] <= 'Z')
		rd->offset++;
	for (level = LOG_LEVEL_ERR; level <= LOG_LEVEL_DEBUG; level++) {
		const char *name = log_level_name((enum log_level)level);

		if (strlen(name) == rd->offset - level_start &&
		    memcmp(name, rd->p + level_start, strlen(name)) == 0)
			break;
	}
	if (level > LOG_LEVEL_DEBUG || !rd_skip(rd, " "))
		return false;
	while (rd->offset - level_start < 7 && rd_skip(rd, " "))
		continue;
	line->time = rd->p;
	line->time_ms = ms;
	line->has_level = true;
	line->level = (enum log_level)level;
	line->format = LOGVIEW_FORMAT_FILE;
	line_parse_body(line, rd);
	return true;
}

/* "2026-11-28T07:46:23.098765+00:00 host l2tpsecd[583]: #2 tun#1: ..." */
static bool line_parse_journal(struct logview_line *line, struct text_rd *rd)
{
	int64_t ms;
	unsigned fields = 0;

	if (!rd_datetime(rd, 'T', &ms))
		return false;
	rd_fraction(rd, &ms);
	while (rd_left(rd, 1) && rd->p[rd->offset] != ' ')
		rd->offset++;
	line->time_length = rd->offset;
	/* host, then "ident[pid]:" */
	while (fields < 2) {
		if (!rd_skip(rd, " ") || !rd_left(rd, 1))
			return false;
		while (rd_left(rd, 1) && rd->p[rd->offset] != ' ')
			rd->offset++;
		fields++;
	}
	if (rd->p[rd->offset - 1] != ':')
		return false;
	rd_skip(rd, " ");
	line->time = rd->p;
	line->time_ms = ms;
	line->format = LOGVIEW_FORMAT_JOURNAL;
	line_parse_body(line, rd);
	return true;
}

/* A line that is not ours: all text, no time, no level, no prefix. */
static void line_reset(struct logview_line *line, const char *text, size_t length)
{
	memset(line, 0, sizeof *line);
	line->text = text;
	line->length = length;
	line->time = text;
	line->prefix = text;
	line->message = text;
	line->message_length = length;
}

bool logview_line_parse(struct logview_line *line, const char *text, size_t length)
{
	struct text_rd rd = { text, length, 0 };

	line_reset(line, text, length);
	if (line_parse_file(line, &rd))
		return true;
	line_reset(line, text, length);
	rd.offset = 0;
	if (line_parse_journal(line, &rd))
		return true;
	line_reset(line, text, length);
	return false;
}

static bool serial_equal(const struct logview_serial *a, const struct logview_serial *b)
{
	return a->serial == b->serial && strcmp(a->kind, b->kind) == 0;
}

/* An IKE serial ("#N") opens the path. */
static bool line_has_ike(const struct logview_line *line)
{
	return line->path_length > 0 && line->path[0].kind[0] == '\0';
}

/*
 * The name in `user "NAME"` at the start of message, unescaped from
 * log_sanitize's form into name (NUL-terminated).  Its length, or -1.
 */
static int line_user(const struct logview_line *line, char name[LOGVIEW_USER_MAX])
{
	struct text_rd rd = { line->message, line->message_length, 0 };
	size_t n = 0;

	if (!rd_skip(&rd, "user \""))
		return -1;
	while (rd_left(&rd, 1)) {
		char c = rd.p[rd.offset++];

		if (c == '"') {
			name[n] = '\0';
			return (int)n;
		}
		if (c == '\\') {
			if (rd_skip(&rd, "\\"))
				c = '\\';
			else if (rd_skip(&rd, "\""))
				c = '"';
			else if (rd_skip(&rd, "x") && rd_left(&rd, 2)) {
				int high = util_hex_digit(rd.p[rd.offset]);
				int low = util_hex_digit(rd.p[rd.offset + 1]);

				if (high < 0 || low < 0)
					return -1;
				c = (char)(high * 16 + low);
				rd.offset += 2;
			} else {
				return -1;
			}
		}
		if (n + 1 >= LOGVIEW_USER_MAX)
			return -1;
		name[n++] = c;
	}
	return -1;
}

/* The address in "from [unknown peer ]ADDR" or "packet from ADDR:PORT: ...". */
static bool text_addr(const char *p, size_t length, bool port, struct netaddr *addr)
{
	char buf[NETADDR_STRLEN];
	size_t n = 0, start = 0;
	size_t end;

	if (length > 0 && p[0] == '[') {
		start = 1;
		for (end = 1; end < length && p[end] != ']'; end++)
			continue;
		if (end == length)
			return false;
	} else if (port) {
		/* an IPv4 address: up to the first ':' */
		for (end = 0; end < length && p[end] != ':' && p[end] != ' '; end++)
			continue;
		if (end == length || p[end] != ':')
			return false;
	} else {
		for (end = 0; end < length && p[end] != ' '; end++)
			continue;
	}
	n = end - start;
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, p + start, n);
	buf[n] = '\0';
	return netaddr_parse(addr, buf, 0);
}

static bool line_is_start(const struct logview_line *line)
{
	static const char marker[] = " starting (pid ";

	if (line->path_length != 0 || !starts_with(line->message, line->message_length, "l2tpsecd "))
		return false;
	return memmem(line->message, line->message_length, marker, sizeof marker - 1) != NULL;
}

/* ---------------------------------------------------------------- tables */

/* A prefix, as an anchor. */
struct lv_path {
	unsigned length;
	struct logview_serial serials[LOGVIEW_PATH_MAX];
};

/* One IKE serial of one epoch: an ISAKMP SA, or an IPsec SA (parent set). */
struct lv_sa {
	unsigned epoch;
	uint64_t serial;
	uint64_t parent;                /* the ISAKMP SA of an IPsec SA; 0 otherwise */
	bool has_peer;                  /* a Main Mode line was seen */
	struct netaddr peer;
	uint64_t main_mode_index;       /* its line */
	int64_t main_mode_ms;
	bool whole;                     /* the whole chain is selected */
	size_t anchor_count, anchor_capacity;
	struct lv_path *anchors;
};

/* The ISAKMP SAs of one address, in log order (indexes into sas). */
struct lv_addr {
	struct netaddr addr;
	size_t count, capacity;
	size_t *roots;
};

/* Open addressing over element indexes; slot value 0 is empty, else index + 1. */
struct lv_index {
	size_t *slots;
	size_t capacity;                /* a power of two, or 0 */
	size_t count;
};

/* Where a line stands in its input. */
struct lv_place {
	uint64_t index;
	unsigned epoch;
	int64_t time_ms;
};

struct lv_cursor {
	uint64_t next_index;
	unsigned epoch;
	int64_t last_ms;
};

struct lv_held {
	char *text;
	size_t length;
	struct lv_place place;
	bool emitted;
};

struct logview {
	struct logview_filter filter;
	uint64_t learned;               /* lines learned: indexes below are known */
	struct lv_cursor learn_cursor, select_cursor, follow_cursor;

	struct lv_sa *sas;
	size_t sa_count, sa_capacity;
	struct lv_index sa_index;

	struct lv_addr *addrs;
	size_t addr_count, addr_capacity;
	struct lv_index addr_index;

	struct lv_held *held;           /* a ring of LOGVIEW_HOLD_LINES */
	size_t held_first, held_count;

	uint64_t emitted;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t sa_hash(unsigned epoch, uint64_t serial)
{
	return mix64(serial * 31 + epoch);
}

static uint64_t addr_hash(const struct netaddr *addr)
{
	struct netaddr a = *addr;

	a.port = 0;
	return mix64(netaddr_hash(&a, 0x6c76));
}

typedef uint64_t lv_hash_fn(const struct logview *view, size_t element);

static uint64_t sa_element_hash(const struct logview *view, size_t element)
{
	return sa_hash(view->sas[element].epoch, view->sas[element].serial);
}

static uint64_t addr_element_hash(const struct logview *view, size_t element)
{
	return addr_hash(&view->addrs[element].addr);
}

/* Inserts element (known absent), growing at half full.  0 or -ENOMEM. */
static int lv_index_add(struct logview *view, struct lv_index *index, lv_hash_fn *hash,
			size_t element)
{
	size_t mask, slot;

	if (2 * (index->count + 1) > index->capacity) {
		size_t capacity = index->capacity ? 2 * index->capacity : 64;
		size_t *slots = alloc_array(capacity, sizeof *slots);

		if (slots == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < index->capacity; i++) {
			size_t e = index->slots[i];

			if (e == 0)
				continue;
			slot = hash(view, e - 1) & (capacity - 1);
			while (slots[slot] != 0)
				slot = (slot + 1) & (capacity - 1);
			slots[slot] = e;
		}
		alloc_free(index->slots);
		index->slots = slots;
		index->capacity = capacity;
	}
	mask = index->capacity - 1;
	slot = hash(view, element) & mask;
	while (index->slots[slot] != 0)
		slot = (slot + 1) & mask;
	index->slots[slot] = element + 1;
	index->count++;
	return 0;
}

static struct lv_sa *sa_find(const struct logview *view, unsigned epoch, uint64_t serial)
{
	size_t mask, slot;

	if (view->sa_index.capacity == 0)
		return NULL;
	mask = view->sa_index.capacity - 1;
	for (slot = sa_hash(epoch, serial) & mask; view->sa_index.slots[slot] != 0;
	     slot = (slot + 1) & mask) {
		struct lv_sa *sa = &view->sas[view->sa_index.slots[slot] - 1];

		if (sa->epoch == epoch && sa->serial == serial)
			return sa;
	}
	return NULL;
}

static struct lv_sa *sa_get(struct logview *view, unsigned epoch, uint64_t serial)
{
	struct lv_sa *sa = sa_find(view, epoch, serial);

	if (sa)
		return sa;
	if (view->sa_count == view->sa_capacity) {
		size_t capacity = view->sa_capacity ? 2 * view->sa_capacity : 64;
		struct lv_sa *sas = alloc_realloc_array(view->sas, capacity, sizeof *sas);

		if (sas == NULL)
			return NULL;
		view->sas = sas;
		view->sa_capacity = capacity;
	}
	sa = &view->sas[view->sa_count];
	memset(sa, 0, sizeof *sa);
	sa->epoch = epoch;
	sa->serial = serial;
	if (lv_index_add(view, &view->sa_index, sa_element_hash, view->sa_count) < 0)
		return NULL;
	view->sa_count++;
	return sa;
}

/* The ISAKMP SA heading serial's chain in epoch; NULL when unknown. */
static struct lv_sa *sa_root(const struct logview *view, unsigned epoch, uint64_t serial)
{
	struct lv_sa *sa = sa_find(view, epoch, serial);

	if (sa && sa->parent != 0) {
		struct lv_sa *parent = sa_find(view, epoch, sa->parent);

		return parent ? parent : sa;
	}
	return sa;
}

static struct lv_addr *addr_find(const struct logview *view, const struct netaddr *addr)
{
	size_t mask, slot;

	if (view->addr_index.capacity == 0)
		return NULL;
	mask = view->addr_index.capacity - 1;
	for (slot = addr_hash(addr) & mask; view->addr_index.slots[slot] != 0;
	     slot = (slot + 1) & mask) {
		struct lv_addr *a = &view->addrs[view->addr_index.slots[slot] - 1];

		if (netaddr_same_addr(&a->addr, addr))
			return a;
	}
	return NULL;
}

/* Appends sa (by index) to its address's list.  0 or -ENOMEM. */
static int addr_add_root(struct logview *view, size_t sa_element)
{
	const struct netaddr *peer = &view->sas[sa_element].peer;
	struct lv_addr *a = addr_find(view, peer);

	if (a == NULL) {
		if (view->addr_count == view->addr_capacity) {
			size_t capacity = view->addr_capacity ? 2 * view->addr_capacity : 16;
			struct lv_addr *addrs = alloc_realloc_array(view->addrs, capacity,
								    sizeof *addrs);

			if (addrs == NULL)
				return -ENOMEM;
			view->addrs = addrs;
			view->addr_capacity = capacity;
		}
		a = &view->addrs[view->addr_count];
		memset(a, 0, sizeof *a);
		a->addr = *peer;
		a->addr.port = 0;
		if (lv_index_add(view, &view->addr_index, addr_element_hash, view->addr_count) < 0)
			return -ENOMEM;
		view->addr_count++;
	}
	if (a->count == a->capacity) {
		size_t capacity = a->capacity ? 2 * a->capacity : 4;
		size_t *roots = alloc_realloc_array(a->roots, capacity, sizeof *roots);

		if (roots == NULL)
			return -ENOMEM;
		a->roots = roots;
		a->capacity = capacity;
	}
	a->roots[a->count++] = sa_element;
	return 0;
}

/* ------------------------------------------------------------- learning */

static void place_line(struct lv_cursor *cursor, const struct logview_line *line,
		       struct lv_place *place)
{
	if (line_is_start(line))
		cursor->epoch++;
	if (line->format != LOGVIEW_FORMAT_OTHER)
		cursor->last_ms = line->time_ms;
	place->index = cursor->next_index++;
	place->epoch = cursor->epoch;
	place->time_ms = cursor->last_ms;
}

/* Adds path[0 .. length) as an anchor of root (no duplicates).  1 added, 0 known, -ENOMEM. */
static int root_anchor(struct lv_sa *root, const struct logview_serial *path, unsigned length)
{
	struct lv_path *anchor;

	for (size_t i = 0; i < root->anchor_count; i++) {
		const struct lv_path *a = &root->anchors[i];
		unsigned k = 0;

		while (k < length && k < a->length && serial_equal(&a->serials[k], &path[k]))
			k++;
		if (k == length && k == a->length)
			return 0;
	}
	if (root->anchor_count == root->anchor_capacity) {
		size_t capacity = root->anchor_capacity ? 2 * root->anchor_capacity : 2;
		struct lv_path *anchors = alloc_realloc_array(root->anchors, capacity,
							      sizeof *anchors);

		if (anchors == NULL)
			return -ENOMEM;
		root->anchors = anchors;
		root->anchor_capacity = capacity;
	}
	anchor = &root->anchors[root->anchor_count++];
	memset(anchor, 0, sizeof *anchor);
	anchor->length = length;
	memcpy(anchor->serials, path, length * sizeof *path);
	return 1;
}

/* "#M: responding to Main Mode from unknown peer ADDR".  0 or -ENOMEM. */
static int learn_main_mode(struct logview *view, const struct logview_line *line,
			   const struct lv_place *place, bool *grew)
{
	static const char head[] = "responding to Main Mode from ";
	const char *p = line->message + sizeof head - 1;
	size_t length = line->message_length - (sizeof head - 1);
	struct netaddr peer;
	struct lv_sa *sa;

	if (starts_with(p, length, "unknown peer ")) {
		p += 13;
		length -= 13;
	}
	if (!text_addr(p, length, false, &peer))
		return 0;
	sa = sa_get(view, place->epoch, line->path[0].serial);
	if (sa == NULL)
		return -ENOMEM;
	if (sa->has_peer)
		return 0;
	sa->has_peer = true;
	sa->peer = peer;
	sa->main_mode_index = place->index;
	sa->main_mode_ms = place->time_ms;
	if (addr_add_root(view, (size_t)(sa - view->sas)) < 0)
		return -ENOMEM;
	if (view->filter.kind == LOGVIEW_FILTER_PEER && netaddr_same_addr(&peer, &view->filter.peer)) {
		sa->whole = true;
		*grew = true;
	}
	return 0;
}

/* "#N: responding to Quick Mode from ADDR:PORT (ISAKMP SA #M)".  0 or -ENOMEM. */
static int learn_quick_mode(struct logview *view, const struct logview_line *line,
			    const struct lv_place *place)
{
	static const char marker[] = "(ISAKMP SA #";
	const char *at = memmem(line->message, line->message_length, marker, sizeof marker - 1);
	struct text_rd rd = { line->message, line->message_length, 0 };
	uint64_t parent;
	struct lv_sa *sa;

	if (at == NULL)
		return 0;
	rd.offset = (size_t)(at - line->message) + sizeof marker - 1;
	if (!rd_u64(&rd, &parent) || !rd_skip(&rd, ")") || parent == line->path[0].serial)
		return 0;
	/* the parent first: adding an SA may move the others */
	if (sa_get(view, place->epoch, parent) == NULL)
		return -ENOMEM;
	sa = sa_get(view, place->epoch, line->path[0].serial);
	if (sa == NULL)
		return -ENOMEM;
	if (sa->parent == 0 && sa->anchor_count == 0 && !sa->whole)
		sa->parent = parent;
	return 0;
}

/* Anchors from --user and --serial.  0 or -ENOMEM. */
static int learn_anchor(struct logview *view, const struct logview_line *line,
			const struct lv_place *place, bool *grew)
{
	unsigned length = 0;
	struct lv_sa *root;
	int rc;

	if (view->filter.kind == LOGVIEW_FILTER_USER) {
		char name[LOGVIEW_USER_MAX];
		int n = line_user(line, name);
		size_t k = 0;

		if (n < 0 || (size_t)n != strlen(view->filter.user))
			return 0;
		while (k < (size_t)n && fold(name[k]) == fold(view->filter.user[k]))
			k++;
		if (k != (size_t)n)
			return 0;
		length = line->path_length;
	} else if (view->filter.kind == LOGVIEW_FILTER_SERIAL) {
		for (unsigned i = 0; i < line->path_length && length == 0; i++)
			if (serial_equal(&line->path[i], &view->filter.serial))
				length = i + 1;
		if (length == 0)
			return 0;
	} else {
		return 0;
	}
	if (sa_get(view, place->epoch, line->path[0].serial) == NULL)
		return -ENOMEM;
	root = sa_root(view, place->epoch, line->path[0].serial);
	if (length == 1 && root->serial == line->path[0].serial) {
		*grew = *grew || !root->whole;
		root->whole = true;
		return 0;
	}
	rc = root_anchor(root, line->path, length);
	if (rc < 0)
		return rc;
	*grew = *grew || rc > 0;
	return 0;
}

/* What a line teaches, once.  0 or -ENOMEM; *grew when the selection grew. */
static int learn_line(struct logview *view, const struct logview_line *line,
		      const struct lv_place *place, bool *grew)
{
	int rc;

	*grew = false;
	if (place->index < view->learned)
		return 0;
	view->learned = place->index + 1;
	if (!line_has_ike(line))
		return 0;
	if (line->path_length == 1) {
		rc = 0;
		if (starts_with(line->message, line->message_length, "responding to Main Mode from "))
			rc = learn_main_mode(view, line, place, grew);
		else if (starts_with(line->message, line->message_length,
				     "responding to Quick Mode from "))
			rc = learn_quick_mode(view, line, place);
		if (rc < 0)
			return rc;
	}
	return learn_anchor(view, line, place, grew);
}

int logview_learn(struct logview *view, const char *text, size_t length)
{
	struct logview_line line;
	struct lv_place place;
	bool grew;

	logview_line_parse(&line, text, length);
	place_line(&view->learn_cursor, &line, &place);
	return learn_line(view, &line, &place, &grew);
}

/* ------------------------------------------------------------- selection */

static bool root_selected(const struct lv_sa *root)
{
	return root->whole || root->anchor_count > 0;
}

/* Whether one path is a prefix of the other (either way). */
static bool path_related(const struct logview_line *line, const struct lv_path *anchor)
{
	unsigned n = MIN(line->path_length, anchor->length);

	for (unsigned k = 0; k < n; k++)
		if (!serial_equal(&line->path[k], &anchor->serials[k]))
			return false;
	return true;
}

/* The ISAKMP SA a "packet from ADDR:PORT: ..." line belongs to, or NULL. */
static const struct lv_sa *packet_root(const struct logview *view, const struct logview_line *line,
				       const struct lv_place *place)
{
	static const char head[] = "packet from ";
	const struct lv_addr *a;
	struct netaddr addr;
	size_t low = 0, high;

	if (!starts_with(line->message, line->message_length, head) ||
	    !text_addr(line->message + sizeof head - 1, line->message_length - (sizeof head - 1),
		       true, &addr))
		return NULL;
	a = addr_find(view, &addr);
	if (a == NULL)
		return NULL;
	/* the first root logged after the line */
	high = a->count;
	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (view->sas[a->roots[mid]].main_mode_index < place->index)
			low = mid + 1;
		else
			high = mid;
	}
	if (low > 0) {
		const struct lv_sa *before = &view->sas[a->roots[low - 1]];

		if (before->epoch == place->epoch &&
		    place->time_ms - before->main_mode_ms <= LOGVIEW_PACKET_WINDOW_MS)
			return before;
	}
	if (low < a->count) {
		const struct lv_sa *after = &view->sas[a->roots[low]];

		if (after->epoch == place->epoch &&
		    after->main_mode_ms - place->time_ms <= LOGVIEW_PACKET_WINDOW_MS)
			return after;
	}
	return NULL;
}

/* Whether the line is selected; *chain gets its ISAKMP SA's serial. */
static bool select_line(const struct logview *view, const struct logview_line *line,
			const struct lv_place *place, uint64_t *chain)
{
	const struct lv_sa *root = NULL;

	*chain = 0;
	if (line_has_ike(line))
		root = sa_root(view, place->epoch, line->path[0].serial);
	else if (line->path_length == 0)
		root = packet_root(view, line, place);
	if (root)
		*chain = root->serial;
	if (view->filter.has_since && place->time_ms < view->filter.since_ms)
		return false;
	if (view->filter.kind == LOGVIEW_FILTER_ALL)
		return true;
	if (root == NULL || !root_selected(root))
		return false;
	if (root->whole || line->path_length <= 1)
		return true;
	for (size_t i = 0; i < root->anchor_count; i++)
		if (path_related(line, &root->anchors[i]))
			return true;
	return false;
}

int logview_select(struct logview *view, const char *text, size_t length, logview_emit_fn *emit,
		   void *arg)
{
	struct logview_line line;
	struct lv_place place;
	uint64_t chain;

	logview_line_parse(&line, text, length);
	place_line(&view->select_cursor, &line, &place);
	if (select_line(view, &line, &place, &chain)) {
		view->emitted++;
		emit(arg, &line, chain);
	}
	return 0;
}

/* ---------------------------------------------------------------- follow */

static struct lv_held *held_at(struct logview *view, size_t i)
{
	return &view->held[(view->held_first + i) % LOGVIEW_HOLD_LINES];
}

static void held_drop_first(struct logview *view)
{
	struct lv_held *h = held_at(view, 0);

	alloc_free(h->text);
	h->text = NULL;
	view->held_first = (view->held_first + 1) % LOGVIEW_HOLD_LINES;
	view->held_count--;
}

/* Keeps a copy of the line; drops what is too old or too many.  0 or -ENOMEM. */
static int held_push(struct logview *view, const char *text, size_t length,
		     const struct lv_place *place)
{
	struct lv_held *h;
	char *copy;

	if (view->held == NULL) {
		view->held = alloc_array(LOGVIEW_HOLD_LINES, sizeof *view->held);
		if (view->held == NULL)
			return -ENOMEM;
	}
	while (view->held_count > 0 &&
	       (view->held_count == LOGVIEW_HOLD_LINES ||
		held_at(view, 0)->place.epoch != place->epoch ||
		place->time_ms - held_at(view, 0)->place.time_ms > LOGVIEW_HOLD_MS))
		held_drop_first(view);
	copy = alloc_memdup(length ? text : "", length);
	if (copy == NULL)
		return -ENOMEM;
	h = held_at(view, view->held_count);
	h->text = copy;
	h->length = length;
	h->place = *place;
	h->emitted = false;
	view->held_count++;
	return 0;
}

/* Emits the held lines (the newest included) that are selected now. */
static void held_emit(struct logview *view, size_t from, logview_emit_fn *emit, void *arg)
{
	for (size_t i = from; i < view->held_count; i++) {
		struct lv_held *h = held_at(view, i);
		struct logview_line line;
		uint64_t chain;

		if (h->emitted)
			continue;
		logview_line_parse(&line, h->text, h->length);
		if (select_line(view, &line, &h->place, &chain)) {
			h->emitted = true;
			view->emitted++;
			emit(arg, &line, chain);
		}
	}
}

int logview_follow(struct logview *view, const char *text, size_t length, logview_emit_fn *emit,
		   void *arg)
{
	struct logview_line line;
	struct lv_place place;
	bool grew;
	int rc;

	logview_line_parse(&line, text, length);
	place_line(&view->follow_cursor, &line, &place);
	rc = learn_line(view, &line, &place, &grew);
	if (rc < 0)
		return rc;
	if (view->filter.kind == LOGVIEW_FILTER_ALL) {
		uint64_t chain;

		if (select_line(view, &line, &place, &chain)) {
			view->emitted++;
			emit(arg, &line, chain);
		}
		return 0;
	}
	rc = held_push(view, text, length, &place);
	if (rc < 0)
		return rc;
	held_emit(view, grew ? 0 : view->held_count - 1, emit, arg);
	return 0;
}

uint64_t logview_emitted(const struct logview *view)
{
	return view->emitted;
}

/* ------------------------------------------------------------ lifetime */

struct logview *logview_new(const struct logview_filter *filter)
{
	struct logview *view = alloc_zero(sizeof *view);

	if (view == NULL)
		return NULL;
	view->filter = *filter;
	return view;
}

void logview_free(struct logview *view)
{
	if (view == NULL)
		return;
	for (size_t i = 0; i < view->sa_count; i++)
		alloc_free(view->sas[i].anchors);
	for (size_t i = 0; i < view->addr_count; i++)
		alloc_free(view->addrs[i].roots);
	while (view->held_count > 0)
		held_drop_first(view);
	alloc_free(view->held);
	alloc_free(view->sas);
	alloc_free(view->sa_index.slots);
	alloc_free(view->addrs);
	alloc_free(view->addr_index.slots);
	alloc_free(view);
}

/* -------------------------------------------------------------- splitter */

void logview_splitter_init(struct logview_splitter *splitter)
{
	splitter->length = 0;
	splitter->pending = 0;
	splitter->cutting = false;
}

static int splitter_line(struct logview_splitter *splitter, logview_line_fn *fn, void *arg)
{
	size_t length = splitter->length;
	int rc;

	if (length > 0 && splitter->buffer[length - 1] == '\r')
		length--;
	rc = fn(arg, splitter->buffer, length);
	splitter->length = 0;
	splitter->pending = 0;
	splitter->cutting = false;
	return rc;
}

int logview_splitter_feed(struct logview_splitter *splitter, const char *data, size_t length,
			  logview_line_fn *fn, void *arg)
{
	for (size_t i = 0; i < length; i++) {
		if (data[i] == '\n') {
			int rc = splitter_line(splitter, fn, arg);

			if (rc != 0)
				return rc;
			continue;
		}
		splitter->pending++;
		if (splitter->cutting)
			continue;
		if (splitter->length == LOGVIEW_LINE_MAX - 1) {
			splitter->cutting = true;
			continue;
		}
		splitter->buffer[splitter->length++] = data[i];
	}
	return 0;
}

int logview_splitter_finish(struct logview_splitter *splitter, logview_line_fn *fn, void *arg)
{
	if (splitter->pending == 0)
		return 0;
	return splitter_line(splitter, fn, arg);
}
