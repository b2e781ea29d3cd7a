package dev.pidlock.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Used only when the image is built: runs several {@code pidlock} command lines in one JVM, so that one run
 * records what they all load and link (the JDK 25 AOT cache, or on an older JDK the class list of its
 * class-data sharing archive). Its arguments are the command lines, each ended by a lone {@value #END}; what
 * they print and their exit codes are of no interest.
 */
public final class Training {
    /** Ends one command line among the arguments. */
    static final String END = ";;";

    private Training() {
    }

    /** @param args command lines, each ended by {@value #END} */
    public static void main(String[] args) {
        for (List<String> line : lines(args)) {
            try {
                Main.run(line.toArray(String[]::new));
            } catch (RuntimeException e) {
                // a failing command line still trained what it loaded
            }
        }
        System.exit(0);
    }

    /** @return the command lines, each without its {@value #END} */
    static List<List<String>> lines(String[] args) {
        List<List<String>> out = new ArrayList<>();
        List<String> line = new ArrayList<>();
        for (String a : args) {
            if (a.equals(END)) {
                out.add(line);
                line = new ArrayList<>();
            } else {
                line.add(a);
            }
        }
        if (!line.isEmpty()) {
            out.add(line);
        }
        return out;
    }
}
