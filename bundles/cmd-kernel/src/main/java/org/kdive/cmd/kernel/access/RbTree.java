package org.kdive.cmd.kernel.access;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * In-order walk of a kernel red-black tree (struct rb_node: parent+colour, right, left). An
 * explicit stack instead of rb_next()'s parent pointers, so a corrupt tree can only end the walk:
 * a node seen twice or an unreadable pointer stops it with a problem noted.
 */
public final class RbTree {
    /** Far above any run queue or timer tree; stops walks over garbage. */
    private static final int MAX_NODES = 1 << 20;

    private final List<Long> nodes = new ArrayList<>();
    private String problem;

    private RbTree() {
    }

    /** The nodes below {@code rootNode} (the rb_root's rb_node pointer), smallest first. */
    public static RbTree walk(Kernel k, long rootNode) {
        long left = k.requireOffset("rb_node", "rb_left");
        long right = k.requireOffset("rb_node", "rb_right");
        RbTree t = new RbTree();
        Set<Long> seen = new HashSet<>();
        Deque<Long> stack = new ArrayDeque<>();
        long cur = rootNode;
        try {
            while (cur != 0 || !stack.isEmpty()) {
                while (cur != 0) {
                    if (!seen.add(cur) || seen.size() > MAX_NODES) {
                        t.problem = String.format("rb tree node %x seen twice: walk stopped", cur);
                        return t;
                    }
                    stack.push(cur);
                    cur = k.u64(cur + left);
                }
                long n = stack.pop();
                t.nodes.add(n);
                cur = k.u64(n + right);
            }
        } catch (RuntimeException e) {
            t.problem = "cannot read an rb tree node: " + e.getMessage();
        }
        return t;
    }

    public List<Long> nodes() { return nodes; }

    /** Why the walk ended early, or null. */
    public String problem() { return problem; }
}
