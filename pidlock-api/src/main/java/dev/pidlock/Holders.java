package dev.pidlock;

import dev.pidlock.internal.proc.ProcFs;
import java.util.OptionalLong;

/** Who holds a locked pidfile, from what the file and the kernel say. */
final class Holders {

    private Holders() {
    }

    /**
     * Who holds a locked pidfile: the pid the file names when that process lives, else the pid the kernel
     * reports when that one lives. The kernel names the process that took a {@code flock}/OFD lock, which may
     * have passed the descriptor to the process that holds it now (as {@code pidlock run} and {@code start} do)
     * and be gone; when neither lives, the holder is a process that inherited the descriptor, and nothing here
     * can name it.
     */
    static OptionalLong holderOf(OptionalLong fromFile, OptionalLong fromKernel) {
        if (lives(fromFile)) {
            return fromFile;
        }
        return lives(fromKernel) ? fromKernel : OptionalLong.empty();
    }

    private static boolean lives(OptionalLong pid) {
        return pid.isPresent() && ProcFs.alive(pid.getAsLong());
    }
}
