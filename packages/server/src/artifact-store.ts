import type { StateStore } from '@switchyard/store';

export interface StoredArtifact {
  readonly id: string;
  readonly contentType: string;
  readonly bytes: Buffer;
  readonly createdAt: number;
}

/**
 * Content-addressed blobs: the id is the sha256 of the bytes, so a put of equal content is idempotent and a
 * client can verify what it got. Kept by the state store (files under `<dataDir>/blobs`, or memory without a
 * dataDir), bounded by `artifacts.maxTotalBytes`; the least recently used blobs go first.
 */
export class ArtifactStore {
  constructor(private readonly state: StateStore) {}

  put(bytes: Buffer, contentType: string, now = Date.now()): StoredArtifact {
    const meta = this.state.putArtifact(bytes, contentType, now);
    return { id: meta.id, contentType: meta.contentType, bytes, createdAt: meta.createdAt };
  }

  get(id: string): StoredArtifact | undefined {
    const artifact = this.state.getArtifact(id);
    return artifact ? { id: artifact.id, contentType: artifact.contentType, bytes: artifact.bytes, createdAt: artifact.createdAt } : undefined;
  }

  get size(): number {
    return this.state.artifactStats().count;
  }
}
