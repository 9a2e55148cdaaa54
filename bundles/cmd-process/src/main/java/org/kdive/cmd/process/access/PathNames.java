package org.kdive.cmd.process.access;

import java.nio.charset.StandardCharsets;

/**
 * A dentry's full path as crash's get_pathname builds it: d_name components up through d_parent,
 * and at a mount's root on through the mountpoint in the parent mount until a mount is its own
 * parent. A component that cannot be read ends the path there (crash does the same).
 */
public final class PathNames {
    /** No real path has this many components; stops walks over corrupt dentries. */
    private static final int MAX_COMPONENTS = 4096;
    private final Layout k;

    public PathNames(Layout k) {
        this.k = k;
    }

    /** The path of {@code dentry} seen through {@code vfsmount} (a struct vfsmount *, 0 if unknown). */
    public String of(long dentry, long vfsmount) {
        String path = "";
        long parent = dentry;
        long mnt = vfsmount;
        long mountToVfs = k.offset("mount", "mnt").orElse(-1);
        for (int n = 0; n < MAX_COMPONENTS; n++) {
            long cur = parent;
            String name = component(cur);
            if (name == null) break;
            if (cur == dentry) {
                path = name;
            } else if ((name.length() > 1 || !name.equals("/")) && !path.startsWith("/")) {
                path = name + "/" + path;
            } else {
                path = name + path;
            }
            parent = k.u64(cur + k.requireOffset("dentry", "d_parent"));
            if (cur == parent && mnt != 0 && mountToVfs >= 0) {
                if (path.startsWith("//")) path = path.substring(1);
                long mount = mnt - mountToVfs;
                parent = k.u64(mount + k.requireOffset("mount", "mnt_mountpoint"));
                long mntParent = k.u64(mount + k.requireOffset("mount", "mnt_parent"));
                if (mntParent == mount) break;
                mnt = mntParent + mountToVfs;
            }
            if (cur == parent || parent == 0) break;
        }
        return path;
    }

    /** The path of a struct file (f_path), "" when it has no dentry. */
    public String ofFile(long file) {
        long dentry = k.u64(file + k.requireOffset("file", "f_path.dentry"));
        if (dentry == 0) return "";
        return of(dentry, k.u64(file + k.requireOffset("file", "f_path.mnt")));
    }

    /** d_name of a dentry, or null when empty or its length does not match the string. */
    private String component(long dentry) {
        long qstr = dentry + k.requireOffset("dentry", "d_name");
        int len = (int) k.u32(qstr + k.requireOffset("qstr", "len"));
        if (len <= 0) return null;
        long name = k.u64(qstr + k.requireOffset("qstr", "name"));
        if (name == 0) return null;
        String s;
        try {
            s = k.memory().cString(name, Math.min(len + 1, 4096));
        } catch (RuntimeException e) {
            return null;
        }
        return s.getBytes(StandardCharsets.UTF_8).length == len ? s : null;
    }
}
