package dev.pidlock.internal.naming;

import java.util.Optional;

/**
 * The default lock name: the running program, as the seeds use {@code argv[0]} or the caller's file. For a
 * JVM that is the main module, the jar without {@code .jar}, or the main class's simple name.
 */
public final class ProgramName {

    private ProgramName() {
    }

    /** @return the name of this JVM's program */
    public static String ofThisJvm() {
        return fromLaunch(System.getProperty("jdk.module.main"), System.getProperty("sun.java.command"),
                System.getProperty("java.class.path")).orElse("java");
    }

    /**
     * @param mainModule  the value of {@code jdk.module.main}, or null
     * @param javaCommand the value of {@code sun.java.command}, or null
     * @param classPath   the value of {@code java.class.path}, or null: with {@code java -jar} it is the jar,
     *                    which tells where a jar path with spaces ends
     * @return the program name those launch facts give
     */
    public static Optional<String> fromLaunch(String mainModule, String javaCommand, String classPath) {
        if ((mainModule == null || mainModule.isBlank()) && javaCommand != null && classPath != null
                && classPath.endsWith(".jar") && javaCommand.startsWith(classPath)) {
            return fromLaunch(null, classPath.replace(' ', '_'));
        }
        return fromLaunch(mainModule, javaCommand);
    }

    /**
     * @param mainModule  the value of {@code jdk.module.main}, or null
     * @param javaCommand the value of {@code sun.java.command}, or null
     * @return the program name those launch facts give
     */
    public static Optional<String> fromLaunch(String mainModule, String javaCommand) {
        if (mainModule != null && !mainModule.isBlank()) {
            return Optional.of(mainModule.strip());
        }
        if (javaCommand == null || javaCommand.isBlank()) {
            return Optional.empty();
        }
        String first = javaCommand.strip().split("\\s+", 2)[0];
        if (first.endsWith(".jar")) {
            String file = first.substring(Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1);
            return Optional.of(file.substring(0, file.length() - ".jar".length()));
        }
        int slash = first.indexOf('/');
        if (slash > 0) {
            first = first.substring(slash + 1);
        }
        return Optional.of(first.substring(first.lastIndexOf('.') + 1));
    }
}
