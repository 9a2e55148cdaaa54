package org.kdive.cmd.devices.access;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kdive.api.command.CommandContext;

/**
 * Walks of the kernel's linked lists, each node once: a corrupt list (a cycle, an unreadable
 * pointer) ends the walk and leaves a note instead of looping or failing the whole command.
 */
public final class Lists {
    /** Stops walks over garbage. */
    public static final int MAX = 1 << 20;

    private Lists() {
    }

    /** The list_head addresses of a circular list whose head is at {@code head}, head excluded. */
    public static List<Long> listHead(Kern k, long head, CommandContext ctx) {
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long next;
        try {
            next = k.ptr(head);
        } catch (RuntimeException e) {
            warn(ctx, "cannot read list head " + Long.toHexString(head) + ": " + e.getMessage());
            return out;
        }
        while (next != head && next != 0) {
            if (!seen.add(next) || out.size() >= MAX) {
                warn(ctx, "list at " + Long.toHexString(head) + " loops at " + Long.toHexString(next));
                break;
            }
            if (ctx != null) ctx.checkCancelled();
            out.add(next);
            try {
                next = k.ptr(next);
            } catch (RuntimeException e) {
                warn(ctx, "list at " + Long.toHexString(head) + " broken at " + Long.toHexString(next) + ": " + e.getMessage());
                break;
            }
        }
        return out;
    }

    /** Nodes of a NULL-terminated chain whose "next" pointer is at {@code nextOffset}, from {@code first}. */
    public static List<Long> chain(Kern k, long first, long nextOffset, CommandContext ctx) {
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long n = first;
        while (n != 0) {
            if (!seen.add(n) || out.size() >= MAX) {
                warn(ctx, "chain from " + Long.toHexString(first) + " loops at " + Long.toHexString(n));
                break;
            }
            if (ctx != null) ctx.checkCancelled();
            out.add(n);
            try {
                n = k.ptr(n + nextOffset);
            } catch (RuntimeException e) {
                warn(ctx, "chain from " + Long.toHexString(first) + " broken at " + Long.toHexString(n) + ": " + e.getMessage());
                break;
            }
        }
        return out;
    }

    static void warn(CommandContext ctx, String msg) {
        if (ctx != null) ctx.warn(msg);
    }
}
