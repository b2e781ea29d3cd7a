package dev.pidlock.testkit;

/**
 * The code examples of the testkit's javadoc, compiled: how a backend module subclasses each abstract suite.
 * They only compile here, since the testkit has no backend to run them against; pidlock-nio's
 * {@code NioBackendTest}, {@code NioHostileInputTortureTest} and {@code NioForeignPidTortureTest} are the same
 * classes, run. pidlock-build-checks' {@code JavadocCodeBlocksTest} fails when the javadoc shows code that is
 * not here.
 * Nested classes, so that Surefire never takes them for tests to run.
 */
final class JavadocExamples {

    private JavadocExamples() {
    }

    /** {@link LockBackendContract}'s example. */
    static class NioBackendTest extends LockBackendContract {
        @Override protected String backendId() { return "nio"; }
    }

    /** {@link HostileInputTorture}'s example. */
    static class NioHostileInputTortureTest extends HostileInputTorture {
        @Override protected String backendId() { return "nio"; }
    }

    /** {@link ForeignPidTorture}'s example. */
    static class NioForeignPidTortureTest extends ForeignPidTorture {
        @Override protected String backendId() { return "nio"; }
    }

    /** {@link ExclusionTorture}'s example. */
    static class NioExclusionTortureTest extends ExclusionTorture {
        @Override protected String backendId() { return "nio"; }
    }

    /** {@link CrashTorture}'s example. */
    static class NioCrashTortureTest extends CrashTorture {
        @Override protected String backendId() { return "nio"; }
    }
}
