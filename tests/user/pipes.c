/*
 * pipes: bytes go through a pipe between processes exactly, in order, and
 * the ends behave as POSIX says. 1 MiB from a child writer (odd write
 * sizes) arrives intact in the parent and 1 MiB the other way in a child;
 * a reader sees EOF only when every write end is closed (O_NONBLOCK gives
 * EAGAIN while one is left), including a reader already blocked; with no
 * reader a write gives EPIPE (SIGPIPE ignored) or kills with SIGPIPE, also
 * a writer blocked on a full pipe when the last reader goes; a 3-stage
 * pipeline (a writer | /bin/cat | /bin/cat) delivers 300 KiB end to end;
 * dup2/dup3 redirect a child's stdout into a pipe (/bin/echo), dup3's
 * O_CLOEXEC and pipe2's O_CLOEXEC ends are closed by exec, and dup2 onto
 * an open descriptor closes it. No frame is leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#define BIG		(1024 * 1024)
#define PIPELINE	(300 * 1024)

/* The byte stream every transfer uses: xorshift, restartable from a seed. */
struct stream {
	uint64_t x;
};

static uint8_t stream_next(struct stream *s)
{
	s->x ^= s->x << 13;
	s->x ^= s->x >> 7;
	s->x ^= s->x << 17;
	return (uint8_t)(s->x >> 24);
}

static void stream_fill(struct stream *s, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = stream_next(s);
}

/* Write n stream bytes to fd in chunks of varying odd sizes; 0 or -1. */
static int write_stream(int fd, uint64_t seed, size_t n)
{
	static uint8_t buf[9000];
	struct stream s = { seed };
	size_t done = 0, chunk = 1;

	while (done < n) {
		size_t len = chunk < n - done ? chunk : n - done;
		size_t off = 0;

		stream_fill(&s, buf, len);
		while (off < len) {
			ssize_t w = write(fd, buf + off, len - off);

			if (w <= 0)
				return -1;
			off += w;
		}
		done += len;
		chunk = (chunk * 7 + 333) % 8999 + 1;
	}
	return 0;
}

/*
 * Read fd to EOF in reads of varying sizes and compare with the stream.
 * Returns the number of bytes read, or -1 on a mismatch or error.
 */
static long read_stream(int fd, uint64_t seed)
{
	static uint8_t buf[7000];
	struct stream s = { seed };
	long total = 0;
	size_t want = 1;

	for (;;) {
		ssize_t r = read(fd, buf, want);

		if (r < 0)
			return -1;
		if (r == 0)
			return total;
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != stream_next(&s))
				return -1;
		total += r;
		want = (want * 5 + 1234) % 6999 + 1;
	}
}

static int exited_ok(pid_t pid, int code)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == code;
}

static void test_big_transfers(void)
{
	int p[2];
	pid_t pid;
	long got;

	TL_CHECK(pipe(p) == 0, "pipe()");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(write_stream(p[1], 0x1234567, BIG) == 0 ? 0 : 1);
	}
	close(p[1]);
	got = read_stream(p[0], 0x1234567);
	TL_CHECK(got == BIG, "1 MiB from a child writer arrives intact, then EOF");
	TL_CHECK(exited_ok(pid, 0), "the writer exited 0");
	close(p[0]);

	TL_CHECK(pipe(p) == 0, "pipe()");
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(read_stream(p[0], 0xabcdef) == BIG ? 0 : 1);
	}
	close(p[0]);
	TL_CHECK(write_stream(p[1], 0xabcdef, BIG) == 0, "the parent wrote 1 MiB");
	close(p[1]);
	TL_CHECK(exited_ok(pid, 0), "a child reader got all of it intact, then EOF");
}

static void test_eof(void)
{
	int p[2], flags;
	char buf[16];
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		write(p[1], "abc", 3);
		_exit(0);
	}
	TL_CHECK(exited_ok(pid, 0), "a child wrote 3 bytes and exited");
	TL_CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0,
		 "the reader gets them");
	flags = fcntl(p[0], F_GETFL);
	fcntl(p[0], F_SETFL, flags | O_NONBLOCK);
	errno = 0;
	TL_CHECK(read(p[0], buf, sizeof(buf)) == -1 && errno == EAGAIN,
		 "no EOF while we still hold a write end (EAGAIN)");
	fcntl(p[0], F_SETFL, flags);
	close(p[1]);
	TL_CHECK(read(p[0], buf, sizeof(buf)) == 0, "EOF once every write end is closed");
	TL_CHECK(read(p[0], buf, sizeof(buf)) == 0, "and EOF again");
	close(p[0]);

	/* a reader already blocked when the last writer closes */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], buf, sizeof(buf)) == 0 ? 0 : 1);
	}
	close(p[0]);
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);		/* let it block */
	close(p[1]);
	TL_CHECK(exited_ok(pid, 0), "a blocked reader wakes with EOF when the writer closes");
}

static void test_epipe(void)
{
	int p[2], status = -1;
	pid_t pid;

	/* in this process, SIGPIPE ignored: EPIPE */
	signal(SIGPIPE, SIG_IGN);
	pipe(p);
	close(p[0]);
	errno = 0;
	TL_CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE,
		 "write with no reader, SIGPIPE ignored: EPIPE");
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);

	/* a child with the default action dies of SIGPIPE */
	pipe(p);
	close(p[0]);			/* before the fork: no reader anywhere */
	pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	close(p[1]);
	TL_CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
		 WTERMSIG(status) == SIGPIPE, "write with no reader kills with SIGPIPE");

	/* a writer blocked on a full pipe gets EPIPE when the reader goes */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		static char buf[64 * 1024];
		ssize_t w;

		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		memset(buf, 'w', sizeof(buf));
		do
			w = write(p[1], buf, sizeof(buf));
		while (w > 0);
		_exit(w == -1 && errno == EPIPE ? 0 : 1);
	}
	close(p[1]);
	char c;
	TL_CHECK(read(p[0], &c, 1) == 1 && c == 'w', "the writer filled the pipe");
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);		/* let it block on the full pipe */
	close(p[0]);
	TL_CHECK(exited_ok(pid, 0), "a writer blocked on a full pipe gets EPIPE when the reader goes");
}

/* fork a child that runs path with stdin/stdout on in/out; its pid. */
static pid_t spawn(const char *path, char *const argv[], int in, int out,
		   const int *close_fds, int nclose)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (in != 0) {
			dup2(in, 0);
			close(in);
		}
		if (out != 1) {
			dup2(out, 1);
			close(out);
		}
		for (int i = 0; i < nclose; i++)
			close(close_fds[i]);
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

static void test_pipeline(void)
{
	char *cat[] = { "cat", NULL };
	int a[2], b[2], c[2];
	pid_t writer, cat1, cat2;
	long got;

	pipe(a);
	pipe(b);
	pipe(c);
	writer = fork();
	if (writer == 0) {
		close(a[0]); close(b[0]); close(b[1]); close(c[0]); close(c[1]);
		_exit(write_stream(a[1], 0x5151, PIPELINE) == 0 ? 0 : 1);
	}
	int rest1[] = { a[1], b[0], c[0], c[1] };
	cat1 = spawn("/bin/cat", cat, a[0], b[1], rest1, 4);
	int rest2[] = { a[0], a[1], b[1], c[0] };
	cat2 = spawn("/bin/cat", cat, b[0], c[1], rest2, 4);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]); close(c[1]);
	got = read_stream(c[0], 0x5151);
	close(c[0]);
	TL_CHECK(got == PIPELINE, "writer | /bin/cat | /bin/cat: 300 KiB arrive intact, then EOF");
	TL_CHECK(exited_ok(writer, 0) && exited_ok(cat1, 0) && exited_ok(cat2, 0),
		 "all three stages exited 0");
}

/* Everything on fd until EOF into buf (NUL-terminated); length or -1. */
static long slurp(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;

	while (len + 1 < size && (r = read(fd, buf + len, size - 1 - len)) > 0)
		len += r;
	buf[len] = 0;
	return len;
}

static void test_redirection(void)
{
	char *echo[] = { "echo", "hello", "through", "dup2", NULL };
	char buf[256];
	int p[2], q[2], status;
	pid_t pid;

	/* dup2 a pipe onto stdout, exec echo */
	pipe(p);
	pid = spawn("/bin/echo", echo, 0, p[1], &p[0], 1);
	close(p[1]);
	slurp(p[0], buf, sizeof(buf));
	close(p[0]);
	TL_CHECK(strcmp(buf, "hello through dup2\n") == 0, "dup2: echo's stdout lands in the pipe");
	TL_CHECK(exited_ok(pid, 0), "echo exited 0");

	/* dup3 without flags does the same */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "echo", "dup3", NULL };

		close(p[0]);
		if (dup3(p[1], 1, 0) != 1)
			_exit(126);
		close(p[1]);
		execv("/bin/echo", argv);
		_exit(127);
	}
	close(p[1]);
	slurp(p[0], buf, sizeof(buf));
	close(p[0]);
	TL_CHECK(strcmp(buf, "dup3\n") == 0 && exited_ok(pid, 0),
		 "dup3(fd, 1, 0): echo's stdout lands in the pipe");

	/* dup3 with O_CLOEXEC: exec closes the new stdout, nothing arrives */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "echo", "lost", NULL };

		close(p[0]);
		if (dup3(p[1], 1, O_CLOEXEC) != 1)
			_exit(126);
		close(p[1]);
		execv("/bin/echo", argv);
		_exit(127);
	}
	close(p[1]);
	TL_CHECK(slurp(p[0], buf, sizeof(buf)) == 0, "dup3(O_CLOEXEC): exec closed it, EOF and no data");
	close(p[0]);
	waitpid(pid, &status, 0);

	/* pipe2(O_CLOEXEC): the child's copy of the write end goes at exec */
	TL_CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe2(O_CLOEXEC)");
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "sleep", "10", NULL };

		close(p[0]);
		execv("/bin/sleep", argv);
		_exit(127);
	}
	close(p[1]);
	TL_CHECK(read(p[0], buf, 1) == 0, "EOF although the child runs: exec closed its write end");
	TL_CHECK(waitpid(pid, &status, WNOHANG) == 0, "(the child is still sleeping)");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);

	/* dup2 onto an open descriptor closes that one first */
	pipe(p);
	pipe(q);
	TL_CHECK(dup2(p[1], q[1]) == q[1], "dup2 onto q's write end");
	TL_CHECK(read(q[0], buf, 1) == 0, "q's only write end was closed: EOF");
	TL_CHECK(write(q[1], "z", 1) == 1 && read(p[0], buf, 1) == 1 && buf[0] == 'z',
		 "the descriptor now writes into p");
	TL_CHECK(dup2(p[0], p[0]) == p[0], "dup2(fd, fd) returns fd");
	errno = 0;
	TL_CHECK(dup3(p[0], p[0], 0) == -1 && errno == EINVAL, "dup3(fd, fd, 0): EINVAL");
	errno = 0;
	TL_CHECK(dup3(p[0], q[1], 0x4) == -1 && errno == EINVAL, "dup3 with a bad flag: EINVAL");
	errno = 0;
	TL_CHECK(dup2(1000, q[1]) == -1 && errno == EBADF, "dup2 from a closed descriptor: EBADF");
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

int main(void)
{
	long before = -1;

	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		test_big_transfers();
		test_eof();
		test_epipe();
		test_pipeline();
		test_redirection();
	}
	tl_check_no_leak(before);
	return tl_done();
}
