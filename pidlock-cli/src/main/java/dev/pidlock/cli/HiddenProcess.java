package dev.pidlock.cli;

import dev.pidlock.PidFileStatus;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.internal.proc.ProcFs;
import java.io.IOException;
import java.util.Optional;

/**
 * A pidfile's process that {@code /proc} does not show but that exists: another user's process behind
 * {@code hidepid=1|2} (or {@code hidepid=invisible}), seen by an unprivileged user. The library, which reads
 * only {@code /proc}, calls it dead; {@code kill(pid, 0)} finds it (EPERM: not ours to signal).
 */
final class HiddenProcess {
    private HiddenProcess() {
    }

    /**
     * @param s what the library says about a pidfile
     * @return {@code s}, or when it calls an unlocked pidfile stale while its pid exists unseen, the same status
     *         {@link PidFileStatus.State#UNKNOWN unknown}, saying why
     */
    static PidFileStatus reconsider(PidFileStatus s) {
        if (s.state() != PidFileStatus.State.STALE || s.lock() == PidFileStatus.LockState.LOCKED
                || s.recordedPid().isEmpty()) {
            return s;
        }
        long pid = s.recordedPid().getAsLong();
        if (pid <= 1 || pid > Integer.MAX_VALUE || ProcFs.stat(pid).isPresent()) {
            return s; // visible: the library's verdict (dead, a zombie, a reused pid) stands
        }
        try {
            if (!Spawn.exists(pid)) {
                return s;
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            return s;
        }
        return new PidFileStatus(s.path(), PidFileStatus.State.UNKNOWN, s.pid(), s.lock(), Optional.empty(),
                "pidfile " + s.path() + " names pid " + pid + ", which exists (kill(" + pid + ", 0) finds it) but"
                        + " this process cannot see it: /proc/" + pid + " is hidden (hidepid: another user's"
                        + " process)", s.holders(), s.recordedPid());
    }
}
