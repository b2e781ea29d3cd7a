package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pidlock.BackendInfo;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How {@code pidlock backends} shows a backend provider that failed to load, next to one that loaded. */
class BackendsCommandTest {

    static final BackendInfo NIO = new BackendInfo("nio", "dev.pidlock.nio", 10, true, Optional.empty(),
            Set.of(Capability.RELEASED_ON_PROCESS_DEATH), true);

    static final BackendInfo BROKEN = new BackendInfo("com.example.ZkBackend", "class path: zk.jar",
            Integer.MIN_VALUE, false, Optional.of("failed to load: Provider com.example.ZkBackend could not be"
            + " instantiated: java.lang.IllegalStateException: no zookeeper"), Set.of(), false, false);

    @Test
    void textNamesTheFailedProviderAndWhy() {
        assertEquals(List.of(
                "nio        available priority  10  dev.pidlock.nio  (default)",
                "           released_on_process_death",
                "com.example.ZkBackend failed to load  class path: zk.jar",
                "           cause: failed to load: Provider com.example.ZkBackend could not be instantiated:"
                        + " java.lang.IllegalStateException: no zookeeper"),
                BackendsCommand.text(List.of(NIO, BROKEN)).lines().toList());
    }

    @Test
    void jsonMarksTheFailedProviderAndKeepsTheOthersAsTheyWere() throws IOException {
        List<Object> all = Json.array(Json.parse(BackendsCommand.toJson(List.of(NIO, BROKEN))));
        Map<String, Object> nio = Json.object(all.get(0));
        assertEquals(Set.of("id", "module", "available", "cause", "capabilities", "priority", "default"),
                nio.keySet(), "a backend that loaded has no \"loaded\" field: " + nio);
        Map<String, Object> broken = Json.object(all.get(1));
        assertEquals("com.example.ZkBackend", broken.get("id"));
        assertEquals("class path: zk.jar", broken.get("module"));
        assertEquals(Boolean.FALSE, broken.get("available"));
        assertEquals(BROKEN.cause().orElseThrow(), broken.get("cause"));
        assertEquals(List.of(), broken.get("capabilities"));
        assertNull(broken.get("priority"), "a provider that failed to load has no priority: " + broken);
        assertEquals(Boolean.FALSE, broken.get("default"));
        assertEquals(Boolean.FALSE, broken.get("loaded"), "marked as not loaded: " + broken);
    }
}
