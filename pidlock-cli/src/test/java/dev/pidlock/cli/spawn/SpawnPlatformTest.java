package dev.pidlock.cli.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The declared constants equal the C headers' on this machine; undeclared platforms refuse to spawn. */
class SpawnPlatformTest {
    @TempDir
    Path dir;

    @Test
    void onlyLinuxX8664AndAarch64AreDeclared() {
        assertTrue(SpawnPlatform.of("Linux", "amd64").isPresent());
        assertTrue(SpawnPlatform.of("Linux", "aarch64").isPresent());
        assertEquals(SpawnPlatform.of("Linux", "amd64").orElseThrow().errnoNames(),
                SpawnPlatform.of("Linux", "aarch64").orElseThrow().errnoNames());
        assertFalse(SpawnPlatform.of("Mac OS X", "aarch64").isPresent());
        assertFalse(SpawnPlatform.of("FreeBSD", "amd64").isPresent());
        assertFalse(SpawnPlatform.of("Linux", "riscv64").isPresent());
    }

    @Test
    void declaredConstantsEqualTheCompilersAndTheBuffersAreLargeEnough() throws IOException, InterruptedException {
        SpawnPlatform p = SpawnPlatform.current().orElseThrow();
        StringBuilder body = new StringBuilder();
        for (String c : new String[] {"O_WRONLY", "O_CREAT", "O_APPEND", "O_CLOEXEC", "O_RDONLY", "F_GETFD",
            "F_SETFD", "FD_CLOEXEC", "F_DUPFD_CLOEXEC", "POSIX_SPAWN_SETSIGDEF", "POSIX_SPAWN_SETSIGMASK",
            "POSIX_SPAWN_SETSID", "SIG_SETMASK", "SYS_close_range", "SYS_rt_sigaction", "CLOSE_RANGE_CLOEXEC",
            "ENOENT", "ESRCH", "EINTR", "EBADF", "EACCES"}) {
            body.append("  printf(\"").append(c).append(" %ld\\n\", (long) ").append(c).append(");\n");
        }
        for (String t : new String[] {"posix_spawnattr_t", "posix_spawn_file_actions_t", "sigset_t"}) {
            body.append("  printf(\"sizeof(").append(t.replace(' ', '_')).append(") %zu\\n\", sizeof(").append(t)
                    .append("));\n");
        }
        body.append("  printf(\"SIG_IGN %ld\\n\", (long) SIG_IGN);\n");
        body.append("  printf(\"SIG_DFL %ld\\n\", (long) SIG_DFL);\n");
        body.append("  printf(\"NSIG-1 %d\\n\", NSIG - 1);\n");
        body.append("  printf(\"SIGRTMIN %d\\n\", SIGRTMIN);\n");
        body.append("  for (int e = 1; e < 134; e++) { const char *n = strerrorname_np(e);"
                + " if (n) printf(\"errno%d %s\\n\", e, n); }\n");
        Map<String, String> c = GccProbe.run(dir, body.toString());

        Map<String, Long> declared = new LinkedHashMap<>();
        declared.put("O_WRONLY", (long) p.oWronly());
        declared.put("O_CREAT", (long) p.oCreat());
        declared.put("O_APPEND", (long) p.oAppend());
        declared.put("O_CLOEXEC", (long) p.oCloexec());
        declared.put("O_RDONLY", (long) SpawnPlatform.O_RDONLY);
        declared.put("F_GETFD", (long) p.fGetfd());
        declared.put("F_SETFD", (long) p.fSetfd());
        declared.put("FD_CLOEXEC", (long) p.fdCloexec());
        declared.put("F_DUPFD_CLOEXEC", (long) p.fDupfdCloexec());
        declared.put("POSIX_SPAWN_SETSIGDEF", (long) p.spawnSetsigdef());
        declared.put("POSIX_SPAWN_SETSIGMASK", (long) p.spawnSetsigmask());
        declared.put("POSIX_SPAWN_SETSID", (long) p.spawnSetsid());
        declared.put("SIG_SETMASK", (long) p.sigSetmask());
        declared.put("SYS_close_range", (long) p.sysCloseRange());
        declared.put("SYS_rt_sigaction", (long) p.sysRtSigaction());
        declared.put("CLOSE_RANGE_CLOEXEC", (long) p.closeRangeCloexec());
        declared.put("ENOENT", (long) SpawnPlatform.ENOENT);
        declared.put("ESRCH", (long) SpawnPlatform.ESRCH);
        declared.put("EINTR", (long) SpawnPlatform.EINTR);
        declared.put("EBADF", (long) SpawnPlatform.EBADF);
        declared.put("EACCES", (long) SpawnPlatform.EACCES);
        declared.put("SIG_IGN", SpawnPlatform.SIG_IGN);
        declared.put("SIG_DFL", SpawnPlatform.SIG_DFL);
        declared.put("NSIG-1", (long) p.lastSignal());
        for (Map.Entry<String, Long> e : declared.entrySet()) {
            assertEquals(Long.toString(e.getValue()), c.get(e.getKey()), e.getKey());
        }
        assertEquals(Signals.LAST, p.lastSignal());
        assertEquals("34", c.get("SIGRTMIN"), "glibc keeps 32 and 33 for itself");
        assertTrue(p.isChangeableSignal(32) && p.isChangeableSignal(33), "through the rt_sigaction syscall");
        assertFalse(p.isChangeableSignal(9) || p.isChangeableSignal(19) || p.isChangeableSignal(65));

        assertTrue(p.attrBytes() >= Integer.parseInt(c.get("sizeof(posix_spawnattr_t)")));
        assertTrue(p.actionsBytes() >= Integer.parseInt(c.get("sizeof(posix_spawn_file_actions_t)")));
        assertTrue(p.sigsetBytes() >= Integer.parseInt(c.get("sizeof(sigset_t)")));
        assertTrue(p.sigactionBytes() >= 32, "the kernel's struct sigaction: handler, flags, restorer, mask");

        for (Map.Entry<Integer, String> e : p.errnoNames().entrySet()) {
            assertEquals(c.get("errno" + e.getKey()), e.getValue(), "errno " + e.getKey());
        }
    }
}
