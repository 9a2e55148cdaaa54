package org.kdive.cmd.kernel.access;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walk of a kernel red-black tree (struct rb_node: parent+colour, right, left), in order (rb_next's
 * order, smallest first) or top-down (each node before its left, then its right subtree: crash's
 * `tree` default). An explicit stack instead of rb_next()'s parent pointers, so a corrupt tree can
 * only end the walk: a node seen twice or an unreadable pointer stops it with a problem noted.
 * Positions ("root/l/r": the right child of the root's left child) are kept on request.
 */
public final class RbTree {
    /** Far above any run queue or timer tree; stops walks over garbage. */
    private static final int MAX_NODES = 1 << 20;

    private final List<Long> nodes = new ArrayList<>();
    private final List<String> positions;
    private String problem;

    private RbTree(boolean withPositions) {
        positions = withPositions ? new ArrayList<>() : null;
    }

    /** A node on the walk's stack with its position (null when positions are not kept). */
    private record Pending(long node, String position) {
    }

    /** The nodes below {@code rootNode} (the rb_root's rb_node pointer), smallest first. */
    public static RbTree walk(Kernel k, long rootNode) {
        return walk(k, rootNode, true, false);
    }

    /**
     * The nodes below {@code rootNode}: smallest first ({@code inOrder}) or top-down, with their
     * positions when {@code withPositions}.
     */
    public static RbTree walk(Kernel k, long rootNode, boolean inOrder, boolean withPositions) {
        long left = k.requireOffset("rb_node", "rb_left");
        long right = k.requireOffset("rb_node", "rb_right");
        RbTree t = new RbTree(withPositions);
        Set<Long> seen = new HashSet<>();
        Deque<Pending> stack = new ArrayDeque<>();
        try {
            if (inOrder) {
                Pending cur = new Pending(rootNode, withPositions ? "root" : null);
                while (cur.node() != 0 || !stack.isEmpty()) {
                    while (cur.node() != 0) {
                        if (!t.enter(seen, cur.node())) return t;
                        stack.push(cur);
                        cur = new Pending(k.u64(cur.node() + left), child(cur, "/l"));
                    }
                    Pending n = stack.pop();
                    t.add(n);
                    cur = new Pending(k.u64(n.node() + right), child(n, "/r"));
                }
            } else if (rootNode != 0) {
                stack.push(new Pending(rootNode, withPositions ? "root" : null));
                while (!stack.isEmpty()) {
                    Pending n = stack.pop();
                    if (!t.enter(seen, n.node())) return t;
                    t.add(n);
                    long r = k.u64(n.node() + right);
                    long l = k.u64(n.node() + left);
                    if (r != 0) stack.push(new Pending(r, child(n, "/r")));
                    if (l != 0) stack.push(new Pending(l, child(n, "/l")));
                }
            }
        } catch (RuntimeException e) {
            t.problem = "cannot read an rb tree node: " + e.getMessage();
        }
        return t;
    }

    private static String child(Pending parent, String step) {
        return parent.position() == null ? null : parent.position() + step;
    }

    private boolean enter(Set<Long> seen, long node) {
        if (!seen.add(node)) {
            problem = String.format("rb tree node %x seen twice: walk stopped", node);
            return false;
        }
        if (seen.size() <= MAX_NODES) return true;
        problem = "more than " + MAX_NODES + " rb tree nodes: walk stopped";
        return false;
    }

    private void add(Pending n) {
        nodes.add(n.node());
        if (positions != null) positions.add(n.position());
    }

    public List<Long> nodes() { return nodes; }

    /** Each node's position ("root", "root/l", ...), when the walk kept them; else null. */
    public List<String> positions() { return positions; }

    /** Why the walk ended early, or null. */
    public String problem() { return problem; }
}
