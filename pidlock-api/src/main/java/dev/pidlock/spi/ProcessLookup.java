package dev.pidlock.spi;

import dev.pidlock.internal.proc.ProcFs;
import java.time.Instant;
import java.util.Optional;

/** What the built-in detectors need to know about a pid; replaced in tests. */
interface ProcessLookup {

    /** Facts about a live process: start and command line when readable. */
    record Seen(Optional<Instant> start, Optional<String> commandLine, Optional<String> executable) {
    }

    /** @return the process, or empty when no process has that pid */
    Optional<Seen> find(long pid);

    /** A zombie or exiting process is not found: it holds no lock and runs no code ({@link ProcFs#alive}). */
    ProcessLookup SYSTEM = pid -> ProcessHandle.of(pid)
            .filter(p -> ProcFs.alive(p.pid()))
            .map(p -> {
                ProcessHandle.Info info = p.info();
                return new Seen(info.startInstant(), info.commandLine(), info.command());
            });
}
