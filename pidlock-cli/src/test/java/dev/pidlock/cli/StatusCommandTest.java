package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pidlock.PidFileStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** How {@code pidlock status} shows a holder on another host (a lock on a cluster), and that a file's has no host. */
class StatusCommandTest {

    static final PidFileStatus REMOTE = new PidFileStatus(Path.of("/run/pidlock/feeder.pid"),
            PidFileStatus.State.RUNNING, OptionalLong.of(123), PidFileStatus.LockState.LOCKED, Optional.empty(),
            "held by pid 123 on host web-2 (etcd key /pidlock/feeder)", List.of(), OptionalLong.empty(),
            Optional.of("web-2"), OptionalLong.of(42));

    static final PidFileStatus LOCAL = new PidFileStatus(Path.of("/run/pidlock/feeder.pid"),
            PidFileStatus.State.STALE, OptionalLong.of(7), PidFileStatus.LockState.UNLOCKED, Optional.empty(),
            "no process has pid 7");

    @Test
    void textSaysOnWhichHostThePidRuns() {
        assertEquals("feeder -- pid: 123 on host web-2, status: running (held by pid 123 on host web-2 (etcd key"
                + " /pidlock/feeder))", StatusCommand.line("feeder", REMOTE));
    }

    @Test
    void jsonHasTheHolderHostAndFencingToken() throws IOException {
        Map<String, Object> j = Json.object(Json.parse(StatusCommand.toJson("feeder", REMOTE)));
        assertEquals("web-2", j.get("host"), j.toString());
        assertEquals(42L, ((Number) j.get("fencing_token")).longValue(), j.toString());
        assertEquals(123L, ((Number) j.get("pid")).longValue(), j.toString());
        assertEquals("running", j.get("status"), j.toString());
        assertEquals(Boolean.TRUE, j.get("locked"), j.toString());
        assertEquals(0L, ((Number) j.get("processes")).longValue(), "nothing of another host's process: " + j);
    }

    @Test
    void jsonOfAFileLockHasNoHostNorToken() throws IOException {
        Map<String, Object> j = Json.object(Json.parse(StatusCommand.toJson("feeder", LOCAL)));
        assertFalse(j.containsKey("host") || j.containsKey("fencing_token"), j.toString());
        assertEquals("feeder -- pid: 7, status: dead (no process has pid 7)", StatusCommand.line("feeder", LOCAL));
    }
}
