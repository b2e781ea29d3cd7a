package dev.pidlock.internal.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.ProcessInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {

    private static final List<String> STATUS = List.of(
            "Name:\tjava",
            "VmPeak:\t 5000000 kB",
            "VmRSS:\t   123456 kB",
            "RssAnon:\t   100000 kB",
            "Threads:\t25");

    private static boolean linux() {
        return System.getProperty("os.name").startsWith("Linux");
    }

    @Test
    void theLastPidIsAtLeastThatOfTheNewestProcess() throws Exception {
        assumeTrue(linux() && Files.isReadable(Path.of("/proc/sys/kernel/ns_last_pid")));
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        // pids are given out in increasing order until they wrap at pid_max: not within this test
        long last = ProcFs.lastPid().orElseThrow();
        assertTrue(last >= p.pid(), "ns_last_pid " + last + " after pid " + p.pid());
    }

    @Test
    void aKibibyteFieldIsReadInBytes() {
        assertEquals(OptionalLong.of(123_456L * 1024), ProcFs.parseKibibytes(STATUS, "VmRSS:"));
        assertEquals(OptionalLong.of(5_000_000L * 1024), ProcFs.parseKibibytes(STATUS, "VmPeak:"));
    }

    @Test
    void meminfoStyleSpacingIsRead() {
        assertEquals(OptionalLong.of(16_318_888L * 1024),
                ProcFs.parseKibibytes(List.of("MemTotal:       16318888 kB", "MemFree:         1000 kB"), "MemTotal:"));
    }

    @Test
    void aMissingFieldIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(STATUS, "VmSwap:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of(), "VmRSS:"));
    }

    @Test
    void aFieldIsMatchedByItsWholeNameWithTheColon() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSSx:\t 1 kB"), "VmRSS:"));
        assertEquals(OptionalLong.of(100_000L * 1024), ProcFs.parseKibibytes(STATUS, "RssAnon:"));
    }

    @Test
    void aFieldWithoutTheKbUnitIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(STATUS, "Threads:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:\t 12 MB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:\t 12 kB extra"), "VmRSS:"));
    }

    @Test
    void aValueThatIsNotANumberIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:\t lots kB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:"), "VmRSS:"));
    }

    @Test
    void theFirstOccurrenceCounts() {
        assertEquals(OptionalLong.of(1024), ProcFs.parseKibibytes(List.of("VmRSS: 1 kB", "VmRSS: 2 kB"), "VmRSS:"));
    }

    @Test
    void anUnreadableFileIsEmpty(@TempDir Path temp) {
        assertEquals(OptionalLong.empty(), ProcFs.kibibytesField(temp.resolve("absent"), "VmRSS:"));
    }

    @Test
    void aReadableFileIsParsed(@TempDir Path temp) throws IOException {
        Path status = Files.write(temp.resolve("status"), STATUS);
        assertEquals(OptionalLong.of(123_456L * 1024), ProcFs.kibibytesField(status, "VmRSS:"));
    }

    @Test
    void onLinuxProcIsPresentAndThisJvmHasResidentMemory() {
        assumeTrue(linux());
        assertTrue(ProcFs.present());
        OptionalLong rss = ProcFs.residentBytes(ProcessHandle.current().pid());
        assertTrue(rss.isPresent() && rss.getAsLong() > 0, rss.toString());
        assertEquals(0, rss.getAsLong() % 1024);
    }

    @Test
    void onLinuxTheMachineHasMoreMemoryThanThisJvmUses() {
        assumeTrue(linux());
        OptionalLong total = ProcFs.totalMemoryBytes();
        OptionalLong rss = ProcFs.residentBytes(ProcessHandle.current().pid());
        assertTrue(total.isPresent() && rss.isPresent());
        assertTrue(total.getAsLong() > rss.getAsLong(), total + " vs " + rss);
    }

    @Test
    void aPidWithNoProcessHasNoResidentMemory() {
        assertEquals(OptionalLong.empty(), ProcFs.residentBytes(Long.MAX_VALUE));
    }

    @Test
    void thisProcessHasNotExited() {
        assumeTrue(linux());
        assertFalse(ProcFs.hasExited(ProcessHandle.current().pid()));
    }

    @Test
    void thisProcessIsReadFromItsStatLine() {
        assumeTrue(linux());
        ProcessHandle self = ProcessHandle.current();
        ProcStat stat = ProcFs.stat(self.pid()).orElseThrow();
        assertEquals(self.pid(), stat.pid());
        assertEquals(self.parent().map(ProcessHandle::pid).orElse(0L), stat.parent());
        assertTrue("RSD".indexOf(stat.state()) >= 0, "state " + stat.state());
        assertFalse(stat.exited());
        assertTrue(stat.startTicks() > 0 && stat.rssPages() > 0 && stat.userTicks() >= 0, stat.toString());
        assertTrue(ProcFs.alive(self.pid()));
        assertTrue(ProcFs.mayHoldFiles(self.pid()));
        assertFalse(ProcFs.terminated(self.pid()));
        assertEquals(ProcFs.ownerOfSelf(), ProcFs.owner(self.pid()));
        assertTrue(ProcFs.ownerOfSelf().isPresent());
    }

    @Test
    void aMissingPidHasNothingToReadAndHasExited() {
        assumeTrue(linux());
        long missing = Long.MAX_VALUE;
        assertEquals(Optional.empty(), ProcFs.stat(missing));
        assertTrue(ProcFs.hasExited(missing), "/proc is there and the pid's entry is not");
        assertFalse(ProcFs.alive(missing));
        assertTrue(ProcFs.terminated(missing));
        assertFalse(ProcFs.mayHoldFiles(missing));
        assertEquals(Optional.empty(), ProcFs.children(missing));
        assertEquals(Optional.empty(), ProcFs.descendants(missing));
        assertEquals(Optional.empty(), ProcFs.fdLocks(missing, 0));
        assertEquals(OptionalLong.empty(), ProcFs.owner(missing));
    }

    @Test
    void theChildrenListsNameChildrenAndGrandchildren() throws Exception {
        assumeTrue(linux());
        assumeTrue(ProcFs.children(ProcessHandle.current().pid()).isPresent(), "no CONFIG_PROC_CHILDREN");
        Process sh = new ProcessBuilder("sh", "-c", "sleep 30 & echo $!; wait").start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sh.getInputStream(),
                StandardCharsets.US_ASCII))) {
            long sleep = Long.parseLong(out.readLine().trim());
            assertTrue(ProcFs.children(ProcessHandle.current().pid()).orElseThrow().contains(sh.pid()));
            assertEquals(List.of(sleep), ProcFs.children(sh.pid()).orElseThrow());
            assertEquals(List.of(sleep), ProcFs.descendants(sh.pid()).orElseThrow());
            assertEquals(List.of(), ProcFs.descendants(sleep).orElseThrow());
            List<Long> mine = ProcFs.descendants(ProcessHandle.current().pid()).orElseThrow();
            assertTrue(mine.indexOf(sh.pid()) >= 0 && mine.indexOf(sh.pid()) < mine.indexOf(sleep), mine.toString());
        } finally {
            sh.descendants().forEach(ProcessHandle::destroyForcibly);
            sh.destroyForcibly().waitFor();
        }
    }

    @Test
    void aLockThisJvmHoldsIsInProcLocksAndInItsDescriptorsFdinfo(@TempDir Path temp) throws IOException {
        assumeTrue(linux());
        assumeTrue(ProcFs.locks().isPresent(), "no /proc/locks");
        Path file = temp.resolve("locked");
        long self = ProcessHandle.current().pid();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            List<ProcLock> held = ProcFs.locks().orElseThrow().stream()
                    .filter(l -> l.isOn(dev, ino)).collect(Collectors.toList());
            assertEquals(1, held.size(), held.toString());
            assertEquals("POSIX", held.get(0).kind());
            assertEquals(self, held.get(0).pid());
            assertTrue(held.get(0).write());
            assertFalse(held.get(0).waiting());
            List<ProcLock> viaFd = new ArrayList<>();
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path fd : fds) {
                    Path target;
                    try {
                        target = Files.readSymbolicLink(fd);
                    } catch (NoSuchFileException closedMeanwhile) {
                        continue;
                    }
                    if (target.equals(file.toRealPath())) {
                        viaFd.addAll(ProcFs.fdLocks(self, Integer.parseInt(fd.getFileName().toString()))
                                .orElseThrow());
                    }
                }
            }
            // the same lock; its number in fdinfo counts the descriptor's locks, not the kernel's
            assertEquals(1, viaFd.size(), viaFd.toString());
            ProcLock same = held.get(0);
            assertEquals(new ProcLock(viaFd.get(0).id(), false, "POSIX", true, self, same.major(), same.minor(),
                    same.inode()), viaFd.get(0));
        }
    }

    /** A value that would overflow or is negative is unknown, never a made-up number. */
    @Test
    void overflowingOrNegativeSizesAreUnknown() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS: 9007199254740992 kB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS: -5 kB"), "VmRSS:"));
        assertEquals(OptionalLong.of(5120), ProcFs.parseKibibytes(List.of("VmRSS: 5 kB"), "VmRSS:"));
    }

    /** /proc mounted with hidepid hides other users' processes: a pid it does not show may run. */
    @Test
    void hidepidIsReadFromTheMountOfProc() {
        String root = "22 1 0:5 / / rw,relatime shared:1 - ext4 /dev/sda1 rw";
        String hidden = "25 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=2";
        String invisible = "25 22 0:21 / /proc rw,relatime - proc proc rw,hidepid=invisible";
        String off = "25 22 0:21 / /proc rw,relatime - proc proc rw,hidepid=0";
        String plain = "25 22 0:21 / /proc rw,relatime shared:12 - proc proc rw";
        assertTrue(ProcFs.hidepidIn(List.of(root, hidden)));
        assertTrue(ProcFs.hidepidIn(List.of(invisible)));
        assertFalse(ProcFs.hidepidIn(List.of(root, off)));
        assertFalse(ProcFs.hidepidIn(List.of(root, plain)));
        assertFalse(ProcFs.hidepidIn(List.of("25 22 0:21 / /mnt rw - proc proc rw,hidepid=2")), "not /proc");
    }

    /** The JDK's reading of {@code cmdline} ({@code ProcessHandleImpl_linux.c}), case by case. */
    @Test
    void aCommandLineReadsAsProcessHandleInfoReadsIt() {
        Charset utf8 = StandardCharsets.UTF_8;
        Optional<String> exe = Optional.of("/usr/bin/python3.11");
        assertEquals(Optional.of("/usr/bin/python3.11 -c a b"),
                ProcFs.commandLine("python3\0-c\0a b\0".getBytes(utf8), exe, utf8), "the executable, then argv[1..]");
        assertEquals(Optional.of("/usr/bin/python3.11 "), ProcFs.commandLine("python3\0".getBytes(utf8), exe, utf8),
                "no arguments: a trailing space");
        assertEquals(Optional.of("/usr/bin/python3.11 x"),
                ProcFs.commandLine("python3\0x\0\0y\0".getBytes(utf8), exe, utf8), "up to the first empty argument");
        assertEquals(Optional.of("python3 -c a b "),
                ProcFs.commandLine("python3\0-c\0a b\0".getBytes(utf8), Optional.empty(), utf8),
                "no executable: the NULs as spaces");
        assertEquals(exe, ProcFs.commandLine(new byte[0], exe, utf8), "no cmdline: the executable");
        assertEquals(Optional.empty(), ProcFs.commandLine(new byte[0], Optional.empty(), utf8));
        byte[] full = new byte[ProcFs.CMDLINE_LIMIT];
        Arrays.fill(full, (byte) 'a');
        full[1] = 0;
        assertEquals(Optional.of("a " + "a".repeat(ProcFs.CMDLINE_LIMIT - 2)), ProcFs.commandLine(full, exe, utf8),
                "a full page: the NULs as spaces");
        assertEquals(Optional.of("/bin/x \u00fc"), ProcFs.commandLine("x\0\u00fc\0".getBytes(utf8),
                Optional.of("/bin/x"), utf8));
        assertEquals(Optional.of("/bin/x ??"), ProcFs.commandLine("x\0\u00fc\0".getBytes(utf8),
                Optional.of("/bin/x"), StandardCharsets.US_ASCII), "US-ASCII: a ? per other byte");
    }

    @Test
    void statmGivesResidentPagesAndNothingWithoutMemory() {
        assertEquals(OptionalLong.of(3380 * 4096L), ProcFs.statmResident("21000 3380 2000 600 0 1500 0\n", 4096));
        assertEquals(OptionalLong.empty(), ProcFs.statmResident("0 0 0 0 0 0 0", 4096), "a kernel thread or zombie");
        assertEquals(OptionalLong.empty(), ProcFs.statmResident("x", 4096));
    }

    @Test
    void bootTimeIsBtimeInMilliseconds() {
        assertEquals(OptionalLong.of(1_700_000_000_000L), ProcFs.bootMillis(List.of("cpu  1 2 3", "btime 1700000000",
                "processes 9")));
        assertEquals(OptionalLong.empty(), ProcFs.bootMillis(List.of("cpu  1 2 3")));
    }

    /** A command name is any bytes the process set, UTF-8 or not: its stat still reads. */
    @Test
    void aProcessNamedInBytesThatAreNotUtf8HasAStat() throws Exception {
        assumeTrue(ProcFs.present());
        Process p = new ProcessBuilder("python3", "-c", "import sys, time\n"
                + "open('/proc/self/comm', 'wb').write(b'x\\xff\\xfe)y')\nprint('named', flush=True)\ntime.sleep(60)")
                .start();
        try {
            assertEquals("named", new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)).readLine());
            ProcStat stat = ProcFs.stat(p.pid()).orElseThrow();
            assertEquals("x\ufffd\ufffd)y", stat.command());
            assertTrue(ProcFs.alive(p.pid()));
            assertTrue(ProcessInfo.of(p.pid()).alive());
        } finally {
            p.destroy();
            p.waitFor();
        }
    }
}
