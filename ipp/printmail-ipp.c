/*
 * printmail-ipp: an IPP Everywhere printer application (PAPPL 1.3.1)
 * whose printers mail what they print.  Phones, Windows, macOS and
 * driverless CUPS print to it with no driver.
 *
 * Every account of the config with "ipp = yes" is a printer named after
 * its section (resource /ipp/print/SECTION), mailing to the account's
 * recipient, or to the printer's email-to-default, or to a job's
 * email-to when allow_recipients lets it.  PDF goes out as it came;
 * JPEG, PNG, PWG raster and Apple raster become one PDF per job
 * (rasterpdf.c; a JPEG goes in as it is, not decoded).  The message is built and sent by the same core as the
 * CUPS backend's (jobmsg.c, smtp.c, session.c); a temporary failure puts
 * it in printmail's queue, so the job completes only once the server took
 * the message or the queue holds it.
 *
 * Security: printing is open on the addresses the admin listens on.
 * Without an admin password the settings (Set-Printer-Attributes) are
 * taken from this machine only and there are no web pages; with one
 * (printmail-ipp set-password) the web pages exist and always ask for it,
 * a client elsewhere needs it for the settings, and TLS is on.  PAPPL
 * 1.3.1's own web password accepts any password (its check compares a
 * prefix of the stored hash with a string that begins with it), so it is
 * not used: our callback checks HTTP Basic credentials against a PBKDF2
 * hash kept outside PAPPL's state file.  No secret of the account ever
 * reaches the state file: it holds printer names and defaults only.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <pappl/pappl.h>

#include "advice.h"
#include "conf.h"
#include "err.h"
#include "i18n.h"
#include "job.h"
#include "jobmsg.h"
#include "log.h"
#include "outcome.h"
#include "queue.h"
#include "rasterpdf.h"
#include "reply.h"
#include "session.h"
#include "smtp.h"
#include "throttle.h"
#include "util.h"

#ifndef PM_SYSCONFDIR
#define PM_SYSCONFDIR "/etc"
#endif
#ifndef PM_STATE_DIR
#define PM_STATE_DIR "/var/lib/printmail"
#endif

#define APP		"printmail-ipp"
#define DRIVER		"printmail"
#define SCHEME		"printmail"
#define DEVICE_ID	"MFG:printmail;MDL:Email;CMD:PDF,PWGRaster,URF;"
/* The admin "group" PAPPL hands our callback for settings: no Unix group. */
#define ADMIN_GROUP	"none"
#define PBKDF2_ROUNDS	200000

static struct app {
	char	config[PATH_MAX];
	char	state[PATH_MAX];
	char	password_file[PATH_MAX];
	char	hash[256];		/* the admin password's, or "" */
	int	loopback;		/* listening on loopback only */
} app;

static pappl_pr_driver_t drivers[] = {
	{ DRIVER, "Email (printmail)", DEVICE_ID, NULL },
};

/* The config file, as the other programs find it. */
static const char *
config_path(void)
{
	const char *p = getenv("PRINTMAIL_CONFIG");

	return p != NULL && *p != '\0' ? p : PM_SYSCONFDIR "/printmail.conf";
}

/* Where state lives: the packaged service's, else the user's. */
static void
default_path(char *buf, size_t len, const char *file)
{
	const char	*home = getenv("HOME");
	struct passwd	*pw = getpwnam("printmail");

	if (geteuid() == 0 || (pw != NULL && pw->pw_uid == geteuid()))
		snprintf(buf, len, "%s/ipp/%s", PM_STATE_DIR, file);
	else
		snprintf(buf, len, "%s/.config/%s", home != NULL ? home :
		    "/tmp", file);
}

/*
 * The account of a printer: its device URI is printmail:///ACCOUNT, with
 * "?to=ADDRESS" for a printer made for one recipient.
 */
static const char *
account_of(const char *uri, char *buf, size_t len)
{
	if (uri == NULL || strncmp(uri, SCHEME ":///", sizeof(SCHEME) + 3) != 0)
		return "default";
	uri += sizeof(SCHEME) + 3;
	snprintf(buf, len, "%.*s", (int)strcspn(uri, "?"), uri);
	return buf[0] != '\0' ? buf : "default";
}

/*
 * The device: there is none.  PAPPL opens one before every job; what it
 * would send to a printer is the message, which the job sends itself.
 */
static bool
dev_open(pappl_device_t *device, const char *uri, const char *name)
{
	(void)device;
	(void)uri;
	(void)name;
	return true;
}

static void
dev_close(pappl_device_t *device)
{
	(void)device;
}

static ssize_t
dev_write(pappl_device_t *device, const void *buf, size_t len)
{
	(void)device;
	(void)buf;
	return (ssize_t)len;
}

static pappl_preason_t
dev_status(pappl_device_t *device)
{
	(void)device;
	return PAPPL_PREASON_NONE;
}

/* "Add Printer" lists one device per account of the config. */
static bool
dev_list(pappl_device_cb_t cb, void *data, pappl_deverror_cb_t err_cb,
    void *err_data)
{
	struct err	  e;
	char		**names, uri[300], info[300];
	size_t		  n, i;
	bool		  stop = false;

	err_clear(&e);
	if (conf_accounts(app.config, &names, &n, &e) == -1) {
		if (err_cb != NULL)
			err_cb(e.msg, err_data);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!stop) {
			snprintf(uri, sizeof(uri), SCHEME ":///%s", names[i]);
			snprintf(info, sizeof(info), "Email (%s)", names[i]);
			stop = cb(info, uri, DEVICE_ID, data);
		}
		free(names[i]);
	}
	free(names);
	return stop;
}

/* ---- the admin password ---- */

static void
hex(const unsigned char *in, size_t n, char *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* "pbkdf2-sha256$ROUNDS$SALT$HASH" for password with salt. */
static int
hash_password(const char *password, const char *salt_hex, char *out,
    size_t len)
{
	unsigned char	 salt[16], dk[32];
	char		 shex[33], dhex[65];
	size_t		 i;

	if (salt_hex == NULL) {
		if (RAND_bytes(salt, sizeof(salt)) != 1)
			return -1;
	} else {
		if (strlen(salt_hex) != 32)
			return -1;
		for (i = 0; i < 16; i++) {
			unsigned v;

			if (sscanf(salt_hex + 2 * i, "%2x", &v) != 1)
				return -1;
			salt[i] = (unsigned char)v;
		}
	}
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
	    sizeof(salt), PBKDF2_ROUNDS, EVP_sha256(), sizeof(dk), dk) != 1)
		return -1;
	hex(salt, sizeof(salt), shex);
	hex(dk, sizeof(dk), dhex);
	OPENSSL_cleanse(dk, sizeof(dk));
	snprintf(out, len, "pbkdf2-sha256$%d$%s$%s", PBKDF2_ROUNDS, shex, dhex);
	return 0;
}

static int
password_ok(const char *password)
{
	char	 salt[33], try[256];
	const char *p;
	int	 ok;

	if (app.hash[0] == '\0' ||
	    strncmp(app.hash, "pbkdf2-sha256$", 14) != 0 ||
	    (p = strchr(app.hash + 14, '$')) == NULL || strlen(p + 1) < 33)
		return 0;
	memcpy(salt, p + 1, 32);
	salt[32] = '\0';
	if (hash_password(password, salt, try, sizeof(try)) == -1)
		return 0;
	ok = strlen(try) == strlen(app.hash) &&
	    CRYPTO_memcmp(try, app.hash, strlen(try)) == 0;
	OPENSSL_cleanse(try, sizeof(try));
	return ok;
}

/*
 * PAPPL asks before every request once a callback is set (local domain
 * socket requests excepted).  Printing: yes.  Settings: an IPP request
 * from this machine, or the admin's password (HTTP Basic), which the web
 * pages always need.
 */
static http_status_t
authorize(pappl_client_t *client, const char *group, gid_t gid, void *data)
{
	const char	*h;
	char		 buf[512], *colon;
	int		 n, ok;
	http_t		*http = papplClientGetHTTP(client);

	(void)gid;
	(void)data;
	if (group == NULL || strcmp(group, ADMIN_GROUP) != 0)
		return HTTP_STATUS_CONTINUE;
	if (papplClientGetRequest(client) != NULL &&
	    httpAddrLocalhost(httpGetAddress(http)))
		return HTTP_STATUS_CONTINUE;
	h = httpGetField(http, HTTP_FIELD_AUTHORIZATION);
	if (h == NULL || strncmp(h, "Basic ", 6) != 0 ||
	    strlen(h + 6) > (sizeof(buf) - 1) / 4 * 3)
		return HTTP_STATUS_UNAUTHORIZED;
	n = EVP_DecodeBlock((unsigned char *)buf, (const unsigned char *)h + 6,
	    (int)strlen(h + 6));
	if (n <= 0)
		return HTTP_STATUS_UNAUTHORIZED;
	buf[n] = '\0';
	if ((colon = strchr(buf, ':')) == NULL) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return HTTP_STATUS_UNAUTHORIZED;
	}
	ok = password_ok(colon + 1);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok ? HTTP_STATUS_CONTINUE : HTTP_STATUS_UNAUTHORIZED;
}

/* Reads the admin's password hash; "" when there is none. */
static void
load_password(void)
{
	FILE	*fp;
	struct stat st;

	app.hash[0] = '\0';
	if ((fp = fopen(app.password_file, "r")) == NULL)
		return;
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 077) == 0 &&
	    fgets(app.hash, sizeof(app.hash), fp) != NULL)
		app.hash[strcspn(app.hash, "\r\n")] = '\0';
	else
		app.hash[0] = '\0';
	fclose(fp);
}

/*
 * PAPPL formats log lines with its own printf, which lacks some
 * conversions (%zu crashes 1.3.1): ours are formatted here, then passed
 * as one string.
 */
static void jlog(pappl_job_t *, pappl_loglevel_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void jmsg(pappl_job_t *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
jlog(pappl_job_t *job, pappl_loglevel_t level, const char *fmt, ...)
{
	char	buf[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	papplLogJob(job, level, "%s", util_clean(buf));
}

/* The job-state-message clients show. */
static void
jmsg(pappl_job_t *job, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	papplJobSetMessage(job, "%s", util_clean(buf));
}

/* ---- documents and delivery ---- */

/* The job's text attribute name, or NULL. */
static const char *
job_text(pappl_job_t *job, const char *name)
{
	ipp_attribute_t	*attr = papplJobGetAttribute(job, name);

	return attr != NULL ? ippGetString(attr, 0, NULL) : NULL;
}

/* The printer's email-to-default (Set-Printer-Attributes, web page). */
static char *
printer_to(pappl_printer_t *printer)
{
	ipp_t		*attrs = papplPrinterGetDriverAttributes(printer);
	ipp_attribute_t	*a;
	const char	*v;
	char		*s = NULL;

	if (attrs == NULL)
		return NULL;
	if ((a = ippFindAttribute(attrs, "email-to-default", IPP_TAG_ZERO)) !=
	    NULL && (v = ippGetString(a, 0, NULL)) != NULL && *v != '\0')
		s = strdup(v);
	ippDelete(attrs);
	return s;
}

/*
 * Not now: the whole message into printmail's queue, whose runner sends
 * it when the server is back.  0 once it is durable there.
 */
static int
enqueue(pappl_job_t *job, const struct conf_account *a,
    const struct addr_list *all, struct smtp_msg *m, char *id, size_t idlen,
    struct err *e)
{
	struct queue_env env;
	char		 path[PATH_MAX], buf[65536];
	size_t		 got;
	uint64_t	 total = 0;
	int		 fd, rc = -1;
	const char	*tmp = getenv("TMPDIR");

	snprintf(path, sizeof(path), "%s/printmail-ipp.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) == -1)
		return err_sys(e, ERR_TEMP, "cannot create %s", path);
	unlink(path);
	if (m->rewind != NULL && m->rewind(m->ctx, e) == -1)
		goto out;
	for (;;) {
		if (m->read(m->ctx, buf, sizeof(buf), &got, e) == -1)
			goto out;
		if (got == 0)
			break;
		if (util_write_all(fd, buf, got) == -1) {
			err_sys(e, ERR_TEMP, "writing the message for the "
			    "queue");
			goto out;
		}
		total += got;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		err_sys(e, ERR_TEMP, "seek");
		goto out;
	}
	memset(&env, 0, sizeof(env));
	env.uid = (long)getuid();
	util_strlcpy(env.user, papplJobGetUsername(job) != NULL &&
	    queue_value_ok(papplJobGetUsername(job), 60) ?
	    papplJobGetUsername(job) : "ipp", sizeof(env.user));
	env.account = a->name;
	env.sender = a->from;
	env.rcpt = *all;
	env.size = total;
	if (queue_commit(session_queue_dir(a), &env, fd, 0, e) == 0) {
		util_strlcpy(id, env.id, idlen);
		rc = 0;
	}
out:
	close(fd);
	return rc;
}

/*
 * The account is one with ipp = yes (a printer added over IPP may name
 * any section), and the printer's default recipient passes
 * allow_recipients, as a job's does: it is set over IPP (Set-Printer-Attributes is taken from any
 * process on this machine without a password, a web application's
 * included) or in the web page, not in the config, so it must not be a
 * way around the account's policy.  Only the config's "to" needs none.
 */
static int
default_allowed(const struct conf_account *a, const char *dflt,
    struct err *e)
{
	struct addr_list	l;
	size_t			i;
	int			rc = 0;

	/* Only the accounts the admin made printers print. */
	if (!a->ipp)
		return err_set(e, ERR_CONFIG, "account [%s] is no printer "
		    "account: set ipp = yes for it in %s", a->name, a->path);
	if (dflt == NULL)
		return 0;
	memset(&l, 0, sizeof(l));
	if (job_addresses(dflt, &l, e) == -1) {
		e->kind = ERR_USAGE;
		return -1;
	}
	for (i = 0; i < l.n && rc == 0; i++)
		if (!job_allowed(l.v[i], a->allow_recipients))
			rc = err_set(e, ERR_USAGE, "the printer's default "
			    "recipient %s is not allowed: it must match "
			    "allow_recipients of account [%s] in %s, as "
			    "per-job recipients do (set it there, or set the "
			    "printer's email-to-default back)", l.v[i],
			    a->name, a->path);
	addr_list_clear(&l);
	return rc;
}

/* Sends (or queues) size bytes of PDF from fd for job. */
static bool
deliver(pappl_job_t *job, int fd, uint64_t size)
{
	pappl_printer_t		*printer = papplJobGetPrinter(job);
	struct conf_account	 a;
	struct jobmsg		 jm;
	struct jobmsg_in	 in;
	struct job_opts		 opts;
	struct job_opt		 ov[2];
	struct addr_list	 all;
	struct mime_msg		*mm = NULL;
	struct smtp_msg		 m;
	struct smtp		*s = NULL;
	struct throttle_slot	 slot = { -1 };
	struct err		 e, qe;
	char			 idtext[32], helo[256], reply[512], qid[64];
	char			 fb[ADVICE_MAX], acct[256], *dflt;
	const char		*to, *docname, *fix;
	bool			 done = false;

	memset(&a, 0, sizeof(a));
	memset(&jm, 0, sizeof(jm));
	memset(&all, 0, sizeof(all));
	header_init(&jm.hdr);
	err_clear(&e);
	dflt = printer_to(printer);
	snprintf(idtext, sizeof(idtext), "%d", papplJobGetID(job));
	/* What the job brings: its recipient and its document's name. */
	opts.v = ov;
	opts.n = 0;
	if ((to = job_text(job, "email-to")) != NULL && *to != '\0') {
		ov[opts.n].name = (char *)"email-to";
		ov[opts.n++].value = (char *)to;
	}
	if ((docname = job_text(job, "document-name")) != NULL &&
	    *docname != '\0') {
		ov[opts.n].name = (char *)"document-name-supplied";
		ov[opts.n++].value = (char *)docname;
	}
	memset(&in, 0, sizeof(in));
	in.id = idtext;
	in.user = papplJobGetUsername(job) ? papplJobGetUsername(job) : "";
	in.title = papplJobGetName(job) ? papplJobGetName(job) : "";
	in.printer = papplPrinterGetName(printer);
	in.doc_n = in.doc_count = 1;
	in.opts = &opts;
	in.printer_to = dflt;
	if (conf_load(app.config, account_of(papplPrinterGetDeviceURI(printer),
	    acct, sizeof(acct)), &a, &e) == -1 ||
	    default_allowed(&a, dflt, &e) == -1 ||
	    jobmsg_prepare(&jm, &a, &in, &e) == -1 ||
	    jobmsg_envelope(&jm, &all, &e) == -1 ||
	    jobmsg_mime(&jm, fd, size, NULL, NULL, &mm, &m, &e) == -1)
		goto out;
	if (throttle_acquire(session_run_dir(), a.name, a.max_connections,
	    a.max_per_minute, 1, a.timeout, &slot, &e) == -1)
		goto out;
	jmsg(job, "Sending %s to %s", jm.filename, all.v[0]);
	session_helo(&a, helo, sizeof(helo));
	if ((s = session_open(&a, helo, session_cache_dir(), &e)) == NULL ||
	    smtp_send(s, a.from, (const char *const *)all.v, all.n, &m,
	    &e) == -1)
		goto out;
	reply_format(smtp_last_reply(s), reply, sizeof(reply));
	jmsg(job, "Sent %s to %s: %s", jm.filename, all.v[0],
	    reply);
	jlog(job, PAPPL_LOGLEVEL_INFO, "account=%s sent %s to %zu "
	    "recipient(s): %s", a.name, jm.filename, all.n, reply);
	done = true;
out:
	if (!done && e.kind != ERR_NONE) {
		fix = advice_for_error(&e, a.name, 0, fb, sizeof(fb));
		jlog(job, PAPPL_LOGLEVEL_ERROR, "account=%s result=%s "
		    "reply=\"%s\"%s%s%s", a.name ? a.name : "?",
		    err_kind_name(e.kind), e.msg, fix ? " fix=\"" : "",
		    fix ? fix : "", fix ? "\"" : "");
		/*
		 * The account or the server, not this document: into the
		 * queue, as printmail defers what it cannot send now.
		 */
		err_clear(&qe);
		if (mm != NULL && all.n > 0 && a.name != NULL &&
		    outcome_sysexit_send(e.kind, a.soft_bounce) == 75 &&
		    enqueue(job, &a, &all, &m, qid, sizeof(qid), &qe) == 0) {
			jmsg(job, "Queued as %s (the server did "
			    "not take it now: %s); printmail sends it when it "
			    "can", qid, e.msg);
			jlog(job, PAPPL_LOGLEVEL_INFO, "account=%s "
			    "queued id=%s: %s", a.name, qid, e.msg);
			done = true;
		} else if (qe.kind != ERR_NONE) {
			jmsg(job, "Not sent (%s) and not queued "
			    "(%s)", e.msg, qe.msg);
		} else
			jmsg(job, "%s%s%s", e.msg, fix ?
			    "; fix: " : "", fix ? fix : "");
	}
	throttle_release(&slot);
	smtp_free(s);
	mime_free(mm);
	addr_list_clear(&all);
	jobmsg_clear(&jm);
	conf_account_clear(&a);
	free(dflt);
	return done;
}

/*
 * Sends the PDF at path: the spooled document, or the one made for the
 * job (which PAPPL opened write-only, so it is read through a new
 * descriptor).
 */
static bool
deliver_path(pappl_job_t *job, const char *path)
{
	struct stat	st;
	int		fd;
	bool		ok;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		jmsg(job, "Cannot read the PDF: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return false;
	}
	ok = deliver(job, fd, (uint64_t)st.st_size);
	close(fd);
	return ok;
}

/* PDF: attached as it came. */
static bool
print_file(pappl_job_t *job, pappl_pr_options_t *options,
    pappl_device_t *device)
{
	(void)options;
	(void)device;
	return deliver_path(job, papplJobGetFilename(job));
}

/* Raster (PWG, Apple, and JPEG/PNG through PAPPL's filters): a PDF. */
struct rjob {
	int		 fd;
	char		 path[PATH_MAX];
	struct rpdf	*pdf;
	struct err	 e;
};

static bool
r_startjob(pappl_job_t *job, pappl_pr_options_t *options,
    pappl_device_t *device)
{
	struct rjob	*r;

	(void)options;
	(void)device;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return false;
	err_clear(&r->e);
	if ((r->fd = papplJobOpenFile(job, r->path, sizeof(r->path), NULL,
	    "pdf", "w")) == -1 || (r->pdf = rpdf_open(r->fd, &r->e)) == NULL) {
		jmsg(job, "Cannot start the PDF: %s",
		    r->e.kind ? r->e.msg : strerror(errno));
		if (r->fd != -1) {
			close(r->fd);
			unlink(r->path);
		}
		free(r);
		return false;
	}
	papplJobSetData(job, r);
	return true;
}

static bool
r_startpage(pappl_job_t *job, pappl_pr_options_t *options,
    pappl_device_t *device, unsigned page)
{
	struct rjob	*r = papplJobGetData(job);
	const cups_page_header2_t *h = &options->header;
	unsigned	 ncomp = h->cupsNumColors;

	(void)device;
	(void)page;
	if (r == NULL)
		return false;
	if (h->cupsBitsPerColor != 8 || (ncomp != 1 && ncomp != 3) ||
	    h->cupsBytesPerLine < h->cupsWidth * ncomp) {
		err_set(&r->e, ERR_DATA, "raster with %u bits per colour and "
		    "%u colours: only 8-bit gray and RGB are taken",
		    h->cupsBitsPerColor, ncomp);
		jmsg(job, "%s", r->e.msg);
		return false;
	}
	if (rpdf_page_begin(r->pdf, h->cupsWidth, h->cupsHeight, ncomp,
	    h->HWResolution[0], h->HWResolution[1], &r->e) == -1) {
		jmsg(job, "%s", r->e.msg);
		return false;
	}
	return true;
}

static bool
r_writeline(pappl_job_t *job, pappl_pr_options_t *options,
    pappl_device_t *device, unsigned y, const unsigned char *line)
{
	struct rjob	*r = papplJobGetData(job);

	(void)options;
	(void)device;
	(void)y;
	return r != NULL && rpdf_page_line(r->pdf, line, &r->e) == 0;
}

static bool
r_endpage(pappl_job_t *job, pappl_pr_options_t *options,
    pappl_device_t *device, unsigned page)
{
	struct rjob	*r = papplJobGetData(job);

	(void)options;
	(void)device;
	(void)page;
	if (r == NULL || rpdf_page_end(r->pdf, &r->e) == -1)
		return false;
	papplJobSetImpressionsCompleted(job, 1);
	return true;
}

static bool
r_endjob(pappl_job_t *job, pappl_pr_options_t *options,
    pappl_device_t *device)
{
	struct rjob	*r = papplJobGetData(job);
	bool		 ok = false;

	(void)options;
	(void)device;
	if (r == NULL)
		return false;
	papplJobSetData(job, NULL);
	if (rpdf_close(r->pdf, &r->e) == 0 && close(r->fd) == 0) {
		r->fd = -1;
		ok = deliver_path(job, r->path);
	} else
		jmsg(job, "Cannot finish the PDF: %s",
		    r->e.kind ? r->e.msg : strerror(errno));
	rpdf_free(r->pdf);
	if (r->fd != -1)
		close(r->fd);
	unlink(r->path);
	free(r);
	return ok;
}

/*
 * JPEG (scans, photos): into the PDF as it is, on a page of the job's
 * media (A4 unless the job says), scaled to fit and centred.  Not
 * decoded: neither the mail nor the server's memory grows with its
 * pixels, as they would through PAPPL's JPEG filter and the raster path.
 */
static bool
jpeg_filter(pappl_job_t *job, pappl_device_t *device, void *data)
{
	pappl_pr_options_t	*o;
	struct jpeg_info	 ji;
	struct rpdf		*p = NULL;
	struct stat		 st;
	struct err		 e;
	char			 out[PATH_MAX];
	double			 pw = 595.276, ph = 841.89;	/* A4 */
	int			 jfd, ofd = -1;
	bool			 ok = false;

	(void)device;
	(void)data;
	err_clear(&e);
	if ((o = papplJobCreatePrintOptions(job, 1, true)) != NULL) {
		if (o->media.size_width > 0 && o->media.size_length > 0) {
			pw = o->media.size_width * 72.0 / 2540.0;
			ph = o->media.size_length * 72.0 / 2540.0;
		}
		papplJobDeletePrintOptions(o);
	}
	if ((jfd = open(papplJobGetFilename(job), O_RDONLY | O_CLOEXEC)) ==
	    -1 || fstat(jfd, &st) == -1) {
		jmsg(job, "Cannot read the document: %s", strerror(errno));
		goto out;
	}
	papplJobSetImpressions(job, 1);
	if (jpeg_info(jfd, &ji, &e) == -1 ||
	    (ofd = papplJobOpenFile(job, out, sizeof(out), NULL, "pdf",
	    "w")) == -1 || (p = rpdf_open(ofd, &e)) == NULL ||
	    rpdf_jpeg_page(p, jfd, (uint64_t)st.st_size, &ji, pw, ph,
	    &e) == -1 || rpdf_close(p, &e) == -1) {
		jmsg(job, "Cannot make the PDF: %s", e.kind ? e.msg :
		    strerror(errno));
		goto out;
	}
	if ((ok = deliver_path(job, out)))
		papplJobSetImpressionsCompleted(job, 1);
out:
	rpdf_free(p);
	if (ofd != -1) {
		close(ofd);
		unlink(out);
	}
	if (jfd != -1)
		close(jfd);
	return ok;
}

/* ---- the printer ---- */

/* Identify-Printer: a printer that mails can only say so in its log. */
static void
identify(pappl_printer_t *printer, pappl_identify_actions_t actions,
    const char *message)
{
	(void)actions;
	papplLogPrinter(printer, PAPPL_LOGLEVEL_INFO, "Identify-Printer: %s",
	    message != NULL ? message : "(no message)");
}

static bool
driver_cb(pappl_system_t *system, const char *driver_name,
    const char *device_uri, const char *device_id,
    pappl_pr_driver_data_t *d, ipp_t **attrs, void *data)
{
	static const char *const media[] = {
		"iso_a4_210x297mm", "na_letter_8.5x11in",
		"na_legal_8.5x14in", "iso_a5_148x210mm", "iso_a3_297x420mm",
		"jis_b5_182x257mm",
	};
	size_t	i;

	(void)system;
	(void)device_uri;
	(void)device_id;
	(void)data;
	if (strcmp(driver_name, DRIVER) != 0)
		return false;
	d->printfile_cb = print_file;
	d->identify_cb = identify;
	d->identify_default = PAPPL_IDENTIFY_ACTIONS_DISPLAY;
	d->identify_supported = PAPPL_IDENTIFY_ACTIONS_DISPLAY;
	d->rstartjob_cb = r_startjob;
	d->rstartpage_cb = r_startpage;
	d->rwriteline_cb = r_writeline;
	d->rendpage_cb = r_endpage;
	d->rendjob_cb = r_endjob;
	d->format = "application/pdf";
	util_strlcpy(d->make_and_model, "printmail Email Printer",
	    sizeof(d->make_and_model));
	d->ppm = 60;
	d->ppm_color = 60;
	d->kind = PAPPL_KIND_DOCUMENT | PAPPL_KIND_PHOTO;
	d->orient_default = IPP_ORIENT_PORTRAIT;
	d->color_supported = PAPPL_COLOR_MODE_AUTO | PAPPL_COLOR_MODE_COLOR |
	    PAPPL_COLOR_MODE_MONOCHROME;
	d->color_default = PAPPL_COLOR_MODE_AUTO;
	d->content_default = PAPPL_CONTENT_AUTO;
	d->quality_default = IPP_QUALITY_NORMAL;
	d->scaling_default = PAPPL_SCALING_AUTO;
	d->raster_types = PAPPL_PWG_RASTER_TYPE_SGRAY_8 |
	    PAPPL_PWG_RASTER_TYPE_SRGB_8;
	d->duplex = PAPPL_DUPLEX_NONE;
	d->sides_supported = PAPPL_SIDES_ONE_SIDED;
	d->sides_default = PAPPL_SIDES_ONE_SIDED;
	d->num_resolution = 2;
	d->x_resolution[0] = d->y_resolution[0] = 150;
	d->x_resolution[1] = d->y_resolution[1] = 300;
	d->x_default = d->y_default = 300;
	d->borderless = true;
	d->left_right = 0;
	d->bottom_top = 0;
	d->num_media = (int)(sizeof(media) / sizeof(media[0]));
	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		d->media[i] = media[i];
	d->num_source = 1;
	d->source[0] = "auto";
	util_strlcpy(d->media_default.size_name, "iso_a4_210x297mm",
	    sizeof(d->media_default.size_name));
	d->media_default.size_width = 21000;
	d->media_default.size_length = 29700;
	util_strlcpy(d->media_default.source, "auto",
	    sizeof(d->media_default.source));
	util_strlcpy(d->media_default.type, "stationery",
	    sizeof(d->media_default.type));
	d->media_ready[0] = d->media_default;
	d->num_type = 1;
	d->type[0] = "stationery";
	d->num_vendor = 1;
	d->vendor[0] = "email-to";
	/* What ipp-everywhere.test also asks for. */
	*attrs = ippNew();
	ippAddBoolean(*attrs, IPP_TAG_PRINTER, "preferred-attributes-supported",
	    0);
	ippAddString(*attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD,
	    "print-rendering-intent-default", NULL, "auto");
	ippAddString(*attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD,
	    "print-rendering-intent-supported", NULL, "auto");
	ippAddString(*attrs, IPP_TAG_PRINTER, IPP_TAG_KEYWORD,
	    "pwg-raster-document-sheet-back", NULL, "normal");
	return true;
}

/*
 * A printer added for one recipient (printmail-ipp add -v
 * "printmail:///ACCOUNT?to=ADDRESS"): that address, one plain address
 * only, becomes its email-to-default.
 */
static void
set_default_to(pappl_printer_t *printer)
{
	const char		*uri = papplPrinterGetDeviceURI(printer), *q;
	char			 to[320];
	struct addr_list	 l;
	struct err		 e;
	pappl_pr_driver_data_t	 data;
	cups_option_t		 opt;

	if (uri == NULL || (q = strstr(uri, "?to=")) == NULL)
		return;
	util_strlcpy(to, q + 4, sizeof(to));
	memset(&l, 0, sizeof(l));
	err_clear(&e);
	if (job_addresses(to, &l, &e) == -1 || l.n != 1) {
		papplLogPrinter(printer, PAPPL_LOGLEVEL_ERROR, "%s: not one "
		    "address: %s", uri, e.kind ? e.msg : "more than one");
		addr_list_clear(&l);
		return;
	}
	opt.name = (char *)"email-to";	/* stored as email-to-default */
	opt.value = l.v[0];
	papplPrinterGetDriverData(printer, &data);
	papplPrinterSetDriverDefaults(printer, &data, 1, &opt);
	addr_list_clear(&l);
}

/* A new printer: no paper to run out of; few completed jobs kept. */
static void
create_cb(pappl_printer_t *printer, void *data)
{
	pappl_supply_t	supply;

	(void)data;
	memset(&supply, 0, sizeof(supply));
	util_strlcpy(supply.description, "Mailbox", sizeof(supply.description));
	supply.color = PAPPL_SUPPLY_COLOR_NO_COLOR;
	supply.is_consumed = false;
	supply.level = 100;
	supply.type = PAPPL_SUPPLY_TYPE_OTHER;
	papplPrinterSetSupplies(printer, 1, &supply);
	/* Job names and users are kept for this many: not forever. */
	papplPrinterSetMaxCompletedJobs(printer, 20);
	/* printmail:///ACCOUNT?to=ADDRESS: the printer's own recipient. */
	set_default_to(printer);
}

/* Every account with ipp = yes is a printer; names as the config says. */
static void
add_printers(pappl_system_t *system)
{
	struct conf_account	  a;
	struct err		  e;
	char			**names, uri[300];
	size_t			  n, i;
	pappl_printer_t		 *p;

	err_clear(&e);
	if (conf_accounts(app.config, &names, &n, &e) == -1) {
		papplLog(system, PAPPL_LOGLEVEL_ERROR, "%s", e.msg);
		return;
	}
	for (i = 0; i < n; i++) {
		err_clear(&e);
		if (conf_load(app.config, names[i], &a, &e) == -1) {
			papplLog(system, PAPPL_LOGLEVEL_ERROR, "%s", e.msg);
			free(names[i]);
			continue;
		}
		snprintf(uri, sizeof(uri), SCHEME ":///%s", a.name);
		p = papplSystemFindPrinter(system, NULL, 0, uri);
		if (a.ipp && p == NULL) {
			p = papplPrinterCreate(system, 0, a.name, DRIVER,
			    DEVICE_ID, uri);
			if (p == NULL)
				papplLog(system, PAPPL_LOGLEVEL_ERROR, "cannot "
				    "make the printer of account [%s]", a.name);
		}
		if (p != NULL) {
			/* Loopback: PAPPL 1.3.1 would advertise on the LAN. */
			papplPrinterSetDNSSDName(p, app.loopback ? NULL :
			    a.ipp_name ? a.ipp_name : a.name);
			if (a.ipp_name != NULL)
				papplPrinterSetLocation(p, a.ipp_name);
		}
		conf_account_clear(&a);
		free(names[i]);
	}
	free(names);
}

/*
 * PAPPL's state file with nothing of ours but names and defaults; its
 * "Password" line (PAPPL's own web password, unused) never written.
 */
static bool
save_state(pappl_system_t *system, void *data)
{
	(void)data;
	return papplSystemSaveState(system, app.state);
}

static pappl_system_t *
system_cb(int num_options, cups_option_t *options, void *data)
{
	pappl_system_t	*system;
	pappl_soptions_t soptions = PAPPL_SOPTIONS_MULTI_QUEUE |
	    PAPPL_SOPTIONS_NO_TLS;
#define OPT(name)	cupsGetOption((name), num_options, options)
	const char	*listen = OPT("listen-hostname");
	const char	*port = OPT("server-port");
	const char	*spool = OPT("spool-directory");
	const char	*logfile = OPT("log-file");
	const char	*state = OPT("state-file");
	const char	*level = OPT("log-level");
	const char	*pwfile = OPT("admin-password-file");
	const char	*hostname = OPT("server-hostname");
	const char	*tls = OPT("tls");
#undef OPT
	char		 spooldef[PATH_MAX], *end;
	long		 portnum = 8632;
	pappl_loglevel_t loglevel = PAPPL_LOGLEVEL_INFO;

	(void)data;
	if (listen == NULL || *listen == '\0')
		listen = "localhost";
	app.loopback = strcmp(listen, "localhost") == 0 ||
	    strncmp(listen, "127.", 4) == 0 || strcmp(listen, "::1") == 0;
	if (state != NULL && *state != '\0')
		util_strlcpy(app.state, state, sizeof(app.state));
	else
		default_path(app.state, sizeof(app.state),
		    "printmail-ipp.state");
	if (pwfile != NULL && *pwfile != '\0')
		util_strlcpy(app.password_file, pwfile,
		    sizeof(app.password_file));
	else
		default_path(app.password_file, sizeof(app.password_file),
		    "printmail-ipp.password");
	if (spool == NULL || *spool == '\0') {
		struct passwd *pw = getpwnam("printmail");

		if (geteuid() == 0 || (pw != NULL && pw->pw_uid == geteuid()))
			util_strlcpy(spooldef, "/var/spool/printmail-ipp",
			    sizeof(spooldef));
		else
			default_path(spooldef, sizeof(spooldef),
			    "printmail-ipp.d");
		spool = spooldef;
	}
	if (level != NULL && strcmp(level, "debug") == 0)
		loglevel = PAPPL_LOGLEVEL_DEBUG;
	else if (level != NULL && strcmp(level, "warn") == 0)
		loglevel = PAPPL_LOGLEVEL_WARN;
	else if (level != NULL && strcmp(level, "error") == 0)
		loglevel = PAPPL_LOGLEVEL_ERROR;
	/* TLS on request: with it a remote admin can log in (Basic). */
	if (tls != NULL && strcmp(tls, "yes") == 0)
		soptions &= ~(pappl_soptions_t)PAPPL_SOPTIONS_NO_TLS;
	/*
	 * A password: the web pages, our check of it, and TLS, which PAPPL
	 * then wants from every client not on this machine (printing too:
	 * clients upgrade or use ipps).  None: no web pages, no remote
	 * settings at all, printing open on the listen addresses.
	 */
	load_password();
	if (app.hash[0] != '\0')
		soptions = (soptions | PAPPL_SOPTIONS_WEB_INTERFACE) &
		    ~(pappl_soptions_t)PAPPL_SOPTIONS_NO_TLS;
	if (port != NULL && *port != '\0') {
		errno = 0;
		portnum = strtol(port, &end, 10);
		if (errno != 0 || *end != '\0' || portnum < 1 ||
		    portnum > 65535) {
			fprintf(stderr, "%s: server-port=%s is not a port "
			    "(1-65535)\n", APP, port);
			return NULL;
		}
	}
	system = papplSystemCreate(soptions, APP, (int)portnum,
	    "_print,_universal", spool, logfile != NULL ? logfile : "syslog",
	    loglevel, NULL, false);
	if (system == NULL)
		return NULL;
	if (!papplSystemAddListeners(system, listen)) {
		papplSystemDelete(system);
		return NULL;
	}
	papplSystemSetHostName(system, hostname != NULL && *hostname != '\0' ?
	    hostname : app.loopback ? "localhost" : NULL);
	if (app.hash[0] != '\0') {
		papplSystemSetAdminGroup(system, ADMIN_GROUP);
		papplSystemSetAuthCallback(system, "Basic", authorize, NULL);
	}
	papplSystemSetPrinterDrivers(system, 1, drivers, NULL, create_cb,
	    driver_cb, NULL);
	papplSystemSetMaxImageSize(system, 64 << 20, 8192, 8192);
	/* Found before PAPPL's own JPEG filter (to raster). */
	papplSystemAddMIMEFilter(system, "image/jpeg", "application/pdf",
	    jpeg_filter, NULL);
	papplSystemSetFooterHTML(system, "printmail");
	papplSystemLoadState(system, app.state);
	/* The config wins over the state: a password never comes from it. */
	papplSystemSetPassword(system, "");
	if (app.loopback)
		papplSystemSetDNSSDName(system, NULL);
	add_printers(system);
	papplSystemSetSaveCallback(system, save_state, NULL);
	return system;
}

/* printmail-ipp set-password: the admin's password, from standard input. */
static int
subcmd(const char *base, int num_options, cups_option_t *options,
    int num_files, char **files, void *data)
{
	const char	*pwfile = cupsGetOption("admin-password-file",
	    num_options, options);
	char		 pw[512], out[256], path[PATH_MAX], tmp[PATH_MAX + 8];
	size_t		 n;
	int		 fd;

	(void)base;
	(void)num_files;
	(void)files;
	(void)data;
	if (pwfile != NULL && *pwfile != '\0')
		util_strlcpy(path, pwfile, sizeof(path));
	else
		default_path(path, sizeof(path), "printmail-ipp.password");
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "%s: no password on standard input\n", APP);
		return 1;
	}
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n < 8) {
		util_wipe(pw, sizeof(pw));
		fprintf(stderr, "%s: the password needs 8 characters or "
		    "more\n", APP);
		return 1;
	}
	if (hash_password(pw, NULL, out, sizeof(out)) == -1) {
		util_wipe(pw, sizeof(pw));
		fprintf(stderr, "%s: cannot hash the password\n", APP);
		return 1;
	}
	util_wipe(pw, sizeof(pw));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || util_write_all(fd, out, strlen(out)) == -1 ||
	    util_write_all(fd, "\n", 1) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1) {
		fprintf(stderr, "%s: cannot write %s: %s\n", APP, path,
		    strerror(errno));
		return 1;
	}
	printf("The web settings need this password from now on (%s); "
	    "restart %s.\n", path, APP);
	return 0;
}

static void
usage(void *data)
{
	(void)data;
	printf("Printers that mail what they print, one per account with "
	    "ipp = yes in %s.\n\n", config_path());
	printf("  %s server -o listen-hostname=ADDR -o server-port=PORT "
	    "[-o spool-directory=DIR -o log-file=FILE -o state-file=FILE "
	    "-o admin-password-file=FILE -o server-hostname=NAME -o tls=yes]\n",
	    APP);
	printf("  %s set-password [-o admin-password-file=FILE]   (from "
	    "standard input)\n", APP);
}

int
main(int argc, char *argv[])
{
	i18n_init();
	util_strlcpy(app.config, config_path(), sizeof(app.config));
	papplDeviceAddScheme(SCHEME, PAPPL_DEVTYPE_CUSTOM_LOCAL, dev_list,
	    dev_open, dev_close, NULL, dev_write, dev_status, NULL);
	return papplMainloop(argc, argv, PM_VERSION, NULL,
	    (int)(sizeof(drivers) / sizeof(drivers[0])), drivers, NULL,
	    driver_cb, "set-password", subcmd, system_cb, usage, NULL);
}
