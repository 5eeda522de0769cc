/* Atomic output files: temporary file, fsync, rename.  See outfile.h.
 *
 * Every step that can fail is checked (the writer, ferror, fflush, fsync,
 * fclose, rename): a full disk must not leave a truncated summary.json under
 * its final name.  The directory is fsync'ed after the rename on a best-effort
 * basis (some file systems refuse fsync on directories); the file itself is
 * already durable by then. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/interrupt.h"

static int fail(char *err, size_t errlen, const char *path, int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *path, int code, const char *fmt, ...)
{
	if (err && errlen) {
		char what[160];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		snprintf(err, errlen, "%s: %s", path, what);
	}
	return code;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Write to the open temporary file; 0 or an errno with err filled. */
static int write_and_sync(int fd, rpt_writer_fn writer, const void *ctx, const char *path,
			  char *err, size_t errlen)
{
	if (fchmod(fd, 0644) != 0) {
		int e = errno;
		close(fd);
		return fail(err, errlen, path, e, "cannot set the file mode: %s", strerror(e));
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		return fail(err, errlen, path, e, "cannot open a stream: %s", strerror(e));
	}
	errno = 0;
	int rc = writer(ctx, f);
	int e = errno;
	if (rc != 0) {
		fclose(f);
		if (rc > 0)
			e = rc;
		return fail(err, errlen, path, e ? e : EIO, "writing failed: %s",
			    e ? strerror(e) : "the writer reported an error");
	}
	if (ferror(f) || fflush(f) != 0) {
		e = errno ? errno : EIO;
		fclose(f);
		return fail(err, errlen, path, e, "writing failed: %s", strerror(e));
	}
	if (fsync(fileno(f)) != 0) {
		e = errno;
		fclose(f);
		return fail(err, errlen, path, e, "fsync failed: %s", strerror(e));
	}
	if (fclose(f) != 0) {
		e = errno;
		return fail(err, errlen, path, e, "closing failed: %s", strerror(e));
	}
	return 0;
}

int rpt_write_file_atomic(const char *dir, const char *name, rpt_writer_fn writer,
			  const void *ctx, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!dir || !*dir)
		dir = ".";
	if (!name || !*name || strchr(name, '/') || !writer)
		return fail(err, errlen, name ? name : "(null)", EINVAL, "not a plain file name");

	size_t len = strlen(dir) + strlen(name) + 16;
	char *path = malloc(len), *tmp = malloc(len);
	if (!path || !tmp) {
		free(path);
		free(tmp);
		return fail(err, errlen, name, ENOMEM, "out of memory");
	}
	snprintf(path, len, "%s/%s", dir, name);
	snprintf(tmp, len, "%s/.%s.XXXXXX", dir, name);

	int rc = 0;
	/* Registered for a second Ctrl-C to remove from the instant it exists. */
	int fd = sim_interrupt_mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		rc = fail(err, errlen, path, e, "cannot create a temporary file: %s", strerror(e));
	} else {
		rc = write_and_sync(fd, writer, ctx, path, err, errlen);
		if (rc == 0 && rename(tmp, path) != 0) {
			int e = errno;
			rc = fail(err, errlen, path, e, "cannot rename the temporary file: %s",
				  strerror(e));
		}
		sim_interrupt_set_tmpfile(NULL);
		if (rc != 0)
			unlink(tmp);
		else
			sync_dir(dir);
	}
	free(path);
	free(tmp);
	return rc;
}
