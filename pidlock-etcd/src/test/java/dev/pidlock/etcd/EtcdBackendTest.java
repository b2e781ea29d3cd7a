package dev.pidlock.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Configuration and availability of backend etcd, without a cluster. */
class EtcdBackendTest {

    private static EtcdConfig config(Map<String, String> settings) {
        return EtcdConfig.builder().lookup(settings::get).build();
    }

    @Test
    void withoutEndpointsItIsUnavailableAndSaysWhy() {
        Availability a = new EtcdBackend(config(Map.of())).availability();
        assertFalse(a.isAvailable());
        assertEquals(Optional.of("no etcd endpoints configured (dev.pidlock.etcd.endpoints / PIDLOCK_ETCD_ENDPOINTS)"),
                a.cause());
    }

    @Test
    void withEndpointsItIsAvailableWithoutContactingTheCluster() {
        // nothing listens on port 9 of loopback (discard); the check does not connect
        EtcdBackend b = new EtcdBackend(config(Map.of("endpoints", "127.0.0.1:9, http://127.0.0.2:2379/")));
        assertTrue(b.availability().isAvailable(), b.availability().toString());
    }

    @Test
    void settingsComeFromTheLookupAndTheBuilderWins() {
        EtcdConfig c = config(Map.of("endpoints", "a:1,https://b:2", "prefix", "/x/", "ttl", "PT3S"));
        assertEquals("[http://a:1, https://b:2]", c.endpoints().toString());
        assertEquals("/x/", c.prefix());
        assertEquals(Duration.ofSeconds(3), c.leaseTtl());
        EtcdConfig d = EtcdConfig.builder().lookup(Map.of("ttl", "7")::get).endpoints("c:3").build();
        assertEquals("[http://c:3]", d.endpoints().toString());
        assertEquals(Duration.ofSeconds(7), d.leaseTtl());
        assertEquals(EtcdConfig.DEFAULT_PREFIX, d.prefix());
    }

    @Test
    void aMalformedSettingMakesItUnavailableWithTheReason() {
        Availability a = new EtcdBackend(() -> config(Map.of("endpoints", "ftp://x"))).availability();
        assertFalse(a.isAvailable());
        assertTrue(a.cause().orElseThrow().contains("ftp://x"), a.cause().toString());
    }

    @Test
    void theKeyIsThePrefixAndTheFileNameWithoutPid() {
        EtcdBackend b = new EtcdBackend(config(Map.of("endpoints", "a:1")));
        assertEquals("/pidlock/nightly", b.keyFor(Path.of("/run/nightly.pid")));
        assertEquals("/pidlock/nightly", b.keyFor(Path.of("/home/u/.run/nightly.pid")));
        assertEquals("/pidlock/job.lock", b.keyFor(Path.of("job.lock")));
    }

    @Test
    void itIsLeasedAndRanksBelowEveryLocalBackend() {
        EtcdBackend b = new EtcdBackend();
        assertEquals("etcd", b.id());
        assertTrue(b.capabilities().contains(Capability.LEASED));
        assertFalse(b.capabilities().contains(Capability.RELEASED_ON_PROCESS_DEATH));
        assertTrue(b.priority() < 5, "nio is 10, the example mkdir 5");
    }
}
