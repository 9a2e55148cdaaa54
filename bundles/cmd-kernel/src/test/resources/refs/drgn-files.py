# drgn 0.0.22 truth for `files PID` on the corpus, laid out in crash's columns (crash 8.0.2 cannot find these tasks)
import drgn, os, sys
from drgn.helpers.linux.pid import find_task
from drgn.helpers.linux.fs import for_each_file, d_path
C=os.path.expanduser('~/.cache/kdive-corpus/vqbug-6.1/')
prog=drgn.Program(); prog.set_core_dump(C+'vmcore.kdump-zlib'); prog.load_debug_info([C+'vmlinux-6.1.0-50-cloud-amd64'])
T={0o100000:'REG ',0o120000:'LNK ',0o040000:'DIR ',0o020000:'CHR ',0o060000:'BLK ',0o140000:'SOCK',0o010000:'FIFO'}
pid=int(sys.argv[1]); t=find_task(prog,pid)
print()
print('PID: %-7d  TASK: %016x  CPU: %-3d  COMMAND: "%s"'%(pid,t.value_(),t.thread_info.cpu.value_(),t.comm.string_().decode()))
print('ROOT: %s    CWD: %s'%(d_path(t.fs.root).decode(), d_path(t.fs.pwd).decode()))
print(' FD       FILE            DENTRY           INODE       TYPE PATH')
for fd,f in for_each_file(t):
    d=f.f_path.dentry; i=d.d_inode
    print('%3d %16x %16x %16x %s %s'%(fd,f.value_(),d.value_(),i.value_(),T.get(int(i.i_mode)&0o170000,'UNKN'),d_path(f.f_path).decode()))
