package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which command lines are other pidlock stops, restarts and statuses, whose holds of a lock last a moment. */
class PeersTest {

    private static List<String> launcher(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("/opt/pidlock/bin/java", "-Xshare:auto", "-m",
                "dev.pidlock.cli/dev.pidlock.cli.Main"));
        all.addAll(List.of(args));
        return all;
    }

    @Test
    void stopRestartAndStatusArePeers() {
        assertTrue(Peers.isPeer(launcher("stop", "--pidfile", "/run/x.pid")));
        assertTrue(Peers.isPeer(launcher("--debug", "restart", "--", "sleep", "1")));
        assertTrue(Peers.isPeer(launcher("status")));
        assertTrue(Peers.isPeer(List.of("java", "--module=dev.pidlock.cli/dev.pidlock.cli.Main", "stop")));
    }

    @Test
    void runStartAndOtherProgramsAreNot() {
        assertFalse(Peers.isPeer(launcher("run", "--", "stop")));
        assertFalse(Peers.isPeer(launcher("start", "--", "status")));
        assertFalse(Peers.isPeer(launcher()));
        assertFalse(Peers.isPeer(List.of("sleep", "stop")));
        assertFalse(Peers.isPeer(List.of("java", "-m", "other.module/x.Main", "stop")));
        assertFalse(Peers.isPeer(List.of("sh", "-c", "-m dev.pidlock.cli stop")));
        assertFalse(Peers.isPeer(List.of()));
    }
}
