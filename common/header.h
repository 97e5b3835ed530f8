/*
 * header.h: RFC 5322 header fields and addresses, for the messages
 * printmail passes through and the ones the backend builds.
 *
 * A struct header holds the fields of one header section, each as its raw
 * bytes (name, colon, value, folded lines, final CRLF).  Its total size is
 * capped by HEADER_MAX so a hostile input cannot make us grow.
 */
#ifndef PM_HEADER_H
#define PM_HEADER_H

#include <stddef.h>
#include <time.h>

#include "err.h"

#define HEADER_MAX	(1024 * 1024)	/* bytes in one header section */

struct header_field {
	char	*raw;		/* "Name: value\r\n" with any folding */
	size_t	 len;
	size_t	 name_len;	/* bytes before the colon */
};

struct header {
	struct header_field	*f;
	size_t			 n, cap;
	size_t			 bytes;	/* sum of the raw lengths */
};

/* A list of addr-specs ("user@example.com"), owned strings. */
struct addr_list {
	char	**v;
	size_t	  n, cap;
};

void	header_init(struct header *h);
void	header_clear(struct header *h);

/*
 * Non-zero when line (len bytes, no line end) starts a field: a name of
 * printable ASCII other than ':' followed by ':'.
 */
int	header_is_field_start(const char *line, size_t len);

/*
 * Appends a field given as "Name: value" without a line end (a CRLF is
 * added) or, with cont set, a continuation line to the last field.
 * Returns 0, or -1 with ERR_DATA when the section would pass HEADER_MAX.
 */
int	header_append_line(struct header *h, const char *line, size_t len,
	    int cont, struct err *e);

/*
 * Adds a new field "name: value" at position pos (h->n to append).  The
 * value must already be a valid field body (see header_phrase()); any CR,
 * LF or control character in it makes this fail with ERR_DATA.
 */
int	header_insert(struct header *h, size_t pos, const char *name,
	    const char *value, struct err *e);

/* Removes field i. */
void	header_remove(struct header *h, size_t i);

/* The index of the first field named name at or after from, or -1. */
long	header_find(const struct header *h, const char *name, size_t from);

/*
 * The unfolded value of field i (leading blanks dropped), as a new string
 * the caller frees, or NULL when out of memory.
 */
char	*header_value(const struct header *h, size_t i);

/*
 * Adds the addr-specs of an address-list field value (mailboxes, angle
 * addresses, groups, comments, quoted strings) to list.  0 or -1; after a
 * failure list may hold some of them: the caller clears it either way.
 */
int	header_addresses(const char *value, struct addr_list *list,
	    struct err *e);

/*
 * header_addr_is_full: ADDR is one user@domain with a dotted domain and no
 * blank, comma or angle bracket.  header_addr_is_local: ADDR names a user
 * of this machine: a bare name, @localhost, or @HOST (this machine's name,
 * full or short), as cron and CUPS's notifier write them.
 */
int	header_addr_is_full(const char *addr);
int	header_addr_is_local(const char *addr, const char *host);

/*
 * The first mailbox of a value: its addr-spec and its display name
 * (unquoted, "" when none) as new strings.  Returns 0, or -1 with ERR_DATA
 * when there is no address.
 */
int	header_mailbox(const char *value, char **addr, char **display,
	    struct err *e);

int	addr_list_add(struct addr_list *l, const char *addr, size_t len,
	    struct err *e);
/* addr_list_add(), unless the list holds the address (any case). */
int	addr_list_add_once(struct addr_list *l, const char *addr,
	    struct err *e);
void	addr_list_clear(struct addr_list *l);

/*
 * Decodes the RFC 2047 encoded words of a header value (any charset
 * iconv knows, into UTF-8; blanks between two words dropped); what is not
 * a valid encoded word stays as it is.  A new string, or NULL when out of
 * memory.
 */
char	*header_decode(const char *text);

/*
 * Encodes a display name or other phrase for a header: as it is when it is
 * plain ASCII, as a quoted string when it has specials, as RFC 2047 UTF-8
 * encoded words (folded with CRLF SP between words) when it has 8-bit
 * bytes.  Control characters become blanks, so a value can never start a
 * new header line.  Returns a new string, or NULL when out of memory.
 */
char	*header_phrase(const char *text);

/*
 * Encodes unstructured text (Subject) the same way, without quoting.
 * Returns a new string, or NULL when out of memory.
 */
char	*header_text(const char *text);

/*
 * A mailbox for a header: "Encoded Name <addr>", or addr alone when name
 * is NULL or empty.  Returns a new string or NULL when out of memory.
 */
char	*header_address(const char *name, const char *addr);

/* An RFC 5322 date for t, in local time with its offset. */
void	header_date(char *buf, size_t len, time_t t);

/* A new Message-ID value "<random@domain>".  0 or -1 (ERR_INTERNAL). */
int	header_message_id(char *buf, size_t len, const char *domain,
	    struct err *e);

#endif
