package org.kdive.cmd.kernel.vfs;

import java.util.ArrayList;
import java.util.List;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * A task's root and working directories (task->fs) and its open files (task->files->fdt), read
 * the way crash's `files` shows them.
 */
public final class OpenFiles {
    /** sysctl_nr_open can not go above this (INT_MAX & -BITS_PER_LONG would be absurd); bounds the bitmap walk. */
    private static final long MAX_FDS = 1L << 24;

    /** One open descriptor; dentry or inode 0 when the file has none (crash prints "?" then). */
    public record OpenFile(int fd, long file, long dentry, long inode, String type, String path) {
        /** address_space.nrpages of the inode's i_mapping (files -c), and the mapping. */
        public long[] pageCache(Kernel k) {
            if (inode == 0) return new long[] {0, 0};
            long mapping = k.u64(inode + k.requireOffset("inode", "i_mapping"));
            return new long[] {mapping, mapping == 0 ? 0 : k.u64(mapping + k.requireOffset("address_space", "nrpages"))};
        }

    }

    private final Kernel k;
    private final DentryPath paths;

    public OpenFiles(Kernel k) {
        this.k = k;
        this.paths = new DentryPath(k);
    }

    /** {root, cwd} paths, or null when the task has no fs_struct. */
    public String[] rootAndCwd(long task) {
        long fs = k.u64(task + k.requireOffset("task_struct", "fs"));
        if (fs == 0) return null;
        return new String[] {pathOf(fs + k.requireOffset("fs_struct", "root")), pathOf(fs + k.requireOffset("fs_struct", "pwd"))};
    }

    /** The path of a struct path (mnt, dentry); "" for a NULL dentry. */
    private String pathOf(long path) {
        long dentry = k.u64(path + k.requireOffset("path", "dentry"));
        if (dentry == 0) return "";
        return paths.of(dentry, k.u64(path + k.requireOffset("path", "mnt")));
    }

    /** crash's TYPE column of an inode (files -d). */
    public String typeOf(long inode) {
        return type(inode, (int) k.readMember(inode, "inode", "i_mode"));
    }

    public DentryPath paths() { return paths; }

    /** The open files by descriptor; empty when the task has no files_struct or fd table. */
    public List<OpenFile> files(long task) {
        List<OpenFile> out = new ArrayList<>();
        long files = k.u64(task + k.requireOffset("task_struct", "files"));
        if (files == 0) return out;
        long fdt = k.u64(files + k.requireOffset("files_struct", "fdt"));
        if (fdt == 0) return out;
        long maxFds = k.u32(fdt + k.requireOffset("fdtable", "max_fds"));
        long openFds = k.u64(fdt + k.requireOffset("fdtable", "open_fds"));
        long fdArray = k.u64(fdt + k.requireOffset("fdtable", "fd"));
        if (maxFds == 0 || openFds == 0 || fdArray == 0) return out;
        maxFds = Math.min(maxFds, MAX_FDS);
        for (long word = 0; word * 64 < maxFds; word++) {
            long bits = k.u64(openFds + word * 8);
            for (int b = 0; bits != 0 && b < 64; b++, bits >>>= 1) {
                if ((bits & 1) == 0) continue;
                int fd = (int) (word * 64 + b);
                if (fd >= maxFds) break;
                long file = k.u64(fdArray + 8L * fd);
                if (file != 0) out.add(file(fd, file));
            }
        }
        return out;
    }

    private OpenFile file(int fd, long file) {
        long fPath = file + k.requireOffset("file", "f_path");
        long dentry = k.u64(fPath + k.requireOffset("path", "dentry"));
        if (dentry == 0) return new OpenFile(fd, file, 0, 0, "?", "?");
        long inode = k.u64(dentry + k.requireOffset("dentry", "d_inode"));
        if (inode == 0) return new OpenFile(fd, file, dentry, 0, "?", "?");
        String path = paths.ofFile(dentry, k.u64(fPath + k.requireOffset("path", "mnt")));
        int mode = (int) k.readMember(inode, "inode", "i_mode");
        String type = type(inode, mode);
        if (type.equals("PIPE") || (type.equals("SOCK") && path.equals("/"))) path = "";
        return new OpenFile(fd, file, dentry, inode, type, path);
    }

    /** crash's TYPE column from i_mode (S_IFMT bits); a FIFO that is a pipe says PIPE. */
    private String type(long inode, int mode) {
        switch (mode & 0170000) {
            case 0100000: return "REG";
            case 0120000: return "LNK";
            case 0040000: return "DIR";
            case 0020000: return "CHR";
            case 0060000: return "BLK";
            case 0140000: return "SOCK";
            case 0010000: return isPipe(inode) ? "PIPE" : "FIFO";
            default: return "UNKN";
        }
    }

    private boolean isPipe(long inode) {
        var ops = k.symbol("pipe_inode_operations");
        if (ops.isPresent()) return k.u64(inode + k.requireOffset("inode", "i_op")) == ops.getAsLong();
        var fops = k.symbol("rdwr_pipe_fops");
        return fops.isPresent() && k.u64(inode + k.requireOffset("inode", "i_fop")) == fops.getAsLong();
    }
}
