/*
 * hw-workload: the guest's user-space workload (runs inside the test guest).
 *
 * Starts a fixed set of processes whose memory the tests know how to
 * recognise, waits until each has touched its memory, then creates READY_FILE
 * and stays alive as their idle parent. Every process names itself (comm) so
 * the truth and the tests can find it:
 *
 *   hw-workload  this launcher, idle after setup
 *   hw-alloc     64 MiB private anonymous memory, every page written
 *   hw-shm-a     4 MiB MAP_SHARED anonymous mapping, written ...
 *   hw-shm-b     ... and the same mapping read by its forked child
 *   hw-cow-par   8 MiB private memory written before fork ...
 *   hw-cow-chi   ... its child: shares those pages copy-on-write, except the
 *                first 1 MiB which it rewrites (so those become its own)
 *   hw-threads   4 pthreads (comm hw-thr-0..3), each writing 1 MiB
 *   hw-user      runs as uid/gid 1000, writes 2 MiB
 *
 * Static, no arguments except READY_FILE; built for x86_64 and arm64.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

static int ready_fd = -1; /* write end of the launcher's readiness pipe */

static void die(const char *what)
{
	fprintf(stderr, "hw-workload: %s: %s\n", what, strerror(errno));
	_exit(1);
}

static void set_name(const char *name)
{
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* Write a pattern that differs per page so no two pages are identical (no KSM-like surprises). */
static void touch(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t off = 0; off < len; off += 4096) {
		unsigned v = seed * 2654435761u + (unsigned)(off / 4096);
		memcpy(p + off, &v, sizeof v);
		p[off + 64] = (unsigned char)seed;
	}
}

static unsigned char *anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* Tell the launcher this process has settled, then sleep forever. */
static void settle(void)
{
	char one = 1;
	if (write(ready_fd, &one, 1) != 1)
		die("ready pipe");
	close(ready_fd);
	for (;;)
		pause();
}

static void run_alloc(void)
{
	set_name("hw-alloc");
	unsigned char *p = anon(64 * MIB, MAP_PRIVATE);
	touch(p, 64 * MIB, 1);
	settle();
}

static void run_shm(void)
{
	set_name("hw-shm-a");
	unsigned char *p = anon(4 * MIB, MAP_SHARED);
	touch(p, 4 * MIB, 2);
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		set_name("hw-shm-b");
		volatile unsigned sum = 0;
		for (size_t off = 0; off < 4 * MIB; off += 4096)
			sum += p[off];
		(void)sum;
		settle();
	}
	settle();
}

static void run_cow(void)
{
	set_name("hw-cow-par");
	unsigned char *p = anon(8 * MIB, MAP_PRIVATE);
	touch(p, 8 * MIB, 3);
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		set_name("hw-cow-chi");
		touch(p, 1 * MIB, 4); /* break COW on the first 1 MiB only */
		volatile unsigned sum = 0;
		for (size_t off = 1 * MIB; off < 8 * MIB; off += 4096)
			sum += p[off]; /* read the rest: stays shared */
		(void)sum;
		settle();
	}
	settle();
}

static pthread_barrier_t threads_touched; /* 4 threads + the main thread */

static void *thread_main(void *arg)
{
	long index = (long)arg;
	char name[16];
	snprintf(name, sizeof name, "hw-thr-%ld", index);
	set_name(name);
	unsigned char *p = anon(1 * MIB, MAP_PRIVATE);
	touch(p, 1 * MIB, 10 + (unsigned)index);
	pthread_barrier_wait(&threads_touched);
	for (;;)
		pause();
	return NULL;
}

static void run_threads(void)
{
	set_name("hw-threads");
	pthread_barrier_init(&threads_touched, NULL, 5);
	for (long i = 0; i < 4; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, (void *)i))
			die("pthread_create");
	}
	pthread_barrier_wait(&threads_touched);
	settle();
}

static void run_user(void)
{
	set_name("hw-user");
	if (setgid(1000) || setuid(1000))
		die("setuid 1000");
	unsigned char *p = anon(2 * MIB, MAP_PRIVATE);
	touch(p, 2 * MIB, 5);
	settle();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hw-workload READY_FILE\n");
		return 2;
	}
	set_name("hw-workload");
	int pipefd[2];
	if (pipe(pipefd))
		die("pipe");

	void (*roles[])(void) = {run_alloc, run_shm, run_cow, run_threads, run_user};
	int expected = 7; /* alloc, shm-a, shm-b, cow-par, cow-chi, threads, user */
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(pipefd[0]);
			ready_fd = pipefd[1];
			roles[i]();
			_exit(0);
		}
	}
	close(pipefd[1]);
	for (int got = 0; got < expected;) {
		char c;
		ssize_t n = read(pipefd[0], &c, 1);
		if (n == 1)
			got++;
		else if (n == 0 || errno != EINTR) {
			fprintf(stderr, "hw-workload: only %d of %d processes settled\n", got, expected);
			return 1;
		}
	}
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(argv[1]);
	close(fd);
	for (;;)
		pause();
}
