package dev.pidlock.cli;

import dev.pidlock.fcntl.spawn.RawBytes;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Reads a path option, the same in every locale: the argument's bytes ({@link RawCommandLine}) are the
 * path's bytes. The JVM's file names are UTF-8 (the launcher runs it under {@code LC_ALL=C.UTF-8}), so a
 * path whose bytes are not UTF-8, or any non-ASCII path when that locale is missing, is refused in one line.
 */
final class PathConverter implements CommandLine.ITypeConverter<Path> {

    @Override
    public Path convert(String value) {
        if (value.isEmpty()) {
            throw new CommandLine.TypeConversionException("the path is empty");
        }
        if (value.indexOf('\0') >= 0) {
            throw new CommandLine.TypeConversionException("'" + Printable.of(value) + "' contains a NUL byte");
        }
        if (RawBytes.hasEscapedBytes(value)) {
            throw new CommandLine.TypeConversionException("'" + Printable.of(value) + "' is not valid UTF-8,"
                    + " and pidlock opens files by UTF-8 names only");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + Printable.of(value) + "' cannot be a file name"
                    + " here: the JVM encodes file names in " + System.getProperty("sun.jnu.encoding")
                    + " (the launcher runs it under LC_ALL=C.UTF-8: is the C.UTF-8 locale installed?)");
        }
    }
}
