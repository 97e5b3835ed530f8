/*
 * email: the CUPS backend that sends each print job by e-mail, as a PDF
 * attachment, through the account's SMTP submission server.
 *
 *   email                                  discovery line, no network I/O
 *   email job-id user title copies options [file]
 *
 * Device URI: email:/ACCOUNT[?to=..&cc=..&subject=..] (no secret, ever).
 * The config file is $PRINTMAIL_CONFIG, else SYSCONFDIR/printmail.conf.
 *
 * Privileges: installed mode 0700 and owned by root, CUPS runs the backend
 * as root.  It reads the config file (which holds the app password and is
 * readable by root only), then switches to the user "lp" before it reads
 * the document or opens a connection.  Installed 0755 it runs as lp from
 * the start; the config must then be readable by group lp (mode 0640).
 *
 * The outcome becomes the exit status through the one table in
 * common/outcome.c.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "advice.h"
#include "conf.h"
#include "err.h"
#include "header.h"
#include "i18n.h"
#include "job.h"
#include "jobmsg.h"
#include "log.h"
#include "mime.h"
#include "outcome.h"
#include "session.h"
#include "smtp.h"
#include "throttle.h"
#include "util.h"

#include <openssl/sha.h>

#ifndef PM_SYSCONFDIR
#define PM_SYSCONFDIR "/etc"
#endif

#define STATE_REASON	"printmail-account-error"

static volatile sig_atomic_t	gs_pid;
/* The whole document has gone out: the server's answer decides now. */
static volatile sig_atomic_t	gs_committing;
static volatile sig_atomic_t	gs_term;

/*
 * SIGTERM: the job was cancelled, held, or cupsd is stopping.  Before the
 * end of the document nothing is committed: leaving closes the connection
 * without the final dot, so the server drops the message, and the spool
 * copies are unlinked files that vanish with us.  Once the final dot may
 * be on its way, leaving would lose the answer: a message the server took
 * would be printed again (a duplicate) and reported as not sent.  Then the
 * answer is awaited (up to timeout) and reported as it is.
 */
static void
on_term(int sig)
{
	static const char msg[] = "INFO: Job cancelled; nothing was sent\n";

	(void)sig;
	if (gs_committing) {
		gs_term = 1;
		return;
	}
	if (gs_pid > 0)
		kill(gs_pid, SIGTERM);
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(OUTCOME_CUPS_OK);
}

/* The message has been read to its end: the final dot follows. */
static int
committing(void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	gs_committing = 1;
	return 0;
}

static void status_line(const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The one writer of CUPS status lines.  cupsd acts on every line a backend
 * writes to standard error ("PPD:" rewrites the queue's PPD, "STATE:",
 * "ATTR:"...), and the text here quotes servers, token endpoints, jobs and
 * file names: each call writes exactly one line, in one write(), its text
 * made clean (util_clean()) whatever it quotes.
 */
static void
status_line(const char *prefix, const char *fmt, ...)
{
	char	line[2048];
	size_t	n;
	va_list	ap;

	n = (size_t)snprintf(line, sizeof(line), "%s: ", prefix);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	util_clean(line + n);
	n = strlen(line);
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

static void
log_to_cups(void *ctx, enum log_level level, const char *line,
    const char *shown)
{
	(void)ctx;
	status_line(level == LOG_LVL_ERROR ? "ERROR" : level == LOG_LVL_NOTICE ?
	    "INFO" : "DEBUG", "%s", level <= LOG_LVL_NOTICE ? shown : line);
}

static void
progress(void *ctx, uint64_t done, uint64_t total)
{
	int *last = ctx;
	int pct = total ? (int)(done * 100 / total) : 100;

	if (total < 1024 * 1024 || pct / 10 == *last / 10)
		return;
	*last = pct;
	status_line("INFO", _("Sending the document: %d%% (%.1f of %.1f MB)"),
	    pct, done / 1e6, total / 1e6);
}

/*
 * Root only to read the config: the job is sent as lp.  An account that
 * keeps an OAuth sign-in keeps the group of the senders (printmail), which
 * may refresh it in the token store.
 */
static int
drop_privileges(const struct conf_account *a, struct err *e)
{
	struct passwd	*pw;
	struct group	*gr = NULL;
	gid_t		 groups[2];
	size_t		 n = 1;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam("lp")) == NULL)
		return err_set(e, ERR_CONFIG, "there is no user lp to run as");
	groups[0] = pw->pw_gid;
	if ((a->oauth2_flow == CONF_FLOW_AUTHORIZATION_CODE ||
	    a->oauth2_flow == CONF_FLOW_DEVICE_CODE) &&
	    (gr = getgrnam("printmail")) != NULL)
		groups[n++] = gr->gr_gid;
	if (setgroups(n, groups) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1)
		return err_sys(e, ERR_INTERNAL, "cannot switch to user lp");
	if (setuid(0) == 0)
		return err_set(e, ERR_INTERNAL, "could regain root after "
		    "switching to lp");
	return 0;
}

/* An unlinked temporary file in CUPS's TMPDIR. */
static int
temp_file(struct err *e)
{
	const char	*dir = getenv("TMPDIR");
	char		 path[4096];
	int		 fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/printmail-job.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return err_sys(e, ERR_TEMP, "cannot create a temporary file in "
		    "%s", dir);
	unlink(path);
	return fd;
}

/* Copies in to a new unlinked temporary file; returns its descriptor. */
static int
spool(int in, struct err *e)
{
	char	buf[65536];
	ssize_t	n, w, off;
	int	fd;

	if ((fd = temp_file(e)) == -1)
		return -1;
	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_sys(e, ERR_TEMP, "reading the print job");
			goto fail;
		}
		if (n == 0)
			break;
		for (off = 0; off < n; off += w) {
			w = write(fd, buf + off, (size_t)(n - off));
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w == -1) {
				err_sys(e, ERR_TEMP, "writing a temporary file");
				goto fail;
			}
		}
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Converts the PostScript in fd, from offset start up to end (the rest:
 * a PJL trailer, -1 for none), to PDF with Ghostscript; returns the PDF.
 * Ghostscript writes the PDF to a file of its own: what a job makes it
 * print on its standard output or error goes nowhere, so it can neither
 * spoil the PDF nor reach cupsd as a status line.
 */
static int
ps_to_pdf(int in, off_t start, off_t end, struct err *e)
{
	static const char *gs_paths[] = { "/usr/bin/gs", "/usr/local/bin/gs" };
	const char	*gs = NULL, *dir = getenv("TMPDIR");
	char		 out_path[4096], arg[4200];
	size_t		 i;
	int		 out, src = in, status, nul;
	pid_t		 pid;

	for (i = 0; i < sizeof(gs_paths) / sizeof(gs_paths[0]); i++)
		if (access(gs_paths[i], X_OK) == 0)
			gs = gs_paths[i];
	if (gs == NULL)
		return err_set(e, ERR_DATA, "the job is PostScript and "
		    "Ghostscript is not installed to convert it to PDF "
		    "(apt install ghostscript), or print through the printmail "
		    "PPD so that CUPS converts it");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	/* The PostScript alone: no PJL header or trailer for Ghostscript. */
	if (start > 0 || end != -1) {
		char	buf[65536];
		off_t	left = end != -1 ? end - start : -1;
		ssize_t	n;

		if ((src = temp_file(e)) == -1)
			return -1;
		if (lseek(in, start, SEEK_SET) == -1) {
			close(src);
			return err_sys(e, ERR_TEMP, "reading the print job");
		}
		while (left != 0 && (n = read(in, buf, left > 0 &&
		    left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf))) >
		    0) {
			if (util_write_all(src, buf, (size_t)n) == -1) {
				close(src);
				return err_sys(e, ERR_TEMP, "writing a "
				    "temporary file");
			}
			if (left > 0)
				left -= n;
		}
		lseek(src, 0, SEEK_SET);
	} else
		lseek(in, 0, SEEK_SET);
	snprintf(out_path, sizeof(out_path), "%s/printmail-gs.XXXXXX", dir);
	if ((out = mkostemp(out_path, O_CLOEXEC)) == -1) {
		if (src != in)
			close(src);
		return err_sys(e, ERR_TEMP, "cannot create a file in %s", dir);
	}
	snprintf(arg, sizeof(arg), "-sOutputFile=%s", out_path);
	status_line("INFO", _("Converting PostScript to PDF"));
	if ((pid = fork()) == -1) {
		unlink(out_path);
		close(out);
		if (src != in)
			close(src);
		return err_sys(e, ERR_TEMP, "fork");
	}
	if (pid == 0) {
		nul = open("/dev/null", O_WRONLY);
		if (nul == -1 || dup2(src, STDIN_FILENO) == -1 ||
		    dup2(nul, STDOUT_FILENO) == -1 ||
		    dup2(nul, STDERR_FILENO) == -1)
			_exit(127);
		execl(gs, "gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE",
		    "-sDEVICE=pdfwrite", arg, "-", (char *)NULL);
		_exit(127);
	}
	gs_pid = pid;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	gs_pid = 0;
	unlink(out_path);
	if (src != in)
		close(src);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close(out);
		return err_set(e, ERR_DATA, "Ghostscript could not convert the "
		    "PostScript job to PDF (exit status %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
		    WTERMSIG(status));
	}
	return out;
}

/*
 * What the job is, from its first bytes, as CUPS's own type rules see it:
 * PDF when "%PDF-" starts within the first 1024 bytes (PDF readers allow
 * bytes before it); PostScript when "%!" starts it, after a Ctrl-D or a
 * PJL header ("ESC%-12345X@PJL ...", Windows drivers) when there is one.
 * For PostScript, *start is where it begins and *end where a PJL trailer
 * begins (-1: none).
 */
enum doc_type { DOC_OTHER, DOC_PDF, DOC_PS };

static enum doc_type
doc_type(int fd, off_t size, off_t *start, off_t *end)
{
	char		 head[4096], tail[4096];
	const char	*uel = "\033%-12345X";
	ssize_t		 n, t;
	size_t		 i;

	*start = 0;
	*end = -1;
	if ((n = pread(fd, head, sizeof(head) - 1, 0)) <= 0)
		return DOC_OTHER;
	head[n] = '\0';
	for (i = 0; i + 5 <= (size_t)n && i < 1024; i++)
		if (memcmp(head + i, "%PDF-", 5) == 0)
			return DOC_PDF;
	i = 0;
	while (i < (size_t)n && head[i] == '\004')
		i++;
	if (i + 9 <= (size_t)n && memcmp(head + i, uel, 9) == 0) {
		/* PJL lines up to the one that enters PostScript. */
		while (i < (size_t)n && memcmp(head + i, "%!", 2) != 0) {
			const char *nl = memchr(head + i, '\n', (size_t)n - i);

			if (nl == NULL)
				return DOC_OTHER;
			i = (size_t)(nl - head) + 1;
		}
	}
	if (i + 2 > (size_t)n || memcmp(head + i, "%!", 2) != 0)
		return DOC_OTHER;
	*start = (off_t)i;
	/* A trailing UEL (and PJL after it) is not PostScript. */
	t = pread(fd, tail, sizeof(tail), size > (off_t)sizeof(tail) ?
	    size - (off_t)sizeof(tail) : 0);
	for (; t >= 9; t--)
		if (memcmp(tail + t - 9, uel, 9) == 0) {
			off_t at = (size > (off_t)sizeof(tail) ?
			    size - (off_t)sizeof(tail) : 0) + t - 9;

			if (at > *start)
				*end = at;
			break;
		}
	/* Ctrl-D at the very end (an end-of-job mark) goes too. */
	return DOC_PS;
}

/*
 * The document as a PDF on a seekable descriptor, at offset 0, with its
 * size: argv[6] or standard input; PDF as it is, PostScript converted,
 * anything else refused with ERR_DATA.
 */
static int
document(const char *path, uint64_t *size, struct err *e)
{
	struct stat	st;
	off_t		start, end;
	enum doc_type	type;
	int		fd, in;

	if (path != NULL) {
		if ((in = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return err_sys(e, ERR_DATA, "cannot open the print "
			    "file %s", path);
	} else
		in = STDIN_FILENO;
	if (fstat(in, &st) == 0 && S_ISREG(st.st_mode))
		fd = in;
	else {
		fd = spool(in, e);
		if (in != STDIN_FILENO)
			close(in);
		if (fd == -1)
			return -1;
	}
	if (fstat(fd, &st) == -1 || st.st_size == 0) {
		close(fd);
		return err_set(e, ERR_DATA, "the print job is empty");
	}
	type = doc_type(fd, st.st_size, &start, &end);
	if (type == DOC_PS) {
		int pdf = ps_to_pdf(fd, start, end, e);

		close(fd);
		if (pdf == -1)
			return -1;
		fd = pdf;
		if (fstat(fd, &st) == -1) {
			close(fd);
			return err_sys(e, ERR_TEMP, "reading the print job");
		}
		type = doc_type(fd, st.st_size, &start, &end);
	}
	if (type != DOC_PDF) {
		char	head[16];
		ssize_t	n = pread(fd, head, sizeof(head), 0);
		size_t	i;

		/* Say what it starts with: the cause is often in sight. */
		for (i = 0; n > 0 && i < (size_t)n; i++)
			if ((unsigned char)head[i] < 0x20 ||
			    (unsigned char)head[i] >= 0x7f)
				head[i] = '.';
		close(fd);
		return err_set(e, ERR_DATA, "the print job is neither PDF nor "
		    "PostScript (it starts with \"%.*s\"): printmail sends "
		    "PDF attachments; print from an application, or through a "
		    "queue made with the printmail PPD, so that CUPS converts "
		    "the document to PDF", n > 0 ? (int)n : 0, head);
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return err_sys(e, ERR_TEMP, "reading the print job");
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* The queue's default recipient from its PPD: *DefaultEmailTo: Custom.x */
static char *
ppd_default_to(void)
{
	const char	*path = getenv("PPD");
	char		 line[1024], *v = NULL;
	FILE		*fp;

	if (path == NULL || (fp = fopen(path, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "*DefaultEmailTo:", 16) != 0)
			continue;
		v = line + 16;
		v += strspn(v, " \t");
		v[strcspn(v, "\r\n")] = '\0';
		v = strncmp(v, "Custom.", 7) == 0 && v[7] != '\0' ?
		    strdup(v + 7) : NULL;
		break;
	}
	fclose(fp);
	return v;
}

struct job {
	const char		*id, *user, *title, *printer;
	size_t			 doc_n, doc_count;	/* document n of count */
	const char		*file;
	struct job_uri		 uri;
	struct job_opts		 opts;
	struct conf_account	 acct;
	struct jobmsg		 msg;
	struct throttle_slot	 slot;		/* the provider limits */
};

/* Recipients, subject, body and header of the message (jobmsg.c). */
static int
prepare(struct job *j, struct err *e)
{
	struct jobmsg_in	 in;
	char			*ppd_to = ppd_default_to();
	int			 rc;

	memset(&in, 0, sizeof(in));
	in.id = j->id;
	in.user = j->user;
	in.title = j->title;
	in.printer = j->printer;
	in.doc_n = j->doc_n;
	in.doc_count = j->doc_count;
	in.opts = &j->opts;
	in.uri_to = j->uri.to;
	in.uri_cc = j->uri.cc;
	in.uri_subject = j->uri.subject;
	in.printer_to = ppd_to;
	rc = jobmsg_prepare(&j->msg, &j->acct, &in, e);
	free(ppd_to);
	return rc;
}

static int
send_job(struct job *j, int fd, uint64_t size, struct err *e)
{
	struct mime_msg		*mm = NULL;
	struct smtp_msg		 m;
	struct smtp_watch	 w;
	struct smtp		*s = NULL;
	struct addr_list	 all;
	char			 helo[256], reply[256];
	int			 last = 0, rc = -1;

	memset(&all, 0, sizeof(all));
	if (jobmsg_envelope(&j->msg, &all, e) == -1 ||
	    jobmsg_mime(&j->msg, fd, size, progress, &last, &mm, &m, e) == -1)
		goto out;
	smtp_msg_watch(&m, &w, committing, NULL);
	{
		const char *warn[8];
		size_t i, nw = conf_warnings(&j->acct, warn, 8);

		for (i = 0; i < nw; i++)
			status_line("WARNING", "%s", _(warn[i]));
	}
	status_line("STATE", "+connecting-to-device");
	status_line("INFO", _("Connecting to %s port %d"), j->acct.host,
	    j->acct.port);
	session_helo(&j->acct, helo, sizeof(helo));
	s = session_open(&j->acct, helo, session_cache_dir(), e);
	status_line("STATE", "-connecting-to-device");
	if (s == NULL)
		goto out;
	status_line("INFO", _("Sending %s (%llu bytes) to %s"), j->msg.filename,
	    (unsigned long long)m.size, all.v[0]);
	rc = smtp_send(s, j->acct.from, (const char *const *)all.v, all.n, &m,
	    e);
	gs_committing = 0;
	if (gs_term)
		status_line("INFO", "%s", rc == 0 ? _("Asked to stop while "
		    "the server was answering; its answer was awaited: it "
		    "accepted the job") : _("Asked to stop while the server "
		    "was answering; its answer was awaited: see below"));
	if (rc == -1)
		goto out;
	rc = -1;
	reply_format(smtp_last_reply(s), reply, sizeof(reply));
	status_line("INFO", ngettext("Sent %s to %zu recipient: %s",
	    "Sent %s to %zu recipients: %s", all.n), j->msg.filename, all.n,
	    reply);
	rc = 0;
out:
	smtp_free(s);
	mime_free(mm);
	addr_list_clear(&all);
	return rc;
}

/*
 * A job stopped (held, cupsd restarting) while the server answered its
 * final dot keeps its CUPS state: CUPS runs it again on release whatever
 * the backend said.  So the backend that saw the server accept it leaves
 * a marker for this queue, job and document (its size and first 64 KiB),
 * and the next run of the same job finds it and does not send it twice.
 * The marker lives where lp can write and cupsd keeps it: the cache
 * directory (kept across restarts), else CUPS's TMPDIR.  Only a stop
 * request during that wait writes one, so a deliberate reprint
 * (lp -H restart) of a finished job still sends.
 */
static void
sent_marker(const struct job *j, int fd, uint64_t size, char *buf,
    size_t len)
{
	const char	*dirs[] = { getenv("CUPS_CACHEDIR"), getenv("TMPDIR") };
	unsigned char	 md[SHA256_DIGEST_LENGTH], head[65536];
	char		 hex[17];
	ssize_t		 n;
	size_t		 i;

	buf[0] = '\0';
	if ((n = pread(fd, head, sizeof(head), 0)) < 0)
		return;
	SHA256(head, (size_t)n, md);
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	for (i = 0; i < 2; i++) {
		if (dirs[i] == NULL || dirs[i][0] != '/' ||
		    access(dirs[i], W_OK | X_OK) == -1 ||
		    strchr(j->printer, '/') != NULL)
			continue;
		snprintf(buf, len, "%s/printmail-sent.%s.%s.%llu.%s", dirs[i],
		    j->printer, j->id, (unsigned long long)size, hex);
		return;
	}
}

static void
sent_marker_write(const char *path)
{
	int	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);

	if (fd != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

/*
 * The account's connection slot and its place in the rate, taken as root:
 * the package keeps them in a directory only the senders' group (and
 * root) may use, so that no local user can hold them; lp, which the
 * backend becomes, is not in that group.  The slot is the open file: it
 * stays ours after the switch to lp.
 */
static int
provider_slot(struct job *j, struct err *e)
{
	return throttle_acquire(session_run_dir(), j->acct.name,
	    j->acct.max_connections, j->acct.max_per_minute, 1,
	    j->acct.timeout, &j->slot, e);
}

/* What the admin should do, after the ERROR: line with the reason. */
static void
remedy(const struct job *j, const struct err *e)
{
	const char *acct = j->acct.name ? j->acct.name : "default";
	char fb[ADVICE_MAX];
	const char *fix = advice_for_error(e, acct, 1, fb, sizeof(fb));

	if (fix != NULL)
		status_line("ERROR", _("Fix: %s"), fix);
	switch (e->kind) {
	case ERR_AUTH:
		if (e->smtp_code == 0 &&
		    (j->acct.oauth2_flow == CONF_FLOW_AUTHORIZATION_CODE ||
		    j->acct.oauth2_flow == CONF_FLOW_DEVICE_CODE)) {
			/* The token store said so: the sign-in, not a password. */
			status_line("ERROR", _("The mailbox's OAuth sign-in for "
			    "account [%s] needs the admin: run printmail "
			    "--authorize -a %s; resume the queue with: "
			    "cupsenable %s"), acct, acct, j->printer);
			break;
		}
		status_line("ERROR", _("The server refused account [%s]: check "
		    "user (the full address) and the App Password in %s, then "
		    "run: printmail --check -a %s; resume the queue with: "
		    "cupsenable %s"), acct, j->acct.path ? j->acct.path :
		    "the config file", acct, j->printer);
		break;
	case ERR_TLS:
		status_line("ERROR", _("TLS with the server failed; run: "
		    "printmail --check -a %s; resume the queue with: "
		    "cupsenable %s"), acct, j->printer);
		break;
	case ERR_CONFIG:
		status_line("ERROR", _("Fix the configuration, then resume "
		    "the queue with: cupsenable %s"), j->printer);
		break;
	case ERR_TEMP:
	case ERR_PROTOCOL:
	case ERR_INTERNAL:
		status_line("INFO", _("The job is kept and will be retried"));
		break;
	default:
		break;
	}
}

int
main(int argc, char **argv)
{
	struct job	 j;
	struct err	 e;
	struct sigaction sa;
	const char	*uri, *path;
	char		 marker[4096];
	uint64_t	 size = 0;
	int		 fd = -1, status;

	setbuf(stderr, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * cupsd sets LANG from the job's attributes-natural-language, else
	 * its own: the ERROR: and INFO: lines follow it.
	 */
	i18n_init();
	/* Before the config (the password) is read. */
	(void)util_no_core_dumps();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);

	if (argc == 1) {
		/* Discovery: shown as "Email (printmail)" in Add Printer. */
		printf("network email \"Unknown\" \"Email (printmail)\"\n");
		return OUTCOME_CUPS_OK;
	}
	if (argc < 6 || argc > 7) {
		status_line("ERROR", _("usage: %s job-id user title copies "
		    "options [file]"), argv[0]);
		return OUTCOME_CUPS_FAILED;
	}
	memset(&j, 0, sizeof(j));
	j.slot.fd = -1;
	header_init(&j.msg.hdr);
	err_clear(&e);
	log_set_handler(log_to_cups, NULL);
	j.id = argv[1];
	j.user = argv[2];
	j.title = argv[3];
	j.file = argc == 7 ? argv[6] : NULL;
	j.printer = getenv("PRINTER") ? getenv("PRINTER") : "email";

	uri = getenv("DEVICE_URI");
	if (uri == NULL)
		uri = argv[0];
	path = getenv("PRINTMAIL_CONFIG");
	if (path == NULL || *path == '\0')
		path = PM_SYSCONFDIR "/printmail.conf";

	/* The spool directory is root's: which document this is, now. */
	j.doc_n = job_document_number(j.file, &j.doc_count);
	/* As root only this far: the config (and the password file). */
	if (job_parse_uri(uri, &j.uri, &e) == 0 &&
	    job_parse_options(argv[5], &j.opts, &e) == 0 &&
	    conf_load(path, j.uri.account, &j.acct, &e) == 0 &&
	    provider_slot(&j, &e) == 0 &&
	    drop_privileges(&j.acct, &e) == 0 &&
	    prepare(&j, &e) == 0 &&
	    (fd = document(j.file, &size, &e)) != -1) {
		sent_marker(&j, fd, size, marker, sizeof(marker));
		if (marker[0] != '\0' && unlink(marker) == 0)
			status_line("INFO", _("The server accepted this job "
			    "before it was stopped; it is not sent again"));
		else if (send_job(&j, fd, size, &e) == 0 && gs_term &&
		    marker[0] != '\0')
			sent_marker_write(marker);
	}

	if (e.kind == ERR_NONE)
		status_line("STATE", "-" STATE_REASON);
	else {
		status_line("ERROR", "%s", err_text(&e));
		remedy(&j, &e);
		if (outcome_cups(e.kind) == OUTCOME_CUPS_STOP ||
		    e.kind == ERR_TEMP)
			status_line("STATE", "+" STATE_REASON);
	}
	status = outcome_cups(e.kind);
	if (fd != -1)
		close(fd);
	throttle_release(&j.slot);
	conf_account_clear(&j.acct);
	job_uri_clear(&j.uri);
	job_opts_clear(&j.opts);
	jobmsg_clear(&j.msg);
	return status;
}
