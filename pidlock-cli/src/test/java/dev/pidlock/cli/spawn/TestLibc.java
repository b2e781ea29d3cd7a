package dev.pidlock.cli.spawn;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** C calls only the tests need. */
final class TestLibc {
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;

    static {
        Native.register(TestLibc.class, SpawnLibc.C);
    }

    private TestLibc() {
    }

    static native int flock(int fd, int operation);

    /** glibc's {@code sigaction}: its {@code struct sigaction} is 152 bytes, {@code sa_handler} first. */
    static native int sigaction(int signum, Pointer act, Pointer oldact);
}
