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

    @Test
    void fullTaskStructStartsAndEndsLikeCrash() {
        String out = CorpusSession.run(new TaskCommand(), "41");
        assertTrue(out.startsWith("PID: 41       TASK: ff228398a8b7a0c0  CPU: 1    COMMAND: \"kworker/1:1H\"\n"
                + "struct task_struct {\n  thread_info = {\n    flags = 16384,\n"), out.substring(0, 300));
        assertTrue(out.contains("\n  comm = \"kworker/1:1H\\000\\000\\000\",\n"), "comm");
        assertTrue(out.contains("\nstruct thread_info {\n  flags = 16384,\n  syscall_work = 0,\n  status = 0,\n  cpu = 1\n}\n"), "thread_info");
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
        // task_struct starts with thread_info.flags (0x4000): not a pointer, the walk must stop and say why
        Result r = new ListCommand().execute(CorpusSession.context(), List.of("-o", "0", "ff228398a8b7a0c0"));
        assertEquals("ff228398a8b7a0c0\n4000\n", r.text());
        Object problem = ((java.util.Map<?, ?>) r.data()).get("problem");
        assertTrue(String.valueOf(problem).startsWith("cannot read the next pointer at 4000"), String.valueOf(problem));
    }

    @Test
    void setChangesTheContextTaskAndBack() {
        String s = CorpusSession.run(new SetCommand());
        assertEquals("    PID: 41\nCOMMAND: \"kworker/1:1H\"\n   TASK: ff228398a8b7a0c0  [THREAD_INFO: ff228398a8b7a0c0]\n"
                + "    CPU: 1\n  STATE: TASK_RUNNING (PANIC)\n", s);
        try {
            String one = CorpusSession.run(new SetCommand(), "1");
            assertTrue(one.startsWith("    PID: 1\nCOMMAND: \"init\"\n"), one);
            assertTrue(CorpusSession.run(new TaskCommand(), "-R", "pid").contains("pid = 1,"));
        } finally {
            // the session is shared with other test classes: never leave it on another task
            CorpusSession.run(new SetCommand(), "-p");
        }
        assertTrue(CorpusSession.run(new TaskCommand(), "-R", "pid").contains("pid = 41,"));
        assertThrows(CommandException.class, () -> CorpusSession.run(new SetCommand(), "4242"));
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
