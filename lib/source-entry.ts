import { Worker, type WorkerOptions } from 'node:worker_threads'

// Code run in another thread or process is named by file. Built, that file is the .js beside its
// caller; run from source through tsx (dev, tests, benches) it is the .ts, and a new thread or
// process does not inherit tsx's loader, so it has to be handed it.

// The entry `name` (no extension) beside the module whose import.meta.url is `callerUrl`, in the
// form the caller itself runs as.
export function siblingEntry (callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl)
}

function fromSource (entry: URL): boolean {
  return entry.pathname.endsWith('.ts')
}

// Node options a child process needs before `entry` to run it.
export function nodeArgsFor (entry: URL): string[] {
  return fromSource(entry) ? ['--import', import.meta.resolve('tsx')] : []
}

// A worker thread running `entry`; from source, tsx is registered in the thread first.
export function startThread (entry: URL, options: WorkerOptions = {}): Worker {
  if (!fromSource(entry)) return new Worker(entry, options)
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}
