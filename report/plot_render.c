/* Rendering a figure: gnuplot run on its script, from the plots folder.
 *
 * gnuplot is a run-time dependency only, looked up in PATH like a shell
 * would (so a test can hide it with PATH).  It draws into temporary names
 * (the script's `outbase`, set with -e) that are renamed into place once it
 * succeeded: a reader sees the old figure or the new one, never a partial
 * PNG.  What gnuplot prints is kept for the caller, who decides whether a
 * warning matters; a failure removes the temporary files. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool rpt_plot_find_gnuplot(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		int w = snprintf(buf, len, "%.*s%sgnuplot", (int)n, n ? path : ".", n ? "/" : "");
		if (w > 0 && (size_t)w < len && access(buf, X_OK) == 0) {
			struct stat st;
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
				return true;
		}
		if (!colon)
			break;
		path = colon + 1;
	}
	return false;
}

/* Everything the child wrote, up to msglen - 1 bytes (the rest is read and dropped). */
static void collect(int fd, char *msg, size_t msglen)
{
	size_t used = 0;
	char buf[1024];
	ssize_t got;
	while ((got = read(fd, buf, sizeof buf)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		size_t take = (size_t)got;
		if (used + take > msglen - 1)
			take = msglen - 1 - used;
		memcpy(msg + used, buf, take);
		used += take;
	}
	msg[used] = '\0';
}

static int run_gnuplot(const char *gnuplot, const char *dir, const char *script,
		       const char *outbase_expr, char *msg, size_t msglen)
{
	int fds[2];
	if (pipe(fds) != 0) {
		snprintf(msg, msglen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(msg, msglen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		if (chdir(dir) != 0) {
			dprintf(STDERR_FILENO, "cannot enter %s: %s\n", dir, strerror(errno));
			_exit(126);
		}
		execl(gnuplot, "gnuplot", "-e", outbase_expr, script, (char *)NULL);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", gnuplot, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	collect(fds[0], msg, msglen);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, msglen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!msg[0])
		snprintf(msg, msglen, "gnuplot %s %d", WIFEXITED(status) ? "exited with" : "died of signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -1;
}

int rpt_plot_render(const char *gnuplot, const char *plots_dir, const char *name, char *msg,
		    size_t msglen)
{
	static const char *const ext[] = {"png", "svg"};
	char script[256], tmpbase[256], expr[320], from[4096], to[4096];
	msg[0] = '\0';
	snprintf(script, sizeof script, "%s.gp", name);
	snprintf(tmpbase, sizeof tmpbase, ".%s.tmp%ld", name, (long)getpid());
	snprintf(expr, sizeof expr, "outbase=\"%s\"", tmpbase);
	int rc = run_gnuplot(gnuplot, plots_dir, script, expr, msg, msglen);
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		struct stat st;
		snprintf(from, sizeof from, "%s/%s.%s", plots_dir, tmpbase, ext[i]);
		snprintf(to, sizeof to, "%s/%s.%s", plots_dir, name, ext[i]);
		if (!rc && (stat(from, &st) != 0 || st.st_size == 0)) {
			snprintf(msg, msglen, "gnuplot drew no %s.%s", name, ext[i]);
			rc = -1;
		}
		if (!rc && rename(from, to) != 0) {
			snprintf(msg, msglen, "%s: %s", to, strerror(errno));
			rc = -1;
		}
	}
	if (rc)
		for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
			snprintf(from, sizeof from, "%s/%s.%s", plots_dir, tmpbase, ext[i]);
			unlink(from);
		}
	return rc;
}
