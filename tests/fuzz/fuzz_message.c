/*
 * fuzz_message: printmail's input: spooling (header, body, lone dot),
 * -t recipient extraction, Bcc removal, From rewriting, added fields,
 * reading the result back, and the address functions on raw values.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "header.h"
#include "rewrite.h"
#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_account	 a;
	struct addr_list	 l;
	struct spool		 sp;
	struct smtp_msg		 m;
	struct err		 e;
	char			 buf[4096], *v, *addr, *disp, *s;
	char			*args[] = { "extra@x.test" };
	size_t			 got;
	int			 fd;

	memset(&a, 0, sizeof(a));
	a.name = "default";
	a.from = "hoadon@congty.com";
	a.from_name = "Ph\xc3\xb2ng K\xe1\xba\xbf to\xc3\xa1n";
	a.rewrite_from = 1;
	a.qualify_domain = "server.congty.com";
	if ((fd = memfd_create("fuzz", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	memset(&l, 0, sizeof(l));
	spool_init(&sp);
	err_clear(&e);
	if (spool_read(&sp, fd, size > 0 && (data[0] & 1), "/tmp", &e) == 0 &&
	    rewrite_recipients(&sp, args, 1, 1, &l, &e) == 0 &&
	    rewrite_from(&sp, &a, "scanner@printer.local", NULL, &e) == 0 &&
	    rewrite_add_missing(&sp, &a, &e) == 0 &&
	    spool_msg(&sp, &m, &e) == 0)
		while (m.read(m.ctx, buf, sizeof(buf), &got, &e) == 0 && got > 0)
			;
	addr_list_clear(&l);
	spool_clear(&sp);
	close(fd);

	/* The raw input as one header value. */
	if ((v = malloc(size + 1)) == NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0';
	err_clear(&e);
	if (header_addresses(v, &l, &e) == 0)
		addr_list_clear(&l);
	err_clear(&e);
	if (header_mailbox(v, &addr, &disp, &e) == 0) {
		free(addr);
		free(disp);
	}
	free(header_phrase(v));
	free(header_decode(v));
	free(header_text(v));
	if ((s = header_address(v, "a@b.c")) != NULL)
		free(s);
	free(v);
	return 0;
}
