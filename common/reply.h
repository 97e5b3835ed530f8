/*
 * reply.h: SMTP replies (RFC 5321 4.2) and EHLO capabilities.
 *
 * Pure parsing, no I/O, so every hostile shape can be unit tested.
 */
#ifndef PM_REPLY_H
#define PM_REPLY_H

#include <stddef.h>

#define REPLY_LINE_MAX	2048	/* longer lines are a protocol error */
#define REPLY_LINES_MAX	100	/* more lines in one reply: protocol error */
#define REPLY_TEXT_MAX	4096	/* text kept; the rest is dropped */

struct reply {
	int	code;			/* 200..599 */
	char	enh[16];		/* "5.7.139" or "" */
	size_t	nlines;
	/*
	 * The text of every line after the code and separator, joined with
	 * '\n', control characters replaced with '?' so a reply can never
	 * forge a log line or a CUPS status line.
	 */
	char	text[REPLY_TEXT_MAX];
};

/*
 * Parses one reply line given without its line end.  On success returns 0
 * and sets *code (200..599), *more (1 when "NNN-" announces a continuation)
 * and *text (offset of the text).  Returns -1 for anything else.
 */
int	reply_parse_line(const char *line, size_t len, int *code, int *more,
	    size_t *text);

/*
 * Recognises an RFC 3463 enhanced status code at the start of text whose
 * class matches the reply code's first digit.  Copies it into enh and
 * returns the number of bytes it takes with the following blank, or 0.
 */
size_t	reply_enhanced(const char *text, size_t len, int code, char enh[16]);

/* Starts a reply; appends one parsed line's text; see struct reply. */
void	reply_init(struct reply *r, int code);
void	reply_add_line(struct reply *r, const char *text, size_t len);

/*
 * Formats a reply on one line for messages and logs: "535 5.7.139 text",
 * continuation lines joined with a blank and their repeated enhanced code
 * left out (Gmail repeats it on every line).
 */
void	reply_format(const struct reply *r, char *buf, size_t len);

#define CAPS_AUTH_PLAIN		0x1
#define CAPS_AUTH_LOGIN		0x2
#define CAPS_AUTH_XOAUTH2	0x4

struct caps {
	int			starttls;
	int			pipelining;
	int			eightbitmime;
	int			smtputf8;
	int			has_size;
	unsigned long long	size;		/* 0: no limit announced */
	unsigned		auth;		/* CAPS_AUTH_* */
	char			auth_list[128];	/* as offered, for messages */
};

/* Reads the capabilities from a 250 reply to EHLO. */
void	reply_caps(const struct reply *r, struct caps *c);

#endif
