// A cgroup per submission as data (src/sandbox/cgroup-plan.ts): where this
// grader's own cgroups are, read from /proc texts, and what one submission's
// cgroup is made of, for cgroup v2 and for v1. Nothing is created here.

import { describe, expect, it } from 'vitest';
import { cgroupMounts, cgroupName, cgroupOwner, cgroupPlan, ownCgroups, type CgroupLayout } from '../src/sandbox/cgroup-plan.js';

// This machine's kind: v1 controllers, each its own hierarchy, and an empty cgroup2 beside them.
const HYBRID_MOUNTINFO = [
  '30 24 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '32 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '35 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '36 30 0:32 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
].join('\n');
const HYBRID_CGROUP = ['8:pids:/', '4:memory:/process_api/04d5', '1:cpu:/', '0::/'].join('\n');

const LIMITS = { memoryBytes: 4096 << 20, pids: 1024, cpuWeight: 100 };

describe('where the grader is', () => {
  it('finds its folder in each v1 hierarchy, and the cgroup2 one', () => {
    expect(ownCgroups(HYBRID_CGROUP, HYBRID_MOUNTINFO)).toEqual({
      v2: '/sys/fs/cgroup/unified',
      v1: { pids: '/sys/fs/cgroup/pids', memory: '/sys/fs/cgroup/memory/process_api/04d5', cpu: '/sys/fs/cgroup/cpu' },
    });
  });

  it('in a container that sees only its part of a hierarchy, paths are taken from the mount root', () => {
    const mountinfo = '40 30 0:40 /system.slice/docker-1.scope /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
    expect(ownCgroups('0::/system.slice/docker-1.scope/grader', mountinfo)).toEqual({ v2: '/sys/fs/cgroup/grader', v1: {} });
    // A cgroup outside what is mounted cannot be reached from here.
    expect(ownCgroups('0::/user.slice', mountinfo)).toEqual({ v1: {} });
  });

  it('reads combined hierarchies (cpu,cpuacct) and escaped mount points', () => {
    const mounts = cgroupMounts('33 30 0:29 / /sys/fs/cgroup/cpu\\054cpuacct rw - cgroup cgroup rw,cpu,cpuacct');
    expect(mounts).toEqual([{ root: '/', point: '/sys/fs/cgroup/cpu,cpuacct', version: 1, controllers: ['rw', 'cpu', 'cpuacct'] }]);
    expect(ownCgroups('3:cpu,cpuacct:/g', '33 30 0:29 / /sys/fs/cgroup/cpu\\054cpuacct rw - cgroup cgroup rw,cpu,cpuacct').v1).toEqual({ cpu: '/sys/fs/cgroup/cpu,cpuacct/g', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/g' });
  });
});

describe("a submission's cgroup", () => {
  it('v2: one folder with the memory bound (no swap) and the CPU weight, its processes in two leaves, the process bound on the student leaf', () => {
    const layout: CgroupLayout = { version: 2, parent: '/cg/grader', controllers: ['memory', 'pids', 'cpu'] };
    expect(cgroupPlan(layout, 'chatgrade-7-1', LIMITS)).toEqual({
      dirs: ['/cg/grader/chatgrade-7-1', '/cg/grader/chatgrade-7-1/student', '/cg/grader/chatgrade-7-1/xserver'],
      writes: [
        { file: '/cg/grader/chatgrade-7-1/memory.max', value: String(4096 << 20) },
        { file: '/cg/grader/chatgrade-7-1/memory.swap.max', value: '0', optional: true },
        { file: '/cg/grader/chatgrade-7-1/cpu.weight', value: '100' },
        // The leaf's pids.max exists only once the top hands it the controller: written after.
        { file: '/cg/grader/chatgrade-7-1/cgroup.subtree_control', value: '+pids' },
        { file: '/cg/grader/chatgrade-7-1/student/pids.max', value: '1024' },
      ],
      procs: { student: ['/cg/grader/chatgrade-7-1/student/cgroup.procs'], xserver: ['/cg/grader/chatgrade-7-1/xserver/cgroup.procs'] },
    });
  });

  it('v2 without the cpu controller: no weight', () => {
    const plan = cgroupPlan({ version: 2, parent: '/cg', controllers: ['memory', 'pids'] }, 'chatgrade-7-2', LIMITS);
    expect(plan.writes.map((w) => w.file)).not.toContain('/cg/chatgrade-7-2/cpu.weight');
  });

  it('v1: a tree per hierarchy, the memory bound (and memory+swap where accounted) on top, the process bound on the student leaf, CPU shares', () => {
    const plan = cgroupPlan({ version: 1, parents: { memory: '/m/g', pids: '/p', cpu: '/c' } }, 'chatgrade-7-3', { ...LIMITS, cpuWeight: 50 });
    expect(plan.dirs).toEqual(['/m/g/chatgrade-7-3', '/m/g/chatgrade-7-3/student', '/m/g/chatgrade-7-3/xserver', '/p/chatgrade-7-3', '/p/chatgrade-7-3/student', '/p/chatgrade-7-3/xserver', '/c/chatgrade-7-3', '/c/chatgrade-7-3/student', '/c/chatgrade-7-3/xserver']);
    expect(plan.writes).toEqual([
      { file: '/m/g/chatgrade-7-3/memory.limit_in_bytes', value: String(4096 << 20) },
      { file: '/m/g/chatgrade-7-3/memory.memsw.limit_in_bytes', value: String(4096 << 20), optional: true },
      { file: '/p/chatgrade-7-3/student/pids.max', value: '1024' },
      { file: '/c/chatgrade-7-3/cpu.shares', value: '512' },
    ]);
    expect(plan.procs).toEqual({
      student: ['/m/g/chatgrade-7-3/student/cgroup.procs', '/p/chatgrade-7-3/student/cgroup.procs', '/c/chatgrade-7-3/student/cgroup.procs'],
      xserver: ['/m/g/chatgrade-7-3/xserver/cgroup.procs', '/p/chatgrade-7-3/xserver/cgroup.procs', '/c/chatgrade-7-3/xserver/cgroup.procs'],
    });
  });

  it('v1 without a cpu hierarchy: memory and pids only', () => {
    const plan = cgroupPlan({ version: 1, parents: { memory: '/m', pids: '/p' } }, 'chatgrade-7-4', LIMITS);
    expect(plan.procs.student).toEqual(['/m/chatgrade-7-4/student/cgroup.procs', '/p/chatgrade-7-4/student/cgroup.procs']);
    expect(plan.writes.some((w) => w.file.includes('cpu'))).toBe(false);
  });

  it("names carry the grader's pid, so a leftover of a dead grader is known", () => {
    expect(cgroupName(4242, 3)).toBe('chatgrade-4242-3');
    expect(cgroupOwner('chatgrade-4242-3')).toBe(4242);
    expect(cgroupOwner('chatgrade-self-4242')).toBeUndefined();
    expect(cgroupOwner('system.slice')).toBeUndefined();
  });
});
