/*
 * The syscall floor of one pidlock cycle: exactly the system calls an acquire + release with delete must make,
 * in a C loop, so the benchmark report can put each pidlock figure next to the physical limit of the machine
 * it ran on.
 *
 *   cycle_floor KIND PATH ITERATIONS ROUNDS [keep] [in-place]
 *
 * KIND: ofd+flock | ofd | flock | posix | lockf. One cycle: open (no-follow, create, non-blocking, close-on-exec),
 * fstat (a regular file? which inode?), lock, lstat of the path (is it still the inode we locked?), read the old
 * content, truncate, write our pid, unlink, close (which drops the lock). With "keep" the file stays (no
 * unlink), as pidlock's keep-file release leaves it. With "in-place" the pid is written over the old content and
 * the file is truncated only when the old content was longer than the pid (never for an empty file: on ext4 an
 * ftruncate, even of an empty file, is a journal transaction of ~150 us). Prints, per round, the mean time of
 * one cycle in nanoseconds: "floor KIND ROUND NS". The file is removed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *path) {
    fprintf(stderr, "cycle_floor: %s %s: %s\n", what, path, strerror(errno));
    exit(2);
}

static int lock(const char *kind, int fd) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (strcmp(kind, "ofd") == 0 || strcmp(kind, "ofd+flock") == 0) {
        if (fcntl(fd, F_OFD_SETLK, &fl) != 0) return -1;
        if (strcmp(kind, "ofd+flock") == 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) return -1;
        return 0;
    }
    if (strcmp(kind, "posix") == 0) return fcntl(fd, F_SETLK, &fl);
    if (strcmp(kind, "flock") == 0) return flock(fd, LOCK_EX | LOCK_NB);
    if (strcmp(kind, "lockf") == 0) return lockf(fd, F_TLOCK, 0);
    fprintf(stderr, "cycle_floor: unknown kind %s\n", kind);
    exit(64);
}

int main(int argc, char **argv) {
    int keep = 0, in_place = 0, usage = argc < 5 || argc > 7;
    for (int a = 5; a < argc && !usage; a++) {
        if (strcmp(argv[a], "keep") == 0) keep = 1;
        else if (strcmp(argv[a], "in-place") == 0) in_place = 1;
        else usage = 1;
    }
    if (usage) {
        fprintf(stderr, "usage: cycle_floor KIND PATH ITERATIONS ROUNDS [keep] [in-place]\n");
        return 64;
    }
    const char *kind = argv[1], *path = argv[2];
    long iterations = atol(argv[3]), rounds = atol(argv[4]);
    char pid[32], old[64];
    int pidlen = snprintf(pid, sizeof pid, "%ld\n", (long) getpid());
    for (long r = 0; r < rounds; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < iterations; i++) {
            int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
            if (fd < 0) die("open", path);
            struct stat fs, ps;
            if (fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode)) die("fstat", path);
            if (lock(kind, fd) != 0) die("lock", path);
            if (lstat(path, &ps) != 0 || ps.st_ino != fs.st_ino || ps.st_dev != fs.st_dev) die("lstat", path);
            ssize_t oldlen = pread(fd, old, sizeof old, 0);
            if (oldlen < 0) die("pread", path);
            if (in_place) {
                if (pwrite(fd, pid, (size_t) pidlen, 0) != pidlen) die("pwrite", path);
                if (oldlen > pidlen && ftruncate(fd, pidlen) != 0) die("ftruncate", path);
            } else {
                if (ftruncate(fd, 0) != 0) die("ftruncate", path);
                if (pwrite(fd, pid, (size_t) pidlen, 0) != pidlen) die("pwrite", path);
            }
            if (!keep && unlink(path) != 0) die("unlink", path);
            if (close(fd) != 0) die("close", path);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double) iterations;
        printf("floor %s %ld %.0f\n", kind, r, ns);
        fflush(stdout);
    }
    if (keep && unlink(path) != 0) die("unlink", path);
    return 0;
}
