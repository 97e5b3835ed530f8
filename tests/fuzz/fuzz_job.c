/*
 * fuzz_job: the backend's device URI, options, templates, file names and
 * recipient policy.  The input is split at the first NUL byte: URI, then
 * the options string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct job_uri	 u;
	struct job_opts	 o;
	struct job_vars	 v = { "t", "u", "p", "1", "f.pdf", "2026-11-28" };
	struct addr_list l;
	struct err	 e;
	char		*buf = malloc(size + 2), *opts, *s;
	size_t		 i;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	opts = buf + strlen(buf) + (strlen(buf) < size ? 1 : 0);
	err_clear(&e);
	if (job_parse_uri(buf, &u, &e) == 0)
		job_uri_clear(&u);
	err_clear(&e);
	if (job_parse_options(opts, &o, &e) == 0) {
		for (i = 0; i < o.n; i++) {
			s = job_expand(o.v[i].value, &v);
			free(s);
		}
		(void)job_option(&o, "email-to");
		job_opts_clear(&o);
	}
	s = job_filename(opts, buf, "42");
	free(s);
	s = job_filename(NULL, buf, "42");
	free(s);
	s = job_expand(buf, &v);
	free(s);
	memset(&l, 0, sizeof(l));
	err_clear(&e);
	if (job_addresses(buf, &l, &e) == 0)
		for (i = 0; i < l.n; i++)
			(void)job_allowed(l.v[i], opts);
	/* All or nothing: after a failure the list must still be empty. */
	if (e.kind != ERR_NONE && l.n != 0)
		abort();
	addr_list_clear(&l);
	(void)job_allowed(buf, opts);
	free(buf);
	return 0;
}
