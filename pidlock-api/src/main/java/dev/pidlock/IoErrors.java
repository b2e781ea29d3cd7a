package dev.pidlock;

import dev.pidlock.spi.NativeCallException;
import dev.pidlock.spi.UnsafeFileException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.util.Locale;

/** Turns I/O failures into pidlock exceptions, at one place, naming operation, path and errno. */
final class IoErrors {

    private IoErrors() {
    }

    static PidLockException translate(Path path, String operation, IOException e) {
        if (e instanceof UnsafeFileException u) {
            return new UnsafePidFileException(path, "refusing pidfile " + u.getMessage());
        }
        if (e instanceof NativeCallException n) {
            return new PidFileAccessException(path, n.call(), n.errnoName(), n.getMessage(), e);
        }
        String errno = errnoOf(e);
        String reason = reasonOf(e);
        String message = operation + " " + path + ": " + (errno != null ? errno + " (" + reason + ")" : reason);
        return new PidFileAccessException(path, operation, errno, message, e);
    }

    static String errnoOf(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "EACCES";
        }
        if (e instanceof NoSuchFileException) {
            return "ENOENT";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "EEXIST";
        }
        if (e instanceof NotDirectoryException) {
            return "ENOTDIR";
        }
        if (e instanceof FileSystemLoopException) {
            return "ELOOP";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "ENOTEMPTY";
        }
        if (e instanceof NotLinkException) {
            return "EINVAL";
        }
        String text = String.valueOf(e instanceof FileSystemException f ? f.getReason() : e.getMessage())
                .toLowerCase(Locale.ROOT);
        if (text.contains("too many levels of symbolic links")) {
            return "ELOOP";
        }
        if (text.contains("read-only file system")) {
            return "EROFS";
        }
        if (text.contains("no space left")) {
            return "ENOSPC";
        }
        if (text.contains("is a directory")) {
            return "EISDIR";
        }
        if (text.contains("permission denied")) {
            return "EACCES";
        }
        if (text.contains("operation not permitted")) {
            return "EPERM";
        }
        if (text.contains("disk quota")) {
            return "EDQUOT";
        }
        if (text.contains("input/output error")) {
            return "EIO";
        }
        return null;
    }

    private static String reasonOf(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
