// Docker's multiplexed log stream (8-byte header: stream type, 3 zero bytes, uint32 BE length) to plain bytes.
import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;

/**
 * A transform that drops the frame headers and passes stdout and stderr payloads through in order, so both end
 * up in one log. A stream that does not start with a valid header (a TTY container) passes through unchanged.
 */
export function createLogDemuxer(): Transform {
  let pending: Buffer = Buffer.alloc(0);
  let raw = false;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (raw) return done(null, chunk);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (pending.length - offset >= HEADER) {
        const stream = pending[offset] as number;
        if (stream > 2) {
          raw = true;
          this.push(pending.subarray(offset));
          pending = Buffer.alloc(0);
          return done();
        }
        const length = pending.readUInt32BE(offset + 4);
        if (pending.length - offset - HEADER < length) break;
        this.push(pending.subarray(offset + HEADER, offset + HEADER + length));
        offset += HEADER + length;
      }
      pending = pending.subarray(offset);
      done();
    },
    flush(done: TransformCallback) {
      // A truncated last frame: keep what arrived rather than lose the end of the log.
      done(null, pending.length > HEADER ? pending.subarray(HEADER) : undefined);
    },
  });
}
