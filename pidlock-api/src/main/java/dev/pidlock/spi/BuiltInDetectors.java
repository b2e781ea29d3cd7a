package dev.pidlock.spi;

import dev.pidlock.internal.proc.ProcFs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The stale detectors pidlock ships; reached through the factories of {@link StaleDetector}. */
final class BuiltInDetectors {

    private BuiltInDetectors() {
    }

    record ProcessAlive(ProcessLookup lookup) implements StaleDetector {
        @Override
        public StaleVerdict assess(RecordedHolder holder) {
            return lookup.find(holder.pid()).isPresent()
                    ? StaleVerdict.alive("process " + holder.pid() + " is alive")
                    : notFound(holder.pid());
        }
    }

    /**
     * @param lookup    the processes
     * @param tolerance how much later than the file a process may seem to start
     * @param clock     the wall clock: a file time (or a start) after it is impossible and proves nothing
     */
    record StartTime(ProcessLookup lookup, Duration tolerance, Supplier<Instant> clock) implements StaleDetector {
        /** Linux reports boot time in whole seconds and start time in clock ticks: allow for both. */
        static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(2);

        StartTime(ProcessLookup lookup, Duration tolerance) {
            this(lookup, tolerance, Instant::now);
        }

        @Override
        public StaleVerdict assess(RecordedHolder holder) {
            Optional<ProcessLookup.Seen> seen = lookup.find(holder.pid());
            if (seen.isEmpty()) {
                return notFound(holder.pid());
            }
            Optional<Instant> start = seen.get().start();
            if (start.isEmpty() || holder.writtenAt().isEmpty()) {
                return StaleVerdict.undecided("start time of " + holder.pid() + " or the file's time is unknown");
            }
            Instant written = holder.writtenAt().get();
            Instant now = clock.get();
            // the clock was stepped back, or the time was set by hand: the times compare nothing
            if (written.isAfter(now.plus(tolerance)) || written.isBefore(Instant.EPOCH)) {
                return StaleVerdict.undecided("the pidfile's time " + written + " is impossible (now: " + now
                        + "): it proves nothing about process " + holder.pid());
            }
            if (start.get().isAfter(now.plus(tolerance))) {
                return StaleVerdict.undecided("process " + holder.pid() + " seems to start at " + start.get()
                        + ", after now (" + now + "): the clock moved, its start proves nothing");
            }
            if (start.get().isAfter(written.plus(tolerance))) {
                return StaleVerdict.reused("process " + holder.pid() + " started at " + start.get()
                        + ", after the pidfile was written at " + written + ": the pid was reused");
            }
            return StaleVerdict.alive("process " + holder.pid() + " started before the pidfile was written");
        }
    }

    record CommandLine(ProcessLookup lookup, Predicate<String> expected, String description)
            implements StaleDetector {
        @Override
        public StaleVerdict assess(RecordedHolder holder) {
            Optional<ProcessLookup.Seen> seen = lookup.find(holder.pid());
            if (seen.isEmpty()) {
                return notFound(holder.pid());
            }
            Optional<String> line = seen.get().commandLine();
            if (line.isEmpty()) {
                return StaleVerdict.undecided("command line of " + holder.pid() + " is not readable");
            }
            return expected.test(line.get())
                    ? StaleVerdict.alive("process " + holder.pid() + " runs " + description)
                    : StaleVerdict.mismatch("process " + holder.pid() + " does not run " + description
                            + " (it runs " + line.get() + ")");
        }
    }

    record SameExecutable(ProcessLookup lookup, String executable) implements StaleDetector {
        @Override
        public StaleVerdict assess(RecordedHolder holder) {
            Optional<ProcessLookup.Seen> seen = lookup.find(holder.pid());
            if (seen.isEmpty()) {
                return notFound(holder.pid());
            }
            Optional<String> theirs = seen.get().executable();
            if (theirs.isEmpty() || executable.isEmpty()) {
                return StaleVerdict.undecided("executable of " + holder.pid() + " is not readable");
            }
            return theirs.get().equals(executable)
                    ? StaleVerdict.alive("process " + holder.pid() + " runs " + executable)
                    : StaleVerdict.mismatch("process " + holder.pid() + " runs " + theirs.get()
                            + ", not " + executable);
        }
    }

    record All(List<StaleDetector> detectors) implements StaleDetector {
        All {
            detectors = List.copyOf(detectors);
        }

        @Override
        public StaleVerdict assess(RecordedHolder holder) {
            StaleVerdict alive = null;
            StaleVerdict undecided = StaleVerdict.undecided("no detector could tell");
            for (StaleDetector detector : detectors) {
                StaleVerdict verdict = detector.assess(holder);
                if (verdict.kind().isStale()) {
                    return verdict;
                }
                if (verdict.kind() == StaleVerdict.Kind.ALIVE) {
                    alive = verdict;
                } else if (alive == null) {
                    undecided = verdict;
                }
            }
            return alive != null ? alive : undecided;
        }
    }

    /**
     * A pid no process is seen with: dead, unless {@code /proc} hides other users' processes from this one
     * ({@code hidepid}), when it proves nothing: such a pid is treated as running (the safe side).
     */
    private static StaleVerdict notFound(long pid) {
        return ProcFs.hidesOthers()
                ? StaleVerdict.undecided("no process with pid " + pid + " can be seen, but /proc hides other users'"
                        + " processes (hidepid): it may run")
                : StaleVerdict.dead("no process has pid " + pid);
    }
}
