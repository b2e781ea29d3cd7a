package dev.pidlock.buildchecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every code example in the javadoc of the reactor's main sources (a {@code <pre>{@code …}</pre>} block) is
 * compiled code: it appears, whitespace aside, in a {@code JavadocExamples*.java} file of some module's test
 * sources, where it compiles (and, where it can, runs). An example edited in the javadoc alone fails here.
 */
class JavadocCodeBlocksTest {

    /** A javadoc comment. */
    private static final Pattern COMMENT = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);
    /** The leading {@code *} of a comment's line. */
    private static final Pattern MARGIN = Pattern.compile("(?m)^\\s*\\*( ?)");
    /** An example, once the margin is gone. */
    private static final Pattern EXAMPLE = Pattern.compile("<pre>\\{@code(.*?)}</pre>", Pattern.DOTALL);

    /** An example, where it is written, and its code. */
    record Example(String where, String code) {
    }

    static List<Example> examples(Path file) {
        String text = read(file);
        List<Example> out = new ArrayList<>();
        Matcher comment = COMMENT.matcher(text);
        while (comment.find()) {
            String body = MARGIN.matcher(comment.group(1)).replaceAll("");
            Matcher example = EXAMPLE.matcher(body);
            while (example.find()) {
                int line = 1 + (int) text.substring(0, comment.start()).chars().filter(c -> c == '\n').count();
                out.add(new Example(file + " (comment at line " + line + ")", example.group(1)));
            }
        }
        return out;
    }

    private static List<Example> everyExample() {
        List<Example> out = new ArrayList<>();
        for (Path module : ReactorSources.publishedModules()) {
            for (Path file : ReactorSources.files(module.resolve("src/main/java"), "*.java")) {
                out.addAll(examples(file));
            }
        }
        return out;
    }

    private static List<Path> exampleSources() {
        List<Path> out = new ArrayList<>();
        for (Path module : ReactorSources.publishedModules()) {
            out.addAll(ReactorSources.files(module.resolve("src/test/java"), "JavadocExamples*.java"));
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theExamplesOfTheApiAndOfTheTestkitAreFound() {
        List<String> where = everyExample().stream().map(Example::where).collect(Collectors.toList());
        assertTrue(where.stream().anyMatch(w -> w.contains("PidLock.java")), where.toString());
        assertTrue(where.stream().anyMatch(w -> w.contains("PidFiles.java")), where.toString());
        assertTrue(where.stream().anyMatch(w -> w.contains("LockBackendContract.java")), where.toString());
        assertTrue(exampleSources().size() >= 2, exampleSources().toString());
    }

    @Test
    void everyJavadocExampleIsCodeOfAnExamplesSource() {
        String compiled = exampleSources().stream().map(JavadocCodeBlocksTest::read)
                .map(ReactorSources::normalised).collect(Collectors.joining("\n"));
        List<String> drifted = everyExample().stream()
                .filter(e -> !compiled.contains(ReactorSources.normalised(e.code())))
                .map(e -> e.where() + ":\n" + e.code().strip())
                .collect(Collectors.toList());
        assertEquals(List.of(), drifted, "javadoc examples found in no JavadocExamples*.java of the test sources "
                + exampleSources());
    }
}
