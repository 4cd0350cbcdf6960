// The send watchdog's rule, driven with explicit clocks. A poor link (a player reading 16 KB/s
// through a small send buffer) cannot be made on loopback, where the kernel's buffers take
// megabytes and a slow reader's progress reaches the process only every megabyte or so; so the
// socket here is a stand-in whose counters move the way node's do.
import t from 'tap'
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { SendWatchdog } from '../../lib/connections.js'

class FakeSocket extends EventEmitter {
  destroyed = false
  writableLength = 0
  // node counts queued bytes in bytesWritten too.
  bytesWritten = 0
  _handle = { writeQueueSize: 0 }
  write (bytes: number): void {
    this.writableLength += bytes
    this.bytesWritten += bytes
    if (this._handle.writeQueueSize === 0) this._handle.writeQueueSize = Math.min(bytes, 65536)
  }

  // The client read `bytes`; the kernel took as much from the write in progress.
  drain (bytes: number): void {
    this._handle.writeQueueSize = Math.max(0, this._handle.writeQueueSize - bytes)
    if (this._handle.writeQueueSize === 0) {
      const done = Math.min(65536, this.writableLength)
      this.writableLength -= done
      this._handle.writeQueueSize = Math.min(65536, this.writableLength)
    }
  }
}

function watch (timeoutMs: number): { dog: SendWatchdog, cut: Set<FakeSocket> } {
  const cut = new Set<FakeSocket>()
  const dog = new SendWatchdog(timeoutMs, (s) => cut.add(s as unknown as FakeSocket))
  t.teardown(() => dog.stop())
  return { dog, cut }
}

t.test('a reader that stopped is cut once nothing has moved for the timeout', async (t) => {
  const { dog, cut } = watch(60_000)
  const socket = new FakeSocket()
  dog.watch(socket as unknown as Socket)
  socket.write(4 * 1024 * 1024)
  dog.check(0)
  dog.check(59_000)
  t.equal(cut.size, 0, 'not before the timeout')
  dog.check(60_000)
  t.ok(cut.has(socket), 'cut at the timeout')
})

t.test('a reader taking 16 KB a second is never cut, even when a 64 KiB write takes four seconds', async (t) => {
  const { dog, cut } = watch(2_000)
  const socket = new FakeSocket()
  dog.watch(socket as unknown as Socket)
  socket.write(8 * 1024 * 1024)
  for (let ms = 0; ms <= 600_000; ms += 250) {
    socket.drain(4096)
    dog.check(ms)
  }
  t.equal(cut.size, 0)
})

t.test('a socket with nothing waiting is not its business, however long it idles', async (t) => {
  const { dog, cut } = watch(1_000)
  const socket = new FakeSocket()
  dog.watch(socket as unknown as Socket)
  for (let ms = 0; ms <= 60_000; ms += 500) dog.check(ms)
  t.equal(cut.size, 0)
  t.equal(dog.watched, 1)
  socket.emit('close')
  t.equal(dog.watched, 0, 'forgotten once closed')
})

t.test('new writes into a stalled buffer are not progress', async (t) => {
  const { dog, cut } = watch(1_000)
  const socket = new FakeSocket()
  dog.watch(socket as unknown as Socket)
  socket.write(100_000)
  dog.check(0)
  for (let ms = 250; ms <= 1_000; ms += 250) {
    socket.write(10) // an event stream's heartbeat
    dog.check(ms)
  }
  t.ok(cut.has(socket))
})
