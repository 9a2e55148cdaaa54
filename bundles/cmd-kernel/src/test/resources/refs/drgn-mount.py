# drgn 0.0.22 truth for `mount -n PID` on the corpus, laid out in crash's columns (crash 8.0.2
# cannot find tasks by pid on this kernel: "mount: invalid task or pid value")
import drgn, os, sys
from drgn.helpers.linux.pid import find_task
from drgn.helpers.linux.fs import for_each_mount, mount_dst, mount_src, mount_fstype
C=os.path.expanduser('~/.cache/kdive-corpus/vqbug-6.1/')
prog=drgn.Program(); prog.set_core_dump(C+'vmcore.kdump-zlib'); prog.load_debug_info([C+'vmlinux-6.1.0-50-cloud-amd64'])
t=find_task(prog,int(sys.argv[1]))
print('     MOUNT           SUPERBLK     TYPE   DEVNAME   DIRNAME')
for m in for_each_mount(t.nsproxy.mnt_ns):
    td='%-6s %-9s '%(mount_fstype(m).decode(), mount_src(m).decode())
    while len(td)>17 and td[-2]==' ': td=td[:-1]
    print('%16x %16x %s%-10s'%(m.value_(), m.mnt.mnt_sb.value_(), td, mount_dst(m).decode()))
