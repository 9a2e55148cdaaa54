package org.kdive.cmd.kernel.vfs;

import java.nio.charset.StandardCharsets;
import org.kdive.cmd.kernel.access.Kernel;

/**
 * The path of a dentry as crash's `files` prints it: d_name components up through d_parent; at
 * the root of a mount, on through the mount's mountpoint in its parent mount until a mount is its
 * own parent (the namespace root). A dentry whose name cannot be read ends the path there. Files
 * on a devtmpfs mounted over another devtmpfs count from the outer one, and pts files get their
 * "/dev" back, as crash does.
 */
public final class DentryPath {
    /** No real path has this many components; stops walks over corrupt dentries. */
    private static final int MAX_COMPONENTS = 4096;

    private final Kernel k;

    public DentryPath(Kernel k) {
        this.k = k;
    }

    /** The full path of {@code dentry} seen through mount {@code vfsmount} (a struct vfsmount *, 0 if unknown). */
    public String of(long dentry, long vfsmount) {
        String path = "";
        long parent = dentry;
        long mnt = vfsmount;
        long mountToVfs = k.requireOffset("mount", "mnt");
        for (int n = 0; n < MAX_COMPONENTS; n++) {
            long cur = parent;
            String name = component(cur);
            if (name == null) break;
            if (cur == dentry) {
                path = name;
            } else if (!name.equals("/") && !path.startsWith("/")) {
                path = name + "/" + path;
            } else {
                path = name + path;
            }
            parent = k.u64(cur + k.requireOffset("dentry", "d_parent"));
            if (cur == parent && mnt != 0) {
                // the root of this mount: continue at its mountpoint in the parent mount
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

    /** A file's path from its f_path, with crash's devtmpfs and devpts adjustments. */
    public String ofFile(long dentry, long vfsmount) {
        long root = rootMount(vfsmount);
        String path = of(dentry, root);
        if (path.startsWith("/pts/") && "devpts".equals(devname(root))) path = "/dev" + path;
        return path;
    }

    /** A devtmpfs (or udev) mount inside another of the same name stands for the outer one. */
    private long rootMount(long vfsmount) {
        String dev = devname(vfsmount);
        if (!"devtmpfs".equals(dev) && !"udev".equals(dev)) return vfsmount;
        try {
            long mntParent = k.u64(vfsmount - k.requireOffset("mount", "mnt") + k.requireOffset("mount", "mnt_parent"));
            return dev.equals(devname(mntParent + k.requireOffset("mount", "mnt"))) ? mntParent : vfsmount;
        } catch (RuntimeException e) {
            return vfsmount;
        }
    }

    /** mount.mnt_devname of a struct vfsmount *, "" when unreadable. */
    public String devname(long vfsmount) {
        if (vfsmount == 0) return "";
        try {
            long p = k.u64(vfsmount - k.requireOffset("mount", "mnt") + k.requireOffset("mount", "mnt_devname"));
            return p == 0 ? "" : k.memory().cString(p, 4096);
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** d_name of a dentry, or null when it is empty or its length does not match the string. */
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
