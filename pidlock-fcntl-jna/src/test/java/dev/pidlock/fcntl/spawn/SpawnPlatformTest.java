package dev.pidlock.fcntl.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.fcntl.libc.GccProbe;
import dev.pidlock.fcntl.libc.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spawning constants of {@link Platform} equal the C headers' on this machine; platforms that do not
 * declare spawning refuse to spawn.
 */
class SpawnPlatformTest {
    @TempDir
    Path dir;

    private static Optional<Platform.Spawning> spawning(String osName, String osArch) {
        return Platform.of(osName, osArch).flatMap(Platform::spawning);
    }

    @Test
    void onlyLinuxX8664AndAarch64AreDeclared() {
        assertTrue(spawning("Linux", "amd64").isPresent());
        assertTrue(spawning("Linux", "aarch64").isPresent());
        assertEquals(Platform.of("Linux", "amd64").orElseThrow().errno().names(),
                Platform.of("Linux", "aarch64").orElseThrow().errno().names());
        assertFalse(spawning("Mac OS X", "aarch64").isPresent());
        assertFalse(spawning("FreeBSD", "amd64").isPresent());
        assertFalse(spawning("Linux", "riscv64").isPresent());
        assertEquals(PosixSpawn.platform().isPresent(), Platform.current().flatMap(Platform::spawning).isPresent());
    }

    @Test
    void declaredConstantsEqualTheCompilersAndTheBuffersAreLargeEnough() throws IOException, InterruptedException {
        Platform platform = Platform.current().orElseThrow();
        Platform.Spawning p = platform.spawning().orElseThrow();
        Platform.OpenFlags o = platform.openFlags();
        Platform.FcntlCommands f = platform.fcntl();
        Platform.Errno e = platform.errno();
        StringBuilder body = new StringBuilder();
        for (String c : new String[] {"O_WRONLY", "O_CREAT", "O_APPEND", "O_CLOEXEC", "O_RDONLY", "F_GETFD",
            "F_SETFD", "FD_CLOEXEC", "F_DUPFD_CLOEXEC", "POSIX_SPAWN_SETSIGDEF", "POSIX_SPAWN_SETSIGMASK",
            "POSIX_SPAWN_SETSID", "SIG_SETMASK", "SYS_close_range", "SYS_rt_sigaction", "CLOSE_RANGE_CLOEXEC",
            "ENOENT", "ESRCH", "EINTR", "EBADF", "EACCES", "SYS_pidfd_open", "SYS_pidfd_send_signal", "POLLIN"}) {
            body.append("  printf(\"").append(c).append(" %ld\\n\", (long) ").append(c).append(");\n");
        }
        for (String t : new String[] {"posix_spawnattr_t", "posix_spawn_file_actions_t", "sigset_t"}) {
            body.append("  printf(\"sizeof(").append(t.replace(' ', '_')).append(") %zu\\n\", sizeof(").append(t)
                    .append("));\n");
        }
        body.append("  printf(\"sizeof(struct_pollfd) %zu\\n\", sizeof(struct pollfd));\n");
        body.append("  printf(\"offsetof(pollfd.events) %zu\\n\", offsetof(struct pollfd, events));\n");
        body.append("  printf(\"offsetof(pollfd.revents) %zu\\n\", offsetof(struct pollfd, revents));\n");
        body.append("  printf(\"sizeof(nfds_t) %zu\\n\", sizeof(nfds_t));\n");
        body.append("  printf(\"SIG_IGN %ld\\n\", (long) SIG_IGN);\n");
        body.append("  printf(\"SIG_DFL %ld\\n\", (long) SIG_DFL);\n");
        body.append("  printf(\"NSIG-1 %d\\n\", NSIG - 1);\n");
        body.append("  printf(\"SIGRTMIN %d\\n\", SIGRTMIN);\n");
        body.append("  for (int e = 1; e < 134; e++) { const char *n = strerrorname_np(e);"
                + " if (n) printf(\"errno%d %s\\n\", e, n); }\n");
        Map<String, String> c = GccProbe.run(dir, body.toString());

        Map<String, Long> declared = new LinkedHashMap<>();
        declared.put("O_WRONLY", (long) o.wronly());
        declared.put("O_CREAT", (long) o.creat());
        declared.put("O_APPEND", (long) o.append());
        declared.put("O_CLOEXEC", (long) o.cloexec());
        declared.put("O_RDONLY", (long) o.rdonly());
        declared.put("F_GETFD", (long) f.getfd());
        declared.put("F_SETFD", (long) f.setfd());
        declared.put("FD_CLOEXEC", (long) f.fdCloexec());
        declared.put("F_DUPFD_CLOEXEC", (long) f.dupfdCloexec());
        declared.put("POSIX_SPAWN_SETSIGDEF", (long) p.setsigdef());
        declared.put("POSIX_SPAWN_SETSIGMASK", (long) p.setsigmask());
        declared.put("POSIX_SPAWN_SETSID", (long) p.setsid());
        declared.put("SIG_SETMASK", (long) p.sigSetmask());
        declared.put("SYS_close_range", (long) p.sysCloseRange());
        declared.put("SYS_rt_sigaction", (long) p.sysRtSigaction());
        declared.put("CLOSE_RANGE_CLOEXEC", (long) p.closeRangeCloexec());
        declared.put("ENOENT", (long) e.enoent());
        declared.put("ESRCH", (long) e.esrch());
        declared.put("EINTR", (long) e.eintr());
        declared.put("EBADF", (long) numberOf(e, "EBADF"));
        declared.put("EACCES", (long) e.eacces());
        declared.put("SIG_IGN", Platform.Spawning.SIG_IGN);
        declared.put("SIG_DFL", Platform.Spawning.SIG_DFL);
        declared.put("NSIG-1", (long) p.lastSignal());
        declared.put("SYS_pidfd_open", (long) p.sysPidfdOpen());
        declared.put("SYS_pidfd_send_signal", (long) p.sysPidfdSendSignal());
        declared.put("POLLIN", (long) p.pollIn());
        declared.put("sizeof(struct_pollfd)", (long) Platform.Spawning.POLLFD_BYTES);
        declared.put("offsetof(pollfd.events)", (long) Platform.Spawning.POLLFD_EVENTS);
        declared.put("offsetof(pollfd.revents)", (long) Platform.Spawning.POLLFD_REVENTS);
        declared.put("sizeof(nfds_t)", 8L);
        for (Map.Entry<String, Long> d : declared.entrySet()) {
            assertEquals(Long.toString(d.getValue()), c.get(d.getKey()), d.getKey());
        }
        assertEquals(Signals.LAST, p.lastSignal());
        assertEquals("34", c.get("SIGRTMIN"), "glibc keeps 32 and 33 for itself");
        assertTrue(p.isChangeableSignal(32) && p.isChangeableSignal(33), "through the rt_sigaction syscall");
        assertFalse(p.isChangeableSignal(9) || p.isChangeableSignal(19) || p.isChangeableSignal(65));

        assertTrue(p.attrBytes() >= Integer.parseInt(c.get("sizeof(posix_spawnattr_t)")));
        assertTrue(p.actionsBytes() >= Integer.parseInt(c.get("sizeof(posix_spawn_file_actions_t)")));
        assertTrue(p.sigsetBytes() >= Integer.parseInt(c.get("sizeof(sigset_t)")));
        assertTrue(p.sigactionBytes() >= 32, "the kernel's struct sigaction: handler, flags, restorer, mask");

        for (Map.Entry<Integer, String> n : e.names().entrySet()) {
            assertEquals(c.get("errno" + n.getKey()), n.getValue(), "errno " + n.getKey());
        }
    }

    private static int numberOf(Platform.Errno errno, String name) {
        return errno.names().entrySet().stream().filter(n -> n.getValue().equals(name)).findFirst().orElseThrow()
                .getKey();
    }
}
