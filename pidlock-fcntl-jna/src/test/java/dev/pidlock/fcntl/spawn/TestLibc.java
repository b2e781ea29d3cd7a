package dev.pidlock.fcntl.spawn;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/** C calls only the tests need, on the same C library as {@link dev.pidlock.fcntl.libc.Libc}. */
final class TestLibc {

    static {
        Native.register(TestLibc.class, NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME));
    }

    private TestLibc() {
    }

    /** glibc's {@code sigaction}: its {@code struct sigaction} is 152 bytes, {@code sa_handler} first. */
    static native int sigaction(int signum, Pointer act, Pointer oldact);
}
