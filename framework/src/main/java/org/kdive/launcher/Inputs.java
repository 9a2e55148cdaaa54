package org.kdive.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The files named on the command line, checked before anything starts (a server included), so that
 * a name that cannot be a dump, a vmlinux or a script gets a message saying why, at once: missing,
 * not a regular file, not readable, or text. Which dump format a binary file holds is for the
 * format bundles to find out.
 */
final class Inputs {
    /** Bytes looked at to tell text from a binary file: every dump format and ELF has binary bytes early on. */
    private static final int SNIFF = 512;

    private Inputs() {
    }

    /** Why the run cannot go on with these files (a message for the user), or null when it can. */
    static String problem(Options o) {
        int n = o.files.size();
        for (int i = 0; i < n; i++) {
            Path p = Paths.get(o.files.get(i));
            String why = fileProblem(p);
            if (why == null) why = textProblem(p, n > 1 && i == n - 1);
            if (why != null) return "kdive: " + o.files.get(i) + ": " + why;
        }
        if (o.script != null) {
            Path p = Paths.get(o.script);
            String why = Files.isDirectory(p) ? "a directory" : readProblem(p);
            if (why != null) return "kdive: cannot read the commands in " + o.script + ": " + why;
        }
        return null;
    }

    /** Missing, not a regular file, or not readable; null when the file can be read. */
    static String fileProblem(Path p) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode");
        } catch (NoSuchFileException e) {
            return "no such file";
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Files.isRegularFile(p) ? readProblem(p) : Files.exists(p) ? "not a regular file" : "no such file";
        }
        switch (mode & 0170000) {
            case 0100000:
                return readProblem(p);
            case 0040000:
                return "not a regular file (a directory)";
            case 0020000:
                return "not a regular file (a character device)";
            case 0060000:
                return "not a regular file (a block device)";
            case 0010000:
                return "not a regular file (a pipe)";
            case 0140000:
                return "not a regular file (a socket)";
            default:
                return "not a regular file";
        }
    }

    private static String readProblem(Path p) {
        try (FileChannel ch = FileChannel.open(p)) {
            return null;
        } catch (NoSuchFileException e) {
            return "no such file";
        } catch (AccessDeniedException e) {
            return "permission denied";
        } catch (FileSystemException e) {
            return e.getReason() != null ? e.getReason() : e.toString();
        } catch (IOException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
    }

    /** An empty or a text file can be neither a dump nor a vmlinux (crash takes the last file for the latter). */
    private static String textProblem(Path p, boolean vmlinuxPlace) {
        ByteBuffer head = ByteBuffer.allocate(SNIFF);
        try (FileChannel ch = FileChannel.open(p)) {
            while (head.hasRemaining() && ch.read(head) > 0) {
                // fill the head, or read the whole of a short file
            }
        } catch (IOException e) {
            return null; // the format bundles will say what is wrong with it
        }
        if (head.position() == 0) return "an empty file, neither a dump nor a vmlinux";
        for (int i = 0; i < head.position(); i++) {
            int b = head.get(i) & 0xff;
            if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' || b == 0x7f) return null;
        }
        return vmlinuxPlace ? "a text file, not a vmlinux (nor a dump)" : "a text file, not a dump";
    }
}
