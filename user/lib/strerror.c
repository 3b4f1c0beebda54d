/* Messages for error and signal numbers, and perror. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char *const err_msgs[] = {
	[0]		= "Success",
	[EPERM]		= "Operation not permitted",
	[ENOENT]	= "No such file or directory",
	[ESRCH]		= "No such process",
	[EINTR]		= "Interrupted system call",
	[EIO]		= "Input/output error",
	[ENXIO]		= "No such device or address",
	[E2BIG]		= "Argument list too long",
	[ENOEXEC]	= "Exec format error",
	[EBADF]		= "Bad file descriptor",
	[ECHILD]	= "No child processes",
	[EAGAIN]	= "Resource temporarily unavailable",
	[ENOMEM]	= "Cannot allocate memory",
	[EACCES]	= "Permission denied",
	[EFAULT]	= "Bad address",
	[ENOTBLK]	= "Block device required",
	[EBUSY]		= "Device or resource busy",
	[EEXIST]	= "File exists",
	[EXDEV]		= "Invalid cross-device link",
	[ENODEV]	= "No such device",
	[ENOTDIR]	= "Not a directory",
	[EISDIR]	= "Is a directory",
	[EINVAL]	= "Invalid argument",
	[ENFILE]	= "Too many open files in system",
	[EMFILE]	= "Too many open files",
	[ENOTTY]	= "Inappropriate ioctl for device",
	[ETXTBSY]	= "Text file busy",
	[EFBIG]		= "File too large",
	[ENOSPC]	= "No space left on device",
	[ESPIPE]	= "Illegal seek",
	[EROFS]		= "Read-only file system",
	[EMLINK]	= "Too many links",
	[EPIPE]		= "Broken pipe",
	[EDOM]		= "Numerical argument out of domain",
	[ERANGE]	= "Numerical result out of range",
	[EDEADLK]	= "Resource deadlock avoided",
	[ENAMETOOLONG]	= "File name too long",
	[ENOLCK]	= "No locks available",
	[ENOSYS]	= "Function not implemented",
	[ENOTEMPTY]	= "Directory not empty",
	[ELOOP]		= "Too many levels of symbolic links",
	[EOVERFLOW]	= "Value too large for defined data type",
	[ELIBBAD]	= "Accessing a corrupted shared library",
	[EILSEQ]	= "Invalid or incomplete multibyte or wide character",
	[ENOTSUP]	= "Operation not supported",
	[ETIMEDOUT]	= "Connection timed out",
};

static const char *const sig_msgs[] = {
	[SIGHUP]	= "Hangup",
	[SIGINT]	= "Interrupt",
	[SIGQUIT]	= "Quit",
	[SIGILL]	= "Illegal instruction",
	[SIGTRAP]	= "Trace/breakpoint trap",
	[SIGABRT]	= "Aborted",
	[SIGBUS]	= "Bus error",
	[SIGFPE]	= "Floating point exception",
	[SIGKILL]	= "Killed",
	[SIGUSR1]	= "User defined signal 1",
	[SIGSEGV]	= "Segmentation fault",
	[SIGUSR2]	= "User defined signal 2",
	[SIGPIPE]	= "Broken pipe",
	[SIGALRM]	= "Alarm clock",
	[SIGTERM]	= "Terminated",
	[SIGSTKFLT]	= "Stack fault",
	[SIGCHLD]	= "Child exited",
	[SIGCONT]	= "Continued",
	[SIGSTOP]	= "Stopped (signal)",
	[SIGTSTP]	= "Stopped",
	[SIGTTIN]	= "Stopped (tty input)",
	[SIGTTOU]	= "Stopped (tty output)",
	[SIGURG]	= "Urgent I/O condition",
	[SIGXCPU]	= "CPU time limit exceeded",
	[SIGXFSZ]	= "File size limit exceeded",
	[SIGVTALRM]	= "Virtual timer expired",
	[SIGPROF]	= "Profiling timer expired",
	[SIGWINCH]	= "Window changed",
	[SIGIO]		= "I/O possible",
	[SIGPWR]	= "Power failure",
	[SIGSYS]	= "Bad system call",
};

/*
 * Message for err. Unknown numbers get "Unknown error N" in a static
 * buffer that the next such call overwrites.
 */
char *strerror(int err)
{
	static char buf[32];

	if (err >= 0 && err < (int)(sizeof(err_msgs) / sizeof(err_msgs[0])) &&
	    err_msgs[err])
		return (char *)err_msgs[err];
	snprintf(buf, sizeof(buf), "Unknown error %d", err);
	return buf;
}

/* Description of signal sig ("Segmentation fault", ...), like strerror. */
char *strsignal(int sig)
{
	static char buf[32];

	if (sig > 0 && sig < (int)(sizeof(sig_msgs) / sizeof(sig_msgs[0])))
		return (char *)sig_msgs[sig];
	snprintf(buf, sizeof(buf), "Unknown signal %d", sig);
	return buf;
}

/* Prints "msg: strerror(errno)\n" (or just the message) on stderr. */
void perror(const char *msg)
{
	const char *e = strerror(errno);

	if (msg && *msg)
		fprintf(stderr, "%s: %s\n", msg, e);
	else
		fprintf(stderr, "%s\n", e);
}
