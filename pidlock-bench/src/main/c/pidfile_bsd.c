/*
 * libbsd's pidfile(3) in a loop, the C peer of one pidlock cycle (acquire + release with delete):
 * pidfile_open (open, flock, fstat), pidfile_write (ftruncate, pwrite), pidfile_remove (unlink, close).
 * Build: gcc -O2 pidfile_bsd.c -lbsd (Debian: apt-get install libbsd-dev).
 *
 *   pidfile_bsd PATH ITERATIONS ROUNDS
 *
 * Prints, per round, the mean time of one cycle in nanoseconds: "libbsd pidfile ROUND NS".
 */
#define _GNU_SOURCE
#include <bsd/libutil.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: pidfile_bsd PATH ITERATIONS ROUNDS\n");
        return 64;
    }
    const char *path = argv[1];
    long iterations = atol(argv[2]), rounds = atol(argv[3]);
    for (long r = 0; r < rounds; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < iterations; i++) {
            pid_t other = 0;
            struct pidfh *pfh = pidfile_open(path, 0644, &other);
            if (pfh == NULL) {
                fprintf(stderr, "pidfile_bsd: pidfile_open %s: %s (holder %ld)\n", path, strerror(errno),
                        (long) other);
                return 2;
            }
            if (pidfile_write(pfh) != 0) {
                fprintf(stderr, "pidfile_bsd: pidfile_write %s: %s\n", path, strerror(errno));
                return 2;
            }
            if (pidfile_remove(pfh) != 0) {
                fprintf(stderr, "pidfile_bsd: pidfile_remove %s: %s\n", path, strerror(errno));
                return 2;
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double) iterations;
        printf("libbsd pidfile %ld %.0f\n", r, ns);
        fflush(stdout);
    }
    return 0;
}
