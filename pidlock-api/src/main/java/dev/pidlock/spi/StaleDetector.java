package dev.pidlock.spi;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Decides whether the process a pidfile names is a live holder, a dead one, or a reused pid. Consulted only
 * for an unlocked pidfile: a locked one is held, whatever it says.
 *
 * <p>Detectors compose with {@link #allOf(StaleDetector...)}: the first verdict that says stale wins;
 * otherwise the pidfile's process counts as running. Detectors found with {@link java.util.ServiceLoader}
 * are added to the default chain.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface StaleDetector {

    /**
     * @param holder the process the pidfile names
     * @return the verdict, never null
     * @since 0.1
     */
    StaleVerdict assess(RecordedHolder holder);

    /**
     * Alive by {@link ProcessHandle}: a pid with no process is dead. Knows nothing of reuse.
     *
     * @return the detector
     * @since 0.1
     */
    static StaleDetector processAlive() {
        return new BuiltInDetectors.ProcessAlive(ProcessLookup.SYSTEM);
    }

    /**
     * Start-time identity: a process that started after the pidfile was last written cannot have written it,
     * so its pid was reused. Allows two seconds of clock granularity. A file time in the future or before 1970,
     * or a start after now (the clock was stepped, or the time set by hand), proves nothing: the verdict is then
     * {@link StaleVerdict.Kind#UNDECIDED}, never stale, so that a live pid counts as running. The rule is meant
     * for unlocked pidfiles: a locked one's holder is proven by its lock.
     *
     * @return the detector
     * @since 0.1
     */
    static StaleDetector startTime() {
        return startTime(BuiltInDetectors.StartTime.DEFAULT_TOLERANCE);
    }

    /**
     * @param tolerance how much later than the file a process may seem to start and still count as its writer
     * @return a start-time identity detector with that tolerance
     * @since 0.1
     */
    static StaleDetector startTime(Duration tolerance) {
        return new BuiltInDetectors.StartTime(ProcessLookup.SYSTEM, tolerance);
    }

    /**
     * Command-line match (opt-in): the process counts as the holder only if its command line matches.
     *
     * @param expected a test of the whole command line (arguments separated by spaces)
     * @param description what is expected, for messages
     * @return the detector
     * @since 0.1
     */
    static StaleDetector commandLine(Predicate<String> expected, String description) {
        return new BuiltInDetectors.CommandLine(ProcessLookup.SYSTEM, expected, description);
    }

    /**
     * @param regex a regular expression that must be found in the process's command line
     * @return a command-line detector
     * @since 0.1
     */
    static StaleDetector commandLineMatching(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return commandLine(pattern.asPredicate(), "a command line matching /" + regex + "/");
    }

    /**
     * The process must run the same executable as this JVM (the python-pidfile idea). Opt-in.
     *
     * @return a command-line detector comparing executables
     * @since 0.1
     */
    static StaleDetector sameExecutable() {
        String self = ProcessHandle.current().info().command().orElse("");
        return new BuiltInDetectors.SameExecutable(ProcessLookup.SYSTEM, self);
    }

    /**
     * The built-in default: {@link #processAlive()} then {@link #startTime()}.
     *
     * @return the default chain (without ServiceLoader extensions)
     * @since 0.1
     */
    static StaleDetector defaults() {
        return allOf(processAlive(), startTime());
    }

    /**
     * @param detectors consulted in order
     * @return a detector that says stale as soon as one of them does
     * @since 0.1
     */
    static StaleDetector allOf(StaleDetector... detectors) {
        return new BuiltInDetectors.All(List.of(detectors));
    }

    /**
     * @param next consulted when this one does not say stale
     * @return the composition of this detector and {@code next}
     * @since 0.1
     */
    default StaleDetector and(StaleDetector next) {
        return allOf(this, next);
    }
}
