package dev.pidlock.testkit;

/**
 * How hard the torture suites push: {@code quick} in CI (the whole suite in a few minutes), {@code long} with
 * {@code -Ptorture} (system property {@code pidlock.torture=long}: at least 100 000 rounds in all). Every suite
 * prints one line of figures through {@link #report}.
 *
 * @since 0.1
 */
public final class TortureSettings {
    private TortureSettings() {
    }

    /**
     * @return whether the long run was asked for
     * @since 0.1
     */
    public static boolean isLong() {
        return "long".equals(System.getProperty("pidlock.torture", "quick"));
    }

    /**
     * @param quick the CI size
     * @param full  the size of a long run
     * @return the size for this run
     * @since 0.1
     */
    public static int size(int quick, int full) {
        return isLong() ? full : quick;
    }

    /**
     * Prints a suite's figures on one line, for the build log and the closing notes:
     * {@code TORTURE suite=exclusion backend=ofd processes=6 rounds=1200 kills=0 violations=0}.
     *
     * @param suite      which suite
     * @param backend    the backend id (or a mix, such as {@code ofd+flock|flock(1)})
     * @param processes  how many processes took part
     * @param rounds     acquire/release rounds (or generated cases) in all
     * @param kills      SIGKILLs sent
     * @param violations double grants or other broken promises seen (0, or the test fails)
     * @since 0.1
     */
    public static void report(String suite, String backend, long processes, long rounds, long kills,
            long violations) {
        System.out.println("TORTURE suite=" + suite + " backend=" + backend + " mode=" + (isLong() ? "long" : "quick")
                + " processes=" + processes + " rounds=" + rounds + " kills=" + kills + " violations=" + violations);
    }
}
