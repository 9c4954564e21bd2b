import { describe, expect, it } from 'vitest';
import { AdmissionQueue } from './admission-queue.js';

describe('AdmissionQueue', () => {
  it('serves interactive before batch, FIFO within each', () => {
    const queue = new AdmissionQueue<string>({ interactiveCapacity: 4, batchCapacity: 4, policy: 'reject' });
    queue.offer('b1', 'batch');
    queue.offer('i1', 'interactive');
    queue.offer('b2', 'batch');
    queue.offer('i2', 'interactive');
    expect([...queue.ordered()]).toEqual(['i1', 'i2', 'b1', 'b2']);
    expect(queue.positionOf('b1')).toBe(2);
    expect(queue.takeFirst(() => true)).toBe('i1');
    expect(queue.takeFirst((item) => item.startsWith('b'))).toBe('b1');
  });

  it('rejects under policy reject when the arrival queue is full', () => {
    const queue = new AdmissionQueue<string>({ interactiveCapacity: 1, batchCapacity: 1, policy: 'reject' });
    expect(queue.offer('i1', 'interactive')).toEqual({ admitted: true });
    expect(queue.offer('i2', 'interactive')).toEqual({ admitted: false, reason: 'full' });
    expect(queue.offer('b1', 'batch')).toEqual({ admitted: true });
    expect(queue.size).toBe(2);
  });

  it('drop-lru drops the oldest batch task first, then the oldest interactive', () => {
    const queue = new AdmissionQueue<string>({ interactiveCapacity: 1, batchCapacity: 2, policy: 'drop-lru' });
    queue.offer('b1', 'batch');
    queue.offer('b2', 'batch');
    queue.offer('i1', 'interactive');
    expect(queue.offer('i2', 'interactive')).toEqual({ admitted: true, dropped: 'b1' });
    expect(queue.offer('i3', 'interactive')).toEqual({ admitted: true, dropped: 'b2' });
    expect(queue.offer('i4', 'interactive')).toEqual({ admitted: true, dropped: 'i1' });
    expect([...queue.ordered()]).toEqual(['i2', 'i3', 'i4']);
    expect(queue.size).toBeLessThanOrEqual(3);
  });

  it('drop-lru for a batch arrival drops the oldest batch task', () => {
    const queue = new AdmissionQueue<string>({ interactiveCapacity: 2, batchCapacity: 1, policy: 'drop-lru' });
    queue.offer('i1', 'interactive');
    queue.offer('b1', 'batch');
    expect(queue.offer('b2', 'batch')).toEqual({ admitted: true, dropped: 'b1' });
    expect(queue.remove('b2')).toBe(true);
    expect(queue.remove('b2')).toBe(false);
  });
});
