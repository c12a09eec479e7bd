import { readdir, readFile, readlink } from 'node:fs/promises';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, `getconf CLK_TCK` on Linux

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(
    tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')),
  );
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}

/**
 * The process that actually serves: `tsx` runs the script in a child node process, so the launcher's pid
 * is not the server's. Walks the tree below `rootPid` and returns the descendant with the largest RSS.
 */
export async function findServingPid(rootPid: number): Promise<number> {
  let best = rootPid;
  let bestRss = (await readProcessStats(rootPid))?.rssBytes ?? 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of await childrenOf(pid)) {
      queue.push(child);
      const rss = (await readProcessStats(child))?.rssBytes ?? 0;
      if (rss > bestRss) {
        best = child;
        bestRss = rss;
      }
    }
  }
  return best;
}

export interface ProcessStats {
  rssBytes: number;
  /** User + system CPU time since the process started. */
  cpuSeconds: number;
}

/** RSS and CPU time of `pid` from /proc, or null if it is gone. */
export async function readProcessStats(pid: number): Promise<ProcessStats | null> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { rssBytes: rssKb * 1024, cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** How many file descriptors `pid` holds open now, or null if it is gone. */
export async function countOpenFds(pid: number): Promise<number | null> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return null;
  }
}

export interface TcpConnection {
  localPort: number;
  /** 0 for a listening socket. */
  remotePort: number;
}

/** Every TCP socket `pid` holds open, by its ports (from its fds and /proc/net/tcp{,6}). */
export async function tcpConnectionsOf(pid: number): Promise<TcpConnection[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const inodes = new Set<string>();
  await Promise.all(
    fds.map(async (fd) => {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match?.[1]) inodes.add(match[1]);
    }),
  );
  const port = (address: string) => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
  const connections: TcpConnection[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [, local, remote] = columns;
      const inode = columns[9];
      if (!local || !remote || !inode || !inodes.has(inode)) continue;
      connections.push({ localPort: port(local), remotePort: port(remote) });
    }
  }
  return connections;
}

/** Local TCP ports of every socket `pid` holds open. */
export async function localTcpPorts(pid: number): Promise<Set<number>> {
  return new Set((await tcpConnectionsOf(pid)).map((connection) => connection.localPort));
}
