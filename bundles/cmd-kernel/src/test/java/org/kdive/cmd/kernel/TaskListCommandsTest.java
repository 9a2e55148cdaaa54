package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.cmd.kernel.commands.ListCommand;
import org.kdive.cmd.kernel.commands.SetCommand;
import org.kdive.cmd.kernel.commands.TaskCommand;
import org.kdive.cmd.kernel.tasks.KernelTasksService;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

class TaskListCommandsTest {
    @Test
    void taskMembersMatchCrash() {
        assertEquals(CrashText.layout(Corpus.crashRef("17-task")),
                CrashText.layout(CorpusSession.run(new TaskCommand(), "-R", "pid,comm,prio")));
    }

    /** The whole task_struct and thread_info of the panic task, as crash 8.0.6's `task` prints them (1017 lines). */
    @Test
    void fullTaskStructIsCrashs() {
        String ref = ref("crash-8.0.6/task");
        assertEquals(ref, CrashText.layout(CorpusSession.run(new TaskCommand())));
        assertEquals(ref, CrashText.layout(CorpusSession.run(new TaskCommand(), "41")));
    }

    @Test
    void listOfTasksMatchesCrash() {
        assertEquals(CrashText.layout(Corpus.crashRef("21-list-tasks")), CrashText.layout(CorpusSession.run(
                new ListCommand(), "task_struct.tasks", "-s", "task_struct.pid,comm", "-h", "init_task")));
    }

    @Test
    void listHeadFormGivesTheSameTasksWithoutTheHead() {
        long head = 0xffffffffbe41aa40L + org.kdive.cmd.kernel.access.Kernel.of(CorpusSession.get())
                .requireOffset("task_struct", "tasks");
        String h = CorpusSession.run(new ListCommand(), "-o", "task_struct.tasks", "-H", Long.toHexString(head));
        String[] entries = h.strip().split("\n");
        assertEquals(54, entries.length, h);
        assertEquals("ff228398811f4180", entries[0]);
        assertEquals("ff22839882514180", entries[53]);
    }

    @Test
    void aWalkOverPointersThatAreNoListStopsWithAMessage() {
        // task_struct starts with thread_info.flags (0x4000): not a pointer, the walk must stop and say why,
        // as crash does (its readmem of a user address as kernel memory: ModuleDataListTest compares)
        Result r = new ListCommand().execute(CorpusSession.context(), List.of("-o", "0", "ff228398a8b7a0c0"));
        assertEquals("ff228398a8b7a0c0\n4000\nlist: invalid kernel virtual address: 4000  type: \"list entry\"\n", r.text());
        Object problem = ((java.util.Map<?, ?>) r.data()).get("problem");
        assertTrue(String.valueOf(problem).startsWith("invalid kernel virtual address: 4000"), String.valueOf(problem));
    }

    /** set, set 1 (crash 8.0.6: refs/crash-8.0.6/set.txt, refs/crash-8.0.6-changes-task/set_1.txt) and back. */
    @Test
    void setChangesTheContextTaskAndBack() {
        assertEquals(ref("crash-8.0.6/set"), CrashText.layout(CorpusSession.run(new SetCommand())));
        try {
            assertEquals(ref("crash-8.0.6-changes-task/set_1"), CrashText.layout(CorpusSession.run(new SetCommand(), "1")));
            assertTrue(CorpusSession.run(new TaskCommand(), "-R", "pid").contains("pid = 1,"));
        } finally {
            // the session is shared with other test classes: never leave it on another task
            CorpusSession.run(new SetCommand(), "-p");
        }
        assertTrue(CorpusSession.run(new TaskCommand(), "-R", "pid").contains("pid = 41,"));
        assertThrows(CommandException.class, () -> CorpusSession.run(new SetCommand(), "4242"));
    }

    /** A crash 8.0.6 reference of src/test/resources/refs without its "crash> CMD" line. */
    private static String ref(String name) {
        String r = Corpus.read(java.nio.file.Path.of("src/test/resources/refs/" + name + ".txt"));
        return CrashText.layout(r.substring(r.indexOf('\n') + 1));
    }

    @Test
    void serviceExposesThePanicTaskAndItsExceptionFrame() {
        KernelTasksService svc = new KernelTasksService();
        TaskInfo panic = svc.panicTask(CorpusSession.get()).orElseThrow();
        assertEquals(41, panic.pid());
        assertEquals(1, svc.panicCpu(CorpusSession.get()));
        assertEquals(56, svc.tasks(CorpusSession.get()).size());
        assertEquals(List.of(), svc.problems(CorpusSession.get()));
        var frame = svc.panicExceptionFrame(CorpusSession.get()).orElseThrow();
        assertEquals(0xffffffffc061907dL, frame.exceptionRegs().pc());
        assertEquals(0x81L, frame.exceptionRegs().get("rdx").orElseThrow());
    }
}
