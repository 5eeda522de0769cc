/* SIGINT/SIGTERM handling; see interrupt.h.
 *
 * The temporary file name lives in a static buffer guarded by a
 * sig_atomic_t: the writer clears `tmp_valid` before changing the buffer and
 * sets it after, so the handler never reads a half-copied name. */
#include "interrupt.h"

#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t sim_interrupt_signal;

static char tmp_path[4096];
static volatile sig_atomic_t tmp_valid;

static void on_signal(int sig)
{
	if (!sim_interrupt_signal) {
		sim_interrupt_signal = sig;
		static const char msg[] = "\ntiersim: interrupted, stopping at the next event "
					  "(again to abort)\n";
		ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
		(void)w;
		return;
	}
	if (tmp_valid)
		unlink(tmp_path);
	static const char msg[] = "tiersim: aborted\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(128 + sig);
}

int sim_interrupt_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return errno;
	return 0;
}

int sim_interrupt_exit_status(void)
{
	int sig = sim_interrupt_signal;
	return sig ? 128 + sig : 0;
}

void sim_interrupt_set_tmpfile(const char *path)
{
	tmp_valid = 0;
	if (!path || strlen(path) >= sizeof tmp_path)
		return;
	memcpy(tmp_path, path, strlen(path) + 1);
	tmp_valid = 1;
}

int sim_interrupt_mkstemp(char *template)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	/* The calling thread's mask: outputs are written once the replication
	 * threads have ended, so no other thread is there to take the signal
	 * meanwhile. */
	int rc = pthread_sigmask(SIG_BLOCK, &block, &old);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	int fd = mkstemp(template);
	int e = errno;
	if (fd >= 0)
		sim_interrupt_set_tmpfile(template);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return fd;
}

void sim_interrupt_reset(void)
{
	sim_interrupt_signal = 0;
}
