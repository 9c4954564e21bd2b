import { createHash } from 'node:crypto';

export interface StoredArtifact {
  readonly id: string;
  readonly contentType: string;
  readonly bytes: Buffer;
  readonly createdAt: number;
}

/**
 * Content-addressed blobs: the id is the sha256 of the bytes, so a put of equal content is idempotent and a
 * client can verify what it got. Bounded in memory; the least recently used blobs go first.
 */
export class ArtifactStore {
  private readonly blobs = new Map<string, StoredArtifact>();
  private totalBytes = 0;

  constructor(private readonly maxTotalBytes: number) {}

  put(bytes: Buffer, contentType: string, now = Date.now()): StoredArtifact {
    const id = createHash('sha256').update(bytes).digest('hex');
    const existing = this.blobs.get(id);
    if (existing) {
      this.touch(id, existing);
      return existing;
    }
    const artifact: StoredArtifact = { id, contentType, bytes, createdAt: now };
    this.blobs.set(id, artifact);
    this.totalBytes += bytes.length;
    for (const [oldId, old] of this.blobs) {
      if (this.totalBytes <= this.maxTotalBytes || oldId === id) break;
      this.blobs.delete(oldId);
      this.totalBytes -= old.bytes.length;
    }
    return artifact;
  }

  get(id: string): StoredArtifact | undefined {
    const artifact = this.blobs.get(id);
    if (artifact) this.touch(id, artifact);
    return artifact;
  }

  get size(): number {
    return this.blobs.size;
  }

  private touch(id: string, artifact: StoredArtifact): void {
    this.blobs.delete(id);
    this.blobs.set(id, artifact);
  }
}
