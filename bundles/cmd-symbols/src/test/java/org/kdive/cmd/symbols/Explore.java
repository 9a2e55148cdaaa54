package org.kdive.cmd.symbols;

import java.util.List;
import org.junit.jupiter.api.Test;

class Explore {
    @Test
    void explore() {
        String[][] cmds = {
            {"mod"}, {"sym", "ffffffffc061907d"}, {"struct", "-o", "vqb_vring_virtqueue"}, {"struct", "list_head"},
            {"p", "jiffies"}, {"p/x", "0xffffffffc061907d-77"}, {"rd", "ff61e9284036be90", "8"}, {"sym", "process_one_work"},
            {"whatis", "vqb_virtqueue_add"}, {"LOAD"},
            {"mod"}, {"sym", "ffffffffc061907d"}, {"struct", "vqb_virtqueue", "ff228398826f8000"},
            {"struct", "vqb_vring_virtqueue", "ff228398826f8000"},
            {"p", "((struct vqb_vring_virtqueue *)0xff228398826f8000)->vring.num"},
            {"whatis", "vqb_virtqueue_add"}, {"union", "-o", "thread_union"}, {"p", "init_task.comm"}, {"p", "&init_task"},
            {"p", "vqb_virtqueue_add"}, {"p", "*(struct vqb_virtqueue *)0xff228398826f8000"},
            {"struct", "task_struct.pid,comm", "init_task"}, {"whatis", "jiffies"}, {"p", "init_task.se"},
            {"p", "sizeof(struct task_struct)"}, {"sym", "vqb_queue"}, {"p", "vqb_queue"},
        };
        for (String[] c : cmds) {
            System.out.println("crash> " + String.join(" ", c));
            try {
                if (c[0].equals("LOAD")) {
                    CorpusSession.loadVqbug();
                    continue;
                }
                org.kdive.api.command.Command cmd = switch (c[0]) {
                    case "mod" -> new ModCommand();
                    case "sym" -> new SymCommand();
                    case "struct" -> new StructCommand();
                    case "union" -> new UnionCommand();
                    case "whatis" -> new WhatisCommand();
                    case "rd" -> new RdCommand();
                    default -> new PrintCommand();
                };
                List<String> args = new java.util.ArrayList<>(List.of(c).subList(1, c.length));
                if (c[0].startsWith("p/")) args.add(0, c[0].substring(1));
                System.out.print(CorpusSession.run(cmd, args.toArray(new String[0])));
            } catch (RuntimeException e) {
                System.out.println("ERROR " + e);
                e.printStackTrace(System.out);
            }
        }
    }
}
