/*
 * hw-truth: the guest's own view of itself, written as line-oriented text
 * (format in tests/guest/README.md). Runs as root inside the test guest after
 * the workload settled; afterwards it sleeps so nothing changes before the
 * host pauses the guest.
 *
 *   hw-truth OUTPUT     OUTPUT: the second serial port / virtio console
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#define PF_KTHREAD 0x00200000u
#define PM_PFN_MASK ((1ull << 55) - 1)
#define PM_SOFT_DIRTY (1ull << 55)
#define PM_EXCLUSIVE (1ull << 56)
#define PM_FILE (1ull << 61)
#define PM_SWAPPED (1ull << 62)
#define PM_PRESENT (1ull << 63)
/* /proc/kpageflags bits (Documentation/admin-guide/mm/pagemap.rst) */
#define KPF_THP (1ull << 22)
#define KPF_ZERO_PAGE (1ull << 24)
/* our own bits for the run flags, outside the pagemap bits we keep */
#define RUN_THP (1ull << 0)
#define RUN_ZERO (1ull << 1)

static FILE *out;
static uint64_t page_size; /* the guest kernel's, from sysconf */
static int kpageflags = -1; /* /proc/kpageflags, or -1 */
static struct {
	unsigned long tasks, kthreads, procs, maps, pages, runs, ram;
} count;

/* Read a small /proc file into BUF (NUL-terminated); returns length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == cap - 1)
			break;
	}
	close(fd);
	buf[len] = 0;
	return (ssize_t)len;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

struct task_info {
	int pid, tgid, ppid;
	unsigned uid;
	int kthread;
	char state;
	char comm[64];
};

/* Parse /proc/PID/task/TID/{stat,status}. Returns 0 if the task still exists. */
static int read_task(int pid, int tid, struct task_info *t)
{
	char path[96], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
	if (slurp(path, buf, sizeof buf) <= 0)
		return -1;
	/* comm is between the first '(' and the LAST ')' (it may hold ')' itself). */
	char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -1;
	size_t n = (size_t)(close_paren - open_paren - 1);
	if (n >= sizeof t->comm)
		n = sizeof t->comm - 1;
	memcpy(t->comm, open_paren + 1, n);
	t->comm[n] = 0;
	for (char *c = t->comm; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	unsigned flags = 0;
	/* after ") ": state ppid pgrp session tty_nr tpgid flags */
	if (sscanf(close_paren + 2, "%c %d %*d %*d %*d %*d %u", &t->state, &t->ppid, &flags) != 3)
		return -1;
	t->kthread = (flags & PF_KTHREAD) != 0;
	t->pid = tid;
	t->tgid = pid;
	t->uid = 0;
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	if (slurp(path, buf, sizeof buf) > 0) {
		char *u = strstr(buf, "\nUid:");
		if (u)
			sscanf(u + 5, "%u", &t->uid);
		char *g = strstr(buf, "\nTgid:");
		if (g)
			sscanf(g + 6, "%d", &t->tgid);
	}
	return 0;
}

static void emit_tasks_of(int pid, int *kthread_out)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *d = opendir(path);
	*kthread_out = -1;
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_number(e->d_name))
			continue;
		struct task_info t;
		if (read_task(pid, atoi(e->d_name), &t))
			continue;
		fprintf(out, "task %d %d %d %u %d %c %s\n", t.pid, t.tgid, t.ppid, t.uid, t.kthread,
		        t.state, t.comm);
		count.tasks++;
		count.kthreads += (unsigned long)t.kthread;
		if (t.pid == pid)
			*kthread_out = t.kthread;
	}
	closedir(d);
}

static void emit_rollup(int pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
	if (slurp(path, buf, sizeof buf) <= 0)
		return;
	unsigned long rss = 0, pss = 0, pss_anon = 0, pss_file = 0, pss_shmem = 0;
	char *p;
	if ((p = strstr(buf, "\nRss:")))
		sscanf(p + 5, "%lu", &rss);
	if ((p = strstr(buf, "\nPss:")))
		sscanf(p + 5, "%lu", &pss);
	if ((p = strstr(buf, "\nPss_Anon:")))
		sscanf(p + 10, "%lu", &pss_anon);
	if ((p = strstr(buf, "\nPss_File:")))
		sscanf(p + 10, "%lu", &pss_file);
	if ((p = strstr(buf, "\nPss_Shmem:")))
		sscanf(p + 11, "%lu", &pss_shmem);
	fprintf(out, "rollup %d %lu %lu %lu %lu %lu\n", pid, rss, pss, pss_anon, pss_file, pss_shmem);
}

static void flags_text(uint64_t e, char *s)
{
	char *p = s;
	if (e & PM_PRESENT)
		*p++ = 'p';
	if (e & PM_SWAPPED)
		*p++ = 's';
	if (e & PM_EXCLUSIVE)
		*p++ = 'x';
	if (e & PM_SOFT_DIRTY)
		*p++ = 'd';
	if (e & PM_FILE)
		*p++ = 'f';
	if (e & RUN_THP)
		*p++ = 'h';
	if (e & RUN_ZERO)
		*p++ = 'z';
	if (p == s)
		*p++ = '-';
	*p = 0;
}

/* Emit one mapping's present pages as runs: consecutive VAs with consecutive PFNs and equal flags. */
static void emit_pages(int pid, int pagemap, uint64_t start, uint64_t end)
{
	enum { BATCH = 512 };
	uint64_t buf[BATCH];
	uint64_t run_va = 0, run_pfn = 0, run_len = 0, run_flags = 0;
	for (uint64_t va = start; va < end;) {
		uint64_t n = (end - va) / page_size;
		if (n > BATCH)
			n = BATCH;
		ssize_t got = pread(pagemap, buf, n * 8, (off_t)(va / page_size * 8));
		if (got <= 0)
			break;
		n = (uint64_t)got / 8;
		for (uint64_t i = 0; i < n; i++, va += page_size) {
			uint64_t e = buf[i];
			uint64_t flags = e & ~PM_PFN_MASK;
			uint64_t pfn = e & PM_PFN_MASK;
			if (!(e & PM_PRESENT))
				continue;
			uint64_t kpf = 0;
			if (kpageflags >= 0 && pread(kpageflags, &kpf, 8, (off_t)(pfn * 8)) == 8) {
				flags |= kpf & KPF_THP ? RUN_THP : 0;
				flags |= kpf & KPF_ZERO_PAGE ? RUN_ZERO : 0;
			}
			if (run_len && va == run_va + run_len * page_size && pfn == run_pfn + run_len &&
			    flags == run_flags) {
				run_len++;
				continue;
			}
			if (run_len) {
				char f[16];
				flags_text(run_flags, f);
				fprintf(out, "pages %d %" PRIx64 " %" PRIx64 " %" PRIu64 " %s\n", pid, run_va,
				        run_pfn, run_len, f);
				count.runs++;
			}
			run_va = va, run_pfn = pfn, run_len = 1, run_flags = flags;
		}
	}
	if (run_len) {
		char f[16];
		flags_text(run_flags, f);
		fprintf(out, "pages %d %" PRIx64 " %" PRIx64 " %" PRIu64 " %s\n", pid, run_va, run_pfn,
		        run_len, f);
		count.runs++;
	}
}

/* Emit every mapping of PID and the present pages in it. */
static void emit_maps(int pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *maps = fopen(path, "r");
	if (!maps)
		return;
	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	int pagemap = open(path, O_RDONLY);
	char line[4352];
	while (fgets(line, sizeof line, maps)) {
		uint64_t start, end, offset;
		char perms[8], dev[16];
		unsigned long inode;
		int path_at = 0;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %15s %lu %n", &start, &end,
		           perms, &offset, dev, &inode, &path_at) < 6)
			continue;
		char *name = line + path_at;
		name[strcspn(name, "\n")] = 0;
		fprintf(out, "map %d %" PRIx64 " %" PRIx64 " %s %" PRIx64 " %s\n", pid, start, end, perms,
		        offset, *name ? name : "-");
		count.maps++;
		/* vsyscall on x86 is not in the page tables of the process: pagemap has nothing. */
		if (pagemap >= 0 && strcmp(name, "[vsyscall]"))
			emit_pages(pid, pagemap, start, end);
	}
	if (pagemap >= 0)
		close(pagemap);
	fclose(maps);
}

static void emit_ram(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		/* top-level entries only (no indentation) */
		uint64_t start, end;
		int name_at = 0;
		if (line[0] == ' ' ||
		    sscanf(line, "%" SCNx64 "-%" SCNx64 " : %n", &start, &end, &name_at) < 2)
			continue;
		if (strncmp(line + name_at, "System RAM", 10))
			continue;
		fprintf(out, "ram %" PRIx64 " %" PRIx64 "\n", start, end + 1);
		count.ram++;
	}
	fclose(f);
}

static void emit_ksyms(void)
{
	static const char *wanted[] = {"_text", "_stext", "init_task", "init_mm", "swapper_pg_dir",
	                               "init_top_pgt", "linux_banner", "vmcoreinfo_data"};
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		uint64_t addr;
		char type, name[256];
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3 || strchr(line, '['))
			continue;
		for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
			if (!strcmp(name, wanted[i]))
				fprintf(out, "ksym %s %" PRIx64 "\n", name, addr);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hw-truth OUTPUT\n");
		return 2;
	}
	int fd = open(argv[1], O_WRONLY | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "hw-truth: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) { /* a tty: no \n -> \r\n translation */
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	kpageflags = open("/proc/kpageflags", O_RDONLY);
	/* Build the whole text in memory first: reading /proc must not wait on the slow port. */
	char *text = NULL;
	size_t text_len = 0;
	out = open_memstream(&text, &text_len);
	if (!out)
		return 1;

	struct utsname u;
	uname(&u);
	char cmdline[4096];
	if (slurp("/proc/cmdline", cmdline, sizeof cmdline) < 0)
		cmdline[0] = 0;
	cmdline[strcspn(cmdline, "\n")] = 0;
	fprintf(out, "haywire-truth 1\n");
	fprintf(out, "arch %s\n", u.machine);
	fprintf(out, "release %s\n", u.release);
	fprintf(out, "cmdline %s\n", cmdline);
	fprintf(out, "pagesize %" PRIu64 "\n", page_size);
	fprintf(out, "self %d\n", getpid());
	emit_ram();
	emit_ksyms();

	DIR *proc = opendir("/proc");
	if (!proc)
		return 1;
	struct dirent *e;
	while ((e = readdir(proc))) {
		if (!is_number(e->d_name))
			continue;
		int pid = atoi(e->d_name), kthread;
		emit_tasks_of(pid, &kthread);
		if (kthread != 0 || pid == getpid())
			continue; /* gone, kernel thread, or ourselves (still changing) */
		count.procs++;
		emit_rollup(pid);
		emit_maps(pid);
	}
	closedir(proc);
	fflush(out);

	/* Total pages = sum of run lengths; recount from the text to keep one source of truth. */
	unsigned long pages = 0;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		unsigned long len;
		if (!strncmp(line, "pages ", 6) &&
		    sscanf(line, "pages %*d %*x %*x %lu", &len) == 1)
			pages += len;
		line = nl ? nl + 1 : NULL;
	}
	count.pages = pages;
	fprintf(out, "end tasks=%lu kthreads=%lu procs=%lu maps=%lu runs=%lu pages=%lu ram=%lu\n",
	        count.tasks, count.kthreads, count.procs, count.maps, count.runs, count.pages,
	        count.ram);
	fclose(out);

	for (size_t off = 0; off < text_len;) {
		ssize_t n = write(fd, text + off, text_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "hw-truth: write: %s\n", strerror(errno));
			return 1;
		}
		off += (size_t)n;
	}
	tcdrain(fd);
	free(text);
	fprintf(stderr, "hw-truth: done\n");
	for (;;)
		pause();
}
